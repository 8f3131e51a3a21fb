/* The web console in a real browser: headless Chromium driven through chromedriver's W3C
 * WebDriver HTTP API (libcurl, on 127.0.0.1 only). At 1366x768 and at 768x1024: sign-in with a
 * wrong password (refused, the page says so) then the right one, the events list, the live view
 * of event 42 whose counts change without a reload while a kiosk pushes check-ins, the
 * participant search and timeline, the credits export and the attestation downloaded with the
 * browser's session (the PDF read back with pdftotext: the participant's name), the audit log.
 * A screenshot of each page goes to BUILD/tests/console-screenshots/. Without chromium and
 * chromedriver the test is skipped (exit 77) with a message saying so. */
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

static void push_entry(const char *uuid, uint32_t participant, int64_t wall_ms)
{
    char rec[1024], body[1200];
    checkin_json(rec, sizeof(rec), uuid, 42, participant, wall_ms, true);
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

static void desk_steps(const char *size, int round);

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
    push_entry(uuid, (uint32_t)(round + 1), 1779282000000 + round * 60000);
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
    screenshot(size, "4-live");

    if (round == 0) {
        /* The review queue (1366x768): Hélène's entry was never closed; the registrar accepts
         * it and the page shows the case decided. */
        go("/events/42/review");
        assert_true(page_has("id=\"case-101-1\""));
        assert_true(page_has("sortie non scannée"));
        screenshot(size, "9-review");
        click("#case-101-1 button.accept");
        expect_path("/events/42/review#case-101-1");
        assert_true(page_has("acceptée</strong> par alice"));
        screenshot(size, "10-review-accepted");
    }

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

    /* Downloads with the browser's session. */
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
    char file[700], cmd[1600], text[8192];
    snprintf(file, sizeof(file), "%s/%s-attestation.pdf", reg.proc.dir, size);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf, 1, len, f), len);
    fclose(f);
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
