/* log_row.c — see log_row.h. */
#include "write/log_row.h"

#include "core/logfmt.h"

void log_row_begin(jsonw_t *w, buf_t *out, ts_ns_t ts, int ts_digits, const conn_ident_t *conn)
{
    jw_init(w, out, false);
    jw_obj_begin(w);
    lf_time(w, "ts", ts, ts_digits);
    log_row_conn(w, conn);
}

void log_row_conn(jsonw_t *w, const conn_ident_t *conn)
{
    jw_kv_str(w, "uid", conn->uid);
    lf_conn_id(w, &conn->orig, conn->orig_p, &conn->resp, conn->resp_p);
}

void log_kv_text(jsonw_t *w, const char *key, const char *v)
{
    if (v && v[0])
        jw_kv_str(w, key, v);
}

void log_kv_str_if(jsonw_t *w, const char *key, const char *v)
{
    if (v)
        jw_kv_str(w, key, v);
}

void log_kv_strings(jsonw_t *w, const char *key, const char *const *v, size_t n)
{
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_end(w);
}
