/* app_dns.c — see app_dns.h. */
#include "app_dns.h"

#include "core/xalloc.h"
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
};

bool app_dns_port(uint16_t port)
{
    return port == 53 || port == 5353 || port == 5355;
}

/* One record from a query and/or its response; the response's addresses
 * go to passive DNS. */
static void emit(const an_ctx_t *ctx, const conn_t *c, const dns_msg_t *q, ts_ns_t qts,
                 uint64_t qframe, const dns_msg_t *r, ts_ns_t rts, uint64_t rframe, bool tcp)
{
    dns_exchange_t x = {.tcp = tcp,
                        .query = q,
                        .response = r,
                        .query_ts = qts,
                        .response_ts = rts,
                        .query_frame = qframe,
                        .response_frame = rframe};
    an_conn_ident(c, &x.conn);
    ctx->records->dns(ctx->records->ctx, &x);
    const dns_msg_t *m = q ? q : r;
    if (!r || !m->qname)
        return;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].family) {
            name_sighting_t n = {.name = m->qname, .ts = rts};
            n.addr.family = r->answers[i].family;
            memcpy(n.addr.a, r->answers[i].addr, n.addr.family == 4 ? 4 : 16);
            ctx->records->name_seen(ctx->records->ctx, &n);
        }
}

static dns_state_t *state(dns_state_t **st)
{
    if (!*st)
        *st = xcalloc(1, sizeof **st);
    return *st;
}

void app_dns_message(const an_ctx_t *ctx, conn_t *c, dns_state_t **stp, bool is_orig,
                     const uint8_t *msg, size_t len, uint64_t frame, ts_ns_t ts, bool tcp)
{
    dns_state_t *st = state(stp);
    dns_msg_t m;
    if (!dns_parse(msg, len, &m)) {
        damage_note(ctx->damage, m.error, frame);
        dns_msg_free(&m);
        return;
    }
    if (m.error)
        damage_note(ctx->damage, m.error, frame);
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
            emit(ctx, c, &old->q, old->ts, old->frame, NULL, 0, 0, tcp);
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
        emit(ctx, c, &st->pend[i].q, st->pend[i].ts, st->pend[i].frame, &m, ts, frame, tcp);
        dns_msg_free(&st->pend[i].q);
        memmove(st->pend + i, st->pend + i + 1, (st->npend - i - 1) * sizeof *st->pend);
        st->npend--;
        dns_msg_free(&m);
        return;
    }
    emit(ctx, c, NULL, 0, 0, &m, ts, frame, tcp);
    dns_msg_free(&m);
}

void app_dns_stream(const an_ctx_t *ctx, conn_t *c, dns_state_t **stp, bool is_orig,
                    const uint8_t *data, size_t len, uint64_t frame, ts_ns_t ts)
{
    dns_state_t *st = state(stp);
    buf_t *b = &st->tcp[is_orig ? 0 : 1];
    if (b->len == 0)
        st->tcp_frame[is_orig ? 0 : 1] = frame;
    buf_append(b, data, len);
    while (b->len >= 2) {
        size_t mlen = (size_t)b->data[0] << 8 | b->data[1];
        if (b->len < 2 + mlen)
            break;
        app_dns_message(ctx, c, stp, is_orig, b->data + 2, mlen, st->tcp_frame[is_orig ? 0 : 1], ts,
                        true);
        buf_consume(b, 2 + mlen);
        st->tcp_frame[is_orig ? 0 : 1] = frame;
    }
    if (b->len > DNS_TCP_MAX) {
        damage_note(ctx->damage, "dns.tcp_message_too_long", frame);
        buf_clear(b);
    }
}

void app_dns_done(const an_ctx_t *ctx, conn_t *c, dns_state_t **stp)
{
    dns_state_t *st = *stp;
    if (!st)
        return;
    for (unsigned i = 0; i < st->npend; i++) {
        emit(ctx, c, &st->pend[i].q, st->pend[i].ts, st->pend[i].frame, NULL, 0, 0,
             c->proto == IPPROTO_TCP);
        dns_msg_free(&st->pend[i].q);
    }
    buf_free(&st->tcp[0]);
    buf_free(&st->tcp[1]);
    free(st);
    *stp = NULL;
}
