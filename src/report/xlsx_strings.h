/*
 * xlsx_strings.h — the workbook's shared strings (xl/sharedStrings.xml).
 *
 * A text written again and again (a host, a URL fetched 200 times, a MIME
 * type, a capture's name) costs its escaped XML in every cell, and that XML
 * is most of what the workbook deflates.  A shared string is written once in
 * the table and each cell holds its index.  Most texts of a case are seen
 * once (uids, hashes), so a text is shared only from its second sighting
 * on: the first goes inline as before, and a filter of the 64-bit hashes of
 * texts seen (direct-mapped, XLSX_SEEN_SLOTS) finds the second; a text the
 * filter lost is just written inline once more.  Texts longer than
 * XLSX_SHARED_MAX_LEN stay inline, and the table stops growing at
 * XLSX_SHARED_MAX texts or XLSX_SHARED_MAX_BYTES bytes (memory stays
 * bounded on any case; the rest goes inline).
 *
 * Indices follow the order texts became shared, so the same calls give the
 * same workbook.  One thread per table; the book owns it.
 */
#ifndef PCAPCASE_XLSX_STRINGS_H
#define PCAPCASE_XLSX_STRINGS_H

#include <stddef.h>
#include <stdint.h>

#define XLSX_SEEN_SLOTS (1u << 18)        /* 2 MiB of hashes */
#define XLSX_SHARED_MAX_LEN 512           /* bytes: longer texts stay inline */
#define XLSX_SHARED_MAX (1u << 20)        /* texts in the table */
#define XLSX_SHARED_MAX_BYTES (32u << 20) /* their bytes */

typedef struct xlsx_strings xlsx_strings_t;

xlsx_strings_t *xlsx_strings_new(void);
/* The shared index of s[0..n), or -1: write it inline (first sighting, too
 * long, or the table is full).  Counts each shared use. */
long xlsx_strings_index(xlsx_strings_t *t, const char *s, size_t n);
/* Texts in the table, and cells that referred to one. */
size_t xlsx_strings_unique(const xlsx_strings_t *t);
uint64_t xlsx_strings_refs(const xlsx_strings_t *t);
/* Text i (0 <= i < unique), its length in *n; not NUL-terminated. */
const char *xlsx_strings_at(const xlsx_strings_t *t, size_t i, size_t *n);
void xlsx_strings_free(xlsx_strings_t *t);

#endif
