/* borne-registry: the reference central registry — the sync API server and the organiser's
 * admin commands (events, roster, keys, badge tokens, kiosk setup codes, revocations, reports).
 * See docs/protocol.md. Exit codes as bornectl: 0 ok, 1 refused or not found, 2 usage, 3 bad
 * input data, 4 store or system error. */
#define LOG_MODULE "registry"
#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "attest/attest.h"
#include "console/auth.h"
#include "console/console.h"
#include "badge/qr.h"
#include "cli/keyfile.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/token.h"
#include "demo/demo.h"
#include "registry/regdb.h"
#include "registry/regdemo.h"
#include "registry/review.h"
#include "registry/server.h"
#include "store/import.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "sync/protocol.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_SYSTEM = 4 };

typedef struct reg {
    const char *db_path;
    bool db_given; /* --db on the command line */
    struct borne_regdb *db;
} reg;

static int open_db(reg *r)
{
    if (r->db) {
        return EXIT_OK;
    }
    if (borne_regdb_open(r->db_path, &r->db)) {
        fprintf(stderr, "borne-registry: cannot open %s\n", r->db_path);
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int exit_for(borne_err err)
{
    return err == BORNE_OK                                       ? EXIT_OK
           : err == BORNE_ERR_NOT_FOUND || err == BORNE_ERR_PERM ? EXIT_REFUSED
           : err == BORNE_ERR_PARSE || err == BORNE_ERR_INVALID || err == BORNE_ERR_TOO_LARGE
               ? EXIT_DATA
               : EXIT_SYSTEM;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (!s[0] || *end || v == 0 || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* FILE, or standard output for none or "-". */
/* A file for the owner only (0600, also when it was there before): reports hold names, a
 * kiosk's setup image its enrolment token. */
static FILE *open_private(const char *path, const char *mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd < 0 || fchmod(fd, 0600) != 0 ? NULL : fdopen(fd, mode);
    if (!f && fd >= 0) {
        close(fd);
    }
    return f;
}

static FILE *open_out(const char *path)
{
    if (!path || strcmp(path, "-") == 0) {
        return stdout;
    }
    FILE *f = open_private(path, "w");
    if (!f) {
        fprintf(stderr, "borne-registry: cannot write %s\n", path);
    }
    return f;
}

/* ---- serve ---- */

/* ADDRESS:PORT, ADDRESS an IPv4 address, localhost or a bracketed IPv6 address ([::1]). */
static bool parse_listen(const char *arg, char *addr, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(arg, ':');
    uint32_t p = 0;
    if (!colon || (strcmp(colon + 1, "0") != 0 && (!parse_u32(colon + 1, &p) || p > 65535))) {
        return false;
    }
    const char *start = arg, *end = colon;
    if (arg[0] == '[') {
        if (end - arg < 3 || end[-1] != ']' || !strchr(arg, ':') || strchr(arg, ':') == colon) {
            return false;
        }
        start = arg + 1;
        end--;
    } else if (memchr(arg, ':', (size_t)(colon - arg))) {
        return false; /* an IPv6 address needs its brackets */
    }
    if (end == start || (size_t)(end - start) >= cap) {
        return false;
    }
    memcpy(addr, start, (size_t)(end - start));
    addr[end - start] = '\0';
    *port = (uint16_t)p;
    return true;
}

/* A whole number from lo to hi, for the option --name (else a usage message). */
static bool parse_bounded(const char *arg, const char *name, uint32_t lo, uint32_t hi,
                          unsigned *out)
{
    uint32_t v;
    if (!parse_u32(arg, &v) || v < lo || v > hi) {
        fprintf(stderr, "borne-registry: --%s: a whole number from %u to %u\n", name, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

static int import_event_text(reg *r, const char *json, size_t len, uint32_t *event_id,
                             size_t *nsessions);
static int import_roster_text(reg *r, uint32_t event_id, const char *data, size_t len,
                              const borne_import_options *opts_in, borne_import_result *res,
                              size_t *changed_out, int64_t *deleted_out);

#define NBSP "\xc2\xa0" /* no-break space, before « : » in French */

/* Removes the demo's folder and what the demo put in it (the database and its -wal, -shm, the
 * key file); nothing else is ever there. */
static void demo_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[PATH_MAX];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path)) {
                unlink(path);
            }
        }
        closedir(d);
    }
    if (rmdir(dir) != 0) {
        fprintf(stderr, "borne-registry: cannot remove %s: %s\n", dir, strerror(errno));
    }
}

/* serve --demo: a folder of its own under $TMPDIR (or /tmp) for the key file and, unless --db
 * names one, the database; the demo event and roster imported by the registry's own import
 * path, then the morning (registry/regdemo.h). */
static int demo_prepare(reg *r, char *dir, size_t dir_cap, char *key_path, size_t key_cap,
                        char *password)
{
    static char db_path[PATH_MAX + 16];
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0]) {
        tmp = "/tmp";
    }
    struct stat sb;
    if (r->db_given && stat(r->db_path, &sb) == 0) {
        fprintf(stderr,
                "borne-registry: serve --demo: %s existe déjà : la démonstration écrit dans une "
                "base neuve (choisissez un autre fichier, ou aucun --db)\n"
                "borne-registry: serve --demo: %s exists already: the demo writes a new "
                "database (choose another file, or no --db)\n",
                r->db_path, r->db_path);
        return EXIT_REFUSED;
    }
    if ((size_t)snprintf(dir, dir_cap, "%s/borne-demo-XXXXXX", tmp) >= dir_cap || !mkdtemp(dir)) {
        fprintf(stderr, "borne-registry: serve --demo: cannot create a folder in %s: %s\n", tmp,
                strerror(errno));
        dir[0] = '\0';
        return EXIT_SYSTEM;
    }
    snprintf(key_path, key_cap, "%s/demo.key", dir);
    if (!r->db_given) {
        snprintf(db_path, sizeof(db_path), "%s/registry.db", dir);
        r->db_path = db_path;
    }
    int64_t now = now_ms() / 1000;
    char json[4096];
    size_t len = borne_demo_event_json(now - BORNE_REGDEMO_SHIFT_S, json, sizeof(json));
    uint32_t event_id = 0;
    size_t n = 0;
    int rc = len ? import_event_text(r, json, len, &event_id, &n) : EXIT_SYSTEM;
    borne_import_options opts = {0};
    borne_import_result res;
    size_t changed = 0;
    int64_t deleted = 0;
    const char *csv = borne_demo_roster_csv(&len);
    rc = rc ? rc
            : import_roster_text(r, BORNE_DEMO_EVENT_ID, csv, len, &opts, &res, &changed, &deleted);
    /* The console signs attestations and replacement badges with the demo's key. */
    borne_keyfile kf = {.key_id = 1};
    uint8_t pk[32];
    borne_demo_keypair(pk, kf.secret);
    borne_err err = rc ? BORNE_OK : borne_keyfile_write(key_path, &kf);
    sodium_memzero(&kf, sizeof(kf));
    err = err || rc ? err : borne_regdemo_fill(r->db, now, password);
    if (err) {
        fprintf(stderr, "borne-registry: serve --demo: %s\n", borne_strerror(err));
        rc = exit_for(err);
    }
    borne_regdb_close(r->db);
    r->db = NULL;
    return rc;
}

static void demo_banner(const reg *r, const char *dir, uint16_t port, const char *password)
{
    printf("\nRegistre de démonstration de Borne" NBSP ": http://127.0.0.1:%u/\n"
           "  nom d’utilisateur" NBSP ": %s\n"
           "  mot de passe" NBSP ": %s\n",
           (unsigned)port, BORNE_REGDEMO_USER, password);
    if (r->db_given) {
        printf("  base de données" NBSP ": %s (conservée)\n", r->db_path);
    } else {
        printf("  données temporaires" NBSP ": %s (effacées à l’arrêt)\n", dir);
    }
    printf("  Ctrl-C pour arrêter.\n\n"
           "Borne demo registry: http://127.0.0.1:%u/\n"
           "  user name: %s\n"
           "  password: %s\n",
           (unsigned)port, BORNE_REGDEMO_USER, password);
    if (r->db_given) {
        printf("  database: %s (kept)\n", r->db_path);
    } else {
        printf("  temporary data: %s (removed when it stops)\n", dir);
    }
    printf("  Ctrl-C to stop.\n");
    fflush(stdout);
}

static int serve_until_signal(reg *r, borne_server_options *o, borne_console_config *console,
                              bool demo, bool port_given, sigset_t *set, const char *demo_dir,
                              const char *password);

static int cmd_serve(reg *r, int argc, char **argv)
{
    borne_server_options o = {.db_path = r->db_path, .address = "127.0.0.1", .port = 8080};
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"tls-cert", required_argument, NULL, 'c'},
                                         {"tls-key", required_argument, NULL, 'k'},
                                         {"page", required_argument, NULL, 'p'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"header-timeout", required_argument, NULL, 'H'},
                                         {"request-timeout", required_argument, NULL, 'R'},
                                         {"max-connections", required_argument, NULL, 'm'},
                                         {"per-address", required_argument, NULL, 'a'},
                                         {"auth-failures", required_argument, NULL, 'f'},
                                         {"attest-key", required_argument, NULL, 'K'},
                                         {"issuer", required_argument, NULL, 'I'},
                                         {"demo", no_argument, NULL, 'D'},
                                         {"port", required_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    static char addr[64];
    static borne_console_config console;
    bool demo = false, port_given = false, listen_given = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'l') {
            if (!parse_listen(optarg, addr, sizeof(addr), &o.port)) {
                fprintf(stderr, "borne-registry: --listen ADDRESS:PORT (e.g. 127.0.0.1:8080, "
                                "localhost:8080, [::1]:8080)\n");
                return EXIT_USAGE;
            }
            o.address = addr;
            listen_given = true;
        } else if (opt == 'D') {
            demo = true;
        } else if (opt == 'P') {
            uint32_t p = 0;
            if (strcmp(optarg, "0") != 0 && (!parse_u32(optarg, &p) || p > 65535)) {
                fprintf(stderr, "borne-registry: --port: a port number from 0 (any free port) "
                                "to 65535\n");
                return EXIT_USAGE;
            }
            o.port = (uint16_t)p;
            port_given = true;
        } else if (opt == 'c') {
            o.tls_cert = optarg;
        } else if (opt == 'k') {
            o.tls_key = optarg;
        } else if (opt == 'p') {
            uint32_t page;
            if (!parse_u32(optarg, &page) || page < 1 || page > BORNE_PULL_PAGE_MAX) {
                fprintf(stderr, "borne-registry: --page: a whole number from 1 to %d\n",
                        BORNE_PULL_PAGE_MAX);
                return EXIT_USAGE;
            }
            o.page = page;
        } else if (opt == 't') {
            if (!parse_bounded(optarg, "timeout", 1, 3600, &o.timeout_s)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'H') {
            if (!parse_bounded(optarg, "header-timeout", 1, 3600, &o.header_timeout_s)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'R') {
            if (!parse_bounded(optarg, "request-timeout", 1, 3600, &o.request_timeout_s)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'm') {
            if (!parse_bounded(optarg, "max-connections", 16, 100000, &o.max_connections)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'f') {
            if (!parse_bounded(optarg, "auth-failures", 1, 1000000, &o.auth_failures)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'a') {
            if (!parse_bounded(optarg, "per-address", 1, 100000, &o.per_address)) {
                return EXIT_USAGE;
            }
        } else if (opt == 'K') {
            console.attest_key = optarg;
        } else if (opt == 'I') {
            console.issuer = optarg;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind != argc ||
        (demo && (listen_given || o.tls_cert || o.tls_key || console.attest_key)) ||
        (port_given && !demo)) {
        fprintf(stderr, "borne-registry: serve --demo [--port PORT] (127.0.0.1 only, its own "
                        "key; without --demo: --listen ADDRESS:PORT)\n");
        return EXIT_USAGE;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    if (demo) {
        sigaddset(&set, SIGHUP); /* the terminal closed: the demo's folder goes too */
    }
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts */
    static char demo_dir[PATH_MAX], demo_key[PATH_MAX + 16];
    char password[BORNE_REGDEMO_PASSWORD_LEN + 1] = "";
    if (demo) {
        int drc = demo_prepare(r, demo_dir, sizeof(demo_dir), demo_key, sizeof(demo_key), password);
        if (drc) {
            if (demo_dir[0]) {
                demo_remove(demo_dir);
            }
            return drc;
        }
        console.attest_key = demo_key;
    }
    int rc = serve_until_signal(r, &o, &console, demo, port_given, &set, demo_dir, password);
    sodium_memzero(password, sizeof(password));
    if (demo) {
        demo_remove(demo_dir);
    }
    return rc;
}

static int serve_until_signal(reg *r, borne_server_options *o, borne_console_config *console,
                              bool demo, bool port_given, sigset_t *set, const char *demo_dir,
                              const char *password)
{
    if (console->attest_key) {
        borne_keyfile kf;
        borne_err kerr = borne_keyfile_read(console->attest_key, &kf);
        sodium_memzero(&kf, sizeof(kf));
        if (kerr) {
            fprintf(stderr, "borne-registry: --attest-key %s: %s\n", console->attest_key,
                    borne_strerror(kerr));
            return exit_for(kerr);
        }
    }
    /* The console's own tables (users, sessions, audit), before any request. */
    int rc = open_db(r);
    if (rc || borne_console_tables(r->db)) {
        fprintf(stderr, "borne-registry: cannot prepare the console's tables\n");
        return rc ? rc : EXIT_SYSTEM;
    }
    borne_regdb_close(r->db);
    r->db = NULL;
    o->db_path = r->db_path; /* the demo's own, once it has made it */
    o->web = borne_console_web(console);
    struct borne_server *srv;
    borne_err err = borne_server_start(o, &srv);
    if (err && demo && !port_given) {
        /* The default port is taken: any free one. */
        fprintf(stderr,
                "borne-registry: serve --demo: port %u occupé, un port libre est pris à "
                "sa place / port %u busy, a free port is taken instead\n",
                (unsigned)o->port, (unsigned)o->port);
        o->port = 0;
        err = borne_server_start(o, &srv);
    }
    if (err) {
        fprintf(stderr, "borne-registry: cannot serve: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    char bound[80];
    borne_server_address(srv, bound, sizeof(bound));
    printf("listening %s %s\n", bound, o->tls_cert ? "https" : "http");
    if (demo) {
        demo_banner(r, demo_dir, borne_server_port(srv), password);
    }
    fflush(stdout);
    sigdelset(set, SIGPIPE);
    int sig = 0;
    sigwait(set, &sig);
    borne_server_stop(srv);
    return EXIT_OK;
}

/* ---- event and roster ---- */

#define EVENT_SET_USAGE                                                                            \
    "usage: borne-registry event set EVENT missing-exit review|full|none\n"                        \
    "       borne-registry event set EVENT issuer TEXT   (\"\": back to the default)\n"

static int cmd_event_set(reg *r, int argc, char **argv)
{
    uint32_t ev;
    borne_missing_exit policy = BORNE_MISSING_EXIT_REVIEW;
    bool is_policy = argc == 5 && strcmp(argv[3], "missing-exit") == 0;
    bool is_issuer = argc == 5 && strcmp(argv[3], "issuer") == 0;
    if (argc != 5 || !parse_u32(argv[2], &ev) || (!is_policy && !is_issuer) ||
        (is_policy && borne_missing_exit_parse(argv[4], &policy))) {
        fprintf(stderr, EVENT_SET_USAGE);
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_err err = is_policy ? borne_review_set_policy(r->db, ev, policy)
                              : borne_review_set_issuer(r->db, ev, argv[4]);
    if (err) {
        fprintf(stderr, "borne-registry: event set: %s\n",
                err == BORNE_ERR_NOT_FOUND ? "no such event"
                : err == BORNE_ERR_INVALID
                    ? "the issuer is one line of text of at most 200 bytes (UTF-8, no control "
                      "character)"
                    : borne_strerror(err));
        return exit_for(err);
    }
    if (is_policy) {
        printf("event %u: missing exit: %s\n", ev, argv[4]);
    } else {
        printf("event %u: issuer: %s\n", ev, argv[4][0] ? argv[4] : "(default)");
    }
    return EXIT_OK;
}

/* Imports an event file's text (docs/formats.md) into the registry: the event, its sessions,
 * its optional missing-exit policy and issuer. Errors are said on standard error; returns the
 * exit code, and on success the event's id and number of sessions. */
static int import_event_text(reg *r, const char *json, size_t len, uint32_t *event_id,
                             size_t *nsessions)
{
    bool policy_set = false;
    borne_missing_exit policy = BORNE_MISSING_EXIT_REVIEW;
    if (borne_review_event_policy(json, len, &policy_set, &policy)) {
        fprintf(stderr, "borne-registry: event import: \"missing_exit\" must be \"review\", "
                        "\"full\" or \"none\"\n");
        return EXIT_DATA;
    }
    bool issuer_set = false;
    char issuer[BORNE_ISSUER_MAX + 1] = "";
    if (borne_review_event_issuer(json, len, &issuer_set, issuer, sizeof(issuer))) {
        fprintf(stderr, "borne-registry: event import: \"issuer\" must be one line of text of at "
                        "most 200 bytes\n");
        return EXIT_DATA;
    }
    /* The kiosk's importer checks the file (docs/formats.md); an in-memory kiosk store holds
     * the result, copied into the registry. */
    struct borne_store *mem;
    borne_err err = borne_store_open(":memory:", &mem);
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    err = err ? err : borne_import_event_json(mem, json, len, &res, msg, sizeof(msg));
    borne_event ev;
    borne_session *sessions = NULL;
    size_t n = 0;
    err = err ? err : borne_store_get_event(mem, res.event_id, &ev);
    err = err ? err : borne_store_list_sessions(mem, res.event_id, &sessions, &n);
    int rc = err ? exit_for(err) : open_db(r);
    /* A session id held by another event is refused: moving it would leave that event's kiosks
     * offering a session they never hear is gone, and its check-ins would change event. */
    for (size_t i = 0; !err && !rc && i < n; i++) {
        uint32_t owner = 0;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(borne_regdb_sqlite(r->db),
                               "SELECT event_id FROM session WHERE id = ?1", -1, &st,
                               NULL) != SQLITE_OK) {
            err = BORNE_ERR_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, sessions[i].id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            owner = (uint32_t)sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        if (owner && owner != ev.id) {
            snprintf(msg, sizeof(msg),
                     "session %u (\"%s\") is event %u's: session ids are unique across events, "
                     "give this one another id (nothing imported)",
                     sessions[i].id, sessions[i].code, owner);
            err = BORNE_ERR_PARSE;
            rc = exit_for(err);
        }
    }
    if (!err && !rc) {
        err = borne_regdb_put_event(r->db, &ev, sessions, n);
        err = err || !policy_set ? err : borne_review_set_policy(r->db, ev.id, policy);
        err = err || !issuer_set ? err : borne_review_set_issuer(r->db, ev.id, issuer);
        rc = exit_for(err);
    }
    free(sessions);
    borne_store_close(mem);
    if (err) {
        fprintf(stderr, "borne-registry: event import: %s\n", msg[0] ? msg : borne_strerror(err));
        return rc;
    }
    *event_id = ev.id;
    *nsessions = n;
    return rc;
}

static int cmd_event(reg *r, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "set") == 0) {
        return cmd_event_set(r, argc, argv);
    }
    if (argc != 3 || strcmp(argv[1], "import") != 0) {
        fprintf(stderr, "usage: borne-registry event import FILE.json\n" EVENT_SET_USAGE);
        return EXIT_USAGE;
    }
    char *json;
    size_t len;
    borne_err err = borne_read_file(argv[2], BORNE_IMPORT_MAX_BYTES, &json, &len);
    if (err) {
        fprintf(stderr, "borne-registry: %s: %s\n", argv[2], borne_strerror(err));
        return exit_for(err);
    }
    uint32_t id = 0;
    size_t n = 0;
    int rc = import_event_text(r, json, len, &id, &n);
    free(json);
    if (!rc) {
        printf("event %u: %zu sessions\n", id, n);
    }
    return rc;
}

/* The in-memory kiosk store that checks a roster file is only a staging area: it needs no
 * name-search index, and keeping the FTS5 index in step took two thirds of a 100,000-row import.
 * Drops the triggers that feed it (only those). */
static borne_err staging_without_search(struct borne_store *mem)
{
    sqlite3 *m = borne_store_db(mem);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m,
                           "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                           " AND tbl_name = 'participant' AND sql LIKE '%participant_fts%'",
                           -1, &st, NULL) != SQLITE_OK) {
        return BORNE_ERR_DB;
    }
    char *drop[8];
    size_t n = 0;
    while (n < 8 && sqlite3_step(st) == SQLITE_ROW) {
        drop[n++] =
            sqlite3_mprintf("DROP TRIGGER \"%w\"", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    borne_err err = BORNE_OK;
    for (size_t i = 0; i < n; i++) {
        if (!drop[i] || sqlite3_exec(m, drop[i], NULL, NULL, NULL) != SQLITE_OK) {
            err = BORNE_ERR_DB;
        }
        sqlite3_free(drop[i]);
    }
    return err;
}

/* Copies the registry's roster of the event (not deleted, not walk-ins) into the staging store,
 * so that the shared importer sees what is there: it keeps the fields a file does not have,
 * counts the changes and refuses removals without --replace exactly as bornectl does. The
 * registry file is attached to the staging connection for two INSERT ... SELECT (a 100,000-row
 * roster in well under a second; row by row took three). */
static borne_err seed_staging(reg *r, struct borne_store *mem, uint32_t event_id)
{
    sqlite3 *m = borne_store_db(mem);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m, "ATTACH DATABASE ?1 AS reg", -1, &st, NULL) != SQLITE_OK) {
        return BORNE_ERR_DB;
    }
    sqlite3_bind_text(st, 1, r->db_path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        return BORNE_ERR_DB;
    }
    static const char *const copy[] = {
        "INSERT INTO participant(event_id, participant_id, display_name, organisation, member,"
        " status, code) SELECT event_id, id, name, organisation, member, status, code"
        " FROM reg.participant WHERE event_id = ?1 AND deleted = 0 AND walkin_kiosk IS NULL",
        /* sessions is "881,883": a JSON array once bracketed. */
        "INSERT OR IGNORE INTO registration(event_id, participant_id, session_id)"
        " SELECT p.event_id, p.id, j.value FROM reg.participant p,"
        " json_each('[' || p.sessions || ']') j"
        " WHERE p.event_id = ?1 AND p.deleted = 0 AND p.walkin_kiosk IS NULL AND p.sessions != ''"
        " AND j.value IN (SELECT id FROM session WHERE event_id = ?1)",
    };
    borne_err err = borne_store_begin(mem);
    for (size_t i = 0; !err && i < sizeof(copy) / sizeof(copy[0]); i++) {
        if (sqlite3_prepare_v2(m, copy[i], -1, &st, NULL) != SQLITE_OK) {
            err = BORNE_ERR_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, event_id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            err = BORNE_ERR_DB;
        }
        sqlite3_finalize(st);
    }
    if (err) {
        fprintf(stderr, "borne-registry: roster import: cannot read the roster: %s\n",
                sqlite3_errmsg(m));
    }
    err = borne_sql_finish(borne_store_sql(mem), err);
    if (sqlite3_exec(m, "DETACH DATABASE reg", NULL, NULL, NULL) != SQLITE_OK && !err) {
        err = BORNE_ERR_DB;
    }
    return err;
}

/* Imports a roster file's text (`len` bytes) into the registry's event with the shared importer
 * (store/import.h). Errors are said on standard error; returns the exit code, the import's
 * result in *res, and the participants changed and deleted. */
static int import_roster_text(reg *r, uint32_t event_id, const char *data, size_t len,
                              const borne_import_options *opts_in, borne_import_result *res,
                              size_t *changed_out, int64_t *deleted_out)
{
    borne_import_options opts = *opts_in;
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_event ev;
    borne_session *sessions = NULL;
    size_t n = 0;
    if (borne_regdb_get_event(r->db, event_id, &ev)) {
        fprintf(stderr, "borne-registry: no event %u (import it first)\n", event_id);
        return EXIT_REFUSED;
    }
    struct borne_store *mem;
    borne_err err = borne_store_open(":memory:", &mem);
    err = err ? err : staging_without_search(mem);
    err = err ? err : borne_store_put_event(mem, &ev);
    err = err ? err : borne_regdb_sessions(r->db, event_id, &sessions, &n);
    for (size_t i = 0; !err && i < n; i++) {
        err = borne_store_put_session(mem, &sessions[i]);
    }
    err = err ? err : seed_staging(r, mem, event_id);
    free(sessions);
    memset(res, 0, sizeof(*res));
    char msg[BORNE_IMPORT_MSG_MAX] = "";
    if (!err) {
        /* The same importer as bornectl's (store/import.h): encodings, separators, headers,
         * values, and the --replace rule. */
        err = borne_import_roster(mem, event_id, data, len, &opts, res, msg, sizeof(msg));
    }
    char diff[200];
    borne_import_diff_format(&res->diff, diff, sizeof(diff));
    if (err == BORNE_ERR_PERM) {
        borne_store_close(mem);
        fprintf(stderr,
                "borne-registry: roster import: %s\nborne-registry: changes it would "
                "make: %s\n",
                msg, diff);
        return EXIT_REFUSED;
    }
    size_t changed = 0;
    int64_t deleted = 0;
    sqlite3_stmt *st = NULL, *regs = NULL;
    if (!err && !opts.dry_run) {
        sqlite3 *m = borne_store_db(mem);
        sqlite3_prepare_v2(m,
                           "SELECT participant_id, display_name, organisation, member, status,"
                           " code FROM participant WHERE event_id = ?1",
                           -1, &st, NULL);
        sqlite3_prepare_v2(m,
                           "SELECT session_id FROM registration WHERE event_id = ?1"
                           " AND participant_id = ?2 ORDER BY session_id",
                           -1, &regs, NULL);
        /* One transaction, statements prepared once (regdb.h: borne_regdb_import_*). The
         * staging store holds the whole roster as it will be: with --replace, people it no
         * longer has are tombstoned. */
        struct borne_regdb_import *im = NULL;
        err = st && regs ? borne_regdb_import_begin(r->db, event_id, opts.replace, &im)
                         : BORNE_ERR_DB;
        sqlite3_bind_int64(st, 1, event_id);
        while (!err && sqlite3_step(st) == SQLITE_ROW) {
            borne_participant p;
            memset(&p, 0, sizeof(p));
            p.event_id = event_id;
            p.id = (uint32_t)sqlite3_column_int64(st, 0);
            snprintf(p.display_name, sizeof(p.display_name), "%s", sqlite3_column_text(st, 1));
            snprintf(p.organisation, sizeof(p.organisation), "%s", sqlite3_column_text(st, 2));
            p.member = sqlite3_column_int(st, 3) != 0;
            p.status = (borne_reg_status)sqlite3_column_int(st, 4);
            uint32_t ids[BORNE_REGISTRATIONS_MAX];
            size_t nids = 0;
            sqlite3_bind_int64(regs, 1, event_id);
            sqlite3_bind_int64(regs, 2, p.id);
            while (sqlite3_step(regs) == SQLITE_ROW && nids < BORNE_REGISTRATIONS_MAX) {
                ids[nids++] = (uint32_t)sqlite3_column_int64(regs, 0);
            }
            sqlite3_reset(regs);
            bool ch = false;
            err = borne_regdb_import_put(im, &p, (const char *)sqlite3_column_text(st, 5), ids,
                                         nids, &ch);
            changed += ch;
        }
        if (im) {
            borne_err end = borne_regdb_import_end(im, !err, &deleted);
            err = err ? err : end;
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(regs);
    borne_store_close(mem);
    if (err) {
        fprintf(stderr, "borne-registry: roster import: %s (nothing imported)\n",
                msg[0] ? msg : borne_strerror(err));
        return exit_for(err);
    }
    *changed_out = changed;
    *deleted_out = deleted;
    return EXIT_OK;
}

static int cmd_roster(reg *r, int argc, char **argv)
{
    borne_import_options opts;
    const char *path = NULL;
    uint32_t event_id = 0;
    if (argc < 4 || strcmp(argv[1], "import") != 0 || !parse_u32(argv[2], &event_id) ||
        !borne_import_parse_args(argc, argv, 3, &opts, &path)) {
        fprintf(stderr, "usage: borne-registry roster import EVENT FILE.csv|FILE.json "
                        "[--replace] [--dry-run] [--ignore-columns]\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_event ev;
    if (borne_regdb_get_event(r->db, event_id, &ev)) {
        fprintf(stderr, "borne-registry: no event %u (import it first)\n", event_id);
        return EXIT_REFUSED;
    }
    char *data;
    size_t len;
    borne_err err = borne_read_file(path, BORNE_IMPORT_MAX_BYTES, &data, &len);
    if (err) {
        fprintf(stderr, "borne-registry: %s: %s\n", path, borne_strerror(err));
        return exit_for(err);
    }
    borne_import_result res;
    size_t changed = 0;
    int64_t deleted = 0;
    rc = import_roster_text(r, event_id, data, len, &opts, &res, &changed, &deleted);
    free(data);
    if (rc) {
        return rc;
    }
    char diff[200];
    borne_import_diff_format(&res.diff, diff, sizeof(diff));
    if (res.encoding == BORNE_TEXT_CP1252 || res.encoding == BORNE_TEXT_UTF16LE ||
        res.encoding == BORNE_TEXT_UTF16BE) {
        printf("file read as %s and converted to UTF-8\n", borne_text_encoding_name(res.encoding));
    }
    if (opts.dry_run) {
        printf("dry run, nothing changed: event %u: %zu participants, %zu session registrations "
               "in the file\n",
               event_id, res.participants, res.registrations);
    } else {
        printf("event %u: %zu participants, %zu changed, %lld deleted\n", event_id,
               res.participants, changed, (long long)deleted);
    }
    printf("changes: %s\n", diff);
    if (res.diff.people_absent && !opts.replace) {
        printf("%zu participants in the registry are not in the file: kept (--replace removes "
               "them)\n",
               res.diff.people_absent);
    }
    if (res.ignored[0]) {
        printf("columns ignored: %s\n", res.ignored);
    }
    return EXIT_OK;
}

static int cmd_participant(reg *r, int argc, char **argv)
{
    uint32_t ev, id;
    if (argc != 4 || strcmp(argv[1], "delete") != 0 || !parse_u32(argv[2], &ev) ||
        !parse_u32(argv[3], &id)) {
        fprintf(stderr, "usage: borne-registry participant delete EVENT ID\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    return rc ? rc : exit_for(borne_regdb_delete_participant(r->db, ev, id));
}

/* ---- keys and tokens ---- */

static int cmd_keys(reg *r, int argc, char **argv)
{
    uint32_t id = 1;
    if (argc < 4 || strcmp(argv[1], "generate") != 0 || strcmp(argv[2], "--out") != 0 ||
        (argc == 6 && (strcmp(argv[4], "--id") != 0 || !parse_u32(argv[5], &id) || id > 65535)) ||
        (argc != 4 && argc != 6)) {
        fprintf(stderr, "usage: borne-registry keys generate --out FILE.key [--id N]\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_keyfile kf = {.key_id = (uint16_t)id};
    uint8_t pk[32];
    crypto_sign_keypair(pk, kf.secret);
    borne_err err = borne_keyfile_write(argv[3], &kf);
    sodium_memzero(&kf, sizeof(kf));
    err = err ? err : borne_regdb_put_key(r->db, (uint16_t)id, pk);
    if (err) {
        fprintf(stderr, "borne-registry: keys: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    printf("key %u: secret in %s, public key registered\n", id, argv[3]);
    return EXIT_OK;
}

struct issued {
    uint32_t id;
    char text[BORNE_TOKEN_TEXT_LEN + 1];
};

struct token_ctx {
    const borne_keyfile *kf;
    uint32_t only;
    struct issued *list;
    size_t n, cap;
    bool nomem;
};

static void sign_token(void *ctx, const borne_participant *p)
{
    struct token_ctx *t = ctx;
    if ((t->only && p->id != t->only) || t->nomem) {
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct issued *grown = realloc(t->list, cap * sizeof(*grown));
        if (!grown) {
            t->nomem = true;
            return;
        }
        t->list = grown;
        t->cap = cap;
    }
    struct issued *is = &t->list[t->n];
    if (borne_regdb_badge_token(p->event_id, p->id, p->member, t->kf->key_id, t->kf->secret, 0,
                                is->text, sizeof(is->text)) == BORNE_OK) {
        is->id = p->id;
        t->n++;
    }
}

static int cmd_token(reg *r, int argc, char **argv)
{
    const char *key = NULL;
    uint32_t ev = 0, only = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--key") == 0) {
            key = argv[i + 1];
        } else if (strcmp(argv[i], "--event") == 0) {
            parse_u32(argv[i + 1], &ev);
        } else if (strcmp(argv[i], "--participant") == 0) {
            parse_u32(argv[i + 1], &only);
        }
    }
    if (argc < 2 || strcmp(argv[1], "issue") != 0 || !key || !ev) {
        fprintf(stderr, "usage: borne-registry token issue --key FILE.key --event ID "
                        "[--participant ID]\n");
        return EXIT_USAGE;
    }
    borne_keyfile kf;
    borne_err err = borne_keyfile_read(key, &kf);
    if (err) {
        fprintf(stderr, "borne-registry: %s: %s\n", key, borne_strerror(err));
        return exit_for(err);
    }
    int rc = open_db(r);
    struct token_ctx t = {.kf = &kf, .only = only};
    if (!rc) {
        rc = exit_for(borne_regdb_each_participant(r->db, ev, sign_token, &t));
    }
    sodium_memzero(&kf, sizeof(kf));
    if (!rc && t.nomem) {
        rc = EXIT_SYSTEM;
    }
    /* The registry keeps each participant's current code so kiosks can show it to its owner;
     * re-issuing the same code changes nothing they need to pull. */
    err = rc ? BORNE_OK : borne_regdb_begin(r->db);
    for (size_t i = 0; !rc && !err && i < t.n; i++) {
        err = borne_regdb_set_badge(r->db, ev, t.list[i].id, t.list[i].text, NULL);
    }
    if (!rc) {
        err = err ? err : borne_regdb_commit(r->db);
        if (err) {
            borne_regdb_rollback(r->db);
            fprintf(stderr, "borne-registry: token issue: %s\n", borne_strerror(err));
            rc = exit_for(err);
        }
    }
    for (size_t i = 0; !rc && i < t.n; i++) {
        printf("%u\t%s\n", t.list[i].id, t.list[i].text);
    }
    if (t.list) {
        sodium_memzero(t.list, t.cap * sizeof(*t.list));
    }
    free(t.list);
    return rc ? rc : (t.n ? EXIT_OK : EXIT_REFUSED);
}

/* ---- kiosks ---- */

static cairo_status_t png_to_file(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static borne_err write_qr_png(const char *text, const char *path)
{
    borne_qr qr = {0};
    borne_err err = borne_qr_encode(text, strlen(text), &qr);
    if (err) {
        return err;
    }
    const int scale = 8, side = (qr.size + 2 * BORNE_QR_QUIET_ZONE) * scale;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int y = 0; y < qr.size; y++) {
        for (int x = 0; x < qr.size; x++) {
            if (borne_qr_dark(&qr, x, y)) {
                cairo_rectangle(cr, (x + BORNE_QR_QUIET_ZONE) * scale,
                                (y + BORNE_QR_QUIET_ZONE) * scale, scale, scale);
            }
        }
    }
    cairo_fill(cr);
    cairo_destroy(cr);
    FILE *f = open_private(path, "wb");
    cairo_status_t st =
        f ? cairo_surface_write_to_png_stream(s, png_to_file, f) : CAIRO_STATUS_WRITE_ERROR;
    if (f && fclose(f) != 0) {
        st = CAIRO_STATUS_WRITE_ERROR;
    }
    cairo_surface_destroy(s);
    borne_qr_clear(&qr);
    return st == CAIRO_STATUS_SUCCESS ? BORNE_OK : BORNE_ERR_IO;
}

static int cmd_kiosk(reg *r, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        int rc = open_db(r);
        return rc ? rc : exit_for(borne_regdb_list_kiosks(r->db, stdout));
    }
    if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
        uint32_t id;
        if (!parse_u32(argv[2], &id) || id == 0) {
            fprintf(stderr, "usage: borne-registry kiosk revoke ID (the first column of "
                            "kiosk list)\n");
            return EXIT_USAGE;
        }
        int rc = open_db(r);
        if (rc) {
            return rc;
        }
        borne_err err = borne_regdb_revoke_kiosk(r->db, id);
        if (err == BORNE_ERR_NOT_FOUND) {
            fprintf(stderr, "borne-registry: kiosk revoke: no kiosk %u (kiosk list shows them)\n",
                    id);
        } else if (err) {
            fprintf(stderr, "borne-registry: kiosk revoke: %s\n", borne_strerror(err));
        } else {
            printf("kiosk %u revoked\n", id);
        }
        return exit_for(err);
    }
    const char *url = NULL, *pin = "", *name = "", *png = NULL;
    uint32_t ev = 0, days = 7;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--event") == 0) {
            parse_u32(argv[i + 1], &ev);
        } else if (strcmp(argv[i], "--url") == 0) {
            url = argv[i + 1];
        } else if (strcmp(argv[i], "--pin") == 0) {
            pin = argv[i + 1];
        } else if (strcmp(argv[i], "--name") == 0) {
            name = argv[i + 1];
        } else if (strcmp(argv[i], "--png") == 0) {
            png = argv[i + 1];
        } else if (strcmp(argv[i], "--valid-days") == 0) {
            parse_u32(argv[i + 1], &days);
        }
    }
    if (argc < 2 || strcmp(argv[1], "add") != 0 || !url || !ev ||
        strlen(name) >= BORNE_KIOSK_ID_MAX) {
        fprintf(stderr, "usage: borne-registry kiosk add --event ID --url URL [--pin sha256//…] "
                        "[--name NAME] [--png FILE] [--valid-days N]\n"
                        "       borne-registry kiosk list | kiosk revoke ID\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    int64_t id;
    char token[BORNE_API_TOKEN_MAX], unnamed[32];
    if (!name[0]) {
        /* Names are unique per event: an unnamed kiosk is numbered. */
        int64_t next = 1;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(borne_regdb_sqlite(r->db),
                               "SELECT coalesce(max(id), 0) + 1 FROM kiosk", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            next = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        snprintf(unnamed, sizeof(unnamed), "kiosk-%lld", (long long)next);
        name = unnamed;
    }
    borne_err err = borne_regdb_add_kiosk(r->db, ev, name, (int64_t)days * 86400, &id, token);
    if (err == BORNE_ERR_EXISTS) {
        fprintf(stderr,
                "borne-registry: kiosk add: event %u already has a kiosk named \"%s\" in "
                "service (names are unique per event; revoke the old one or choose another)\n",
                ev, name);
        return EXIT_REFUSED;
    }
    if (err) {
        fprintf(stderr, "borne-registry: kiosk add: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    char text[BORNE_SETUP_MAX + 1];
    snprintf(text, sizeof(text), "%s %s %s%s%s", BORNE_SETUP_PREFIX, url, token, pin[0] ? " " : "",
             pin);
    sodium_memzero(token, sizeof(token));
    borne_setup check;
    err = borne_setup_parse(text, strlen(text), &check);
    if (err) {
        fprintf(stderr, "borne-registry: the URL or pin is not usable in a setup code (https://, "
                        "or http:// only to localhost; pin sha256//BASE64)\n");
        borne_regdb_revoke_kiosk(r->db, id);
        return EXIT_DATA;
    }
    if (png && write_qr_png(text, png)) {
        fprintf(stderr, "borne-registry: cannot write %s\n", png);
        return EXIT_SYSTEM;
    }
    fprintf(stderr, "kiosk %lld for event %u; one-time setup code (valid %u days):\n",
            (long long)id, ev, days);
    printf("%s\n", text);
    sodium_memzero(text, sizeof(text));
    return EXIT_OK;
}

static int cmd_revoke(reg *r, int argc, char **argv)
{
    uint32_t ev = 0;
    bool lift = argc == 5 && strcmp(argv[4], "--lift") == 0;
    if ((argc != 4 && !lift) || strcmp(argv[1], "--event") != 0 || !parse_u32(argv[2], &ev)) {
        fprintf(stderr, "usage: borne-registry revoke --event ID CODE [--lift]\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    uint8_t hash[BORNE_CODE_HASH_LEN];
    borne_store_code_hash((const uint8_t *)argv[3], strlen(argv[3]), hash);
    return exit_for(borne_regdb_revoke(r->db, ev, hash, !lift));
}

/* ---- reports ---- */

/* Options of the credits report and the review queue: --format F, --now TIME, --json. Removes
 * them from argv; false on a bad value (after a message). */
static bool credit_options(int *argc, char **argv, borne_credits_format *format, const char **now,
                           bool *json)
{
    int kept = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && format && i + 1 < *argc) {
            if (borne_credits_format_parse(argv[++i], format)) {
                fprintf(stderr, "borne-registry: --format is excel, csv or json\n");
                return false;
            }
        } else if (strcmp(argv[i], "--now") == 0 && i + 1 < *argc) {
            *now = argv[++i]; /* read once the event, and so its time zone, is known */
        } else if (strcmp(argv[i], "--json") == 0 && json) {
            *json = true;
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    return true;
}

/* The official credits (registry/review.h): every format reads the same table. */
static borne_err report_credits(struct borne_regdb *db, uint32_t ev, int64_t now,
                                borne_credits_format format, FILE *out, borne_report_skips *skips)
{
    borne_credits_table t;
    borne_err err = borne_credits_load(db, ev, now, &t);
    if (err) {
        return err;
    }
    *skips = t.skips;
    err = borne_credits_write(&t, format, out);
    borne_credits_table_free(&t);
    return err;
}

/* --now TIME (or the clock when NULL) into *at, in seconds: a time without an offset is in the
 * time zone tz, like every time a registrar types. False after a message. */
static bool read_now(const char *text, const char *tz, int64_t *at)
{
    if (!text) {
        *at = now_ms() / 1000;
        return true;
    }
    if (borne_time_parse(text, tz, at)) {
        fprintf(stderr, "borne-registry: --now takes a time such as 2026-05-20T13:45 (the event's "
                        "time zone) or 2026-05-20T13:45:00-04:00\n");
        return false;
    }
    return true;
}

/* An event's time zone ("UTC" when there is no such event: its report then says so). */
static void event_timezone(struct borne_regdb *db, uint32_t event_id, char *tz, size_t cap)
{
    borne_event evt;
    snprintf(tz, cap, "%s", borne_regdb_get_event(db, event_id, &evt) ? "UTC" : evt.timezone);
}

/* The event of a session, for its time zone ("UTC" when unknown). */
static void session_timezone(struct borne_regdb *db, uint32_t session_id, char *tz, size_t cap)
{
    snprintf(tz, cap, "UTC");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(borne_regdb_sqlite(db), "SELECT event_id FROM session WHERE id = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        return;
    }
    sqlite3_bind_int64(st, 1, session_id);
    borne_event evt;
    if (sqlite3_step(st) == SQLITE_ROW &&
        !borne_regdb_get_event(db, (uint32_t)sqlite3_column_int64(st, 0), &evt)) {
        snprintf(tz, cap, "%s", evt.timezone);
    }
    sqlite3_finalize(st);
}

static int cmd_review(reg *r, int argc, char **argv)
{
    int64_t at;
    const char *now_text = NULL;
    bool json = false;
    if (!credit_options(&argc, argv, NULL, &now_text, &json)) {
        return EXIT_USAGE;
    }
    char tz[64];
    uint32_t ev;
    if (argc == 2 && parse_u32(argv[1], &ev)) {
        int rc = open_db(r);
        if (rc) {
            return rc;
        }
        event_timezone(r->db, ev, tz, sizeof(tz));
        if (!read_now(now_text, tz, &at)) {
            return EXIT_USAGE;
        }
        borne_err err = borne_review_write(r->db, ev, at, json, stdout);
        if (err) {
            fprintf(stderr, "borne-registry: review: %s\n",
                    err == BORNE_ERR_NOT_FOUND ? "no such event" : borne_strerror(err));
        }
        return exit_for(err);
    }
    borne_review_request req = {0};
    const char *entry = NULL, *exit_t = NULL;
    bool ok = argc >= 4 && strcmp(argv[1], "decide") == 0 &&
              !borne_review_id_parse(argv[2], &req.session_id, &req.participant_id);
    if (ok) {
        req.decision = strcmp(argv[3], "accept") == 0   ? BORNE_REVIEW_ACCEPT
                       : strcmp(argv[3], "reject") == 0 ? BORNE_REVIEW_REJECT
                       : strcmp(argv[3], "edit") == 0   ? BORNE_REVIEW_EDIT
                                                        : BORNE_REVIEW_NONE;
        ok = req.decision != BORNE_REVIEW_NONE;
    }
    for (int i = 4; ok && i < argc; i += 2) {
        const char **slot = strcmp(argv[i], "--entry") == 0    ? &entry
                            : strcmp(argv[i], "--exit") == 0   ? &exit_t
                            : strcmp(argv[i], "--reason") == 0 ? &req.reason
                            : strcmp(argv[i], "--by") == 0     ? &req.by
                                                               : NULL;
        ok = slot && i + 1 < argc;
        if (ok) {
            *slot = argv[i + 1];
        }
    }
    ok = ok && (req.decision == BORNE_REVIEW_EDIT) == (entry && exit_t);
    if (!ok) {
        fprintf(stderr, "usage: borne-registry review EVENT [--json] [--now TIME]\n"
                        "       borne-registry review decide ID accept|reject|edit"
                        " [--entry TIME --exit TIME] --reason TEXT --by NAME\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    /* Times in the event's time zone unless they say their offset. */
    session_timezone(r->db, req.session_id, tz, sizeof(tz));
    if (!read_now(now_text, tz, &at)) {
        return EXIT_USAGE;
    }
    if (entry) {
        if (borne_time_parse(entry, tz, &req.entry) || borne_time_parse(exit_t, tz, &req.exit)) {
            fprintf(stderr, "borne-registry: review: --entry and --exit take times such as "
                            "2026-05-20T09:05 (the event's time zone)\n");
            return EXIT_DATA;
        }
    }
    int64_t id = 0;
    const char *why = "";
    borne_err err = borne_review_decide(r->db, &req, at, &id, &why);
    if (err) {
        fprintf(stderr, "borne-registry: review decide: %s\n", *why ? why : borne_strerror(err));
        return err == BORNE_ERR_INVALID ? EXIT_DATA : exit_for(err);
    }
    printf("decision %lld recorded: %s %s\n", (long long)id, argv[2], argv[3]);
    return EXIT_OK;
}

static int cmd_report(reg *r, int argc, char **argv)
{
    uint32_t ev;
    borne_credits_format format = BORNE_CREDITS_CSV;
    int64_t at;
    const char *now_text = NULL;
    if (!credit_options(&argc, argv, &format, &now_text, NULL)) {
        return EXIT_USAGE;
    }
    if (argc < 3 || argc > 4 || !parse_u32(argv[2], &ev) ||
        (strcmp(argv[1], "credits") && strcmp(argv[1], "attendance") &&
         strcmp(argv[1], "checkins"))) {
        fprintf(stderr, "usage: borne-registry report credits|attendance|checkins EVENT "
                        "[FILE|-] [--format excel|csv|json] [--now TIME]\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    char tz[64];
    event_timezone(r->db, ev, tz, sizeof(tz));
    if (!read_now(now_text, tz, &at)) {
        return EXIT_USAGE;
    }
    FILE *out = open_out(argc == 4 ? argv[3] : NULL);
    if (!out) {
        return EXIT_SYSTEM;
    }
    bool credits = strcmp(argv[1], "credits") == 0;
    int64_t started = now_ms();
    borne_report_skips skips = {0};
    borne_err err = credits ? report_credits(r->db, ev, at, format, out, &skips)
                    : strcmp(argv[1], "attendance") == 0
                        ? borne_regdb_attendance_csv(r->db, ev, out, &skips)
                        : borne_regdb_checkins_csv(r->db, ev, out, &skips);
    char words[256];
    borne_report_skips_words(&skips, words, sizeof(words));
    if (!err && words[0]) {
        /* The report is complete for everything else (exit 0): these rows cannot earn credit. */
        fprintf(stderr, "borne-registry: report %s: warning: %s\n", argv[1], words);
    }
    if (fflush(out) != 0 || ferror(out)) {
        err = err ? err : BORNE_ERR_IO;
    }
    if (out != stdout && fclose(out) != 0) {
        err = err ? err : BORNE_ERR_IO;
    }
    /* A complete credits export is what the retention purge waits for (docs/privacy.md). It
     * covers the check-ins received before it started. */
    if (!err && credits) {
        err = borne_regdb_mark_exported(r->db, ev, started);
    }
    if (err) {
        fprintf(stderr, "borne-registry: report: %s (the output is incomplete)\n",
                borne_strerror(err));
    }
    return exit_for(err);
}

/* ---- attestations (docs/attestations.md) ---- */

static void print_attest(void *ctx, const borne_attest *a, const char *file, const char *token)
{
    (void)ctx;
    char hours[32];
    borne_hours_format(a->total_minutes, '.', hours, sizeof(hours));
    printf("%s\t%u\t%lld\t%s\t%s\n", file, a->participant.id, (long long)a->total_minutes, hours,
           token);
}

static int cmd_attest(reg *r, int argc, char **argv)
{
    static const struct option opts[] = {{"participant", required_argument, NULL, 'p'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"zip", required_argument, NULL, 'z'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"paper", required_argument, NULL, 'P'},
                                         {"issuer", required_argument, NULL, 'i'},
                                         {"place", required_argument, NULL, 'w'},
                                         {"issued", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    borne_attest_options o = {.lang = BORNE_ATTEST_FR, .paper = BORNE_PAPER_LETTER};
    const char *key = NULL, *zip = NULL, *issued = NULL;
    uint32_t only = 0;
    bool bad = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'p') {
            bad = bad || !parse_u32(optarg, &only);
        } else if (opt == 'k') {
            key = optarg;
        } else if (opt == 'z') {
            zip = optarg;
        } else if (opt == 'l') {
            bad = bad || (strcmp(optarg, "fr") && strcmp(optarg, "en"));
            o.lang = strcmp(optarg, "en") == 0 ? BORNE_ATTEST_EN : BORNE_ATTEST_FR;
        } else if (opt == 'P') {
            bad = bad || (strcasecmp(optarg, "letter") && strcasecmp(optarg, "a4"));
            o.paper = strcasecmp(optarg, "a4") == 0 ? BORNE_PAPER_A4 : BORNE_PAPER_LETTER;
        } else if (opt == 'i') {
            o.issuer = optarg;
        } else if (opt == 'w') {
            o.place = optarg;
        } else if (opt == 'd') {
            issued = optarg;
        } else {
            bad = true;
        }
    }
    uint32_t ev = 0;
    const char *dir = NULL;
    if (optind < argc) {
        bad = bad || !parse_u32(argv[optind++], &ev);
    }
    if (optind < argc) {
        dir = argv[optind++];
    }
    if (bad || !ev || optind != argc || !key || (!dir && !zip)) {
        fprintf(stderr,
                "usage: borne-registry attest EVENT --key FILE.key [--participant ID] [DIR]\n"
                "         [--zip FILE.zip] [--lang fr|en] [--paper letter|a4] [--issuer TEXT]\n"
                "         [--place TEXT] [--issued TIME]\n"
                "  (DIR, --zip or both)\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_event event;
    if (borne_regdb_get_event(r->db, ev, &event)) {
        fprintf(stderr, "borne-registry: attest: no event %u\n", ev);
        return EXIT_REFUSED;
    }
    /* --issuer, else the event's own (event set EVENT issuer), else the default. */
    char event_issuer[BORNE_ISSUER_MAX + 1] = "";
    if (!o.issuer &&
        borne_review_get_issuer(r->db, ev, event_issuer, sizeof(event_issuer)) == BORNE_OK &&
        event_issuer[0]) {
        o.issuer = event_issuer;
    }
    int64_t now = now_ms() / 1000;
    o.issued_at = now;
    if (issued) {
        if (borne_time_parse(issued, event.timezone, &o.issued_at)) {
            fprintf(stderr, "borne-registry: --issued: not a time (2026-05-21 or "
                            "2026-05-21T17:00)\n");
            return EXIT_USAGE;
        }
        now = o.issued_at;
    }
    /* A folder that is not there would fail on the first file, and read as "nobody found". */
    struct stat sb;
    if (dir && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "borne-registry: attest: %s: no such folder (create it first)\n", dir);
        return EXIT_USAGE;
    }
    borne_keyfile kf;
    borne_err err = borne_keyfile_read(key, &kf);
    if (err) {
        fprintf(stderr, "borne-registry: %s: %s\n", key, borne_strerror(err));
        return exit_for(err);
    }
    o.key_id = kf.key_id;
    o.secret = kf.secret;
    size_t written = 0;
    err =
        borne_attest_write_event(r->db, ev, only, now, &o, dir, zip, print_attest, NULL, &written);
    rc = exit_for(err);
    sodium_memzero(&kf, sizeof(kf));
    if (err == BORNE_ERR_NOT_FOUND) {
        fprintf(stderr,
                "borne-registry: attest: participant %u is not in event %u or attended "
                "nothing there\n",
                only, ev);
    } else if (err) {
        fprintf(stderr, "borne-registry: attest: %s\n", borne_strerror(err));
    } else {
        fprintf(stderr, "event %u: %zu attestation%s%s%s%s%s\n", ev, written,
                written == 1 ? "" : "s", dir ? " in " : "", dir ? dir : "", zip ? ", zip " : "",
                zip ? zip : "");
        if (!written) {
            rc = EXIT_REFUSED;
        }
    }
    return rc;
}

static int cmd_verify(reg *r, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: borne-registry verify \"ATTESTATION CODE\"\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_pubkey *keys = NULL;
    size_t nkeys = 0;
    borne_err err = borne_attest_registry_keys(r->db, &keys, &nkeys);
    if (err) {
        fprintf(stderr, "borne-registry: verify: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    borne_attest_token tok;
    bool genuine =
        borne_attest_token_check("borne-registry", argv[1], strlen(argv[1]), keys, nkeys, &tok);
    free(keys);
    if (!genuine) {
        return EXIT_REFUSED;
    }
    int y, m, d;
    borne_civil_from_days(tok.issued_day, &y, &m, &d);
    char hours[32];
    borne_hours_format(tok.total_minutes, '.', hours, sizeof(hours));
    printf("valid\t%s\n", borne_attest_token_explain(BORNE_TOKEN_OK));
    printf("key\t%u\n", tok.key_id);
    borne_event event;
    bool known_event = borne_regdb_get_event(r->db, tok.event_id, &event) == BORNE_OK;
    printf("event\t%u\t%s\n", tok.event_id, known_event ? event.name : "(not in this registry)");
    borne_attest now_a;
    memset(&now_a, 0, sizeof(now_a));
    err = known_event ? borne_attest_collect(r->db, tok.event_id, tok.participant_id,
                                             now_ms() / 1000, &now_a)
                      : BORNE_ERR_NOT_FOUND;
    printf("participant\t%u\t%s\n", tok.participant_id,
           err ? "(not in this registry)" : now_a.participant.display_name);
    printf("total\t%u min\t%s h\n", tok.total_minutes, hours);
    printf("issued\t%04d-%02d-%02d\n", y, m, d);
    /* The attendance may have been corrected since: say so, the code stays genuine. */
    if (!err && now_a.total_minutes != tok.total_minutes) {
        printf("note\tthe registry now counts %lld min for this participant (corrected since "
               "issue?)\n",
               (long long)now_a.total_minutes);
    }
    borne_attest_clear(&now_a);
    return EXIT_OK;
}

/* ---- retention ---- */

static int cmd_purge(reg *r, int argc, char **argv)
{
    uint32_t ev = 0, days = 0;
    bool have_days = false, del = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
            char *end = NULL;
            unsigned long v = strtoul(argv[++i], &end, 10);
            have_days = argv[i][0] >= '0' && argv[i][0] <= '9' && !*end && v <= 36500;
            days = (uint32_t)v;
        } else if (strcmp(argv[i], "--delete") == 0) {
            del = true;
        } else {
            have_days = false;
            break;
        }
    }
    if (argc < 4 || !parse_u32(argv[1], &ev) || !have_days) {
        fprintf(stderr, "usage: borne-registry purge EVENT --days N [--delete]\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    borne_purge_report rep;
    const char *why = "";
    borne_err err = borne_regdb_purge(r->db, ev, (int64_t)days * 86400, del, now_ms(), &rep, &why);
    if (err == BORNE_ERR_PERM) {
        fprintf(stderr, "borne-registry: event %u not purged: %s\n", ev, why);
        return EXIT_REFUSED;
    }
    if (err) {
        fprintf(stderr, "borne-registry: purge: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    printf("event %u %s: %lld participants, %lld check-ins, %lld kiosks revoked\n", ev,
           del ? "deleted" : "anonymised", (long long)rep.participants, (long long)rep.checkins,
           (long long)rep.kiosks);
    return EXIT_OK;
}

/* ---- backup ---- */

static int cmd_backup(reg *r, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: borne-registry backup FILE\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    /* The copy holds names: owner-only, as the database. */
    mode_t old = umask(077);
    borne_err err = borne_regdb_backup(r->db, argv[1]);
    umask(old);
    if (err == BORNE_ERR_EXISTS) {
        fprintf(stderr, "borne-registry: backup: %s exists already (choose a new file)\n", argv[1]);
        return EXIT_REFUSED;
    }
    if (err) {
        fprintf(stderr, "borne-registry: backup: %s\n", borne_strerror(err));
        return exit_for(err);
    }
    printf("backup written to %s\n", argv[1]);
    return EXIT_OK;
}

static int cmd_status(reg *r, int argc, char **argv)
{
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    int64_t n;
    borne_regdb_count_checkins(r->db, 0, &n);
    printf("check-ins\t%lld\n", (long long)n);
    return EXIT_OK;
}

/* ---- console users ---- */

/* A password from the terminal (asked twice, not echoed) or one line of standard input. */
static bool read_password(char *out, size_t cap)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    char again[BORNE_CONSOLE_PASSWORD_MAX + 2];
    for (int round = 0; round < (tty ? 2 : 1); round++) {
        char *dst = round ? again : out;
        size_t dcap = round ? sizeof(again) : cap;
        if (tty) {
            fprintf(stderr, round ? "Password again: " : "Password: ");
            tcgetattr(STDIN_FILENO, &old);
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        bool ok = fgets(dst, (int)dcap, stdin) != NULL;
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fputc('\n', stderr);
        }
        if (!ok) {
            return false;
        }
        dst[strcspn(dst, "\r\n")] = '\0';
    }
    bool same = !tty || strcmp(out, again) == 0;
    sodium_memzero(again, sizeof(again));
    if (!same) {
        fprintf(stderr, "borne-registry: the two passwords differ\n");
    }
    return same;
}

static int cmd_user(reg *r, int argc, char **argv)
{
    /* Who ran the command, for the audit log: the system account (not $USER, which anyone
     * sets), else its number. */
    const struct passwd *pw = getpwuid(geteuid());
    char actor[96];
    if (pw && borne_console_name_valid(pw->pw_name)) {
        snprintf(actor, sizeof(actor), "cli:%s", pw->pw_name);
    } else {
        snprintf(actor, sizeof(actor), "cli:uid-%lu", (unsigned long)geteuid());
    }
    borne_console_role role = BORNE_ROLE_DESK;
    bool add = argc == 5 && strcmp(argv[1], "add") == 0 && strcmp(argv[3], "--role") == 0 &&
               borne_console_role_parse(argv[4], &role);
    bool list = argc == 2 && strcmp(argv[1], "list") == 0;
    bool disable = argc == 3 && strcmp(argv[1], "disable") == 0;
    if (!add && !list && !disable) {
        fprintf(stderr, "usage: borne-registry user add NAME --role registrar|desk\n"
                        "       borne-registry user list\n"
                        "       borne-registry user disable NAME\n"
                        "  (the password is read from the terminal, or from standard input)\n");
        return EXIT_USAGE;
    }
    int rc = open_db(r);
    if (rc) {
        return rc;
    }
    if (borne_console_tables(r->db)) {
        return EXIT_SYSTEM;
    }
    if (list) {
        return exit_for(borne_console_user_list(r->db, stdout));
    }
    if (disable) {
        borne_err err = borne_console_user_disable(r->db, actor, argv[2]);
        if (err == BORNE_ERR_NOT_FOUND) {
            fprintf(stderr, "borne-registry: no user \"%s\"\n", argv[2]);
        } else if (!err) {
            printf("user %s disabled, signed out\n", argv[2]);
        }
        return exit_for(err);
    }
    if (!borne_console_name_valid(argv[2])) {
        fprintf(stderr,
                "borne-registry: a user name is 1 to %d letters, digits, '.', '_', '-' "
                "or '@'\n",
                BORNE_CONSOLE_NAME_MAX);
        return EXIT_USAGE;
    }
    char password[BORNE_CONSOLE_PASSWORD_MAX + 2];
    if (!read_password(password, sizeof(password))) {
        return EXIT_USAGE;
    }
    size_t plen = strlen(password);
    if (plen < BORNE_CONSOLE_PASSWORD_MIN || plen > BORNE_CONSOLE_PASSWORD_MAX) {
        sodium_memzero(password, sizeof(password));
        fprintf(stderr, "borne-registry: a password is %d to %d bytes\n",
                BORNE_CONSOLE_PASSWORD_MIN, BORNE_CONSOLE_PASSWORD_MAX);
        return EXIT_DATA;
    }
    borne_err err = borne_console_user_add(r->db, actor, argv[2], role, password);
    sodium_memzero(password, sizeof(password));
    if (err == BORNE_ERR_EXISTS) {
        fprintf(stderr, "borne-registry: user \"%s\" exists already\n", argv[2]);
        return EXIT_REFUSED;
    }
    if (!err) {
        printf("user %s added (%s)\n", argv[2], borne_console_role_name(role));
    }
    return exit_for(err);
}

struct command {
    const char *name;
    int (*run)(reg *r, int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"serve", cmd_serve,
     "[--listen ADDR:PORT] [--tls-cert PEM --tls-key PEM] [--page N] [--timeout S]\n"
     "               [--header-timeout S] [--request-timeout S] [--max-connections N]\n"
     "               [--per-address N] [--auth-failures N] [--attest-key FILE.key]\n"
     "               [--issuer TEXT]: the sync API and the web console\n"
     "               --demo [--port PORT]: a throw-away registry with the demo's event, on\n"
     "               127.0.0.1 (removed when it stops, unless --db FILE names a new file)"},
    {"user", cmd_user,
     "add NAME --role registrar|desk | list | disable NAME: the console's staff accounts"},
    {"event", cmd_event,
     "import FILE.json: an event and its sessions (docs/formats.md); set EVENT missing-exit P\n"
     "               | set EVENT issuer TEXT"},
    {"roster", cmd_roster,
     "import EVENT FILE.csv|json [--replace] [--dry-run] [--ignore-columns]: participants"},
    {"participant", cmd_participant, "delete EVENT ID"},
    {"keys", cmd_keys, "generate --out FILE.key [--id N]: a badge signing key"},
    {"token", cmd_token,
     "issue --key FILE.key --event ID [--participant ID]: badge codes (kept for kiosks)"},
    {"kiosk", cmd_kiosk,
     "add --event ID --url URL [--pin P] [--name N] [--png F] | list | revoke ID"},
    {"revoke", cmd_revoke, "--event ID CODE [--lift]: refuse a badge code on every kiosk"},
    {"report", cmd_report,
     "credits|attendance|checkins EVENT [FILE] [--format excel|csv|json] [--now TIME]"},
    {"review", cmd_review,
     "EVENT [--json] | decide ID accept|reject|edit [--entry T --exit T] --reason R --by NAME"},
    {"attest", cmd_attest,
     "EVENT --key FILE.key [--participant ID] [DIR] [--zip FILE] [--lang en] [--paper a4]:"
     " attestations of attendance (PDF)"},
    {"verify", cmd_verify, "\"CODE\": check an attestation's QR code text"},
    {"purge", cmd_purge,
     "EVENT --days N [--delete]: personal data of an event over N days ago, credits exported"},
    {"backup", cmd_backup,
     "FILE: a consistent copy of the database, mode 0600 (server running or not)"},
    {"status", cmd_status, "counts"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: borne-registry [--db FILE] COMMAND ...\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
    }
}

int main(int argc, char **argv)
{
    reg r = {.db_path = getenv("BORNE_REGISTRY_DB")};
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        r.db_path = argv[2];
        r.db_given = true;
        i = 3;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[i], "--version") == 0) {
        printf("borne-registry %s\n", BORNE_VERSION);
        return EXIT_OK;
    }
    if (!r.db_path) {
        r.db_path = "registry.db";
    }
    if (sodium_init() < 0) {
        return EXIT_SYSTEM;
    }
    for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
        if (strcmp(argv[i], commands[c].name) == 0) {
            optind = 1;
            int rc = commands[c].run(&r, argc - i, argv + i);
            borne_regdb_close(r.db);
            return rc;
        }
    }
    fprintf(stderr, "borne-registry: unknown command \"%s\"\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
