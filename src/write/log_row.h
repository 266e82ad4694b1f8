/*
 * log_row.h — the pieces every log writer's rows share.
 *
 * A connection log's row opens the same way in each writer (ts, uid and
 * Zeek's id.* 4-tuple), and its optional strings and string lists follow
 * the same rules; they are written here once so the writers agree on them
 * by construction.  Each writer (write/log_*.c) still owns the rest of its
 * columns.
 */
#ifndef PCAPCASE_LOG_ROW_H
#define PCAPCASE_LOG_ROW_H

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/types.h"
#include "model/records.h"
#include "write/log_columns.h"

#include <stddef.h>

/* The six columns a connection log opens with, for its log_column_t list:
 * ts, uid, id.orig_h, id.orig_p, id.resp_h, id.resp_p, all in the sheet. */
#define LOG_CONN_COLUMNS                                                                           \
    {"ts", LOG_TIME, LOG_IN_SHEET}, {"uid", LOG_STRING, LOG_IN_SHEET},                             \
        {"id.orig_h", LOG_ADDR, LOG_IN_SHEET}, {"id.orig_p", LOG_PORT, LOG_IN_SHEET},              \
        {"id.resp_h", LOG_ADDR, LOG_IN_SHEET},                                                     \
    {                                                                                              \
        "id.resp_p", LOG_PORT, LOG_IN_SHEET                                                        \
    }

/* Starts a row of a connection log: initialises w on out (no pretty
 * printing), opens the object and writes ts, uid and id.*.  The caller
 * writes its own columns and closes the object with jw_obj_end. */
void log_row_begin(jsonw_t *w, buf_t *out, ts_ns_t ts, int ts_digits, const conn_ident_t *conn);

/* uid and id.* of conn (for rows whose ts or first columns differ). */
void log_row_conn(jsonw_t *w, const conn_ident_t *conn);

/* key: v when v is a non-empty string; nothing for NULL or "". */
void log_kv_text(jsonw_t *w, const char *key, const char *v);

/* key: v when v is not NULL ("" is written as ""). */
void log_kv_str_if(jsonw_t *w, const char *key, const char *v);

/* key: [v[0], ..., v[n-1]] — written even when n is 0 ([]). */
void log_kv_strings(jsonw_t *w, const char *key, const char *const *v, size_t n);

#endif
