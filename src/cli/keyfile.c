/* Reading and writing the signing key file (see keyfile.h). */
#define LOG_MODULE "keyfile"
#include "cli/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

borne_err borne_keyfile_write(const char *path, const borne_keyfile *key)
{
    char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), key->secret, 64, sodium_base64_VARIANT_ORIGINAL);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno == EEXIST ? BORNE_ERR_EXISTS
                               : (errno == EACCES ? BORNE_ERR_PERM : BORNE_ERR_IO);
    }
    char text[256];
    int n = snprintf(text, sizeof(text), "borne-signing-key 1\nkey_id=%u\nsecret=%s\n",
                     (unsigned)key->key_id, b64);
    sodium_memzero(b64, sizeof(b64));
    bool ok = n > 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    sodium_memzero(text, sizeof(text));
    if (close(fd) != 0) {
        ok = false;
    }
    if (!ok) {
        unlink(path);
        return BORNE_ERR_IO;
    }
    return BORNE_OK;
}

borne_err borne_keyfile_read(const char *path, borne_keyfile *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? BORNE_ERR_NOT_FOUND
                               : (errno == EACCES ? BORNE_ERR_PERM : BORNE_ERR_IO);
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (sb.st_mode & 077)) {
        close(fd);
        LOG_ERR("the signing key file must be readable by its owner only (chmod 600)");
        return BORNE_ERR_PERM;
    }
    char text[512];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0) {
        return BORNE_ERR_IO;
    }
    text[n] = '\0';
    unsigned key_id = 0;
    char b64[128];
    borne_err err = BORNE_OK;
    if (sscanf(text, "borne-signing-key 1\nkey_id=%u\nsecret=%127s", &key_id, b64) != 2 ||
        key_id > 65535) {
        err = BORNE_ERR_PARSE;
    } else {
        size_t len = 0;
        if (sodium_base642bin(out->secret, sizeof(out->secret), b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            len != 64) {
            err = BORNE_ERR_PARSE;
        }
        out->key_id = (uint16_t)key_id;
    }
    sodium_memzero(text, sizeof(text));
    sodium_memzero(b64, sizeof(b64));
    return err;
}
