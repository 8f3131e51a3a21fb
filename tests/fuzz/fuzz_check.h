/* What every libFuzzer target of tests/fuzz shares: the entry point's prototype and CHECK, which
 * aborts (a crash libFuzzer reports, with the input) when a promise does not hold. */
#ifndef BORNE_TESTS_FUZZ_FUZZ_CHECK_H
#define BORNE_TESTS_FUZZ_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
