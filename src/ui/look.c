/* Outcome presentation; see look.h. */
#include "ui/look.h"

#include <math.h>

#include "ui/i18n.h"

static const borne_look classes[BORNE_LOOK__COUNT] = {
    [BORNE_LOOK_ACCEPTED] =
        {BORNE_LOOK_ACCEPTED, BORNE_ICON_CHECK, {0x1b, 0x7a, 0x3a}, {0xff, 0xff, 0xff}, NULL, NULL},
    [BORNE_LOOK_INFO] =
        {BORNE_LOOK_INFO, BORNE_ICON_INFO, {0x1f, 0x5f, 0xad}, {0xff, 0xff, 0xff}, NULL, NULL},
    [BORNE_LOOK_ATTENTION] = {BORNE_LOOK_ATTENTION,
                              BORNE_ICON_EXCLAIM,
                              {0xf2, 0xb7, 0x05},
                              {0x1a, 0x1a, 0x1a},
                              NULL,
                              NULL},
    [BORNE_LOOK_REFUSED] =
        {BORNE_LOOK_REFUSED, BORNE_ICON_CROSS, {0xb3, 0x26, 0x1e}, {0xff, 0xff, 0xff}, NULL, NULL},
    [BORNE_LOOK_STAFF] =
        {BORNE_LOOK_STAFF, BORNE_ICON_KEY, {0x37, 0x41, 0x51}, {0xff, 0xff, 0xff}, NULL, NULL},
};

borne_look borne_look_class_look(borne_look_class cls)
{
    if ((int)cls < 0 || cls >= BORNE_LOOK__COUNT) {
        cls = BORNE_LOOK_REFUSED;
    }
    return classes[cls];
}

static borne_look make(borne_look_class cls, const char *title, const char *hint)
{
    borne_look l = classes[cls];
    l.title = title;
    l.hint = hint;
    return l;
}

#define DESK N_("Présentez-vous à l’accueil.")

borne_look borne_look_outcome(borne_outcome outcome, borne_direction direction)
{
    switch (outcome) {
    case BORNE_OUTCOME_ACCEPTED_ENTRY:
        return make(BORNE_LOOK_ACCEPTED, N_("Bienvenue"), NULL);
    case BORNE_OUTCOME_ACCEPTED_EXIT:
        return make(BORNE_LOOK_ACCEPTED, N_("Au revoir"), NULL);
    case BORNE_OUTCOME_EXIT_WITHOUT_ENTRY:
        return make(BORNE_LOOK_ATTENTION, N_("Sortie notée, entrée manquante"), DESK);
    case BORNE_OUTCOME_ALREADY_IN:
        return make(BORNE_LOOK_INFO, N_("Déjà entré"), N_("Votre entrée est déjà notée."));
    case BORNE_OUTCOME_ALREADY_OUT:
        return make(BORNE_LOOK_INFO, N_("Déjà sorti"), N_("Votre sortie est déjà notée."));
    case BORNE_OUTCOME_REPEAT_SCAN:
        return make(BORNE_LOOK_INFO,
                    direction == BORNE_EXIT ? N_("Sortie déjà notée") : N_("Entrée déjà notée"),
                    N_("C’est le même passage\u00a0: rien de plus à faire."));
    case BORNE_OUTCOME_NOT_REGISTERED:
        return make(BORNE_LOOK_REFUSED, N_("Non inscrit à cette séance"), DESK);
    case BORNE_OUTCOME_WRONG_EVENT:
        return make(BORNE_LOOK_REFUSED, N_("Code d’un autre évènement"), DESK);
    case BORNE_OUTCOME_REVOKED:
        return make(BORNE_LOOK_REFUSED, N_("Code annulé"), DESK);
    case BORNE_OUTCOME_INVALID_CODE:
        return make(BORNE_LOOK_REFUSED, N_("Code non valide"), DESK);
    case BORNE_OUTCOME_UNKNOWN_CODE:
        return make(BORNE_LOOK_REFUSED, N_("Code inconnu"), DESK);
    case BORNE_OUTCOME_EXPIRED:
        return make(BORNE_LOOK_REFUSED, N_("Code expiré"), DESK);
    case BORNE_OUTCOME_SESSION_NOT_OPEN:
        return make(BORNE_LOOK_ATTENTION, N_("La séance n’est pas encore ouverte"),
                    N_("Revenez un peu avant le début."));
    case BORNE_OUTCOME_SESSION_OVER:
        return make(BORNE_LOOK_ATTENTION, N_("La séance est terminée"), DESK);
    case BORNE_OUTCOME_SEE_DESK:
        return make(BORNE_LOOK_ATTENTION, N_("Inscription à vérifier"), DESK);
    case BORNE_OUTCOME_CANCELLED:
        return make(BORNE_LOOK_REFUSED, N_("Inscription annulée"), DESK);
    case BORNE_OUTCOME_STAFF:
        return make(BORNE_LOOK_STAFF, N_("Mode personnel"), NULL);
    case BORNE_OUTCOME_ADMITTED_BY_STAFF:
        return make(BORNE_LOOK_ACCEPTED, N_("Bienvenue, admis par le personnel"), NULL);
    case BORNE_OUTCOME__COUNT:
        break;
    }
    return make(BORNE_LOOK_REFUSED, N_("Code non valide"), DESK);
}

static double channel(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(borne_rgb c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

int borne_look_contrast(borne_rgb a, borne_rgb b)
{
    double la = luminance(a);
    double lb = luminance(b);
    double hi = la > lb ? la : lb;
    double lo = la > lb ? lb : la;
    return (int)((hi + 0.05) / (lo + 0.05) * 100.0);
}

int borne_look_scale_permille(int w, int h)
{
    if (w <= 0 || h <= 0) {
        return 1000;
    }
    int sx = w * 1000 / 800;
    int sy = h * 1000 / 480;
    return sx < sy ? sx : sy;
}
