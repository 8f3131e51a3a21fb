/* The console's parsers of outside input: the Cookie header and form bodies
 * (application/x-www-form-urlencoded). No allocation; every output is bounded and
 * NUL-terminated; fuzzed by tests/fuzz/fuzz_console_parse.c. */
#ifndef BORNE_CONSOLE_PARSE_H
#define BORNE_CONSOLE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* The value of cookie `name` in a Cookie header ("a=1; b=2"), into out[cap]. False when absent,
 * empty, longer than cap - 1 or holding anything but printable ASCII without ';' and ','. */
bool borne_console_cookie(const char *header, const char *name, char *out, size_t cap);

/* The value of field `name` in a form body (a=1&b=x+y%C3%A9), %-decoded ('+' is a space), into
 * out[cap]. False, with out empty, when absent, given twice, longer than cap - 1, or malformed: a
 * bad %-escape, a decoded NUL or control character other than tab, CR and LF, or bytes that are
 * not UTF-8. A field without '=' is present and empty. */
bool borne_console_form(const char *body, size_t len, const char *name, char *out, size_t cap);

/* A local path to go back to after signing in: starts with one '/' (not "//" nor "/\"), printable
 * ASCII only, no "/v1/". */
bool borne_console_safe_next(const char *path);

#endif
