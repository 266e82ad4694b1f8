/* log_credentials.c — see log_credentials.h. */
#include "write/log_credentials.h"

#include "core/jsonw.h"
#include "core/logfmt.h"

const log_column_t log_credentials_columns[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"uid", LOG_STRING, LOG_IN_SHEET},
    {"id.orig_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.orig_p", LOG_PORT, LOG_IN_SHEET},
    {"id.resp_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.resp_p", LOG_PORT, LOG_IN_SHEET},
    {"proto", LOG_STRING, LOG_IN_SHEET},
    {"mechanism", LOG_STRING, LOG_IN_SHEET},
    {"username", LOG_STRING, LOG_IN_SHEET},
    {"domain", LOG_STRING, LOG_IN_SHEET},
    {"host", LOG_STRING, LOG_IN_SHEET},
    {"has_password", LOG_BOOL, LOG_IN_SHEET},
    {"secret", LOG_STRING, 0}, /* never in the workbook */
    {"hashed", LOG_BOOL, LOG_IN_SHEET},
    {"outcome", LOG_STRING, LOG_IN_SHEET},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};

static void kv_opt(jsonw_t *w, const char *key, const char *v)
{
    if (v && v[0])
        jw_kv_str(w, key, v);
}

void log_credentials_row(buf_t *out, const credential_t *c, const char *pcap, int ts_digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", c->ts, ts_digits);
    jw_kv_str(&w, "uid", c->conn.uid);
    lf_conn_id(&w, &c->conn.orig, c->conn.orig_p, &c->conn.resp, c->conn.resp_p);
    jw_kv_str(&w, "proto", c->proto);
    kv_opt(&w, "mechanism", c->mechanism);
    jw_kv_str(&w, "username", c->username ? c->username : "");
    kv_opt(&w, "domain", c->domain);
    kv_opt(&w, "host", c->host);
    jw_kv_bool(&w, "has_password", c->has_password);
    kv_opt(&w, "secret", c->secret);
    jw_kv_bool(&w, "hashed", c->hashed);
    kv_opt(&w, "outcome", c->outcome);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", c->frame);
    jw_obj_end(&w);
}
