/* app_dns.c — see app_dns.h. */
#include "app_dns.h"

#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/logfmt.h"
#include "proto/dns.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending {
    dns_msg_t q;
    ts_ns_t ts;
    uint64_t frame;
} pending_t;

struct dns_state {
    pending_t pend[DNS_MAX_PENDING];
    unsigned npend;
    bool seen_any;
    buf_t tcp[2]; /* partial DNS-over-TCP messages per direction */
    uint64_t tcp_frame[2];
    ts_ns_t tcp_ts[2];
};

bool app_dns_port(uint16_t port)
{
    return port == 53 || port == 5353 || port == 5355;
}

static void kv_name(jsonw_t *w, const char *key, const char *name)
{
    if (name)
        jw_kv_str(w, key, name);
}

/* One dns.ndjson row from a query and/or its response. */
static void log_row(capture_result_t *res, const conn_t *c, const dns_msg_t *q, ts_ns_t qts,
                    uint64_t qframe, const dns_msg_t *r, ts_ns_t rts, uint64_t rframe, bool tcp)
{
    const dns_msg_t *m = q ? q : r;
    /* the question: the query's, or the response's when the query asked
     * none (an inverse query asks with an answer record) */
    const dns_msg_t *qs = q && !q->qname && r && r->qname ? r : m;
    buf_t row = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &row, false);
    int digits = res->ts_digits ? res->ts_digits : 6;
    ts_ns_t ts = q ? qts : rts;
    jw_obj_begin(&w);
    lf_time(&w, "ts", ts, digits);
    jw_kv_str(&w, "uid", c->uid);
    lf_conn_id(&w, &c->orig, c->orig_p, &c->resp, c->resp_p);
    jw_kv_str(&w, "proto", tcp ? "tcp" : "udp");
    jw_kv_uint(&w, "trans_id", m->id);
    if (q && r)
        lf_duration(&w, "rtt", rts - qts, digits);
    if (qs->qname) {
        jw_kv_str(&w, "query", qs->qname);
        jw_kv_uint(&w, "qclass", qs->qclass);
        kv_name(&w, "qclass_name", dns_qclass_name(qs->qclass));
        jw_kv_uint(&w, "qtype", qs->qtype);
        char unknown[24];
        snprintf(unknown, sizeof unknown, "query-%u", qs->qtype);
        jw_kv_str(&w, "qtype_name",
                  dns_qtype_name(qs->qtype) ? dns_qtype_name(qs->qtype) : unknown);
    }
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
    if (r && r->nanswers) {
        jw_key(&w, "answers");
        jw_arr_begin(&w);
        for (size_t i = 0; i < r->nanswers; i++)
            jw_str(&w, r->answers[i].text);
        jw_arr_end(&w);
        jw_key(&w, "TTLs");
        jw_arr_begin(&w);
        for (size_t i = 0; i < r->nanswers; i++)
            jw_double(&w, r->answers[i].ttl, 1);
        jw_arr_end(&w);
    }
    jw_kv_bool(&w, "rejected", r && r->rcode == 5);
    jw_kv_uint(&w, "opcode", m->opcode);
    jw_kv_str(&w, "pcap", res->name);
    jw_kv_uint(&w, "frame", q ? qframe : rframe);
    if (q && r)
        jw_kv_uint(&w, "response_frame", rframe);
    if (m->error || (r && r->error))
        jw_kv_str(&w, "damaged", m->error ? m->error : r->error);
    if (m->weird || (r && r->weird))
        jw_kv_str(&w, "weird", m->weird ? m->weird : r->weird);
    jw_obj_end(&w);
    logstore_add(&res->logs[LOG_DNS], ts, (const char *)row.data, row.len);
    buf_free(&row);

    dns_rec_t *d = capture_dns_add(res);
    d->ts = ts;
    d->client = c->orig, d->server = c->resp;
    d->query = qs->qname ? xstrdup(qs->qname) : NULL;
    d->qtype = qs->qtype;
    d->rcode = r ? (int16_t)r->rcode : -1;
    d->frame = q ? qframe : rframe;
    memcpy(d->uid, c->uid, sizeof d->uid);
    if (r && qs->qname)
        for (size_t i = 0; i < r->nanswers; i++)
            if (r->answers[i].family) {
                ipaddr_t a;
                memset(&a, 0, sizeof a);
                a.family = r->answers[i].family;
                memcpy(a.a, r->answers[i].addr, a.family == 4 ? 4 : 16);
                capture_pdns_add(res, qs->qname, &a, rts);
            }
}

static dns_state_t *state(dns_state_t **st)
{
    if (!*st)
        *st = xcalloc(1, sizeof **st);
    return *st;
}

void app_dns_message(capture_result_t *res, conn_t *c, dns_state_t **stp, bool is_orig,
                     const uint8_t *msg, size_t len, uint64_t frame, ts_ns_t ts, bool tcp)
{
    dns_state_t *st = state(stp);
    dns_msg_t m;
    if (!dns_parse(msg, len, &m)) {
        damage_note(&res->damage, m.error, frame);
        dns_msg_free(&m);
        return;
    }
    if (m.error)
        damage_note(&res->damage, m.error, frame);
    c->service = "dns";
    /* Zeek flips a connection whose first message is a response sent by the
     * originator: the sender of responses is the server. */
    if (!st->seen_any && m.qr && is_orig && c->proto == IPPROTO_UDP) {
        conn_flip(c);
        is_orig = false;
    }
    st->seen_any = true;
    if (!m.qr) {
        if (st->npend == DNS_MAX_PENDING) {
            pending_t *old = &st->pend[0];
            log_row(res, c, &old->q, old->ts, old->frame, NULL, 0, 0, tcp);
            dns_msg_free(&old->q);
            memmove(st->pend, st->pend + 1, (DNS_MAX_PENDING - 1) * sizeof *st->pend);
            st->npend--;
        }
        pending_t *p = &st->pend[st->npend++];
        p->q = m;
        p->ts = ts;
        p->frame = frame;
        return;
    }
    for (unsigned i = 0; i < st->npend; i++) {
        /* same id, and the same name when the response names one (mDNS
         * uses id 0 for everything) */
        if (st->pend[i].q.id != m.id ||
            (m.qname && st->pend[i].q.qname && strcmp(m.qname, st->pend[i].q.qname) != 0))
            continue;
        log_row(res, c, &st->pend[i].q, st->pend[i].ts, st->pend[i].frame, &m, ts, frame, tcp);
        dns_msg_free(&st->pend[i].q);
        memmove(st->pend + i, st->pend + i + 1, (st->npend - i - 1) * sizeof *st->pend);
        st->npend--;
        dns_msg_free(&m);
        return;
    }
    log_row(res, c, NULL, 0, 0, &m, ts, frame, tcp);
    dns_msg_free(&m);
}

void app_dns_stream(capture_result_t *res, conn_t *c, dns_state_t **stp, bool is_orig,
                    const uint8_t *data, size_t len, uint64_t frame, ts_ns_t ts)
{
    dns_state_t *st = state(stp);
    buf_t *b = &st->tcp[is_orig ? 0 : 1];
    if (b->len == 0) {
        st->tcp_frame[is_orig ? 0 : 1] = frame;
        st->tcp_ts[is_orig ? 0 : 1] = ts;
    }
    buf_append(b, data, len);
    while (b->len >= 2) {
        size_t mlen = (size_t)b->data[0] << 8 | b->data[1];
        if (b->len < 2 + mlen)
            break;
        app_dns_message(res, c, stp, is_orig, b->data + 2, mlen, st->tcp_frame[is_orig ? 0 : 1], ts,
                        true);
        buf_consume(b, 2 + mlen);
        st->tcp_frame[is_orig ? 0 : 1] = frame;
        st->tcp_ts[is_orig ? 0 : 1] = ts;
    }
    if (b->len > DNS_TCP_MAX) {
        damage_note(&res->damage, "dns.tcp_message_too_long", frame);
        buf_clear(b);
    }
}

/* A DNS-over-TCP message whose length prefix promised more than the
 * connection carried: what arrived is read as far as it goes (header,
 * question, ...) and logged, and the cut is counted. */
static void tcp_cut_short(capture_result_t *res, conn_t *c, dns_state_t **stp, bool is_orig)
{
    dns_state_t *st = *stp;
    buf_t *b = &st->tcp[is_orig ? 0 : 1];
    uint64_t frame = st->tcp_frame[is_orig ? 0 : 1];
    if (b->len < 2 + DNS_HEADER_LEN)
        return;
    damage_note(&res->damage, "dns.tcp_message_cut_short", frame);
    app_dns_message(res, c, stp, is_orig, b->data + 2, b->len - 2, frame,
                    st->tcp_ts[is_orig ? 0 : 1], true);
    buf_clear(b);
}

void app_dns_done(capture_result_t *res, conn_t *c, dns_state_t **stp)
{
    dns_state_t *st = *stp;
    if (!st)
        return;
    tcp_cut_short(res, c, stp, true);
    tcp_cut_short(res, c, stp, false);
    for (unsigned i = 0; i < st->npend; i++) {
        log_row(res, c, &st->pend[i].q, st->pend[i].ts, st->pend[i].frame, NULL, 0, 0,
                c->proto == IPPROTO_TCP);
        dns_msg_free(&st->pend[i].q);
    }
    buf_free(&st->tcp[0]);
    buf_free(&st->tcp[1]);
    free(st);
    *stp = NULL;
}
