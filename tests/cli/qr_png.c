/* Test helper: writes a QR code of a text as a PNG, so that the decode tests make their images
 * instead of keeping them in the repository.
 * Usage: qr_png OUT.png TEXT [MODULE_PX]   (TEXT may hold newlines; 4 px a module by default;
 *        an empty TEXT writes a blank image, without a code) */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badge/draw.h"
#include "badge/qr.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: qr_png OUT.png TEXT [MODULE_PX]\n");
        return 2;
    }
    int module = argc == 4 ? atoi(argv[3]) : 4;
    if (module < 1 || module > 32) {
        fprintf(stderr, "qr_png: module size 1..32\n");
        return 2;
    }
    borne_qr qr = {0};
    if (argv[2][0] != '\0' && borne_qr_encode(argv[2], strlen(argv[2]), &qr)) {
        fprintf(stderr, "qr_png: cannot encode the text\n");
        return 1;
    }
    int side = (qr.size + 2 * BORNE_QR_QUIET_ZONE) * module;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    if (qr.size) {
        borne_draw_qr(cr, &qr, BORNE_QR_QUIET_ZONE * module, BORNE_QR_QUIET_ZONE * module, module);
    }
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(s, argv[1]);
    cairo_surface_destroy(s);
    borne_qr_clear(&qr);
    if (st != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "qr_png: %s: %s\n", argv[1], cairo_status_to_string(st));
        return 1;
    }
    return 0;
}
