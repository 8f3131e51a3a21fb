/* libFuzzer target for core/collate: roster names are outside input. Any bytes, split in two
 * names at the first NUL (or halfway): the sort key stays inside its buffer and NUL-terminated
 * (also with a small buffer), a name compares equal to itself, and the comparison of two names
 * is antisymmetric. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "core/collate.h"

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t alen = nul ? (size_t)(nul - s) : size / 2;
    const char *b = s + alen + (nul ? 1 : 0);
    size_t blen = size - (size_t)(b - s);
    char key[1100];
    memset(key, 0x5a, sizeof(key));
    size_t n = borne_name_sort_key(s, alen, key, 1024);
    CHECK(n < 1024 && key[n] == '\0' && key[1024] == 0x5a);
    char small[8];
    n = borne_name_sort_key(s, alen, small, sizeof(small));
    CHECK(n < sizeof(small) && small[n] == '\0');
    CHECK(borne_name_compare(s, alen, s, alen) == 0);
    CHECK(sign(borne_name_compare(s, alen, b, blen)) ==
          -sign(borne_name_compare(b, blen, s, alen)));
    return 0;
}
