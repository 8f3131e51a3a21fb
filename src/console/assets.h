/* The console's stylesheet and script, embedded at build time (CMake turns console.css and
 * console.js into assets.c: no file to find at run time). */
#ifndef BORNE_CONSOLE_ASSETS_H
#define BORNE_CONSOLE_ASSETS_H

#include <stddef.h>

typedef struct borne_console_asset {
    const char *name; /* "console.css" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
} borne_console_asset;

/* The asset of that name, or NULL. */
const borne_console_asset *borne_console_asset_find(const char *name);

#endif
