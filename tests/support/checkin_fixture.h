/* A fixture (fixture.h) with a check-in engine on its store and fake clock, as the state of
 * cmocka tests of the check-in path. */
#ifndef BORNE_TESTS_SUPPORT_CHECKIN_FIXTURE_H
#define BORNE_TESTS_SUPPORT_CHECKIN_FIXTURE_H

#include "checkin/checkin.h"
#include "support/fixture.h"

typedef struct checkin_fixture {
    fixture fx;
    struct borne_checkin *ck;
} checkin_fixture;

/* For a cmocka setup: a checkin_fixture (calloc'ed) into *state, its fixture opened with
 * fixture_open and its engine made with `opts`. -1, with nothing left open, on failure. */
int checkin_fixture_setup(void **state, const borne_checkin_options *opts);
/* The cmocka teardown: the engine freed, the fixture closed, the state freed. */
int checkin_fixture_teardown(void **state);

#endif
