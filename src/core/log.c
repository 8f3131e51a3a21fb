/* Logging to stderr with a level and a module tag.
 *
 * The level is read once from $BORNE_LOG. Lines are written with one fprintf-equivalent call
 * so lines from different threads do not interleave. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum borne_log_level current_level = BORNE_LOG_WARN;
static pthread_once_t level_once = PTHREAD_ONCE_INIT;

static void read_level_from_env(void)
{
    const char *env = getenv("BORNE_LOG");
    if (!env) {
        return;
    }
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(env, names[i]) == 0) {
            current_level = (enum borne_log_level)i;
        }
    }
}

void borne_log_set_level(enum borne_log_level level)
{
    pthread_once(&level_once, read_level_from_env);
    current_level = level;
}

enum borne_log_level borne_log_get_level(void)
{
    pthread_once(&level_once, read_level_from_env);
    return current_level;
}

void borne_log_write(enum borne_log_level level, const char *module, const char *fmt, ...)
{
    if (level > borne_log_get_level()) {
        return;
    }
    static const char *const tags[] = {"error", "warning", "info", "debug"};
    char line[1024];
    int n = snprintf(line, sizeof(line), "borne[%s] %s: ", module, tags[level]);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof(line)) {
        line[len++] = '\n';
    } else {
        line[len - 1] = '\n';
    }
    fwrite(line, 1, len, stderr);
}
