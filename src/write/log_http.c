/* log_http.c — see log_http.h. */
#include "write/log_http.h"

#include "core/jsonw.h"
#include "write/log_row.h"

const log_column_t log_http_columns[] = {
    LOG_CONN_COLUMNS,
    {"trans_depth", LOG_COUNT, LOG_IN_SHEET},
    {"method", LOG_STRING, LOG_IN_SHEET},
    {"host", LOG_STRING, LOG_IN_SHEET},
    {"uri", LOG_STRING, LOG_IN_SHEET},
    {"referrer", LOG_STRING, LOG_IN_SHEET},
    {"version", LOG_STRING, LOG_IN_SHEET},
    {"user_agent", LOG_STRING, LOG_IN_SHEET},
    {"request_body_len", LOG_COUNT, LOG_IN_SHEET},
    {"response_body_len", LOG_COUNT, LOG_IN_SHEET},
    {"status_code", LOG_COUNT, LOG_IN_SHEET},
    {"status_msg", LOG_STRING, LOG_IN_SHEET},
    {"username", LOG_STRING, LOG_IN_SHEET},
    {"orig_fuids", LOG_LIST, LOG_IN_SHEET},
    {"resp_fuids", LOG_LIST, LOG_IN_SHEET},
    {"resp_mime_types", LOG_LIST, LOG_IN_SHEET},
    {"h2_stream_id", LOG_COUNT, 0},
    {"tunnel", LOG_STRING, LOG_IN_SHEET | LOG_OPTIONAL},
    {"decrypted", LOG_BOOL, LOG_IN_SHEET},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"request_frame", LOG_COUNT, LOG_IN_SHEET},
    {"response_frame", LOG_COUNT, 0},
    {"weird", LOG_STRING, 0},
    {NULL, 0, 0},
};

/* A one-element list, as Zeek logs the fuids of a message. */
static void kv_one(jsonw_t *w, const char *key, const char *v)
{
    jw_key(w, key);
    jw_arr_begin(w);
    jw_str(w, v);
    jw_arr_end(w);
}

void log_http_row(buf_t *out, const http_record_t *h, const char *pcap, int ts_digits)
{
    const http_txn_t *t = h->txn;
    jsonw_t w;
    log_row_begin(&w, out, h->ts, ts_digits, &h->conn);
    jw_kv_uint(&w, "trans_depth", t->depth);
    log_kv_str_if(&w, "method", t->method);
    log_kv_str_if(&w, "host", t->host);
    log_kv_str_if(&w, "uri", t->uri);
    log_kv_str_if(&w, "referrer", t->referrer);
    log_kv_str_if(&w, "version", t->version);
    log_kv_str_if(&w, "user_agent", t->user_agent);
    jw_kv_uint(&w, "request_body_len", h->request_body_len);
    jw_kv_uint(&w, "response_body_len", h->response_body_len);
    if (t->status) {
        jw_kv_int(&w, "status_code", t->status);
        if (t->status_msg || !t->stream_id) /* HTTP/2 has no reason phrase */
            jw_kv_str(&w, "status_msg", t->status_msg);
    }
    log_kv_str_if(&w, "username", t->username);
    if (h->orig_fuid)
        kv_one(&w, "orig_fuids", h->orig_fuid);
    if (h->resp_fuid) {
        kv_one(&w, "resp_fuids", h->resp_fuid);
        if (h->resp_mime)
            kv_one(&w, "resp_mime_types", h->resp_mime);
    }
    if (t->stream_id) /* HTTP/2 only */
        jw_kv_uint(&w, "h2_stream_id", t->stream_id);
    log_kv_str_if(&w, "tunnel", h->tunnel); /* a CONNECT answered 2xx only */
    if (h->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    jw_kv_str(&w, "pcap", pcap);
    if (t->req.has)
        jw_kv_uint(&w, "request_frame", t->req.first_frame);
    if (t->resp.has)
        jw_kv_uint(&w, "response_frame", t->resp.first_frame);
    log_kv_str_if(&w, "weird", t->weird);
    jw_obj_end(&w);
}
