/* The web console in a real browser: headless Chromium driven through chromedriver's W3C
 * WebDriver HTTP API (libcurl, on 127.0.0.1 only). At 1366x768 and at 768x1024: sign-in with a
 * wrong password (refused, the page says so) then the right one, the events list, the live view
 * of event 42 whose counts change without a reload while a kiosk pushes check-ins; the review
 * queue, where each round accepts, edits (times and reason) and rejects a case with the
 * registrar's forms (the second round changes the first one's decisions), each case then read
 * back (decided by alice, the edited times, the edit form proposing them) and the participant's
 * hours on the credits page following it (an edit's, 0 for a rejection); the credits page
 * reached from the event page (per-participant totals, the event's, links, settings form); with
 * the browser's session the Excel file (BOM, ';', decimal comma, CRLF: header and Hélène's
 * rows), the machine CSV, every attestation in one zip (one PDF per participant who attended,
 * from the local headers, and unzip's listing and test when installed) and one attestation
 * (read back with pdftotext: the participant's name); the participant search and timeline, the
 * audit log, English, sign-out, and the desk's corrections. A screenshot of each page goes to
 * BUILD/tests/console-screenshots/. Without chromium and chromedriver the test is skipped
 * (exit 77) with a message saying so. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry/client.h"
#include "support/fixture.h"

#define SKIP_CODE 77
#define ELEMENT   "element-6066-11e4-a52e-4f735466cecf"

static const char *chromium_bin, *driver_bin;

typedef struct driver {
    pid_t pid;
    uint16_t port;
    char session[128];
    char profile[400];
} driver;

static driver wd_proc;
static test_registry reg;
static char shots[600];
static char kiosk_token[128];

static const char *find_exe(const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (access(names[i], X_OK) == 0) {
            return names[i];
        }
    }
    return NULL;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

typedef struct buf {
    char *data;
    size_t len;
} buf;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    buf *b = ctx;
    char *g = realloc(b->data, b->len + size * n + 1);
    if (!g) {
        return 0;
    }
    memcpy(g + b->len, p, size * n);
    b->len += size * n;
    g[b->len] = '\0';
    b->data = g;
    return size * n;
}

/* One WebDriver command; returns the answer's "value" (new reference), fails the test on an
 * HTTP error unless `may_fail`. */
static json_t *wd(const char *method, const char *path, json_t *body, bool may_fail)
{
    char url[600];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)wd_proc.port, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    buf b = {0};
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 90L);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, text ? text : "{}");
    }
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(text);
    json_decref(body);
    if (rc != CURLE_OK || status != 200) {
        if (may_fail) {
            free(b.data);
            return NULL;
        }
        fail_msg("webdriver %s %s: curl %d, HTTP %ld: %.400s", method, path, (int)rc, status,
                 b.data ? b.data : "");
    }
    json_t *root = json_loadb(b.data, b.len, 0, NULL);
    free(b.data);
    assert_non_null(root);
    json_t *v = json_incref(json_object_get(root, "value"));
    json_decref(root);
    return v;
}

static void sess_path(char *out, size_t cap, const char *tail)
{
    snprintf(out, cap, "/session/%s%s", wd_proc.session, tail);
}

static void go(const char *path)
{
    char p[200], url[300];
    sess_path(p, sizeof(p), "/url");
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)reg.proc.port, path);
    json_decref(wd("POST", p, json_pack("{s:s}", "url", url), false));
}

static void current_path(char *out, size_t cap)
{
    char p[200];
    sess_path(p, sizeof(p), "/url");
    json_t *v = wd("GET", p, NULL, false);
    const char *url = json_string_value(v);
    const char *slash = url ? strchr(url + 8, '/') : NULL;
    snprintf(out, cap, "%s", slash ? slash : "");
    json_decref(v);
}

/* The element's id for a CSS selector, or "" when absent. */
static void find(const char *css, char *id, size_t cap)
{
    char p[200];
    sess_path(p, sizeof(p), "/element");
    json_t *v = wd("POST", p, json_pack("{s:s,s:s}", "using", "css selector", "value", css), true);
    snprintf(id, cap, "%s", v ? json_string_value(json_object_get(v, ELEMENT)) : "");
    json_decref(v);
}

static void type_into(const char *css, const char *text)
{
    char id[128], p[300];
    find(css, id, sizeof(id));
    assert_true(id[0]);
    snprintf(p, sizeof(p), "/session/%s/element/%s/clear", wd_proc.session, id);
    json_decref(wd("POST", p, json_object(), false));
    snprintf(p, sizeof(p), "/session/%s/element/%s/value", wd_proc.session, id);
    json_decref(wd("POST", p, json_pack("{s:s}", "text", text), false));
}

static void click(const char *css)
{
    char id[128], p[300];
    find(css, id, sizeof(id));
    assert_true(id[0]);
    snprintf(p, sizeof(p), "/session/%s/element/%s/click", wd_proc.session, id);
    json_decref(wd("POST", p, json_object(), false));
}

static void text_of(const char *css, char *out, size_t cap)
{
    char id[128], p[300];
    find(css, id, sizeof(id));
    if (!id[0]) {
        out[0] = '\0';
        return;
    }
    snprintf(p, sizeof(p), "/session/%s/element/%s/text", wd_proc.session, id);
    json_t *v = wd("GET", p, NULL, false);
    snprintf(out, cap, "%s", json_string_value(v) ? json_string_value(v) : "");
    json_decref(v);
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Whether the page holds `needle`, waiting (bounded) for a navigation under way to end. */
static bool page_has(const char *needle)
{
    char p[200];
    sess_path(p, sizeof(p), "/source");
    for (int i = 0;; i++) {
        json_t *v = wd("GET", p, NULL, false);
        bool has = json_string_value(v) && strstr(json_string_value(v), needle);
        if (has || i == 50) {
            if (!has) {
                fprintf(stderr, "page without \"%s\":\n%.3000s\n", needle,
                        json_string_value(v) ? json_string_value(v) : "");
            }
            json_decref(v);
            return has;
        }
        json_decref(v);
        pause_ms(200);
    }
}

/* Waits (bounded) until the page's path is `want` (a click's navigation may still run). */
static void expect_path(const char *want)
{
    char path[300] = "";
    for (int i = 0; i < 50; i++) {
        current_path(path, sizeof(path));
        if (strcmp(path, want) == 0) {
            return;
        }
        pause_ms(200);
    }
    fail_msg("at \"%s\", expected \"%s\"", path, want);
}

static void screenshot(const char *size, const char *name)
{
    char p[200], file[800];
    sess_path(p, sizeof(p), "/screenshot");
    json_t *v = wd("GET", p, NULL, false);
    const char *b64 = json_string_value(v);
    assert_non_null(b64);
    size_t cap = strlen(b64), len = 0;
    unsigned char *png = malloc(cap);
    assert_int_equal(sodium_base642bin(png, cap, b64, strlen(b64), NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    json_decref(v);
    assert_true(len > 8 && memcmp(png, "\x89PNG", 4) == 0);
    snprintf(file, sizeof(file), "%s/%s-%s.png", shots, size, name);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(png, 1, len, f), len);
    fclose(f);
    free(png);
}

/* Runs `script` (async: it calls `done` with a string) in the page; the string (malloc'ed). */
static char *in_page(const char *script)
{
    char p[200], full[2000];
    sess_path(p, sizeof(p), "/execute/async");
    snprintf(full, sizeof(full), "var done = arguments[arguments.length - 1]; %s", script);
    json_t *v = wd("POST", p, json_pack("{s:s,s:[]}", "script", full, "args"), false);
    char *s = strdup(json_string_value(v) ? json_string_value(v) : "");
    json_decref(v);
    return s;
}

/* Downloads `path` with the browser's session; the bytes (base64 through the page). */
static unsigned char *download(const char *path, size_t *len, char *type, size_t tcap)
{
    char script[1200];
    snprintf(script, sizeof(script),
             "fetch('%s', {credentials: 'same-origin'}).then(function (r) {"
             " var t = r.status + ' ' + (r.headers.get('Content-Type') || '');"
             " return r.arrayBuffer().then(function (b) {"
             "  var u = new Uint8Array(b), s = '';"
             "  for (var i = 0; i < u.length; i += 8192) {"
             "   s += String.fromCharCode.apply(null, u.subarray(i, i + 8192)); }"
             "  done(t + '\\n' + btoa(s)); }); }).catch(function (e) { done('error ' + e); });",
             path);
    char *answer = in_page(script);
    char *nl = strchr(answer, '\n');
    assert_non_null(nl);
    *nl = '\0';
    snprintf(type, tcap, "%s", answer);
    size_t cap = strlen(nl + 1) + 1;
    unsigned char *out = malloc(cap);
    assert_int_equal(sodium_base642bin(out, cap, nl + 1, strlen(nl + 1), NULL, len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    free(answer);
    return out;
}

/* An entry of participant `participant` at `session` (of event 42) at `wall_ms`, recorded
 * then by a trusted clock, pushed by the kiosk. */
static void push_entry(const char *uuid, uint32_t participant, uint32_t session, int64_t wall_ms)
{
    char rec[1024], body[1200], digits[16];
    checkin_json(rec, sizeof(rec), uuid, 42, participant, wall_ms, true);
    /* checkin_json's session (101) and recording time (09:00) are ours: same number of digits. */
    char *s = strstr(rec, "\"session_id\":101");
    assert_non_null(s);
    assert_true(session >= 100 && session <= 999);
    snprintf(digits, sizeof(digits), "%u", (unsigned)session);
    memcpy(s + strlen("\"session_id\":"), digits, 3);
    char *rec_at = strstr(rec, "\"wall_recorded_ms\":1779282000000");
    assert_non_null(rec_at);
    assert_int_equal(snprintf(digits, sizeof(digits), "%lld", (long long)wall_ms), 13);
    memcpy(rec_at + strlen("\"wall_recorded_ms\":"), digits, 13);
    snprintf(body, sizeof(body), "{\"checkins\":[%s]}", rec);
    http_resp a;
    assert_int_equal(http_do(reg.proc.port, "POST", "/v1/checkins", kiosk_token, "application/json",
                             body, strlen(body), &a),
                     0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
}

/* Waits (bounded, the page's poll is every 3 s) until the cell reads `want`. */
static void wait_text(const char *css, const char *want)
{
    char got[64] = "";
    for (int i = 0; i < 150; i++) {
        text_of(css, got, sizeof(got));
        if (strcmp(got, want) == 0) {
            return;
        }
        pause_ms(200);
    }
    fail_msg("%s reads \"%s\", expected \"%s\" (the live view did not update)", css, got, want);
}

static void start_driver(void)
{
    wd_proc.port = free_port();
    char port_arg[32], log[700];
    snprintf(port_arg, sizeof(port_arg), "--port=%u", (unsigned)wd_proc.port);
    snprintf(log, sizeof(log), "%s/chromedriver.log", reg.proc.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        (void)f;
        dup2(1, 2);
        execl(driver_bin, driver_bin, port_arg, "--allowed-ips=127.0.0.1", (char *)NULL);
        _exit(127);
    }
    wd_proc.pid = pid;
    for (int i = 0; i < 100; i++) {
        json_t *v = wd("GET", "/status", NULL, true);
        bool ready = v && json_is_true(json_object_get(v, "ready"));
        json_decref(v);
        if (ready) {
            break;
        }
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    snprintf(wd_proc.profile, sizeof(wd_proc.profile), "--user-data-dir=%s/chromium-profile",
             reg.proc.dir);
    json_t *args = json_pack("[s,s,s,s,s,s,s,s,s,s]", "--headless=new", "--no-sandbox",
                             "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--disable-dev-shm-usage", wd_proc.profile);
    json_t *caps =
        json_pack("{s:{s:{s:s,s:b,s:{s:s,s:o,s:{s:s}}}}}", "capabilities", "alwaysMatch",
                  "browserName", "chrome", "acceptInsecureCerts", 0, "goog:chromeOptions", "binary",
                  chromium_bin, "args", args, "prefs", "intl.accept_languages", "fr-CA,fr");
    json_t *v = wd("POST", "/session", caps, false);
    snprintf(wd_proc.session, sizeof(wd_proc.session), "%s",
             json_string_value(json_object_get(v, "sessionId")));
    json_decref(v);
    assert_true(wd_proc.session[0]);
}

static void stop_driver(void)
{
    if (wd_proc.session[0]) {
        char p[200];
        sess_path(p, sizeof(p), "");
        json_decref(wd("DELETE", p, NULL, true));
        wd_proc.session[0] = '\0';
    }
    if (wd_proc.pid > 0) {
        kill(wd_proc.pid, SIGTERM);
        waitpid(wd_proc.pid, NULL, 0);
        wd_proc.pid = 0;
    }
}

/* The element's text with its non-breaking spaces (U+00A0, U+202F: the French typography of
 * the pages) as plain spaces, into out[cap]. */
static void plain_text_of(const char *css, char *out, size_t cap)
{
    text_of(css, out, cap);
    size_t w = 0;
    for (size_t r = 0; out[r];) {
        if ((unsigned char)out[r] == 0xc2 && (unsigned char)out[r + 1] == 0xa0) {
            out[w++] = ' ';
            r += 2;
        } else if ((unsigned char)out[r] == 0xe2 && (unsigned char)out[r + 1] == 0x80 &&
                   (unsigned char)out[r + 2] == 0xaf) {
            out[w++] = ' ';
            r += 3;
        } else {
            out[w++] = out[r++];
        }
    }
    out[w] = '\0';
}

/* The credits page (/events/42/credits): participant P's total hours read `hours`. */
static void expect_hours(uint32_t participant, const char *hours)
{
    char path[300], css[80], got[64];
    current_path(path, sizeof(path));
    if (strcmp(path, "/events/42/credits") != 0) {
        go("/events/42/credits");
    }
    snprintf(css, sizeof(css), "#credits tr[data-participant=\"%u\"] td.hours", participant);
    plain_text_of(css, got, sizeof(got));
    if (strcmp(got, hours) != 0) {
        fail_msg("participant %u: the credits page reads \"%s\" h, expected \"%s\"", participant,
                 got, hours);
    }
}

/* One decision made with the review page's form of case `id` ("102-3"): "accept", "reject"
 * (with `reason`) or "edit" (`entry` and `exit` HH:MM on the event's day, and `reason`). The
 * page comes back at the case, which then reads `shows` (spaces for non-breaking ones). */
static void decide(const char *size, const char *id, const char *decision, const char *entry,
                   const char *exit_time, const char *reason, const char *shows)
{
    char css[160], want[80], text[1000];
    go("/events/42/review");
    if (entry) {
        char script[400];
        snprintf(script, sizeof(script),
                 "var f = document.querySelector('#case-%s input[name=decision][value=edit]').form;"
                 " f.entry.value = '2026-05-20T%s'; f.exit.value = '2026-05-20T%s'; done('ok');",
                 id, entry, exit_time);
        free(in_page(script));
    }
    if (reason) {
        snprintf(css, sizeof(css), "#case-%s input[name=decision][value=%s] ~ input[name=reason]",
                 id, decision);
        type_into(css, reason);
    }
    snprintf(css, sizeof(css), "#case-%s button.%s", id, decision);
    click(css);
    snprintf(want, sizeof(want), "/events/42/review#case-%s", id);
    expect_path(want);
    if (entry) { /* the edit form now proposes the times decided */
        char script[300], times[80];
        snprintf(script, sizeof(script),
                 "var f = document.querySelector('#case-%s input[name=decision][value=edit]').form;"
                 " done(f.entry.value + ' ' + f.exit.value);",
                 id);
        char *got = in_page(script);
        snprintf(times, sizeof(times), "2026-05-20T%s 2026-05-20T%s", entry, exit_time);
        assert_string_equal(got, times);
        free(got);
    }
    snprintf(css, sizeof(css), "#case-%s > p", id);
    plain_text_of(css, text, sizeof(text));
    if (!strstr(text, shows)) {
        fail_msg("case %s reads \"%s\", expected \"%s\" in it", id, text, shows);
    }
    screenshot(size, strcmp(decision, "accept") == 0 ? "10-review-accepted"
                     : strcmp(decision, "edit") == 0 ? "13-review-edited"
                                                     : "14-review-rejected");
}

/* The review queue (docs/console.md): at each size one case accepted, one edited, one rejected
 * with the registrar's forms, each decision shown on its case and in the credits page's
 * totals. The second round changes the first round's decisions (the latest one stands). B2 is
 * 13:00–15:00, 2 h, proportional:15; the entries of 3, 4 and 5 (13:10, 13:20, 13:40) were
 * never closed and count until 15:00 under the policy "full": 1,75, 1,50 and 1,25 h. */
static void review_steps(const char *size, int round)
{
    go("/events/42/review");
    assert_true(page_has("id=\"case-101-1\""));
    assert_true(page_has("id=\"case-102-3\""));
    assert_true(page_has("sortie non scannée"));
    screenshot(size, "9-review");
    if (round == 0) {
        expect_hours(3, "1,75");
        expect_hours(4, "1,50");
        expect_hours(5, "1,25");
        /* Hélène's A1 entry (09:00) was never closed: accepted, 90 min, 1,50 h. */
        decide(size, "101-1", "accept", NULL, NULL, NULL, "acceptée par alice");
        expect_hours(1, "1,50");
        decide(size, "102-3", "edit", "13:30", "14:30", "feuille de présence signée",
               "corrigée par alice (2026-05-20 13:30–14:30) — motif : feuille de "
               "présence signée");
        expect_hours(3, "1,00");
        decide(size, "102-4", "reject", NULL, NULL, "badge prêté à un collègue",
               "refusée par alice — motif : badge prêté à un collègue");
        expect_hours(4, "0,00");
    } else {
        /* The decisions change: the latest stands. */
        decide(size, "102-4", "accept", NULL, NULL, NULL, "acceptée par alice");
        expect_hours(4, "1,50");
        decide(size, "102-5", "edit", "13:00", "14:45", "arrivée notée à l’accueil",
               "corrigée par alice (2026-05-20 13:00–14:45) — motif : arrivée notée "
               "à l’accueil");
        expect_hours(5, "1,75");
        decide(size, "102-3", "reject", NULL, NULL, "présence non confirmée",
               "refusée par alice — motif : présence non confirmée");
        expect_hours(3, "0,00");
    }
}

static void desk_steps(const char *size, int round);
static void credits_steps(const char *size, int round);
static void save(const char *name, const unsigned char *data, size_t len, char *file, size_t cap);

static void run_at(const char *size, int width, int height, int round)
{
    char p[200];
    sess_path(p, sizeof(p), "/window/rect");
    json_decref(wd("POST", p, json_pack("{s:i,s:i}", "width", width, "height", height), false));
    sess_path(p, sizeof(p), "/cookie");
    json_decref(wd("DELETE", p, NULL, false));

    /* Sign-in: a page asks for it; a wrong password is refused, the right one lets in. */
    go("/events/42");
    expect_path("/signin?next=/events/42");
    screenshot(size, "1-signin");
    type_into("#name", "alice");
    type_into("#password", "not the password");
    click("button[type=submit]");
    assert_true(page_has("Nom d’utilisateur ou mot de passe incorrect."));
    screenshot(size, "2-signin-refused");
    type_into("#name", "alice");
    type_into("#password", "correct horse battery");
    click("button[type=submit]");
    expect_path("/events/42");

    /* Live view: a kiosk pushes, the page's figures follow without a reload. */
    char before[32];
    snprintf(before, sizeof(before), "%d", round);
    wait_text("tr[data-session=\"101\"] .s-checked_in", before);
    /* A mark in the page's memory: it survives only if the page is not reloaded. */
    free(in_page("window.borneMark = 'same page'; done('ok');"));
    char uuid[64];
    snprintf(uuid, sizeof(uuid), "7a2d4c6e-0000-4000-8000-00000000000%d", round + 1);
    push_entry(uuid, (uint32_t)(round + 1), 101, 1779282000000 + round * 60000);
    char after[32];
    snprintf(after, sizeof(after), "%d", round + 1);
    wait_text("tr[data-session=\"101\"] .s-checked_in", after);
    wait_text("tr[data-session=\"101\"] .s-in_room", after);
    char updated[200];
    text_of("#updated", updated, sizeof(updated));
    assert_non_null(strstr(updated, "mis à jour"));
    char *mark = in_page("done(String(window.borneMark));");
    assert_string_equal(mark, "same page"); /* updated in place, not reloaded */
    free(mark);
    assert_true(page_has("horloge non fiable"));
    char clock[64];
    text_of("tr[data-kiosk] .k-clock", clock, sizeof(clock)); /* redrawn by the page's script */
    assert_string_equal(clock, "non fiable");
    screenshot(size, "4-live");

    review_steps(size, round);

    go("/events");
    assert_true(page_has("Congrès 2026"));
    screenshot(size, "3-events");

    /* Search (no accents typed), then the timeline. */
    go("/events/42");
    type_into("form.search input[name=q]", "helene");
    click("form.search button[type=submit]");
    assert_true(page_has("Hélène Tremblay"));
    screenshot(size, "5-search");
    click("table.list a");
    expect_path("/events/42/participants/1");
    assert_true(page_has("entrée"));
    screenshot(size, "6-participant");

    credits_steps(size, round);

    /* Downloads with the browser's session: the machine CSV, one attestation. */
    char type[200];
    size_t len;
    unsigned char *csv = download("/events/42/credits.csv", &len, type, sizeof(type));
    assert_int_equal(strncmp(type, "200 text/csv", 12), 0);
    csv = realloc(csv, len + 1);
    csv[len] = '\0';
    assert_non_null(strstr((char *)csv, "Hélène Tremblay"));
    free(csv);
    unsigned char *pdf = download("/events/42/attestations/1.pdf", &len, type, sizeof(type));
    assert_string_equal(type, "200 application/pdf");
    assert_true(len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    char name[80], file[700], cmd[1600], text[8192];
    snprintf(name, sizeof(name), "%s-attestation.pdf", size);
    save(name, pdf, len, file, sizeof(file));
    free(pdf);
    if (access("/usr/bin/pdftotext", X_OK) == 0) {
        snprintf(cmd, sizeof(cmd), "pdftotext '%s' -", file);
        FILE *pp = popen(cmd, "r");
        size_t n = fread(text, 1, sizeof(text) - 1, pp);
        text[n] = '\0';
        pclose(pp);
        assert_non_null(strstr(text, "Hélène Tremblay"));
    }

    go("/audit");
    assert_true(page_has("export.credits"));
    screenshot(size, "7-audit");

    /* English, then sign out. */
    go("/events/42");
    click("header a.lang");
    assert_true(page_has("In the room"));
    screenshot(size, "8-live-en");
    click("header a.lang");
    click("form.signout button");
    expect_path("/signin");
    desk_steps(size, round);
}

static void test_console_in_browser(void **state)
{
    (void)state;
    registry_up(&reg, NULL);
    registry_fixture_event(&reg);
    /* Entries left open earn nothing under the default policy (review): "full" for downloads. */
    assert_int_equal(
        harness_admin(&reg.proc, NULL, 0, "event", "set", "42", "missing-exit", "full", NULL), 0);
    registry_down(&reg);
    char key[400];
    snprintf(key, sizeof(key), "%s/sign.key", reg.proc.dir);
    assert_int_equal(harness_serve(&reg.proc, 0, "--attest-key", key, NULL), 0);
    web_add_user(&reg, "alice", "registrar", "correct horse battery");
    registry_kiosk(&reg, 42, kiosk_token, NULL);
    /* The kiosk's status report, shown in the live view (its clock not yet trusted). */
    const char *st = "{\"version\":\"0.1.0\",\"pending\":3,\"checkins\":0,"
                     "\"last_scan_ms\":1779282060000,\"clock\":\"untrusted\","
                     "\"wall_ms\":1779282061000}";
    http_resp a;
    assert_int_equal(http_do(reg.proc.port, "POST", "/v1/status", kiosk_token, "application/json",
                             st, strlen(st), &a),
                     0);
    assert_int_equal(a.status, 200);
    http_resp_free(&a);
    /* Three entries in B2 (13:00–15:00) never closed, for the review queue: Marie (13:10),
     * Luc (13:20), Sophie (13:40). Not Hélène's nor Jean's: the desk steps add B2 scans to
     * theirs. */
    static const uint32_t open_b2[] = {3, 4, 5};
    static const int64_t at_min[] = {10, 20, 40};
    for (size_t i = 0; i < 3; i++) {
        char uuid[64];
        snprintf(uuid, sizeof(uuid), "7a2d4c6e-0000-4000-8000-0000000001%02u",
                 (unsigned)open_b2[i]);
        push_entry(uuid, open_b2[i], 102, 1779296400000 + at_min[i] * 60000);
    }
    start_driver();
    run_at("1366x768", 1366, 768, 0);
    run_at("768x1024", 768, 1024, 1);
    stop_driver();
    registry_cleanup(&reg);
}

int main(void)
{
    static const char *const chromiums[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                                            "/usr/bin/google-chrome", NULL};
    static const char *const drivers[] = {"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver",
                                          NULL};
    chromium_bin = find_exe(chromiums);
    driver_bin = find_exe(drivers);
    if (!chromium_bin || !driver_bin) {
        printf("SKIPPED: the console's browser tests need chromium and chromedriver (Debian: "
               "apt-get install chromium chromium-driver; packaging/devtool deps installs them)\n");
        return SKIP_CODE;
    }
    const char *build = getenv("BORNE_BUILD_DIR");
    snprintf(shots, sizeof(shots), "%s/tests/console-screenshots", build ? build : ".");
    mkdir(shots, 0755);
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console_in_browser),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    stop_driver(); /* also after a failure */
    curl_global_cleanup();
    printf("screenshots in %s\n", shots);
    return rc;
}

/* The desk (docs/console.md, "Corrections at the desk"): a desk user adds a manual exit for the
 * participant the kiosk checked in this round, replaces her badge, downloads the badge PDF. */
static void desk_steps(const char *size, int round)
{
    if (round == 0) {
        web_add_user(&reg, "nadia", "desk", "correct horse battery");
    }
    go("/signin");
    type_into("#name", "nadia");
    type_into("#password", "correct horse battery");
    click("button[type=submit]");
    expect_path("/events");
    char path[64];
    snprintf(path, sizeof(path), "/events/42/participants/%d", round + 1);
    go(path);
    /* In B2 (102), so that the live view's figures of A1 that run_at checks stay the same: a
     * manual entry, then the manual exit. */
    static const char *const steps[][2] = {{"entry", "13:05"}, {"exit", "14:30"}};
    for (size_t i = 0; i < 2; i++) {
        char css[80], script[200];
        click("select[name=session] option[value=\"102\"]");
        snprintf(css, sizeof(css), "select[name=direction] option[value=%s]", steps[i][0]);
        click(css);
        snprintf(script, sizeof(script),
                 "document.querySelector('input[name=time]').value = '2026-05-20T%s';"
                 " done('ok');",
                 steps[i][1]);
        free(in_page(script));
        type_into("form[action$=\"/scan\"] input[name=reason]", "badge oublié");
        click("form[action$=\"/scan\"] button");
        expect_path(path);
    }
    assert_true(page_has("entrée saisie par nadia à la console"));
    assert_true(page_has("sortie saisie par nadia à la console"));
    screenshot(size, "11-desk-exit");
    type_into("form[action$=\"/badge\"] input[name=reason]", "badge perdu");
    click("form[action$=\"/badge\"] button");
    expect_path(path);
    screenshot(size, "12-desk-badge");
    char pdf_path[80], type[200];
    snprintf(pdf_path, sizeof(pdf_path), "%s/badge.pdf", path);
    size_t len;
    unsigned char *pdf = download(pdf_path, &len, type, sizeof(type));
    assert_string_equal(type, "200 application/pdf");
    assert_true(len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    free(pdf);
    click("form.signout button");
    expect_path("/signin");
}

/* Writes `len` bytes to DIR/NAME (the registry's test folder); the path into file[cap]. */
static void save(const char *name, const unsigned char *data, size_t len, char *file, size_t cap)
{
    snprintf(file, cap, "%s/%s", reg.proc.dir, name);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* The names of a zip's entries, read from its local file headers, one per line into out[cap];
 * the number of entries. */
static size_t zip_names(const unsigned char *z, size_t len, char *out, size_t cap)
{
    size_t n = 0, at = 0, w = 0;
    out[0] = '\0';
    while (at + 30 <= len && memcmp(z + at, "PK\x03\x04", 4) == 0) {
        unsigned flags = z[at + 6] | z[at + 7] << 8;
        size_t size =
            z[at + 18] | z[at + 19] << 8 | (size_t)z[at + 20] << 16 | (size_t)z[at + 21] << 24;
        size_t name_len = z[at + 26] | z[at + 27] << 8, extra = z[at + 28] | z[at + 29] << 8;
        assert_true(at + 30 + name_len + extra + size <= len);
        assert_false(flags & 8); /* sizes in the header, not after the data */
        assert_true(w + name_len + 2 <= cap);
        memcpy(out + w, z + at + 30, name_len);
        w += name_len;
        out[w++] = '\n';
        out[w] = '\0';
        at += 30 + name_len + extra + size;
        n++;
    }
    assert_true(at + 4 <= len && memcmp(z + at, "PK\x01\x02", 4) == 0); /* the central directory */
    return n;
}

/* The credits page reached from the event page's link, then its downloads with the browser's
 * session: the Excel file and every attestation in one zip. The figures follow review_steps
 * and, in the second round, the first round's desk steps (Hélène in B2 13:05–14:30 by hand:
 * 85 min, 1,25 h) and Jean's open A1 entry (09:01: 1,50 h). */
static void credits_steps(const char *size, int round)
{
    static const struct {
        const char *total;     /* the event's hours */
        const char *hours[6];  /* participants 1 to 5, NULL: not listed */
        const char *helene[3]; /* her lines of the Excel file, without CRLF */
        const char *pdfs;      /* the zip's entries */
    } want[2] = {
        {"Total de l’événement : 3,75 h · Participants : 4",
         {"1,50", NULL, "1,00", "0,00", "1,25"},
         {"1;Hélène Tremblay;101;A1;Gestion documentaire;90;1,50;sortie non scannée;acceptée",
          "1;Total — Hélène Tremblay;;;;90;1,50;;\"\""},
         "Marie-Cote-3.pdf\nSophie-Roy-5.pdf\nHelene-Tremblay-1.pdf\n"},
        {"Total de l’événement : 7,50 h · Participants : 5",
         {"2,75", "1,50", "0,00", "1,50", "1,75"},
         {"1;Hélène Tremblay;101;A1;Gestion documentaire;90;1,50;sortie non scannée;acceptée",
          "1;Hélène Tremblay;102;B2;Éthique municipale;85;1,25;;\"\"",
          "1;Total — Hélène Tremblay;;;;175;2,75;;\"\""},
         "Luc-Gagnon-4.pdf\nJean-Levesque-2.pdf\nSophie-Roy-5.pdf\nHelene-Tremblay-1.pdf\n"},
    };
    go("/events/42");
    click("nav.actions a[href=\"/events/42/credits\"]");
    expect_path("/events/42/credits");
    char text[400], id[128];
    plain_text_of("#credits-total", text, sizeof(text));
    if (!strstr(text, want[round].total)) {
        fail_msg("the credits page reads \"%s\", expected \"%s\"", text, want[round].total);
    }
    for (uint32_t p = 1; p <= 5; p++) {
        if (want[round].hours[p - 1]) {
            expect_hours(p, want[round].hours[p - 1]);
        } else {
            char css[80];
            snprintf(css, sizeof(css), "#credits tr[data-participant=\"%u\"]", p);
            find(css, id, sizeof(id));
            assert_false(id[0]);
        }
    }
    static const char *const present[] = {
        "#export-excel",
        "a[href=\"/events/42/credits.csv\"]",
        "a[href=\"/events/42/credits.json\"]",
        "#attest-zip",
        "form.settings select[name=missing_exit] option[value=full][selected]",
        "form.settings input[name=issuer]"};
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        find(present[i], id, sizeof(id));
        if (!id[0]) {
            fail_msg("the credits page has no %s", present[i]);
        }
    }
    screenshot(size, "15-credits");

    /* The Excel file: BOM, ';', decimal comma, CRLF, her rows and total, the event's total. */
    char type[200], file[700], name[80];
    size_t len;
    unsigned char *xl = download("/events/42/credits-excel.csv", &len, type, sizeof(type));
    assert_string_equal(type, "200 text/csv; charset=utf-8");
    xl = realloc(xl, len + 1);
    xl[len] = '\0';
    const char *csv = (const char *)xl;
    assert_true(len > 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0);
    static const char header[] = "N° participant;Nom;N° séance;Code;Séance;Minutes de présence;"
                                 "Heures créditées;Remarques;Révision\r\n";
    assert_int_equal(strncmp(csv + 3, header, strlen(header)), 0);
    for (const char *nl = strchr(csv, '\n'); nl; nl = strchr(nl + 1, '\n')) {
        assert_true(nl > csv && nl[-1] == '\r');
    }
    assert_true(len > 2 && csv[len - 2] == '\r' && csv[len - 1] == '\n');
    for (size_t i = 0; i < 3 && want[round].helene[i]; i++) {
        char line[300];
        snprintf(line, sizeof(line), "\n%s\r\n", want[round].helene[i]);
        if (!strstr(csv, line)) {
            fail_msg("the Excel file has no line \"%s\":\n%s", want[round].helene[i], csv);
        }
    }
    char total[120];
    snprintf(total, sizeof(total), "\n;Total de l’événement;;;Congrès 2026;;%s;;\"\"\r\n",
             round == 0 ? "3,75" : "7,50");
    if (!strstr(csv, total)) {
        fail_msg("the Excel file has no event total \"%s\":\n%s", total, csv);
    }
    free(xl);

    /* Every attestation, one PDF per participant who attended, in one zip. */
    unsigned char *zip = download("/events/42/attestations.zip", &len, type, sizeof(type));
    assert_string_equal(type, "200 application/zip");
    assert_true(len > 4 && memcmp(zip, "PK\x03\x04", 4) == 0);
    char names[1000];
    zip_names(zip, len, names, sizeof(names));
    assert_string_equal(names, want[round].pdfs);
    snprintf(name, sizeof(name), "%s-attestations.zip", size);
    save(name, zip, len, file, sizeof(file));
    free(zip);
    if (access("/usr/bin/unzip", X_OK) == 0) {
        /* unzip reads the central directory: the same PDFs, and their CRCs check. */
        char cmd[1600], listed[2000];
        snprintf(cmd, sizeof(cmd), "unzip -Z1 '%s' && unzip -tq '%s' >/dev/null", file, file);
        FILE *pp = popen(cmd, "r");
        assert_non_null(pp);
        size_t n = fread(listed, 1, sizeof(listed) - 1, pp);
        listed[n] = '\0';
        assert_int_equal(pclose(pp), 0);
        assert_string_equal(listed, want[round].pdfs);
    }
}
