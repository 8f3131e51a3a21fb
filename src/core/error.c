/* Descriptions of borne_err values. */
#include "core/error.h"

const char *borne_strerror(borne_err err)
{
    static const char *const text[BORNE_ERR__COUNT] = {
        [BORNE_OK] = "success",
        [BORNE_ERR_NOMEM] = "out of memory",
        [BORNE_ERR_INVALID] = "invalid argument or input",
        [BORNE_ERR_IO] = "input/output error",
        [BORNE_ERR_DB] = "database error",
        [BORNE_ERR_NOT_FOUND] = "not found",
        [BORNE_ERR_EXISTS] = "already exists",
        [BORNE_ERR_PARSE] = "cannot parse input",
        [BORNE_ERR_TOO_LARGE] = "input too large",
        [BORNE_ERR_CRYPTO] = "cryptographic failure",
        [BORNE_ERR_UNSUPPORTED] = "unsupported format or feature",
        [BORNE_ERR_DISK_FULL] = "disk full",
        [BORNE_ERR_CORRUPT] = "database is damaged",
        [BORNE_ERR_NET] = "network error",
        [BORNE_ERR_TIMEOUT] = "timed out",
        [BORNE_ERR_DEVICE] = "device missing or lost",
        [BORNE_ERR_PERM] = "permission denied",
    };
    if ((unsigned)err >= BORNE_ERR__COUNT || !text[err]) {
        return "unknown error";
    }
    return text[err];
}
