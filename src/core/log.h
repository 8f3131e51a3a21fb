/* Logging with a module tag, to stderr (journald picks it up under systemd).
 *
 * Never log personal data: no names, no codes, no tokens. Log ids and counts.
 * In a .c file:  #define LOG_MODULE "store"  before including this header. */
#ifndef BORNE_CORE_LOG_H
#define BORNE_CORE_LOG_H

enum borne_log_level {
    BORNE_LOG_ERROR = 0,
    BORNE_LOG_WARN = 1,
    BORNE_LOG_INFO = 2,
    BORNE_LOG_DEBUG = 3,
};

/* Messages above this level are dropped. Starts from $BORNE_LOG (error|warn|info|debug),
 * default warn. */
void borne_log_set_level(enum borne_log_level level);
enum borne_log_level borne_log_get_level(void);

void borne_log_write(enum borne_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifndef LOG_MODULE
#define LOG_MODULE "borne"
#endif
#define LOG_ERR(...)  borne_log_write(BORNE_LOG_ERROR, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) borne_log_write(BORNE_LOG_WARN, LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) borne_log_write(BORNE_LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define LOG_DBG(...)  borne_log_write(BORNE_LOG_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif
