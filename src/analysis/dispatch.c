/* dispatch.c — choosing and driving the analysers of each connection; see
 * dispatch.h and analyser.h. */
#include "analysis/dispatch.h"

#include "core/xalloc.h"
#include "flow/reasm.h"
#include "flow/tcpseq.h"
#include "proto/filemagic.h"
#include "proto/x509.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct dispatch {
    an_ctx_t *ctx; /* one per table entry, same index */
    size_t n;
    const an_ctx_t *base;
    const analyser_t *after_starttls; /* what STARTTLS connections switch to, or NULL */
    an_ctx_t *starttls_ctx;           /* its context when it takes over from entry i (same index):
                                       * starttls_from names i when i resumes inside TLS */
    an_shared_t *shared;              /* what the analysers share across connections */
    size_t held_bytes;                /* payload kept back over all connections */
    size_t dgram_bytes;               /* UDP datagrams kept over all connections (keep_dgram) */
    bool udp_expected;                /* the table has UDP entries with AN_EXPECTED */
};

/* One analyser running on one connection. */
typedef struct session {
    const an_ctx_t *ctx; /* ctx->self is the analyser */
    void *state;         /* NULL for an entry without ops (watched only) */
    struct session *next;
} session_t;

typedef struct an_conn an_conn_t;

/* The first bytes of a TCP connection, kept while they are too few for any
 * analyser to take them (see on_data()).  32 bytes hold what every detector
 * reads (an HTTP/2 preface's first 16, a method token of up to 20 and its
 * space and slash, a TLS record header); about 460 bytes a connection, only
 * while its first bytes are that few. */
#define DETECT_WAIT_BYTES 32u /* per direction */
#define DETECT_MAX_PIECES 16u

typedef struct undecided {
    uint8_t data[2][DETECT_WAIT_BYTES]; /* each direction's first bytes */
    uint8_t len[2];
    uint8_t n;
    struct {
        uint8_t side, off, len;
        uint64_t frame;
        ts_ns_t ts;
    } piece[DETECT_MAX_PIECES]; /* the chunks in the order they came */
} undecided_t;

/* The client's first bytes after STARTTLS while they are too few to tell a
 * ClientHello (a record header and its message type). */
#define STARTTLS_CARRY 16u

/* A segment kept back because it acknowledges bytes of the other direction
 * that the capture has not shown yet (see hold_back()). */
typedef struct held {
    struct held *next;
    uint32_t seq, ack;
    uint8_t tcp_flags;
    uint32_t len, wire_len;
    uint64_t frame;
    ts_ns_t ts;
    uint8_t payload[];
} held_t;

typedef struct held_queue {
    held_t *head, *tail;
    size_t bytes, count;
    bool acked;   /* the other side's ACK of this side, due once the queue is fed */
    uint32_t ack; /* ... the furthest one */
} held_queue_t;

/* A UDP datagram no analyser took, kept in case a connection announcing
 * this one is captured after it (see keep_dgram()). */
typedef struct kept_dgram {
    struct kept_dgram *next;
    bool is_orig;
    uint32_t len;
    uint64_t frame;
    ts_ns_t ts;
    uint8_t data[];
} kept_dgram_t;

typedef struct stream_side {
    an_conn_t *ac;
    uint8_t side; /* 0 = originator's stream, 1 = responder's */
} stream_side_t;

struct an_conn {
    dispatch_t *d;
    conn_t *conn;
    session_t *sessions; /* TCP: at most one; UDP: one per analyser that took a datagram */
    bool decided;        /* TCP: the first bytes chose an analyser, or none */
    undecided_t *wait;   /* TCP: first bytes too few to decide, or NULL */
    uint8_t tls_carry[STARTTLS_CARRY]; /* see starttls() */
    uint8_t tls_carry_len;
    char *name_hint;    /* first name the responder was called inside (owned) */
    char *carry;        /* an_starttls_carry (owned) */
    reasm_dir_t dir[2]; /* TCP only */
    stream_side_t sides[2];
    held_queue_t held[2];               /* TCP: segments kept back, per direction */
    bool no_hold;                       /* a hold gave up once: no more holding */
    bool hold_noted;                    /* anomaly.tcp_acked_unseen noted */
    kept_dgram_t *dgrams, **dgrams_end; /* UDP: datagrams nobody took yet, in order */
    size_t dgrams_size;                 /* ... their share of dispatch_t.dgram_bytes */
};

/* The context of table entry a. */
static const an_ctx_t *ctx_of(const dispatch_t *d, const analyser_t *a)
{
    return &d->ctx[a - analysers];
}

dispatch_t *dispatch_new(const an_ctx_t *base)
{
    dispatch_t *d = xcalloc(1, sizeof *d);
    while (analysers[d->n].name)
        d->n++;
    d->ctx = xcalloc(d->n ? d->n : 1, sizeof *d->ctx);
    d->base = base;
    d->shared = xcalloc(1, sizeof *d->shared);
    for (size_t i = 0; i < d->n; i++) {
        d->ctx[i] = *base;
        d->ctx[i].self = &analysers[i];
        d->ctx[i].shared = d->shared;
        if (analysers[i].after_starttls && !d->after_starttls)
            d->after_starttls = &analysers[i];
        if ((analysers[i].flags & AN_EXPECTED) && (analysers[i].transport & AN_UDP))
            d->udp_expected = true;
    }
    /* TLS after STARTTLS knows the protocol inside: the one it replaced */
    d->starttls_ctx = xcalloc(d->n ? d->n : 1, sizeof *d->starttls_ctx);
    for (size_t i = 0; i < d->n && d->after_starttls; i++) {
        d->starttls_ctx[i] = *ctx_of(d, d->after_starttls);
        if (analysers[i].ops && (analysers[i].flags & AN_STARTTLS_RESUMES))
            d->starttls_ctx[i].starttls_from = &analysers[i];
    }
    return d;
}

/* The first entry of transport t that takes these bytes, or NULL. */
static const analyser_t *choose(const dispatch_t *d, unsigned t, const conn_t *c, bool is_orig,
                                const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < d->n; i++) {
        const analyser_t *a = &analysers[i];
        if ((a->transport & t) && a->detect(&d->ctx[i], c, is_orig, p, n))
            return a;
    }
    return NULL;
}

static session_t *session_start_as(an_conn_t *ac, const an_ctx_t *ctx)
{
    session_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    if (ctx->self->ops)
        s->state = ctx->self->ops->new (s->ctx, ac->conn);
    s->next = ac->sessions;
    ac->sessions = s;
    return s;
}

static session_t *session_start(an_conn_t *ac, const analyser_t *a)
{
    return session_start_as(ac, ctx_of(ac->d, a));
}

static void session_finish(session_t *s)
{
    if (s->state)
        s->ctx->self->ops->finish(s->state);
    free(s);
}

static void session_data(session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                         ts_ns_t ts)
{
    if (s->state)
        s->ctx->self->ops->data(s->state, is_orig, p, n, frame, ts);
}

/* The connection's state, made the first time it is needed. */
static an_conn_t *conn_state(dispatch_t *d, conn_t *c)
{
    if (c->app)
        return c->app;
    an_conn_t *ac = xcalloc(1, sizeof *ac);
    ac->d = d;
    ac->conn = c;
    c->app = ac;
    return ac;
}

/* ---- UDP: each datagram to the first analyser that takes it ---- */

/* A UDP flow's first datagrams that no analyser takes are kept while a
 * connection announcing the flow may still be captured after them: a TFTP
 * server's first DATA block, sent from a port of its own, can be captured
 * before the client's read request on port 69 (a SPAN port or a tap
 * merging both directions; the TCP counterpart is hold_back()).  When an
 * AN_EXPECTED entry takes the flow — at its next datagram, or when it
 * finishes — the kept datagrams go to it first, in order.  Only a flow's
 * first UDP_KEEP_DATAGRAMS packets are kept, until it finishes or a packet
 * after those comes with no taker; at most UDP_KEEP_TOTAL bytes per worker
 * (limit.udp_kept_total). */
#define UDP_KEEP_DATAGRAMS 4u
#define UDP_KEEP_TOTAL ((size_t)4 << 20)

/* The first AN_EXPECTED entry of transport t that takes connection c (with
 * these bytes; TCP at close: none), or NULL. */
static const analyser_t *choose_expected(const dispatch_t *d, unsigned t, const conn_t *c,
                                         bool is_orig, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < d->n; i++) {
        const analyser_t *a = &analysers[i];
        if ((a->flags & AN_EXPECTED) && (a->transport & t) && a->ops &&
            a->detect(&d->ctx[i], c, is_orig, p, n))
            return a;
    }
    return NULL;
}

static void drop_dgrams(dispatch_t *d, an_conn_t *ac)
{
    for (kept_dgram_t *k = ac->dgrams, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    ac->dgrams = NULL;
    ac->dgrams_end = NULL;
    d->dgram_bytes -= ac->dgrams_size;
    ac->dgrams_size = 0;
}

/* Keep a datagram no analyser took, if its flow is young enough. */
static void keep_dgram(dispatch_t *d, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                       ts_ns_t ts)
{
    an_conn_t *ac = c->app;
    if (!d->udp_expected || (ac && ac->sessions))
        return;
    if (c->ep[0].pkts + c->ep[1].pkts > UDP_KEEP_DATAGRAMS) {
        if (ac && ac->dgrams) { /* something else: nothing announced it */
            drop_dgrams(d, ac);
            if (!ac->name_hint && !ac->carry) {
                free(ac);
                c->app = NULL;
            }
        }
        return;
    }
    size_t size = sizeof(kept_dgram_t) + p->payload_len;
    if (d->dgram_bytes + size > UDP_KEEP_TOTAL) {
        damage_note(d->base->damage, "limit.udp_kept_total", frame);
        return;
    }
    ac = conn_state(d, c);
    kept_dgram_t *k = xmalloc(size);
    *k = (kept_dgram_t){NULL, is_orig, (uint32_t)p->payload_len, frame, ts};
    memcpy(k->data, p->payload, p->payload_len);
    *(ac->dgrams ? ac->dgrams_end : &ac->dgrams) = k;
    ac->dgrams_end = &k->next;
    ac->dgrams_size += size;
    d->dgram_bytes += size;
}

/* Datagram to analyser a's session on the connection (started if new). */
static void udp_to(an_conn_t *ac, const analyser_t *a, bool is_orig, const uint8_t *p, size_t n,
                   uint64_t frame, ts_ns_t ts)
{
    session_t *s = ac->sessions;
    while (s && s->ctx->self != a)
        s = s->next;
    if (!s)
        s = session_start(ac, a);
    session_data(s, is_orig, p, n, frame, ts);
}

/* The kept datagrams to an AN_EXPECTED entry that takes the flow now (a;
 * NULL: the first kept datagram chooses), then dropped. */
static void offer_dgrams(dispatch_t *d, an_conn_t *ac, const analyser_t *a)
{
    kept_dgram_t *k = ac->dgrams;
    if (k && !a)
        a = choose_expected(d, AN_UDP, ac->conn, k->is_orig, k->data, k->len);
    for (; a && k; k = k->next)
        udp_to(ac, a, k->is_orig, k->data, k->len, k->frame, k->ts);
    drop_dgrams(d, ac);
}

static void udp_datagram(dispatch_t *d, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                         ts_ns_t ts)
{
    const analyser_t *a = choose(d, AN_UDP, c, is_orig, p->payload, p->payload_len);
    if (!a) {
        keep_dgram(d, c, p, is_orig, frame, ts);
        return;
    }
    an_conn_t *ac = conn_state(d, c);
    if (ac->dgrams && (a->flags & AN_EXPECTED)) /* captured before their announcement */
        offer_dgrams(d, ac, a);
    else if (ac->dgrams) /* taken by its bytes: the kept ones were nobody's */
        drop_dgrams(d, ac);
    udp_to(ac, a, is_orig, p->payload, p->payload_len, frame, ts);
}

/* ---- TCP: reassembled streams to the analyser the first bytes chose ---- */

/* Could p[0..n) be the start of a TLS handshake record (type, version)? */
static bool tls_header_may_start(const uint8_t *p, size_t n)
{
    return n && p[0] == 22 && (n < 2 || p[1] == 3) && (n < 3 || p[2] <= 4);
}

/* After STARTTLS the client's next bytes start TLS: the plain-text analyser
 * is finished and the TLS one takes the rest of the connection.  True when
 * it switched; then *hello and *hello_len are the TLS session's first
 * bytes: p, or p after the bytes of earlier chunks that were too few to
 * tell a ClientHello by (a record header and its message type may come in
 * segments of their own); *owned is then that copy, for the caller to
 * free.  (Not told by comparing session pointers: the new session may be
 * allocated where the finished one was.) */
static bool starttls(an_conn_t *ac, bool is_orig, const uint8_t *p, size_t n, const uint8_t **hello,
                     size_t *hello_len, uint8_t **owned)
{
    const analyser_t *to = ac->d->after_starttls;
    session_t *s = ac->sessions;
    if (!is_orig || !to || !(s->ctx->self->flags & AN_STARTTLS))
        return false;
    *hello = p, *hello_len = n, *owned = NULL;
    size_t prev = ac->tls_carry_len;
    if (prev || (n < STARTTLS_CARRY && tls_header_may_start(p, n))) {
        size_t k = n < STARTTLS_CARRY - prev ? n : STARTTLS_CARRY - prev;
        memcpy(ac->tls_carry + prev, p, k);
        ac->tls_carry_len = (uint8_t)(prev + k);
        if (!to->after_starttls(ac->tls_carry, ac->tls_carry_len)) {
            if (k < n || ac->tls_carry_len == STARTTLS_CARRY ||
                !tls_header_may_start(ac->tls_carry, ac->tls_carry_len))
                ac->tls_carry_len = 0; /* not a ClientHello */
            return false;
        }
        ac->tls_carry_len = 0;
        if (prev) {
            *owned = xmalloc(prev + n);
            memcpy(*owned, ac->tls_carry, prev);
            memcpy(*owned + prev, p, n);
            *hello = *owned, *hello_len = prev + n;
        }
    } else if (!to->after_starttls(p, n)) {
        return false;
    }
    const an_ctx_t *tls = &ac->d->starttls_ctx[s->ctx->self - analysers];
    session_finish(s);
    ac->sessions = NULL;
    session_start_as(ac, tls);
    return true;
}

/* Bytes to the connection's analyser (the first ones chose it). */
static void to_session(an_conn_t *ac, bool is_orig, const uint8_t *p, size_t len, uint64_t frame,
                       ts_ns_t ts)
{
    if (!ac->sessions)
        return;
    session_data(ac->sessions, is_orig, p, len, frame, ts);
    const uint8_t *hello;
    size_t hello_len;
    uint8_t *owned;
    if (starttls(ac, is_orig, p, len, &hello, &hello_len, &owned)) {
        session_data(ac->sessions, is_orig, hello, hello_len, frame, ts);
        free(owned);
    }
}

/* The choice is made: start a (none when NULL) and give it the bytes kept
 * so far, in the order they came. */
static void settle(an_conn_t *ac, const analyser_t *a)
{
    undecided_t *w = ac->wait;
    ac->decided = true;
    ac->wait = NULL;
    if (a)
        session_start(ac, a);
    for (unsigned i = 0; w && i < w->n; i++)
        to_session(ac, w->piece[i].side == 0, w->data[w->piece[i].side] + w->piece[i].off,
                   w->piece[i].len, w->piece[i].frame, w->piece[i].ts);
    free(w);
}

/* Choose the connection's analyser from the bytes so far (first the
 * direction that spoke first), start it and give it those bytes.  With
 * p, the bytes of side `side` to be looked at with them. */
static void decide(an_conn_t *ac, int side, const uint8_t *p, size_t len)
{
    const undecided_t *w = ac->wait;
    const analyser_t *a = NULL;
    int first = w && w->n ? w->piece[0].side : side;
    for (int k = 0; k < 2 && !a; k++) {
        int sd = k ? 1 - first : first;
        size_t have = w ? w->len[sd] : 0;
        bool with_p = p && sd == side;
        if (!have) { /* p alone, whole, as a first chunk always was */
            if (with_p)
                a = choose(ac->d, AN_TCP, ac->conn, sd == 0, p, len);
            continue;
        }
        uint8_t view[DETECT_WAIT_BYTES * 2];
        size_t add = !with_p ? 0 : len < sizeof view - have ? len : sizeof view - have;
        memcpy(view, w->data[sd], have);
        if (add)
            memcpy(view + have, p, add);
        a = choose(ac->d, AN_TCP, ac->conn, sd == 0, view, have + add);
    }
    settle(ac, a);
}

/* Before an analyser is chosen, a chunk too short for any to take (an HTTP
 * request sent a byte at a time, as some evasions and interactive clients
 * do) is kept with the connection's other first bytes, up to
 * DETECT_WAIT_BYTES a direction; the choice is made once a detector takes
 * the bytes so far, there are that many or DETECT_MAX_PIECES chunks, or a
 * gap or the end comes; the analyser then gets every byte in the order it
 * came.  A first chunk of DETECT_WAIT_BYTES or more decides at once, as
 * before. */
static void on_data(void *ctx, const uint8_t *p, size_t len, uint64_t off, uint64_t frame,
                    ts_ns_t ts)
{
    stream_side_t *sd = ctx;
    an_conn_t *ac = sd->ac;
    bool is_orig = sd->side == 0;
    (void)off;
    if (!ac->decided) {
        undecided_t *w = ac->wait;
        size_t have = w ? w->len[sd->side] : 0;
        if (have + len >= DETECT_WAIT_BYTES || (w && w->n == DETECT_MAX_PIECES)) {
            decide(ac, sd->side, p, len);
        } else {
            uint8_t view[DETECT_WAIT_BYTES];
            if (have)
                memcpy(view, w->data[sd->side], have);
            memcpy(view + have, p, len);
            /* The other side's bytes kept so far were looked at when they
             * came and no detector took them: what decide() would choose is
             * what these bytes choose. */
            const analyser_t *a = choose(ac->d, AN_TCP, ac->conn, is_orig, view, have + len);
            if (a) {
                settle(ac, a);
            } else { /* too few to tell: keep them */
                if (!w)
                    w = ac->wait = xcalloc(1, sizeof *w);
                memcpy(w->data[sd->side] + have, p, len);
                w->piece[w->n].side = sd->side;
                w->piece[w->n].off = (uint8_t)have;
                w->piece[w->n].len = (uint8_t)len;
                w->piece[w->n].frame = frame;
                w->piece[w->n].ts = ts;
                w->n++;
                w->len[sd->side] = (uint8_t)(have + len);
                return;
            }
        }
    }
    to_session(ac, is_orig, p, len, frame, ts);
}

static void on_gap(void *ctx, uint64_t off, uint64_t len)
{
    stream_side_t *sd = ctx;
    if (!sd->ac->decided && sd->ac->wait)
        decide(sd->ac, sd->side, NULL, 0); /* what came before the gap decides */
    session_t *s = sd->ac->sessions;
    (void)off;
    conn_note_gap(sd->ac->conn, sd->side, len);
    if (s && s->state && s->ctx->self->ops->gap)
        s->ctx->self->ops->gap(s->state, sd->side == 0, len);
}

static void on_end(void *ctx, uint64_t off, reasm_end_t how)
{
    stream_side_t *sd = ctx;
    if (!sd->ac->decided && sd->ac->wait)
        decide(sd->ac, sd->side, NULL, 0); /* the stream ends: what came decides */
    session_t *s = sd->ac->sessions;
    (void)off, (void)how;
    if (s && s->state && s->ctx->self->ops->end)
        s->ctx->self->ops->end(s->state, sd->side == 0);
}

static const reasm_sink_t streams = {on_data, on_gap, on_end};

/* Reassembly starts at a connection's first payload: most connections of a
 * scan or flood never carry any, and they should cost no more than the
 * connection record.  The ISNs of SYNs already seen are replayed so the
 * streams start at the right sequence number even if the first data segment
 * arrives out of order; so is, for a direction picked up mid-stream, the
 * sequence number of its first packet (a pure ACK says where the sender's
 * next byte is). */
static an_conn_t *tcp_start(dispatch_t *d, conn_t *c, uint64_t frame, ts_ns_t ts)
{
    an_conn_t *ac = conn_state(d, c);
    for (int i = 0; i < 2; i++) {
        ac->sides[i] = (stream_side_t){ac, (uint8_t)i};
        reasm_init(&ac->dir[i], &streams, &ac->sides[i]);
    }
    for (int s = 0; s < 2; s++)
        if (c->ep[s].saw_syn)
            reasm_segment(&ac->dir[s], c->ep[s].isn, TCP_SYN, NULL, 0, 0, frame, ts);
        else if (c->ep[s].seq_init) /* picked up mid-stream: where its first packet was */
            reasm_segment(&ac->dir[s], c->ep[s].isn, 0, NULL, 0, 0, frame, ts);
    return ac;
}

/* A TCP connection that carries no byte gets no analyser by its bytes, but
 * one whose handshake was seen — SYN and SYN-ACK — may be a connection
 * another analyser announced (an empty FTP transfer's data connection):
 * the first AN_EXPECTED entry that takes it by addresses and port, or
 * NULL.  Connections without the handshake (scans, refusals) are nobody's. */
static const analyser_t *expected_taker(const dispatch_t *d, const conn_t *c)
{
    if (!c->ep[0].saw_syn || !c->ep[1].saw_syn)
        return NULL;
    return choose_expected(d, AN_TCP, c, true, NULL, 0);
}

/* The first FIN or RST of a connection that carried no byte yet: an
 * announced connection's analyser takes it now (before the reply that
 * follows an empty transfer), and the connection is reassembled from here
 * on, in case bytes come after all.  True when one took it. */
static bool expected_at_close(dispatch_t *d, conn_t *c, const packet_t *p, uint64_t frame,
                              ts_ns_t ts)
{
    if (!(p->tcp_flags & (TCP_FIN | TCP_RST)))
        return false;
    const analyser_t *a = expected_taker(d, c);
    if (!a)
        return false;
    an_conn_t *ac = tcp_start(d, c, frame, ts);
    ac->decided = true;
    session_start(ac, a);
    return true;
}

/* ---- TCP: segments captured before what they answer ----
 *
 * A capture point that merges the two directions (a SPAN port, a tap with
 * two links, a multi-queue capture) can record a reply before the request
 * it answers: the server's segment then acknowledges client bytes the
 * capture has not shown yet.  Fed in capture order, the analysers would
 * read the reply first and pair every later request with the reply before
 * it (an HTTP body named after the previous URL, an FTP EPSV answered by
 * the PWD reply).  So such a segment is kept back, with every later segment
 * of its direction, until the other direction has been captured up to the
 * acknowledged byte, and then fed in order.  Bytes the capture lost
 * altogether release it at the other direction's next packet, which shows
 * where that direction is; until then at most HOLD_MAX_BYTES and
 * HOLD_MAX_SEGMENTS per direction, HOLD_MAX_NS of capture time, and
 * HOLD_MAX_TOTAL per worker are kept.  Past a limit everything kept is fed
 * as it came and the connection is not held again (hitting HOLD_MAX_TOTAL
 * is counted: limit.tcp_held_total).
 *
 * "Captured up to the acknowledged byte" means without a hole before it
 * that reassembly still waits for (reasm_short_of): when the sender's
 * large sends also came out of order, a later segment is captured before
 * the hole's bytes, and the reply waits for them too.  The hold tells
 * reassembly the ACK at once, so its REASM_ACK_PATIENCE count (after which
 * the hole is a gap and the reply goes) starts there.  A packet of the
 * requester's from at or past that ACK means it moved on: the hole is a gap
 * at once (reasm_take_ack) and the reply goes, after the request's bytes
 * and before that packet.
 *
 * A capture that starts inside a connection may show the reply first and
 * the other direction not at all yet: the segment waits for that
 * direction's first packet, but only HOLD_UNSEEN_SEGMENTS segments and
 * HOLD_UNSEEN_NS of capture time, so a one-sided capture (asymmetric
 * routing) gives up at once on each connection.
 *
 * A connection is counted in case.json (anomaly.tcp_acked_unseen) once a
 * segment is still kept after the other direction has been seen: a hold
 * that only waited for an unseen direction is not counted. */
#define HOLD_MAX_BYTES ((size_t)256 << 10)
#define HOLD_MAX_SEGMENTS 512u
#define HOLD_MAX_NS ((ts_ns_t)2000000000)
#define HOLD_MAX_TOTAL ((size_t)32 << 20)
#define HOLD_UNSEEN_SEGMENTS 16u
#define HOLD_UNSEEN_NS ((ts_ns_t)100000000)

/* Feed one segment to reassembly.  Its ACK of the other side waits while
 * that side has segments kept back: they were sent before it, and taken
 * now it would make a gap of their bytes. */
static void feed(an_conn_t *ac, int side, uint32_t seq, uint32_t ack, uint8_t flags,
                 const uint8_t *payload, size_t len, size_t wire_len, uint64_t frame, ts_ns_t ts)
{
    reasm_segment(&ac->dir[side], seq, flags, payload, len, wire_len, frame, ts);
    if (!(flags & TCP_ACK))
        return;
    held_queue_t *other = &ac->held[1 - side];
    if (!other->head) {
        reasm_peer_ack(&ac->dir[1 - side], ack);
    } else if (!other->acked || tcp_seq_lt(other->ack, ack)) {
        other->acked = true;
        other->ack = ack;
    }
}

/* Has the capture shown the sender of side 1 - side up to ack (one more
 * allowed: a FIN it did not capture)?  Not while that direction has not
 * been seen at all, nor while its stream has a hole before ack that
 * reassembly still waits for (a later segment came first): the hole's
 * bytes may yet be captured, and they were sent before this segment. */
static bool ack_seen(const an_conn_t *ac, int side, uint32_t ack)
{
    const conn_endpoint_t *peer = &ac->conn->ep[1 - side];
    if (!peer->seq_init)
        return false; /* the hold's limits for an unseen direction apply */
    uint32_t seen = peer->isn + (uint32_t)peer->max_end;
    int32_t ahead = (int32_t)(ack - seen);
    if (ahead >= (int32_t)REASM_MAX_AHEAD)
        return true; /* far ahead: bogus */
    if (ahead > 1)
        return false;
    /* What the peer kept back is not in its stream yet: only its own
     * queue's release can tell, so its holes are not waited for here. */
    return ac->held[1 - side].head || !reasm_short_of(&ac->dir[1 - side], ack);
}

static void feed_head(dispatch_t *d, an_conn_t *ac, int side)
{
    held_queue_t *q = &ac->held[side];
    held_t *h = q->head;
    q->head = h->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= h->len;
    q->count--;
    d->held_bytes -= h->len;
    feed(ac, side, h->seq, h->ack, h->tcp_flags, h->payload, h->len, h->wire_len, h->frame, h->ts);
    free(h);
    if (!q->head && q->acked) { /* the ACKs that waited for this side */
        q->acked = false;
        reasm_peer_ack(&ac->dir[side], q->ack);
    }
}

/* Feed what was kept back and is now due; with all, everything. */
static void release(dispatch_t *d, an_conn_t *ac, bool all)
{
    bool progress = true;
    while (progress) {
        progress = false;
        for (int side = 0; side < 2; side++)
            while (ac->held[side].head && (all || !(ac->held[side].head->tcp_flags & TCP_ACK) ||
                                           ack_seen(ac, side, ac->held[side].head->ack))) {
                feed_head(d, ac, side);
                progress = true;
            }
    }
}

/* Keep p back?  True when it was kept. */
static bool hold_back(dispatch_t *d, an_conn_t *ac, int side, const packet_t *p, uint64_t frame,
                      ts_ns_t ts)
{
    held_queue_t *q = &ac->held[side];
    if (!q->head &&
        (ac->no_hold || !(p->tcp_flags & TCP_ACK) ||
         (!p->payload_wire && !(p->tcp_flags & (TCP_FIN | TCP_RST))) || ack_seen(ac, side, p->ack)))
        return false; /* the common case: nothing kept, nothing to keep */
    bool total = d->held_bytes + p->payload_len > HOLD_MAX_TOTAL;
    if (total) /* per worker: the one limit here whose effect depends on --jobs */
        damage_note(d->base->damage, "limit.tcp_held_total", frame);
    bool unseen = !ac->conn->ep[1 - side].seq_init;
    if (total || q->bytes + p->payload_len > HOLD_MAX_BYTES || q->count >= HOLD_MAX_SEGMENTS ||
        (unseen && q->count >= HOLD_UNSEEN_SEGMENTS)) {
        /* give up: feed everything as it came, then p */
        ac->no_hold = true;
        release(d, ac, true);
        return false;
    }
    held_t *h = xmalloc(sizeof *h + p->payload_len);
    *h = (held_t){NULL, p->seq, p->ack, p->tcp_flags, p->payload_len, p->payload_wire, frame, ts};
    if (p->payload_len)
        memcpy(h->payload, p->payload, p->payload_len);
    if (q->tail)
        q->tail->next = h;
    else
        q->head = h;
    q->tail = h;
    q->bytes += p->payload_len;
    q->count++;
    d->held_bytes += p->payload_len;
    if (q->count == 1 && !ac->held[1 - side].head && !unseen)
        /* reassembly waits REASM_ACK_PATIENCE packets for the bytes p
         * acknowledges, counted from now */
        reasm_peer_ack(&ac->dir[1 - side], p->ack);
    return true;
}

static void tcp_segment(dispatch_t *d, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                        ts_ns_t ts)
{
    if (!c->app && p->payload_wire == 0 && !expected_at_close(d, c, p, frame, ts))
        return;
    an_conn_t *ac = c->app ? c->app : tcp_start(d, c, frame, ts);
    int side = is_orig ? 0 : 1;
    for (int i = 0; i < 2; i++)
        if (ac->held[i].head &&
            ts - ac->held[i].head->ts > (c->ep[1 - i].seq_init ? HOLD_MAX_NS : HOLD_UNSEEN_NS)) {
            ac->no_hold = true; /* kept back too long: feed it all as it came */
            release(d, ac, true);
        }
    /* What the other side kept back and acknowledged no further than where
     * p starts was sent before p (a request that ACKs up to the reply p
     * starts, captured when the reply's direction was not seen yet): it
     * goes first.  One that needs p's bytes waits for them. */
    held_queue_t *oq = &ac->held[1 - side];
    while (oq->head && !ac->held[side].head &&
           (!(oq->head->tcp_flags & TCP_ACK) || !tcp_seq_lt(p->seq, oq->head->ack))) {
        if (oq->head->tcp_flags & TCP_ACK) /* p's side moved on: its hole is lost */
            reasm_take_ack(&ac->dir[side], oq->head->ack);
        feed_head(d, ac, 1 - side);
    }
    if (!hold_back(d, ac, side, p, frame, ts))
        feed(ac, side, p->seq, p->ack, p->tcp_flags, p->payload, p->payload_len, p->payload_wire,
             frame, ts);
    if (ac->held[1 - side].head || ac->held[side].head)
        release(d, ac, false);
    for (int i = 0; i < 2 && !ac->hold_noted; i++)
        if (ac->held[i].head && c->ep[1 - i].seq_init) {
            ac->hold_noted = true; /* a reply captured before its request */
            damage_note(d->base->damage, "anomaly.tcp_acked_unseen", ac->held[i].head->frame);
        }
}

void dispatch_packet(dispatch_t *d, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                     ts_ns_t ts)
{
    if (p->proto == IPPROTO_TCP)
        tcp_segment(d, c, p, is_orig, frame, ts);
    else if (p->proto == IPPROTO_UDP && p->payload_len)
        udp_datagram(d, c, p, is_orig, frame, ts);
}

/* What reassembly gave up or found contradictory goes to case.json. */
static void tcp_finish(dispatch_t *d, an_conn_t *ac)
{
    const conn_t *c = ac->conn;
    for (int i = 0; i < 2; i++) {
        reasm_stats_t st;
        reasm_get_stats(&ac->dir[i], &st);
        if (st.cap_gaps)
            damage_note(d->base->damage, "limit.tcp_reassembly_buffer", c->first_frame);
        if (st.overlap_conflicts)
            damage_note(d->base->damage, "anomaly.tcp_overlap_conflict",
                        st.first_conflict_frame ? st.first_conflict_frame : c->first_frame);
        reasm_free(&ac->dir[i]);
    }
}

void dispatch_conn_finish(dispatch_t *d, conn_t *c)
{
    an_conn_t *ac = c->app;
    bool tcp = c->proto == IPPROTO_TCP;
    const analyser_t *a = !ac && tcp ? expected_taker(d, c) : NULL;
    if (a) /* no payload, no FIN or RST (reassembly never started): taken, finished */
        a->ops->finish(a->ops->new (ctx_of(d, a), c));
    if (ac && ac->dgrams) /* announced by now? */
        offer_dgrams(d, ac, NULL);
    if (ac && tcp) {
        release(d, ac, true);
        for (int i = 0; i < 2; i++)
            reasm_finish(&ac->dir[i]);
    }
    while (ac && ac->sessions) {
        session_t *s = ac->sessions;
        ac->sessions = s->next;
        session_finish(s);
    }
    if (ac && tcp)
        tcp_finish(d, ac);
    conn_rec_t rec;
    an_conn_record(c, &rec);
    rec.name_hint = ac ? ac->name_hint : NULL;
    d->base->records->conn(d->base->records->ctx, &rec);
    if (ac)
        free(ac->name_hint), free(ac->carry), free(ac->wait);
    free(ac);
    c->app = NULL;
}

void an_name_hint(conn_t *c, const char *name)
{
    an_conn_t *ac = c->app;
    if (ac && !ac->name_hint)
        ac->name_hint = xstrdup(name);
}

void an_starttls_carry_set(conn_t *c, const char *text)
{
    an_conn_t *ac = c->app;
    if (!ac)
        return;
    free(ac->carry);
    ac->carry = text ? xstrdup(text) : NULL;
}

const char *an_starttls_carry(const conn_t *c)
{
    const an_conn_t *ac = c->app;
    return ac ? ac->carry : NULL;
}

void dispatch_free(dispatch_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        if (analysers[i].ops && analysers[i].ops->capture_end)
            analysers[i].ops->capture_end(&d->ctx[i]);
    filemagic_close(d->shared->magic);
    x509_cache_free(d->shared->x509);
    free(d->shared);
    free(d->starttls_ctx);
    free(d->ctx);
    free(d);
}
