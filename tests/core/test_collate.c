/* Tests of core/collate: names in French order, by surname then given names (accents, case,
 * ligatures and particles folded as collate.h says), and the store's lists and reports in that
 * order (the BORNE_NAME collation of every store connection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/collate.h"
#include "store/report.h"
#include "store/store.h"
#include "support/fixture.h"

static int cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return borne_name_compare(x, strlen(x), y, strlen(y));
}

static void test_french_order(void **state)
{
    (void)state;
    /* Expected order: by surname (folded), then given names. */
    const char *expected[] = {
        "Éric d’Amours",            /* amours (the elided particle is not a sort letter) */
        "François Bélanger",        /* belanger */
        "Émilie Côté",              /* cote emilie */
        "Ève Côté",                 /* cote eve */
        "zoé côté",                 /* cote zoe: case ignored */
        "Jean de la Fontaine",      /* fontaine */
        "Ægir Lœwen",               /* loewen: ligatures spelt out */
        "Hélène Tremblay",          /* tremblay */
        "Hélène Tremblay-Lévesque", /* tremblay levesque: after the shorter surname */
        "Zoë Abel-Zyx",             /* abel zyx? no: see below */
    };
    /* "Zoë Abel-Zyx" sorts under A: move it first. */
    const char *sorted_expect[] = {"Zoë Abel-Zyx", expected[0], expected[1], expected[2],
                                   expected[3],    expected[4], expected[5], expected[6],
                                   expected[7],    expected[8]};
    const char *names[] = {expected[7], expected[9], expected[6], expected[2], expected[4],
                           expected[1], expected[8], expected[0], expected[5], expected[3]};
    size_t n = sizeof(names) / sizeof(names[0]);
    qsort(names, n, sizeof(names[0]), cmp);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], sorted_expect[i]) != 0) {
            fail_msg("position %zu: \"%s\", expected \"%s\"", i, names[i], sorted_expect[i]);
        }
    }
}

static void test_keys(void **state)
{
    (void)state;
    char k[256];
    borne_name_sort_key("Hélène Tremblay-Lévesque", strlen("Hélène Tremblay-Lévesque"), k,
                        sizeof(k));
    assert_string_equal(k, "tremblay levesque\x01helene\x01\x01");
    borne_name_sort_key("Jean de la Fontaine", 19, k, sizeof(k));
    assert_string_equal(k, "fontaine\x01jean\x01"
                           "de la\x01");
    borne_name_sort_key("  Œdipe   ÆGIR  ", 17, k, sizeof(k));
    assert_string_equal(k, "aegir\x01oedipe\x01\x01");
    /* One word, empty, ill-formed bytes, a tiny buffer: no overflow, a key still. */
    borne_name_sort_key("Madonna", 7, k, sizeof(k));
    assert_string_equal(k, "madonna\x01\x01\x01");
    assert_int_equal(borne_name_sort_key("", 0, k, sizeof(k)), 3);
    borne_name_sort_key("\xff\xfe Roy", 6, k, sizeof(k));
    assert_string_equal(k, "roy\x01\x01\x01");
    char tiny[4];
    assert_true(borne_name_sort_key("Hélène Tremblay", 16, tiny, sizeof(tiny)) < sizeof(tiny));
    assert_int_equal(tiny[3], '\0');
    /* Total order: equal keys fall back on bytes. */
    assert_true(borne_name_compare("cote", 4, "côte", 5) != 0);
    assert_int_equal(borne_name_compare("Roy", 3, "Roy", 3), 0);
}

struct names {
    char list[16][BORNE_NAME_MAX];
    size_t n;
};

static void collect(void *ctx, const borne_participant *p)
{
    struct names *x = ctx;
    if (x->n < 16) {
        snprintf(x->list[x->n++], sizeof(x->list[0]), "%s", p->display_name);
    }
}

/* The store lists people (badges, counts) in that order, and the credits report too. */
static void test_store_order(void **state)
{
    (void)state;
    fixture fx;
    assert_int_equal(fixture_open(&fx), 0);
    assert_int_equal(fixture_query_int(fx.store, "DELETE FROM participant"), -1);
    static const char *const people[] = {"Zoë Abel", "Ægir Zeller", "Ève Côté", "Émilie Côté",
                                         "Jean de la Fontaine"};
    for (size_t i = 0; i < 5; i++) {
        borne_participant p = {
            .id = 500u + (uint32_t)i, .event_id = FIX_EVENT, .status = BORNE_REG_CONFIRMED};
        snprintf(p.display_name, sizeof(p.display_name), "%s", people[i]);
        assert_int_equal(borne_store_put_participant(fx.store, &p, NULL), BORNE_OK);
    }
    struct names x = {0};
    assert_int_equal(borne_store_each_participant(fx.store, FIX_EVENT, collect, &x), BORNE_OK);
    static const char *const order[] = {"Zoë Abel", "Émilie Côté", "Ève Côté",
                                        "Jean de la Fontaine", "Ægir Zeller"};
    assert_int_equal(x.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(x.list[i], order[i]);
    }
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_order),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_store_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
