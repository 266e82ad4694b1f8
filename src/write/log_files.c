/* log_files.c — see log_files.h. */
#include "write/log_files.h"

#include "core/jsonw.h"
#include "core/logfmt.h"
#include "core/xalloc.h"
#include "write/log_row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
const log_column_t log_files_columns[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"fuid", LOG_STRING, LOG_IN_SHEET},
    {"uid", LOG_STRING, LOG_IN_SHEET},
    {"id.orig_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.orig_p", LOG_PORT, LOG_IN_SHEET},
    {"id.resp_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.resp_p", LOG_PORT, LOG_IN_SHEET},
    {"source", LOG_STRING, LOG_IN_SHEET},
    {"mime_type", LOG_STRING, LOG_IN_SHEET},
    {"description", LOG_STRING, 0},
    {"declared_mime_type", LOG_STRING, 0},
    {"filename", LOG_STRING, LOG_IN_SHEET},
    {"duration", LOG_INTERVAL, LOG_IN_SHEET},
    {"is_orig", LOG_BOOL, LOG_IN_SHEET},
    {"seen_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"total_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"missing_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"missing_ranges", LOG_RECORD, 0},
    {"md5", LOG_STRING, LOG_IN_SHEET},
    {"sha1", LOG_STRING, LOG_IN_SHEET},
    {"sha256", LOG_STRING, LOG_IN_SHEET},
    {"extracted", LOG_STRING, LOG_IN_SHEET},
    {"url", LOG_STRING, LOG_IN_SHEET},
    {"section", LOG_STRING, 0},
    {"content_encoding", LOG_STRING, LOG_IN_SHEET},
    {"encoded_sha256", LOG_STRING, 0},
    {"encoded_extracted", LOG_STRING, 0},
    {"decode_error_offset", LOG_COUNT, 0},
    {"content_range", LOG_STRING, 0},
    {"decoding_note", LOG_STRING, 0},
    {"trailing_bytes", LOG_COUNT, 0},
    {"assembled_from", LOG_LIST, 0},
    {"decrypted", LOG_BOOL, LOG_IN_SHEET},
    {"truncated", LOG_BOOL, LOG_IN_SHEET},
    {"truncated_reason", LOG_STRING, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"first_frame", LOG_COUNT, LOG_IN_SHEET},
    {"last_frame", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};
/* clang-format on */

/* A digest: "" when it was not computed. */
static void kv_hex(jsonw_t *w, const char *key, const char *v)
{
    if (v && v[0])
        jw_kv_str(w, key, v);
}

/* The parts an object was assembled from (a multipart body gives several
 * parts in a row: each fuid once). */
static void assembled_from(jsonw_t *w, const file_record_t *f)
{
    jw_key(w, "assembled_from");
    jw_arr_begin(w);
    for (size_t i = 0; i < f->nassembled; i++)
        if (i == 0 || strcmp(f->assembled_from[i], f->assembled_from[i - 1]) != 0)
            jw_str(w, f->assembled_from[i]);
    jw_arr_end(w);
}

/* The holes of a partial file: {"start", "end"} (end exclusive) at file
 * offsets (HTTP: offsets of the body as sent). */
static void missing_ranges(jsonw_t *w, const file_record_t *f)
{
    jw_key(w, "missing_ranges");
    jw_arr_begin(w);
    for (size_t i = 0; i < f->nmissing_ranges; i++) {
        jw_obj_begin(w);
        jw_kv_uint(w, "start", f->missing_ranges[i].start);
        jw_kv_uint(w, "end", f->missing_ranges[i].end);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void log_files_row(buf_t *out, const file_record_t *f, const char *pcap, int ts_digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", f->ts, ts_digits);
    jw_kv_str(&w, "fuid", f->fuid);
    log_row_conn(&w, &f->conn);
    jw_kv_str(&w, "source", f->source);
    log_kv_str_if(&w, "mime_type", f->mime);
    log_kv_str_if(&w, "description", f->description);
    log_kv_str_if(&w, "declared_mime_type", f->declared_mime);
    log_kv_str_if(&w, "filename", f->filename);
    if (f->has_duration)
        lf_duration(&w, "duration", f->duration, ts_digits);
    jw_kv_bool(&w, "is_orig", f->is_orig);
    jw_kv_uint(&w, "seen_bytes", f->seen_bytes);
    if (f->total_bytes >= 0)
        jw_kv_int(&w, "total_bytes", f->total_bytes);
    jw_kv_uint(&w, "missing_bytes", f->missing_bytes);
    if (f->nmissing_ranges)
        missing_ranges(&w, f);
    kv_hex(&w, "md5", f->md5);
    kv_hex(&w, "sha1", f->sha1);
    kv_hex(&w, "sha256", f->sha256);
    if (f->extracted && f->sha256[0]) {
        char *rel = xasprintf("artifacts/%s%s", f->sha256, f->partial ? ".partial" : "");
        jw_kv_str(&w, "extracted", rel);
        free(rel);
    }
    log_kv_str_if(&w, "url", f->url);
    log_kv_str_if(&w, "section", f->section);
    log_kv_str_if(&w, "content_encoding", f->content_encoding);
    kv_hex(&w, "encoded_sha256", f->encoded_sha256);
    if (f->encoded_extracted) {
        char *rel =
            xasprintf("artifacts/%s%s", f->encoded_sha256, f->encoded_partial ? ".partial" : "");
        jw_kv_str(&w, "encoded_extracted", rel);
        free(rel);
    }
    if (f->decode_failed)
        jw_kv_uint(&w, "decode_error_offset", f->decode_error_offset);
    log_kv_str_if(&w, "content_range", f->content_range);
    log_kv_str_if(&w, "decoding_note", f->decoding_note);
    if (f->trailing_bytes)
        jw_kv_uint(&w, "trailing_bytes", f->trailing_bytes);
    if (f->nassembled)
        assembled_from(&w, f);
    if (f->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    jw_kv_bool(&w, "truncated", f->truncated);
    log_kv_str_if(&w, "truncated_reason", f->truncated_reason);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "first_frame", f->first_frame);
    jw_kv_uint(&w, "last_frame", f->last_frame);
    jw_obj_end(&w);
}
