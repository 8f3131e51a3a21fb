/* The kiosk's screens, drawn from a plain description of what to show (struct borne_view).
 *
 * The kiosk (src/kiosk) owns the state and fills the view; borne_screens_draw() draws the
 * screen it names and registers its buttons with borne_action codes, which the kiosk receives
 * back through borne_ui_hit(). Nothing here touches the store, the clock or the inputs.
 *
 * Participant screens (waiting, result) carry the current language large and the other one
 * smaller; staff screens use the current language only. */
#ifndef BORNE_UI_SCREENS_H
#define BORNE_UI_SCREENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "badge/qr.h"
#include "checkin/checkin.h"
#include "store/store.h"
#include "ui/i18n.h"
#include "ui/ui.h"

typedef enum borne_screen {
    BORNE_SCREEN_WAITING = 0,
    BORNE_SCREEN_RESULT,
    BORNE_SCREEN_PIN,
    BORNE_SCREEN_MENU,
    BORNE_SCREEN_SEARCH,
    BORNE_SCREEN_PERSON,
    BORNE_SCREEN_SHOW_QR,
    BORNE_SCREEN_WALKIN,
    BORNE_SCREEN_SESSIONS,
    BORNE_SCREEN_COUNTS,
    BORNE_SCREEN_RECENT,
    BORNE_SCREEN_EXPORT,
    BORNE_SCREEN_ABOUT,
    BORNE_SCREEN_POWER,
    BORNE_SCREEN_NOT_SET_UP,
    BORNE_SCREEN_TROUBLE,
    BORNE_SCREEN__COUNT
} borne_screen;

/* What a button does; `arg` carries an index where one is needed. */
typedef enum borne_action {
    BORNE_ACT_NONE = 0,
    BORNE_ACT_BACK,        /* to the staff menu (or waiting from the menu) */
    BORNE_ACT_LEAVE_STAFF, /* back to the participants' screen */
    BORNE_ACT_PIN_DIGIT,   /* arg: 0..9 */
    BORNE_ACT_PIN_ERASE,
    BORNE_ACT_PIN_OK,
    BORNE_ACT_GOTO, /* arg: a borne_screen of the staff menu */
    BORNE_ACT_KEY,  /* arg: index into the keyboard's keys */
    BORNE_ACT_PICK, /* arg: index of a search result */
    BORNE_ACT_CHECK_IN,
    BORNE_ACT_CHECK_OUT,
    BORNE_ACT_SHOW_QR,
    BORNE_ACT_WALKIN_FIELD, /* arg: field index */
    BORNE_ACT_WALKIN_SAVE,
    BORNE_ACT_SESSION, /* arg: index into sessions; -1: the whole event */
    BORNE_ACT_MODE,    /* arg: borne_direction */
    BORNE_ACT_SYNC,
    BORNE_ACT_EXPORT,
    BORNE_ACT_LANGUAGE,
    BORNE_ACT_RESTART,
    BORNE_ACT_POWEROFF,
    BORNE_ACT_QUIT,
    BORNE_ACT_RETRY,  /* trouble screen: check the store again */
    BORNE_ACT_SCROLL, /* arg: +1 / -1 page */
    /* New actions go here, at the end. */
    BORNE_ACT_WALKIN_PICK, /* arg: index into likely[]: that person's page, not a new one */
    BORNE_ACT_ADMIT,       /* person screen: admit anyway: arg a borne_admit_reason, or
                            * BORNE_ADMIT_ASK (show the reasons), or -1 (hide them) */
} borne_action;

#define BORNE_ADMIT_ASK (-2)

/* The on-screen keyboard: key labels (lower case; shift gives upper case). */
#define BORNE_KEYS_MAX 64
enum {
    BORNE_KEY_SHIFT = 1000,
    BORNE_KEY_ERASE = 1001,
    BORNE_KEY_SPACE = 1002,
    BORNE_KEY_CLEAR = 1003,
};
/* The text a key inserts (NULL for special keys), in lower or upper case. */
const char *borne_keyboard_text(int key, bool upper);

#define BORNE_VIEW_LIST_MAX 40
#define BORNE_VIEW_TEXT     128

typedef struct borne_view_count {
    uint32_t session_id;
    char code[32];
    char title[BORNE_NAME_MAX];
    int64_t registered; /* -1: open to everyone */
    int64_t in_room;
    int64_t checked_in; /* people with an accepted entry */
} borne_view_count;

typedef struct borne_view_recent {
    char time[16]; /* "HH:MM:SS" local */
    char name[BORNE_NAME_MAX];
    borne_outcome outcome;
    borne_direction direction;
    borne_method method;
} borne_view_recent;

/* The sync state as the status corner and the staff screens tell it. */
typedef enum borne_view_sync_state {
    BORNE_VIEW_SYNC_NONE = 0, /* no registry: records stay on the kiosk (USB export) */
    BORNE_VIEW_SYNC_WAITING,  /* provisioned, no cycle finished yet */
    BORNE_VIEW_SYNC_OK,       /* the last cycle succeeded */
    BORNE_VIEW_SYNC_OFFLINE,  /* cycles fail (network, registry) */
    BORNE_VIEW_SYNC_REFUSED,  /* the registry refused this kiosk (revoked token) */
} borne_view_sync_state;

typedef struct borne_view_sync {
    borne_view_sync_state state;
    bool running;    /* a cycle is running now */
    int64_t ago_s;   /* OK: seconds since the last success */
    int64_t since_s; /* OFFLINE: Unix time of the first failure in a row (local display) */
    borne_err err;   /* OFFLINE, REFUSED: the last failure */
} borne_view_sync;

/* Why the store could not be opened (the trouble screen names it for staff). */
typedef enum borne_view_trouble {
    BORNE_VIEW_TROUBLE_STORE = 0,    /* the store itself failed (see view.trouble) */
    BORNE_VIEW_TROUBLE_NO_FOLDER,    /* trouble_path: the store's folder does not exist */
    BORNE_VIEW_TROUBLE_IS_FOLDER,    /* trouble_path: the store's path names a folder */
    BORNE_VIEW_TROUBLE_NOT_WRITABLE, /* trouble_path: the kiosk may not write in that folder */
} borne_view_trouble;

/* Provisioning from a setup code scanned on the not-set-up screen. */
typedef enum borne_view_setup {
    BORNE_VIEW_SETUP_NONE = 0,
    BORNE_VIEW_SETUP_WORKING, /* setup_text says which step */
    BORNE_VIEW_SETUP_DONE,    /* setup_text: what the kiosk now knows */
    BORNE_VIEW_SETUP_FAILED,  /* setup_text: why, and what to do */
} borne_view_setup;

typedef struct borne_view {
    borne_screen screen;
    /* The participants' screens (waiting, result, not set up, trouble) speak this language
     * first whatever staff chose for their own screens. */
    borne_lang public_lang;
    bool demo;
    char demo_caption[BORNE_NAME_MAX]; /* what the simulated participant shows, or "" */
    char demo_pin[16];

    /* Waiting / header. */
    char event_name[BORNE_NAME_MAX];
    bool has_session;
    borne_session session;
    borne_direction mode;
    char clock[16];     /* "14:05" */
    bool clock_trusted; /* false: the clock shows "--:--" style warning */
    int camera;         /* enum borne_input_state, or -1: no camera configured */
    int scanner;        /* enum borne_input_state, or -1: no scanner configured */
    char sync[256];     /* the sync line of the status corner, already translated */
    borne_view_sync sync_state;
    int64_t pending; /* check-ins not yet synced */
    bool has_preview;
    const uint8_t *preview; /* grey frame, valid during the draw */
    int preview_w, preview_h, preview_stride;
    bool mirror;

    /* Result. */
    borne_scan_result result;
    char result_name[BORNE_NAME_MAX]; /* sanitised */
    char result_org[BORNE_NAME_MAX];
    int result_progress_permille; /* time left before returning to waiting */

    /* PIN. */
    int pin_len;
    bool pin_wrong;
    bool pin_checking;
    bool pin_unset; /* no PIN configured: staff codes only */
    int64_t pin_locked_ms;

    /* Search, person, walk-in. */
    char query[BORNE_VIEW_TEXT];
    bool shift;
    borne_participant found[BORNE_VIEW_LIST_MAX];
    size_t nfound;
    bool found_more; /* the search had more answers than found[] holds */
    size_t scroll;   /* search, recent: index of the first row shown */
    borne_participant person;
    bool person_in_room;
    bool person_registered;
    bool admit_open;                 /* person screen: the reasons to admit anyway are shown */
    char walkin[2][BORNE_VIEW_TEXT]; /* name, organisation */
    int walkin_field;
    /* Walk-in: people already on the list whose name is like the one typed (accents and case
     * ignored), and whether each is already in the room. */
    borne_participant likely[3];
    bool likely_in[3];
    size_t nlikely;
    borne_qr qr; /* participant's code, SHOW_QR */
    bool qr_missing;

    /* Sessions, counts, recent. */
    borne_session sessions[BORNE_VIEW_LIST_MAX];
    size_t nsessions;
    borne_view_count counts[BORNE_VIEW_LIST_MAX];
    size_t ncounts;
    borne_view_recent recent[BORNE_VIEW_LIST_MAX];
    size_t nrecent;

    /* Export, about, trouble, staff messages. */
    char message[768]; /* a line for staff, already translated ("" none) */
    bool message_error;
    /* A line for staff on the waiting and not-set-up screens that outlives screen changes (a
     * damaged store put aside at start); cleared when staff mode opens. "" none. */
    char notice[256];
    bool busy; /* an export (or sync) is running */
    char kiosk_id[BORNE_KIOSK_ID_MAX];
    char ip[64];
    char version[32];
    char db_path[512];
    int64_t total_checkins;
    borne_err trouble;
    borne_view_trouble trouble_cause;
    char trouble_path[512]; /* the folder or file the cause names */

    /* Not set up: provisioning by a setup code. */
    borne_view_setup setup;
    char setup_text[512];
} borne_view;

/* Draws the whole screen of `v` (between borne_ui_begin and borne_ui_end, which this calls). */
void borne_screens_draw(struct borne_ui *ui, const borne_view *v);

/* The look of the result screen of `v`: its outcome's (look.h), except an exit recorded that
 * earns no hours for a session that gives some, which is amber ("attention") with the reason. */
borne_look borne_view_result_look(const borne_view *v);

/* How many rows a scroll by one page moves on the search and recent screens (1 elsewhere). */
size_t borne_screens_page(struct borne_ui *ui, borne_screen screen);

/* A short machine name of a screen ("waiting", "result", ...), for screenshots and logs. */
const char *borne_screen_name(borne_screen s);

/* The sync line of the status corner, in the current language: « Synchro : il y a 2 min ·
 * 0 en attente », « Hors ligne depuis 14 h 02 · 37 en attente ». */
void borne_format_sync_line(const borne_view_sync *s, int64_t pending, char *out, size_t cap);
/* What went wrong with the sync, in words of the current language, for staff. */
const char *borne_sync_error_words(borne_err err);

/* "1,5 h" or "1.5 h" for minutes of credit, in the current language: rounded to the
 * hundredth, half up (core/hours.h: 100 min is "1,67 h"), trailing zeros dropped. */
void borne_format_hours(int32_t minutes, char *out, size_t cap);
/* "1 h 05" / "45 min" for a duration in seconds. */
void borne_format_duration(int64_t seconds, char *out, size_t cap);

#endif
