/* The kiosk's screens as people use them, in process and headless (SDL's dummy video driver,
 * software rendering): the embedded demo (its congrès, roster and PIN 1234) without its
 * simulated participants, driven through the kiosk's test hooks (borne_kiosk_act, key events),
 * with what each screen draws read back from the drawing context's record (texts with their
 * size and lines, buttons with their rectangles) and what is recorded read from the view.
 *
 * - every touch target of the staff screens and the PIN screen is at least 48 px at 800x480;
 * - an exit that earns no hours is amber with the reason, and its details come in English too;
 * - the demo hint is readable, long session titles wrap instead of shrinking, the menu's tiles
 *   leave no word alone, the power screen promises no registry when there is none;
 * - fullscreen without a size takes the display's own size;
 * - search: scrollable results with the organisation on each row, "keep typing" when capped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/demo.h"
#include "kiosk/kiosk.h"
#include "store/store.h"
#include "ui/i18n.h"
#include "ui/screens.h"
#include "checkin/checkin.h"
#include "ui/ui.h"

typedef struct demo {
    struct borne_kiosk *k;
} demo;

static void headless(void)
{
    const char *driver = getenv("BORNE_TEST_VIDEODRIVER");
    setenv("SDL_VIDEODRIVER", driver && driver[0] ? driver : "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/po/locale", getenv("BORNE_BUILD_DIR"));
    setenv("BORNE_LOCALEDIR", dir, 1);
}

static int demo_setup(void **state)
{
    headless();
    demo *d = calloc(1, sizeof(*d));
    struct borne_kiosk_options o = {.demo = true,
                                    .windowed = true,
                                    .width = 800,
                                    .height = 480,
                                    .silent = true,
                                    .no_inputs = true,
                                    .demo_autoplay_off = true};
    if (!d || borne_kiosk_new(&o, &d->k) != BORNE_OK) {
        return -1;
    }
    *state = d;
    return 0;
}

static int demo_teardown(void **state)
{
    demo *d = *state;
    borne_kiosk_free(d->k);
    free(d);
    return 0;
}

static const borne_view *view(demo *d)
{
    return borne_kiosk_view(d->k);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Staff mode the real way: F2, the PIN on the keyboard, Enter; the menu within 10 s. */
static void open_staff(demo *d)
{
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    const SDL_Keycode keys[] = {SDLK_F2, SDLK_1, SDLK_2, SDLK_3, SDLK_4, SDLK_RETURN};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        SDL_Event e;
        SDL_zero(e);
        e.type = SDL_KEYDOWN;
        e.key.keysym.sym = keys[i];
        assert_true(SDL_PushEvent(&e) >= 0);
    }
    int64_t end = now_ms() + 10000;
    while (view(d)->screen != BORNE_SCREEN_MENU) {
        if (now_ms() > end) {
            fail_msg("no staff menu (screen %s)", borne_screen_name(view(d)->screen));
        }
        borne_kiosk_step(d->k, 50);
    }
}

static void type(demo *d, const char *text)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof(e.text.text), "%s", text);
    assert_true(SDL_PushEvent(&e) >= 0);
    borne_kiosk_step(d->k, 0);
}

/* Esc on a result screen: back at once to where it returns. */
static void dismiss_result(demo *d)
{
    assert_int_equal(view(d)->screen, BORNE_SCREEN_RESULT);
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_ESCAPE;
    assert_true(SDL_PushEvent(&e) >= 0);
    borne_kiosk_step(d->k, 0);
}

/* People added straight into the demo's store (a connection of the test's own): "Pat Essai
 * N" of "Organisation N", ids from 1001. */
static void add_people(demo *d, int n)
{
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_ABOUT);
    struct borne_store *store = NULL;
    assert_int_equal(borne_store_open(view(d)->db_path, &store), BORNE_OK);
    for (int i = 1; i <= n; i++) {
        borne_participant p = {.id = 1000u + (uint32_t)i,
                               .event_id = BORNE_DEMO_EVENT_ID,
                               .status = BORNE_REG_CONFIRMED};
        snprintf(p.display_name, sizeof(p.display_name), "Pat Essai %d", i);
        snprintf(p.organisation, sizeof(p.organisation), "Organisation %d", i);
        assert_int_equal(borne_store_put_participant(store, &p, NULL), BORNE_OK);
    }
    borne_store_close(store);
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* The drawn text holding `needle`, or NULL. */
static const borne_ui_drawn *drawn_text(struct borne_ui *ui, const char *needle)
{
    for (size_t i = 0; i < borne_ui_drawn_count(ui); i++) {
        const borne_ui_drawn *t = borne_ui_drawn_get(ui, i);
        if (!t->button && strstr(t->text, needle)) {
            return t;
        }
    }
    return NULL;
}

static size_t count_buttons(struct borne_ui *ui, int action)
{
    size_t n = 0;
    for (size_t i = 0; i < borne_ui_drawn_count(ui); i++) {
        const borne_ui_drawn *b = borne_ui_drawn_get(ui, i);
        n += b->button && !b->disabled && b->action == action;
    }
    return n;
}

/* Every button and pressable area of the screen now drawn is at least 48x48. */
static void check_targets(demo *d, const char *what)
{
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    assert_int_equal(borne_ui_w(ui), 800);
    size_t buttons = 0;
    for (size_t i = 0; i < borne_ui_drawn_count(ui); i++) {
        const borne_ui_drawn *b = borne_ui_drawn_get(ui, i);
        if (!b->button) {
            continue;
        }
        buttons++;
        if (b->r.h < 48 || b->r.w < 48) {
            fail_msg("%s: the button \"%s\" (action %d) is %dx%d, under 48 px", what, b->text,
                     b->action, b->r.w, b->r.h);
        }
    }
    if (buttons == 0) {
        fail_msg("%s: no buttons drawn", what);
    }
}

static void test_touch_targets(void **state)
{
    demo *d = *state;
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    open_staff(d);
    check_targets(d, "menu");
    static const borne_screen screens[] = {
        BORNE_SCREEN_SEARCH, BORNE_SCREEN_WALKIN, BORNE_SCREEN_SESSIONS, BORNE_SCREEN_COUNTS,
        BORNE_SCREEN_RECENT, BORNE_SCREEN_EXPORT, BORNE_SCREEN_ABOUT,    BORNE_SCREEN_POWER};
    for (size_t i = 0; i < sizeof(screens) / sizeof(screens[0]); i++) {
        borne_kiosk_act(d->k, BORNE_ACT_GOTO, screens[i]);
        assert_int_equal(view(d)->screen, screens[i]);
        check_targets(d, borne_screen_name(screens[i]));
        borne_kiosk_act(d->k, BORNE_ACT_BACK, 0);
    }
    /* Search with results (the rows are buttons), then a person's page. */
    add_people(d, 9);
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type(d, "essai");
    assert_int_equal(view(d)->nfound, 9);
    check_targets(d, "search results");
    borne_kiosk_act(d->k, BORNE_ACT_PICK, 0);
    assert_int_equal(view(d)->screen, BORNE_SCREEN_PERSON);
    check_targets(d, "person");
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    /* The PIN screen. */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_F2;
    assert_true(SDL_PushEvent(&e) >= 0);
    borne_kiosk_step(d->k, 0);
    assert_int_equal(view(d)->screen, BORNE_SCREEN_PIN);
    check_targets(d, "pin");
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* Search: the organisation on each row, a page at a time with ▲ ▼, "keep typing" when capped. */
static void test_search_rows_scroll(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type(d, "essai");
    const borne_view *v = view(d);
    size_t n = v->nfound;
    assert_int_equal(n, 9);
    assert_false(v->found_more);
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    size_t page = count_buttons(ui, BORNE_ACT_PICK);
    assert_true(page >= 4 && page < n);
    assert_int_equal(page, borne_screens_page(ui, BORNE_SCREEN_SEARCH));
    /* Each row shows its person's organisation. */
    for (size_t i = 0; i < page; i++) {
        if (v->found[i].organisation[0] && !drawn_text(ui, v->found[i].organisation)) {
            fail_msg("row %zu: no organisation \"%s\"", i, v->found[i].organisation);
        }
    }
    char count[32];
    snprintf(count, sizeof(count), "%zu réponses", n);
    assert_non_null(drawn_text(ui, count));
    /* Down to the last page and back up: every person is reachable. */
    size_t seen = page;
    assert_int_equal(count_buttons(ui, BORNE_ACT_SCROLL), 1); /* ▲ is disabled at the top */
    while (seen < n) {
        borne_kiosk_act(d->k, BORNE_ACT_SCROLL, 1);
        ui = borne_kiosk_draw(d->k);
        size_t shown = count_buttons(ui, BORNE_ACT_PICK);
        assert_true(shown > 0);
        assert_non_null(drawn_text(ui, v->found[v->scroll].display_name));
        seen += shown;
    }
    assert_int_equal(seen, n);
    borne_kiosk_act(d->k, BORNE_ACT_SCROLL, 1); /* past the end: stays */
    assert_int_equal(v->scroll + count_buttons(borne_kiosk_draw(d->k), BORNE_ACT_PICK), n);
    while (v->scroll > 0) {
        borne_kiosk_act(d->k, BORNE_ACT_SCROLL, -1);
    }
    /* Typing starts a new list from its top. */
    borne_kiosk_act(d->k, BORNE_ACT_SCROLL, 1);
    assert_true(v->scroll > 0);
    type(d, " ");
    assert_int_equal(v->scroll, 0);
    /* More people than the list holds: "keep typing", in the warning colour. */
    add_people(d, BORNE_VIEW_LIST_MAX + 5);
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type(d, "pat");
    assert_int_equal(v->nfound, BORNE_VIEW_LIST_MAX);
    assert_true(v->found_more);
    ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "continuez à taper"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* A manual entry then exit at the same minute: the exit earns no hours: amber, with the reason,
 * and the presence line in English under the French one. */
static void test_exit_without_hours(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type(d, "cote");
    const borne_view *v = view(d);
    assert_int_equal(v->nfound, 1);
    borne_kiosk_act(d->k, BORNE_ACT_PICK, 0);
    borne_kiosk_act(d->k, BORNE_ACT_CHECK_IN, 0);
    assert_int_equal(v->screen, BORNE_SCREEN_RESULT);
    assert_int_equal(v->result.outcome, BORNE_OUTCOME_ACCEPTED_ENTRY);
    assert_int_equal(borne_view_result_look(v).cls, BORNE_LOOK_ACCEPTED);
    /* Then the search again, cleared, keyboard up: her page, her exit. */
    dismiss_result(d);
    assert_int_equal(v->screen, BORNE_SCREEN_SEARCH);
    assert_string_equal(v->query, "");
    assert_int_equal(v->nfound, 0);
    assert_true(count_buttons(borne_kiosk_draw(d->k), BORNE_ACT_KEY) > 40);
    type(d, "cote");
    borne_kiosk_act(d->k, BORNE_ACT_PICK, 0);
    borne_kiosk_act(d->k, BORNE_ACT_CHECK_OUT, 0);
    assert_int_equal(v->screen, BORNE_SCREEN_RESULT);
    assert_int_equal(v->result.outcome, BORNE_OUTCOME_ACCEPTED_EXIT);
    assert_true(v->result.has_attendance);
    assert_int_equal(v->result.attendance.credit_minutes, 0);
    assert_int_equal(borne_view_result_look(v).cls, BORNE_LOOK_ATTENTION);
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "Sortie notée, sans heures de formation"));
    assert_non_null(drawn_text(ui, "Exit recorded, no training hours"));
    assert_non_null(drawn_text(ui, "Heures de formation\u00a0: 0\u00a0h"));
    assert_non_null(drawn_text(ui, "Training hours: 0\u00a0h"));
    assert_non_null(drawn_text(ui, "Attended: 0\u00a0min"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

static void test_small_text(void **state)
{
    demo *d = *state;
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    /* The demo's hint on the waiting screen: 18 design px, not shrunk. */
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    const borne_ui_drawn *hint = drawn_text(ui, "Démo");
    assert_non_null(hint);
    assert_true(hint->px >= 18);
    assert_false(hint->shrunk);
    open_staff(d);
    /* The menu's tiles: no word alone on a line of its own ("Rechercher / un / participant"). */
    ui = borne_kiosk_draw(d->k);
    for (size_t i = 0; i < borne_ui_drawn_count(ui); i++) {
        const borne_ui_drawn *t = borne_ui_drawn_get(ui, i);
        if (!t->button && t->lines > 2) {
            fail_msg("menu: \"%s\" takes %d lines", t->text, t->lines);
        }
    }
    const borne_ui_drawn *search = drawn_text(ui, "Rechercher un nom");
    assert_non_null(search);
    assert_int_equal(search->lines, 2);
    /* Session titles on the counts wrap, never shrink. */
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_COUNTS);
    ui = borne_kiosk_draw(d->k);
    const borne_ui_drawn *title = drawn_text(ui, "Loi 25");
    assert_non_null(title);
    assert_int_equal(title->lines, 2);
    for (size_t i = 0; i < borne_ui_drawn_count(ui); i++) {
        const borne_ui_drawn *t = borne_ui_drawn_get(ui, i);
        if (!t->button && t->shrunk) {
            fail_msg("counts: \"%s\" is shrunk to fit", t->text);
        }
    }
    /* No registry in the demo: the power screen does not promise sending to one. */
    borne_kiosk_act(d->k, BORNE_ACT_BACK, 0);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_POWER);
    ui = borne_kiosk_draw(d->k);
    assert_null(drawn_text(ui, "envoyés au registre"));
    assert_non_null(drawn_text(ui, "exportez-les sur clé USB"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* The desk admits someone not registered for the session: an explicit button, a reason, an
 * entry recorded as admitted by staff with that reason, waiting to be synced; "Derniers
 * passages" tells it apart from a scan. */
static void test_admit_anyway(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_SEARCH);
    type(d, "francois");
    const borne_view *v = view(d);
    assert_int_equal(v->nfound, 1);
    uint32_t id = v->found[0].id;
    borne_kiosk_act(d->k, BORNE_ACT_PICK, 0);
    assert_false(v->person_registered);
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    assert_int_equal(count_buttons(ui, BORNE_ACT_CHECK_IN), 0);
    assert_int_equal(count_buttons(ui, BORNE_ACT_ADMIT), 1);
    assert_non_null(drawn_text(ui, "Admettre quand même"));
    borne_kiosk_act(d->k, BORNE_ACT_ADMIT, BORNE_ADMIT_ASK);
    check_targets(d, "admit reasons");
    ui = borne_kiosk_draw(d->k);
    assert_int_equal(count_buttons(ui, BORNE_ACT_ADMIT), BORNE_ADMIT__COUNT + 1); /* + cancel */
    borne_kiosk_act(d->k, BORNE_ACT_ADMIT, BORNE_ADMIT_PAID_AT_DESK);
    assert_int_equal(v->screen, BORNE_SCREEN_RESULT);
    assert_int_equal(v->result.outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    assert_true(v->result.accepted);
    assert_int_equal(borne_view_result_look(v).cls, BORNE_LOOK_ACCEPTED);
    /* What the store holds: the outcome, the method, the reason, not yet synced. */
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_ABOUT);
    struct borne_store *store = NULL;
    assert_int_equal(borne_store_open(v->db_path, &store), BORNE_OK);
    bool admitted = false;
    assert_int_equal(
        borne_store_was_admitted(store, BORNE_DEMO_EVENT_ID, id, BORNE_DEMO_SESSION_A1, &admitted),
        BORNE_OK);
    assert_true(admitted);
    borne_store_close(store);
    /* Recent: manual, admitted by staff. */
    borne_kiosk_act(d->k, BORNE_ACT_BACK, 0);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_RECENT);
    assert_int_equal(v->recent[0].outcome, BORNE_OUTCOME_ADMITTED_BY_STAFF);
    assert_int_equal(v->recent[0].method, BORNE_METHOD_MANUAL);
    ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "admis par le personnel"));
    assert_non_null(drawn_text(ui, "à la main"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* A walk-in whose name is already on the list (any case, any accents): the likely matches are
 * shown before anyone is created, and one touch opens that person's page. */
static void test_walkin_likely_matches(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_WALKIN);
    const borne_view *v = view(d);
    type(d, "ÉMILIE CÔTÉ");
    assert_int_equal(v->nlikely, 1);
    assert_string_equal(v->likely[0].display_name, "Émilie Côté");
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "Déjà sur la liste"));
    assert_non_null(drawn_text(ui, "Émilie Côté"));
    assert_non_null(drawn_text(ui, "Ville de Lévis"));
    assert_int_equal(count_buttons(ui, BORNE_ACT_WALKIN_PICK), 1);
    /* Creating would need a second thought: the button says so. */
    assert_non_null(drawn_text(ui, "Créer quand même"));
    /* Erased to one letter: no matches. */
    for (int i = 0; i < 20; i++) {
        borne_kiosk_act(d->k, BORNE_ACT_KEY, BORNE_KEY_ERASE);
    }
    type(d, "e");
    assert_int_equal(v->nlikely, 0);
    type(d, "milie cote");
    assert_int_equal(v->nlikely, 1);
    borne_kiosk_act(d->k, BORNE_ACT_WALKIN_PICK, 0);
    assert_int_equal(v->screen, BORNE_SCREEN_PERSON);
    assert_string_equal(v->person.display_name, "Émilie Côté");
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* The staff "English" tile: staff screens in English; the participants' screen stays French
 * first (English second), during and after staff mode. */
static void test_staff_language_only(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_LANGUAGE, 0);
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "Staff mode"));
    assert_null(drawn_text(ui, "Mode personnel"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
    assert_int_equal(view(d)->screen, BORNE_SCREEN_WAITING);
    ui = borne_kiosk_draw(d->k);
    const borne_ui_drawn *fr = drawn_text(ui, "Présentez votre code QR");
    const borne_ui_drawn *en = drawn_text(ui, "Show your QR code");
    assert_non_null(fr);
    assert_non_null(en);
    assert_true(fr->px > en->px);
    assert_true(fr->r.y < en->r.y);
    /* Staff screens are still English next time; the tile turns them back. */
    open_staff(d);
    ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "Staff mode"));
    borne_kiosk_act(d->k, BORNE_ACT_LANGUAGE, 0);
    ui = borne_kiosk_draw(d->k);
    assert_non_null(drawn_text(ui, "Mode personnel"));
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* "Derniers passages": more rows than fit scroll a page at a time; the newest first. */
static void test_recent_scrolls(void **state)
{
    demo *d = *state;
    open_staff(d);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_ABOUT);
    struct borne_store *store = NULL;
    assert_int_equal(borne_store_open(view(d)->db_path, &store), BORNE_OK);
    for (int i = 0; i < 30; i++) {
        borne_checkin_row c;
        memset(&c, 0, sizeof(c));
        snprintf(c.uuid, sizeof(c.uuid), "00000000-0000-4000-8000-%012d", i);
        snprintf(c.kiosk_id, sizeof(c.kiosk_id), "borne-test");
        c.event_id = BORNE_DEMO_EVENT_ID;
        c.participant_id = 1;
        c.session_id = BORNE_DEMO_SESSION_A1;
        c.method = BORNE_METHOD_SCANNER;
        c.outcome = BORNE_OUTCOME_ALREADY_IN;
        c.time.wall_ms = 1000;
        c.time.trusted = true;
        assert_int_equal(borne_store_add_checkin(store, &c), BORNE_OK);
    }
    borne_store_close(store);
    borne_kiosk_act(d->k, BORNE_ACT_BACK, 0);
    borne_kiosk_act(d->k, BORNE_ACT_GOTO, BORNE_SCREEN_RECENT);
    const borne_view *v = view(d);
    assert_true(v->nrecent > 30);
    struct borne_ui *ui = borne_kiosk_draw(d->k);
    size_t page = borne_screens_page(ui, BORNE_SCREEN_RECENT);
    assert_true(page >= 8 && page < v->nrecent);
    assert_int_equal(count_buttons(ui, BORNE_ACT_SCROLL), 1); /* ▼ only, at the top */
    assert_non_null(drawn_text(ui, "lecteur"));
    borne_kiosk_act(d->k, BORNE_ACT_SCROLL, 1);
    assert_int_equal(v->scroll, page);
    ui = borne_kiosk_draw(d->k);
    assert_int_equal(count_buttons(ui, BORNE_ACT_SCROLL), 2);
    assert_non_null(drawn_text(ui, v->recent[page].time));
    check_targets(d, "recent");
    borne_kiosk_act(d->k, BORNE_ACT_SCROLL, -1);
    assert_int_equal(v->scroll, 0);
    borne_kiosk_act(d->k, BORNE_ACT_LEAVE_STAFF, 0);
}

/* Fullscreen with no size: the display's own size (a bare X server resizes nothing). */
static void test_fullscreen_takes_display_size(void **state)
{
    (void)state;
    headless();
    struct borne_kiosk_options o = {
        .demo = true, .silent = true, .no_inputs = true, .demo_autoplay_off = true};
    struct borne_kiosk *k = NULL;
    assert_int_equal(borne_kiosk_new(&o, &k), BORNE_OK);
    SDL_DisplayMode mode;
    assert_int_equal(SDL_GetDesktopDisplayMode(0, &mode), 0);
    struct borne_ui *ui = borne_kiosk_draw(k);
    assert_int_equal(borne_ui_w(ui), mode.w);
    assert_int_equal(borne_ui_h(ui), mode.h);
    borne_kiosk_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touch_targets),       cmocka_unit_test(test_search_rows_scroll),
        cmocka_unit_test(test_exit_without_hours),  cmocka_unit_test(test_small_text),
        cmocka_unit_test(test_admit_anyway),        cmocka_unit_test(test_walkin_likely_matches),
        cmocka_unit_test(test_staff_language_only), cmocka_unit_test(test_recent_scrolls),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(test_fullscreen_takes_display_size),
    };
    int failed = cmocka_run_group_tests(tests, demo_setup, demo_teardown);
    return failed + cmocka_run_group_tests(alone, NULL, NULL);
}
