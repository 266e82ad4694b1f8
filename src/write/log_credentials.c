/* log_credentials.c — see log_credentials.h. */
#include "write/log_credentials.h"

#include "core/jsonw.h"
#include "write/log_row.h"

const log_column_t log_credentials_columns[] = {
    LOG_CONN_COLUMNS,
    {"proto", LOG_STRING, LOG_IN_SHEET},
    {"mechanism", LOG_STRING, LOG_IN_SHEET},
    {"username", LOG_STRING, LOG_IN_SHEET},
    {"domain", LOG_STRING, LOG_IN_SHEET},
    {"host", LOG_STRING, LOG_IN_SHEET},
    {"has_password", LOG_BOOL, LOG_IN_SHEET},
    {"secret", LOG_STRING, 0}, /* never in the workbook */
    {"hashed", LOG_BOOL, LOG_IN_SHEET},
    {"outcome", LOG_STRING, LOG_IN_SHEET},
    {"decrypted", LOG_BOOL, LOG_IN_SHEET},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};

void log_credentials_row(buf_t *out, const credential_t *c, const char *pcap, int ts_digits)
{
    jsonw_t w;
    log_row_begin(&w, out, c->ts, ts_digits, &c->conn);
    jw_kv_str(&w, "proto", c->proto);
    log_kv_text(&w, "mechanism", c->mechanism);
    jw_kv_str(&w, "username", c->username ? c->username : "");
    log_kv_text(&w, "domain", c->domain);
    log_kv_text(&w, "host", c->host);
    jw_kv_bool(&w, "has_password", c->has_password);
    log_kv_text(&w, "secret", c->secret);
    jw_kv_bool(&w, "hashed", c->hashed);
    log_kv_text(&w, "outcome", c->outcome);
    if (c->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", c->frame);
    jw_obj_end(&w);
}
