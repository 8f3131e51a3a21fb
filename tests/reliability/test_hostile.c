/* Hostile and forged codes through the whole scan path.
 *
 * - The hostile corpus (hostile.c): each payload that fits in a QR code is drawn into a grey
 *   frame (borne_demo_render) and read back by the real decoder, which must return the exact
 *   bytes; then the bytes go through borne_checkin_scan, which must give the expected refusal
 *   (payloads too large for a QR code go in as a USB scanner would type them). Afterwards the
 *   store is whole, its tables are all there, and no payload was stored raw.
 * - Names on screen: participants whose names carry bidirectional overrides, terminal escapes
 *   and controls come back from a scan as stored; after the kiosk's sanitiser
 *   (borne_utf8_sanitize) they pass assert_display_safe.
 * - Forgery: every single-bit change of a genuine badge's text (130 x 8) and of its binary record
 *   (84 x 8, re-encoded), every truncation and many extensions are refused, never accepted.
 * The other side, a hostile kiosk sending bad records to the registry (sessions, participants and
 * times that are not the event's, huge numbers, reused UUIDs), is
 * tests/registry/test_registry_integrity.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/checkin.h"
#include "core/base45.h"
#include "core/utf8.h"
#include "demo/demo.h"
#include "reliability/hostile.h"
#include "reliability/rel_support.h"
#include "scan/decoder.h"
#include "support/checkin_fixture.h"
#include "support/fixture.h"

#define FRAME_W 1280
#define FRAME_H 960

typedef checkin_fixture ctx;

static int setup(void **state)
{
    borne_checkin_options opts = {.kiosk_id = "hostile",
                                  .session_id = FIX_SESSION_A,
                                  .mode = BORNE_ENTRY,
                                  .rescan_window_ms = -1};
    return checkin_fixture_setup(state, &opts);
}

static borne_scan_result scan(ctx *c, const uint8_t *bytes, size_t len, borne_method method)
{
    borne_scan_result r;
    fixture_set_time(&c->fx, c->fx.fake.now.wall_ms / 1000 + 1, true);
    borne_err err = borne_checkin_scan(c->ck, bytes, len, method, &r);
    if (err) {
        fail_msg("scan failed: %s", borne_strerror(err));
    }
    return r;
}

static void test_hostile_corpus(void **state)
{
    ctx *c = *state;
    size_t n;
    hostile_payload *corpus = hostile_corpus(&n);
    struct borne_decoder *dec;
    assert_int_equal(borne_decoder_new(&dec), BORNE_OK);
    uint8_t *luma = malloc((size_t)FRAME_W * FRAME_H);
    char *text = malloc(BORNE_SCAN_MAX_BYTES + 1);
    assert_non_null(luma);
    assert_non_null(text);
    int64_t tables = fixture_query_int(c->fx.store, "SELECT count(*) FROM sqlite_master");
    size_t drawn = 0, typed = 0;
    for (size_t i = 0; i < n; i++) {
        hostile_payload *p = &corpus[i];
        if (p->revoke) {
            assert_int_equal(borne_store_revoke(c->fx.store, FIX_EVENT, p->bytes, p->len, "test"),
                             BORNE_OK);
        }
        const uint8_t *bytes = p->bytes;
        size_t len = p->len;
        borne_method method = BORNE_METHOD_SCANNER;
        if (len > 0 &&
            borne_demo_render((const char *)p->bytes, len, luma, FRAME_W, FRAME_H) == BORNE_OK) {
            borne_frame frame = {
                .luma = luma, .width = FRAME_W, .height = FRAME_H, .stride = FRAME_W};
            size_t got = 0;
            borne_decoder_reset(dec);
            int found = 0;
            for (int tries = 0; tries < 6 && !found; tries++) {
                found = borne_decoder_decode(dec, &frame, text, BORNE_SCAN_MAX_BYTES + 1, &got);
            }
            if (!found) {
                fail_msg("%s: drawn but not read back", p->name);
            }
            if (got != len || memcmp(text, p->bytes, len) != 0) {
                fail_msg("%s: read back %zu bytes, not the %zu drawn", p->name, got, len);
            }
            bytes = (const uint8_t *)text;
            method = BORNE_METHOD_CAMERA;
            drawn++;
        } else {
            typed++;
        }
        borne_scan_result r = scan(c, bytes, len, method);
        if (r.outcome != p->expect) {
            fail_msg("%s: outcome %d, expected %d", p->name, (int)r.outcome, (int)p->expect);
        }
        bool should_pass = p->expect == BORNE_OUTCOME_ACCEPTED_ENTRY;
        assert_int_equal(r.accepted, should_pass);
        assert_true(r.recorded);
        if (r.has_participant) {
            char safe[BORNE_NAME_MAX];
            borne_utf8_sanitize(safe, sizeof(safe), r.participant.display_name,
                                strlen(r.participant.display_name), 0, NULL);
            assert_display_safe(safe);
        }
    }
    assert_true(rel_integrity_ok(c->fx.store));
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM sqlite_master"), tables);
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM participant"), 6);
    assert_int_equal(fixture_query_int(c->fx.store, "SELECT count(*) FROM checkin"), (int64_t)n);
    /* Scanned text is never stored raw, only its fingerprint. */
    assert_false(fixture_file_contains(&c->fx, "DROP TABLE"));
    assert_false(fixture_file_contains(&c->fx, "reboot"));
    assert_false(fixture_file_contains(&c->fx, "etc/shadow"));
    printf("hostile: %zu payloads, %zu drawn and read back by the decoder, %zu typed (too large "
           "for a QR code or empty); every outcome as expected, store whole\n",
           n, drawn, typed);
    fflush(stdout);
    free(text);
    free(luma);
    borne_decoder_free(dec);
    hostile_free(corpus, n);
}

static void test_hostile_names_display_safe(void **state)
{
    ctx *c = *state;
    static const char *const names[] = {
        "\xe2\x80\xae"
        "ecnerolF emaD",                   /* right-to-left override */
        "Zo\xc3\xa9 \x1b[31mRouge\x1b[0m", /* terminal escapes */
        "Line\nBreak\tTab\x07",            /* controls */
        "Isolate \xe2\x81\xa6"
        "abc\xe2\x81\xa9", /* bidirectional isolate */
        "Sep\xe2\x80\xa8"
        "arator", /* line separator */
        "\xd8\x9c"
        "Arabic mark", /* U+061C */
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        uint32_t id = 500 + (uint32_t)i;
        borne_participant p = {.id = id, .event_id = FIX_EVENT, .status = BORNE_REG_CONFIRMED};
        snprintf(p.display_name, sizeof(p.display_name), "%s", names[i]);
        snprintf(p.organisation, sizeof(p.organisation), "Org\xe2\x80\xae%zu", i);
        assert_int_equal(borne_store_put_participant(c->fx.store, &p, NULL), BORNE_OK);
        uint32_t sessions[] = {FIX_SESSION_A};
        assert_int_equal(borne_store_set_registrations(c->fx.store, FIX_EVENT, id, sessions, 1),
                         BORNE_OK);
        char tok[BORNE_TOKEN_TEXT_LEN + 1];
        rel_sign(FIX_EVENT, id, 0, 0, 0, tok);
        borne_scan_result r = scan(c, (const uint8_t *)tok, strlen(tok), BORNE_METHOD_CAMERA);
        assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
        assert_true(r.has_participant);
        /* As stored, the name would fool the screen; the sanitiser makes it safe. */
        assert_false(
            rel_display_safe(r.participant.display_name, sizeof(r.participant.display_name), NULL));
        char name[BORNE_NAME_MAX], org[BORNE_NAME_MAX];
        borne_utf8_sanitize(name, sizeof(name), r.participant.display_name,
                            strlen(r.participant.display_name), 0, NULL);
        borne_utf8_sanitize(org, sizeof(org), r.participant.organisation,
                            strlen(r.participant.organisation), 0, NULL);
        assert_display_safe(name);
        assert_display_safe(org);
    }
}

/* Scans a variant of a genuine badge; it must be refused and say why. */
static void refuse(ctx *c, const uint8_t *bytes, size_t len, long *count)
{
    borne_scan_result r = scan(c, bytes, len, BORNE_METHOD_SCANNER);
    if (r.accepted || r.token_status == BORNE_TOKEN_OK) {
        fail_msg("an altered badge was accepted (outcome %d)", (int)r.outcome);
    }
    assert_true(r.outcome == BORNE_OUTCOME_INVALID_CODE || r.outcome == BORNE_OUTCOME_UNKNOWN_CODE);
    (*count)++;
}

static void test_altered_badges_never_accepted(void **state)
{
    ctx *c = *state;
    char tok[BORNE_TOKEN_TEXT_LEN + 1];
    rel_sign(FIX_EVENT, FIX_P_JEAN, 0, 0, 0, tok);
    uint8_t buf[BORNE_TOKEN_TEXT_LEN + 8];
    long tried = 0;

    /* Every bit of the text. */
    for (size_t i = 0; i < BORNE_TOKEN_TEXT_LEN; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(buf, tok, BORNE_TOKEN_TEXT_LEN);
            buf[i] ^= (uint8_t)(1u << bit);
            refuse(c, buf, BORNE_TOKEN_TEXT_LEN, &tried);
        }
    }
    /* Every bit of the signed record, re-encoded so that only the signature can catch it. */
    uint8_t raw[BORNE_TOKEN_RAW_LEN];
    size_t raw_len = 0;
    assert_int_equal(borne_base45_decode(tok + BORNE_TOKEN_PREFIX_LEN,
                                         BORNE_TOKEN_TEXT_LEN - BORNE_TOKEN_PREFIX_LEN, raw,
                                         sizeof(raw), &raw_len),
                     BORNE_OK);
    assert_int_equal(raw_len, BORNE_TOKEN_RAW_LEN);
    for (size_t i = 0; i < BORNE_TOKEN_RAW_LEN; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t alt[BORNE_TOKEN_RAW_LEN];
            memcpy(alt, raw, sizeof(alt));
            alt[i] ^= (uint8_t)(1u << bit);
            char text[BORNE_TOKEN_TEXT_LEN + 1];
            memcpy(text, BORNE_TOKEN_PREFIX, BORNE_TOKEN_PREFIX_LEN);
            assert_int_equal(borne_base45_encode(alt, sizeof(alt), text + BORNE_TOKEN_PREFIX_LEN,
                                                 sizeof(text) - BORNE_TOKEN_PREFIX_LEN),
                             BORNE_OK);
            refuse(c, (const uint8_t *)text, strlen(text), &tried);
        }
    }
    /* Every truncation, and extensions by each Base45 character and a few bytes. */
    for (size_t len = 0; len < BORNE_TOKEN_TEXT_LEN; len++) {
        refuse(c, (const uint8_t *)tok, len, &tried);
    }
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    for (size_t k = 0; k < sizeof(alphabet) - 1; k++) {
        for (size_t extra = 1; extra <= 3; extra++) {
            memcpy(buf, tok, BORNE_TOKEN_TEXT_LEN);
            memset(buf + BORNE_TOKEN_TEXT_LEN, alphabet[k], extra);
            refuse(c, buf, BORNE_TOKEN_TEXT_LEN + extra, &tried);
        }
    }
    static const char *const tails[] = {"\n", "\r\n", "\0", " ", "\t"};
    for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
        memcpy(buf, tok, BORNE_TOKEN_TEXT_LEN);
        size_t tl = k == 2 ? 1 : strlen(tails[k]);
        memcpy(buf + BORNE_TOKEN_TEXT_LEN, tails[k], tl);
        refuse(c, buf, BORNE_TOKEN_TEXT_LEN + tl, &tried);
    }
    /* The genuine badge still works after all that. */
    borne_scan_result r = scan(c, (const uint8_t *)tok, BORNE_TOKEN_TEXT_LEN, BORNE_METHOD_CAMERA);
    assert_int_equal(r.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    printf("forgery: %ld altered badges (text bit flips, record bit flips, truncations, "
           "extensions), none accepted; the genuine one still is\n",
           tried);
    fflush(stdout);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hostile_corpus, setup, checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_names_display_safe, setup,
                                        checkin_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_altered_badges_never_accepted, setup,
                                        checkin_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
