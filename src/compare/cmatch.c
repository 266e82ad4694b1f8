/* cmatch.c — windowed matching of two captures; see cmatch.h. */
#include "cmatch.h"

#include "capture/capture.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "decode/decode.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Payload bytes hashed into the match key: enough to tell apart segments
 * with equal headers, few enough to survive a short snaplen. */
#define MATCH_PAYLOAD_BYTES 16
/* Bytes of a non-IP frame hashed into its key: every ARP message whole,
 * the headers of the rest. */
#define MATCH_FRAME_BYTES 64
/* TSO/GRO: most pieces one segment is matched with. */
#define RANGE_MAX_PIECES 64

enum { ST_PENDING, ST_DONE };

/* ---- address and connection tables (open addressing, grow at 50 %) ---- */

static uint64_t addr_hash(const ipaddr_t *ip)
{
    return hash_fnv1a(ip->a, 16, ip->family);
}

/* Both tables index their items by open addressing, kept under half full:
 * double the slots of idx (1024 to start) and place items 0..n-1 again, item
 * i where hash(t, i) falls. */
static void index_grow(uint32_t **idx, size_t *slots, size_t n,
                       uint64_t (*hash)(const cm_tables_t *, size_t), const cm_tables_t *t)
{
    size_t ns = *slots ? *slots * 2 : 1024;
    uint32_t *v = xmalloc(ns * sizeof *v);
    memset(v, 0xFF, ns * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        size_t s = hash(t, i) & (ns - 1);
        while (v[s] != CM_NONE)
            s = (s + 1) & (ns - 1);
        v[s] = (uint32_t)i;
    }
    free(*idx);
    *idx = v;
    *slots = ns;
}

static uint64_t addr_hash_at(const cm_tables_t *t, size_t i)
{
    return addr_hash(&t->addrs[i].ip);
}

uint32_t cm_addr_id(cm_tables_t *t, const ipaddr_t *ip)
{
    if (t->naddrs * 2 >= t->addr_slots)
        index_grow(&t->addr_idx, &t->addr_slots, t->naddrs, addr_hash_at, t);
    size_t s = addr_hash(ip) & (t->addr_slots - 1);
    while (t->addr_idx[s] != CM_NONE) {
        if (ipaddr_eq(&t->addrs[t->addr_idx[s]].ip, ip))
            return t->addr_idx[s];
        s = (s + 1) & (t->addr_slots - 1);
    }
    t->addrs = xgrow_to(t->addrs, &t->capaddrs, t->naddrs, sizeof *t->addrs, 0);
    t->addrs[t->naddrs].ip = *ip;
    t->addr_idx[s] = (uint32_t)t->naddrs;
    return (uint32_t)t->naddrs++;
}

static uint64_t flow_hash(const ipaddr_t *x, uint16_t xp, const ipaddr_t *y, uint16_t yp,
                          uint8_t proto)
{
    /* direction-independent */
    uint64_t h1 = hash_fnv1a(x->a, 16, 0) ^ hash_fnv1a(&xp, 2, 0);
    uint64_t h2 = hash_fnv1a(y->a, 16, 0) ^ hash_fnv1a(&yp, 2, 0);
    return (h1 + h2) * 31 + proto;
}

/* What a packet says about its connection. */
typedef struct tuple {
    ipaddr_t src, dst;
    uint16_t sport, dport;
    uint8_t proto;
} tuple_t;

static uint64_t flow_hash_at(const cm_tables_t *t, size_t i)
{
    const cm_flow_t *f = &t->flows[i];
    return flow_hash(&f->a, f->ap, &f->b, f->bp, f->proto);
}

static bool flow_eq(const cm_flow_t *f, const tuple_t *p)
{
    if (f->proto != p->proto || f->ended)
        return false;
    return (ipaddr_eq(&f->a, &p->src) && ipaddr_eq(&f->b, &p->dst) && f->ap == p->sport &&
            f->bp == p->dport) ||
           (ipaddr_eq(&f->a, &p->dst) && ipaddr_eq(&f->b, &p->src) && f->ap == p->dport &&
            f->bp == p->sport);
}

static uint32_t flow_id(cm_tables_t *t, const tuple_t *p, uint32_t src)
{
    if (t->nflows * 2 >= t->flow_slots)
        index_grow(&t->flow_idx, &t->flow_slots, t->nflows, flow_hash_at, t);
    size_t s = flow_hash(&p->src, p->sport, &p->dst, p->dport, p->proto) & (t->flow_slots - 1);
    while (t->flow_idx[s] != CM_NONE) {
        if (flow_eq(&t->flows[t->flow_idx[s]], p))
            return t->flow_idx[s];
        s = (s + 1) & (t->flow_slots - 1);
    }
    t->flows = xgrow_to(t->flows, &t->capflows, t->nflows, sizeof *t->flows, 0);
    cm_flow_t *f = &t->flows[t->nflows];
    f->a = p->src, f->b = p->dst, f->ap = p->sport, f->bp = p->dport, f->proto = p->proto;
    f->first_src = src;
    f->older = f->newer = CM_NONE;
    f->last = INT64_MIN;
    t->flow_idx[s] = (uint32_t)t->nflows;
    return (uint32_t)t->nflows++;
}

static void lru_unlink(cm_tables_t *t, uint32_t id)
{
    cm_flow_t *f = &t->flows[id];
    if (f->older != CM_NONE)
        t->flows[f->older].newer = f->newer;
    else if (t->oldest == id)
        t->oldest = f->newer;
    if (f->newer != CM_NONE)
        t->flows[f->newer].older = f->older;
    else if (t->newest == id)
        t->newest = f->older;
    f->older = f->newer = CM_NONE;
}

/* A packet of connection id at time now: it becomes the most recent. */
static void flow_touch(cm_tables_t *t, uint32_t id, ts_ns_t now)
{
    cm_flow_t *f = &t->flows[id];
    if (now > f->last)
        f->last = now;
    if (t->newest == id)
        return;
    lru_unlink(t, id);
    f->older = t->newest;
    if (t->newest != CM_NONE)
        t->flows[t->newest].newer = id;
    t->newest = id;
    if (t->oldest == CM_NONE)
        t->oldest = id;
}

void cm_tables_free(cm_tables_t *t)
{
    free(t->addrs), free(t->addr_idx), free(t->flows), free(t->flow_idx);
    memset(t, 0, sizeof *t);
}

/* ---- reading ---- */

static uint64_t match_key(const packet_t *p, bool nat)
{
    uint64_t h = 0;
    if (!nat) {
        h = hash_fnv1a(p->src.a, 16, h);
        h = hash_fnv1a(p->dst.a, 16, h);
        uint16_t ports[2] = {p->sport, p->dport};
        h = hash_fnv1a(ports, sizeof ports, h);
    }
    uint32_t f[5] = {p->proto, p->ip_version == 4 ? p->ip_id : 0, p->seq, p->ack,
                     (uint32_t)p->tcp_flags << 24 | (p->payload_wire & 0xFFFFFF)};
    if (p->proto != IPPROTO_TCP)
        f[2] = f[3] = 0;
    h = hash_fnv1a(f, sizeof f, h);
    size_t n = p->payload_len < MATCH_PAYLOAD_BYTES ? p->payload_len : MATCH_PAYLOAD_BYTES;
    if (n)
        h = hash_fnv1a(p->payload, n, h);
    return h;
}

typedef struct reader {
    capture_t *c;
    damage_t dmg;
    decoder_t dec;
    cm_point_t *pt;
    bool eof;
} reader_t;

static int reader_open(reader_t *r, cm_point_t *pt, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->pt = pt;
    char e[256];
    r->c = capture_open_ex(pt->path, pt->hash, e, sizeof e);
    if (!r->c) {
        snprintf(err, errlen, "%s: %s", pt->path, e);
        return 3;
    }
    decoder_init(&r->dec, &r->dmg);
    pt->packets = pt->ip_packets = pt->non_ip = 0;
    return 0;
}

/* A packet read but not yet numbered: its connection is looked up when it
 * is taken, after the connections it outlived have ended. */
typedef struct ahead {
    cm_rec_t r;
    tuple_t tu;
} ahead_t;

/* A non-IP frame: keyed on its first bytes and its length. */
static void non_ip_record(const capture_pkt_t *cp, cm_rec_t *x)
{
    memset(x, 0, sizeof *x);
    uint32_t n = cp->caplen < MATCH_FRAME_BYTES ? cp->caplen : MATCH_FRAME_BYTES;
    x->key = hash_fnv1a(&cp->origlen, sizeof cp->origlen, hash_fnv1a("not IP", 6, 0));
    x->key = hash_fnv1a(cp->data, n, x->key);
    x->ts = cp->ts;
    x->frame = cp->frame;
    x->flow = x->src = x->dst = CM_NONE;
    x->len = cp->origlen;
    x->local = LOCAL_NOT_IP;
    x->aux = CM_NONE64;
}

static void ip_record(const capture_pkt_t *cp, const packet_t *p, bool nat, ahead_t *ah)
{
    cm_rec_t *x = &ah->r;
    memset(x, 0, sizeof *x);
    x->key = match_key(p, nat);
    x->ts = cp->ts;
    x->frame = cp->frame;
    ah->tu = (tuple_t){p->src, p->dst, p->sport, p->dport, p->proto};
    x->seq = p->seq;
    x->ack = p->ack;
    x->len = p->payload_wire;
    x->ip_id = p->ip_id;
    x->ttl = p->ttl;
    x->tcp_flags = p->tcp_flags;
    x->proto = p->proto;
    x->local = (uint8_t)locality_of(p);
    x->subnet_bcast = locality_subnet_broadcast(p);
    /* Traffic no router forwards is seen at both points only when they
     * share a segment, with the sender's own MAC address: the key holds it,
     * so that identical messages of two hosts on two segments (neighbour
     * solicitations from ::, the same MLD report) do not match. */
    if (x->local != LOCAL_NO && p->has_mac)
        x->key = hash_fnv1a(p->mac_src, sizeof p->mac_src, x->key);
    x->aux = CM_NONE64;
}

/* The next IP packet or non-IP frame; false at the end of the capture. */
static bool reader_next(reader_t *r, bool nat, ahead_t *ah)
{
    capture_pkt_t cp;
    packet_t p;
    int rc = 0;
    while (!r->eof && (rc = capture_next(r->c, &cp)) == 1) {
        r->pt->packets++;
        uint64_t non_ip = r->dec.stats.non_ip;
        if (decode_frame(&r->dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &p)) {
            r->pt->ip_packets++;
            ip_record(&cp, &p, nat, ah);
            return true;
        }
        if (r->dec.stats.non_ip != non_ip) {
            r->pt->non_ip++;
            non_ip_record(&cp, &ah->r);
            return true;
        }
    }
    if (!r->eof) {
        r->eof = true;
        r->pt->damaged = rc < 0;
        if (r->pt->damaged) {
            damage_t *d = capture_damage(r->c);
            snprintf(r->pt->damage_reason, sizeof r->pt->damage_reason, "%s",
                     d->n ? d->v[0].reason : "unreadable tail");
        }
    }
    return false;
}

static void reader_close(reader_t *r)
{
    if (!r->c)
        return;
    r->pt->ts_digits = capture_ts_digits(r->c);
    if (r->pt->hash) {
        uint8_t sha[32];
        capture_sha256(r->c, sha);
        hex_lower(sha, sizeof sha, r->pt->sha256);
    }
    decoder_free(&r->dec);
    damage_free(&r->dmg);
    capture_close(r->c);
    r->c = NULL;
}

/* ---- the pending packets of one point ----
 *
 * A ring of records in arrival order (ids only grow; a record's slot is its
 * id modulo the ring size), with two chained hash indexes over the pending
 * ones: by match key, and (TCP with payload) by connection, direction and
 * sequence number for byte-range matching. */

enum { BY_KEY, BY_RANGE }; /* the two indexes, and a record's links in each */

typedef struct chains {
    uint64_t *head;
    size_t slots;
} chains_t;

typedef struct point {
    cm_rec_t *v;
    size_t cap;          /* power of two */
    uint64_t head, tail; /* live ids: [head, tail) */
    uint64_t npending;
    chains_t by[2];     /* [BY_KEY], [BY_RANGE] */
    ts_ns_t now;        /* latest time read here (B: moved to A's clock) */
    uint32_t *flow_map; /* this point's connection -> the other point's */
    size_t nflow_map;
} point_t;

typedef struct matcher {
    point_t p[2];
    cm_tables_t *t;
    const cm_opts_t *o;
    const cm_hooks_t *h;
    cm_stats_t *st;
} matcher_t;

static cm_rec_t *rec(point_t *p, uint64_t id)
{
    return &p->v[id & (p->cap - 1)];
}

static ts_ns_t aligned(const matcher_t *m, const cm_rec_t *r)
{
    return r->side ? r->ts - m->o->align : r->ts;
}

/* Is r sent by the endpoint that spoke first in its connection? */
static bool from_first_sender(const cm_tables_t *t, const cm_rec_t *r)
{
    return r->src == t->flows[r->flow].first_src;
}

static uint64_t range_key(uint32_t flow, bool fwd, uint32_t seq)
{
    uint64_t parts[2] = {(uint64_t)fwd << 32 | flow, seq};
    return hash_fnv1a(parts, sizeof parts, 0);
}

static bool in_range_index(const cm_rec_t *r)
{
    return r->proto == IPPROTO_TCP && r->len > 0;
}

static uint64_t rkey_of(const matcher_t *m, const cm_rec_t *r)
{
    return range_key(r->flow, from_first_sender(m->t, r), r->seq);
}

static void chain_link(point_t *p, int ix, uint64_t id, uint64_t k)
{
    chains_t *c = &p->by[ix];
    cm_rec_t *r = rec(p, id);
    size_t s = k & (c->slots - 1);
    r->prev[ix] = CM_NONE64;
    r->next[ix] = c->head[s];
    if (c->head[s] != CM_NONE64)
        rec(p, c->head[s])->prev[ix] = id;
    c->head[s] = id;
}

static void chain_unlink(point_t *p, int ix, uint64_t id, uint64_t k)
{
    cm_rec_t *r = rec(p, id);
    if (r->prev[ix] == CM_NONE64)
        p->by[ix].head[k & (p->by[ix].slots - 1)] = r->next[ix];
    else
        rec(p, r->prev[ix])->next[ix] = r->next[ix];
    if (r->next[ix] != CM_NONE64)
        rec(p, r->next[ix])->prev[ix] = r->prev[ix];
}

/* The first record in the chain of p's index ix where key k falls. */
static uint64_t chain_head(const point_t *p, int ix, uint64_t k)
{
    return p->by[ix].head[k & (p->by[ix].slots - 1)];
}

static void index_pending(matcher_t *m, point_t *p, uint64_t id)
{
    cm_rec_t *r = rec(p, id);
    chain_link(p, BY_KEY, id, r->key);
    if (in_range_index(r))
        chain_link(p, BY_RANGE, id, rkey_of(m, r));
}

/* Grow the chain heads with the pending set (kept under half full). */
static void rehash(matcher_t *m, point_t *p)
{
    size_t ns = p->by[BY_KEY].slots ? p->by[BY_KEY].slots * 2 : 1024;
    while (ns < p->npending * 2)
        ns *= 2;
    for (int ix = 0; ix < 2; ix++) {
        chains_t *c = &p->by[ix];
        free(c->head);
        c->head = xmalloc(ns * sizeof *c->head);
        memset(c->head, 0xFF, ns * sizeof *c->head);
        c->slots = ns;
    }
    for (uint64_t id = p->head; id < p->tail; id++)
        if (rec(p, id)->state == ST_PENDING)
            index_pending(m, p, id);
}

void *cm_ring_grow(void *v, size_t *cap, size_t size, uint64_t head, uint64_t tail)
{
    size_t nc = *cap ? *cap * 2 : 4096;
    unsigned char *nv = xreallocarray(NULL, nc, size);
    const unsigned char *ov = v;
    for (uint64_t id = head; id < tail; id++)
        memcpy(nv + (id & (nc - 1)) * size, ov + (id & (*cap - 1)) * size, size);
    free(v);
    *cap = nc;
    return nv;
}

static void push(matcher_t *m, point_t *p, const cm_rec_t *x)
{
    if (p->tail - p->head == p->cap)
        p->v = cm_ring_grow(p->v, &p->cap, sizeof *p->v, p->head, p->tail);
    uint64_t id = p->tail++;
    *rec(p, id) = *x;
    rec(p, id)->state = ST_PENDING;
    p->npending++;
    if (x->flow != CM_NONE)
        m->t->flows[x->flow].pending++;
    if (p->npending * 2 > p->by[BY_KEY].slots)
        rehash(m, p); /* indexes the new record too */
    else
        index_pending(m, p, id);
    int side = (int)(p - m->p);
    if (p->npending > m->st->peak_pending[side])
        m->st->peak_pending[side] = p->npending;
}

static void retire(matcher_t *m, point_t *p, uint64_t id)
{
    cm_rec_t *r = rec(p, id);
    chain_unlink(p, BY_KEY, id, r->key);
    if (in_range_index(r))
        chain_unlink(p, BY_RANGE, id, rkey_of(m, r));
    r->state = ST_DONE;
    p->npending--;
    if (r->flow != CM_NONE)
        m->t->flows[r->flow].pending--;
}

/* The oldest pending record of p with key k, or CM_NONE64. */
static uint64_t find_key(point_t *p, uint64_t k)
{
    uint64_t best = CM_NONE64;
    for (uint64_t id = chain_head(p, BY_KEY, k); id != CM_NONE64; id = rec(p, id)->next[BY_KEY])
        if (rec(p, id)->key == k && id < best)
            best = id;
    return best;
}

/* The connection of r in the numbering of the other point: the same under
 * plain routing (one table for both), learnt from matched packets under NAT. */
static uint32_t flow_at_other(const matcher_t *m, const cm_rec_t *r)
{
    const point_t *p = &m->p[r->side];
    return r->flow < p->nflow_map && p->flow_map[r->flow] != CM_NONE ? p->flow_map[r->flow]
                                                                     : r->flow;
}

static void learn_flow(matcher_t *m, const cm_rec_t *x, const cm_rec_t *y)
{
    if (!m->o->nat || x->flow == CM_NONE || y->flow == CM_NONE)
        return;
    const cm_rec_t *pair[2] = {x, y};
    for (int i = 0; i < 2; i++) {
        point_t *p = &m->p[pair[i]->side];
        uint32_t f = pair[i]->flow;
        p->flow_map = xgrow_to(p->flow_map, &p->nflow_map, f, sizeof *p->flow_map, 0xFF);
        if (p->flow_map[f] == CM_NONE)
            p->flow_map[f] = pair[1 - i]->flow;
    }
}

/* Pieces at point o tiling big's byte range exactly: each starting where the
 * previous ended, same ACK, each shorter than big.  Returns how many (>= 2),
 * or 0. */
static size_t tile(matcher_t *m, const cm_rec_t *big, point_t *o, uint64_t pieces[RANGE_MAX_PIECES])
{
    uint32_t f = flow_at_other(m, big);
    bool fwd = from_first_sender(m->t, big);
    uint32_t pos = big->seq, left = big->len;
    size_t np = 0;
    while (left && np < RANGE_MAX_PIECES) {
        uint64_t k = range_key(f, fwd, pos), found = CM_NONE64;
        for (uint64_t id = chain_head(o, BY_RANGE, k); id != CM_NONE64;
             id = rec(o, id)->next[BY_RANGE]) {
            const cm_rec_t *q = rec(o, id);
            if (id < found && q->flow == f && from_first_sender(m->t, q) == fwd && q->seq == pos &&
                q->len < big->len && q->len <= left && q->ack == big->ack)
                found = id;
        }
        if (found == CM_NONE64)
            return 0;
        pieces[np++] = found;
        pos += rec(o, found)->len;
        left -= rec(o, found)->len;
    }
    return left || np < 2 ? 0 : np;
}

static void range_matched(matcher_t *m, point_t *bp, uint64_t big, point_t *o,
                          const uint64_t *pieces, size_t np)
{
    cm_rec_t b = *rec(bp, big), first = *rec(o, pieces[0]);
    retire(m, bp, big);
    for (size_t k = 0; k < np; k++)
        retire(m, o, pieces[k]);
    m->h->done(m->h->ctx, &b, &first, true);
    for (size_t k = 0; k < np; k++)
        m->h->done(m->h->ctx, rec(o, pieces[k]), &b, true);
}

/* Record id at point s waited the whole window: try it as the large segment
 * of a byte-range match, then as the first piece of one; else it is
 * unmatched. */
static void give_up(matcher_t *m, int s, uint64_t id)
{
    point_t *p = &m->p[s], *o = &m->p[1 - s];
    cm_rec_t *x = rec(p, id);
    uint64_t pieces[RANGE_MAX_PIECES];
    if (in_range_index(x)) {
        size_t np = x->len >= 2 ? tile(m, x, o, pieces) : 0;
        if (np) {
            range_matched(m, p, id, o, pieces, np);
            return;
        }
        /* a larger segment at o starting where x starts, tiled by x and
         * what follows it here */
        uint32_t f = flow_at_other(m, x);
        bool fwd = from_first_sender(m->t, x);
        uint64_t k = range_key(f, fwd, x->seq);
        for (uint64_t bid = chain_head(o, BY_RANGE, k); bid != CM_NONE64;
             bid = rec(o, bid)->next[BY_RANGE]) {
            const cm_rec_t *y = rec(o, bid);
            if (y->flow != f || y->seq != x->seq || y->len <= x->len || y->ack != x->ack ||
                from_first_sender(m->t, y) != fwd)
                continue;
            np = tile(m, y, p, pieces);
            if (np) {
                range_matched(m, o, bid, p, pieces, np);
                return;
            }
        }
    }
    retire(m, p, id);
    m->h->done(m->h->ctx, x, NULL, false);
}

/* Give up the pending records of point s that the other point's clock has
 * passed by the window, or the oldest while too many wait, and drop finished
 * records from the ring's head. */
static void expire(matcher_t *m, int s, ts_ns_t now)
{
    point_t *p = &m->p[s];
    while (p->head < p->tail) {
        cm_rec_t *r = rec(p, p->head);
        if (r->state == ST_PENDING) {
            bool due = aligned(m, r) + m->o->window < now;
            bool full = m->o->max_pending && p->npending > m->o->max_pending;
            if (!due && !full)
                break;
            if (!due)
                m->st->given_up_early++;
            give_up(m, s, p->head);
        }
        p->head++;
    }
}

static void arrive(matcher_t *m, int s, cm_rec_t *x)
{
    point_t *p = &m->p[s], *o = &m->p[1 - s];
    m->h->arrive(m->h->ctx, x);
    uint64_t id = o->npending ? find_key(o, x->key) : CM_NONE64;
    if (id != CM_NONE64) {
        cm_rec_t y = *rec(o, id);
        retire(m, o, id);
        learn_flow(m, x, &y);
        cm_rec_t *a = s == 0 ? x : &y, *b = s == 0 ? &y : x;
        m->h->done(m->h->ctx, a, b, false);
        m->h->done(m->h->ctx, b, a, false);
        return;
    }
    push(m, p, x);
}

/* End the connections quiet since before now - idle (all: every one left),
 * least recently seen first; one with packets still waiting stops the
 * sweep until they are done. */
static void end_idle(matcher_t *m, ts_ns_t now, bool all)
{
    cm_tables_t *t = m->t;
    while (t->oldest != CM_NONE) {
        uint32_t id = t->oldest;
        cm_flow_t *f = &t->flows[id];
        if (!all && (f->last >= now - m->o->idle || f->pending))
            break;
        lru_unlink(t, id);
        f->ended = true;
        if (m->h->flow_end)
            m->h->flow_end(m->h->ctx, id);
    }
}

static void point_free(point_t *p)
{
    free(p->v), free(p->by[BY_KEY].head), free(p->by[BY_RANGE].head), free(p->flow_map);
}

int cm_run(cm_point_t pt[2], cm_tables_t *t, const cm_opts_t *o, const cm_hooks_t *h,
           cm_stats_t *st, char *err, size_t errlen)
{
    reader_t r[2];
    memset(r, 0, sizeof r);
    memset(st, 0, sizeof *st);
    for (int s = 0; s < 2; s++) {
        int rc = reader_open(&r[s], &pt[s], err, errlen);
        if (rc) {
            if (s)
                reader_close(&r[0]);
            return rc;
        }
    }
    matcher_t m;
    memset(&m, 0, sizeof m);
    m.t = t, m.o = o, m.h = h, m.st = st;
    for (int s = 0; s < 2; s++) {
        m.p[s].now = INT64_MIN;
        rehash(&m, &m.p[s]);
    }
    t->oldest = t->newest = CM_NONE;
    ahead_t next[2];
    bool have[2];
    for (int s = 0; s < 2; s++)
        have[s] = reader_next(&r[s], o->nat, &next[s]);
    while (have[0] || have[1]) {
        int s;
        if (!have[1])
            s = 0;
        else if (!have[0])
            s = 1;
        else
            s = next[0].r.ts <= next[1].r.ts - o->align ? 0 : 1;
        cm_rec_t x = next[s].r;
        const tuple_t *tu = &next[s].tu;
        x.side = (uint8_t)s;
        point_t *p = &m.p[s];
        ts_ns_t at = aligned(&m, &x);
        if (at > p->now)
            p->now = at;
        expire(&m, 1 - s, p->now);
        if (!have[1 - s]) /* the other capture is over: its clock follows this one */
            expire(&m, s, p->now);
        end_idle(&m, at, false);
        if (x.flow != CM_NONE) { /* IP: its addresses and connection */
            x.src = cm_addr_id(t, &tu->src);
            x.dst = cm_addr_id(t, &tu->dst);
            x.flow = flow_id(t, tu, x.src);
            flow_touch(t, x.flow, at);
        }
        arrive(&m, s, &x);
        have[s] = reader_next(&r[s], o->nat, &next[s]);
    }
    /* the end of both captures: give up what is left, oldest first */
    for (;;) {
        point_t *a = &m.p[0], *b = &m.p[1];
        while (a->head < a->tail && rec(a, a->head)->state != ST_PENDING)
            a->head++;
        while (b->head < b->tail && rec(b, b->head)->state != ST_PENDING)
            b->head++;
        bool ha = a->head < a->tail, hb = b->head < b->tail;
        if (!ha && !hb)
            break;
        int s = !hb || (ha && aligned(&m, rec(a, a->head)) <= aligned(&m, rec(b, b->head))) ? 0 : 1;
        give_up(&m, s, m.p[s].head);
        m.p[s].head++;
    }
    end_idle(&m, 0, true);
    for (int s = 0; s < 2; s++) {
        point_free(&m.p[s]);
        reader_close(&r[s]);
    }
    return pt[0].damaged || pt[1].damaged ? 1 : 0;
}

/* ---- the alignment guess ---- */

typedef struct probe_ent {
    uint64_t key;
    ts_ns_t ts;
} probe_ent_t;

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Keys of the first n packets of `first`, looked up while reading `second`
 * until `enough` are found; the differences second - first go to d. */
static size_t probe_one(const char *first, const char *second, bool nat, size_t n, size_t enough,
                        int64_t *d)
{
    cm_point_t pt[2];
    memset(pt, 0, sizeof pt);
    pt[0].path = first, pt[1].path = second;
    reader_t r;
    char err[512]; /* room for a path and capture_open_ex's 256-byte message */
    if (reader_open(&r, &pt[0], err, sizeof err))
        return 0;
    size_t slots = 1024;
    while (slots < n * 2)
        slots *= 2;
    probe_ent_t *tab = xcalloc(slots, sizeof *tab);
    bool *used = xcalloc(slots, sizeof *used);
    ahead_t ah;
    const cm_rec_t *x = &ah.r;
    size_t have = 0;
    while (have < n && reader_next(&r, nat, &ah)) {
        if (x->local == LOCAL_NOT_IP) /* the alignment comes from IP packets */
            continue;
        size_t s = x->key & (slots - 1);
        while (used[s] && tab[s].key != x->key)
            s = (s + 1) & (slots - 1);
        if (!used[s]) { /* duplicates: the first copy */
            used[s] = true;
            tab[s] = (probe_ent_t){x->key, x->ts};
            have++;
        }
    }
    reader_close(&r);
    size_t found = 0;
    if (have && reader_open(&r, &pt[1], err, sizeof err) == 0) {
        while (found < enough && reader_next(&r, nat, &ah)) {
            if (x->local == LOCAL_NOT_IP)
                continue;
            size_t s = x->key & (slots - 1);
            while (used[s] && tab[s].key != x->key)
                s = (s + 1) & (slots - 1);
            if (used[s] && tab[s].ts != INT64_MIN) {
                d[found++] = x->ts - tab[s].ts;
                tab[s].ts = INT64_MIN; /* matched once */
            }
        }
        reader_close(&r);
    }
    free(tab), free(used);
    return found;
}

bool cm_probe(const char *path_a, const char *path_b, bool nat, size_t n, ts_ns_t *align)
{
    enum { ENOUGH = 1024 };
    int64_t *d = xcalloc(ENOUGH, sizeof *d);
    size_t k = probe_one(path_a, path_b, nat, n, ENOUGH, d);
    bool swapped = false;
    if (k == 0) {
        k = probe_one(path_b, path_a, nat, n, ENOUGH, d);
        swapped = true;
    }
    if (k) {
        xqsort(d, k, sizeof *d, cmp_i64);
        *align = swapped ? -d[k / 2] : d[k / 2];
    }
    free(d);
    return k > 0;
}
