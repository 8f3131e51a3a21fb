/* libFuzzer target: PNG/JPEG loading from memory (src/scan/image.c) must never crash, leak or
 * read out of bounds, whatever the bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "scan/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    borne_log_set_level(BORNE_LOG_ERROR);
    borne_image img;
    if (borne_image_load_mem(data, size, &img) == BORNE_OK) {
        /* touch every pixel so a short buffer would be caught */
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
            sum += img.pixels[i];
        }
        (void)sum;
        borne_image_clear(&img);
    }
    return 0;
}
