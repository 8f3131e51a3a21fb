/* bornectl: the organiser's and technician's command-line tool.
 *
 * Each subcommand is a function in the command table below; `bornectl --help` lists them and
 * docs/bornectl.1 documents them. Exit codes (also in the man page):
 *   0 success (for scan: the participant may go through)
 *   1 refused or nothing found (scan refused, search without match, no code in an image)
 *   2 usage error
 *   1 also: a roster import refused because it would remove registrations or people
 *     without --replace (nothing changed)
 *   3 bad input data (a file that does not parse; the message names line, column and value)
 *   4 store, file or system error
 *   5 not set up (no event in the store) */
#define LOG_MODULE "bornectl"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "badge/badge.h"
#include "checkin/checkin.h"
#include "cli/keyfile.h"
#include "core/attest_token.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/hours.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "core/token.h"
#include "demo/demo.h"
#include "scan/decoder.h"
#include "scan/image.h"
#include "store/import.h"
#include "store/purge.h"
#include "store/report.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "sync/sync.h"

enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,
    EXIT_USAGE = 2,
    EXIT_DATA = 3,
    EXIT_SYSTEM = 4,
    EXIT_NOT_SET_UP = 5,
};

struct ctl {
    const char *db_path;
    struct borne_config config;
    struct borne_store *store; /* opened on demand */
};

static int exit_for(borne_err err)
{
    switch (err) {
    case BORNE_OK:
        return EXIT_OK;
    case BORNE_ERR_PARSE:
    case BORNE_ERR_INVALID:
    case BORNE_ERR_TOO_LARGE:
    case BORNE_ERR_UNSUPPORTED:
        return EXIT_DATA;
    default:
        return EXIT_SYSTEM;
    }
}

static int open_store(struct ctl *ctl)
{
    if (ctl->store) {
        return EXIT_OK;
    }
    char path[512];
    if (ctl->db_path) {
        snprintf(path, sizeof(path), "%s", ctl->db_path);
    } else {
        snprintf(path, sizeof(path), "%s/borne.db", ctl->config.kiosk.data_dir);
    }
    borne_err err = borne_store_open(path, &ctl->store);
    if (err) {
        fprintf(stderr, "bornectl: cannot open the store %s: %s (use --db FILE)\n", path,
                borne_strerror(err));
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int need_event(struct ctl *ctl, borne_event *ev)
{
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    borne_err err = borne_store_current_event(ctl->store, ev);
    if (err == BORNE_ERR_NOT_FOUND) {
        fprintf(stderr, "bornectl: no event in this store: run `bornectl event import FILE`\n");
        return EXIT_NOT_SET_UP;
    }
    if (err) {
        fprintf(stderr, "bornectl: %s\n", borne_strerror(err));
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int read_input(const char *path, char **buf, size_t *len)
{
    borne_err err = borne_read_file(path, BORNE_IMPORT_MAX_BYTES, buf, len);
    if (err) {
        fprintf(stderr, "bornectl: cannot read %s: %s\n", path, borne_strerror(err));
        return err == BORNE_ERR_TOO_LARGE ? EXIT_DATA : EXIT_SYSTEM;
    }
    return EXIT_OK;
}

/* A whole number in [lo, hi], digits only. */
static bool parse_number(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!s || !*s || strlen(s) > 10 || strspn(s, "0123456789") != strlen(s)) {
        return false;
    }
    unsigned long v = strtoul(s, NULL, 10);
    if (v < lo || v > hi) {
        return false;
    }
    *out = v;
    return true;
}

/* ---- init, event, roster ---- */

static int cmd_init(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int rc = open_store(ctl);
    int version = -1;
    if (!rc && borne_sql_user_version(borne_store_sql(ctl->store), &version)) {
        fprintf(stderr, "bornectl: cannot read the store's schema version\n");
        rc = EXIT_SYSTEM;
    }
    if (!rc) {
        /* The version the store holds now (after any migration), not a number built in. */
        printf("store ready (schema %d)\n", version);
    }
    return rc;
}

/* Says on standard output how the file was read when it was not plain UTF-8. */
static void print_encoding(const borne_import_result *res)
{
    if (res->encoding == BORNE_TEXT_CP1252 || res->encoding == BORNE_TEXT_UTF16LE ||
        res->encoding == BORNE_TEXT_UTF16BE) {
        printf("file read as %s and converted to UTF-8\n", borne_text_encoding_name(res->encoding));
    }
}

static int cmd_event(struct ctl *ctl, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bornectl event import FILE.json | event show\n");
        return EXIT_USAGE;
    }
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    if (strcmp(argv[1], "show") == 0) {
        borne_event ev;
        rc = need_event(ctl, &ev);
        if (rc) {
            return rc;
        }
        borne_session *s = NULL;
        size_t n = 0;
        borne_err err = borne_store_list_sessions(ctl->store, ev.id, &s, &n);
        if (err) {
            return EXIT_SYSTEM;
        }
        char a[40], b[40];
        borne_time_format_local(ev.starts, ev.timezone, a, sizeof(a));
        borne_time_format_local(ev.ends, ev.timezone, b, sizeof(b));
        printf("event\t%u\t%s\t%s\t%s\t%s\n", ev.id, ev.name, ev.timezone, a, b);
        for (size_t i = 0; i < n; i++) {
            borne_time_format_local(s[i].starts, ev.timezone, a, sizeof(a));
            borne_time_format_local(s[i].ends, ev.timezone, b, sizeof(b));
            char rule[48];
            borne_credit_rule_format(&s[i].rule, rule, sizeof(rule));
            printf("session\t%u\t%s\t%s\t%s\t%s\t%s\t%d min\t%s\n", s[i].id, s[i].code, s[i].title,
                   s[i].room, a, b, (int)s[i].rule.credit_minutes, rule);
        }
        free(s);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "import") != 0 || argc != 3) {
        fprintf(stderr, "usage: bornectl event import FILE.json | event show\n");
        return EXIT_USAGE;
    }
    char *buf;
    size_t len;
    rc = read_input(argv[2], &buf, &len);
    if (rc) {
        return rc;
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    borne_err err = borne_import_event_json(ctl->store, buf, len, &res, msg, sizeof(msg));
    free(buf);
    if (err) {
        fprintf(stderr, "bornectl: %s: %s (nothing imported)\n", argv[2], msg);
        return exit_for(err);
    }
    char id[16];
    snprintf(id, sizeof(id), "%u", res.event_id);
    err = borne_store_state_set(ctl->store, "event_id", id);
    if (err) {
        return EXIT_SYSTEM;
    }
    print_encoding(&res);
    printf("event %u imported with %zu sessions\n", res.event_id, res.sessions);
    return EXIT_OK;
}

static int cmd_roster(struct ctl *ctl, int argc, char **argv)
{
    borne_import_options opts;
    const char *path = NULL;
    if (argc < 3 || strcmp(argv[1], "import") != 0 ||
        !borne_import_parse_args(argc, argv, 2, &opts, &path)) {
        fprintf(stderr, "usage: bornectl roster import FILE.csv|FILE.json [--replace] "
                        "[--dry-run] [--ignore-columns]\n");
        return EXIT_USAGE;
    }
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    char *buf;
    size_t len;
    rc = read_input(path, &buf, &len);
    if (rc) {
        return rc;
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    borne_err err = borne_import_roster(ctl->store, ev.id, buf, len, &opts, &res, msg, sizeof(msg));
    free(buf);
    char diff[200];
    borne_import_diff_format(&res.diff, diff, sizeof(diff));
    if (err == BORNE_ERR_PERM) {
        fprintf(stderr, "bornectl: %s: %s\nbornectl: changes it would make: %s\n", path, msg, diff);
        return EXIT_REFUSED;
    }
    if (err) {
        fprintf(stderr, "bornectl: %s: %s (nothing imported)\n", path, msg);
        return exit_for(err);
    }
    print_encoding(&res);
    if (opts.dry_run) {
        printf("dry run, nothing changed: %zu participants, %zu session registrations in the "
               "file\n",
               res.participants, res.registrations);
    } else {
        printf("%zu participants imported, %zu session registrations\n", res.participants,
               res.registrations);
    }
    printf("changes: %s\n", diff);
    if (res.diff.people_absent && !opts.replace) {
        printf("%zu participants in the store are not in the file: kept (--replace removes "
               "them)\n",
               res.diff.people_absent);
    }
    if (res.ignored[0]) {
        printf("columns ignored: %s\n", res.ignored);
    }
    return EXIT_OK;
}

/* ---- keys, tokens, badges ---- */

static int cmd_keys(struct ctl *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "generate") == 0) {
        unsigned key_id = 1;
        const char *out = NULL;
        for (int i = 2; i < argc; i++) {
            unsigned long v;
            if (strcmp(argv[i], "--key-id") == 0 && parse_number(argv[i + 1], 0, 65535, &v)) {
                key_id = (unsigned)v;
                i++;
            } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
                out = argv[++i];
            } else {
                out = NULL;
                key_id = 0;
                break;
            }
        }
        if (!out || key_id > 65535) {
            fprintf(stderr, "usage: bornectl keys generate --out FILE.key [--key-id N]\n");
            return EXIT_USAGE;
        }
        int rc = open_store(ctl);
        if (rc) {
            return rc;
        }
        borne_keyfile key = {.key_id = (uint16_t)key_id};
        uint8_t pk[32];
        crypto_sign_keypair(pk, key.secret);
        borne_err err = borne_keyfile_write(out, &key);
        sodium_memzero(&key, sizeof(key));
        if (err) {
            fprintf(stderr, "bornectl: cannot write %s: %s\n", out, borne_strerror(err));
            return EXIT_SYSTEM;
        }
        err = borne_store_put_key(ctl->store, (uint16_t)key_id, pk);
        if (err) {
            return EXIT_SYSTEM;
        }
        char b64[64];
        sodium_bin2base64(b64, sizeof(b64), pk, 32, sodium_base64_VARIANT_ORIGINAL);
        printf("key %u\t%s\n", key_id, b64);
        return EXIT_OK;
    }
    if (argc == 4 && strcmp(argv[1], "add") == 0) {
        unsigned long key_id;
        uint8_t pk[32];
        size_t len = 0;
        if (!parse_number(argv[2], 0, 65535, &key_id) ||
            sodium_base642bin(pk, sizeof(pk), argv[3], strlen(argv[3]), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            len != 32) {
            fprintf(stderr, "bornectl: a public key is 32 bytes in base64\n");
            return EXIT_DATA;
        }
        int rc = open_store(ctl);
        if (rc) {
            return rc;
        }
        return borne_store_put_key(ctl->store, (uint16_t)key_id, pk) ? EXIT_SYSTEM : EXIT_OK;
    }
    fprintf(stderr, "usage: bornectl keys generate --out FILE.key [--key-id N]\n"
                    "       bornectl keys add KEY_ID PUBLIC_KEY_BASE64\n");
    return EXIT_USAGE;
}

struct issue_opts {
    const char *key_path;
    uint32_t participant; /* 0: all */
    bool staff;
    int64_t valid_from, valid_until;
};

static int parse_issue_opts(int argc, char **argv, int first, struct issue_opts *o, const char *tz)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--key") == 0 && v) {
            o->key_path = v;
        } else if (strcmp(a, "--participant") == 0 && v) {
            unsigned long id;
            if (!parse_number(v, 1, UINT32_MAX, &id)) {
                fprintf(stderr, "bornectl: %s: not a participant id\n", v);
                return EXIT_USAGE;
            }
            o->participant = (uint32_t)id;
        } else if (strcmp(a, "--reissue") == 0) {
            /* A replacement badge: valid from now, so it differs from the lost one, which can
             * then be revoked without revoking this one. */
            o->valid_from = (int64_t)time(NULL);
            continue;
        } else if ((strcmp(a, "--valid-from") == 0 || strcmp(a, "--valid-until") == 0) && v) {
            int64_t t;
            if (borne_time_parse(v, tz, &t) || t < 0 || t > UINT32_MAX) {
                fprintf(stderr, "bornectl: %s: not a date or time\n", v);
                return EXIT_USAGE;
            }
            *(a[8] == 'f' ? &o->valid_from : &o->valid_until) = t;
        } else if (strcmp(a, "--staff") == 0) {
            o->staff = true;
            continue;
        } else {
            return EXIT_USAGE;
        }
        i++;
    }
    return o->key_path ? EXIT_OK : EXIT_USAGE;
}

static int sign_for(const struct issue_opts *o, const borne_keyfile *key, uint32_t event_id,
                    const borne_participant *p, char *out, size_t cap)
{
    borne_token tok = {
        .flags = (uint8_t)((p->member ? BORNE_TOKEN_FLAG_MEMBER : 0) |
                           (o->staff ? BORNE_TOKEN_FLAG_STAFF : 0)),
        .key_id = key->key_id,
        .event_id = event_id,
        .participant_id = p->id,
        .valid_from = (uint32_t)o->valid_from,
        .valid_until = (uint32_t)o->valid_until,
    };
    return borne_token_sign(&tok, key->secret, out, cap) ? EXIT_SYSTEM : EXIT_OK;
}

struct roster_list {
    borne_participant *items;
    size_t count, cap;
};

static void collect(void *ctx, const borne_participant *p)
{
    struct roster_list *l = ctx;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        borne_participant *grown = realloc(l->items, cap * sizeof(*grown));
        if (!grown) {
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = *p;
}

/* The participants to issue for: one, or the whole roster (ordered by name). */
static int select_participants(struct ctl *ctl, const borne_event *ev, uint32_t only,
                               struct roster_list *out)
{
    memset(out, 0, sizeof(*out));
    if (only) {
        borne_participant p;
        borne_err err = borne_store_get_participant(ctl->store, ev->id, only, &p);
        if (err) {
            fprintf(stderr, "bornectl: participant %u: %s\n", only, borne_strerror(err));
            return err == BORNE_ERR_NOT_FOUND ? EXIT_REFUSED : EXIT_SYSTEM;
        }
        collect(out, &p);
        return out->count ? EXIT_OK : EXIT_SYSTEM;
    }
    borne_err err = borne_store_each_participant(ctl->store, ev->id, collect, out);
    return err ? EXIT_SYSTEM : EXIT_OK;
}

static int load_key(const char *path, borne_keyfile *key)
{
    borne_err err = borne_keyfile_read(path, key);
    if (err) {
        fprintf(stderr, "bornectl: cannot read the signing key %s: %s\n", path,
                borne_strerror(err));
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int cmd_token(struct ctl *ctl, int argc, char **argv)
{
    borne_event ev;
    struct issue_opts o = {0};
    if (argc < 2 || strcmp(argv[1], "issue") != 0) {
        goto usage;
    }
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    if (parse_issue_opts(argc, argv, 2, &o, ev.timezone)) {
        goto usage;
    }
    borne_keyfile key;
    rc = load_key(o.key_path, &key);
    if (rc) {
        return rc;
    }
    struct roster_list list;
    rc = select_participants(ctl, &ev, o.participant, &list);
    for (size_t i = 0; !rc && i < list.count; i++) {
        char text[BORNE_TOKEN_TEXT_LEN + 1];
        rc = sign_for(&o, &key, ev.id, &list.items[i], text, sizeof(text));
        if (!rc) {
            printf("%u\t%s\n", list.items[i].id, text);
        }
    }
    sodium_memzero(&key, sizeof(key));
    free(list.items);
    return rc;
usage:
    fprintf(stderr,
            "usage: bornectl token issue --key FILE.key [--participant ID] [--staff] [--reissue]\n"
            "                            [--valid-from TIME] [--valid-until TIME]\n");
    return EXIT_USAGE;
}

static int cmd_badges(struct ctl *ctl, int argc, char **argv)
{
    borne_event ev;
    struct issue_opts o = {0};
    const char *dir = NULL, *pdf = NULL;
    enum borne_paper paper = BORNE_PAPER_LETTER;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    /* Pull out the badge options, leave the token options. */
    char *rest[32];
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--pdf") == 0 && i + 1 < argc) {
            pdf = argv[++i];
        } else if (strcmp(argv[i], "--paper") == 0 && i + 1 < argc) {
            i++;
            if (strcasecmp(argv[i], "a4") == 0) {
                paper = BORNE_PAPER_A4;
            } else if (strcasecmp(argv[i], "letter") != 0) {
                goto usage;
            }
        } else if (nrest < 30) {
            rest[nrest++] = argv[i];
        } else {
            goto usage;
        }
    }
    rest[nrest] = NULL;
    if ((!dir && !pdf) || parse_issue_opts(nrest, rest, 0, &o, ev.timezone)) {
        goto usage;
    }
    struct stat st;
    if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        /* Said before any badge is made, naming the folder rather than its first file. */
        fprintf(stderr, "bornectl: the folder %s %s (make it first: mkdir -p %s)\n", dir,
                errno == ENOENT ? "does not exist" : "is not a folder", dir);
        return EXIT_USAGE;
    }
    borne_keyfile key;
    rc = load_key(o.key_path, &key);
    if (rc) {
        return rc;
    }
    struct roster_list list;
    rc = select_participants(ctl, &ev, o.participant, &list);
    struct borne_badge_info *badges = calloc(list.count ? list.count : 1, sizeof(*badges));
    char(*tokens)[BORNE_TOKEN_TEXT_LEN + 1] = calloc(list.count ? list.count : 1, sizeof(*tokens));
    char(*refs)[16] = calloc(list.count ? list.count : 1, sizeof(*refs));
    if (!badges || !tokens || !refs) {
        rc = EXIT_SYSTEM;
    }
    for (size_t i = 0; !rc && i < list.count; i++) {
        const borne_participant *p = &list.items[i];
        rc = sign_for(&o, &key, ev.id, p, tokens[i], sizeof(tokens[i]));
        snprintf(refs[i], sizeof(refs[i]), "%u", p->id);
        badges[i] = (struct borne_badge_info){.display_name = p->display_name,
                                              .organisation = p->organisation,
                                              .event_name = ev.name,
                                              .token = tokens[i],
                                              .participant_ref = refs[i]};
        if (!rc && dir) {
            char path[1024];
            snprintf(path, sizeof(path), "%s/badge-%u.png", dir, p->id);
            borne_err err = borne_badge_write_png(&badges[i], path);
            if (err) {
                fprintf(stderr, "bornectl: %s: %s\n", path, borne_strerror(err));
                rc = exit_for(err);
            }
        }
    }
    if (!rc && pdf && list.count) {
        borne_err err = borne_badge_write_pdf(badges, list.count, paper, pdf);
        if (err) {
            fprintf(stderr, "bornectl: %s: %s\n", pdf, borne_strerror(err));
            rc = exit_for(err);
        }
    }
    if (!rc) {
        printf("%zu badges%s%s%s%s\n", list.count, dir ? " in " : "", dir ? dir : "",
               pdf ? ", sheet " : "", pdf ? pdf : "");
    }
    sodium_memzero(&key, sizeof(key));
    free(badges);
    free(tokens);
    free(refs);
    free(list.items);
    return rc;
usage:
    fprintf(stderr, "usage: bornectl badges --key FILE.key (--out DIR | --pdf FILE.pdf)\n"
                    "                       [--paper letter|a4] [--participant ID]\n");
    return EXIT_USAGE;
}

/* ---- scanning ---- */

static void print_result(const borne_scan_result *r, const borne_event *ev)
{
    printf("%s", borne_outcome_name(r->outcome));
    if (r->repeat) {
        printf("\trepeat");
    }
    if (r->has_participant) {
        printf("\t%u\t%s", r->participant.id,
               r->participant.display_name[0] ? r->participant.display_name : "?");
    }
    if (r->has_attendance) {
        char hours[32];
        borne_hours_format(r->attendance.credit_minutes, '.', hours, sizeof(hours));
        printf("\t%lld min attended\t%s h credit", (long long)(r->attendance.attended_s / 60),
               hours);
    }
    if ((r->outcome == BORNE_OUTCOME_ALREADY_IN || r->outcome == BORNE_OUTCOME_ALREADY_OUT) &&
        r->previous_ms) {
        char at[40];
        borne_time_format_local(r->previous_ms / 1000, ev->timezone, at, sizeof(at));
        printf("\tsince %s", at);
    }
    if (r->outcome == BORNE_OUTCOME_INVALID_CODE) {
        printf("\t%s", borne_token_status_name(r->token_status));
    }
    printf("\n");
}

static int parse_mode(const char *s, borne_direction *out)
{
    if (strcmp(s, "entry") == 0 || strcmp(s, "entrée") == 0) {
        *out = BORNE_ENTRY;
    } else if (strcmp(s, "exit") == 0 || strcmp(s, "sortie") == 0) {
        *out = BORNE_EXIT;
    } else {
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int cmd_scan(struct ctl *ctl, int argc, char **argv)
{
    borne_checkin_options opts = {
        .kiosk_id = ctl->config.kiosk.id,
        .session_id = (uint32_t)ctl->config.kiosk.session,
        .mode = ctl->config.kiosk.mode == BORNE_CONFIG_MODE_EXIT ? BORNE_EXIT : BORNE_ENTRY,
        .rescan_window_ms =
            ctl->config.kiosk.rescan_seconds ? ctl->config.kiosk.rescan_seconds * 1000 : -1};
    const char *text = NULL;
    for (int i = 1; i < argc; i++) {
        unsigned long id;
        if (strcmp(argv[i], "--session") == 0 && i + 1 < argc) {
            if (!parse_number(argv[++i], 0, UINT32_MAX, &id)) {
                goto usage;
            }
            opts.session_id = (uint32_t)id;
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            if (parse_mode(argv[++i], &opts.mode)) {
                goto usage;
            }
        } else if (!text) {
            text = argv[i];
        } else {
            goto usage;
        }
    }
    if (!text) {
        goto usage;
    }
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    borne_clock clock;
    borne_clock_init_system(&clock);
    struct borne_checkin *ck;
    borne_err err = borne_checkin_new(&ck, ctl->store, &clock, &opts);
    if (err) {
        fprintf(stderr, "bornectl: cannot check in%s: %s\n",
                err == BORNE_ERR_NOT_FOUND ? " (no such session?)" : "", borne_strerror(err));
        return err == BORNE_ERR_NOT_FOUND ? EXIT_USAGE : EXIT_SYSTEM;
    }
    borne_scan_result r;
    err = borne_checkin_scan(ck, (const uint8_t *)text, strlen(text), BORNE_METHOD_CLI, &r);
    borne_checkin_free(ck);
    if (err) {
        fprintf(stderr, "bornectl: NOT recorded: %s\n", borne_strerror(err));
        return EXIT_SYSTEM;
    }
    print_result(&r, &ev);
    return r.accepted ? EXIT_OK : EXIT_REFUSED;
usage:
    fprintf(stderr, "usage: bornectl scan TEXT [--session ID] [--mode entry|exit]\n");
    return EXIT_USAGE;
}

/* The bytes as a JSON string when they are UTF-8, else NULL. */
static json_t *json_text(const char *s, size_t n)
{
    return json_stringn(s, n);
}

/* The bytes in lower-case hexadecimal, as a JSON string (NULL when out of memory). */
static json_t *json_hex(const char *s, size_t n)
{
    char *hex = malloc(2 * n + 1);
    if (!hex) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
    }
    json_t *v = json_stringn(hex, 2 * n);
    free(hex);
    return v;
}

/* One line of `decode --json`: {"path": ..., "texts": [...]} or {"path": ..., "error": ...}.
 * JSON holds only text: a path or a payload that is not UTF-8 goes, in hexadecimal, in
 * "path_hex" or "hex" instead. Returns 0, or -1 when out of memory. */
static int print_decode_json(const char *path, borne_err err, const char *text, size_t len,
                             int found)
{
    json_t *obj = json_object();
    if (!obj) {
        return -1;
    }
    json_t *p = json_text(path, strlen(path));
    json_object_set_new(obj, p ? "path" : "path_hex", p ? p : json_hex(path, strlen(path)));
    if (err) {
        json_object_set_new(obj, "error", json_string(borne_strerror(err)));
    } else {
        json_t *texts = json_array();
        json_t *t = found ? json_text(text, len) : NULL;
        if (t) {
            json_array_append_new(texts, t);
        }
        json_object_set_new(obj, "texts", texts);
        if (found && !t) {
            json_t *hex = json_array();
            json_array_append_new(hex, json_hex(text, len));
            json_object_set_new(obj, "hex", hex);
        }
    }
    char *line = json_dumps(obj, JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!line) {
        return -1;
    }
    puts(line);
    free(line);
    return 0;
}

enum decode_format { DECODE_TAB, DECODE_JSON, DECODE_NUL };

static int cmd_decode(struct ctl *ctl, int argc, char **argv)
{
    (void)ctl;
    enum decode_format fmt = DECODE_TAB;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "--json") == 0) {
            fmt = DECODE_JSON;
        } else if (strcmp(argv[first], "-0") == 0 || strcmp(argv[first], "--null") == 0) {
            fmt = DECODE_NUL;
        } else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else {
            fprintf(stderr, "bornectl: decode: unknown option \"%s\"\n", argv[first]);
            goto usage;
        }
    }
    if (first >= argc) {
        goto usage;
    }
    int rc = EXIT_OK;
    for (int i = first; i < argc; i++) {
        /* Each file is a still image of its own: a fresh decoder (no region of interest or
         * running cost carried from the previous file), every pass, no time budget. */
        struct borne_decoder *dec;
        if (borne_decoder_new(&dec)) {
            return EXIT_SYSTEM;
        }
        borne_decoder_set_budget(dec, 0);
        borne_decoder_set_still(dec, 1);
        borne_image img;
        borne_err err = borne_image_load(argv[i], &img);
        char text[BORNE_SCAN_MAX_BYTES + 1];
        size_t len = 0;
        int found = 0;
        if (err) {
            fprintf(stderr, "bornectl: %s: %s\n", argv[i], borne_strerror(err));
            rc = EXIT_DATA;
        } else {
            borne_frame frame = {
                .luma = img.pixels, .width = img.width, .height = img.height, .stride = img.width};
            found = borne_decoder_decode(dec, &frame, text, sizeof(text), &len);
            borne_image_clear(&img);
        }
        borne_decoder_free(dec);
        if (!found && !err && rc == EXIT_OK) {
            rc = EXIT_REFUSED;
        }
        if (fmt == DECODE_JSON) {
            if (print_decode_json(argv[i], err, text, len, found)) {
                return EXIT_SYSTEM;
            }
        } else if (fmt == DECODE_NUL) {
            /* PATH NUL TEXT NUL: TEXT empty when nothing was read or the file was refused */
            fputs(argv[i], stdout);
            putchar('\0');
            if (found) {
                fwrite(text, 1, len, stdout);
            }
            putchar('\0');
        } else {
            fputs(argv[i], stdout);
            putchar('\t');
            if (found) {
                fwrite(text, 1, len, stdout);
            }
            putchar('\n');
        }
    }
    if (fflush(stdout) != 0) {
        return EXIT_SYSTEM;
    }
    return rc;
usage:
    fprintf(stderr, "usage: bornectl decode [--json | -0] IMAGE...\n");
    return EXIT_USAGE;
}

/* ---- roster queries, revocation ---- */

static void print_participant(void *ctx, const borne_participant *p)
{
    size_t *n = ctx;
    static const char *const status[] = {"none", "confirmed", "cancelled", "attention"};
    printf("%u\t%s\t%s\t%s\t%s\n", p->id, p->display_name, p->organisation,
           p->member ? "member" : "non-member", status[p->status]);
    (*n)++;
}

static int cmd_search(struct ctl *ctl, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bornectl search WORDS...\n");
        return EXIT_USAGE;
    }
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    char query[512] = "";
    for (int i = 1; i < argc; i++) {
        size_t used = strlen(query);
        snprintf(query + used, sizeof(query) - used, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    size_t n = 0;
    borne_err err = borne_store_search(ctl->store, ev.id, query, 50, print_participant, &n);
    if (err) {
        return EXIT_SYSTEM;
    }
    return n ? EXIT_OK : EXIT_REFUSED;
}

static int cmd_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    size_t n = 0;
    return borne_store_each_participant(ctl->store, ev.id, print_participant, &n) ? EXIT_SYSTEM
                                                                                  : EXIT_OK;
}

static int cmd_revoke(struct ctl *ctl, int argc, char **argv)
{
    if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[2], "--reason") != 0)) {
        fprintf(stderr, "usage: bornectl revoke CODE [--reason TEXT]\n");
        return EXIT_USAGE;
    }
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    borne_err err = borne_store_revoke(ctl->store, ev.id, (const uint8_t *)argv[1], strlen(argv[1]),
                                       argc == 4 ? argv[3] : "");
    if (err) {
        return EXIT_SYSTEM;
    }
    printf("revoked\n");
    return EXIT_OK;
}

/* ---- exports and reports ---- */

static FILE *open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0) {
        return stdout;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bornectl: cannot write %s: %s\n", path, strerror(errno));
    }
    return f;
}

static int close_output(FILE *f)
{
    if (f == stdout) {
        return fflush(f) == 0 ? EXIT_OK : EXIT_SYSTEM;
    }
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    return fclose(f) == 0 && ok ? EXIT_OK : EXIT_SYSTEM;
}

/* Runs `write` on the event into FILE (or standard output for "-" or no file). */
static int write_report(struct ctl *ctl, int argc, char **argv, const char *what,
                        borne_err (*write)(struct borne_store *, const borne_event *, FILE *))
{
    if (argc < 2 || argc > 3 || strcmp(argv[1], what) != 0) {
        fprintf(stderr, "usage: bornectl %s %s [FILE.csv|-]\n", argv[0], what);
        return EXIT_USAGE;
    }
    borne_event ev;
    int rc = need_event(ctl, &ev);
    if (rc) {
        return rc;
    }
    FILE *f = open_output(argc == 3 ? argv[2] : NULL);
    if (!f) {
        return EXIT_SYSTEM;
    }
    borne_err err = write(ctl->store, &ev, f);
    rc = close_output(f);
    return err ? EXIT_SYSTEM : rc;
}

static borne_err final_credits(struct borne_store *store, const borne_event *ev, FILE *f)
{
    borne_report_skips skips = {0};
    borne_err err = borne_report_credits_csv_skips(store, ev, INT64_MAX, f, &skips);
    char words[256];
    borne_report_skips_words(&skips, words, sizeof(words));
    if (!err && words[0]) {
        fprintf(stderr, "bornectl: report credits: warning: %s\n", words);
    }
    return err;
}

static int cmd_export(struct ctl *ctl, int argc, char **argv)
{
    return write_report(ctl, argc, argv, "checkins", borne_report_checkins_csv);
}

static int cmd_report(struct ctl *ctl, int argc, char **argv)
{
    return write_report(ctl, argc, argv, "credits", final_credits);
}

static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    borne_err err = borne_store_check(ctl->store);
    printf("store\t%s\n", err ? "DAMAGED" : "ok");
    borne_event ev;
    if (borne_store_current_event(ctl->store, &ev)) {
        printf("event\tnone (not set up)\n");
        return err ? EXIT_SYSTEM : EXIT_NOT_SET_UP;
    }
    int64_t people = 0, total = 0, unsynced = 0;
    borne_store_count_participants(ctl->store, ev.id, &people);
    borne_store_count_checkins(ctl->store, ev.id, &total, &unsynced);
    borne_pubkey *keys = NULL;
    size_t nkeys = 0;
    borne_store_load_keys(ctl->store, &keys, &nkeys);
    free(keys);
    printf("event\t%u\t%s\n", ev.id, ev.name);
    printf("participants\t%lld\n", (long long)people);
    printf("signing keys\t%zu\n", nkeys);
    printf("check-ins\t%lld\n", (long long)total);
    printf("not synced\t%lld\n", (long long)unsynced);
    return err ? EXIT_SYSTEM : EXIT_OK;
}

/* ---- purge (docs/privacy.md) ---- */

static int cmd_purge(struct ctl *ctl, int argc, char **argv)
{
    unsigned long days = BORNE_PURGE_DEFAULT_DAYS;
    int64_t now = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--retention-days") == 0 && i + 1 < argc &&
            parse_number(argv[i + 1], 0, 36500, &days)) {
            i++;
        } else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc &&
                   borne_time_parse(argv[i + 1], "UTC", &now) == BORNE_OK) {
            i++;
        } else {
            fprintf(stderr, "usage: bornectl purge [--retention-days N] [--now TIME]\n");
            return EXIT_USAGE;
        }
    }
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    borne_purge_report rep;
    borne_err err = borne_store_purge(ctl->store, 0, (int32_t)days, now, &rep);
    if (err) {
        fprintf(stderr, "bornectl: purge: %s\n", borne_strerror(err));
        return EXIT_SYSTEM;
    }
    printf("purged\t%u events\t%lld participants\t%lld registrations\t%lld check-ins\t%lld "
           "revoked codes\n",
           rep.events_purged, (long long)rep.participants, (long long)rep.registrations,
           (long long)rep.checkins, (long long)rep.revocations);
    printf("kept\t%u events within %lu days\t%u events not yet synced (%lld check-ins)\n",
           rep.events_recent, days, rep.events_unsynced, (long long)rep.unsynced);
    if (rep.events_unsynced > 0) {
        fprintf(stderr, "bornectl: check-ins not yet synced are never purged: sync first\n");
        return EXIT_REFUSED;
    }
    return EXIT_OK;
}

/* ---- demo ---- */

static int cmd_demo(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/borne-demo-XXXXXX";
    char path[64];
    if (!ctl->db_path) {
        if (!mkdtemp(dir)) {
            return EXIT_SYSTEM;
        }
        snprintf(path, sizeof(path), "%s/borne.db", dir);
        ctl->db_path = path;
    }
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    borne_event existing;
    if (borne_store_current_event(ctl->store, &existing) != BORNE_ERR_NOT_FOUND) {
        fprintf(stderr, "bornectl: the demo needs an empty store; %s already holds data\n",
                ctl->db_path);
        return EXIT_USAGE;
    }
    borne_fake_clock fake = {0};
    borne_clock clock;
    borne_clock_init_system(&clock);
    borne_clock_now(&clock, &fake.now);
    fake.now.trusted = true;
    borne_clock_init_fake(&clock, &fake);
    borne_demo demo;
    borne_err err = borne_demo_populate(ctl->store, fake.now.wall_ms / 1000, &demo);
    if (err) {
        fprintf(stderr, "bornectl: demo: %s\n", borne_strerror(err));
        return EXIT_SYSTEM;
    }
    borne_checkin_options opts = {.kiosk_id = "borne-demo", .session_id = BORNE_DEMO_SESSION_A1};
    struct borne_checkin *ck = NULL;
    struct borne_decoder *dec = NULL;
    enum { W = 640, H = 480 };
    uint8_t *frame = malloc(W * H);
    err = borne_checkin_new(&ck, ctl->store, &clock, &opts);
    if (!err) {
        err = borne_decoder_new(&dec);
    }
    if (err || !frame) {
        fprintf(stderr, "bornectl: demo: %s\n", borne_strerror(err));
        rc = EXIT_SYSTEM;
        goto out;
    }
    const borne_session *s = borne_checkin_session(ck);
    printf("Démo Borne — %s\nAtelier %s « %s », %s\nBase : %s\n\n", borne_checkin_event(ck)->name,
           s->code, s->title, s->room, ctl->db_path);
    for (size_t i = 0; i < demo.nsteps; i++) {
        const borne_demo_step *step = &demo.steps[i];
        borne_fake_clock_advance(&fake, step->advance_ms);
        borne_checkin_set_mode(ck, step->mode);
        /* The participant shows the code to the camera: render, decode, check in. */
        char text[BORNE_SCAN_MAX_BYTES + 1];
        size_t len = 0;
        borne_frame f = {.luma = frame, .width = W, .height = H, .stride = W};
        int found = 0;
        if (!borne_demo_render(step->code, strlen(step->code), frame, W, H)) {
            for (int pass = 0; pass < 4 && !found; pass++) {
                found = borne_decoder_decode(dec, &f, text, sizeof(text), &len);
            }
        }
        printf("%2zu. %s\n    ", i + 1, step->who);
        if (!found) {
            printf("(code non lu)\n");
            continue;
        }
        borne_scan_result r;
        err = borne_checkin_scan(ck, (const uint8_t *)text, len, BORNE_METHOD_CAMERA, &r);
        if (err) {
            printf("NON ENREGISTRÉ : %s\n", borne_strerror(err));
            rc = EXIT_SYSTEM;
            break;
        }
        print_result(&r, borne_checkin_event(ck));
    }
    if (!rc) {
        printf("\nRapport des crédits (CSV) :\n");
        err = borne_report_credits_csv(ctl->store, borne_checkin_event(ck), INT64_MAX, stdout);
        rc = err ? EXIT_SYSTEM : EXIT_OK;
    }
out:
    free(frame);
    borne_decoder_free(dec);
    borne_checkin_free(ck);
    borne_demo_clear(&demo);
    return rc;
}

/* ---- main ---- */

/* ---- registry: provision and sync (src/sync) ---- */

/* The kiosk's data directory: the folder of --db, or [kiosk] data_dir. */
static void sync_paths(const struct ctl *ctl, char *db, size_t dbcap, char *dir, size_t dircap)
{
    if (ctl->db_path) {
        snprintf(db, dbcap, "%s", ctl->db_path);
        snprintf(dir, dircap, "%s", ctl->db_path);
        char *slash = strrchr(dir, '/');
        if (slash == dir) {
            dir[1] = '\0';
        } else if (slash) {
            *slash = '\0';
        } else {
            snprintf(dir, dircap, ".");
        }
    } else {
        snprintf(db, dbcap, "%s/borne.db", ctl->config.kiosk.data_dir);
        snprintf(dir, dircap, "%s", ctl->config.kiosk.data_dir);
    }
}

static int run_sync(struct ctl *ctl, const char *setup_text)
{
    char db[512], dir[512];
    sync_paths(ctl, db, sizeof(db), dir, sizeof(dir));
    borne_clock clock;
    borne_clock_init_system(&clock);
    borne_sync_options o = {.db_path = db,
                            .data_dir = dir,
                            .kiosk_id = ctl->config.kiosk.id,
                            .clock = &clock,
                            .ca_file = ctl->config.registry.ca_file};
    struct borne_sync *sync;
    borne_err err = borne_sync_new(&o, &sync);
    if (err) {
        fprintf(stderr, "bornectl: %s\n", borne_strerror(err));
        return EXIT_SYSTEM;
    }
    char msg[256] = "";
    if (setup_text) {
        err = borne_sync_provision(sync, setup_text, msg, sizeof(msg));
    } else {
        err = borne_sync_run_once(sync);
    }
    borne_sync_status st;
    borne_sync_get_status(sync, &st);
    borne_sync_free(sync);
    if (err) {
        fprintf(stderr, "bornectl: %s\n", msg[0] ? msg : st.last_error);
        return err == BORNE_ERR_NOT_FOUND                           ? EXIT_NOT_SET_UP
               : err == BORNE_ERR_PARSE || err == BORNE_ERR_INVALID ? EXIT_DATA
               : err == BORNE_ERR_PERM                              ? EXIT_REFUSED
                                                                    : EXIT_SYSTEM;
    }
    printf("synced\tpushed %lld\trefused %lld\tpulled %lld\tcorrected %lld\tpending %lld\n",
           (long long)st.pushed, (long long)st.refused, (long long)st.pulled,
           (long long)st.corrected, (long long)st.pending);
    return EXIT_OK;
}

static int cmd_provision(struct ctl *ctl, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bornectl provision \"BORNE-SETUP/1 URL TOKEN [PIN]\"\n");
        return EXIT_USAGE;
    }
    return run_sync(ctl, argv[1]);
}

static int cmd_sync(struct ctl *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: bornectl sync\n");
        return EXIT_USAGE;
    }
    return run_sync(ctl, NULL);
}

/* ---- attestations (docs/attestations.md) ---- */

/* Reads the one QR code of an image (PNG or JPEG) into text[cap]; its length, or -1. */
static long image_code(const char *path, char *text, size_t cap)
{
    struct borne_decoder *dec;
    if (borne_decoder_new(&dec)) {
        return -1;
    }
    borne_image img;
    borne_err err = borne_image_load(path, &img);
    size_t len = 0;
    int found = 0;
    if (err) {
        fprintf(stderr, "bornectl: %s: %s\n", path, borne_strerror(err));
    } else {
        borne_frame frame = {
            .luma = img.pixels, .width = img.width, .height = img.height, .stride = img.width};
        for (int pass = 0; pass < 4 && !found; pass++) {
            found = borne_decoder_decode(dec, &frame, text, cap, &len);
        }
        borne_image_clear(&img);
    }
    borne_decoder_free(dec);
    return found ? (long)len : -1;
}

static int cmd_verify(struct ctl *ctl, int argc, char **argv)
{
    char text[BORNE_SCAN_MAX_BYTES + 1];
    size_t len;
    if (argc == 3 && strcmp(argv[1], "--image") == 0) {
        long n = image_code(argv[2], text, sizeof(text));
        if (n < 0) {
            fprintf(stderr, "bornectl: verify: no QR code found in %s\n", argv[2]);
            return EXIT_REFUSED;
        }
        len = (size_t)n;
        text[len] = '\0';
    } else if (argc == 2 && strlen(argv[1]) < sizeof(text)) {
        len = strlen(argv[1]);
        memcpy(text, argv[1], len + 1);
    } else {
        fprintf(stderr, "usage: bornectl verify \"ATTESTATION CODE\" | --image FILE.png\n");
        return EXIT_USAGE;
    }
    int rc = open_store(ctl);
    if (rc) {
        return rc;
    }
    borne_pubkey *keys = NULL;
    size_t nkeys = 0;
    if (borne_store_load_keys(ctl->store, &keys, &nkeys)) {
        return EXIT_SYSTEM;
    }
    borne_attest_token tok;
    bool genuine = borne_attest_token_check("bornectl", text, len, keys, nkeys, &tok);
    free(keys);
    if (!genuine) {
        return EXIT_REFUSED;
    }
    int y, m, d;
    borne_civil_from_days(tok.issued_day, &y, &m, &d);
    char hours[32];
    borne_hours_format(tok.total_minutes, '.', hours, sizeof(hours));
    borne_event ev;
    bool known_event = borne_store_get_event(ctl->store, tok.event_id, &ev) == BORNE_OK;
    borne_participant p;
    bool known_person = known_event && borne_store_get_participant(ctl->store, tok.event_id,
                                                                   tok.participant_id, &p) == 0;
    printf("valid\t%s\n", borne_attest_token_explain(BORNE_TOKEN_OK));
    printf("key\t%u\n", tok.key_id);
    printf("event\t%u\t%s\n", tok.event_id, known_event ? ev.name : "(not in this store)");
    printf("participant\t%u\t%s\n", tok.participant_id,
           known_person ? p.display_name : "(not in this store)");
    printf("total\t%u min\t%s h\n", tok.total_minutes, hours);
    printf("issued\t%04d-%02d-%02d\n", y, m, d);
    return EXIT_OK;
}

struct command {
    const char *name;
    int (*run)(struct ctl *ctl, int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"init", cmd_init, "create (or migrate) the store"},
    {"event", cmd_event, "import FILE.json | show: the event and its sessions"},
    {"roster", cmd_roster,
     "import FILE.csv|FILE.json [--replace] [--dry-run]: participants and registrations"},
    {"keys", cmd_keys, "generate --out FILE.key | add ID KEY: badge signing keys"},
    {"token", cmd_token, "issue --key FILE.key [--participant ID]: signed badge codes"},
    {"badges", cmd_badges, "--key FILE.key --out DIR | --pdf FILE.pdf: printable badges"},
    {"scan", cmd_scan, "TEXT [--session ID] [--mode entry|exit]: decide and record"},
    {"decode", cmd_decode, "[--json | -0] IMAGE...: read QR codes from PNG or JPEG files"},
    {"search", cmd_search, "WORDS...: find participants by name, accents ignored"},
    {"list", cmd_list, "list the roster"},
    {"revoke", cmd_revoke, "CODE [--reason TEXT]: refuse a badge code from now on"},
    {"export", cmd_export, "checkins [FILE.csv]: every check-in"},
    {"report", cmd_report, "credits [FILE.csv]: minutes attended and credit hours"},
    {"status", cmd_status, "store health, counts, sync backlog"},
    {"purge", cmd_purge, "[--retention-days N] [--now TIME]: forget synced, ended events"},
    {"provision", cmd_provision, "\"SETUP TEXT\": enrol this kiosk with the registry, first sync"},
    {"sync", cmd_sync, "push check-ins to the registry, pull the roster (once)"},
    {"verify", cmd_verify, "\"CODE\" | --image FILE: check an attestation's QR code"},
    {"demo", cmd_demo, "a day at the door, simulated, on a throw-away store"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: bornectl [--db FILE] [--config FILE] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].help);
    }
    fprintf(to, "\nexit codes: 0 ok, 1 refused or not found, 2 usage, 3 bad input data,\n"
                "            4 store or system error, 5 not set up. See bornectl(1).\n");
}

int main(int argc, char **argv)
{
    struct ctl ctl = {0};
    const char *config_path = NULL;
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "+d:c:hV", options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            ctl.db_path = optarg;
            break;
        case 'c':
            config_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf("bornectl %s\n", BORNE_VERSION);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        return EXIT_SYSTEM;
    }
    borne_config_defaults(&ctl.config, BORNE_CONFIG_MACHINE_ID);
    if (config_path || access(BORNE_CONFIG_DEFAULT_PATH, R_OK) == 0) {
        struct borne_config_error cerr;
        const char *path = config_path ? config_path : BORNE_CONFIG_DEFAULT_PATH;
        if (borne_config_load_file(&ctl.config, path, &cerr)) {
            char msg[256];
            borne_config_describe_error(&cerr, path, msg, sizeof(msg));
            fprintf(stderr, "bornectl: %s\n", msg);
            return EXIT_DATA;
        }
    }
    borne_config_apply_env(&ctl.config);
    if (!ctl.db_path) {
        ctl.db_path = getenv("BORNE_DB");
    }
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) == 0) {
            int rc = commands[i].run(&ctl, argc - optind, argv + optind);
            borne_store_close(ctl.store);
            return rc;
        }
    }
    fprintf(stderr, "bornectl: unknown command \"%s\"\n", name);
    usage(stderr);
    return EXIT_USAGE;
}
