/*
 * jsonw.h — a small streaming JSON writer into a buf_t.
 *
 * Used by every NDJSON log and by case.json.  It exists (instead of building
 * json-c objects) because logs are written row by row on the hot path and a
 * tree per row would cost an allocation per field.  Strings from the traffic
 * are arbitrary bytes: valid UTF-8 is kept, control characters use JSON
 * escapes, and bytes that are not valid UTF-8 are written as the text "\xNN"
 * (Zeek's convention), so the output is always valid JSON and nothing is lost.
 *
 * Nesting is tracked on a fixed stack (JSONW_MAX_DEPTH); deeper nesting is a
 * programming error and is ignored rather than corrupting the output.
 */
#ifndef PCAPCASE_JSONW_H
#define PCAPCASE_JSONW_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 32

typedef struct jsonw {
    buf_t *out;
    int depth;
    bool first[JSONW_MAX_DEPTH]; /* no value written yet at this level */
    bool after_key;              /* a key was just written; next value needs no comma */
    bool pretty;                 /* newline + indent (case.json), off for NDJSON */
} jsonw_t;

void jw_init(jsonw_t *w, buf_t *out, bool pretty);

void jw_obj_begin(jsonw_t *w);
void jw_obj_end(jsonw_t *w);
void jw_arr_begin(jsonw_t *w);
void jw_arr_end(jsonw_t *w);
void jw_key(jsonw_t *w, const char *key);

void jw_str(jsonw_t *w, const char *s);            /* NULL writes null */
void jw_strn(jsonw_t *w, const void *s, size_t n); /* arbitrary bytes */
void jw_int(jsonw_t *w, int64_t v);
void jw_uint(jsonw_t *w, uint64_t v);
void jw_double(jsonw_t *w, double v, int decimals); /* non-finite writes null */
void jw_bool(jsonw_t *w, bool v);
void jw_null(jsonw_t *w);
/* Epoch time: sec + frac where frac is in units of 10^-digits (6 = µs, 9 = ns). */
void jw_ts(jsonw_t *w, int64_t sec, uint32_t frac, int digits);
/* Write pre-formatted JSON text as a value (caller guarantees validity). */
void jw_raw(jsonw_t *w, const char *json);

/* key + value shorthands */
void jw_kv_str(jsonw_t *w, const char *k, const char *s);
void jw_kv_strn(jsonw_t *w, const char *k, const void *s, size_t n);
void jw_kv_int(jsonw_t *w, const char *k, int64_t v);
void jw_kv_uint(jsonw_t *w, const char *k, uint64_t v);
void jw_kv_double(jsonw_t *w, const char *k, double v, int decimals);
void jw_kv_bool(jsonw_t *w, const char *k, bool v);

/* Append the JSON string escape of n bytes (with quotes) to b. */
void json_escape_append(buf_t *b, const void *s, size_t n);

#endif
