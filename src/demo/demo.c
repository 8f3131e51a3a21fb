/* The embedded demo event, roster and script (see demo.h). */
#define LOG_MODULE "demo"
#include "demo/demo.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badge/qr.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "store/import.h"

/* The roster: id, name, organisation, member, status, sessions. */
static const char roster_csv[] =
    "id;nom complet;municipalité;membre;statut;séances;courriel\n"
    "1;Hélène Tremblay;Ville de Québec;oui;confirmé;P A1 B1;helene@example.org\n"
    "2;François Bélanger;Municipalité de Saint-Élie-de-Caxton;oui;confirmé;P A2 B1;\n"
    "3;Émilie Côté;Ville de Lévis;non;confirmé;P A1;\n"
    "4;Jérôme Gagnon;MRC de Charlevoix;oui;confirmé;P A1;\n"
    "5;Geneviève Lévesque;Ville de Trois-Rivières;oui;à vérifier;P A1;\n"
    "6;Noël Bérubé;Ville de Rimouski;oui;confirmé;P A1 B1;\n"
    "7;Chloé Pelletier;Municipalité de L'Isle-Verte;non;confirmé;P A2;\n"
    "8;Stéphane Ouellet;Ville de Saguenay;oui;confirmé;P A1 B1;\n"
    "9;Josée Bouchard;Ville de Gatineau;oui;annulé;P A1;\n"
    "10;Réjean Thériault;Municipalité des Îles-de-la-Madeleine;oui;confirmé;P A1;\n"
    "11;Marie-Ève Fortin;Ville de Sherbrooke;oui;confirmé;P A1 A2;\n"
    "12;Benoît Lachance;\"Ville de Lévis, service du greffe\";non;confirmé;P B1;\n"
    "13;Anaïs Gosselin;Ville de Drummondville;oui;confirmé;P A1;\n"
    "14;Zoé Dufresne-Paré;MRC des Laurentides;oui;confirmé;P A2;\n"
    "15;Maxime Nadeau;Ville de Longueuil;non;confirmé;P A1;\n"
    "16;Sébastien Lévêque;Ville de Laval;oui;confirmé;P A1 B1;\n";

static const uint8_t demo_seed[32] = "borne-demo-signing-key-seed-2026";

static int64_t minutes(int64_t now, int m)
{
    return now + (int64_t)m * 60;
}

size_t borne_demo_event_json(int64_t now, char *out, size_t cap)
{
    char t[8][32];
    /* The atelier A1 starts in 3 minutes: people arrive, then it ends 90 minutes later. */
    int64_t at[8] = {minutes(now, -240), minutes(now, 3 * 24 * 60), minutes(now, -150),
                     minutes(now, -90),  minutes(now, 3),           minutes(now, 93),
                     minutes(now, 110),  minutes(now, 200)};
    for (int i = 0; i < 8; i++) {
        borne_time_format_utc(at[i], t[i], sizeof(t[i]));
    }
    int n = snprintf(
        out, cap,
        "{\"id\": %d, \"name\": \"Congrès annuel de la COMAQ\","
        " \"timezone\": \"America/Montreal\", \"starts\": \"%s\", \"ends\": \"%s\","
        " \"sessions\": ["
        "{\"id\": 100, \"code\": \"P\", \"title\": \"Plénière d’ouverture\","
        " \"room\": \"Grande salle\", \"starts\": \"%s\", \"ends\": \"%s\","
        " \"credit_hours\": 1, \"requires_registration\": false},"
        "{\"id\": %d, \"code\": \"A1\","
        " \"title\": \"Loi 25 : protéger les renseignements personnels\","
        " \"room\": \"Salle Richelieu\", \"starts\": \"%s\", \"ends\": \"%s\","
        " \"credit_hours\": 1.5, \"credit_rule\": \"threshold:800\"},"
        "{\"id\": 102, \"code\": \"A2\", \"title\": \"Gestion contractuelle municipale\","
        " \"room\": \"Salle Chaudière\", \"starts\": \"%s\", \"ends\": \"%s\","
        " \"credit_hours\": 1.5},"
        "{\"id\": 103, \"code\": \"B1\", \"title\": \"Greffe et procès-verbaux numériques\","
        " \"room\": \"Salle Richelieu\", \"starts\": \"%s\", \"ends\": \"%s\","
        " \"credit_hours\": 1.5, \"credit_rule\": \"proportional:15\"}]}",
        BORNE_DEMO_EVENT_ID, t[0], t[1], t[2], t[3], BORNE_DEMO_SESSION_A1, t[4], t[5], t[4], t[5],
        t[6], t[7]);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

const char *borne_demo_roster_csv(size_t *len)
{
    *len = sizeof(roster_csv) - 1;
    return roster_csv;
}

void borne_demo_keypair(uint8_t pk[32], uint8_t sk[64])
{
    crypto_sign_seed_keypair(pk, sk, demo_seed);
}

static borne_err import_event(struct borne_store *store, int64_t now)
{
    char json[4096];
    size_t len = borne_demo_event_json(now, json, sizeof(json));
    if (!len) {
        return BORNE_ERR_TOO_LARGE;
    }
    borne_import_result res;
    char msg[BORNE_IMPORT_MSG_MAX];
    borne_err err = borne_import_event_json(store, json, len, &res, msg, sizeof(msg));
    if (err) {
        LOG_ERR("demo event: %s", msg);
        return err;
    }
    err = borne_import_roster_csv(store, BORNE_DEMO_EVENT_ID, roster_csv, sizeof(roster_csv) - 1,
                                  &res, msg, sizeof(msg));
    if (err) {
        LOG_ERR("demo roster: %s", msg);
    }
    return err;
}

static borne_err sign(const borne_demo *demo, uint32_t event_id, uint32_t participant,
                      uint8_t flags, char *out, size_t cap)
{
    borne_token tok = {
        .flags = flags, .key_id = 1, .event_id = event_id, .participant_id = participant};
    return borne_token_sign(&tok, demo->secret_key, out, cap);
}

static borne_demo_step *add(borne_demo *demo, const char *who, borne_direction mode,
                            int64_t advance_ms)
{
    borne_demo_step *s = &demo->steps[demo->nsteps++];
    memset(s, 0, sizeof(*s));
    s->who = who;
    s->mode = mode;
    s->advance_ms = advance_ms;
    return s;
}

#define MAX_STEPS 16

static borne_err build_script(struct borne_store *store, borne_demo *demo)
{
    demo->steps = calloc(MAX_STEPS, sizeof(*demo->steps));
    if (!demo->steps) {
        return BORNE_ERR_NOMEM;
    }
    borne_err err = BORNE_OK;
    borne_demo_step *s;
    s = add(demo, "Hélène Tremblay arrive : entrée acceptée", BORNE_ENTRY, 2000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 1, 0, s->code, sizeof(s->code));
    s = add(demo, "Hélène montre encore son code : même passage", BORNE_ENTRY, 1500);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 1, 0, s->code, sizeof(s->code));
    s = add(demo, "Émilie Côté, code du registre sans signature : entrée acceptée", BORNE_ENTRY,
            4000);
    snprintf(s->code, sizeof(s->code), "%s", "DEMO-EMILIE-7Q4K");
    s = add(demo, "François Bélanger est inscrit à A2, pas à A1", BORNE_ENTRY, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 2, 0, s->code, sizeof(s->code));
    s = add(demo, "Hélène revient une minute plus tard : déjà entrée", BORNE_ENTRY, 60000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 1, 0, s->code, sizeof(s->code));
    s = add(demo, "Un code falsifié : refusé", BORNE_ENTRY, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 6, 0, s->code, sizeof(s->code));
    s->code[40] = s->code[40] == 'A' ? 'B' : 'A';
    s = add(demo, "L’ancien badge perdu de Jérôme Gagnon : révoqué", BORNE_ENTRY, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 4, 0, s->code, sizeof(s->code));
    if (!err) {
        err = borne_store_revoke(store, BORNE_DEMO_EVENT_ID, (const uint8_t *)s->code,
                                 strlen(s->code), "badge perdu");
    }
    s = add(demo, "Geneviève Lévesque : inscription à vérifier à l’accueil", BORNE_ENTRY, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 5, 0, s->code, sizeof(s->code));
    s = add(demo, "Un badge du congrès de l’an dernier : mauvais évènement", BORNE_ENTRY, 4000);
    err = err ? err : sign(demo, 2025, 8, 0, s->code, sizeof(s->code));
    s = add(demo, "Noël Bérubé arrive avec 40 minutes de retard : entrée acceptée", BORNE_ENTRY,
            40LL * 60000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 6, 0, s->code, sizeof(s->code));
    s = add(demo, "Fin de l’atelier : Hélène sort, avec ses heures de formation", BORNE_EXIT,
            50LL * 60000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 1, 0, s->code, sizeof(s->code));
    s = add(demo, "Noël sort, arrivé trop tard pour le crédit", BORNE_EXIT, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 6, 0, s->code, sizeof(s->code));
    s = add(demo, "Stéphane Ouellet sort sans avoir été enregistré à l’entrée", BORNE_EXIT, 4000);
    err = err ? err : sign(demo, BORNE_DEMO_EVENT_ID, 8, 0, s->code, sizeof(s->code));
    return err;
}

borne_err borne_demo_populate(struct borne_store *store, int64_t now, borne_demo *out)
{
    memset(out, 0, sizeof(*out));
    if (sodium_init() < 0) {
        return BORNE_ERR_CRYPTO;
    }
    uint8_t pk[32];
    borne_demo_keypair(pk, out->secret_key);
    borne_err err = import_event(store, now);
    if (!err) {
        err = borne_store_put_key(store, 1, pk);
    }
    if (!err) {
        err = borne_store_state_set(store, "event_id", "2026");
    }
    if (!err) {
        /* Émilie's registry has no signing: her badge holds an opaque code. */
        borne_participant p;
        err = borne_store_get_participant(store, BORNE_DEMO_EVENT_ID, 3, &p);
        if (!err) {
            err = borne_store_put_participant(store, &p, "DEMO-EMILIE-7Q4K");
        }
    }
    if (!err) {
        err = build_script(store, out);
    }
    if (err) {
        borne_demo_clear(out);
    }
    return err;
}

void borne_demo_clear(borne_demo *demo)
{
    if (!demo) {
        return;
    }
    free(demo->steps);
    sodium_memzero(demo->secret_key, sizeof(demo->secret_key));
    memset(demo, 0, sizeof(*demo));
}

borne_err borne_demo_render(const char *text, size_t len, uint8_t *luma, int w, int h)
{
    borne_qr qr;
    borne_err err = borne_qr_encode(text, len, &qr);
    if (err) {
        return err;
    }
    int side = qr.size + 2 * BORNE_QR_QUIET_ZONE;
    int scale = (h * 3 / 4) / side;
    if (scale < 2) {
        borne_qr_clear(&qr);
        return BORNE_ERR_TOO_LARGE;
    }
    /* A grey room, a white badge, the code in the middle. */
    memset(luma, 96, (size_t)w * (size_t)h);
    int x0 = (w - side * scale) / 2;
    int y0 = (h - side * scale) / 2;
    for (int y = 0; y < side * scale; y++) {
        for (int x = 0; x < side * scale; x++) {
            int mx = x / scale - BORNE_QR_QUIET_ZONE;
            int my = y / scale - BORNE_QR_QUIET_ZONE;
            luma[(size_t)(y0 + y) * (size_t)w + (size_t)(x0 + x)] =
                borne_qr_dark(&qr, mx, my) ? 24 : 236;
        }
    }
    borne_qr_clear(&qr);
    return BORNE_OK;
}
