/* A fixture with a check-in engine (see checkin_fixture.h). */
#include "support/checkin_fixture.h"

#include <stdlib.h>

int checkin_fixture_setup(void **state, const borne_checkin_options *opts)
{
    checkin_fixture *c = calloc(1, sizeof(*c));
    if (!c || fixture_open(&c->fx) != 0) {
        free(c);
        return -1;
    }
    if (borne_checkin_new(&c->ck, c->fx.store, &c->fx.clock, opts) != BORNE_OK) {
        fixture_close(&c->fx);
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

int checkin_fixture_teardown(void **state)
{
    checkin_fixture *c = *state;
    borne_checkin_free(c->ck);
    fixture_close(&c->fx);
    free(c);
    return 0;
}
