/*
 * reasm.c — TCP stream reassembly, one direction at a time (see reasm.h).
 *
 * The direction keeps only `next`, the stream offset of the next byte the
 * sink expects.  A segment starting at `next` is delivered straight from the
 * packet.  A segment starting later is copied into a sorted list of
 * non-overlapping nodes (struct reasm_ext, allocated on first use) and waits
 * for the hole before it.  A hole is given up -- reported as a gap -- when the
 * receiver ACKs past it, when the buffer cap is hit, or at flush/finish.
 *
 * Bytes behind `next` were already delivered: they are counted as
 * retransmitted and compared with the fingerprint of the last delivered chunk.
 * Bytes overlapping buffered nodes are compared byte for byte.
 */
#include "flow/reasm.h"

#include "core/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* TCP header flag bits (the same values as decode.h's TCP_*). */
#define FLAG_FIN 0x01
#define FLAG_SYN 0x02
#define FLAG_RST 0x04

enum { STATE_NEW = 0, STATE_OPEN, STATE_ENDED };
enum {
    DIR_LAST_WINS = 0x01,
    DIR_START_AT_ACK = 0x02 /* the stream started at a pure ACK; no data yet */
};
enum { GAP_PLAIN = 0, GAP_CAP };

/* One buffered run of out-of-order bytes, [off, off + len). */
typedef struct reasm_node {
    struct reasm_node *next;
    uint64_t off;
    uint64_t frame;
    ts_ns_t ts;
    uint32_t len;
    uint8_t data[];
} reasm_node_t;

/* Everything a direction needs only once something unusual happened. */
struct reasm_ext {
    reasm_node_t *head, *tail; /* sorted by off, non-overlapping, off > next */
    size_t mem;                /* heap bytes held by the nodes */
    uint32_t nodes;
    uint64_t acked;              /* the peer ACKed up to here (0: not past next) */
    uint32_t ack_waited;         /* packets since acked went past next (REASM_ACK_PATIENCE) */
    bool fin_known;              /* a FIN was seen beyond next... */
    uint64_t fin_off;            /* ...at this stream offset */
    uint64_t gap_start, gap_end; /* the most recent gap, to spot late data */
    reasm_stats_t st;            /* delivered and truncated are derived */
};

static _Atomic uint64_t g_buffered_total;

/* ---- small helpers ---------------------------------------------------- */

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static struct reasm_ext *ext_of(reasm_dir_t *d)
{
    if (!d->ext)
        d->ext = xcalloc(1, sizeof(*d->ext));
    return d->ext;
}

/* The furthest offset the receiver is known to have reached. */
static inline uint64_t horizon(const reasm_dir_t *d)
{
    return d->ext && d->ext->acked > d->next ? d->ext->acked : d->next;
}

/* Map a sequence number to the stream offset nearest to the horizon (next,
 * or an ACK past it still waiting, up to REASM_MAX_AHEAD further) that is
 * congruent to it mod 2^32.  Negative means before the stream's first
 * byte. */
static inline int64_t seq_to_off(const reasm_dir_t *d, uint32_t seq)
{
    uint64_t h = horizon(d);
    uint32_t rel = seq - d->base;
    int32_t diff = (int32_t)(rel - (uint32_t)h);
    return (int64_t)h + diff;
}

/* 64x64 -> 128-bit multiply, folded: the mixing step of wyhash. */
static inline uint64_t fp_mum(uint64_t a, uint64_t b)
{
    unsigned __int128 m = (unsigned __int128)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* Hash of the first n <= REASM_FP_BYTES bytes of p.  Four independent
 * multiplies so it costs a few nanoseconds on the delivery path; not
 * cryptographic: it only has to tell an honest retransmission from
 * different content, not resist someone who knows the constants. */
static uint64_t fp_hash(const uint8_t *p, size_t n)
{
    uint64_t w[REASM_FP_BYTES / 8] = {0};
    if (n == sizeof w)
        memcpy(w, p, sizeof w); /* the usual case, inlined as plain loads */
    else
        memcpy(w, p, n);
    uint64_t h = fp_mum(w[0] ^ 0xa0761d6478bd642fULL, w[1] ^ 0xe7037ed1a0b428dbULL) ^
                 fp_mum(w[2] ^ 0x8ebc6af09c88c6e3ULL, w[3] ^ 0x589965cc75374cc3ULL) ^
                 fp_mum(w[4] ^ 0x1d8e4e27c47d124fULL, w[5] ^ 0x9E3779B97F4A7C15ULL) ^
                 fp_mum(w[6] ^ 0xbf58476d1ce4e5b9ULL, w[7] ^ 0x94d049bb133111ebULL);
    return fp_mum(h ^ n, 0xa0761d6478bd642fULL);
}

_Static_assert(REASM_FP_BYTES == 64, "fp_hash reads exactly eight words");

static void note_conflict(reasm_dir_t *d, uint64_t frame)
{
    reasm_stats_t *st = &ext_of(d)->st;
    if (!st->overlap_conflicts)
        st->first_conflict_frame = frame;
    st->overlap_conflicts++;
}

/* ---- delivery ---------------------------------------------------------- */

static inline void deliver(reasm_dir_t *d, const uint8_t *p, size_t len, uint64_t frame, ts_ns_t ts)
{
    d->sink->data(d->ctx, p, len, d->next, frame, ts);
    d->next += len;
    d->fp_len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    d->fp_hash = fp_hash(p, min_u64(len, REASM_FP_BYTES));
}

static void declare_gap(reasm_dir_t *d, uint64_t len, int why)
{
    struct reasm_ext *x = ext_of(d);
    x->st.gaps++;
    x->st.missing_bytes += len;
    if (why == GAP_CAP) {
        x->st.cap_gaps++;
        x->st.cap_missing_bytes += len;
    }
    x->gap_start = d->next;
    x->gap_end = d->next + len;
    if (d->sink->gap)
        d->sink->gap(d->ctx, d->next, len);
    d->next += len;
    d->fp_len = 0;
}

static void node_free(struct reasm_ext *x, reasm_node_t *n)
{
    size_t sz = sizeof(*n) + n->len;
    x->mem -= sz;
    x->nodes--;
    atomic_fetch_sub_explicit(&g_buffered_total, sz, memory_order_relaxed);
    free(n);
}

static reasm_node_t *node_new(struct reasm_ext *x, uint64_t off, const uint8_t *p, size_t len,
                              uint64_t frame, ts_ns_t ts)
{
    size_t sz = sizeof(reasm_node_t) + len;
    reasm_node_t *n = xmalloc(sz);
    n->next = NULL;
    n->off = off;
    n->frame = frame;
    n->ts = ts;
    n->len = (uint32_t)len;
    memcpy(n->data, p, len);
    x->mem += sz;
    x->nodes++;
    atomic_fetch_add_explicit(&g_buffered_total, sz, memory_order_relaxed);
    return n;
}

/* Drop every buffered node (they lie beyond the end of the stream). */
static void drop_all_nodes(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    if (!x)
        return;
    while (x->head) {
        reasm_node_t *n = x->head;
        x->head = n->next;
        x->st.ignored_bytes += n->len;
        node_free(x, n);
    }
    x->tail = NULL;
}

static void end_stream(reasm_dir_t *d, reasm_end_t how)
{
    if (d->state == STATE_ENDED)
        return;
    d->state = STATE_ENDED;
    drop_all_nodes(d);
    if (d->sink->end)
        d->sink->end(d->ctx, d->next, how);
}

/* Deliver the head node (which starts at next) and unlink it. */
static void deliver_head(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    reasm_node_t *n = x->head;
    x->head = n->next;
    if (!x->head)
        x->tail = NULL;
    deliver(d, n->data, n->len, n->frame, n->ts);
    node_free(x, n);
}

/* Deliver buffered nodes that are now contiguous, then end at the FIN. */
static void drain(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    if (!x)
        return;
    while (x->head && x->head->off == d->next)
        deliver_head(d);
    if (x->fin_known && d->next >= x->fin_off)
        end_stream(d, REASM_END_FIN);
}

/* Move next forward to target: buffered nodes on the way are delivered,
 * holes become gaps. */
static void advance_to(reasm_dir_t *d, uint64_t target, int why)
{
    while (d->state != STATE_ENDED && d->next < target) {
        reasm_node_t *h = d->ext ? d->ext->head : NULL;
        uint64_t hole_end = h ? min_u64(h->off, target) : target;
        if (hole_end > d->next)
            declare_gap(d, hole_end - d->next, why);
        drain(d);
    }
}

/* The receiver ACKed bytes we never saw: give them up as a gap, those
 * before upto only. */
static void take_pending_ack_upto(reasm_dir_t *d, uint64_t upto)
{
    if (d->ext && d->ext->acked > d->next)
        advance_to(d, min_u64(d->ext->acked, upto), GAP_PLAIN);
}

static void take_pending_ack(reasm_dir_t *d)
{
    take_pending_ack_upto(d, UINT64_MAX);
}

/* One more packet of this direction that did not bring the bytes an ACK
 * past next waits for: true once REASM_ACK_PATIENCE of them came. */
static bool ack_wait_over(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    return x && x->acked > d->next && ++x->ack_waited > REASM_ACK_PATIENCE;
}

/* Give up every hole: deliver all buffered data, up to the FIN if known. */
static void flush_all(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    if (!x || d->state != STATE_OPEN)
        return;
    take_pending_ack(d);
    if (x->tail)
        advance_to(d, x->tail->off + x->tail->len, GAP_PLAIN);
    if (x->fin_known)
        advance_to(d, x->fin_off, GAP_PLAIN);
}

/* ---- bytes behind next ------------------------------------------------- */

/* Overlap length of [a0, a1) and [b0, b1). */
static inline uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

/* Does old data p = [off, end) (all below next) differ from the fingerprint
 * of the last delivered chunk?  Only checkable when it covers the whole
 * fingerprinted prefix. */
static bool differs_from_fingerprint(const reasm_dir_t *d, uint64_t off, uint64_t end,
                                     const uint8_t *p)
{
    if (!d->fp_len)
        return false;
    uint64_t fp_start = d->next - d->fp_len;
    uint64_t fp_n = min_u64(d->fp_len, REASM_FP_BYTES);
    if (off > fp_start || end < fp_start + fp_n)
        return false;
    return fp_hash(p + (fp_start - off), fp_n) != d->fp_hash;
}

/* Account for bytes [off, end) that lie below next (already delivered or
 * given up), captured at p (NULL: not captured).  Returns true when they
 * conflict with what was delivered. */
static bool take_old(reasm_dir_t *d, uint64_t off, uint64_t end, const uint8_t *p)
{
    struct reasm_ext *x = ext_of(d);
    uint64_t late = overlap(off, end, x->gap_start, x->gap_end);
    x->st.late_bytes += late;
    x->st.retrans_bytes += (end - off) - late;
    return p && !late && differs_from_fingerprint(d, off, end, p);
}

/* ---- bytes at or beyond next ------------------------------------------- */

/* Compare new bytes with a buffered node over n bytes; keep per policy. */
static bool merge_overlap(reasm_dir_t *d, uint8_t *kept, const uint8_t *fresh, size_t n)
{
    bool differ = memcmp(kept, fresh, n) != 0;
    d->ext->st.retrans_bytes += n;
    if (differ && (d->flags & DIR_LAST_WINS))
        memcpy(kept, fresh, n);
    return differ;
}

/* Data [next, next + len) arrived in order while nodes are buffered: deliver
 * it, letting buffered nodes it overlaps take their place (first wins), and
 * pull in what becomes contiguous.  Returns true on a conflict. */
static bool take_in_order_merging(reasm_dir_t *d, const uint8_t *p, size_t len, uint64_t frame,
                                  ts_ns_t ts)
{
    struct reasm_ext *x = d->ext;
    uint64_t end = d->next + len;
    bool conflict = false;
    while (d->state != STATE_ENDED && d->next < end) {
        reasm_node_t *h = x ? x->head : NULL;
        uint64_t upto = h ? min_u64(h->off, end) : end;
        if (upto > d->next) {
            const uint8_t *src = p + (len - (end - d->next));
            deliver(d, src, upto - d->next, frame, ts);
            continue;
        }
        /* h starts at next and overlaps the new bytes. */
        uint64_t n = min_u64(h->len, end - h->off);
        conflict |= merge_overlap(d, h->data, p + (len - (end - h->off)), n);
        deliver_head(d);
    }
    drain(d);
    return conflict;
}

static void link_after(struct reasm_ext *x, reasm_node_t *prev, reasm_node_t *n)
{
    if (prev) {
        n->next = prev->next;
        prev->next = n;
    } else {
        n->next = x->head;
        x->head = n;
    }
    if (!n->next)
        x->tail = n;
}

/* Buffer data [off, off + len) that starts beyond next: fill the holes it
 * covers between existing nodes, compare where it overlaps them.  Returns
 * true on a conflict. */
static bool take_out_of_order(reasm_dir_t *d, uint64_t off, const uint8_t *p, size_t len,
                              uint64_t frame, ts_ns_t ts)
{
    struct reasm_ext *x = ext_of(d);
    uint64_t end = off + len;
    if (!x->tail || x->tail->off + x->tail->len <= off) { /* append: the common case */
        link_after(x, x->tail, node_new(x, off, p, len, frame, ts));
        return false;
    }
    reasm_node_t *prev = NULL, *cur = x->head;
    while (cur && cur->off + cur->len <= off) {
        prev = cur;
        cur = cur->next;
    }
    bool conflict = false;
    uint64_t pos = off;
    while (pos < end) {
        if (!cur || cur->off > pos) { /* a hole: fill it up to the next node */
            uint64_t upto = cur ? min_u64(cur->off, end) : end;
            reasm_node_t *n = node_new(x, pos, p + (pos - off), upto - pos, frame, ts);
            link_after(x, prev, n);
            prev = n;
            pos = upto;
            continue;
        }
        uint64_t upto = min_u64(cur->off + cur->len, end);
        conflict |= merge_overlap(d, cur->data + (pos - cur->off), p + (pos - off), upto - pos);
        pos = upto;
        prev = cur;
        cur = cur->next;
    }
    return conflict;
}

/* Give up holes, oldest first, until the buffer is within its caps. */
static void enforce_caps(reasm_dir_t *d)
{
    struct reasm_ext *x = d->ext;
    while (x && x->head && d->state == STATE_OPEN &&
           (x->mem > REASM_MAX_BUFFERED_PER_DIR || x->nodes > REASM_MAX_SEGMENTS_PER_DIR))
        advance_to(d, x->head->off, GAP_CAP);
}

static void add_ignored(reasm_dir_t *d, uint64_t n)
{
    if (n)
        ext_of(d)->st.ignored_bytes += n;
}

/* The stream offset past which new data is not part of the stream. */
static uint64_t stream_limit(const reasm_dir_t *d)
{
    if (d->state == STATE_ENDED)
        return d->next;
    if (d->ext && d->ext->fin_known)
        return d->ext->fin_off;
    return horizon(d) + REASM_MAX_AHEAD;
}

/* Place captured payload [off, off + len).  Returns true on a conflict. */
static bool take_data(reasm_dir_t *d, int64_t soff, const uint8_t *p, size_t len, uint64_t frame,
                      ts_ns_t ts)
{
    if (soff < 0) { /* before the first byte of the stream */
        uint64_t skip = min_u64((uint64_t)-soff, len);
        add_ignored(d, skip);
        p += skip;
        len -= skip;
        soff = 0;
    }
    uint64_t off = (uint64_t)soff;
    bool conflict = false;
    if (len && off < d->next) {
        uint64_t old_end = min_u64(off + len, d->next);
        conflict = take_old(d, off, old_end, p);
        p += old_end - off;
        len -= old_end - off;
        off = old_end;
    }
    uint64_t limit = stream_limit(d);
    if (len && off + len > limit) {
        uint64_t keep = off < limit ? limit - off : 0;
        add_ignored(d, len - keep);
        len = keep;
    }
    if (!len)
        return conflict;
    if (off == d->next)
        conflict |= take_in_order_merging(d, p, len, frame, ts);
    else
        conflict |= take_out_of_order(d, off, p, len, frame, ts);
    return conflict;
}

static void note_fin(reasm_dir_t *d, uint64_t fin_off)
{
    if (d->state != STATE_OPEN || fin_off < d->next || fin_off > horizon(d) + REASM_MAX_AHEAD)
        return; /* a retransmitted FIN, one inside delivered data, or a bogus one */
    if (fin_off == d->next && !(d->ext && d->ext->head)) {
        end_stream(d, REASM_END_FIN);
        return;
    }
    struct reasm_ext *x = ext_of(d);
    if (x->fin_known)
        return; /* the first FIN seen wins */
    x->fin_known = true;
    x->fin_off = fin_off;
    /* Buffered data past the FIN is not part of the stream. */
    reasm_node_t **pp = &x->head, *prev = NULL;
    while (*pp && (*pp)->off + (*pp)->len <= fin_off) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp && (*pp)->off < fin_off) { /* straddles: trim, keep the node */
        uint32_t cut = (uint32_t)((*pp)->off + (*pp)->len - fin_off);
        x->st.ignored_bytes += cut;
        (*pp)->len -= cut; /* node_free() sizes by len: account the cut now */
        x->mem -= cut;
        atomic_fetch_sub_explicit(&g_buffered_total, cut, memory_order_relaxed);
        prev = *pp;
        pp = &(*pp)->next;
    }
    while (*pp) {
        reasm_node_t *n = *pp;
        *pp = n->next;
        x->st.ignored_bytes += n->len;
        node_free(x, n);
    }
    x->tail = prev;
    drain(d);
}

/* ---- public API -------------------------------------------------------- */

void reasm_init(reasm_dir_t *d, const reasm_sink_t *sink, void *ctx)
{
    memset(d, 0, sizeof(*d));
    d->sink = sink;
    d->ctx = ctx;
}

void reasm_set_policy(reasm_dir_t *d, reasm_policy_t policy)
{
    if (policy == REASM_LAST_WINS)
        d->flags |= DIR_LAST_WINS;
    else
        d->flags &= (uint8_t)~DIR_LAST_WINS;
}

/* A 1-byte segment at next-1 (or an empty one) is a keep-alive or a
 * zero-window probe repeating the last byte: it carries no new data. */
static bool is_probe(const reasm_dir_t *d, int64_t off, size_t wire_len, uint8_t flags)
{
    return wire_len <= 1 && !(flags & (FLAG_SYN | FLAG_FIN)) && off == (int64_t)d->next - 1;
}

/* Bytes the snap cut off a segment, [cap_end, wire_end): those below next
 * were received before (counted, not comparable); those at next are a gap. */
static void take_snapped(reasm_dir_t *d, int64_t cap_end, int64_t wire_end)
{
    if (wire_end <= 0 || cap_end > (int64_t)d->next)
        return; /* the captured part was buffered: the rest stays a hole */
    uint64_t lo = cap_end > 0 ? (uint64_t)cap_end : 0;
    uint64_t old_end = min_u64((uint64_t)wire_end, d->next);
    if (old_end > lo)
        take_old(d, lo, old_end, NULL);
    if (d->state == STATE_OPEN && (uint64_t)wire_end > d->next)
        advance_to(d, min_u64((uint64_t)wire_end, stream_limit(d)), GAP_PLAIN);
}

static void take_rst(reasm_dir_t *d, size_t wire_len)
{
    add_ignored(d, wire_len);
    if (d->state == STATE_NEW)
        d->state = STATE_OPEN;
    flush_all(d);
    end_stream(d, REASM_END_RST);
}

/* Nothing buffered and no FIN pending: in-order data can go straight out. */
static inline bool quiet(const reasm_dir_t *d)
{
    return !d->ext || (!d->ext->head && !d->ext->fin_known);
}

/* Everything but an in-order segment on a quiet direction. */
static void segment_slow(reasm_dir_t *d, int64_t off, uint8_t flags, const uint8_t *payload,
                         size_t len, size_t wire_len, uint64_t frame, ts_ns_t ts)
{
    if (is_probe(d, off, wire_len, flags)) {
        ext_of(d)->st.keepalives++;
        return;
    }
    if (off > (int64_t)d->next && ack_wait_over(d))
        /* The ACKed bytes did not turn up after all: the ones before this
         * segment are given up; those it brings, and any after it, are
         * still taken. */
        take_pending_ack_upto(d, (uint64_t)off);
    if (take_data(d, off, payload, len, frame, ts))
        note_conflict(d, frame);
    if (wire_len > len)
        take_snapped(d, off + (int64_t)len, off + (int64_t)wire_len);
    if ((flags & FLAG_FIN) && off + (int64_t)wire_len >= 0)
        note_fin(d, (uint64_t)(off + (int64_t)wire_len));
    enforce_caps(d);
}

void reasm_segment(reasm_dir_t *d, uint32_t seq, uint8_t tcp_flags, const uint8_t *payload,
                   size_t len, size_t wire_len, uint64_t frame, ts_ns_t ts)
{
    if (wire_len < len)
        wire_len = len;
    if (!wire_len && !(tcp_flags & (FLAG_SYN | FLAG_FIN | FLAG_RST))) {
        /* A pure ACK.  Picked up mid-stream, it tells where the sender's
         * next byte is: the stream starts there, so data captured out of
         * order after it (a later segment before an earlier one) is still
         * put in order.  Unless it was a keep-alive, one byte before the
         * next: see below. */
        if (d->state == STATE_NEW) {
            d->base = seq;
            d->state = STATE_OPEN;
            d->flags |= DIR_START_AT_ACK;
        } else if (d->state == STATE_OPEN && horizon(d) > d->next &&
                   seq_to_off(d, seq) >= (int64_t)horizon(d) && ack_wait_over(d)) {
            take_pending_ack(d); /* sent from past the ACKed bytes: they are lost */
        }
        return;
    }
    if (d->flags & DIR_START_AT_ACK) {
        /* The first data after the pure ACK the stream started at: one byte
         * after it, that ACK was a keep-alive (RFC 9293 3.8.4: sent with
         * the sequence number one before the next), and the stream starts
         * here, without a one-byte gap. */
        d->flags &= (uint8_t)~DIR_START_AT_ACK;
        if (d->next == 0 && quiet(d) && seq_to_off(d, seq) == 1 && !(tcp_flags & FLAG_SYN))
            d->base = seq;
    }
    if (wire_len > REASM_MAX_AHEAD)
        return; /* no TCP segment is this long */
    if (tcp_flags & FLAG_RST) {
        take_rst(d, wire_len);
        return;
    }
    if (tcp_flags & FLAG_SYN) {
        if (d->state == STATE_NEW) {
            d->base = seq + 1;
            d->state = STATE_OPEN;
        }
        seq++; /* the SYN occupies one sequence number before the data */
    }
    if (d->state == STATE_NEW) { /* picked up mid-stream: this byte is offset 0 */
        d->base = seq;
        d->state = STATE_OPEN;
    }
    int64_t off = seq_to_off(d, seq);
    if (off == (int64_t)d->next && quiet(d) && len == wire_len && len && !(tcp_flags & FLAG_FIN) &&
        d->state == STATE_OPEN) {
        deliver(d, payload, len, frame, ts); /* the fast path */
        return;
    }
    segment_slow(d, off, tcp_flags, payload, len, wire_len, frame, ts);
}

void reasm_peer_ack(reasm_dir_t *d, uint32_t ack)
{
    if (d->state != STATE_OPEN)
        return;
    int64_t off = seq_to_off(d, ack);
    if (off <= (int64_t)d->next)
        return; /* the common case: nothing new */
    struct reasm_ext *x = d->ext;
    uint64_t target = (uint64_t)off;
    if (x && x->fin_known)
        target = min_u64(target, x->fin_off); /* the FIN's sequence number */
    else if (target == d->next + 1 && !(x && x->head))
        return; /* may ACK a FIN the capture missed, not a data byte */
    x = ext_of(d);
    if (x->acked <= d->next)
        x->ack_waited = 0; /* counted from the first ACK past next, not the latest */
    if (target > x->acked)
        x->acked = target;
    /* The data may just be captured after its ACK (capture-point
     * reordering, at most a window), even with later data buffered: wait for
     * this direction to show it moved on (segment_slow, a pure ACK in
     * reasm_segment) or the flush.  An ACK of the FIN with the FIN's
     * segment buffered past the hole is taken at once: the sender has
     * nothing more to send.  So is an ACK further ahead than any window,
     * before a later one can run past the range 32-bit sequence arithmetic
     * can tell apart. */
    if ((x->fin_known && x->head && target >= x->fin_off) || target - d->next > REASM_MAX_AHEAD)
        take_pending_ack(d);
}

void reasm_flush(reasm_dir_t *d)
{
    flush_all(d);
}

void reasm_finish(reasm_dir_t *d)
{
    flush_all(d);
    end_stream(d, REASM_END_FLUSH);
}

void reasm_free(reasm_dir_t *d)
{
    if (d->ext) {
        drop_all_nodes(d);
        free(d->ext);
        d->ext = NULL;
    }
}

size_t reasm_buffered_bytes(const reasm_dir_t *d)
{
    return d->ext ? d->ext->mem : 0;
}

size_t reasm_buffered_total(void)
{
    return (size_t)atomic_load_explicit(&g_buffered_total, memory_order_relaxed);
}

void reasm_get_stats(const reasm_dir_t *d, reasm_stats_t *out)
{
    if (d->ext)
        *out = d->ext->st;
    else
        memset(out, 0, sizeof(*out));
    out->delivered = d->next - out->missing_bytes;
    out->truncated = out->gaps > 0;
}

bool reasm_ended(const reasm_dir_t *d)
{
    return d->state == STATE_ENDED;
}

void reasm_take_ack(reasm_dir_t *d, uint32_t ack)
{
    reasm_peer_ack(d, ack);
    if (d->state != STATE_OPEN)
        return;
    int64_t off = seq_to_off(d, ack);
    if (off > (int64_t)d->next)
        take_pending_ack_upto(d, (uint64_t)off);
}

bool reasm_short_of(const reasm_dir_t *d, uint32_t ack)
{
    if (d->state != STATE_OPEN)
        return false;
    int64_t off = seq_to_off(d, ack);
    return off > (int64_t)d->next + 1 && off - (int64_t)d->next <= (int64_t)REASM_MAX_AHEAD;
}
