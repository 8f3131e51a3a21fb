/* Borne's one error enum, shared by every subsystem.
 *
 * Append only: numbers are stable (they may appear in logs). Zero is success.
 * Functions return a borne_err; callers write `if (err) return err;` or `goto out;`.
 * Log once at the failure site (see log.h), then pass the error up. */
#ifndef BORNE_CORE_ERROR_H
#define BORNE_CORE_ERROR_H

typedef enum borne_err {
    BORNE_OK = 0,
    BORNE_ERR_NOMEM = 1,        /* allocation failed */
    BORNE_ERR_INVALID = 2,      /* bad argument or malformed input */
    BORNE_ERR_IO = 3,           /* file or device I/O failed */
    BORNE_ERR_DB = 4,           /* SQLite reported an error */
    BORNE_ERR_NOT_FOUND = 5,    /* no such record, file or key */
    BORNE_ERR_EXISTS = 6,       /* the record already exists */
    BORNE_ERR_PARSE = 7,        /* text could not be parsed (CSV, JSON, time...) */
    BORNE_ERR_TOO_LARGE = 8,    /* input over its hard maximum */
    BORNE_ERR_CRYPTO = 9,       /* signature, key or hash failure */
    BORNE_ERR_UNSUPPORTED = 10, /* format version or feature not supported */
    BORNE_ERR_DISK_FULL = 11,   /* no space left on the data partition */
    BORNE_ERR_CORRUPT = 12,     /* database failed its integrity check */
    BORNE_ERR_NET = 13,         /* network failure */
    BORNE_ERR_TIMEOUT = 14,     /* an operation took too long */
    BORNE_ERR_DEVICE = 15,      /* camera or scanner missing or lost */
    BORNE_ERR_PERM = 16,        /* permission denied */
    BORNE_ERR__COUNT
} borne_err;

/* A short English description; never NULL. */
const char *borne_strerror(borne_err err);

#endif
