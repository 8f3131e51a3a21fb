/* The order of people's names in badges and reports: by last name, then first names, with a
 * French fold instead of byte order (which put "Ægir", "Ève" and "Émilie" after "Zoë").
 *
 * The sort key of a display name ("Prénom Nom", as the roster gives it):
 *   1. the surname: the last word of the name (a hyphenated surname, "Tremblay-Lévesque", is
 *      one word), together with the particles written before it ("de", "du", "des", "d’",
 *      "la", "le", "van", "von"), which are kept but not sorted on first:
 *      "Jean de la Fontaine" sorts under F;
 *   2. then the given names (the words before the surname);
 *   3. then the particles; 4. then the bytes, so that the order is total and stable.
 * The fold: letters lose their accents (à â ä á ã å → a, ç → c, é è ê ë → e, î ï í ì → i,
 * ô ö ó ò õ ø → o, ù û ü ú → u, ÿ ý → y, ñ → n), the ligatures are spelt out (æ → ae,
 * œ → oe, ß → ss), case is ignored, hyphens and apostrophes count as spaces, other
 * punctuation is ignored; other characters keep their code point order after the Latin ones.
 * This is the French dictionary order for the names of a Québec roster without the full
 * Unicode collation (no ICU dependency); it is not the backward accent ordering of strict
 * French collation (ties between "cote" and "côte" are broken by bytes).
 * Pure functions: no allocation, no I/O. */
#ifndef BORNE_CORE_COLLATE_H
#define BORNE_CORE_COLLATE_H

#include <stddef.h>

/* The sort key of name[0..len) (any bytes; ill-formed UTF-8 is skipped) into out[cap], NUL
 * terminated, truncated to cap - 1 bytes. Keys compare with strcmp. Returns the key's length. */
size_t borne_name_sort_key(const char *name, size_t len, char *out, size_t cap);

/* <0, 0, >0 as a sorts before, with or after b (keys first, then bytes). */
int borne_name_compare(const char *a, size_t alen, const char *b, size_t blen);

#endif
