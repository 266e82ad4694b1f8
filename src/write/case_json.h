/*
 * case_json.h — CASE/case.json: what was analysed, how, and what came out.
 *
 * The evidence list carries each capture's SHA-256 (computed while it was
 * read), format, link types, packet count, time range and what could not be
 * decoded (counts per reason with the first frame numbers).  `created` honours
 * SOURCE_DATE_EPOCH so a case can be reproduced byte for byte.
 */
#ifndef PCAPCASE_CASE_JSON_H
#define PCAPCASE_CASE_JSON_H

#include "case/merged.h"

#include <stddef.h>

int case_json_write(const case_t *k, char *err, size_t errlen);
/* Append the damage table of r as JSON ({reason: count}) and first frames. */
struct jsonw;
void case_json_damage(struct jsonw *w, const damage_t *d);

#endif
