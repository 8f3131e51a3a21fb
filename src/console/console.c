/* The registrar's web console (console.h, docs/console.md). */
#define _GNU_SOURCE /* open_memstream */
#define LOG_MODULE  "console"
#include "console/console.h"

#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attest/attest.h"
#include "badge/badge.h"
#include "cli/keyfile.h"
#include "console/assets.h"
#include "console/auth.h"
#include "console/parse.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/token.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "registry/regdb.h"
#include "registry/review.h"
#include "store/import.h"

#define NBSP                        "\xc2\xa0"     /* no-break space: before « » and : */
#define NNBSP                       "\xe2\x80\xaf" /* narrow no-break space: before ; ! ? */
#define SESSION_COOKIE              "borne_session"
#define LANG_COOKIE                 "borne_lang"
#define SILENT_S                    600 /* a kiosk not heard from this long is flagged */
#define SEARCH_MAX                  50
#define BORNE_CONSOLE_LIVE_SESSIONS 512 /* sessions of an event shown live */

/* One request as the pages see it. */
typedef struct page {
    const borne_console_config *cfg;
    struct borne_server *server;
    struct MHD_Connection *conn;
    struct borne_regdb *db;
    const char *url, *method, *body;
    size_t len;
    bool en; /* English; French otherwise */
    bool signed_in;
    bool refused; /* an error page: the language switch keeps the path, not the query */
    bool head;    /* HEAD: answered as GET without the body, and changes nothing */
    borne_console_session session;
    char token[BORNE_CONSOLE_TOKEN_HEX + 1];
    int64_t now_ms;
    /* The answer being written. */
    FILE *out;
    char *buf;
    size_t buf_len;
} page;

static const char *T(const page *p, const char *fr, const char *en)
{
    return p->en ? en : fr;
}

/* The audit row of a download. A HEAD request gets the same headers as GET but no file: it
 * records nothing (neither an export for the retention purge nor an audit row). */
static void audit_download(page *p, const char *action, const char *target, const char *after)
{
    if (!p->head) {
        (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, action, target, NULL,
                                  after);
    }
}

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- writing ---- */

/* Writes `s` HTML-escaped (text and attribute values alike). */
static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void open_page(page *p)
{
    p->buf = NULL;
    p->buf_len = 0;
    p->out = open_memstream(&p->buf, &p->buf_len);
}

static void add_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; "
                            "img-src 'self'; connect-src 'self'; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

/* Queues `body` (taken) with the security headers. */
static enum MHD_Result send_bytes(page *p, unsigned status, void *body, size_t len,
                                  const char *type, const char *disposition, bool cache)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    add_security_headers(r);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", cache ? "public, max-age=3600" : "no-store");
    if (disposition) {
        MHD_add_response_header(r, "Content-Disposition", disposition);
    }
    if (status == 429) {
        MHD_add_response_header(r, "Retry-After", "3");
    }
    if (status == 405) { /* RFC 9110, 15.5.6: a 405 lists the methods the target takes */
        MHD_add_response_header(r, "Allow", "GET, HEAD, POST");
    }
    enum MHD_Result ret = MHD_queue_response(p->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_page(page *p, unsigned status)
{
    fclose(p->out);
    p->out = NULL;
    return send_bytes(p, status, p->buf, p->buf_len, "text/html; charset=utf-8", NULL, false);
}

static enum MHD_Result send_json(page *p, unsigned status, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) {
        return MHD_NO;
    }
    return send_bytes(p, status, text, strlen(text), "application/json", NULL, false);
}

/* An answer without a body: a redirection (303 See Other) and cookies to set. */
static enum MHD_Result redirect(page *p, const char *location, const char *cookie1,
                                const char *cookie2)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        return MHD_NO;
    }
    add_security_headers(r);
    MHD_add_response_header(r, "Location", location);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (cookie1) {
        MHD_add_response_header(r, "Set-Cookie", cookie1);
    }
    if (cookie2) {
        MHD_add_response_header(r, "Set-Cookie", cookie2);
    }
    enum MHD_Result ret = MHD_queue_response(p->conn, 303, r);
    MHD_destroy_response(r);
    return ret;
}

/* Appends `s` percent-encoded (all but the unreserved characters of RFC 3986) to out[*len]. */
static void pct_append(char *out, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s && *len + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            out[(*len)++] = (char)c;
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[c >> 4];
            out[(*len)++] = hex[c & 15];
        }
    }
    out[*len] = '\0';
}

typedef struct query_text {
    char text[1024];
    size_t len;
} query_text;

static enum MHD_Result query_arg(void *ctx, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    query_text *q = ctx;
    if (q->len + 2 < sizeof(q->text)) {
        char sep = q->len ? '&' : '?';
        q->text[q->len++] = sep;
        pct_append(q->text, sizeof(q->text), &q->len, key);
        if (value) {
            q->text[q->len++] = '=';
            pct_append(q->text, sizeof(q->text), &q->len, value);
        }
    }
    return MHD_YES;
}

/* The page's address with its query (?page=2&kind=overlap, re-encoded), percent-encoded as the
 * value of the language switch's `next`; the path alone when the whole would be too long. */
static void lang_next(const page *p, char *out, size_t cap)
{
    query_text q = {.len = 0};
    q.text[0] = '\0';
    MHD_get_connection_values(p->conn, MHD_GET_ARGUMENT_KIND, query_arg, &q);
    char here[1600];
    int n = snprintf(here, sizeof(here), "%s%s", p->url, p->refused ? "" : q.text);
    if (n < 0 || (size_t)n >= sizeof(here) || q.len + 4 >= sizeof(q.text) ||
        !borne_console_safe_next(here)) {
        snprintf(here, sizeof(here), "%s", borne_console_safe_next(p->url) ? p->url : "/events");
    }
    size_t len = 0;
    pct_append(out, cap, &len, here);
}

static void head(page *p, const char *title)
{
    FILE *f = p->out;
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>",
            p->en ? "en" : "fr");
    esc(f, title);
    fputs(" — Borne</title><link rel=\"stylesheet\" href=\"/assets/console.css\">"
          "<script src=\"/assets/console.js\" defer></script></head><body>\n<header>"
          "<a class=\"brand\" href=\"/events\">Borne</a><nav>",
          f);
    if (p->signed_in) {
        fprintf(f, "<a href=\"/events\">%s</a>", T(p, "Événements", "Events"));
        if (p->session.user.role == BORNE_ROLE_REGISTRAR) {
            fprintf(f, "<a href=\"/audit\">%s</a>", T(p, "Journal", "Audit log"));
        }
    }
    /* The language switch keeps the page, its query included (a review page, a search). */
    char next[1700];
    lang_next(p, next, sizeof(next));
    fprintf(f, "<a class=\"lang\" href=\"/lang/%s?next=%s", p->en ? "fr" : "en", next);
    fprintf(f, "\" lang=\"%s\">%s</a>", p->en ? "fr" : "en", p->en ? "Français" : "English");
    if (p->signed_in) {
        fputs("<form class=\"signout\" method=\"post\" action=\"/signout\">"
              "<input type=\"hidden\" name=\"csrf\" value=\"",
              f);
        esc(f, p->session.csrf);
        fputs("\"><span class=\"who\">", f);
        esc(f, p->session.user.name);
        fprintf(f, " (%s)</span><button type=\"submit\">%s</button></form>",
                p->session.user.role == BORNE_ROLE_REGISTRAR ? T(p, "registraire", "registrar")
                                                             : T(p, "accueil", "desk"),
                T(p, "Se déconnecter", "Sign out"));
    }
    fputs("</nav></header>\n<main>", f);
}

static void foot(page *p)
{
    fputs("</main></body></html>\n", p->out);
}

static enum MHD_Result message_page(page *p, unsigned status, const char *title, const char *text)
{
    p->refused = status >= 400; /* never write a refused query back, not even in a link */
    open_page(p);
    if (!p->out) {
        return MHD_NO;
    }
    head(p, title);
    fputs("<h1>", p->out);
    esc(p->out, title);
    fputs("</h1><p>", p->out);
    esc(p->out, text);
    fputs("</p>", p->out);
    foot(p);
    return send_page(p, status);
}

static enum MHD_Result not_found(page *p)
{
    return message_page(p, 404, T(p, "Page introuvable", "Page not found"),
                        T(p,
                          "Cette adresse ne mène à rien" NBSP ": revenez à la liste des "
                          "événements.",
                          "Nothing here: go back to the list of events."));
}

static enum MHD_Result forbidden(page *p, const char *why)
{
    return message_page(p, 403, T(p, "Action refusée", "Not allowed"), why);
}

/* A time in the event's zone, "2026-05-21 09:00" (from Unix seconds). */
static void local_time(const char *tz, int64_t t, char *out, size_t cap)
{
    char buf[64];
    borne_time_format_local(t, tz, buf, sizeof(buf));
    /* "2026-05-21T09:00:00-04:00" → "2026-05-21 09:00" */
    snprintf(out, cap, "%.10s %.5s", buf, strlen(buf) > 11 ? buf + 11 : "");
}

/* ---- requests ---- */

static const char *header(const page *p, const char *name)
{
    return MHD_lookup_connection_value(p->conn, MHD_HEADER_KIND, name);
}

static const char *arg(const page *p, const char *name)
{
    return MHD_lookup_connection_value(p->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* A fetch() from the console's script (wants JSON), not a page. */
static bool wants_json(const page *p)
{
    size_t n = strlen(p->url);
    const char *accept = header(p, "Accept");
    return (n > 5 && strcmp(p->url + n - 5, ".json") == 0) ||
           (accept && strstr(accept, "application/json") && !strstr(accept, "text/html"));
}

/* A state-changing request from another site is refused whatever it carries: Origin (when sent)
 * must be this server, and Sec-Fetch-Site (when sent) same-origin. */
static bool same_origin(const page *p)
{
    const char *origin = header(p, "Origin");
    const char *host = header(p, "Host");
    if (origin && strcmp(origin, "null") != 0) {
        const char *rest = strncmp(origin, "https://", 8) == 0  ? origin + 8
                           : strncmp(origin, "http://", 7) == 0 ? origin + 7
                                                                : NULL;
        if (!rest || !host || strcmp(rest, host) != 0) {
            return false;
        }
    } else if (origin) {
        return false;
    }
    const char *site = header(p, "Sec-Fetch-Site");
    return !site || strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
}

static bool form_post(const page *p)
{
    const char *type = header(p, "Content-Type");
    return type && strncmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* The session's CSRF token is in the form. */
static bool csrf_ok(const page *p)
{
    char token[BORNE_CONSOLE_TOKEN_HEX + 1];
    return p->signed_in && form_post(p) && same_origin(p) &&
           borne_console_form(p->body, p->len, "csrf", token, sizeof(token)) &&
           borne_console_token_equal(token, p->session.csrf);
}

static void session_cookie(const page *p, const char *value, bool clear, char *out, size_t cap)
{
    snprintf(out, cap, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             clear ? "" : value, borne_server_tls(p->server) ? "; Secure" : "",
             clear ? "; Max-Age=0" : "");
}

/* ---- sign-in ---- */

static enum MHD_Result signin_page(page *p, unsigned status, const char *error, const char *name,
                                   const char *next)
{
    open_page(p);
    if (!p->out) {
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, T(p, "Connexion", "Sign in"));
    fprintf(f, "<section class=\"signin\"><h1>%s</h1>",
            T(p, "Console du registre", "Registry console"));
    if (error) {
        fputs("<p class=\"error\" role=\"alert\">", f);
        esc(f, error);
        fputs("</p>", f);
    }
    fprintf(f, "<form method=\"post\" action=\"/signin\"><input type=\"hidden\" name=\"next\" "
               "value=\"");
    esc(f, next && borne_console_safe_next(next) ? next : "/events");
    fprintf(f,
            "\"><label for=\"name\">%s</label><input id=\"name\" name=\"name\" "
            "autocomplete=\"username\" required value=\"",
            T(p, "Nom d’utilisateur", "User name"));
    esc(f, name ? name : "");
    fprintf(f,
            "\"><label for=\"password\">%s</label><input id=\"password\" name=\"password\" "
            "type=\"password\" autocomplete=\"current-password\" required>"
            "<button type=\"submit\">%s</button></form></section>",
            T(p, "Mot de passe", "Password"), T(p, "Se connecter", "Sign in"));
    foot(p);
    return send_page(p, status);
}

static enum MHD_Result do_signin(page *p)
{
    char name[BORNE_CONSOLE_NAME_MAX + 1] = "", password[BORNE_CONSOLE_PASSWORD_MAX + 1] = "",
                                       next[520] = "/events";
    if (!form_post(p) || !same_origin(p)) {
        return forbidden(p, T(p, "Formulaire refusé" NBSP ": rechargez la page de connexion.",
                              "Form refused: reload the sign-in page."));
    }
    bool have = borne_console_form(p->body, p->len, "name", name, sizeof(name)) &&
                borne_console_form(p->body, p->len, "password", password, sizeof(password));
    if (!borne_console_form(p->body, p->len, "next", next, sizeof(next)) ||
        !borne_console_safe_next(next)) {
        snprintf(next, sizeof(next), "/events");
    }
    borne_console_session s;
    char token[BORNE_CONSOLE_TOKEN_HEX + 1];
    borne_err err =
        have ? borne_console_sign_in(p->db, name, password, p->now_ms, token, &s) : BORNE_ERR_PERM;
    sodium_memzero(password, sizeof(password));
    if (err == BORNE_ERR_PERM) {
        unsigned wait = borne_server_auth_failure(p->server, p->conn);
        if (wait) {
            return signin_page(p, 429,
                               T(p,
                                 "Trop de tentatives depuis cette adresse" NBSP ": attendez "
                                 "quelques secondes avant de réessayer.",
                                 "Too many attempts from this address: wait a few seconds "
                                 "before trying again."),
                               borne_console_name_valid(name) ? name : "", next);
        }
        LOG_INFO("console: sign-in refused");
        return signin_page(
            p, 401,
            T(p, "Nom d’utilisateur ou mot de passe incorrect.", "Wrong user name or password."),
            borne_console_name_valid(name) ? name : "", next);
    }
    if (err) {
        return message_page(p, 503, T(p, "Registre indisponible", "Registry unavailable"),
                            T(p, "Réessayez dans un instant.", "Try again in a moment."));
    }
    (void)borne_console_audit(p->db, p->now_ms, s.user.name, "signin", s.user.name, NULL, NULL);
    char cookie[200];
    session_cookie(p, token, false, cookie, sizeof(cookie));
    sodium_memzero(token, sizeof(token));
    return redirect(p, next, cookie, NULL);
}

static enum MHD_Result do_signout(page *p)
{
    if (!csrf_ok(p)) {
        return forbidden(p, T(p,
                              "Jeton de formulaire absent ou périmé" NBSP ": rechargez la "
                              "page.",
                              "Form token missing or stale: reload the page."));
    }
    (void)borne_console_sign_out(p->db, p->token);
    (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, "signout",
                              p->session.user.name, NULL, NULL);
    char cookie[200];
    session_cookie(p, "", true, cookie, sizeof(cookie));
    return redirect(p, "/signin", cookie, NULL);
}

/* ---- events ---- */

static enum MHD_Result events_page(page *p)
{
    sqlite3 *db = borne_regdb_sqlite(p->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT e.id, e.name, e.timezone, e.starts, e.ends,"
                           " (SELECT count(*) FROM participant q WHERE q.event_id = e.id"
                           "  AND q.deleted = 0),"
                           " (SELECT count(*) FROM session s WHERE s.event_id = e.id"
                           "  AND s.deleted = 0)"
                           " FROM event e ORDER BY e.starts DESC, e.id",
                           -1, &st, NULL) != SQLITE_OK) {
        return MHD_NO;
    }
    open_page(p);
    if (!p->out) {
        sqlite3_finalize(st);
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, T(p, "Événements", "Events"));
    fprintf(f,
            "<h1>%s</h1><table class=\"list\"><thead><tr><th>%s</th><th>%s</th>"
            "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
            T(p, "Événements", "Events"), T(p, "Événement", "Event"), T(p, "Dates", "Dates"),
            T(p, "Séances", "Sessions"), T(p, "Inscrits", "Registered"));
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        /* Events are days: the first day, and the last when it differs. */
        char from[40], to[40], when[100];
        const char *tz = (const char *)sqlite3_column_text(st, 2);
        local_time(tz, sqlite3_column_int64(st, 3), from, sizeof(from));
        local_time(tz, sqlite3_column_int64(st, 4) - 1, to, sizeof(to)); /* ends: exclusive */
        if (strncmp(from, to, 10) == 0) {
            snprintf(when, sizeof(when), "%.10s", from);
        } else {
            snprintf(when, sizeof(when), "%.10s – %.10s", from, to);
        }
        fprintf(f, "<tr><td><a href=\"/events/%lld\">", (long long)sqlite3_column_int64(st, 0));
        esc(f, (const char *)sqlite3_column_text(st, 1));
        fprintf(f,
                "</a></td><td class=\"time\">%s</td><td class=\"num\">%lld</td>"
                "<td class=\"num\">%lld</td></tr>",
                when, (long long)sqlite3_column_int64(st, 6),
                (long long)sqlite3_column_int64(st, 5));
        rows++;
    }
    sqlite3_finalize(st);
    fputs("</tbody></table>", f);
    if (!rows) {
        fprintf(f, "<p>%s</p>",
                T(p,
                  "Aucun événement" NBSP ": importez-en un avec «" NBSP "borne-registry event "
                  "import" NBSP "».",
                  "No event yet: import one with “borne-registry event import”."));
    }
    foot(p);
    return send_page(p, 200);
}

/* The live figures of an event: per session, and its kiosks with their warnings. */
static json_t *live_json(page *p, uint32_t event_id)
{
    sqlite3 *db = borne_regdb_sqlite(p->db);
    json_t *root = json_object(), *sessions = json_array(), *kiosks = json_array();
    json_object_set_new(root, "event", json_integer(event_id));
    json_object_set_new(root, "server_time_ms", json_integer(p->now_ms));
    /* Three passes, none per session (2,000 participants and 20 sessions: docs/console.md,
     * "Performance"): the sessions; registrations counted in C from each participant's list;
     * the check-ins of the event read once from the console's covering index, grouped by
     * session and participant (checked in: an accepted entry, or one admitted by staff (17); in
     * the room: the last accepted scan, by time, is an entry — max(wall_ms * 4 + is_exit) picks
     * it, an exit winning a tie). */
    typedef struct live_row {
        int64_t id, registered, checked_in, in_room;
    } live_row;
    live_row rows[BORNE_CONSOLE_LIVE_SESSIONS];
    size_t n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM session WHERE event_id = ?1 AND deleted = 0"
                           " ORDER BY starts, id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        while (n < BORNE_CONSOLE_LIVE_SESSIONS && sqlite3_step(st) == SQLITE_ROW) {
            rows[n++] = (live_row){.id = sqlite3_column_int64(st, 0)};
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT sessions FROM participant WHERE event_id = ?1 AND deleted = 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *c = (const char *)sqlite3_column_text(st, 0);
            while (c && *c) {
                char *end;
                long long id = strtoll(c, &end, 10);
                if (end == c) {
                    break;
                }
                for (size_t i = 0; i < n; i++) {
                    if (rows[i].id == id) {
                        rows[i].registered++;
                    }
                }
                c = *end == ',' ? end + 1 : end;
            }
        }
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(
            db,
            "SELECT session_id, count(*) FILTER (WHERE entered), count(*) FILTER (WHERE last % 4"
            " = 0) FROM (SELECT session_id, max(outcome IN (0, 17)) AS entered,"
            "  max(wall_ms * 4 + (outcome NOT IN (0, 17))) AS last FROM checkin"
            "  WHERE event_id = ?1 AND session_id IS NOT NULL AND participant_id IS NOT NULL"
            "  AND outcome IN (0, 1, 2, 17) GROUP BY session_id, participant_id)"
            " GROUP BY session_id",
            -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (size_t i = 0; i < n; i++) {
                if (rows[i].id == sqlite3_column_int64(st, 0)) {
                    rows[i].checked_in = sqlite3_column_int64(st, 1);
                    rows[i].in_room = sqlite3_column_int64(st, 2);
                }
            }
        }
        sqlite3_finalize(st);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(rows[i].id));
        json_object_set_new(o, "registered", json_integer(rows[i].registered));
        json_object_set_new(o, "checked_in", json_integer(rows[i].checked_in));
        json_object_set_new(o, "in_room", json_integer(rows[i].in_room));
        json_array_append_new(sessions, o);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT id, name, last_seen_ms, pending, clock, version FROM kiosk"
                           " WHERE event_id = ?1 AND revoked = 0 ORDER BY name, id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *o = json_object(), *warn = json_array();
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
            json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(st, 1)));
            bool seen = sqlite3_column_type(st, 2) != SQLITE_NULL;
            int64_t last = sqlite3_column_int64(st, 2);
            json_object_set_new(o, "last_seen_ms", seen ? json_integer(last) : json_null());
            json_object_set_new(o, "pending",
                                sqlite3_column_type(st, 3) == SQLITE_NULL
                                    ? json_null()
                                    : json_integer(sqlite3_column_int64(st, 3)));
            const char *clock = (const char *)sqlite3_column_text(st, 4);
            json_object_set_new(o, "clock", clock ? json_string(clock) : json_null());
            if (!seen || p->now_ms - last > SILENT_S * 1000LL) {
                json_array_append_new(warn, json_string("silent"));
            }
            if (clock && strcmp(clock, "untrusted") == 0) {
                json_array_append_new(warn, json_string("clock_untrusted"));
            }
            json_object_set_new(o, "warnings", warn);
            json_array_append_new(kiosks, o);
        }
        sqlite3_finalize(st);
    }
    json_object_set_new(root, "sessions", sessions);
    json_object_set_new(root, "kiosks", kiosks);
    return root;
}

/* Words for the machine names the registry stores (kiosk clock, check-in outcome); an unknown
 * name is shown as it is. */
static const char *clock_words(const page *p, const char *clock)
{
    if (!clock) {
        return "—";
    }
    if (strcmp(clock, "trusted") == 0) {
        return T(p, "fiable", "trusted");
    }
    if (strcmp(clock, "untrusted") == 0) {
        return T(p, "non fiable", "untrusted");
    }
    if (strcmp(clock, "corrected") == 0) {
        return T(p, "corrigée", "corrected");
    }
    return clock;
}

static const char *outcome_text(const page *p, int outcome);

static const char *outcome_words(const page *p, const char *name)
{
    static const struct {
        const char *name, *fr, *en;
    } words[] = {
        {"accepted-entry", "entrée", "entry"},
        {"accepted-exit", "sortie", "exit"},
        {"exit-without-entry", "sortie sans entrée", "exit without entry"},
        {"admitted-by-staff", "entrée admise par le personnel", "entry admitted by staff"},
    };
    for (size_t i = 0; name && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(name, words[i].name) == 0) {
            return T(p, words[i].fr, words[i].en);
        }
    }
    for (int i = 0; name && i < BORNE_OUTCOME__COUNT; i++) {
        if (strcmp(name, borne_outcome_name((borne_outcome)i)) == 0) {
            return outcome_text(p, i); /* a refusal, with its reason */
        }
    }
    return name ? name : "—";
}

static void kiosk_rows(page *p, json_t *kiosks)
{
    FILE *f = p->out;
    size_t i;
    json_t *k;
    json_array_foreach(kiosks, i, k)
    {
        fprintf(f, "<tr data-kiosk=\"%lld\"><td>",
                (long long)json_integer_value(json_object_get(k, "id")));
        esc(f, json_string_value(json_object_get(k, "name")));
        json_t *last = json_object_get(k, "last_seen_ms");
        fprintf(f, "</td><td class=\"k-last\" data-ms=\"%lld\">%s</td>",
                json_is_integer(last) ? (long long)json_integer_value(last) : 0LL,
                json_is_integer(last) ? "" : T(p, "jamais", "never"));
        json_t *pending = json_object_get(k, "pending");
        if (json_is_integer(pending)) {
            fprintf(f, "<td class=\"num k-pending\">%lld</td>",
                    (long long)json_integer_value(pending));
        } else {
            fputs("<td class=\"num k-pending\">—</td>", f);
        }
        const char *clock = json_string_value(json_object_get(k, "clock"));
        fputs("<td class=\"k-clock\">", f);
        esc(f, clock_words(p, clock));
        fputs("</td><td class=\"k-warn\">", f);
        size_t j;
        json_t *w;
        json_array_foreach(json_object_get(k, "warnings"), j, w)
        {
            const char *code = json_string_value(w);
            fprintf(f, "<span class=\"warn\">%s</span> ",
                    strcmp(code, "silent") == 0
                        ? T(p, "silencieuse depuis 10" NBSP "min", "silent for 10 min")
                        : T(p, "horloge non fiable", "clock untrusted"));
        }
        fputs("</td></tr>", f);
    }
}

static enum MHD_Result event_page(page *p, uint32_t event_id)
{
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    borne_session *sessions = NULL;
    size_t n = 0;
    if (borne_regdb_sessions(p->db, event_id, &sessions, &n)) {
        return MHD_NO;
    }
    json_t *live = live_json(p, event_id);
    open_page(p);
    if (!p->out) {
        free(sessions);
        json_decref(live);
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, ev.name);
    fputs("<h1>", f);
    esc(f, ev.name);
    fprintf(f,
            "</h1><nav class=\"actions\"><form method=\"get\" action=\"/events/%u/participants\""
            " class=\"search\"><input name=\"q\" type=\"search\" placeholder=\"%s\" "
            "aria-label=\"%s\"><button type=\"submit\">%s</button></form>",
            event_id, T(p, "Nom du participant", "Participant's name"),
            T(p, "Chercher un participant", "Search a participant"), T(p, "Chercher", "Search"));
    fprintf(f, "<a class=\"button\" href=\"/events/%u/credits\">%s</a>", event_id,
            T(p, "Crédits et attestations", "Credits and attestations"));
    fprintf(f, "<a href=\"/events/%u/review\">%s</a>", event_id,
            T(p, "File de révision", "Review queue"));
    fprintf(f,
            "</nav><section id=\"live\" data-event=\"%u\" data-lang=\"%s\"><h2>%s "
            "<small class=\"updated\" id=\"updated\"></small></h2>"
            "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th><th class=\"num\">%s</th>"
            "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
            event_id, p->en ? "en" : "fr", T(p, "Séances", "Sessions"), T(p, "Séance", "Session"),
            T(p, "Horaire", "Time"), T(p, "Inscrits", "Registered"), T(p, "Entrés", "Checked in"),
            T(p, "Dans la salle", "In the room"));
    json_t *ls = json_object_get(live, "sessions");
    for (size_t i = 0; i < n; i++) {
        long long reg = 0, in = 0, room = 0;
        size_t j;
        json_t *o;
        json_array_foreach(ls, j, o)
        {
            if (json_integer_value(json_object_get(o, "id")) == sessions[i].id) {
                reg = json_integer_value(json_object_get(o, "registered"));
                in = json_integer_value(json_object_get(o, "checked_in"));
                room = json_integer_value(json_object_get(o, "in_room"));
            }
        }
        char from[40], to[40];
        local_time(ev.timezone, sessions[i].starts, from, sizeof(from));
        local_time(ev.timezone, sessions[i].ends, to, sizeof(to));
        fprintf(f, "<tr data-session=\"%u\"><td><span class=\"code\">", sessions[i].id);
        esc(f, sessions[i].code);
        fputs("</span> ", f);
        esc(f, sessions[i].title);
        fprintf(f,
                "</td><td class=\"time\">%s–%s</td><td class=\"num s-registered\">%lld</td>"
                "<td class=\"num s-checked_in\">%lld</td><td class=\"num s-in_room\">%lld</td>"
                "</tr>",
                from, to + 11, reg, in, room);
    }
    fprintf(f,
            "</tbody></table><h2>%s</h2><table class=\"list\" id=\"kiosks\"><thead><tr>"
            "<th>%s</th><th>%s</th><th class=\"num\">%s</th><th>%s</th><th>%s</th></tr>"
            "</thead><tbody>",
            T(p, "Bornes", "Kiosks"), T(p, "Borne", "Kiosk"), T(p, "Dernière synchro", "Last sync"),
            T(p, "En attente", "Pending"), T(p, "Horloge", "Clock"), T(p, "Alertes", "Warnings"));
    kiosk_rows(p, json_object_get(live, "kiosks"));
    fputs("</tbody></table></section>", f);
    free(sessions);
    json_decref(live);
    foot(p);
    return send_page(p, 200);
}

/* ---- exports ---- */

/* The credits export of an event (registry/review.h): every format reads the same table, at
 * the time of the request. */
static borne_err credits_export(struct borne_regdb *db, uint32_t event_id, int64_t now,
                                borne_credits_format format, FILE *out, borne_report_skips *skips)
{
    borne_credits_table t;
    borne_err err = borne_credits_load(db, event_id, now, &t);
    if (err) {
        return err;
    }
    *skips = t.skips;
    err = borne_credits_write(&t, format, out);
    borne_credits_table_free(&t);
    return err;
}

/* The three downloads: Excel-FR for people, the machine CSV, the portal's JSON. */
static const struct {
    borne_credits_format format;
    const char *suffix; /* of the path and of the file name, after "credits" / "credits-N" */
    const char *type;
    const char *after; /* in the audit log */
} credits_files[] = {
    {BORNE_CREDITS_EXCEL, "-excel.csv", "text/csv; charset=utf-8", "{\"format\":\"excel\"}"},
    {BORNE_CREDITS_CSV, ".csv", "text/csv; charset=utf-8", "{\"format\":\"csv\"}"},
    {BORNE_CREDITS_JSON, ".json", "application/json; charset=utf-8", "{\"format\":\"json\"}"},
};

static enum MHD_Result credits_download(page *p, uint32_t event_id, size_t which)
{
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        return forbidden(p, T(p, "Seul un registraire peut exporter les crédits.",
                              "Only a registrar may export credits."));
    }
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        return MHD_NO;
    }
    borne_report_skips skips;
    borne_err err =
        credits_export(p->db, event_id, p->now_ms / 1000, credits_files[which].format, f, &skips);
    fclose(f);
    if (err) {
        free(buf);
        return message_page(p, 500, T(p, "Export impossible", "Export failed"),
                            borne_strerror(err));
    }
    if (!p->head) {
        (void)borne_regdb_mark_exported(p->db, event_id, p->now_ms);
    }
    char target[32];
    snprintf(target, sizeof(target), "event %u", event_id);
    audit_download(p, "export.credits", target, credits_files[which].after);
    char disp[96];
    snprintf(disp, sizeof(disp), "attachment; filename=\"credits-%u%s\"", event_id,
             credits_files[which].suffix);
    return send_bytes(p, 200, buf, len, credits_files[which].type, disp, false);
}

/* ---- the credits page and the event's settings ---- */

/* The missing-exit policy in words. */
static const char *policy_words(const page *p, borne_missing_exit policy)
{
    switch (policy) {
    case BORNE_MISSING_EXIT_FULL:
        return T(p, "créditée jusqu’à la fin de la séance", "credited until the session's end");
    case BORNE_MISSING_EXIT_NONE:
        return T(p, "aucun crédit", "no credit");
    case BORNE_MISSING_EXIT_REVIEW:
    default:
        return T(p, "aucun crédit avant la décision d’un registraire",
                 "no credit until a registrar decides");
    }
}

static void settings_form(page *p, uint32_t event_id, borne_missing_exit policy, const char *issuer)
{
    FILE *f = p->out;
    fprintf(f,
            "<form method=\"post\" action=\"/events/%u/settings\" class=\"settings\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"",
            event_id);
    esc(f, p->session.csrf);
    fprintf(f, "\"><label>%s <select name=\"missing_exit\">",
            T(p, "Sortie non scannée" NBSP ":", "Exit not scanned:"));
    static const borne_missing_exit all[] = {BORNE_MISSING_EXIT_REVIEW, BORNE_MISSING_EXIT_FULL,
                                             BORNE_MISSING_EXIT_NONE};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        fprintf(f, "<option value=\"%s\"%s>%s</option>", borne_missing_exit_name(all[i]),
                all[i] == policy ? " selected" : "", policy_words(p, all[i]));
    }
    fprintf(f, "</select></label><label>%s <input name=\"issuer\" maxlength=\"%d\" value=\"",
            T(p, "Émetteur des attestations" NBSP ":", "Attestations issued by:"),
            BORNE_ISSUER_MAX);
    esc(f, issuer);
    fprintf(f, "\" placeholder=\"%s\"></label><button type=\"submit\">%s</button></form>",
            p->cfg->issuer ? p->cfg->issuer : BORNE_ATTEST_DEFAULT_ISSUER,
            T(p, "Enregistrer", "Save"));
}

/* The answer to a failed read of an event's credits: 404 for an unknown event, else 500. */
static enum MHD_Result load_failed(page *p, borne_err err)
{
    if (err == BORNE_ERR_NOT_FOUND) {
        return not_found(p);
    }
    return message_page(p, 500, T(p, "Registre indisponible", "Registry unavailable"),
                        borne_strerror(err));
}

/* GET /events/N/credits: every participant's total (rounded once), the event's, the downloads. */
static enum MHD_Result credits_page(page *p, uint32_t event_id)
{
    borne_credits_table t;
    borne_err err = borne_credits_load(p->db, event_id, p->now_ms / 1000, &t);
    if (err) {
        return load_failed(p, err);
    }
    char issuer[BORNE_ISSUER_MAX + 1] = "";
    (void)borne_review_get_issuer(p->db, event_id, issuer, sizeof(issuer));
    open_page(p);
    if (!p->out) {
        borne_credits_table_free(&t);
        return MHD_NO;
    }
    FILE *f = p->out;
    bool registrar = p->session.user.role == BORNE_ROLE_REGISTRAR;
    char total[32];
    borne_hours_format(t.credit_minutes, p->en ? '.' : ',', total, sizeof(total));
    int64_t pending = 0;
    for (size_t i = 0; i < t.ntotals; i++) {
        pending += t.totals[i].pending;
    }
    head(p, T(p, "Crédits", "Credits"));
    fputs("<h1>", f);
    esc(f, t.event.name);
    fprintf(f, " · %s</h1><nav class=\"actions\"><a href=\"/events/%u\">%s</a>",
            T(p, "Crédits", "Credits"), event_id,
            T(p, "Retour à l’événement", "Back to the event"));
    if (registrar) {
        fprintf(f,
                "<a class=\"button\" id=\"export-excel\" href=\"/events/%u/credits-excel.csv\" "
                "download>%s</a><a href=\"/events/%u/credits.csv\" download>%s</a>"
                "<a href=\"/events/%u/credits.json\" download>JSON</a>",
                event_id, T(p, "Exporter pour Excel", "Export for Excel"), event_id,
                T(p, "CSV (machines)", "CSV (machines)"), event_id);
        if (p->cfg->attest_key) {
            fprintf(f, "<a id=\"attest-zip\" href=\"/events/%u/attestations.zip\" download>%s</a>",
                    event_id, T(p, "Toutes les attestations (zip)", "All attestations (zip)"));
        }
    }
    fprintf(f,
            "</nav><p class=\"sub\" id=\"credits-total\">%s" NBSP ": <strong>%s" NBSP
            "h</strong> · %s" NBSP ": %zu · %s" NBSP ": %s</p>",
            T(p, "Total de l’événement", "Event total"), total,
            T(p, "Participants", "Participants"), t.ntotals,
            T(p, "Sortie non scannée", "Exit not scanned"), policy_words(p, t.policy));
    if (pending) {
        fprintf(f, "<p class=\"warn\"><a href=\"/events/%u/review\">%lld %s</a></p>", event_id,
                (long long)pending,
                pending == 1 ? T(p, "cas à décider dans la file de révision",
                                 "case to decide in the review queue")
                             : T(p, "cas à décider dans la file de révision",
                                 "cases to decide in the review queue"));
    }
    if (registrar) {
        settings_form(p, event_id, t.policy, issuer);
    }
    fprintf(f,
            "<table class=\"list\" id=\"credits\"><thead><tr><th>%s</th><th class=\"num\">%s</th>"
            "<th class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
            T(p, "Participant", "Participant"), T(p, "Séances", "Sessions"),
            T(p, "Présence (min)", "Attended (min)"), T(p, "Heures", "Hours"),
            T(p, "Attestation", "Attestation"));
    for (size_t i = 0; i < t.ntotals; i++) {
        const borne_credit_total *c = &t.totals[i];
        const borne_credit_row *r = &t.rows[c->first_row];
        char hours[32];
        borne_hours_format(c->credit_minutes, p->en ? '.' : ',', hours, sizeof(hours));
        fprintf(f, "<tr data-participant=\"%u\"><td><a href=\"/events/%u/participants/%u\">",
                (unsigned)c->participant_id, event_id, (unsigned)c->participant_id);
        esc(f, r->name);
        fprintf(f, "</a>");
        if (c->pending) {
            /* Her open cases in the review queue. */
            fprintf(f,
                    " <a class=\"warn to-review\" href=\"/events/%u/review?participant=%u\">%d "
                    "%s</a>",
                    event_id, (unsigned)c->participant_id, (int)c->pending,
                    c->pending == 1 ? T(p, "cas à réviser", "case to review")
                                    : T(p, "cas à réviser", "cases to review"));
        }
        fprintf(f,
                "</td><td class=\"num\">%zu</td><td class=\"num\">%lld</td>"
                "<td class=\"num hours\">%s</td><td>",
                c->rows, (long long)(c->attended_s / 60), hours);
        if (p->cfg->attest_key && c->credit_minutes > 0) {
            fprintf(f, "<a href=\"/events/%u/attestations/%u.pdf\" download>PDF</a>", event_id,
                    (unsigned)c->participant_id);
        }
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table>", f);
    borne_credits_table_free(&t);
    foot(p);
    return send_page(p, 200);
}

/* POST /events/N/settings: missing_exit, issuer (registrar only, audited). */
static enum MHD_Result settings_save(page *p, uint32_t event_id)
{
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        return forbidden(p, T(p, "Seul un registraire peut changer les réglages de l’événement.",
                              "Only a registrar may change the event's settings."));
    }
    char policy_text[16], issuer[BORNE_ISSUER_MAX * 2] = "";
    borne_missing_exit policy;
    if (!borne_console_form(p->body, p->len, "missing_exit", policy_text, sizeof(policy_text)) ||
        borne_missing_exit_parse(policy_text, &policy) ||
        !borne_console_form(p->body, p->len, "issuer", issuer, sizeof(issuer))) {
        return message_page(p, 400, T(p, "Réglages refusés", "Settings refused"),
                            T(p, "Formulaire incomplet" NBSP ": rechargez la page.",
                              "Incomplete form: reload the page."));
    }
    borne_missing_exit old_policy;
    char old_issuer[BORNE_ISSUER_MAX + 1] = "";
    if (borne_review_get_policy(p->db, event_id, &old_policy) ||
        borne_review_get_issuer(p->db, event_id, old_issuer, sizeof(old_issuer))) {
        return not_found(p);
    }
    /* Both or neither: one transaction. */
    borne_err err = borne_regdb_begin(p->db);
    err = err ? err : borne_review_set_issuer(p->db, event_id, issuer);
    err = err ? err : borne_review_set_policy(p->db, event_id, policy);
    if (err) {
        sqlite3_exec(borne_regdb_sqlite(p->db), "ROLLBACK", NULL, NULL, NULL);
        return message_page(p, 400, T(p, "Réglages refusés", "Settings refused"),
                            err == BORNE_ERR_INVALID
                                ? T(p,
                                    "L’émetteur tient sur une ligne de 200" NBSP "octets au plus, "
                                    "sans caractère de contrôle.",
                                    "The issuer is one line of at most 200 bytes, without "
                                    "control characters.")
                                : borne_strerror(err));
    }
    err = borne_regdb_commit(p->db);
    if (err) {
        return message_page(p, 500, T(p, "Registre indisponible", "Registry unavailable"),
                            borne_strerror(err));
    }
    json_t *before = json_pack("{s:s,s:s}", "missing_exit", borne_missing_exit_name(old_policy),
                               "issuer", old_issuer);
    json_t *after =
        json_pack("{s:s,s:s}", "missing_exit", borne_missing_exit_name(policy), "issuer", issuer);
    char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT);
    char target[32];
    snprintf(target, sizeof(target), "event %u", event_id);
    (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, "event.settings", target, b,
                              a);
    free(b);
    free(a);
    json_decref(before);
    json_decref(after);
    char location[64];
    snprintf(location, sizeof(location), "/events/%u/credits", event_id);
    return redirect(p, location, NULL, NULL);
}

/* The attestation options of an event as the console makes them: its issuer (else serve
 * --issuer, else the default), the page's language, Letter paper, now. *issuer is the buffer
 * the options point into. */
static borne_err attest_options(page *p, uint32_t event_id, char issuer[BORNE_ISSUER_MAX + 1],
                                borne_keyfile *kf, borne_attest_options *o)
{
    issuer[0] = '\0';
    if ((borne_review_get_issuer(p->db, event_id, issuer, BORNE_ISSUER_MAX + 1) || !issuer[0]) &&
        p->cfg->issuer) {
        snprintf(issuer, BORNE_ISSUER_MAX + 1, "%s", p->cfg->issuer);
    }
    borne_err err = borne_keyfile_read(p->cfg->attest_key, kf);
    if (err) {
        return err;
    }
    *o = (borne_attest_options){.lang = p->en ? BORNE_ATTEST_EN : BORNE_ATTEST_FR,
                                .paper = BORNE_PAPER_LETTER,
                                .issuer = issuer,
                                .issued_at = p->now_ms / 1000,
                                .key_id = kf->key_id,
                                .secret = kf->secret};
    return BORNE_OK;
}

static enum MHD_Result no_attest_key(page *p)
{
    return message_page(p, 503, T(p, "Attestations indisponibles", "Attestations unavailable"),
                        T(p,
                          "Le registre a été lancé sans clé de signature" NBSP ": "
                          "relancez «" NBSP "serve" NBSP "» avec --attest-key.",
                          "The registry was started without a signing key: run “serve” "
                          "again with --attest-key."));
}

/* GET /events/N/attestations.zip: every attestation of the event, made in a private temporary
 * folder removed before the answer leaves. */
static enum MHD_Result attestations_zip(page *p, uint32_t event_id)
{
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        return forbidden(p, T(p, "Seul un registraire peut télécharger toutes les attestations.",
                              "Only a registrar may download every attestation."));
    }
    if (!p->cfg->attest_key) {
        return no_attest_key(p);
    }
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    const char *tmp = getenv("TMPDIR");
    char dir[512], zip[600];
    snprintf(dir, sizeof(dir), "%s/borne-attest-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        return message_page(p, 500, T(p, "Attestations impossibles", "Attestations failed"),
                            borne_strerror(BORNE_ERR_IO));
    }
    snprintf(zip, sizeof(zip), "%s/attestations.zip", dir);
    char issuer[BORNE_ISSUER_MAX + 1];
    borne_keyfile kf;
    borne_attest_options o;
    size_t written = 0;
    borne_err err = attest_options(p, event_id, issuer, &kf, &o);
    err = err ? err
              : borne_attest_write_event(p->db, event_id, 0, p->now_ms / 1000, &o, NULL, zip, NULL,
                                         NULL, &written);
    sodium_memzero(&kf, sizeof(kf));
    char *data = NULL;
    size_t len = 0;
    if (!err && !written) {
        remove(zip);
        rmdir(dir);
        return message_page(p, 404, T(p, "Aucune présence", "No attendance"),
                            T(p, "Personne n’a encore assisté à une séance de cet événement.",
                              "No one has attended a session of this event yet."));
    }
    err = err ? err : borne_read_file(zip, SIZE_MAX / 2, &data, &len);
    remove(zip);
    rmdir(dir);
    if (err) {
        free(data);
        return message_page(p, 500, T(p, "Attestations impossibles", "Attestations failed"),
                            borne_strerror(err));
    }
    char target[32], after[48];
    snprintf(target, sizeof(target), "event %u", event_id);
    snprintf(after, sizeof(after), "{\"attestations\":%zu}", written);
    audit_download(p, "attestation.zip", target, after);
    char disp[96];
    snprintf(disp, sizeof(disp), "attachment; filename=\"attestations-%u.zip\"", event_id);
    return send_bytes(p, 200, data, len, "application/zip", disp, false);
}

static enum MHD_Result attestation_download(page *p, uint32_t event_id, uint32_t pid)
{
    if (!p->cfg->attest_key) {
        return no_attest_key(p);
    }
    borne_attest a;
    memset(&a, 0, sizeof(a));
    borne_err err = borne_attest_collect(p->db, event_id, pid, p->now_ms / 1000, &a);
    if (err == BORNE_ERR_NOT_FOUND) {
        return not_found(p);
    }
    if (!err && a.count == 0) {
        borne_attest_clear(&a);
        return message_page(p, 404, T(p, "Aucune présence", "No attendance"),
                            T(p, "Ce participant n’a assisté à aucune séance.",
                              "This participant attended no session."));
    }
    char issuer[BORNE_ISSUER_MAX + 1];
    borne_keyfile kf;
    borne_attest_options o;
    unsigned char *pdf = NULL;
    size_t len = 0;
    err = err ? err : attest_options(p, event_id, issuer, &kf, &o);
    err = err ? err : borne_attest_pdf(&a, &o, &pdf, &len, NULL);
    sodium_memzero(&kf, sizeof(kf));
    char name[300];
    if (!err) {
        borne_attest_file_name(&a, name, sizeof(name));
    }
    borne_attest_clear(&a);
    if (err) {
        return message_page(p, 500, T(p, "Attestation impossible", "Attestation failed"),
                            borne_strerror(err));
    }
    char target[48];
    snprintf(target, sizeof(target), "event %u participant %u", event_id, pid);
    audit_download(p, "attestation", target, NULL);
    char disp[360];
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
    return send_bytes(p, 200, pdf, len, "application/pdf", disp, false);
}

/* ---- participants ---- */

/* Folds `in` for searching: lower case, Latin accents removed ("Hélène" → "helene"). */
static void fold(const char *in, char *out, size_t cap)
{
    static const struct {
        uint32_t cp;
        char to;
    } map[] = {{0xe0, 'a'}, {0xe1, 'a'}, {0xe2, 'a'}, {0xe3, 'a'}, {0xe4, 'a'}, {0xe5, 'a'},
               {0xe7, 'c'}, {0xe8, 'e'}, {0xe9, 'e'}, {0xea, 'e'}, {0xeb, 'e'}, {0xec, 'i'},
               {0xed, 'i'}, {0xee, 'i'}, {0xef, 'i'}, {0xf1, 'n'}, {0xf2, 'o'}, {0xf3, 'o'},
               {0xf4, 'o'}, {0xf5, 'o'}, {0xf6, 'o'}, {0xf9, 'u'}, {0xfa, 'u'}, {0xfb, 'u'},
               {0xfc, 'u'}, {0xfd, 'y'}, {0xff, 'y'}};
    size_t n = 0, len = strlen(in);
    for (size_t i = 0; i < len && n + 5 < cap;) {
        uint32_t cp;
        size_t used = borne_utf8_decode(in + i, len - i, &cp);
        if (!used) {
            break;
        }
        if (cp >= 'A' && cp <= 'Z') {
            cp += 32;
        } else if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) {
            cp += 32;
        }
        if (cp == 0x153) { /* œ */
            out[n++] = 'o';
            out[n++] = 'e';
            i += used;
            continue;
        }
        bool mapped = false;
        for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
            if (map[m].cp == cp) {
                out[n++] = map[m].to;
                mapped = true;
            }
        }
        if (!mapped) {
            n += borne_utf8_encode(cp, out + n);
        }
        i += used;
    }
    out[n] = '\0';
}

static void fold_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *in = (const char *)sqlite3_value_text(argv[0]);
    char out[BORNE_NAME_MAX * 2];
    fold(in ? in : "", out, sizeof(out));
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static enum MHD_Result search_page(page *p, uint32_t event_id)
{
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    const char *q = arg(p, "q");
    char folded[BORNE_NAME_MAX * 2] = "";
    if (q && borne_utf8_valid(q, strlen(q), NULL) && strlen(q) < BORNE_NAME_MAX) {
        fold(q, folded, sizeof(folded));
    }
    sqlite3 *db = borne_regdb_sqlite(p->db);
    sqlite3_create_function(db, "borne_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fold_fn,
                            NULL, NULL);
    open_page(p);
    if (!p->out) {
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, T(p, "Participants", "Participants"));
    fputs("<h1>", f);
    esc(f, ev.name);
    fprintf(f,
            "</h1><form method=\"get\" action=\"/events/%u/participants\" class=\"search\">"
            "<input name=\"q\" type=\"search\" autofocus aria-label=\"%s\" value=\"",
            event_id, T(p, "Chercher un participant", "Search a participant"));
    esc(f, q && folded[0] ? q : "");
    fprintf(f, "\"><button type=\"submit\">%s</button></form>", T(p, "Chercher", "Search"));
    sqlite3_stmt *st;
    int rows = 0;
    if (folded[0] &&
        sqlite3_prepare_v2(db,
                           "SELECT id, name, organisation FROM participant WHERE event_id = ?1"
                           " AND deleted = 0 AND (' ' || borne_fold(name) || ' ' ||"
                           " borne_fold(organisation)) LIKE ('% ' || ?2 || '%') ESCAPE '\\'"
                           " ORDER BY name COLLATE BORNE_NAME, id LIMIT ?3",
                           -1, &st, NULL) == SQLITE_OK) {
        /* LIKE's wildcards in the query are taken literally. */
        char pattern[BORNE_NAME_MAX * 4];
        size_t n = 0;
        for (const char *c = folded; *c && n + 3 < sizeof(pattern); c++) {
            if (*c == '%' || *c == '_' || *c == '\\') {
                pattern[n++] = '\\';
            }
            pattern[n++] = *c;
        }
        pattern[n] = '\0';
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_text(st, 2, pattern, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, SEARCH_MAX);
        fprintf(f,
                "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr>"
                "</thead><tbody>",
                T(p, "Nom", "Name"), T(p, "Organisation", "Organisation"), "No");
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long id = sqlite3_column_int64(st, 0);
            fprintf(f, "<tr><td><a href=\"/events/%u/participants/%lld\">", event_id, id);
            esc(f, (const char *)sqlite3_column_text(st, 1));
            fputs("</a></td><td>", f);
            esc(f, (const char *)sqlite3_column_text(st, 2));
            fprintf(f, "</td><td class=\"num\">%lld</td></tr>", id);
            rows++;
        }
        sqlite3_finalize(st);
        fputs("</tbody></table>", f);
        if (!rows) {
            fprintf(f, "<p>%s</p>", T(p, "Personne ne correspond.", "Nobody matches."));
        }
    }
    foot(p);
    return send_page(p, 200);
}

static const char *outcome_text(const page *p, int outcome)
{
    switch (outcome) {
    case 0:
        return T(p, "entrée", "entry");
    case 1:
        return T(p, "sortie", "exit");
    case 2:
        return T(p, "sortie sans entrée", "exit without entry");
    case 17:
        return T(p, "entrée admise par le personnel", "entry admitted by staff");
    default:
        break;
    }
    /* Refused: why, as the kiosk said it (the desk's first question). */
    static const struct {
        int outcome;
        const char *fr, *en;
    } refused[] = {
        {3, "refusé" NBSP ": déjà dans la salle", "refused: already in"},
        {4, "refusé" NBSP ": déjà sorti", "refused: already out"},
        {5, "refusé" NBSP ": même badge scanné deux fois", "refused: same badge scanned twice"},
        {6, "refusé" NBSP ": pas inscrit à cette séance",
         "refused: not registered for this session"},
        {7, "refusé" NBSP ": badge d’un autre événement", "refused: badge of another event"},
        {8, "refusé" NBSP ": badge révoqué", "refused: badge revoked"},
        {9, "refusé" NBSP ": badge illisible ou falsifié", "refused: badge unreadable or forged"},
        {10, "refusé" NBSP ": code inconnu", "refused: unknown code"},
        {11, "refusé" NBSP ": badge expiré", "refused: badge expired"},
        {12, "refusé" NBSP ": séance pas encore ouverte", "refused: session not open yet"},
        {13, "refusé" NBSP ": séance terminée", "refused: session over"},
        {14, "refusé" NBSP ": inscription à vérifier", "refused: registration to check"},
        {15, "refusé" NBSP ": inscription annulée", "refused: registration cancelled"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (refused[i].outcome == outcome) {
            return T(p, refused[i].fr, refused[i].en);
        }
    }
    return T(p, "refusé", "refused");
}

/* ---- corrections at the desk (docs/console.md) ---- */

/* The participant's current badge code text: the one last issued, else her roster code; NULL
 * when she has none (freed by the caller). */
static char *current_code(page *p, uint32_t event_id, uint32_t pid)
{
    sqlite3_stmt *st;
    char *code = NULL;
    if (sqlite3_prepare_v2(borne_regdb_sqlite(p->db),
                           "SELECT coalesce(badge, code) FROM participant WHERE event_id = ?1"
                           " AND id = ?2 AND deleted = 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, pid);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            code = strdup((const char *)sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
    }
    return code;
}

/* The desk's forms under a participant's timeline: a manual entry or exit, the badge. */
static void desk_forms(page *p, const borne_event *ev, uint32_t pid)
{
    FILE *f = p->out;
    borne_session *sessions = NULL;
    size_t n = 0;
    if (borne_regdb_sessions(p->db, ev->id, &sessions, &n) || !n) {
        free(sessions);
        return;
    }
    char now[40];
    local_time(ev->timezone, p->now_ms / 1000, now, sizeof(now));
    now[10] = 'T';
    fprintf(f,
            "<h2>%s</h2><form method=\"post\" class=\"desk\" "
            "action=\"/events/%u/participants/%u/scan\"><input type=\"hidden\" name=\"csrf\" "
            "value=\"",
            T(p, "Saisie à l’accueil", "Desk entry"), ev->id, pid);
    esc(f, p->session.csrf);
    fprintf(f, "\"><label>%s <select name=\"session\">", T(p, "Séance", "Session"));
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<option value=\"%u\">", sessions[i].id);
        esc(f, sessions[i].code);
        fputs(" ", f);
        esc(f, sessions[i].title);
        fputs("</option>", f);
    }
    fprintf(f,
            "</select></label><label>%s <select name=\"direction\"><option value=\"entry\">%s"
            "</option><option value=\"exit\">%s</option></select></label>"
            "<label>%s <input type=\"datetime-local\" name=\"time\" required value=\"%s\">"
            "</label><input name=\"reason\" required maxlength=\"500\" aria-label=\"%s\" "
            "placeholder=\"%s\"><button type=\"submit\" class=\"manual\">%s</button></form>",
            T(p, "Passage", "Scan"), T(p, "entrée", "entry"), T(p, "sortie", "exit"),
            T(p, "Heure (fuseau de l’événement)", "Time (event's time zone)"), now,
            T(p, "Motif de la saisie", "Reason for the entry"),
            T(p, "Motif (badge oublié…)", "Reason (badge forgotten…)"),
            T(p, "Enregistrer le passage", "Record the scan"));
    free(sessions);
    fprintf(f, "<h2>%s</h2>", T(p, "Badge", "Badge"));
    if (p->cfg->attest_key) {
        fprintf(f,
                "<form method=\"post\" class=\"desk\" "
                "action=\"/events/%u/participants/%u/badge\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"",
                ev->id, pid);
        esc(f, p->session.csrf);
        fprintf(f,
                "\"><input name=\"reason\" required maxlength=\"500\" aria-label=\"%s\" "
                "placeholder=\"%s\"><button type=\"submit\" class=\"replace\">%s</button>"
                "</form>",
                T(p, "Motif du remplacement", "Reason for the replacement"),
                T(p, "Motif (badge perdu…)", "Reason (badge lost…)"),
                T(p, "Révoquer et remplacer le badge", "Revoke and replace the badge"));
    } else {
        fprintf(f, "<p>%s</p>",
                T(p,
                  "Remplacement de badge indisponible" NBSP ": le registre a été lancé sans clé "
                  "de signature (serve --attest-key).",
                  "Badge replacement unavailable: the registry was started without a signing "
                  "key (serve --attest-key)."));
    }
    char *code = current_code(p, ev->id, pid);
    if (code) {
        fprintf(f,
                "<p><a class=\"button\" href=\"/events/%u/participants/%u/badge.pdf\" "
                "download>%s</a></p>",
                ev->id, pid,
                T(p, "Imprimer un badge de remplacement (PDF)", "Print a replacement badge (PDF)"));
    }
    free(code);
}

borne_err borne_console_manual_scan(struct borne_regdb *rdb, uint32_t event_id, uint32_t pid,
                                    uint32_t session_id, bool exit, int64_t t, const char *by,
                                    const char *reason, int64_t now_ms,
                                    char uuid[BORNE_UUID_LEN + 1])
{
    sqlite3 *db = borne_regdb_sqlite(rdb);
    sqlite3_stmt *st;
    borne_err err;
    borne_uuid_new(uuid);
    err = sqlite3_prepare_v2(db,
                             "INSERT INTO checkin(uuid, kiosk, kiosk_name, event_id,"
                             " participant_id, session_id, direction, method, staff_id, outcome,"
                             " code_hash, wall_ms, wall_recorded_ms, mono_ms, boot_id,"
                             " clock_trusted, received_ms) VALUES (?1, 0, 'console', ?2, ?3, ?4,"
                             " ?5, 2, ?6, ?5, NULL, ?7, ?7, 0, 'console', 1, ?8)",
                             -1, &st, NULL) == SQLITE_OK
              ? BORNE_OK
              : BORNE_ERR_DB;
    if (!err) {
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, event_id);
        sqlite3_bind_int64(st, 3, pid);
        sqlite3_bind_int64(st, 4, session_id);
        sqlite3_bind_int(st, 5, exit ? 1 : 0); /* direction, and outcome accepted entry/exit */
        sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, t * 1000);
        sqlite3_bind_int64(st, 8, now_ms);
        err = sqlite3_step(st) == SQLITE_DONE ? BORNE_OK : BORNE_ERR_DB;
        sqlite3_finalize(st);
    }
    if (!err) {
        err = sqlite3_prepare_v2(db,
                                 "INSERT INTO console_manual(uuid, by, reason, at_ms)"
                                 " VALUES (?1, ?2, ?3, ?4)",
                                 -1, &st, NULL) == SQLITE_OK
                  ? BORNE_OK
                  : BORNE_ERR_DB;
    }
    if (!err) {
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now_ms);
        err = sqlite3_step(st) == SQLITE_DONE ? BORNE_OK : BORNE_ERR_DB;
        sqlite3_finalize(st);
    }
    return err;
}

static enum MHD_Result bad_scan(page *p, const char *why)
{
    return message_page(p, 400, T(p, "Passage refusé", "Scan refused"), why);
}

/* POST /events/N/participants/P/scan: session, direction=entry|exit, time, reason. A check-in
 * of the registry's own (kiosk 0 "console", method manual, staff id the account, its own
 * UUID: no kiosk ever sends it) that the credits count, with who and why in console_manual. */
static enum MHD_Result desk_scan(page *p, uint32_t event_id, uint32_t pid)
{
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    char session[16] = "", direction[8] = "", when[40] = "", reason[600] = "";
    (void)borne_console_form(p->body, p->len, "session", session, sizeof(session));
    (void)borne_console_form(p->body, p->len, "direction", direction, sizeof(direction));
    (void)borne_console_form(p->body, p->len, "time", when, sizeof(when));
    (void)borne_console_form(p->body, p->len, "reason", reason, sizeof(reason));
    bool exit = strcmp(direction, "exit") == 0;
    if (!exit && strcmp(direction, "entry") != 0) {
        return bad_scan(
            p, T(p, "Passage inconnu" NBSP ": entrée ou sortie.", "Unknown scan: entry or exit."));
    }
    if (!reason[strspn(reason, " \t\r\n")] || strlen(reason) > 500) {
        return bad_scan(p, T(p, "Un motif est requis (500 caractères au plus).",
                             "A reason is required (500 characters at most)."));
    }
    int64_t t;
    if (borne_time_parse(when, ev.timezone, &t)) {
        return bad_scan(p, T(p,
                             "Heure illisible" NBSP ": par exemple 2026-05-20T09:05 (fuseau de "
                             "l’événement).",
                             "Unreadable time: such as 2026-05-20T09:05 (the event's time "
                             "zone)."));
    }
    if (t > p->now_ms / 1000) {
        return bad_scan(p, T(p, "Cette heure est dans le futur.", "This time is in the future."));
    }
    if (t < ev.starts || t >= ev.ends) {
        return bad_scan(p, T(p, "Cette heure est hors des jours de l’événement.",
                             "This time is outside the event's days."));
    }
    char *end;
    unsigned long sid = strtoul(session, &end, 10);
    sqlite3 *db = borne_regdb_sqlite(p->db);
    borne_err err = borne_regdb_begin(p->db);
    if (err) {
        return message_page(p, 503, T(p, "Registre indisponible", "Registry unavailable"),
                            borne_strerror(err));
    }
    sqlite3_stmt *st;
    int found = 0;
    /* The session is the event's, the participant too; for an exit, an entry before it. */
    if (sqlite3_prepare_v2(
            db,
            "SELECT (SELECT count(*) FROM session WHERE id = ?2 AND event_id = ?1 AND deleted = 0)"
            " + 2 * (SELECT count(*) FROM participant WHERE event_id = ?1 AND id = ?3"
            "  AND deleted = 0)"
            " + 4 * EXISTS (SELECT 1 FROM checkin WHERE event_id = ?1 AND participant_id = ?3"
            "  AND session_id = ?2 AND direction = 0 AND outcome IN (0, 17) AND wall_ms < ?4)",
            -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, event_id);
        sqlite3_bind_int64(st, 2, *end || !session[0] ? 0 : (sqlite3_int64)sid);
        sqlite3_bind_int64(st, 3, pid);
        sqlite3_bind_int64(st, 4, t * 1000);
        if (sqlite3_step(st) == SQLITE_ROW) {
            found = sqlite3_column_int(st, 0);
        }
        sqlite3_finalize(st);
    }
    const char *why = NULL;
    if (!(found & 2)) {
        borne_regdb_rollback(p->db);
        return not_found(p);
    }
    if (!(found & 1)) {
        why = T(p, "Séance inconnue pour cet événement.", "No such session in this event.");
    } else if (exit && !(found & 4)) {
        why = T(p, "Une sortie doit suivre une entrée dans la même séance.",
                "An exit must come after an entry in the same session.");
    }
    if (why) {
        borne_regdb_rollback(p->db);
        return bad_scan(p, why);
    }
    char uuid[BORNE_UUID_LEN + 1];
    err = borne_console_manual_scan(p->db, event_id, pid, (uint32_t)sid, exit, t,
                                    p->session.user.name, reason, p->now_ms, uuid);
    err = err ? err : borne_regdb_commit(p->db);
    if (err) {
        borne_regdb_rollback(p->db);
        return message_page(p, 500, T(p, "Registre indisponible", "Registry unavailable"),
                            borne_strerror(err));
    }
    char target[64], iso[40];
    snprintf(target, sizeof(target), "event %u participant %u", event_id, pid);
    borne_time_format_utc(t, iso, sizeof(iso));
    json_t *after =
        json_pack("{s:s, s:I, s:s, s:s, s:s}", "uuid", uuid, "session_id", (json_int_t)sid,
                  "direction", exit ? "exit" : "entry", "time", iso, "reason", reason);
    char *text = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(after);
    (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, "desk.scan", target, NULL,
                              text);
    free(text);
    char location[80];
    snprintf(location, sizeof(location), "/events/%u/participants/%u", event_id, pid);
    return redirect(p, location, NULL, NULL);
}

/* POST /events/N/participants/P/badge: reason. Revokes her current code and issues a new
 * signed one with the registry's key (borne_regdb_replace_badge); kiosks pull both. */
static enum MHD_Result desk_badge(page *p, uint32_t event_id, uint32_t pid)
{
    char reason[600] = "";
    (void)borne_console_form(p->body, p->len, "reason", reason, sizeof(reason));
    if (!reason[strspn(reason, " \t\r\n")] || strlen(reason) > 500) {
        return message_page(p, 400, T(p, "Remplacement refusé", "Replacement refused"),
                            T(p, "Un motif est requis (500 caractères au plus).",
                              "A reason is required (500 characters at most)."));
    }
    if (!p->cfg->attest_key) {
        return message_page(p, 503, T(p, "Remplacement indisponible", "Replacement unavailable"),
                            T(p,
                              "Le registre a été lancé sans clé de signature" NBSP ": "
                              "relancez «" NBSP "serve" NBSP "» avec --attest-key.",
                              "The registry was started without a signing key: run “serve” "
                              "again with --attest-key."));
    }
    borne_keyfile kf;
    borne_err err = borne_keyfile_read(p->cfg->attest_key, &kf);
    char code[BORNE_TOKEN_TEXT_LEN + 1];
    int revoked = 0;
    if (!err) {
        err = borne_regdb_replace_badge(p->db, event_id, pid, kf.key_id, kf.secret,
                                        p->now_ms / 1000, code, sizeof(code), &revoked);
        sodium_memzero(&kf, sizeof(kf));
    }
    if (err == BORNE_ERR_NOT_FOUND) {
        return not_found(p);
    }
    if (err) {
        return message_page(p, 500, T(p, "Remplacement impossible", "Replacement failed"),
                            borne_strerror(err));
    }
    /* The audit log keeps fingerprints' starts, never codes. */
    uint8_t hash[BORNE_CODE_HASH_LEN];
    char hex[2 * BORNE_CODE_HASH_LEN + 1];
    borne_store_code_hash((const uint8_t *)code, strlen(code), hash);
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    hex[16] = '\0';
    sodium_memzero(code, sizeof(code));
    json_t *before = json_pack("{s:i}", "codes_revoked", revoked);
    json_t *after = json_pack("{s:s, s:s}", "code_sha256", hex, "reason", reason);
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(before);
    json_decref(after);
    char target[48];
    snprintf(target, sizeof(target), "event %u participant %u", event_id, pid);
    (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, "desk.badge.replace", target,
                              b, a);
    free(b);
    free(a);
    char location[80];
    snprintf(location, sizeof(location), "/events/%u/participants/%u", event_id, pid);
    return redirect(p, location, NULL, NULL);
}

/* GET /events/N/participants/P/badge.pdf: her badge with her current code, one on a sheet. */
static enum MHD_Result badge_download(page *p, uint32_t event_id, uint32_t pid)
{
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(borne_regdb_sqlite(p->db),
                           "SELECT name, organisation FROM participant WHERE event_id = ?1"
                           " AND id = ?2 AND deleted = 0",
                           -1, &st, NULL) != SQLITE_OK) {
        return MHD_NO;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, pid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return not_found(p);
    }
    char *code = current_code(p, event_id, pid);
    if (!code) {
        sqlite3_finalize(st);
        return message_page(p, 404, T(p, "Aucun code", "No code"),
                            T(p, "Ce participant n’a pas de code de badge.",
                              "This participant has no badge code."));
    }
    char ref[32];
    snprintf(ref, sizeof(ref), "%u", pid);
    struct borne_badge_info b = {.display_name = (const char *)sqlite3_column_text(st, 0),
                                 .organisation = (const char *)sqlite3_column_text(st, 1),
                                 .event_name = ev.name,
                                 .token = code,
                                 .participant_ref = ref};
    unsigned char *pdf = NULL;
    size_t len = 0;
    borne_err err = borne_badge_pdf(&b, 1, BORNE_PAPER_LETTER, &pdf, &len);
    sqlite3_finalize(st);
    sodium_memzero(code, strlen(code));
    free(code);
    if (err) {
        return message_page(p, 500, T(p, "Badge impossible", "Badge failed"), borne_strerror(err));
    }
    char target[48];
    snprintf(target, sizeof(target), "event %u participant %u", event_id, pid);
    audit_download(p, "desk.badge.print", target, NULL);
    char disp[96];
    snprintf(disp, sizeof(disp), "attachment; filename=\"badge-%u-%u.pdf\"", event_id, pid);
    return send_bytes(p, 200, pdf, len, "application/pdf", disp, false);
}

static enum MHD_Result participant_page(page *p, uint32_t event_id, uint32_t pid)
{
    borne_event ev;
    if (borne_regdb_get_event(p->db, event_id, &ev)) {
        return not_found(p);
    }
    sqlite3 *db = borne_regdb_sqlite(p->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, organisation, member FROM participant WHERE event_id = ?1"
                           " AND id = ?2 AND deleted = 0",
                           -1, &st, NULL) != SQLITE_OK) {
        return MHD_NO;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, pid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return not_found(p);
    }
    open_page(p);
    if (!p->out) {
        sqlite3_finalize(st);
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, (const char *)sqlite3_column_text(st, 0));
    fputs("<h1>", f);
    esc(f, (const char *)sqlite3_column_text(st, 0));
    fputs("</h1><p class=\"sub\">", f);
    esc(f, (const char *)sqlite3_column_text(st, 1));
    fprintf(f, " · %s · %s%u</p>",
            sqlite3_column_int(st, 2) ? T(p, "membre", "member") : T(p, "non-membre", "non-member"),
            T(p, "n°" NBSP, "no. "), pid);
    sqlite3_finalize(st);
    fprintf(f,
            "<nav class=\"actions\"><a class=\"button\" href=\"/events/%u/attestations/%u.pdf\" "
            "download>%s</a><a href=\"/events/%u\">%s</a></nav>",
            event_id, pid, T(p, "Attestation de présence (PDF)", "Attendance attestation (PDF)"),
            event_id, T(p, "Retour à l’événement", "Back to the event"));
    /* Her hours so far, and her open cases in the review queue (a link to them). */
    borne_credits_table t;
    if (borne_credits_load_participant(p->db, event_id, pid, p->now_ms / 1000, &t) == BORNE_OK) {
        char hours[32];
        borne_hours_format(t.credit_minutes, p->en ? '.' : ',', hours, sizeof(hours));
        fprintf(f, "<p id=\"participant-credit\">%s" NBSP ": <strong>%s" NBSP "h</strong>",
                T(p, "Heures créditées", "Hours credited"), hours);
        if (t.ntotals && t.totals[0].pending) {
            fprintf(f,
                    " <a class=\"warn to-review\" href=\"/events/%u/review?participant=%u\">%d "
                    "%s</a>",
                    event_id, pid, (int)t.totals[0].pending,
                    t.totals[0].pending == 1 ? T(p, "cas à réviser", "case to review")
                                             : T(p, "cas à réviser", "cases to review"));
        }
        fputs("</p>", f);
        borne_credits_table_free(&t);
    }
    fprintf(f, "<h2>%s</h2>", T(p, "Passages", "Timeline"));
    if (sqlite3_prepare_v2(db,
                           "SELECT c.wall_ms, c.outcome, c.kiosk_name, c.clock_trusted,"
                           " s.code, s.title, m.by, m.reason FROM checkin c LEFT JOIN session s"
                           " ON s.id = c.session_id LEFT JOIN console_manual m ON m.uuid ="
                           " c.uuid WHERE c.event_id = ?1 AND c.participant_id = ?2"
                           " ORDER BY s.starts, s.id, c.wall_ms",
                           -1, &st, NULL) != SQLITE_OK) {
        fclose(p->out);
        free(p->buf);
        p->out = NULL;
        return MHD_NO;
    }
    sqlite3_bind_int64(st, 1, event_id);
    sqlite3_bind_int64(st, 2, pid);
    fprintf(f,
            "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
            "</tr></thead><tbody>",
            T(p, "Séance", "Session"), T(p, "Heure", "Time"), T(p, "Passage", "Scan"),
            T(p, "Borne", "Kiosk"));
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char when[40];
        local_time(ev.timezone, sqlite3_column_int64(st, 0) / 1000, when, sizeof(when));
        fputs("<tr><td>", f);
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            fputs("<span class=\"code\">", f);
            esc(f, (const char *)sqlite3_column_text(st, 4));
            fputs("</span> ", f);
            esc(f, (const char *)sqlite3_column_text(st, 5));
        } else {
            fputs("—", f);
        }
        fprintf(f, "</td><td class=\"time\">%s%s</td><td>", when,
                sqlite3_column_int(st, 3) ? ""
                                          : T(p, " <span class=\"warn\">horloge non fiable</span>",
                                              " <span class=\"warn\">clock untrusted</span>"));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
            /* « entrée saisie par Nadia à la console : badge oublié » */
            fprintf(f, "<span class=\"manual\">%s ",
                    sqlite3_column_int(st, 1) == 0 ? T(p, "entrée saisie par", "entry entered by")
                                                   : T(p, "sortie saisie par", "exit entered by"));
            esc(f, (const char *)sqlite3_column_text(st, 6));
            fputs(T(p, " à la console" NBSP ": ", " at the console: "), f);
            esc(f, (const char *)sqlite3_column_text(st, 7));
            fputs("</span>", f);
        } else {
            fputs(outcome_text(p, sqlite3_column_int(st, 1)), f);
        }
        fputs("</td><td>", f);
        esc(f, (const char *)sqlite3_column_text(st, 2));
        fputs("</td></tr>", f);
        rows++;
    }
    sqlite3_finalize(st);
    fputs("</tbody></table>", f);
    if (!rows) {
        fprintf(f, "<p>%s</p>", T(p, "Aucun passage.", "No scan."));
    }
    desk_forms(p, &ev, pid);
    foot(p);
    return send_page(p, 200);
}

/* ---- the review queue ---- */

static const char *decision_text(const page *p, borne_review_decision d)
{
    switch (d) {
    case BORNE_REVIEW_ACCEPT:
        return T(p, "acceptée", "accepted");
    case BORNE_REVIEW_REJECT:
        return T(p, "refusée", "rejected");
    case BORNE_REVIEW_EDIT:
        return T(p, "corrigée", "edited");
    case BORNE_REVIEW_NONE:
        break;
    }
    return "";
}

/* A UTC ISO time from the timeline ("2026-05-20T13:00:00Z") in the event's zone. */
static void timeline_time(const char *tz, const char *iso, char *out, size_t cap)
{
    int64_t t;
    if (iso && borne_time_parse(iso, "UTC", &t) == BORNE_OK) {
        local_time(tz, t, out, cap);
    } else {
        snprintf(out, cap, "—");
    }
}

static void review_hidden(page *p, const borne_credit_row *r, const char *decision)
{
    fputs("<input type=\"hidden\" name=\"csrf\" value=\"", p->out);
    esc(p->out, p->session.csrf);
    fprintf(p->out,
            "\"><input type=\"hidden\" name=\"case\" value=\"%u-%u\">"
            "<input type=\"hidden\" name=\"decision\" value=\"%s\">",
            (unsigned)r->session->id, (unsigned)r->participant_id, decision);
}

/* A kind of case in words: the French label, or English words (not the machine name). */
static const char *anomaly_label(const page *p, int k)
{
    static const char *const en[BORNE_ANOMALY_KINDS] = {
        "exit not scanned", "exit without entry",   "overlapping sessions",
        "clock untrusted",  "walk-in registration", "scan outside opening hours"};
    return p->en ? (k >= 0 && k < BORNE_ANOMALY_KINDS ? en[k] : "") : borne_anomaly_label_fr(k);
}

/* The case's kinds in words, joined by ", ". */
static void anomaly_words(const page *p, uint32_t anomalies, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int k = 0; k < BORNE_ANOMALY_KINDS && len < cap; k++) {
        if (anomalies & (1u << k)) {
            int w = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", anomaly_label(p, k));
            len = w < 0 ? cap : len + (size_t)w;
        }
    }
}

/* One case: who, which session, why, the credit, the decision, the timeline, the actions.
 * `filter`: the queue's filter ("" or "?kind=...&session=..."), kept by the forms' action so that
 * the decision lands back on the filtered queue. */
static borne_err review_case(page *p, const borne_credits_table *t, const borne_credit_row *r,
                             const char *filter)
{
    FILE *f = p->out;
    char words[256], hours[32], from[40], to[40];
    anomaly_words(p, r->credit.anomalies, words, sizeof(words));
    borne_hours_format(r->credit.credit_minutes, p->en ? '.' : ',', hours, sizeof(hours));
    fprintf(f,
            "<section class=\"case\" id=\"case-%u-%u\"><h2><a href=\"/events/%u/participants/%u\">",
            (unsigned)r->session->id, (unsigned)r->participant_id, t->event.id,
            (unsigned)r->participant_id);
    esc(f, r->name);
    fputs("</a> · <span class=\"code\">", f);
    esc(f, r->session->code);
    fputs("</span> ", f);
    esc(f, r->session->title);
    local_time(t->event.timezone, r->session->starts, from, sizeof(from));
    local_time(t->event.timezone, r->session->ends, to, sizeof(to));
    fprintf(f, " <small class=\"time\">%s–%s</small></h2><p>", from, to + 11);
    if (words[0]) {
        fputs("<span class=\"warn anomalies\">", f);
        esc(f, words);
        fputs("</span> ", f);
    }
    fprintf(f, "%s" NBSP ": %lld" NBSP "min · %s" NBSP ": %s" NBSP "h · ",
            T(p, "Présence", "Attended"), (long long)(r->credit.attended_s / 60),
            T(p, "Crédit", "Credit"), hours);
    if (r->decision != BORNE_REVIEW_NONE) {
        fprintf(f, "<strong class=\"decided\">%s</strong> %s ", decision_text(p, r->decision),
                T(p, "par", "by"));
        esc(f, r->decided_by);
        if (r->decision == BORNE_REVIEW_EDIT) {
            local_time(t->event.timezone, r->edit_entry, from, sizeof(from));
            local_time(t->event.timezone, r->edit_exit, to, sizeof(to));
            /* The same day once: (2026-05-20 09:05–10:20). */
            fprintf(f, " (%s–%s)", from, strncmp(from, to, 11) == 0 ? to + 11 : to);
        }
        if (r->reason && r->reason[0]) {
            fputs(T(p, " — motif" NBSP ": ", " — reason: "), f);
            esc(f, r->reason);
        }
    } else {
        fprintf(f, "<strong class=\"pending\">%s</strong>",
                r->credit.withheld ? T(p, "en attente (aucun crédit avant décision)",
                                       "pending (no credit until decided)")
                                   : T(p, "à vérifier", "to check"));
    }
    fputs("</p>", f);
    json_t *timeline = NULL;
    borne_err err = borne_review_timeline(p->db, t->event.id, r->participant_id, &timeline);
    if (err) {
        return err;
    }
    fprintf(f,
            "<table class=\"list timeline\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th></tr></thead><tbody>",
            T(p, "Heure", "Time"), T(p, "Séance", "Session"), T(p, "Passage", "Scan"),
            T(p, "Résultat", "Outcome"), T(p, "Borne", "Kiosk"));
    size_t i;
    json_t *e;
    json_array_foreach(timeline, i, e)
    {
        char when[40];
        timeline_time(t->event.timezone, json_string_value(json_object_get(e, "time")), when,
                      sizeof(when));
        fprintf(f, "<tr><td class=\"time\">%s%s%s</td><td class=\"code\">", when,
                json_is_true(json_object_get(e, "clock_trusted"))
                    ? ""
                    : T(p, " <span class=\"warn\">horloge non fiable</span>",
                        " <span class=\"warn\">clock untrusted</span>"),
                json_is_true(json_object_get(e, "corrected"))
                    ? T(p, " <span class=\"warn\">heure corrigée</span>",
                        " <span class=\"warn\">time corrected</span>")
                    : "");
        esc(f, json_string_value(json_object_get(e, "session_code")));
        const char *dir = json_string_value(json_object_get(e, "direction"));
        fprintf(f, "</td><td>%s</td><td>",
                dir && strcmp(dir, "entry") == 0 ? T(p, "entrée", "entry")
                                                 : T(p, "sortie", "exit"));
        esc(f, outcome_words(p, json_string_value(json_object_get(e, "outcome"))));
        fputs("</td><td>", f);
        esc(f, json_string_value(json_object_get(e, "kiosk")));
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table>", f);
    json_decref(timeline);
    if (p->session.user.role == BORNE_ROLE_REGISTRAR) {
        fprintf(f, "<div class=\"decide\"><form method=\"post\" action=\"/events/%u/review%s\">",
                t->event.id, filter);
        review_hidden(p, r, "accept");
        fprintf(f, "<button type=\"submit\" class=\"accept\">%s</button></form>",
                T(p, "Accepter", "Accept"));
        fprintf(f, "<form method=\"post\" action=\"/events/%u/review%s\">", t->event.id, filter);
        review_hidden(p, r, "reject");
        fprintf(f,
                "<input name=\"reason\" required maxlength=\"500\" aria-label=\"%s\" "
                "placeholder=\"%s\"><button type=\"submit\" class=\"reject\">%s</button></form>",
                T(p, "Motif du refus", "Reason for rejecting"),
                T(p, "Motif du refus", "Reason for rejecting"), T(p, "Refuser", "Reject"));
        fprintf(f, "<form method=\"post\" action=\"/events/%u/review%s\">", t->event.id, filter);
        review_hidden(p, r, "edit");
        /* The times proposed: the registrar's edit standing, else the scans', else the
         * session's. */
        bool edited = r->decision == BORNE_REVIEW_EDIT;
        local_time(t->event.timezone,
                   edited                  ? r->edit_entry
                   : r->credit.first_entry ? r->credit.first_entry
                                           : r->session->starts,
                   from, sizeof(from));
        local_time(t->event.timezone,
                   edited                ? r->edit_exit
                   : r->credit.last_exit ? r->credit.last_exit
                                         : r->session->ends,
                   to, sizeof(to));
        from[10] = 'T';
        to[10] = 'T';
        fprintf(f,
                "<label>%s <input type=\"datetime-local\" name=\"entry\" required value=\"%s\">"
                "</label><label>%s <input type=\"datetime-local\" name=\"exit\" required "
                "value=\"%s\"></label><input name=\"reason\" required maxlength=\"500\" "
                "aria-label=\"%s\" placeholder=\"%s\"><button type=\"submit\" class=\"edit\">%s"
                "</button></form></div>",
                T(p, "Entrée", "Entry"), from, T(p, "Sortie", "Exit"), to,
                T(p, "Motif de la correction", "Reason for the edit"),
                T(p, "Motif de la correction", "Reason for the edit"),
                T(p, "Corriger les heures", "Edit the times"));
    }
    fputs("</section>", f);
    return BORNE_OK;
}

/* The review queue is shown REVIEW_PAGE cases at a time: a big event has thousands, each with
 * its timeline and forms. */
#define REVIEW_PAGE 50

/* What the queue shows: the cases of one kind of anomaly and/or one session, or all. */
typedef struct review_filter {
    int kind;                /* anomaly bit index, -1: any */
    uint32_t session_id;     /* 0: any */
    uint32_t participant_id; /* 0: any */
} review_filter;

static bool review_match(const borne_credit_row *r, const review_filter *flt)
{
    return borne_credit_row_in_review(r) &&
           (flt->kind < 0 || (r->credit.anomalies & (1u << flt->kind))) &&
           (!flt->session_id || r->session->id == flt->session_id) &&
           (!flt->participant_id || r->participant_id == flt->participant_id);
}

/* The cases of the queue in their order, open ones first (then decided), each in the table's
 * order (participant name, session start): indexes into t->rows (caller frees *out). */
static borne_err review_list(const borne_credits_table *t, const review_filter *flt, size_t **out,
                             size_t *n)
{
    *n = 0;
    *out = malloc((t->count + 1) * sizeof(**out));
    if (!*out) {
        return BORNE_ERR_NOMEM;
    }
    for (int decided = 0; decided < 2; decided++) {
        for (size_t i = 0; i < t->count; i++) {
            if (review_match(&t->rows[i], flt) &&
                (t->rows[i].decision != BORNE_REVIEW_NONE) == (decided != 0)) {
                (*out)[(*n)++] = i;
            }
        }
    }
    return BORNE_OK;
}

/* The filter and page as a query string: "" or "?kind=clock&session=101&page=2" (checked values
 * only, nothing to escape), its parameters joined by `amp` ("&amp;" in HTML, "&" in a header). */
static void review_query(const review_filter *flt, long page_no, const char *amp, char *out,
                         size_t cap)
{
    int len = 0;
    out[0] = '\0';
    if (flt->kind >= 0) {
        len += snprintf(out + len, cap - (size_t)len, "%skind=%s", len ? amp : "?",
                        borne_anomaly_name(flt->kind));
    }
    if (flt->session_id) {
        len += snprintf(out + len, cap - (size_t)len, "%ssession=%u", len ? amp : "?",
                        (unsigned)flt->session_id);
    }
    if (flt->participant_id) {
        len += snprintf(out + len, cap - (size_t)len, "%sparticipant=%u", len ? amp : "?",
                        (unsigned)flt->participant_id);
    }
    if (page_no > 1) {
        snprintf(out + len, cap - (size_t)len, "%spage=%ld", len ? amp : "?", page_no);
    }
}

/* A whole number from 1 to UINT32_MAX written in digits, else 0. */
static uint32_t id_arg(const char *text)
{
    bool digits = strlen(text) <= 10 && strspn(text, "0123456789") == strlen(text);
    unsigned long long id = digits ? strtoull(text, NULL, 10) : 0;
    return id <= UINT32_MAX ? (uint32_t)id : 0;
}

/* Reads ?kind=, ?session= and ?participant= (absent or empty: any). false: a value the event
 * does not know. */
static bool review_filter_read(page *p, const borne_credits_table *t, review_filter *flt,
                               const char **why)
{
    flt->kind = -1;
    flt->session_id = 0;
    flt->participant_id = 0;
    const char *kind = arg(p, "kind"), *session = arg(p, "session"),
               *participant = arg(p, "participant");
    if (kind && kind[0]) {
        for (int i = 0; i < BORNE_ANOMALY_KINDS; i++) {
            if (strcmp(kind, borne_anomaly_name(i)) == 0) {
                flt->kind = i;
            }
        }
        if (flt->kind < 0) {
            *why = T(p, "Type de cas inconnu.", "Unknown kind of case.");
            return false;
        }
    }
    if (session && session[0]) {
        uint32_t id = id_arg(session);
        for (size_t i = 0; id && i < t->nsessions; i++) {
            if (t->sessions[i].id == id) {
                flt->session_id = id;
            }
        }
        if (!flt->session_id) {
            *why = T(p, "Séance inconnue pour cet événement.", "No such session in this event.");
            return false;
        }
    }
    if (participant && participant[0]) {
        uint32_t id = id_arg(participant);
        for (size_t i = 0; id && i < t->ntotals; i++) {
            if (t->totals[i].participant_id == id) {
                flt->participant_id = id;
            }
        }
        if (!flt->participant_id) {
            *why = T(p, "Participant inconnu pour cet événement.",
                     "No such participant in this event.");
            return false;
        }
    }
    return true;
}

/* Reads ?page= (absent or empty: 1), clamped to [1, pages]. false: not a whole number. */
static bool review_page_read(page *p, long pages, long *page_no)
{
    const char *text = arg(p, "page");
    *page_no = 1;
    if (!text || !text[0]) {
        return true;
    }
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!digits[0] || strspn(digits, "0123456789") != strlen(digits)) {
        return false;
    }
    /* Beyond the last page (however many digits): the last. Zero or negative: the first. */
    if (text[0] != '-' && (strlen(digits) > 9 || atol(digits) > pages)) {
        *page_no = pages;
    } else if (text[0] != '-' && atol(digits) > 1) {
        *page_no = atol(digits);
    }
    return true;
}

/* « Précédent » · page X sur Y · « Suivant ». */
static void review_pager(page *p, uint32_t event_id, const review_filter *flt, long page_no,
                         long pages)
{
    FILE *f = p->out;
    char q[128];
    fputs("<nav class=\"pager\">", f);
    if (page_no > 1) {
        review_query(flt, page_no - 1, "&amp;", q, sizeof(q));
        fprintf(f, "<a rel=\"prev\" href=\"/events/%u/review%s\">%s</a>", event_id, q,
                T(p, "«" NBSP "Précédent", "« Previous"));
    }
    fprintf(f, "<span>%s %ld %s %ld</span>", T(p, "Page", "Page"), page_no, T(p, "sur", "of"),
            pages);
    if (page_no < pages) {
        review_query(flt, page_no + 1, "&amp;", q, sizeof(q));
        fprintf(f, "<a rel=\"next\" href=\"/events/%u/review%s\">%s</a>", event_id, q,
                T(p, "Suivant" NBSP "»", "Next »"));
    }
    fputs("</nav>", f);
}

/* The counts per kind of anomaly (open, decided), each a link to its cases; the filter form. */
static void review_summary(page *p, const borne_credits_table *t, const review_filter *flt)
{
    FILE *f = p->out;
    size_t open[BORNE_ANOMALY_KINDS] = {0}, decided[BORNE_ANOMALY_KINDS] = {0};
    for (size_t i = 0; i < t->count; i++) {
        const borne_credit_row *r = &t->rows[i];
        for (int k = 0; borne_credit_row_in_review(r) && k < BORNE_ANOMALY_KINDS; k++) {
            if (r->credit.anomalies & (1u << k)) {
                (r->decision == BORNE_REVIEW_NONE ? open : decided)[k]++;
            }
        }
    }
    fprintf(f,
            "<table class=\"list\" id=\"review-kinds\"><thead><tr><th>%s</th>"
            "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
            T(p, "Type de cas", "Kind of case"), T(p, "À décider", "Open"),
            T(p, "Décidés", "Decided"));
    for (int k = 0; k < BORNE_ANOMALY_KINDS; k++) {
        if (!open[k] && !decided[k]) {
            continue;
        }
        fprintf(f,
                "<tr id=\"kind-%s\"><td><a href=\"/events/%u/review?kind=%s\">%s</a></td>"
                "<td class=\"num open\">%zu</td><td class=\"num decided\">%zu</td></tr>",
                borne_anomaly_name(k), t->event.id, borne_anomaly_name(k), anomaly_label(p, k),
                open[k], decided[k]);
    }
    fprintf(f,
            "</tbody></table><form method=\"get\" action=\"/events/%u/review\" "
            "class=\"filter\"><label>%s <select name=\"kind\"><option value=\"\">%s</option>",
            t->event.id, T(p, "Type" NBSP ":", "Kind:"), T(p, "tous", "all"));
    for (int k = 0; k < BORNE_ANOMALY_KINDS; k++) {
        fprintf(f, "<option value=\"%s\"%s>%s</option>", borne_anomaly_name(k),
                flt->kind == k ? " selected" : "", anomaly_label(p, k));
    }
    fprintf(f, "</select></label><label>%s <select name=\"session\"><option value=\"\">%s</option>",
            T(p, "Séance" NBSP ":", "Session:"), T(p, "toutes", "all"));
    for (size_t i = 0; i < t->nsessions; i++) {
        fprintf(f, "<option value=\"%u\"%s>", (unsigned)t->sessions[i].id,
                flt->session_id == t->sessions[i].id ? " selected" : "");
        esc(f, t->sessions[i].code);
        fputs(" — ", f);
        esc(f, t->sessions[i].title);
        fputs("</option>", f);
    }
    fputs("</select></label>", f);
    if (flt->participant_id) {
        fprintf(f, "<input type=\"hidden\" name=\"participant\" value=\"%u\">",
                (unsigned)flt->participant_id);
    }
    fprintf(f, "<button type=\"submit\">%s</button></form>", T(p, "Filtrer", "Filter"));
}

/* GET /events/N/review[?kind=K][&session=S][&page=P]: REVIEW_PAGE cases a page, open first. */
static enum MHD_Result review_page(page *p, uint32_t event_id)
{
    borne_credits_table t;
    borne_err err = borne_credits_load(p->db, event_id, p->now_ms / 1000, &t);
    if (err) {
        return load_failed(p, err);
    }
    review_filter flt;
    const char *why = "";
    if (!review_filter_read(p, &t, &flt, &why)) {
        borne_credits_table_free(&t);
        return message_page(p, 400, T(p, "Filtre refusé", "Filter refused"), why);
    }
    size_t *cases = NULL, ncases = 0;
    if (review_list(&t, &flt, &cases, &ncases)) {
        borne_credits_table_free(&t);
        return MHD_NO;
    }
    long pages = ncases ? (long)((ncases + REVIEW_PAGE - 1) / REVIEW_PAGE) : 1, page_no;
    if (!review_page_read(p, pages, &page_no)) {
        free(cases);
        borne_credits_table_free(&t);
        return message_page(p, 400, T(p, "Page refusée", "Page refused"),
                            T(p, "Le numéro de page est un nombre entier, par exemple 2.",
                              "The page number is a whole number, such as 2."));
    }
    open_page(p);
    if (!p->out) {
        free(cases);
        borne_credits_table_free(&t);
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, T(p, "File de révision", "Review queue"));
    fputs("<h1>", f);
    esc(f, t.event.name);
    size_t listed = 0, pending = 0;
    for (size_t i = 0; i < t.count; i++) {
        if (borne_credit_row_in_review(&t.rows[i])) {
            listed++;
            pending += t.rows[i].decision == BORNE_REVIEW_NONE;
        }
    }
    fprintf(
        f,
        "</h1><nav class=\"actions\"><a href=\"/events/%u\">%s</a></nav><p class=\"sub\">%s" NBSP
        ": %zu · %s" NBSP ": %zu · %s" NBSP ": %s</p>",
        event_id, T(p, "Retour à l’événement", "Back to the event"), T(p, "Cas", "Cases"), listed,
        T(p, "à décider", "to decide"), pending, T(p, "sortie non scannée", "exit not scanned"),
        policy_words(p, t.policy));
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        fprintf(f, "<p>%s</p>",
                T(p, "Lecture seule" NBSP ": seul un registraire peut décider.",
                  "Read only: only a registrar may decide."));
    }
    if (flt.participant_id) {
        /* One participant's cases (from the credits page): whose, and the way to all. */
        for (size_t i = 0; i < t.ntotals; i++) {
            if (t.totals[i].participant_id == flt.participant_id) {
                fprintf(f, "<p id=\"review-who\">%s <a href=\"/events/%u/participants/%u\">",
                        T(p, "Cas de", "Cases of"), event_id, (unsigned)flt.participant_id);
                esc(f, t.rows[t.totals[i].first_row].name);
                fprintf(f, "</a> · <a href=\"/events/%u/review\">%s</a></p>", event_id,
                        T(p, "tous les cas", "all cases"));
            }
        }
    }
    if (listed) {
        review_summary(p, &t, &flt);
    }
    char filter[128];
    review_query(&flt, 1, "&amp;", filter, sizeof(filter));
    if (ncases) {
        fprintf(f, "<p class=\"sub\" id=\"review-shown\">%s %zu–%zu %s %zu</p>",
                T(p, "Cas", "Cases"), (size_t)(page_no - 1) * REVIEW_PAGE + 1,
                (size_t)page_no * REVIEW_PAGE < ncases ? (size_t)page_no * REVIEW_PAGE : ncases,
                T(p, "sur", "of"), ncases);
        review_pager(p, event_id, &flt, page_no, pages);
    }
    size_t from = (size_t)(page_no - 1) * REVIEW_PAGE;
    for (size_t i = from; !err && i < ncases && i < from + REVIEW_PAGE; i++) {
        err = review_case(p, &t, &t.rows[cases[i]], filter);
    }
    if (ncases > REVIEW_PAGE) {
        review_pager(p, event_id, &flt, page_no, pages);
    }
    if (!listed) {
        fprintf(f, "<p>%s</p>", T(p, "Aucun cas à vérifier.", "Nothing to review."));
    } else if (!ncases) {
        fprintf(f, "<p>%s</p>", T(p, "Aucun cas pour ce filtre.", "No case for this filter."));
    }
    free(cases);
    borne_credits_table_free(&t);
    if (err) {
        return MHD_NO; /* the half-written page is freed by handle() */
    }
    foot(p);
    return send_page(p, 200);
}

/* Where the queue shows a case once decided: its page under the filter of the form's action
 * (else, when the case is no longer in that filter, in the whole queue), "#case-S-P" included. */
static void review_location(page *p, uint32_t event_id, uint32_t session_id, uint32_t pid,
                            char *out, size_t cap)
{
    snprintf(out, cap, "/events/%u/review#case-%u-%u", event_id, (unsigned)session_id,
             (unsigned)pid);
    borne_credits_table t;
    if (borne_credits_load(p->db, event_id, p->now_ms / 1000, &t)) {
        return;
    }
    review_filter flt, all = {.kind = -1, .session_id = 0, .participant_id = 0};
    const char *why;
    const borne_credit_row *row = borne_credits_find(&t, pid, session_id);
    if (!review_filter_read(p, &t, &flt, &why) || !row || !review_match(row, &flt)) {
        flt = all;
    }
    size_t *cases = NULL, n = 0;
    if (row && review_list(&t, &flt, &cases, &n) == BORNE_OK) {
        for (size_t i = 0; i < n; i++) {
            if (&t.rows[cases[i]] == row) {
                char q[128];
                review_query(&flt, (long)(i / REVIEW_PAGE) + 1, "&", q, sizeof(q));
                snprintf(out, cap, "/events/%u/review%s#case-%u-%u", event_id, q,
                         (unsigned)session_id, (unsigned)pid);
                break;
            }
        }
    }
    free(cases);
    borne_credits_table_free(&t);
}

/* The credit of one case as JSON text for the audit log (caller frees). */
static char *case_json(const borne_credit_row *r)
{
    json_t *j = json_pack("{s:s, s:I, s:I}", "decision", borne_review_decision_name(r->decision),
                          "credit_minutes", (json_int_t)r->credit.credit_minutes, "attended_min",
                          (json_int_t)(r->credit.attended_s / 60));
    if (!j) {
        return NULL;
    }
    if (r->decision != BORNE_REVIEW_NONE) {
        json_object_set_new(j, "by", json_string(r->decided_by));
        json_object_set_new(j, "reason", json_string(r->reason ? r->reason : ""));
    }
    if (r->decision == BORNE_REVIEW_EDIT) {
        json_object_set_new(j, "entry", json_integer(r->edit_entry));
        json_object_set_new(j, "exit", json_integer(r->edit_exit));
    }
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return text;
}

static enum MHD_Result bad_decision(page *p, const char *why)
{
    return message_page(p, 400, T(p, "Décision refusée", "Decision refused"), why);
}

/* POST /events/N/review: case=S-P, decision=accept|reject|edit, reason, entry, exit. */
static enum MHD_Result review_decide(page *p, uint32_t event_id)
{
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        return forbidden(p, T(p, "Seul un registraire peut décider d’un crédit.",
                              "Only a registrar may decide on a credit."));
    }
    char id[32], decision[16], reason[600] = "", entry[40] = "", exit_t[40] = "";
    borne_review_request req = {.by = p->session.user.name};
    if (!borne_console_form(p->body, p->len, "case", id, sizeof(id)) ||
        borne_review_id_parse(id, &req.session_id, &req.participant_id) ||
        !borne_console_form(p->body, p->len, "decision", decision, sizeof(decision))) {
        return bad_decision(p, T(p, "Formulaire incomplet" NBSP ": rechargez la page.",
                                 "Incomplete form: reload the page."));
    }
    req.decision = strcmp(decision, "accept") == 0   ? BORNE_REVIEW_ACCEPT
                   : strcmp(decision, "reject") == 0 ? BORNE_REVIEW_REJECT
                   : strcmp(decision, "edit") == 0   ? BORNE_REVIEW_EDIT
                                                     : BORNE_REVIEW_NONE;
    if (req.decision == BORNE_REVIEW_NONE) {
        return bad_decision(p, T(p, "Décision inconnue.", "Unknown decision."));
    }
    (void)borne_console_form(p->body, p->len, "reason", reason, sizeof(reason));
    if (req.decision != BORNE_REVIEW_ACCEPT) {
        /* A reason of blanks is no reason. */
        if (!reason[strspn(reason, " \t\r\n")]) {
            return bad_decision(p, T(p, "Un motif est requis pour refuser ou corriger.",
                                     "A reason is required to reject or edit."));
        }
        req.reason = reason;
    } else {
        req.reason = reason[0] ? reason : NULL;
    }
    borne_credits_table t;
    borne_err err =
        borne_credits_load_participant(p->db, event_id, req.participant_id, p->now_ms / 1000, &t);
    if (err) {
        return load_failed(p, err);
    }
    const borne_credit_row *row = borne_credits_find(&t, req.participant_id, req.session_id);
    if (!row || !borne_credit_row_in_review(row)) {
        borne_credits_table_free(&t);
        return not_found(p);
    }
    if (req.decision == BORNE_REVIEW_EDIT &&
        (!borne_console_form(p->body, p->len, "entry", entry, sizeof(entry)) ||
         !borne_console_form(p->body, p->len, "exit", exit_t, sizeof(exit_t)) ||
         borne_time_parse(entry, t.event.timezone, &req.entry) ||
         borne_time_parse(exit_t, t.event.timezone, &req.exit))) {
        borne_credits_table_free(&t);
        return bad_decision(p, T(p,
                                 "Heures d’entrée et de sortie requises, par exemple "
                                 "2026-05-20T09:05 (fuseau de l’événement).",
                                 "Entry and exit times required, such as 2026-05-20T09:05 (the "
                                 "event's time zone)."));
    }
    char *before = case_json(row);
    borne_credits_table_free(&t);
    int64_t decision_id = 0;
    const char *why = "";
    err = borne_review_decide(p->db, &req, p->now_ms / 1000, &decision_id, &why);
    if (err) {
        free(before);
        if (err == BORNE_ERR_NOT_FOUND) {
            return not_found(p);
        }
        return bad_decision(p, err == BORNE_ERR_INVALID && why && *why ? why : borne_strerror(err));
    }
    char *after = NULL;
    if (borne_credits_load_participant(p->db, event_id, req.participant_id, p->now_ms / 1000, &t) ==
        BORNE_OK) {
        row = borne_credits_find(&t, req.participant_id, req.session_id);
        after = row ? case_json(row) : NULL;
        borne_credits_table_free(&t);
    }
    char target[64];
    snprintf(target, sizeof(target), "event %u review %u-%u", event_id, (unsigned)req.session_id,
             (unsigned)req.participant_id);
    (void)borne_console_audit(p->db, p->now_ms, p->session.user.name, "review.decide", target,
                              before, after);
    free(before);
    free(after);
    char location[200];
    review_location(p, event_id, req.session_id, req.participant_id, location, sizeof(location));
    return redirect(p, location, NULL, NULL);
}

/* ---- audit ---- */

/* An audit action in words (its machine name kept in data-action); an unknown one as it is. */
static void audit_action(page *p, const char *action)
{
    static const struct {
        const char *name, *fr, *en;
    } words[] = {
        {"signin", "connexion", "sign-in"},
        {"signout", "déconnexion", "sign-out"},
        {"user.add", "compte créé", "account created"},
        {"user.disable", "compte désactivé", "account disabled"},
        {"export.credits", "export des crédits", "credits exported"},
        {"event.settings", "réglages de l’événement", "event settings"},
        {"attestation", "attestation téléchargée", "attestation downloaded"},
        {"attestation.zip", "attestations téléchargées (zip)", "attestations downloaded (zip)"},
        {"desk.scan", "saisie à l’accueil", "desk entry"},
        {"desk.badge.replace", "badge révoqué et remplacé", "badge revoked and replaced"},
        {"desk.badge.print", "badge imprimé", "badge printed"},
        {"review.decide", "décision de révision", "review decision"},
    };
    FILE *f = p->out;
    fputs("<td data-action=\"", f);
    esc(f, action);
    fputs("\">", f);
    for (size_t i = 0; action && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(action, words[i].name) == 0) {
            fprintf(f, "%s</td>", T(p, words[i].fr, words[i].en));
            return;
        }
    }
    esc(f, action);
    fputs("</td>", f);
}

/* An audit target in words, with a link to the event, participant or case it names
 * ("event 42 participant 7", "event 42 review 101-7"); anything else (a user name) as it is. */
static void audit_target(page *p, const char *target)
{
    FILE *f = p->out;
    unsigned ev, a, b;
    int end = -1;
    fputs("<td>", f);
    if (target && sscanf(target, "event %u participant %u%n", &ev, &a, &end) == 2 && !target[end]) {
        fprintf(f, "%s %u, <a href=\"/events/%u/participants/%u\">%s %u</a>",
                T(p, "événement", "event"), ev, ev, a, T(p, "participant", "participant"), a);
    } else if (target && sscanf(target, "event %u review %u-%u%n", &ev, &a, &b, &end) == 3 &&
               !target[end]) {
        fprintf(f, "%s %u, <a href=\"/events/%u/review?participant=%u#case-%u-%u\">%s %u-%u</a>",
                T(p, "événement", "event"), ev, ev, b, a, b, T(p, "cas", "case"), a, b);
    } else if (target && sscanf(target, "event %u%n", &ev, &end) == 1 && !target[end]) {
        fprintf(f, "<a href=\"/events/%u\">%s %u</a>", ev, T(p, "événement", "event"), ev);
    } else {
        esc(f, target);
    }
    fputs("</td>", f);
}

static enum MHD_Result audit_page(page *p)
{
    if (p->session.user.role != BORNE_ROLE_REGISTRAR) {
        return forbidden(p, T(p, "Seul un registraire peut lire le journal.",
                              "Only a registrar may read the audit log."));
    }
    sqlite3 *db = borne_regdb_sqlite(p->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT at_ms, who, action, target, before_json, after_json"
                           " FROM console_audit ORDER BY id DESC LIMIT 500",
                           -1, &st, NULL) != SQLITE_OK) {
        return MHD_NO;
    }
    open_page(p);
    if (!p->out) {
        sqlite3_finalize(st);
        return MHD_NO;
    }
    FILE *f = p->out;
    head(p, T(p, "Journal", "Audit log"));
    fprintf(f,
            "<h1>%s</h1><table class=\"list audit\"><thead><tr><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
            T(p, "Journal des modifications", "Audit log"), T(p, "Quand (UTC)", "When (UTC)"),
            T(p, "Qui", "Who"), T(p, "Action", "Action"), T(p, "Objet", "Target"),
            T(p, "Avant", "Before"), T(p, "Après", "After"));
    while (sqlite3_step(st) == SQLITE_ROW) {
        char when[40];
        borne_time_format_utc(sqlite3_column_int64(st, 0) / 1000, when, sizeof(when));
        /* "2026-05-20T13:05:09Z" → "2026-05-20 13:05:09" */
        fprintf(f, "<tr><td class=\"time\">%.10s %.8s</td>", when,
                strlen(when) > 11 ? when + 11 : "");
        fputs("<td>", f);
        esc(f, (const char *)sqlite3_column_text(st, 1));
        fputs("</td>", f);
        audit_action(p, (const char *)sqlite3_column_text(st, 2));
        audit_target(p, (const char *)sqlite3_column_text(st, 3));
        for (int c = 4; c <= 5; c++) {
            fputs("<td class=\"json\">", f);
            esc(f, (const char *)sqlite3_column_text(st, c));
            fputs("</td>", f);
        }
        fputs("</tr>", f);
    }
    sqlite3_finalize(st);
    fputs("</tbody></table>", f);
    foot(p);
    return send_page(p, 200);
}

/* ---- routing ---- */

static enum MHD_Result asset(page *p, const char *name)
{
    const borne_console_asset *a = borne_console_asset_find(name);
    if (!a) {
        return not_found(p);
    }
    void *copy = malloc(a->len ? a->len : 1);
    if (!copy) {
        return MHD_NO;
    }
    memcpy(copy, a->data, a->len);
    return send_bytes(p, 200, copy, a->len, a->type, NULL, true);
}

/* "/events/42..." → 42 and the rest of the path. Written as the console writes it: 1 to
 * 4294967295 without leading zeros ("/events/042" is no page: one path per page). */
static bool path_id(const char *path, const char *prefix, uint32_t *id, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0 || path[n] == '0') {
        return false;
    }
    const char *c = path + n;
    uint64_t v = 0;
    size_t digits = 0;
    while (*c >= '0' && *c <= '9' && digits < 10) {
        v = v * 10 + (uint64_t)(*c - '0');
        c++;
        digits++;
    }
    if (!digits || v == 0 || v > UINT32_MAX) {
        return false;
    }
    *id = (uint32_t)v;
    *rest = c;
    return true;
}

static enum MHD_Result route(page *p)
{
    const char *u = p->url;
    bool get = strcmp(p->method, "GET") == 0 || strcmp(p->method, "HEAD") == 0;
    bool post = strcmp(p->method, "POST") == 0;
    if (!get && !post) {
        return message_page(p, 405, T(p, "Méthode refusée", "Method not allowed"), p->method);
    }
    if (get && strncmp(u, "/assets/", 8) == 0) {
        return asset(p, u + 8);
    }
    if (get && (strcmp(u, "/lang/fr") == 0 || strcmp(u, "/lang/en") == 0)) {
        const char *next = arg(p, "next");
        char cookie[96];
        snprintf(cookie, sizeof(cookie), LANG_COOKIE "=%s; Path=/; SameSite=Strict; Max-Age=%d",
                 u + 6, 365 * 86400);
        return redirect(p, next && borne_console_safe_next(next) ? next : "/events", cookie, NULL);
    }
    if (strcmp(u, "/signin") == 0) {
        if (post) {
            return do_signin(p);
        }
        if (p->signed_in) {
            return redirect(p, "/events", NULL, NULL);
        }
        return signin_page(p, 200, NULL, NULL, arg(p, "next"));
    }
    if (!p->signed_in) {
        if (wants_json(p)) {
            json_t *j = json_object();
            json_object_set_new(j, "error", json_string("sign in first"));
            return send_json(p, 401, j);
        }
        if (post) {
            return forbidden(p, T(p, "Session terminée" NBSP ": reconnectez-vous.",
                                  "Session ended: sign in again."));
        }
        char location[600];
        snprintf(location, sizeof(location), "/signin%s%s",
                 borne_console_safe_next(u) && strcmp(u, "/") != 0 ? "?next=" : "",
                 borne_console_safe_next(u) && strcmp(u, "/") != 0 ? u : "");
        return redirect(p, location, NULL, NULL);
    }
    /* Signed in from here. Every state-changing request carries the session's CSRF token. */
    if (post && !csrf_ok(p)) {
        return forbidden(p, T(p,
                              "Jeton de formulaire absent ou périmé" NBSP ": rechargez la "
                              "page.",
                              "Form token missing or stale: reload the page."));
    }
    if (post && strcmp(u, "/signout") == 0) {
        return do_signout(p);
    }
    uint32_t ev, pid;
    const char *rest;
    if (post && path_id(u, "/events/", &ev, &rest) && strcmp(rest, "/review") == 0) {
        return review_decide(p, ev);
    }
    if (post && path_id(u, "/events/", &ev, &rest) && strcmp(rest, "/settings") == 0) {
        return settings_save(p, ev);
    }
    const char *tail;
    if (post && path_id(u, "/events/", &ev, &rest) &&
        path_id(rest, "/participants/", &pid, &tail) && strcmp(tail, "/scan") == 0) {
        return desk_scan(p, ev, pid);
    }
    if (post && path_id(u, "/events/", &ev, &rest) &&
        path_id(rest, "/participants/", &pid, &tail) && strcmp(tail, "/badge") == 0) {
        return desk_badge(p, ev, pid);
    }
    if (post) {
        return not_found(p);
    }
    if (strcmp(u, "/") == 0) {
        return redirect(p, "/events", NULL, NULL);
    }
    if (strcmp(u, "/events") == 0) {
        return events_page(p);
    }
    if (strcmp(u, "/audit") == 0) {
        return audit_page(p);
    }
    if (path_id(u, "/events/", &ev, &rest)) {
        if (!*rest) {
            return event_page(p, ev);
        }
        if (strcmp(rest, "/review") == 0) {
            return review_page(p, ev);
        }
        if (strcmp(rest, "/live.json") == 0) {
            borne_event e;
            if (borne_regdb_get_event(p->db, ev, &e)) {
                json_t *j = json_object();
                json_object_set_new(j, "error", json_string("no such event"));
                return send_json(p, 404, j);
            }
            return send_json(p, 200, live_json(p, ev));
        }
        for (size_t i = 0; i < sizeof(credits_files) / sizeof(credits_files[0]); i++) {
            if (strncmp(rest, "/credits", 8) == 0 &&
                strcmp(rest + 8, credits_files[i].suffix) == 0) {
                return credits_download(p, ev, i);
            }
        }
        if (strcmp(rest, "/participants") == 0) {
            return search_page(p, ev);
        }
        if (strcmp(rest, "/credits") == 0) {
            return credits_page(p, ev);
        }
        if (strcmp(rest, "/attestations.zip") == 0) {
            return attestations_zip(p, ev);
        }
        if (path_id(rest, "/participants/", &pid, &tail) && !*tail) {
            return participant_page(p, ev, pid);
        }
        if (path_id(rest, "/participants/", &pid, &tail) && strcmp(tail, "/badge.pdf") == 0) {
            return badge_download(p, ev, pid);
        }
        if (path_id(rest, "/attestations/", &pid, &tail) && strcmp(tail, ".pdf") == 0) {
            return attestation_download(p, ev, pid);
        }
    }
    return not_found(p);
}

static int handle(void *ctx, struct borne_server *server, struct MHD_Connection *conn,
                  struct borne_regdb *db, const char *url, const char *method, const char *body,
                  size_t len)
{
    page p = {.cfg = ctx,
              .server = server,
              .conn = conn,
              .db = db,
              .url = url,
              .method = method,
              .body = body,
              .len = len,
              .head = strcmp(method, "HEAD") == 0,
              .now_ms = real_ms()};
    const char *cookies = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
    char lang[8];
    if (borne_console_cookie(cookies, LANG_COOKIE, lang, sizeof(lang))) {
        p.en = strcmp(lang, "en") == 0;
    } else {
        const char *al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
        p.en = al && strncmp(al, "en", 2) == 0;
    }
    if (borne_console_cookie(cookies, SESSION_COOKIE, p.token, sizeof(p.token)) &&
        borne_console_session_get(db, p.token, p.now_ms, &p.session) == BORNE_OK) {
        p.signed_in = true;
    }
    enum MHD_Result ret = route(&p);
    if (p.out) { /* a page abandoned half-way */
        fclose(p.out);
        free(p.buf);
    }
    sodium_memzero(p.token, sizeof(p.token));
    return (int)ret;
}

borne_server_web borne_console_web(const borne_console_config *cfg)
{
    return (borne_server_web){.handle = handle, .ctx = (void *)cfg};
}
