/* log_dns.c — see log_dns.h. */
#include "write/log_dns.h"

#include "core/jsonw.h"
#include "core/logfmt.h"
#include "write/log_row.h"

#include <stdio.h>

/* RFC 1035 §4.1.1: the server refused the query for policy reasons. */
#define DNS_RCODE_REFUSED 5

const log_column_t log_dns_columns[] = {
    LOG_CONN_COLUMNS,
    {"proto", LOG_STRING, LOG_IN_SHEET},
    {"trans_id", LOG_COUNT, LOG_IN_SHEET},
    {"rtt", LOG_INTERVAL, LOG_IN_SHEET},
    {"query", LOG_STRING, LOG_IN_SHEET},
    {"qclass", LOG_COUNT, LOG_IN_SHEET},
    {"qclass_name", LOG_STRING, LOG_IN_SHEET},
    {"qtype", LOG_COUNT, LOG_IN_SHEET},
    {"qtype_name", LOG_STRING, LOG_IN_SHEET},
    {"rcode", LOG_COUNT, LOG_IN_SHEET},
    {"rcode_name", LOG_STRING, LOG_IN_SHEET},
    {"AA", LOG_BOOL, LOG_IN_SHEET},
    {"TC", LOG_BOOL, LOG_IN_SHEET},
    {"RD", LOG_BOOL, LOG_IN_SHEET},
    {"RA", LOG_BOOL, LOG_IN_SHEET},
    {"Z", LOG_COUNT, LOG_IN_SHEET},
    {"answers", LOG_LIST, LOG_IN_SHEET},
    {"TTLs", LOG_LIST, LOG_IN_SHEET},
    {"rejected", LOG_BOOL, LOG_IN_SHEET},
    {"opcode", LOG_COUNT, 0},
    {"transport", LOG_STRING, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {"response_frame", LOG_COUNT, 0},
    {"damaged", LOG_STRING, 0},
    {"weird", LOG_STRING, 0},
    {NULL, 0, 0},
};

static void kv_name(jsonw_t *w, const char *key, const char *name)
{
    if (name)
        jw_kv_str(w, key, name);
}

static void question(jsonw_t *w, const dns_msg_t *m)
{
    jw_kv_str(w, "query", m->qname);
    jw_kv_uint(w, "qclass", m->qclass);
    kv_name(w, "qclass_name", dns_qclass_name(m->qclass));
    jw_kv_uint(w, "qtype", m->qtype);
    char unknown[24];
    snprintf(unknown, sizeof unknown, "query-%u", m->qtype);
    jw_kv_str(w, "qtype_name", dns_qtype_name(m->qtype) ? dns_qtype_name(m->qtype) : unknown);
}

static void answers(jsonw_t *w, const dns_msg_t *r)
{
    jw_key(w, "answers");
    jw_arr_begin(w);
    for (size_t i = 0; i < r->nanswers; i++)
        jw_str(w, r->answers[i].text);
    jw_arr_end(w);
    jw_key(w, "TTLs");
    jw_arr_begin(w);
    for (size_t i = 0; i < r->nanswers; i++)
        jw_double(w, r->answers[i].ttl, 1);
    jw_arr_end(w);
}

void log_dns_row(buf_t *out, const dns_exchange_t *x, const char *pcap, int ts_digits)
{
    const dns_msg_t *q = x->query, *r = x->response;
    const dns_msg_t *m = q ? q : r;
    const dns_msg_t *qs = dns_exchange_question(x);
    jsonw_t w;
    log_row_begin(&w, out, q ? x->query_ts : x->response_ts, ts_digits, &x->conn);
    jw_kv_str(&w, "proto", x->tcp ? "tcp" : "udp");
    jw_kv_uint(&w, "trans_id", m->id);
    if (q && r)
        lf_duration(&w, "rtt", x->response_ts - x->query_ts, ts_digits);
    if (qs->qname)
        question(&w, qs);
    if (r) {
        uint16_t rcode = (uint16_t)(r->rcode | (r->edns_rcode_ext << 4));
        jw_kv_uint(&w, "rcode", rcode);
        kv_name(&w, "rcode_name", dns_rcode_name(rcode));
    }
    jw_kv_bool(&w, "AA", r ? r->aa : false);
    jw_kv_bool(&w, "TC", r ? r->tc : (q ? q->tc : false));
    jw_kv_bool(&w, "RD", m->rd);
    jw_kv_bool(&w, "RA", r ? r->ra : false);
    jw_kv_uint(&w, "Z", r ? r->z : m->z);
    if (r && r->nanswers)
        answers(&w, r);
    jw_kv_bool(&w, "rejected", r && r->rcode == DNS_RCODE_REFUSED);
    jw_kv_uint(&w, "opcode", m->opcode);
    if (x->transport) /* DNS over HTTPS or TLS: only there for them */
        jw_kv_str(&w, "transport", x->transport);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", q ? x->query_frame : x->response_frame);
    if (q && r)
        jw_kv_uint(&w, "response_frame", x->response_frame);
    if (m->error || (r && r->error))
        jw_kv_str(&w, "damaged", m->error ? m->error : r->error);
    if (m->weird || (r && r->weird))
        jw_kv_str(&w, "weird", m->weird ? m->weird : r->weird);
    jw_obj_end(&w);
}
