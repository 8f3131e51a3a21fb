/* The backend-independent part of frame sources (see source.h): a handle around a driver. */
#include "scan/source.h"

#include <stdlib.h>
#include <string.h>

struct borne_source {
    const struct borne_source_driver *driver;
    void *priv;
};

const struct borne_source_driver *borne_source_driver_find(const char *name)
{
    if (strcmp(name, borne_source_v4l2.name) == 0) {
        return &borne_source_v4l2;
    }
    if (strcmp(name, borne_source_files.name) == 0) {
        return &borne_source_files;
    }
    return NULL;
}

borne_err borne_source_open(const struct borne_source_driver *driver,
                            const struct borne_source_config *cfg, struct borne_source **out)
{
    *out = NULL;
    struct borne_source *src = calloc(1, sizeof(*src));
    if (!src) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = driver->open(cfg, &src->priv);
    if (err) {
        free(src);
        return err;
    }
    src->driver = driver;
    *out = src;
    return BORNE_OK;
}

void borne_source_free(struct borne_source *src)
{
    if (!src) {
        return;
    }
    src->driver->close(src->priv);
    free(src);
}

borne_err borne_source_next(struct borne_source *src, int timeout_ms, borne_frame *out)
{
    return src->driver->next_frame(src->priv, timeout_ms, out);
}

enum borne_input_state borne_source_state(struct borne_source *src)
{
    return src->driver->state(src->priv);
}

const struct borne_source_driver *borne_source_driver(const struct borne_source *src)
{
    return src->driver;
}
