/* log_smtp.c — see log_smtp.h. */
#include "write/log_smtp.h"

#include "core/jsonw.h"
#include "write/log_row.h"

#include <string.h>

const log_column_t log_smtp_columns[] = {
    LOG_CONN_COLUMNS,
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

static void headers(jsonw_t *w, const imf_headers_t *h)
{
    log_kv_text(w, "date", h->date);
    log_kv_text(w, "from", h->from);
    address_list(w, "to", h->to);
    address_list(w, "cc", h->cc);
    log_kv_text(w, "reply_to", h->reply_to);
    log_kv_text(w, "msg_id", h->message_id);
    log_kv_text(w, "in_reply_to", h->in_reply_to);
    log_kv_text(w, "subject", h->subject);
    log_kv_text(w, "x_originating_ip", h->x_originating_ip);
    log_kv_text(w, "first_received", h->received[0]);
    log_kv_text(w, "second_received", h->received[1]);
}

void log_smtp_row(buf_t *out, const smtp_record_t *m, const char *pcap, int ts_digits)
{
    jsonw_t w;
    log_row_begin(&w, out, m->ts, ts_digits, &m->conn);
    jw_kv_uint(&w, "trans_depth", m->depth);
    log_kv_text(&w, "helo", m->helo);
    log_kv_text(&w, "mailfrom", m->mailfrom);
    if (m->nrcpt)
        log_kv_strings(&w, "rcptto", m->rcptto, m->nrcpt);
    if (m->hdr)
        headers(&w, m->hdr);
    log_kv_text(&w, "last_reply", m->last_reply);
    if (m->hdr)
        log_kv_text(&w, "user_agent", m->hdr->user_agent);
    jw_kv_bool(&w, "tls", m->tls);
    if (m->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    if (m->nfuids)
        log_kv_strings(&w, "fuids", m->fuids, m->nfuids);
    log_kv_text(&w, "message_fuid", m->eml_fuid);
    jw_kv_str(&w, "pcap", pcap);
    if (m->first_frame)
        jw_kv_uint(&w, "first_frame", m->first_frame);
    if (m->last_frame)
        jw_kv_uint(&w, "last_frame", m->last_frame);
    jw_obj_end(&w);
}
