/*
 * ndjson_scan.h — the top-level members of one NDJSON row, without building
 * a tree.
 *
 * The workbook reads every row of every log; parsing each into a json-c
 * object (a hash table and an allocation per member) cost more than
 * writing its cells.  Our logs are flat objects whose values are numbers,
 * strings, booleans and short lists, so a row is scanned once and each
 * member handed over as the span of its text; the caller decodes the few
 * kinds it shows and hands anything else (nested objects, lists of
 * numbers, a \u escape above ASCII) to json-c, so that every cell keeps the
 * value a full parse gives.
 */
#ifndef PCAPCASE_NDJSON_SCAN_H
#define PCAPCASE_NDJSON_SCAN_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum jspan_kind {
    JSPAN_NULL,
    JSPAN_FALSE,
    JSPAN_TRUE,
    JSPAN_NUMBER,
    JSPAN_STRING, /* text includes the quotes */
    JSPAN_ARRAY,
    JSPAN_OBJECT
} jspan_kind_t;

/* One value as it stands in the row: kind, and where its text is. */
typedef struct jspan {
    jspan_kind_t kind;
    const char *text;
    size_t len;
} jspan_t;

/* Called for each top-level member, in row order; name is not terminated
 * (nlen bytes, a name without escapes).  Returning false stops the scan. */
typedef bool (*ndjson_member_fn)(void *ctx, const char *name, size_t nlen, const jspan_t *v);

/* Scan the object on line (len bytes, a trailing newline allowed).  false
 * when it is not one object this scanner reads exactly (a name with an
 * escape, a token it does not know, text after the object, a callback that
 * stopped): the caller then parses the row with json-c instead. */
bool ndjson_scan_row(const char *line, size_t len, ndjson_member_fn fn, void *ctx);

/* The string s (JSPAN_STRING) unquoted and unescaped, appended to out.
 * false (out unchanged in meaning: the caller clears it) when s holds an
 * escape this decoder leaves to json-c (\u above U+007F, surrogates). */
bool jspan_string(const jspan_t *s, buf_t *out);

/* The elements of a list of strings (JSPAN_ARRAY) joined with ", " into out,
 * as the workbook shows a list.  false when an element is not a string or
 * jspan_string declines it. */
bool jspan_string_list(const jspan_t *a, buf_t *out);

#endif
