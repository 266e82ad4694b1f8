/* log_smb_files.c — see log_smb_files.h. */
#include "write/log_smb_files.h"

#include "core/jsonw.h"
#include "core/logfmt.h"
#include "write/log_row.h"

const log_column_t log_smb_files_columns[] = {
    LOG_CONN_COLUMNS,
    {"fuid", LOG_STRING, LOG_IN_SHEET},
    {"action", LOG_STRING, LOG_IN_SHEET},
    {"path", LOG_STRING, LOG_IN_SHEET},
    {"name", LOG_STRING, LOG_IN_SHEET},
    {"prev_name", LOG_STRING, 0},
    {"size", LOG_COUNT, LOG_IN_SHEET},
    {"times.modified", LOG_TIME, 0},
    {"times.accessed", LOG_TIME, 0},
    {"times.created", LOG_TIME, 0},
    {"times.changed", LOG_TIME, 0},
    {"seen_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"missing_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"complete", LOG_BOOL, LOG_IN_SHEET},
    {"closed", LOG_BOOL, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"first_frame", LOG_COUNT, LOG_IN_SHEET},
    {"last_frame", LOG_COUNT, 0},
    {NULL, 0, 0},
};

static void kv_time(jsonw_t *w, const char *key, ts_ns_t t, int digits)
{
    if (t)
        lf_time(w, key, t, digits);
}

void log_smb_files_row(buf_t *out, const smb_file_record_t *f, const char *pcap, int ts_digits)
{
    jsonw_t w;
    log_row_begin(&w, out, f->ts, ts_digits, &f->conn);
    log_kv_text(&w, "fuid", f->fuid);
    jw_kv_str(&w, "action", f->action);
    log_kv_text(&w, "path", f->path);
    log_kv_text(&w, "name", f->name);
    log_kv_text(&w, "prev_name", f->prev_name);
    jw_kv_uint(&w, "size", f->size);
    kv_time(&w, "times.modified", f->modified, ts_digits);
    kv_time(&w, "times.accessed", f->accessed, ts_digits);
    kv_time(&w, "times.created", f->created, ts_digits);
    kv_time(&w, "times.changed", f->changed, ts_digits);
    jw_kv_uint(&w, "seen_bytes", f->seen_bytes);
    jw_kv_uint(&w, "missing_bytes", f->missing_bytes);
    jw_kv_bool(&w, "complete", f->complete);
    jw_kv_bool(&w, "closed", f->closed);
    jw_kv_str(&w, "pcap", pcap);
    if (f->first_frame)
        jw_kv_uint(&w, "first_frame", f->first_frame);
    if (f->last_frame)
        jw_kv_uint(&w, "last_frame", f->last_frame);
    jw_obj_end(&w);
}
