/* PNG and JPEG loading as 8-bit grey, and grey PNG writing.
 *
 * DESIGN: the whole file is read into memory first (capped at BORNE_IMAGE_MAX_FILE), the format is
 * chosen by its magic bytes, and the decoders work from memory. PNG goes through libpng's
 * simplified API (which converts any colour type to grey); JPEG through libjpeg with an error
 * manager that longjmps back instead of calling exit(). Dimensions are checked against
 * BORNE_IMAGE_MAX_SIDE before the pixel buffer is allocated. */
#define LOG_MODULE "image"

#include "scan/image.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "core/log.h"

static borne_err errno_to_err(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
        return BORNE_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
        return BORNE_ERR_PERM;
    default:
        return BORNE_ERR_IO;
    }
}

static int size_ok(unsigned long w, unsigned long h)
{
    return w > 0 && h > 0 && w <= BORNE_IMAGE_MAX_SIDE && h <= BORNE_IMAGE_MAX_SIDE;
}

static borne_err load_png(const uint8_t *data, size_t len, borne_image *out)
{
    png_image png;
    memset(&png, 0, sizeof(png));
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, data, len)) {
        LOG_WARN("PNG header unreadable: %s", png.message);
        return BORNE_ERR_PARSE;
    }
    if (!size_ok(png.width, png.height)) {
        LOG_WARN("PNG is %ux%u, over the %d-pixel cap", png.width, png.height,
                 BORNE_IMAGE_MAX_SIDE);
        png_image_free(&png);
        return BORNE_ERR_TOO_LARGE;
    }
    png.format = PNG_FORMAT_GRAY;
    size_t n = (size_t)png.width * png.height;
    uint8_t *pixels = malloc(n);
    if (!pixels) {
        png_image_free(&png);
        return BORNE_ERR_NOMEM;
    }
    if (!png_image_finish_read(&png, NULL, pixels, (png_int_32)png.width, NULL)) {
        LOG_WARN("PNG data damaged: %s", png.message);
        png_image_free(&png);
        free(pixels);
        return BORNE_ERR_PARSE;
    }
    out->pixels = pixels;
    out->width = (int)png.width;
    out->height = (int)png.height;
    return BORNE_OK;
}

struct jpeg_err_ctx {
    struct jpeg_error_mgr mgr; /* must stay first: libjpeg passes a pointer to it */
    jmp_buf jump;
};

static void jpeg_fail(j_common_ptr cinfo)
{
    struct jpeg_err_ctx *ctx = (struct jpeg_err_ctx *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    ctx->mgr.format_message(cinfo, msg);
    LOG_WARN("JPEG data damaged: %s", msg);
    longjmp(ctx->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    /* Corrupt-data warnings are expected on damaged files; the decoder still returns pixels. */
    (void)cinfo;
    (void)level;
}

static borne_err load_jpeg(const uint8_t *data, size_t len, borne_image *out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err_ctx err;
    /* Written after setjmp and read after longjmp: must be volatile. */
    uint8_t *volatile pixels = NULL;
    volatile borne_err result = BORNE_ERR_PARSE;

    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_quiet;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return result;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    if (!size_ok(cinfo.image_width, cinfo.image_height)) {
        LOG_WARN("JPEG is %ux%u, over the %d-pixel cap", cinfo.image_width, cinfo.image_height,
                 BORNE_IMAGE_MAX_SIDE);
        jpeg_destroy_decompress(&cinfo);
        return BORNE_ERR_TOO_LARGE;
    }
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        LOG_WARN("CMYK JPEG not supported");
        jpeg_destroy_decompress(&cinfo);
        return BORNE_ERR_UNSUPPORTED;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != 1) {
        jpeg_destroy_decompress(&cinfo);
        return BORNE_ERR_UNSUPPORTED;
    }
    size_t w = cinfo.output_width, h = cinfo.output_height;
    pixels = malloc(w * h);
    if (!pixels) {
        jpeg_destroy_decompress(&cinfo);
        return BORNE_ERR_NOMEM;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * w;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    out->pixels = pixels;
    out->width = (int)w;
    out->height = (int)h;
    return BORNE_OK;
}

borne_err borne_image_load_mem(const uint8_t *data, size_t len, borne_image *out)
{
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!out) {
        return BORNE_ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    if (!data) {
        return BORNE_ERR_INVALID;
    }
    if (len > BORNE_IMAGE_MAX_FILE) {
        return BORNE_ERR_TOO_LARGE;
    }
    if (len >= sizeof(png_magic) && memcmp(data, png_magic, sizeof(png_magic)) == 0) {
        return load_png(data, len, out);
    }
    if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
        return load_jpeg(data, len, out);
    }
    LOG_WARN("not a PNG or JPEG image");
    return BORNE_ERR_UNSUPPORTED;
}

borne_err borne_image_load(const char *path, borne_image *out)
{
    if (!out) {
        return BORNE_ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    if (!path) {
        return BORNE_ERR_INVALID;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        LOG_WARN("cannot open image: %s", strerror(e));
        return errno_to_err(e);
    }
    /* Read up to one byte past the cap so an oversized file is detected without fstat races. */
    size_t cap = BORNE_IMAGE_MAX_FILE + 1, used = 0, size = 64 * 1024;
    uint8_t *buf = malloc(size);
    borne_err err = BORNE_OK;
    if (!buf) {
        fclose(f);
        return BORNE_ERR_NOMEM;
    }
    for (;;) {
        if (used == size) {
            size_t nsize = size * 2 > cap ? cap : size * 2;
            if (nsize == size) {
                err = BORNE_ERR_TOO_LARGE;
                LOG_WARN("image file over the %u-byte cap", BORNE_IMAGE_MAX_FILE);
                break;
            }
            uint8_t *nbuf = realloc(buf, nsize);
            if (!nbuf) {
                err = BORNE_ERR_NOMEM;
                break;
            }
            buf = nbuf;
            size = nsize;
        }
        size_t got = fread(buf + used, 1, size - used, f);
        used += got;
        if (got == 0) {
            if (ferror(f)) {
                LOG_WARN("read error on image file");
                err = BORNE_ERR_IO;
            }
            break;
        }
    }
    fclose(f);
    if (!err) {
        err = borne_image_load_mem(buf, used, out);
    }
    free(buf);
    return err;
}

void borne_image_clear(borne_image *img)
{
    if (!img) {
        return;
    }
    free(img->pixels);
    img->pixels = NULL;
    img->width = 0;
    img->height = 0;
}

borne_frame borne_image_frame(const borne_image *img)
{
    borne_frame f = {
        .luma = img->pixels, .width = img->width, .height = img->height, .stride = img->width};
    return f;
}

borne_err borne_image_save_png(const char *path, const uint8_t *luma, int w, int h, int stride)
{
    if (!path || !luma ||
        !size_ok((unsigned long)(w > 0 ? w : 0), (unsigned long)(h > 0 ? h : 0)) || stride < w) {
        return BORNE_ERR_INVALID;
    }
    png_image png;
    memset(&png, 0, sizeof(png));
    png.version = PNG_IMAGE_VERSION;
    png.width = (png_uint_32)w;
    png.height = (png_uint_32)h;
    png.format = PNG_FORMAT_GRAY;
    if (!png_image_write_to_file(&png, path, 0, luma, stride, NULL)) {
        LOG_WARN("cannot write PNG: %s", png.message);
        png_image_free(&png);
        return BORNE_ERR_IO;
    }
    return BORNE_OK;
}
