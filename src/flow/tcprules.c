/* tcprules.c — the TCP rules, each once; see tcprules.h and
 * docs/reassembly.md ("Three retransmission rules"). */
#include "tcprules.h"
#include "tcpseq.h"

#include "core/xalloc.h"
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

/* Out-of-order window when the handshake's round-trip time is unknown. */
#define TCP_OOO_DEFAULT_NS 3000000
/* A resend this soon after the last duplicate ACK answers it. */
#define TCP_FAST_RTX_NS 20000000
/* Hash chains of the segment memory to start with (grown at half full). */
#define SEG_MEMO_SLOTS 4096

/* ---- the handshake ---- */

void tcp_handshake_note(tcp_handshake_t *h, bool from_orig, uint8_t flags, ts_ns_t ts)
{
    bool syn = flags & TCP_SYN, ack = flags & TCP_ACK;
    if (from_orig && syn && !ack && !h->syn)
        h->syn = ts;
    else if (!from_orig && syn && ack && !h->synack)
        h->synack = ts;
    else if (from_orig && !syn && ack && h->synack && !h->ack)
        h->ack = ts;
}

ts_ns_t tcp_handshake_rtt(const tcp_handshake_t *h)
{
    if (h->syn && h->ack && h->ack >= h->syn)
        return h->ack - h->syn;
    return -1;
}

/* ---- below the highest sequence ---- */

bool tcp_retrans_below_highest(uint32_t len, bool syn, uint64_t end, uint64_t max_end)
{
    return len > 0 && end <= max_end && !syn;
}

/* ---- Wireshark's rule ---- */

tcp_resend_class_t tcp_retrans_wireshark(const tcp_sender_t *s, uint32_t rel, uint32_t len,
                                         uint8_t flags, ts_ns_t ts, ts_ns_t irtt)
{
    bool syn = flags & TCP_SYN, fin = flags & TCP_FIN;
    uint32_t end = rel + len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    bool keepalive = !syn && !fin && len <= 1 && rel == s->snd_max - 1u;
    bool behind = (len > 0 || syn || fin) && tcp_seq_lt(rel, s->snd_max) && !keepalive;
    if (!behind)
        return TCP_SEG_NEW;
    bool fast = s->dupacks >= 2 && s->last_ack == rel && ts - s->last_ack_ts < TCP_FAST_RTX_NS;
    ts_ns_t window = irtt > 0 ? irtt : TCP_OOO_DEFAULT_NS;
    if (!fast && ts - s->advanced < window && end != s->snd_max)
        return TCP_SEG_OUT_OF_ORDER;
    return TCP_SEG_RETRANS;
}

/* ---- the same segment again ---- */

static size_t seg_slot(const tcp_seg_memo_t *m, uint32_t conn, uint32_t seq, uint32_t len)
{
    uint32_t k[3] = {conn, seq, len};
    return hash_fnv1a(k, sizeof k, 0) & (m->slots - 1);
}

static tcp_seg_t *seg_at(tcp_seg_memo_t *m, uint64_t id)
{
    return &m->v[id & (m->cap - 1)];
}

static void rechain(tcp_seg_memo_t *m, size_t slots)
{
    free(m->chain);
    m->chain = xmalloc(slots * sizeof *m->chain);
    memset(m->chain, 0xFF, slots * sizeof *m->chain);
    m->slots = slots;
    for (uint64_t id = m->head; id < m->tail; id++) {
        tcp_seg_t *e = seg_at(m, id);
        size_t s = seg_slot(m, e->conn, e->seq, e->len);
        e->next = m->chain[s];
        m->chain[s] = id;
    }
}

void tcp_seg_memo_init(tcp_seg_memo_t *m, ts_ns_t horizon)
{
    memset(m, 0, sizeof *m);
    m->horizon = horizon;
    rechain(m, SEG_MEMO_SLOTS);
}

void tcp_seg_memo_free(tcp_seg_memo_t *m)
{
    free(m->v), free(m->chain);
    memset(m, 0, sizeof *m);
}

tcp_seg_t *tcp_seg_memo_at(tcp_seg_memo_t *m, uint64_t id)
{
    return id >= m->head && id < m->tail ? seg_at(m, id) : NULL;
}

/* Forget segments older than the horizon, from the oldest, up to the first
 * one held. */
static void forget(tcp_seg_memo_t *m, ts_ns_t now)
{
    while (m->head < m->tail) {
        tcp_seg_t *e = seg_at(m, m->head);
        if (e->held || e->ts + m->horizon >= now)
            break;
        uint64_t *link = &m->chain[seg_slot(m, e->conn, e->seq, e->len)];
        while (*link != m->head)
            link = &seg_at(m, *link)->next;
        *link = e->next;
        m->head++;
    }
}

/* The ring at twice its size (4096 to start), live ids at their new slots. */
static void grow(tcp_seg_memo_t *m)
{
    size_t nc = m->cap ? m->cap * 2 : 4096;
    tcp_seg_t *nv = xreallocarray(NULL, nc, sizeof *nv);
    for (uint64_t id = m->head; id < m->tail; id++)
        nv[id & (nc - 1)] = *seg_at(m, id);
    free(m->v);
    m->v = nv;
    m->cap = nc;
}

uint64_t tcp_resend_of(tcp_seg_memo_t *m, uint32_t conn, uint32_t seq, uint32_t len, ts_ns_t ts,
                       uint64_t *id)
{
    forget(m, ts);
    size_t s = seg_slot(m, conn, seq, len);
    for (uint64_t i = m->chain[s]; i != TCP_SEG_NONE; i = seg_at(m, i)->next) {
        const tcp_seg_t *e = seg_at(m, i);
        if (e->conn == conn && e->seq == seq && e->len == len)
            return i;
    }
    if (m->tail - m->head == m->cap)
        grow(m);
    if ((m->tail - m->head + 1) * 2 > m->slots) {
        rechain(m, m->slots * 2);
        s = seg_slot(m, conn, seq, len);
    }
    *id = m->tail++;
    *seg_at(m, *id) = (tcp_seg_t){conn, seq, len, ts, true, 0, 0, m->chain[s]};
    m->chain[s] = *id;
    return TCP_SEG_NONE;
}
