/* log_smtp.c — see log_smtp.h. */
#include "write/log_smtp.h"

#include "core/jsonw.h"
#include "core/logfmt.h"

#include <string.h>

const log_column_t log_smtp_columns[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"uid", LOG_STRING, LOG_IN_SHEET},
    {"id.orig_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.orig_p", LOG_PORT, LOG_IN_SHEET},
    {"id.resp_h", LOG_ADDR, LOG_IN_SHEET},
    {"id.resp_p", LOG_PORT, LOG_IN_SHEET},
    {"trans_depth", LOG_COUNT, LOG_IN_SHEET},
    {"helo", LOG_STRING, LOG_IN_SHEET},
    {"mailfrom", LOG_STRING, LOG_IN_SHEET},
    {"rcptto", LOG_LIST, LOG_IN_SHEET},
    {"date", LOG_STRING, LOG_IN_SHEET},
    {"from", LOG_STRING, LOG_IN_SHEET},
    {"to", LOG_LIST, LOG_IN_SHEET},
    {"cc", LOG_LIST, LOG_IN_SHEET},
    {"reply_to", LOG_STRING, 0},
    {"msg_id", LOG_STRING, LOG_IN_SHEET},
    {"in_reply_to", LOG_STRING, 0},
    {"subject", LOG_STRING, LOG_IN_SHEET},
    {"x_originating_ip", LOG_STRING, 0},
    {"first_received", LOG_STRING, 0},
    {"second_received", LOG_STRING, 0},
    {"last_reply", LOG_STRING, LOG_IN_SHEET},
    {"user_agent", LOG_STRING, 0},
    {"tls", LOG_BOOL, LOG_IN_SHEET},
    {"decrypted", LOG_BOOL, 0},
    {"fuids", LOG_LIST, LOG_IN_SHEET},
    {"message_fuid", LOG_STRING, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"first_frame", LOG_COUNT, 0},
    {"last_frame", LOG_COUNT, 0},
    {NULL, 0, 0},
};

static void kv_opt(jsonw_t *w, const char *key, const char *v)
{
    if (v && v[0])
        jw_kv_str(w, key, v);
}

/* An address header as Zeek logs it: split at commas, blanks around each
 * trimmed. */
static void address_list(jsonw_t *w, const char *key, const char *v)
{
    if (!v || !v[0])
        return;
    jw_key(w, key);
    jw_arr_begin(w);
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        jw_strn(w, a, (size_t)(b - a));
        if (!comma)
            break;
        p = comma + 1;
    }
    jw_arr_end(w);
}

static void string_list(jsonw_t *w, const char *key, const char *const *v, size_t n)
{
    if (!n)
        return;
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_end(w);
}

static void headers(jsonw_t *w, const imf_headers_t *h)
{
    kv_opt(w, "date", h->date);
    kv_opt(w, "from", h->from);
    address_list(w, "to", h->to);
    address_list(w, "cc", h->cc);
    kv_opt(w, "reply_to", h->reply_to);
    kv_opt(w, "msg_id", h->message_id);
    kv_opt(w, "in_reply_to", h->in_reply_to);
    kv_opt(w, "subject", h->subject);
    kv_opt(w, "x_originating_ip", h->x_originating_ip);
    kv_opt(w, "first_received", h->received[0]);
    kv_opt(w, "second_received", h->received[1]);
}

void log_smtp_row(buf_t *out, const smtp_record_t *m, const char *pcap, int ts_digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", m->ts, ts_digits);
    jw_kv_str(&w, "uid", m->conn.uid);
    lf_conn_id(&w, &m->conn.orig, m->conn.orig_p, &m->conn.resp, m->conn.resp_p);
    jw_kv_uint(&w, "trans_depth", m->depth);
    kv_opt(&w, "helo", m->helo);
    kv_opt(&w, "mailfrom", m->mailfrom);
    string_list(&w, "rcptto", m->rcptto, m->nrcpt);
    if (m->hdr)
        headers(&w, m->hdr);
    kv_opt(&w, "last_reply", m->last_reply);
    if (m->hdr)
        kv_opt(&w, "user_agent", m->hdr->user_agent);
    jw_kv_bool(&w, "tls", m->tls);
    if (m->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    string_list(&w, "fuids", m->fuids, m->nfuids);
    kv_opt(&w, "message_fuid", m->eml_fuid);
    jw_kv_str(&w, "pcap", pcap);
    if (m->first_frame)
        jw_kv_uint(&w, "first_frame", m->first_frame);
    if (m->last_frame)
        jw_kv_uint(&w, "last_frame", m->last_frame);
    jw_obj_end(&w);
}
