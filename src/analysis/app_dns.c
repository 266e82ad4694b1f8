/* app_dns.c — see app_dns.h. */
#include "analysis/app_dns.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "proto/dns.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending {
    dns_msg_t q;
    ts_ns_t ts;
    uint64_t frame;
} pending_t;

typedef struct dns_state {
    const an_ctx_t *ctx;
    conn_t *c;
    pending_t *pend; /* grown as queries wait, up to DNS_MAX_PENDING: most
                        connections carry one query at a time, and a capture
                        may hold tens of thousands of them open at once */
    unsigned npend, cappend;
    bool seen_any;
    buf_t tcp[2]; /* partial DNS-over-TCP messages per direction */
    uint64_t tcp_frame[2];
    ts_ns_t tcp_ts[2];
} dns_state_t;

bool app_dns_detect_udp(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                        size_t n)
{
    return an_detect_any_port(ctx, c, is_orig, p, n) && dns_looks_like(p, n);
}

/* One record from a query and/or its response; the response's addresses
 * go to passive DNS. */
static void emit(const an_ctx_t *ctx, const conn_t *c, const dns_msg_t *q, ts_ns_t qts,
                 uint64_t qframe, const dns_msg_t *r, ts_ns_t rts, uint64_t rframe, bool tcp)
{
    dns_exchange_t x = {.tcp = tcp,
                        .transport = ctx->decrypted ? "dot" : NULL, /* DNS over TLS, decrypted */
                        .query = q,
                        .response = r,
                        .query_ts = qts,
                        .response_ts = rts,
                        .query_frame = qframe,
                        .response_frame = rframe};
    an_conn_ident(c, &x.conn);
    ctx->records->dns(ctx->records->ctx, &x);
    const dns_msg_t *qs = dns_exchange_question(&x);
    if (!r || !qs->qname)
        return;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].family) {
            name_sighting_t n = {.name = qs->qname, .ts = rts};
            n.addr.family = r->answers[i].family;
            memcpy(n.addr.a, r->answers[i].addr, n.addr.family == 4 ? 4 : 16);
            ctx->records->name_seen(ctx->records->ctx, &n);
        }
}

static void *dns_new(const an_ctx_t *ctx, conn_t *c)
{
    dns_state_t *st = xcalloc(1, sizeof *st);
    st->ctx = ctx;
    st->c = c;
    return st;
}

/* The exchange waiting at pend[i] is done (answered or given up). */
static void pending_done(dns_state_t *st, unsigned i)
{
    dns_msg_free(&st->pend[i].q);
    memmove(st->pend + i, st->pend + i + 1, (st->npend - i - 1) * sizeof *st->pend);
    st->npend--;
}

/* A query waits for its response; the oldest is given up when too many do. */
static void query(dns_state_t *st, dns_msg_t *m, uint64_t frame, ts_ns_t ts, bool tcp)
{
    if (st->npend == DNS_MAX_PENDING) {
        pending_t *old = &st->pend[0];
        emit(st->ctx, st->c, &old->q, old->ts, old->frame, NULL, 0, 0, tcp);
        pending_done(st, 0);
    }
    if (st->npend == st->cappend) {
        st->cappend = st->cappend ? 2 * st->cappend : 2;
        if (st->cappend > DNS_MAX_PENDING)
            st->cappend = DNS_MAX_PENDING;
        st->pend = xreallocarray(st->pend, st->cappend, sizeof *st->pend);
    }
    pending_t *p = &st->pend[st->npend++];
    p->q = *m;
    p->ts = ts;
    p->frame = frame;
}

/* A response goes with its query: same id, and the same name when the
 * response names one (mDNS uses id 0 for everything). */
static void response(dns_state_t *st, const dns_msg_t *m, uint64_t frame, ts_ns_t ts, bool tcp)
{
    for (unsigned i = 0; i < st->npend; i++) {
        const dns_msg_t *q = &st->pend[i].q;
        if (q->id != m->id || (m->qname && q->qname && strcmp(m->qname, q->qname) != 0))
            continue;
        emit(st->ctx, st->c, q, st->pend[i].ts, st->pend[i].frame, m, ts, frame, tcp);
        pending_done(st, i);
        return;
    }
    emit(st->ctx, st->c, NULL, 0, 0, m, ts, frame, tcp);
}

/* One DNS message from the connection; is_orig = sent by the originator. */
static void message(dns_state_t *st, bool is_orig, const uint8_t *msg, size_t len, uint64_t frame,
                    ts_ns_t ts, bool tcp)
{
    conn_t *c = st->c;
    dns_msg_t m;
    if (!dns_parse(msg, len, &m)) {
        damage_note(st->ctx->damage, m.error, frame);
        dns_msg_free(&m);
        return;
    }
    if (m.error)
        damage_note(st->ctx->damage, m.error, frame);
    an_claim(st->ctx, c);
    /* Zeek flips a connection whose first message is a response sent by the
     * originator: the sender of responses is the server. */
    if (!st->seen_any && m.qr && is_orig && c->proto == IPPROTO_UDP) {
        conn_flip(c);
        is_orig = false;
    }
    st->seen_any = true;
    if (!m.qr) {
        query(st, &m, frame, ts, tcp); /* keeps m */
        return;
    }
    response(st, &m, frame, ts, tcp);
    dns_msg_free(&m);
}

static void dns_datagram(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                         ts_ns_t ts)
{
    message(state, is_orig, p, n, frame, ts, false);
}

/* Bytes of a DNS-over-TCP stream (one direction): messages by their length
 * prefix. */
static void dns_stream(void *state, bool is_orig, const uint8_t *data, size_t len, uint64_t frame,
                       ts_ns_t ts)
{
    dns_state_t *st = state;
    int side = is_orig ? 0 : 1;
    buf_t *b = &st->tcp[side];
    if (b->len == 0) {
        st->tcp_frame[side] = frame;
        st->tcp_ts[side] = ts;
    }
    buf_append(b, data, len);
    for (;;) {
        cursor_t cur = cursor_make(b->data, b->len);
        uint16_t mlen;
        const uint8_t *msg;
        if (!cursor_u16be(&cur, &mlen) || !cursor_bytes(&cur, mlen, &msg))
            break;
        message(st, is_orig, msg, mlen, st->tcp_frame[side], ts, true);
        buf_consume(b, 2 + (size_t)mlen);
        st->tcp_frame[side] = frame;
        st->tcp_ts[side] = ts;
    }
    if (b->len > DNS_TCP_MAX) {
        damage_note(st->ctx->damage, "dns.tcp_message_too_long", frame);
        buf_clear(b);
    }
}

/* A DNS-over-TCP message whose length prefix promised more than the
 * connection carried: what arrived is read as far as it goes (header,
 * question, ...) and logged, and the cut is counted. */
static void tcp_cut_short(dns_state_t *st, bool is_orig)
{
    int side = is_orig ? 0 : 1;
    buf_t *b = &st->tcp[side];
    uint64_t frame = st->tcp_frame[side];
    if (b->len < 2 + DNS_HEADER_LEN)
        return;
    damage_note(st->ctx->damage, "dns.tcp_message_cut_short", frame);
    message(st, is_orig, b->data + 2, b->len - 2, frame, st->tcp_ts[side], true);
    buf_clear(b);
}

/* The connection ends: messages cut short, unanswered queries, free. */
static void dns_finish(void *state)
{
    dns_state_t *st = state;
    tcp_cut_short(st, true);
    tcp_cut_short(st, false);
    for (unsigned i = 0; i < st->npend; i++) {
        emit(st->ctx, st->c, &st->pend[i].q, st->pend[i].ts, st->pend[i].frame, NULL, 0, 0,
             st->c->proto == IPPROTO_TCP);
        dns_msg_free(&st->pend[i].q);
    }
    free(st->pend);
    buf_free(&st->tcp[0]);
    buf_free(&st->tcp[1]);
    free(st);
}

const analyser_ops_t app_dns_udp_ops = {dns_new, dns_datagram, NULL, NULL, dns_finish, NULL, NULL};
const analyser_ops_t app_dns_tcp_ops = {dns_new, dns_stream, NULL, NULL, dns_finish, NULL, NULL};
