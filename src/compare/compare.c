/* compare.c — two vantage points of the same traffic; see compare.h. */
#include "compare.h"

#include "capture/capture.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "decode/decode.h"
#include "flow/tcpseries.h"
#include "out/fsutil.h"
#include "out/logfmt.h"
#include "report/report.h"
#include "charts.h"
#include "out/plot.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
/* Payload bytes hashed into the match key: enough to tell apart segments
 * with equal headers, few enough to survive a short snaplen. */
#define MATCH_PAYLOAD_BYTES 16
/* Time bins for the drift fit. */
#define DRIFT_BINS 10

enum { SIDE_UNKNOWN, SIDE_A, SIDE_B };
enum { DIR_AB, DIR_BA };

typedef struct cpkt {
    uint64_t key;
    ts_ns_t ts;
    uint64_t frame;
    uint32_t next;   /* hash chain (A only) */
    uint32_t match;  /* index in the other capture, or NONE */
    uint32_t flow;
    uint32_t src, dst; /* address table indices */
    uint32_t seq, ack;
    uint32_t len;
    uint16_t ip_id;
    uint8_t ttl;
    uint8_t tcp_flags;
    uint8_t proto;
    uint8_t dir;
    bool ranged;     /* matched by byte range (TSO/GRO), not one to one */
} cpkt_t;

typedef struct flow {
    ipaddr_t a, b;       /* as first seen: a = sender of the first packet */
    uint16_t ap, bp;
    uint8_t proto;
    uint32_t first_src;  /* address index of the first sender */
    uint64_t first_frame_a, first_frame_b;
} flow_t;

typedef struct side_data {
    const char *path;
    char *name;
    char sha256[65];
    cpkt_t *v;
    size_t n, cap;
    uint64_t packets;    /* all frames */
    bool damaged;
    int ts_digits;
} side_data_t;

typedef struct addr_entry {
    ipaddr_t ip;
    int votes; /* > 0: on A's side, < 0: on B's side */
    uint8_t side;
} addr_entry_t;

typedef struct tables {
    addr_entry_t *addrs;
    size_t naddrs, capaddrs;
    uint32_t *addr_idx; /* open addressing over addrs */
    size_t addr_slots;
    flow_t *flows;
    size_t nflows, capflows;
    uint32_t *flow_idx;
    size_t flow_slots;
} tables_t;

/* ---- small hash tables (open addressing, grow at 50 %) ---- */

static uint64_t addr_hash(const ipaddr_t *ip) { return hash_fnv1a(ip->a, 16, ip->family); }

static uint32_t addr_id(tables_t *t, const ipaddr_t *ip)
{
    if (t->naddrs * 2 >= t->addr_slots) {
        size_t ns = t->addr_slots ? t->addr_slots * 2 : 1024;
        uint32_t *idx = xmalloc(ns * sizeof *idx);
        memset(idx, 0xFF, ns * sizeof *idx);
        for (size_t i = 0; i < t->naddrs; i++) {
            size_t s = addr_hash(&t->addrs[i].ip) & (ns - 1);
            while (idx[s] != NONE)
                s = (s + 1) & (ns - 1);
            idx[s] = (uint32_t)i;
        }
        free(t->addr_idx);
        t->addr_idx = idx;
        t->addr_slots = ns;
    }
    size_t s = addr_hash(ip) & (t->addr_slots - 1);
    while (t->addr_idx[s] != NONE) {
        if (ipaddr_eq(&t->addrs[t->addr_idx[s]].ip, ip))
            return t->addr_idx[s];
        s = (s + 1) & (t->addr_slots - 1);
    }
    if (t->naddrs == t->capaddrs) {
        t->capaddrs = t->capaddrs ? t->capaddrs * 2 : 256;
        t->addrs = xreallocarray(t->addrs, t->capaddrs, sizeof *t->addrs);
    }
    memset(&t->addrs[t->naddrs], 0, sizeof t->addrs[0]);
    t->addrs[t->naddrs].ip = *ip;
    t->addr_idx[s] = (uint32_t)t->naddrs;
    return (uint32_t)t->naddrs++;
}

static uint64_t flow_hash(const packet_t *p)
{
    /* direction-independent */
    uint64_t h1 = hash_fnv1a(p->src.a, 16, 0) ^ hash_fnv1a(&p->sport, 2, 0);
    uint64_t h2 = hash_fnv1a(p->dst.a, 16, 0) ^ hash_fnv1a(&p->dport, 2, 0);
    return (h1 + h2) * 31 + p->proto;
}

static bool flow_eq(const flow_t *f, const packet_t *p)
{
    if (f->proto != p->proto)
        return false;
    return (ipaddr_eq(&f->a, &p->src) && ipaddr_eq(&f->b, &p->dst) && f->ap == p->sport &&
            f->bp == p->dport) ||
           (ipaddr_eq(&f->a, &p->dst) && ipaddr_eq(&f->b, &p->src) && f->ap == p->dport &&
            f->bp == p->sport);
}

static uint64_t flow_hash_stored(const flow_t *f)
{
    packet_t p;
    memset(&p, 0, sizeof p);
    p.src = f->a, p.dst = f->b, p.sport = f->ap, p.dport = f->bp, p.proto = f->proto;
    return flow_hash(&p);
}

static uint32_t flow_id(tables_t *t, const packet_t *p, uint32_t src)
{
    if (t->nflows * 2 >= t->flow_slots) {
        size_t ns = t->flow_slots ? t->flow_slots * 2 : 1024;
        uint32_t *idx = xmalloc(ns * sizeof *idx);
        memset(idx, 0xFF, ns * sizeof *idx);
        for (size_t i = 0; i < t->nflows; i++) {
            size_t s = flow_hash_stored(&t->flows[i]) & (ns - 1);
            while (idx[s] != NONE)
                s = (s + 1) & (ns - 1);
            idx[s] = (uint32_t)i;
        }
        free(t->flow_idx);
        t->flow_idx = idx;
        t->flow_slots = ns;
    }
    size_t s = flow_hash(p) & (t->flow_slots - 1);
    while (t->flow_idx[s] != NONE) {
        if (flow_eq(&t->flows[t->flow_idx[s]], p))
            return t->flow_idx[s];
        s = (s + 1) & (t->flow_slots - 1);
    }
    if (t->nflows == t->capflows) {
        t->capflows = t->capflows ? t->capflows * 2 : 256;
        t->flows = xreallocarray(t->flows, t->capflows, sizeof *t->flows);
    }
    flow_t *f = &t->flows[t->nflows];
    memset(f, 0, sizeof *f);
    f->a = p->src, f->b = p->dst, f->ap = p->sport, f->bp = p->dport, f->proto = p->proto;
    f->first_src = src;
    t->flow_idx[s] = (uint32_t)t->nflows;
    return (uint32_t)t->nflows++;
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

static int load(side_data_t *s, tables_t *t, bool nat, int which)
{
    char err[256];
    capture_t *c = capture_open(s->path, err, sizeof err);
    if (!c) {
        fprintf(stderr, "pcapcase: %s: %s\n", s->path, err);
        return 3;
    }
    damage_t dmg = {0};
    decoder_t dec;
    decoder_init(&dec, &dmg);
    capture_pkt_t cp;
    packet_t p;
    int rc;
    while ((rc = capture_next(c, &cp)) == 1) {
        s->packets++;
        if (!decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &p))
            continue;
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 4096;
            s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
        }
        cpkt_t *x = &s->v[s->n++];
        memset(x, 0, sizeof *x);
        x->key = match_key(&p, nat);
        x->ts = cp.ts;
        x->frame = cp.frame;
        x->next = x->match = NONE;
        x->src = addr_id(t, &p.src);
        x->dst = addr_id(t, &p.dst);
        x->flow = flow_id(t, &p, x->src);
        flow_t *f = &t->flows[x->flow];
        if (which == 0 && !f->first_frame_a)
            f->first_frame_a = cp.frame;
        if (which == 1 && !f->first_frame_b)
            f->first_frame_b = cp.frame;
        x->seq = p.seq;
        x->ack = p.ack;
        x->len = p.payload_wire;
        x->ip_id = p.ip_id;
        x->ttl = p.ttl;
        x->tcp_flags = p.tcp_flags;
        x->proto = p.proto;
    }
    s->damaged = rc < 0;
    s->ts_digits = capture_ts_digits(c);
    uint8_t sha[32];
    capture_sha256(c, sha);
    for (int i = 0; i < 32; i++)
        sprintf(s->sha256 + 2 * i, "%02x", sha[i]);
    if (s->damaged)
        fprintf(stderr, "pcapcase: %s: damaged input: %s\n", s->path,
                capture_damage(c)->n ? capture_damage(c)->v[0].reason : "unreadable tail");
    decoder_free(&dec);
    damage_free(&dmg);
    capture_close(c);
    return s->damaged ? 1 : 0;
}

/* ---- matching ---- */

static void match_all(side_data_t *a, side_data_t *b)
{
    size_t slots = 1024;
    while (slots < a->n * 2)
        slots *= 2;
    uint32_t *head = xmalloc(slots * sizeof *head);
    memset(head, 0xFF, slots * sizeof *head);
    /* push in reverse so each chain lists A's packets in capture order */
    for (size_t i = a->n; i-- > 0;) {
        size_t s = a->v[i].key & (slots - 1);
        a->v[i].next = head[s];
        head[s] = (uint32_t)i;
    }
    for (size_t j = 0; j < b->n; j++) {
        cpkt_t *q = &b->v[j];
        for (uint32_t i = head[q->key & (slots - 1)]; i != NONE; i = a->v[i].next) {
            if (a->v[i].key == q->key && a->v[i].match == NONE) {
                a->v[i].match = (uint32_t)j;
                q->match = i;
                break;
            }
        }
    }
    free(head);
}

/* ---- TSO/GRO: one segment at one point, several at the other ----
 *
 * A sender's capture sees the large segments it hands to a NIC that splits
 * them (TSO); a receiver's capture sees segments the NIC merged (GRO).  After
 * one-to-one matching, each unmatched data segment is tried against unmatched
 * segments of the other point in the same connection and direction, with the
 * same ACK, that tile its byte range exactly: starting at its sequence number,
 * each starting where the previous ended, adding up to its length. */

#define RANGE_MAX_PIECES 64

typedef struct rseg {
    uint32_t idx;    /* index in its side's packets */
    uint32_t next;   /* hash chain */
    uint64_t key;    /* side, connection, direction, sequence */
} rseg_t;

static uint64_t range_key(int side, uint32_t flow, bool fwd, uint32_t seq)
{
    uint64_t parts[2] = {(uint64_t)side << 33 | (uint64_t)fwd << 32 | flow, seq};
    return hash_fnv1a(parts, sizeof parts, 0);
}

/* Is p sent by the endpoint that spoke first in its flow? */
static bool from_first_sender(const tables_t *t, const cpkt_t *p)
{
    return ipaddr_eq(&t->addrs[p->src].ip, &t->flows[p->flow].a);
}

static size_t match_ranges(side_data_t *a, side_data_t *b, const tables_t *t)
{
    side_data_t *sd[2] = {a, b};
    /* B's connections named by A's: the same under plain routing, mapped
     * through matched packets under NAT */
    uint32_t *b2a = xmalloc((t->nflows ? t->nflows : 1) * sizeof *b2a);
    memset(b2a, 0xFF, (t->nflows ? t->nflows : 1) * sizeof *b2a);
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].match != NONE && b2a[b->v[a->v[i].match].flow] == NONE)
            b2a[b->v[a->v[i].match].flow] = a->v[i].flow;
    size_t total = 0;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sd[s]->n; i++)
            total += sd[s]->v[i].match == NONE && sd[s]->v[i].proto == IPPROTO_TCP &&
                     sd[s]->v[i].len > 0;
    size_t slots = 1024, made = 0;
    while (slots < total * 2)
        slots *= 2;
    uint32_t *head = xmalloc(slots * sizeof *head);
    memset(head, 0xFF, slots * sizeof *head);
    rseg_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    uint32_t *flow_of[2] = {xcalloc(a->n + 1, sizeof(uint32_t)), xcalloc(b->n + 1, sizeof(uint32_t))};
    for (int s = 0; s < 2; s++)
        for (size_t i = sd[s]->n; i-- > 0;) { /* chains in capture order */
            const cpkt_t *p = &sd[s]->v[i];
            uint32_t f = s == 0 || b2a[p->flow] == NONE ? p->flow : b2a[p->flow];
            flow_of[s][i] = f;
            if (p->match != NONE || p->proto != IPPROTO_TCP || !p->len || f == NONE)
                continue;
            v[n] = (rseg_t){(uint32_t)i, NONE, range_key(s, f, from_first_sender(t, p), p->seq)};
            v[n].next = head[v[n].key & (slots - 1)];
            head[v[n].key & (slots - 1)] = (uint32_t)n;
            n++;
        }
    uint32_t pieces[RANGE_MAX_PIECES];
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sd[s]->n; i++) {
            cpkt_t *big = &sd[s]->v[i];
            uint32_t f = flow_of[s][i];
            if (big->match != NONE || big->proto != IPPROTO_TCP || big->len < 2 || f == NONE)
                continue;
            bool fwd = from_first_sender(t, big);
            side_data_t *o = sd[1 - s];
            uint32_t pos = big->seq, left = big->len;
            size_t np = 0;
            while (left && np < RANGE_MAX_PIECES) {
                uint64_t k = range_key(1 - s, f, fwd, pos);
                uint32_t found = NONE;
                for (uint32_t e = head[k & (slots - 1)]; e != NONE && found == NONE; e = v[e].next) {
                    const cpkt_t *q = &o->v[v[e].idx];
                    if (v[e].key == k && q->match == NONE && q->seq == pos && q->len < big->len &&
                        q->len <= left && q->ack == big->ack)
                        found = v[e].idx;
                }
                if (found == NONE)
                    break;
                pieces[np++] = found;
                pos += o->v[found].len;
                left -= o->v[found].len;
            }
            if (left || np < 2)
                continue;
            big->match = pieces[0];
            big->ranged = true;
            for (size_t k = 0; k < np; k++) {
                o->v[pieces[k]].match = (uint32_t)i;
                o->v[pieces[k]].ranged = true;
            }
            made++;
        }
    free(flow_of[0]), free(flow_of[1]);
    free(v), free(head), free(b2a);
    return made;
}

/* Hosts on each side: TTL only decreases along the path. */
static void assign_sides(side_data_t *a, side_data_t *b, tables_t *t)
{
    for (size_t i = 0; i < a->n; i++) {
        const cpkt_t *p = &a->v[i];
        if (p->match == NONE)
            continue;
        uint8_t ttl_b = b->v[p->match].ttl;
        if (p->ttl > ttl_b)
            t->addrs[p->src].votes++;
        else if (p->ttl < ttl_b)
            t->addrs[p->src].votes--;
    }
    for (size_t i = 0; i < t->naddrs; i++)
        t->addrs[i].side = t->addrs[i].votes > 0 ? SIDE_A : t->addrs[i].votes < 0 ? SIDE_B
                                                                                 : SIDE_UNKNOWN;
    /* fallback: the host that spoke first in a flow is the client, on A's side */
    for (size_t f = 0; f < t->nflows; f++) {
        addr_entry_t *first = &t->addrs[t->flows[f].first_src];
        if (first->side == SIDE_UNKNOWN)
            first->side = SIDE_A;
    }
    for (size_t f = 0; f < t->nflows; f++) {
        uint32_t other = addr_id(t, ipaddr_eq(&t->flows[f].a, &t->addrs[t->flows[f].first_src].ip)
                                        ? &t->flows[f].b
                                        : &t->flows[f].a);
        if (t->addrs[other].side == SIDE_UNKNOWN)
            t->addrs[other].side = t->addrs[t->flows[f].first_src].side == SIDE_A ? SIDE_B
                                                                                    : SIDE_A;
    }
}

/* ---- statistics ---- */

typedef struct dstats {
    uint64_t sent, matched, lost, only_far;
    uint64_t retrans, retrans_lost_between, retrans_lost_beyond;
    uint64_t ranged;   /* of matched: by byte range (TSO/GRO) */
    double *raw; /* raw one-way delays (B clock − A clock for A→B) */
    size_t nraw, capraw;
} dstats_t;

typedef struct result {
    dstats_t dir[2];
    double offset, uncertainty, drift_ppm;
    bool offset_known, drift_known;
    /* the TCP flow with most packets matched, read again at both points */
    tcp_series_t win[2]; /* [0] at A, [1] at B */
    bool win_known;
} result_t;

static void add_delay(dstats_t *d, double v)
{
    if (d->nraw == d->capraw) {
        d->capraw = d->capraw ? d->capraw * 2 : 256;
        d->raw = xreallocarray(d->raw, d->capraw, sizeof *d->raw);
    }
    d->raw[d->nraw++] = v;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double min_of(const double *v, size_t n)
{
    double m = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

static uint8_t dir_of(const tables_t *t, const cpkt_t *p)
{
    return t->addrs[p->src].side == SIDE_B ? DIR_BA : DIR_AB;
}

/* Retransmissions at the first point: a TCP data segment whose (flow, seq,
 * len) was seen before.  If the earlier copy reached the far point, the loss
 * that caused the retransmission happened beyond the two points (or the ACK
 * was lost); otherwise between them. */
static void count_retransmissions(side_data_t *s, int dir, const tables_t *t, dstats_t *d)
{
    size_t slots = 1024;
    while (slots < s->n * 2)
        slots *= 2;
    uint32_t *tab = xmalloc(slots * sizeof *tab);
    memset(tab, 0xFF, slots * sizeof *tab);
    for (size_t i = 0; i < s->n; i++) {
        cpkt_t *p = &s->v[i];
        if (p->proto != IPPROTO_TCP || p->len == 0 || dir_of(t, p) != dir)
            continue;
        uint32_t k[3] = {p->flow, p->seq, p->len};
        size_t h = hash_fnv1a(k, sizeof k, 0) & (slots - 1);
        for (;;) {
            uint32_t e = tab[h];
            if (e == NONE) {
                tab[h] = (uint32_t)i;
                break;
            }
            const cpkt_t *o = &s->v[e];
            if (o->flow == p->flow && o->seq == p->seq && o->len == p->len) {
                d->retrans++;
                if (o->match != NONE)
                    d->retrans_lost_beyond++;
                else
                    d->retrans_lost_between++;
                break;
            }
            h = (h + 1) & (slots - 1);
        }
    }
    free(tab);
}

/* One packet into the per-direction figures.  sent_dir is the direction
 * whose first point this capture is (A for A->B, B for B->A); other is the
 * other capture, where a match was seen (so the delay is other's time minus
 * this one's either way). */
static void tally_pkt(const side_data_t *other, const tables_t *t, cpkt_t *p, result_t *r,
                      int sent_dir)
{
    p->dir = dir_of(t, p);
    if (p->dir == sent_dir) {
        dstats_t *d = &r->dir[sent_dir];
        d->sent++;
        if (p->match != NONE) {
            d->matched++;
            d->ranged += p->ranged;
            add_delay(d, (double)(other->v[p->match].ts - p->ts) / 1e9);
        } else {
            d->lost++;
        }
    } else if (p->match == NONE) {
        r->dir[sent_dir == DIR_AB ? DIR_BA : DIR_AB].only_far++;
    }
}

static void tally(side_data_t *a, side_data_t *b, const tables_t *t, result_t *r)
{
    for (size_t i = 0; i < a->n; i++)
        tally_pkt(b, t, &a->v[i], r, DIR_AB);
    for (size_t j = 0; j < b->n; j++)
        tally_pkt(a, t, &b->v[j], r, DIR_BA);
}

/* Packet indices of one side grouped by flow, in capture order: the packets
 * of flow f are idx[start[f] .. start[f + 1]). */
static void by_flow(const side_data_t *s, size_t nflows, uint32_t **idx, size_t **start)
{
    size_t *st = xcalloc(nflows + 1, sizeof *st);
    for (size_t i = 0; i < s->n; i++)
        st[s->v[i].flow + 1]++;
    for (size_t f = 0; f < nflows; f++)
        st[f + 1] += st[f];
    uint32_t *v = xcalloc(s->n ? s->n : 1, sizeof *v);
    size_t *fill = xcalloc(nflows ? nflows : 1, sizeof *fill);
    for (size_t i = 0; i < s->n; i++) {
        uint32_t f = s->v[i].flow;
        v[st[f] + fill[f]++] = (uint32_t)i;
    }
    free(fill);
    *idx = v;
    *start = st;
}

/* Offset B−A: with symmetric minimum delays, min(raw AB) = dmin + θ and
 * min(raw BA) = dmin − θ. */
static void estimate_offset(result_t *r)
{
    dstats_t *ab = &r->dir[DIR_AB], *ba = &r->dir[DIR_BA];
    if (!ab->nraw || !ba->nraw)
        return;
    double mab = min_of(ab->raw, ab->nraw), mba = min_of(ba->raw, ba->nraw);
    r->offset = (mab - mba) / 2;
    r->uncertainty = fabs(mab + mba) / 2;
    r->offset_known = true;
}

/* Drift: the offset estimated in DRIFT_BINS slices of A's time, fitted by
 * least squares; parts per million.  Over short captures queueing delay
 * swamps any real drift (a few ppm), so it is only estimated over at least
 * DRIFT_MIN_SPAN of capture time. */
#define DRIFT_MIN_SPAN (60 * NS_PER_SEC)
static void estimate_drift(side_data_t *a, side_data_t *b, result_t *r)
{
    if (!r->offset_known || a->n < 2)
        return;
    ts_ns_t t0 = a->v[0].ts, t1 = a->v[a->n - 1].ts;
    if (t1 - t0 < DRIFT_MIN_SPAN)
        return;
    r->drift_known = true;
    double mab[DRIFT_BINS], mba[DRIFT_BINS];
    for (int i = 0; i < DRIFT_BINS; i++)
        mab[i] = mba[i] = INFINITY;
    for (size_t i = 0; i < a->n; i++) {
        const cpkt_t *p = &a->v[i];
        if (p->match == NONE)
            continue;
        int bin = (int)((double)(p->ts - t0) / (double)(t1 - t0 + 1) * DRIFT_BINS);
        double raw = (double)(b->v[p->match].ts - p->ts) / 1e9;
        if (p->dir == DIR_AB && raw < mab[bin])
            mab[bin] = raw;
        if (p->dir == DIR_BA && -raw < mba[bin])
            mba[bin] = -raw;
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < DRIFT_BINS; i++) {
        if (!isfinite(mab[i]) || !isfinite(mba[i]))
            continue;
        double x = (i + 0.5) * (double)(t1 - t0) / 1e9 / DRIFT_BINS, y = (mab[i] - mba[i]) / 2;
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    if (n >= 3 && n * sxx - sx * sx > 0)
        r->drift_ppm = (n * sxy - sx * sy) / (n * sxx - sx * sx) * 1e6;
}

/* ---- output ---- */

static void delay_json(jsonw_t *w, dstats_t *d, double correction)
{
    jw_key(w, "one_way_delay");
    if (!d->nraw) {
        jw_null(w);
        return;
    }
    double *v = xmalloc(d->nraw * sizeof *v);
    for (size_t i = 0; i < d->nraw; i++)
        v[i] = d->raw[i] - correction;
    xqsort(v, d->nraw, sizeof *v, cmp_double);
    jw_obj_begin(w);
    jw_kv_double(w, "min", v[0], 9);
    jw_kv_double(w, "median", v[d->nraw / 2], 9);
    jw_kv_double(w, "p95", v[(size_t)((double)(d->nraw - 1) * 0.95)], 9);
    jw_kv_double(w, "max", v[d->nraw - 1], 9);
    jw_kv_uint(w, "samples", d->nraw);
    jw_obj_end(w);
    free(v);
}

static void dir_json(jsonw_t *w, const char *key, dstats_t *d, double correction)
{
    jw_key(w, key);
    jw_obj_begin(w);
    jw_kv_uint(w, "sent_past_first_point", d->sent);
    jw_kv_uint(w, "matched", d->matched);
    jw_kv_uint(w, "matched_by_byte_range", d->ranged);
    jw_kv_uint(w, "lost_between_points", d->lost);
    jw_kv_uint(w, "only_at_far_point", d->only_far);
    jw_kv_double(w, "loss_rate", d->sent ? (double)d->lost / (double)d->sent : 0, 6);
    jw_kv_uint(w, "tcp_retransmissions", d->retrans);
    jw_kv_uint(w, "retransmissions_lost_between_points", d->retrans_lost_between);
    jw_kv_uint(w, "retransmissions_lost_beyond_points", d->retrans_lost_beyond);
    delay_json(w, d, correction);
    jw_obj_end(w);
}

static void free_result(result_t *r)
{
    free(r->dir[0].raw);
    free(r->dir[1].raw);
    tcpseries_free(&r->win[0]);
    tcpseries_free(&r->win[1]);
}

/* Pick the TCP flow with most packets seen at both points and collect its
 * segments (windows scaled as the endpoints agreed) from each capture. */
static void window_at_both_points(side_data_t *a, side_data_t *b, tables_t *t, result_t *r)
{
    uint32_t *cnt = xcalloc(t->nflows ? t->nflows : 1, sizeof *cnt);
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].match != NONE && a->v[i].proto == IPPROTO_TCP)
            cnt[a->v[i].flow]++;
    size_t best = NONE;
    for (size_t f = 0; f < t->nflows; f++) /* most matched; the first flow on a tie */
        if (cnt[f] && (best == NONE || cnt[f] > cnt[best]))
            best = f;
    if (best == NONE) {
        free(cnt);
        return;
    }
    /* each point's view of the flow: its first and last packet there */
    side_data_t *sd[2] = {a, b};
    uint32_t flow_at[2] = {(uint32_t)best, NONE};
    uint64_t first[2] = {UINT64_MAX, UINT64_MAX}, last[2] = {0, 0};
    for (size_t i = 0; i < a->n && flow_at[1] == NONE; i++)
        if (a->v[i].flow == best && a->v[i].match != NONE)
            flow_at[1] = b->v[a->v[i].match].flow; /* differs from A's under NAT */
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sd[s]->n; i++)
            if (sd[s]->v[i].flow == flow_at[s]) {
                first[s] = sd[s]->v[i].frame < first[s] ? sd[s]->v[i].frame : first[s];
                last[s] = sd[s]->v[i].frame > last[s] ? sd[s]->v[i].frame : last[s];
            }
    free(cnt);
    for (int s = 0; s < 2; s++) {
        const flow_t *f = &t->flows[flow_at[s]];
        tcp_series_t *w = &r->win[s];
        w->orig = f->a, w->resp = f->b, w->orig_p = f->ap, w->resp_p = f->bp;
        w->first_frame = first[s], w->last_frame = last[s];
        char err[256];
        if (tcpseries_collect(sd[s]->path, w, 1, err, sizeof err) != 0)
            return;
    }
    r->win_known = true;
}

/* The smallest and the last window each endpoint advertised, at one point. */
static void window_json(jsonw_t *w, const tcp_series_t *s, bool fwd)
{
    uint64_t lo = UINT64_MAX, lastw = 0, n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->s[i].fwd == fwd) {
            lo = s->s[i].win < lo ? s->s[i].win : lo;
            lastw = s->s[i].win;
            n++;
        }
    jw_obj_begin(w);
    jw_kv_uint(w, "segments", n);
    if (n) {
        jw_kv_uint(w, "min_window", lo);
        jw_kv_uint(w, "last_window", lastw);
    }
    jw_obj_end(w);
}

static int write_flows(const char *dir, side_data_t *a, side_data_t *b, tables_t *t,
                       const result_t *whole)
{
    char *p = xasprintf("%s/logs/flows.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    buf_t row = BUF_INIT;
    uint32_t *ia, *ib;
    size_t *sa, *sb;
    by_flow(a, t->nflows, &ia, &sa);
    by_flow(b, t->nflows, &ib, &sb);
    for (uint32_t f = 0; f < t->nflows; f++) {
        result_t r;
        memset(&r, 0, sizeof r);
        for (size_t k = sa[f]; k < sa[f + 1]; k++)
            tally_pkt(b, t, &a->v[ia[k]], &r, DIR_AB);
        for (size_t k = sb[f]; k < sb[f + 1]; k++)
            tally_pkt(a, t, &b->v[ib[k]], &r, DIR_BA);
        const flow_t *fl = &t->flows[f];
        /* orient the flow as A-side host -> B-side host */
        bool swap = t->addrs[addr_id(t, &fl->a)].side == SIDE_B;
        jsonw_t w;
        buf_clear(&row);
        jw_init(&w, &row, false);
        jw_obj_begin(&w);
        char s[IPADDR_STRLEN];
        jw_kv_str(&w, "a_host", ipaddr_str(swap ? &fl->b : &fl->a, s));
        jw_kv_uint(&w, "a_port", swap ? fl->bp : fl->ap);
        jw_kv_str(&w, "b_host", ipaddr_str(swap ? &fl->a : &fl->b, s));
        jw_kv_uint(&w, "b_port", swap ? fl->ap : fl->bp);
        jw_kv_str(&w, "proto", fl->proto == IPPROTO_TCP ? "tcp" : fl->proto == IPPROTO_UDP ? "udp"
                                                                                           : "other");
        bool at_a = fl->first_frame_a != 0, at_b = fl->first_frame_b != 0;
        jw_kv_str(&w, "seen_at", at_a && at_b ? "both" : at_a ? "a_only" : "b_only");
        if (at_a)
            jw_kv_uint(&w, "first_frame_a", fl->first_frame_a);
        if (at_b)
            jw_kv_uint(&w, "first_frame_b", fl->first_frame_b);
        dir_json(&w, "a_to_b", &r.dir[DIR_AB], whole->offset_known ? whole->offset : 0);
        dir_json(&w, "b_to_a", &r.dir[DIR_BA], whole->offset_known ? -whole->offset : 0);
        jw_obj_end(&w);
        buf_append_byte(&row, '\n');
        fwrite(row.data, 1, row.len, af.f);
        free_result(&r);
    }
    free(ia), free(ib), free(sa), free(sb);
    buf_free(&row);
    return atomic_commit(&af);
}

static void unmatched_row(buf_t *row, const char *label, const side_data_t *s, const cpkt_t *p,
                          const tables_t *t, const char *kind)
{
    jsonw_t w;
    jw_init(&w, row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", p->ts, s->ts_digits);
    jw_kv_str(&w, "file", s->name);
    jw_kv_str(&w, "point", label);
    jw_kv_uint(&w, "frame", p->frame);
    jw_kv_str(&w, "kind", kind);
    jw_kv_str(&w, "direction", p->dir == DIR_AB ? "a_to_b" : "b_to_a");
    char ip[IPADDR_STRLEN];
    jw_kv_str(&w, "src", ipaddr_str(&t->addrs[p->src].ip, ip));
    jw_kv_str(&w, "dst", ipaddr_str(&t->addrs[p->dst].ip, ip));
    jw_kv_uint(&w, "ip_proto", p->proto);
    jw_kv_uint(&w, "ip_id", p->ip_id);
    if (p->proto == IPPROTO_TCP) {
        jw_kv_uint(&w, "seq", p->seq);
        jw_kv_uint(&w, "tcp_flags", p->tcp_flags);
    }
    jw_kv_uint(&w, "len", p->len);
    jw_obj_end(&w);
    buf_append_byte(row, '\n');
}

static int write_unmatched(const char *dir, const compare_opts_t *o, side_data_t *a,
                           side_data_t *b, const tables_t *t)
{
    char *p = xasprintf("%s/logs/unmatched.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    buf_t row = BUF_INIT;
    /* in time order of the point where each packet was seen */
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        bool take_a = j >= b->n || (i < a->n && a->v[i].ts <= b->v[j].ts);
        const cpkt_t *x = take_a ? &a->v[i++] : &b->v[j++];
        if (x->match != NONE)
            continue;
        bool first_point = take_a ? x->dir == DIR_AB : x->dir == DIR_BA;
        buf_clear(&row);
        unmatched_row(&row, take_a ? o->label_a : o->label_b, take_a ? a : b, x, t,
                      first_point ? "lost_between_points" : "only_at_far_point");
        fwrite(row.data, 1, row.len, af.f);
    }
    buf_free(&row);
    return atomic_commit(&af);
}

static int write_summary(const char *dir, const compare_opts_t *o, side_data_t *a,
                         side_data_t *b, tables_t *t, result_t *r)
{
    buf_t out = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &out, true);
    jw_obj_begin(&w);
    jw_key(&w, "tool");
    jw_obj_begin(&w);
    jw_kv_str(&w, "name", "pcapcase");
    jw_kv_str(&w, "version", PCAPCASE_VERSION);
    jw_obj_end(&w);
    jw_key(&w, "command_line");
    jw_arr_begin(&w);
    for (int i = 0; i < o->argc; i++)
        jw_str(&w, o->argv[i]);
    jw_arr_end(&w);
    side_data_t *sides[2] = {a, b};
    const char *labels[2] = {o->label_a, o->label_b};
    for (int i = 0; i < 2; i++) {
        jw_key(&w, i == 0 ? "a" : "b");
        jw_obj_begin(&w);
        jw_kv_str(&w, "label", labels[i]);
        jw_kv_str(&w, "path", sides[i]->path);
        jw_kv_str(&w, "name", sides[i]->name);
        jw_kv_str(&w, "sha256", sides[i]->sha256);
        jw_kv_uint(&w, "packets", sides[i]->packets);
        jw_kv_uint(&w, "ip_packets", sides[i]->n);
        jw_kv_bool(&w, "damaged", sides[i]->damaged);
        jw_obj_end(&w);
    }
    jw_key(&w, "clock_offset_b_minus_a");
    if (r->offset_known) {
        jw_obj_begin(&w);
        jw_kv_double(&w, "seconds", r->offset, 9);
        jw_kv_double(&w, "uncertainty", r->uncertainty, 9);
        jw_key(&w, "drift_ppm");
        if (r->drift_known)
            jw_double(&w, r->drift_ppm, 3);
        else
            jw_null(&w); /* capture shorter than DRIFT_MIN_SPAN */
        jw_kv_str(&w, "method", "half the difference of the minimum one-way delays");
        jw_obj_end(&w);
    } else {
        jw_null(&w);
    }
    dir_json(&w, "a_to_b", &r->dir[DIR_AB], r->offset_known ? r->offset : 0);
    dir_json(&w, "b_to_a", &r->dir[DIR_BA], r->offset_known ? -r->offset : 0);
    uint64_t only_a = 0, only_b = 0;
    for (size_t f = 0; f < t->nflows; f++) {
        only_a += t->flows[f].first_frame_a && !t->flows[f].first_frame_b;
        only_b += !t->flows[f].first_frame_a && t->flows[f].first_frame_b;
    }
    jw_key(&w, "flows");
    jw_obj_begin(&w);
    jw_kv_uint(&w, "total", t->nflows);
    jw_kv_uint(&w, "seen_only_at_a", only_a);
    jw_kv_uint(&w, "seen_only_at_b", only_b);
    jw_obj_end(&w);
    jw_key(&w, "window_at_both_points");
    if (r->win_known) {
        jw_obj_begin(&w);
        char x[IPADDR_STRLEN], y[IPADDR_STRLEN];
        char *fl = xasprintf("%s:%u - %s:%u (as seen at A)", ipaddr_str(&r->win[0].orig, x),
                             r->win[0].orig_p, ipaddr_str(&r->win[0].resp, y), r->win[0].resp_p);
        jw_kv_str(&w, "flow", fl);
        free(fl);
        jw_kv_bool(&w, "scaled_at_a", r->win[0].scaled);
        jw_kv_bool(&w, "scaled_at_b", r->win[1].scaled);
        static const char *const keys[2][2] = {{"first_sender_at_a", "other_at_a"},
                                               {"first_sender_at_b", "other_at_b"}};
        for (int s = 0; s < 2; s++)
            for (int e = 0; e < 2; e++) {
                jw_key(&w, keys[s][e]);
                window_json(&w, &r->win[s], e == 0);
            }
        jw_obj_end(&w);
    } else {
        jw_null(&w);
    }
    jw_key(&w, "hosts");
    jw_obj_begin(&w);
    for (int side = SIDE_A; side <= SIDE_B; side++) {
        jw_key(&w, side == SIDE_A ? "a_side" : "b_side");
        jw_arr_begin(&w);
        for (size_t i = 0; i < t->naddrs; i++)
            if (t->addrs[i].side == side) {
                char s[IPADDR_STRLEN];
                jw_str(&w, ipaddr_str(&t->addrs[i].ip, s));
            }
        jw_arr_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    buf_append_byte(&out, '\n');
    char *p = xasprintf("%s/compare.json", dir);
    int rc = atomic_write(p, out.data, out.len);
    free(p);
    buf_free(&out);
    return rc;
}

/* The receive window each endpoint of the busiest matched TCP flow
 * advertised, as seen at A and at B (B's clock moved back by the offset):
 * a middlebox that rewrites windows or strips window scaling shows as two
 * lines that part. */
static int window_chart(const char *cdir, const result_t *r, const compare_opts_t *o)
{
    chart_t *c = chart_new(CHART_STEP, "Receive window at both points");
    plot_axis(c, true, "Time at A", PLOT_TIME, false);
    plot_axis(c, false, "Window", PLOT_BYTES, false);
    chart_set_empty_note(c, "No TCP connection was seen at both points");
    double *x[4] = {0}, *y[4] = {0};
    if (r->win_known) {
        char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
        char *sub = xasprintf("%s:%u and %s:%u; where the path left the window alone, the lines "
                              "at A and B lie on each other", ipaddr_str(&r->win[0].orig, a),
                              r->win[0].orig_p, ipaddr_str(&r->win[0].resp, b),
                              r->win[0].resp_p);
        chart_set_subtitle(c, sub);
        free(sub);
        double shift = r->offset_known ? r->offset : 0;
        for (int e = 0; e < 2; e++)
            for (int s = 0; s < 2; s++) {
                const tcp_series_t *w = &r->win[s];
                int k = e * 2 + s;
                x[k] = xcalloc(w->n + 1, sizeof(double));
                y[k] = xcalloc(w->n + 1, sizeof(double));
                size_t n = 0;
                for (size_t i = 0; i < w->n; i++)
                    if (w->s[i].fwd == (e == 0)) {
                        x[k][n] = (double)w->s[i].ts / 1e9 - (s ? shift : 0);
                        y[k][n++] = (double)w->s[i].win;
                    }
                char *name = xasprintf("%s:%u at %s", ipaddr_str(e ? &w->resp : &w->orig, a),
                                       e ? w->resp_p : w->orig_p, s ? o->label_b : o->label_a);
                chart_add_series(c, name, x[k], y[k], n);
                free(name);
            }
    }
    char err[256];
    int rc = plot_save(c, cdir, "window_both_points", err, sizeof err);
    chart_free(c);
    for (int k = 0; k < 4; k++)
        free(x[k]), free(y[k]);
    return rc;
}

/* One-way delay over time per direction, and losses over time. */
static int write_charts(const char *dir, side_data_t *a, side_data_t *b, const result_t *r,
                        const compare_opts_t *o)
{
    char *cdir = xasprintf("%s/charts", dir);
    int rc = mkdir_p(cdir, 0755);
    double *x[2], *y[2];
    size_t n[2] = {0, 0};
    for (int d = 0; d < 2; d++) {
        x[d] = xcalloc(a->n + b->n + 1, sizeof *x[d]);
        y[d] = xcalloc(a->n + b->n + 1, sizeof *y[d]);
    }
    double corr = r->offset_known ? r->offset : 0;
    for (size_t i = 0; i < a->n; i++) {
        const cpkt_t *p = &a->v[i];
        if (p->match == NONE)
            continue;
        int d = p->dir == DIR_AB ? 0 : 1;
        double raw = (double)(b->v[p->match].ts - p->ts) / 1e9;
        x[d][n[d]] = (double)p->ts / 1e9;
        y[d][n[d]++] = d == 0 ? raw - corr : -raw + corr;
    }
    chart_t *c = chart_new(CHART_SCATTER, "One-way delay between the two points");
    char *sub = xasprintf("%s -> %s and back, clock offset %s", o->label_a, o->label_b,
                          r->offset_known ? "corrected" : "unknown (uncorrected)");
    chart_set_subtitle(c, sub);
    plot_axis(c, true, "Time at A", PLOT_TIME, false);
    plot_axis(c, false, "Delay", PLOT_SECONDS, false);
    chart_add_series(c, "A to B", x[0], y[0], n[0]);
    chart_add_series(c, "B to A", x[1], y[1], n[1]);
    chart_set_empty_note(c, "No packet was seen at both points");
    char err[256];
    if (rc == 0 && plot_save(c, cdir, "one_way_delay", err, sizeof err) != 0)
        rc = -1;
    chart_free(c), free(sub);
    /* losses over A's time: B's clock is moved back by the estimated offset */
    ts_ns_t t0 = a->n ? a->v[0].ts : 0, t1 = a->n ? a->v[a->n - 1].ts : 0;
    ts_ns_t shift = r->offset_known ? (ts_ns_t)(r->offset * 1e9) : 0;
    double bin = plot_time_step((double)(t1 - t0) / 1e9, 100);
    size_t nb = (size_t)((double)(t1 - t0) / 1e9 / bin) + 1;
    double *bx = xcalloc(nb, sizeof *bx), *loss[2] = {xcalloc(nb, sizeof(double)),
                                                      xcalloc(nb, sizeof(double))};
    for (size_t i = 0; i < nb; i++)
        bx[i] = (double)t0 / 1e9 + bin * (double)i;
    for (int s = 0; s < 2; s++) {
        side_data_t *sd = s ? b : a;
        for (size_t i = 0; i < sd->n; i++) {
            const cpkt_t *p = &sd->v[i];
            bool first_point = s == 0 ? p->dir == DIR_AB : p->dir == DIR_BA;
            ts_ns_t t = s ? p->ts - shift : p->ts;
            if (p->match != NONE || !first_point || t < t0)
                continue;
            size_t k = (size_t)((double)(t - t0) / 1e9 / bin);
            if (k < nb)
                loss[s][k]++;
        }
    }
    c = chart_new(CHART_STEP, "Packets lost between the points");
    plot_axis(c, true, "Time at A", PLOT_TIME, false);
    plot_axis(c, false, "Lost packets per bin", PLOT_PLAIN, false);
    chart_add_series(c, "A to B", bx, loss[0], nb);
    chart_add_series(c, "B to A", bx, loss[1], nb);
    if (rc == 0 && plot_save(c, cdir, "losses", err, sizeof err) != 0)
        rc = -1;
    chart_free(c);
    free(bx), free(loss[0]), free(loss[1]);
    if (rc == 0 && window_chart(cdir, r, o) != 0)
        rc = -1;
    for (int d = 0; d < 2; d++)
        free(x[d]), free(y[d]);
    free(cdir);
    return rc;
}

int compare_run(const char *pa, const char *pb, const compare_opts_t *o)
{
    side_data_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.path = pa, b.path = pb;
    char *da = xstrdup(pa), *db = xstrdup(pb);
    a.name = xstrdup(basename(da));
    b.name = xstrdup(basename(db));
    free(da), free(db);
    tables_t t;
    memset(&t, 0, sizeof t);
    int ra = load(&a, &t, o->nat, 0), rb = ra == 3 ? 3 : load(&b, &t, o->nat, 1);
    int status = (ra == 3 || rb == 3) ? 3 : (ra || rb) ? 1 : 0;
    if (status != 3) {
        match_all(&a, &b);
        match_ranges(&a, &b, &t);
        assign_sides(&a, &b, &t);
        result_t r;
        memset(&r, 0, sizeof r);
        tally(&a, &b, &t, &r);
        estimate_offset(&r);
        estimate_drift(&a, &b, &r);
        count_retransmissions(&a, DIR_AB, &t, &r.dir[DIR_AB]);
        count_retransmissions(&b, DIR_BA, &t, &r.dir[DIR_BA]);
        window_at_both_points(&a, &b, &t, &r);
        char *logs = xasprintf("%s/logs", o->out_dir);
        if (mkdir_p(logs, 0755) != 0 || write_summary(o->out_dir, o, &a, &b, &t, &r) != 0 ||
            write_flows(o->out_dir, &a, &b, &t, &r) != 0 ||
            write_unmatched(o->out_dir, o, &a, &b, &t) != 0 ||
            write_charts(o->out_dir, &a, &b, &r, o) != 0) {
            fprintf(stderr, "pcapcase: %s: cannot write results: %s\n", o->out_dir,
                    strerror(errno));
            status = 3;
        }
        free(logs);
        free_result(&r);
        char err[512];
        if (status != 3 && (report_compare_html_write(o->out_dir, err, sizeof err) != 0 ||
                            report_compare_xlsx_write(o->out_dir, err, sizeof err) != 0)) {
            fprintf(stderr, "pcapcase: %s\n", err);
            status = 3;
        }
    }
    free(a.v), free(b.v), free(a.name), free(b.name);
    free(t.addrs), free(t.addr_idx), free(t.flows), free(t.flow_idx);
    return status;
}
