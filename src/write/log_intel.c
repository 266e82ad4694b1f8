/* log_intel.c — see log_intel.h. */
#include "write/log_intel.h"

#include "core/jsonw.h"
#include "core/logfmt.h"
#include "write/log_row.h"

const log_column_t log_intel_columns[] = {
    LOG_CONN_COLUMNS,
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

void log_intel_row(buf_t *out, const intel_sighting_t *s, const char *pcap, int ts_digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", s->ts, ts_digits);
    if (s->conn.uid[0]) /* "" when the value belongs to no connection */
        log_row_conn(&w, &s->conn);
    jw_kv_str(&w, "seen.indicator", s->value);
    jw_kv_str(&w, "seen.indicator_type", s->value_type);
    jw_kv_str(&w, "seen.where", s->where);
    log_kv_strings(&w, "matched", s->matched, s->nmatched);
    log_kv_strings(&w, "sources", s->sources, s->nsources);
    log_kv_strings(&w, "indicators", s->indicators, s->nindicators);
    log_kv_text(&w, "fuid", s->fuid);
    log_kv_text(&w, "file_mime_type", s->file_mime);
    log_kv_text(&w, "file_desc", s->file_desc);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", s->frame);
    jw_obj_end(&w);
}
