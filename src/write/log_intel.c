/* log_intel.c — see log_intel.h. */
#include "write/log_intel.h"

#include "core/jsonw.h"
#include "core/logfmt.h"

const log_column_t log_intel_columns[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"uid", LOG_STRING, LOG_IN_SHEET},
    {"id.orig_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.orig_p", LOG_PORT, LOG_IN_SHEET},
    {"id.resp_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.resp_p", LOG_PORT, LOG_IN_SHEET},
    {"seen.indicator", LOG_STRING, LOG_IN_SHEET},
    {"seen.indicator_type", LOG_STRING, LOG_IN_SHEET},
    {"seen.where", LOG_STRING, LOG_IN_SHEET},
    {"matched", LOG_LIST, LOG_IN_SHEET},
    {"sources", LOG_LIST, LOG_IN_SHEET},
    {"indicators", LOG_LIST, LOG_IN_SHEET},
    {"fuid", LOG_STRING, LOG_IN_SHEET},
    {"file_mime_type", LOG_STRING, 0},
    {"file_desc", LOG_STRING, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};

static void kv_list(jsonw_t *w, const char *key, const char *const *v, size_t n)
{
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_end(w);
}

static void kv_opt(jsonw_t *w, const char *key, const char *s)
{
    if (s && *s)
        jw_kv_str(w, key, s);
}

void log_intel_row(buf_t *out, const intel_sighting_t *s, const char *pcap, int ts_digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", s->ts, ts_digits);
    if (s->conn.uid[0]) {
        jw_kv_str(&w, "uid", s->conn.uid);
        lf_conn_id(&w, &s->conn.orig, s->conn.orig_p, &s->conn.resp, s->conn.resp_p);
    }
    jw_kv_str(&w, "seen.indicator", s->value);
    jw_kv_str(&w, "seen.indicator_type", s->value_type);
    jw_kv_str(&w, "seen.where", s->where);
    kv_list(&w, "matched", s->matched, s->nmatched);
    kv_list(&w, "sources", s->sources, s->nsources);
    kv_list(&w, "indicators", s->indicators, s->nindicators);
    kv_opt(&w, "fuid", s->fuid);
    kv_opt(&w, "file_mime_type", s->file_mime);
    kv_opt(&w, "file_desc", s->file_desc);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", s->frame);
    jw_obj_end(&w);
}
