/* compare.c — two vantage points of the same traffic; see compare.h.
 *
 * Three reads of each capture, none of which keeps it in memory: a probe of
 * the first packets guesses the clock offset to read the captures in step
 * (cm_probe); pass 1 matches within the window and learns which side of the
 * path each host is on and the minimum delays (so the clock offset); pass 2
 * matches again, identically, and computes every figure with the offset
 * known — counts, delay quantiles, drift, retransmissions, charts and the
 * unmatched packets. */
#include "compare.h"

#include "cmatch.h"
#include "delaysum.h"

#include "core/jsonw.h"
#include "core/phases.h"
#include "core/xalloc.h"
#include "flow/tcpseries.h"
#include "core/fsutil.h"
#include "core/logfmt.h"
#include "report/report.h"
#include "charts.h"
#include "write/plot.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE CM_NONE
#define NONE64 CM_NONE64
/* Time bins for the drift fit. */
#define DRIFT_BINS 10
/* Delays kept exactly per direction of the whole comparison and of one
 * connection; past that, a histogram (delaysum.h). */
#define DELAYS_EXACT_WHOLE (1u << 20)
#define DELAYS_EXACT_FLOW 2048u
/* Packets whose keys the probe reads from the start of a capture. */
#define PROBE_PACKETS 100000
/* The most packets one point holds while they wait for their copies. */
#define MAX_PENDING (2u << 20)
/* Delay chart: every point up to this many per direction, then a thinned
 * sample in time columns (with each column's extremes). */
#define CHART_ALL_POINTS 100000
#define CHART_COLS 1000
#define CHART_PER_COL 64

enum { SIDE_UNKNOWN, SIDE_A, SIDE_B };
enum { DIR_AB, DIR_BA };

typedef struct addr_info {
    int votes; /* > 0: on A's side, < 0: on B's side */
    uint8_t side;
    double min_at_a; /* least (B time - A time) of its packets matched, seen first at A */
    double min_at_b; /* least (A time - B time), seen first at B */
} addr_info_t;

typedef struct flow_info {
    uint64_t first_frame[2], last_frame[2];
    uint32_t matched_tcp; /* packets at A matched (window chart) */
    uint32_t flow_at_b;   /* B's numbering of the connection (differs under NAT) */
} flow_info_t;

typedef struct dstats {
    uint64_t sent, matched, lost, only_far;
    uint64_t retrans, retrans_lost_between, retrans_lost_beyond;
    uint64_t ranged;  /* of matched: by byte range (TSO/GRO) */
    delaysum_t delay; /* one-way delays, corrected by the clock offset */
} dstats_t;

typedef struct fstats {
    dstats_t dir[2];
} fstats_t;

/* A TCP data segment at the point it passes first, remembered for
 * RETX_HORIZON to recognise its retransmissions. */
typedef struct retx_ent {
    uint32_t flow, seq, len;
    uint8_t state;    /* RX_PENDING until the segment is matched or given up */
    uint32_t waiting; /* retransmissions seen while it was pending */
    ts_ns_t ts;
    uint64_t next; /* chain */
} retx_ent_t;
enum { RX_PENDING, RX_ARRIVED, RX_LOST };

typedef struct retx_tab {
    retx_ent_t *v;
    size_t cap;
    uint64_t head, tail;
    uint64_t *chain;
    size_t slots;
} retx_tab_t;

/* A thinned scatter series (see CHART_*). */
typedef struct ptseries {
    double *x, *y;
    size_t n, cap;
    bool binned;
    double x0, span;
    double *cx, *cy;                 /* CHART_COLS * CHART_PER_COL */
    uint32_t *cn, *ccount, *cstride; /* kept, seen, keep every cstride-th */
    double *lox, *loy, *hix, *hiy;   /* each column's extremes */
} ptseries_t;

typedef struct result {
    dstats_t dir[2];
    double offset, uncertainty, drift_ppm;
    bool offset_known, drift_known;
    /* the TCP flow with most packets matched, read again at both points */
    tcp_series_t win[2]; /* [0] at A, [1] at B */
    bool win_known;
} result_t;

typedef struct ctx {
    const compare_opts_t *o;
    cm_point_t pt[2];
    char *name[2]; /* file names of the captures, without folders */
    cm_tables_t t;
    addr_info_t *ai;
    size_t nai;
    flow_info_t *fi;
    size_t nfi;
    ts_ns_t t0, t1; /* earliest and latest IP packet at A */
    bool have_t;
    ts_ns_t align;
    bool align_found;
    cm_stats_t st;
    /* pass 2 */
    result_t r;
    fstats_t **fs; /* per connection while it lasts */
    size_t nfs;
    FILE *flow_rows; /* rows of ended connections */
    double drift_ab[DRIFT_BINS], drift_ba[DRIFT_BINS];
    ptseries_t delay_pts[2];
    double *loss[2];
    size_t nloss;
    double loss_bin;
    retx_tab_t retx[2];
    ts_ns_t retx_horizon;
    FILE *um[2]; /* unmatched rows of each point, in its order */
    buf_t row;
} ctx_t;

/* A connection quiet this long at both points ends (a later packet with
 * the same addresses and ports starts a new row): Zeek's TCP inactivity
 * timeout, and always well past the matching window. */
static ts_ns_t flow_idle(ts_ns_t window)
{
    ts_ns_t zeek = 300 * NS_PER_SEC;
    return 3 * window > zeek ? 3 * window : zeek;
}

/* ---- growing per-address and per-flow arrays with the tables ---- */

static void grow_info(ctx_t *c)
{
    size_t had = c->nai;
    if (c->t.naddrs)
        c->ai = xgrow_to(c->ai, &c->nai, c->t.naddrs - 1, sizeof *c->ai, 0);
    for (size_t i = had; i < c->nai; i++)
        c->ai[i] = (addr_info_t){0, SIDE_UNKNOWN, INFINITY, INFINITY};
    had = c->nfi;
    if (c->t.nflows)
        c->fi = xgrow_to(c->fi, &c->nfi, c->t.nflows - 1, sizeof *c->fi, 0);
    for (size_t i = had; i < c->nfi; i++)
        c->fi[i].flow_at_b = NONE;
}

static double delay_s(const cm_rec_t *from, const cm_rec_t *to)
{
    return (double)(to->ts - from->ts) / 1e9;
}

/* ---- pass 1: sides and minimum delays ---- */

static void p1_arrive(void *vc, cm_rec_t *r)
{
    ctx_t *c = vc;
    grow_info(c);
    flow_info_t *f = &c->fi[r->flow];
    if (!f->first_frame[r->side])
        f->first_frame[r->side] = r->frame;
    f->last_frame[r->side] = r->frame;
    if (r->side == 0) { /* A's time span (timestamps can go backwards) */
        if (!c->have_t)
            c->t0 = c->t1 = r->ts, c->have_t = true;
        c->t0 = r->ts < c->t0 ? r->ts : c->t0;
        c->t1 = r->ts > c->t1 ? r->ts : c->t1;
    }
}

static void p1_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged)
{
    (void)ranged;
    ctx_t *c = vc;
    if (!partner)
        return;
    addr_info_t *a = &c->ai[r->src];
    double d = delay_s(r, partner);
    if (r->side == 0) {
        /* TTL only decreases along the path */
        a->votes += r->ttl > partner->ttl ? 1 : r->ttl < partner->ttl ? -1 : 0;
        a->min_at_a = d < a->min_at_a ? d : a->min_at_a;
        if (r->proto == IPPROTO_TCP) {
            c->fi[r->flow].matched_tcp++;
            if (c->fi[r->flow].flow_at_b == NONE)
                c->fi[r->flow].flow_at_b = partner->flow;
        }
    } else {
        a->min_at_b = d < a->min_at_b ? d : a->min_at_b;
    }
}

/* Hosts on each side: TTL votes, else the host that spoke first in a flow
 * is the client, on A's side. */
static void assign_sides(ctx_t *c)
{
    cm_tables_t *t = &c->t;
    for (size_t i = 0; i < t->naddrs; i++)
        c->ai[i].side = c->ai[i].votes > 0 ? SIDE_A : c->ai[i].votes < 0 ? SIDE_B : SIDE_UNKNOWN;
    for (size_t f = 0; f < t->nflows; f++) {
        addr_info_t *first = &c->ai[t->flows[f].first_src];
        if (first->side == SIDE_UNKNOWN)
            first->side = SIDE_A;
    }
    for (size_t f = 0; f < t->nflows; f++) {
        const cm_flow_t *fl = &t->flows[f];
        uint32_t other = cm_addr_id(t, &fl->b); /* a is the first sender */
        if (c->ai[other].side == SIDE_UNKNOWN)
            c->ai[other].side = c->ai[fl->first_src].side == SIDE_A ? SIDE_B : SIDE_A;
    }
}

static uint8_t dir_of(const ctx_t *c, const cm_rec_t *r)
{
    return c->ai[r->src].side == SIDE_B ? DIR_BA : DIR_AB;
}

/* Offset B−A: with symmetric minimum delays, min(raw AB) = dmin + θ and
 * min(raw BA) = dmin − θ. */
static void estimate_offset(ctx_t *c)
{
    double mab = INFINITY, mba = INFINITY;
    for (size_t i = 0; i < c->t.naddrs; i++) {
        if (c->ai[i].side == SIDE_B)
            mba = c->ai[i].min_at_b < mba ? c->ai[i].min_at_b : mba;
        else
            mab = c->ai[i].min_at_a < mab ? c->ai[i].min_at_a : mab;
    }
    if (!isfinite(mab) || !isfinite(mba))
        return;
    c->r.offset = (mab - mba) / 2;
    c->r.uncertainty = fabs(mab + mba) / 2;
    c->r.offset_known = true;
}

/* ---- pass 2: every figure ---- */

static void dstats_init(dstats_t *d, uint32_t exact)
{
    memset(d, 0, sizeof *d);
    ds_init(&d->delay, exact);
}

/* The figures of connection f, started on its first packet. */
static fstats_t *fstats_of(ctx_t *c, uint32_t f)
{
    c->fs = xgrow_to(c->fs, &c->nfs, f, sizeof *c->fs, 0);
    if (!c->fs[f]) {
        c->fs[f] = xmalloc(sizeof *c->fs[f]);
        for (int d = 0; d < 2; d++)
            dstats_init(&c->fs[f]->dir[d], DELAYS_EXACT_FLOW);
    }
    return c->fs[f];
}

static void pts_add_binned(ptseries_t *s, double x, double y)
{
    double rel = s->span > 0 ? (x - s->x0) / s->span : 0;
    size_t k = rel <= 0 ? 0 : rel >= 1 ? CHART_COLS - 1 : (size_t)(rel * CHART_COLS);
    if (s->ccount[k] == 0 || y < s->loy[k])
        s->lox[k] = x, s->loy[k] = y;
    if (s->ccount[k] == 0 || y > s->hiy[k])
        s->hix[k] = x, s->hiy[k] = y;
    uint32_t seen = s->ccount[k]++;
    if (seen % s->cstride[k])
        return;
    double *cx = s->cx + k * CHART_PER_COL, *cy = s->cy + k * CHART_PER_COL;
    if (s->cn[k] == CHART_PER_COL) { /* keep every other one, and half as many from now on */
        for (uint32_t i = 0; i < CHART_PER_COL / 2; i++)
            cx[i] = cx[2 * i], cy[i] = cy[2 * i];
        s->cn[k] = CHART_PER_COL / 2;
        s->cstride[k] *= 2;
        if (seen % s->cstride[k])
            return;
    }
    cx[s->cn[k]] = x;
    cy[s->cn[k]++] = y;
}

static void pts_add(ptseries_t *s, double x, double y)
{
    if (s->binned) {
        pts_add_binned(s, x, y);
        return;
    }
    if (s->n < CHART_ALL_POINTS) {
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 1024;
            s->x = xreallocarray(s->x, s->cap, sizeof *s->x);
            s->y = xreallocarray(s->y, s->cap, sizeof *s->y);
        }
        s->x[s->n] = x, s->y[s->n++] = y;
        return;
    }
    s->binned = true;
    s->cx = xcalloc((size_t)CHART_COLS * CHART_PER_COL, sizeof(double));
    s->cy = xcalloc((size_t)CHART_COLS * CHART_PER_COL, sizeof(double));
    s->cn = xcalloc(CHART_COLS, sizeof(uint32_t));
    s->ccount = xcalloc(CHART_COLS, sizeof(uint32_t));
    s->cstride = xcalloc(CHART_COLS, sizeof(uint32_t));
    for (size_t k = 0; k < CHART_COLS; k++)
        s->cstride[k] = 1;
    s->lox = xcalloc(CHART_COLS, sizeof(double));
    s->loy = xcalloc(CHART_COLS, sizeof(double));
    s->hix = xcalloc(CHART_COLS, sizeof(double));
    s->hiy = xcalloc(CHART_COLS, sizeof(double));
    for (size_t i = 0; i < s->n; i++)
        pts_add_binned(s, s->x[i], s->y[i]);
    pts_add_binned(s, x, y);
    s->n = 0;
}

/* The points to draw (binned: each column's sample and its extremes). */
static void pts_finish(ptseries_t *s)
{
    if (!s->binned)
        return;
    size_t n = 0;
    for (size_t k = 0; k < CHART_COLS; k++)
        n += s->cn[k] + (s->ccount[k] ? 2 : 0);
    free(s->x), free(s->y);
    s->x = xcalloc(n + 1, sizeof *s->x);
    s->y = xcalloc(n + 1, sizeof *s->y);
    s->n = 0;
    for (size_t k = 0; k < CHART_COLS; k++) {
        if (!s->ccount[k])
            continue;
        s->x[s->n] = s->lox[k], s->y[s->n++] = s->loy[k];
        for (uint32_t i = 0; i < s->cn[k]; i++)
            s->x[s->n] = s->cx[k * CHART_PER_COL + i], s->y[s->n++] = s->cy[k * CHART_PER_COL + i];
        s->x[s->n] = s->hix[k], s->y[s->n++] = s->hiy[k];
    }
}

static void pts_free(ptseries_t *s)
{
    free(s->x), free(s->y), free(s->cx), free(s->cy), free(s->cn), free(s->ccount);
    free(s->cstride), free(s->lox), free(s->loy), free(s->hix), free(s->hiy);
}

static retx_ent_t *retx_at(retx_tab_t *x, uint64_t id)
{
    return &x->v[id & (x->cap - 1)];
}

static size_t retx_slot(const retx_tab_t *x, uint32_t flow, uint32_t seq, uint32_t len)
{
    uint32_t k[3] = {flow, seq, len};
    return hash_fnv1a(k, sizeof k, 0) & (x->slots - 1);
}

static void retx_rechain(retx_tab_t *x, size_t slots)
{
    free(x->chain);
    x->chain = xmalloc(slots * sizeof *x->chain);
    memset(x->chain, 0xFF, slots * sizeof *x->chain);
    x->slots = slots;
    for (uint64_t id = x->head; id < x->tail; id++) {
        retx_ent_t *e = retx_at(x, id);
        size_t s = retx_slot(x, e->flow, e->seq, e->len);
        e->next = x->chain[s];
        x->chain[s] = id;
    }
}

/* Settle a remembered segment: the retransmissions seen while it waited are
 * counted as lost between or beyond the points. */
static void retx_settle(ctx_t *c, int side, uint64_t id, bool arrived)
{
    retx_tab_t *x = &c->retx[side];
    if (id == NONE64 || id < x->head)
        return;
    retx_ent_t *e = retx_at(x, id);
    e->state = arrived ? RX_ARRIVED : RX_LOST;
    int d = side == 0 ? DIR_AB : DIR_BA;
    dstats_t *ds[2] = {&c->r.dir[d], &fstats_of(c, e->flow)->dir[d]};
    for (int k = 0; k < 2; k++)
        *(arrived ? &ds[k]->retrans_lost_beyond : &ds[k]->retrans_lost_between) += e->waiting;
    e->waiting = 0;
}

/* Forget settled segments older than the horizon (from the oldest). */
static void retx_forget(retx_tab_t *x, ts_ns_t now, ts_ns_t horizon)
{
    while (x->head < x->tail) {
        retx_ent_t *e = retx_at(x, x->head);
        if (e->state == RX_PENDING || e->ts + horizon >= now)
            break;
        size_t s = retx_slot(x, e->flow, e->seq, e->len);
        uint64_t *link = &x->chain[s];
        while (*link != x->head)
            link = &retx_at(x, *link)->next;
        *link = e->next;
        x->head++;
    }
}

/* Retransmissions at the first point: a TCP data segment whose (flow, seq,
 * len) was seen before (within the horizon).  If the earlier copy reached
 * the far point, the loss that caused the retransmission happened beyond the
 * two points (or the ACK was lost); otherwise between them. */
static void retx_arrive(ctx_t *c, cm_rec_t *r)
{
    int side = r->side;
    retx_tab_t *x = &c->retx[side];
    retx_forget(x, r->ts, c->retx_horizon);
    size_t s = retx_slot(x, r->flow, r->seq, r->len);
    for (uint64_t id = x->chain[s]; id != NONE64; id = retx_at(x, id)->next) {
        retx_ent_t *e = retx_at(x, id);
        if (e->flow != r->flow || e->seq != r->seq || e->len != r->len)
            continue;
        int d = side == 0 ? DIR_AB : DIR_BA;
        dstats_t *ds[2] = {&c->r.dir[d], &fstats_of(c, r->flow)->dir[d]};
        for (int k = 0; k < 2; k++) {
            ds[k]->retrans++;
            if (e->state == RX_ARRIVED)
                ds[k]->retrans_lost_beyond++;
            else if (e->state == RX_LOST)
                ds[k]->retrans_lost_between++;
        }
        if (e->state == RX_PENDING)
            e->waiting++;
        return;
    }
    if (x->tail - x->head == x->cap)
        x->v = cm_ring_grow(x->v, &x->cap, sizeof *x->v, x->head, x->tail);
    if ((x->tail - x->head + 1) * 2 > x->slots) {
        size_t ns = x->slots ? x->slots * 2 : 4096;
        retx_rechain(x, ns);
        s = retx_slot(x, r->flow, r->seq, r->len);
    }
    uint64_t id = x->tail++;
    retx_ent_t *e = retx_at(x, id);
    *e = (retx_ent_t){r->flow, r->seq, r->len, RX_PENDING, 0, r->ts, x->chain[s]};
    x->chain[s] = id;
    r->aux = id;
}

static void p2_arrive(void *vc, cm_rec_t *r)
{
    ctx_t *c = vc;
    grow_info(c);
    fstats_of(c, r->flow);
    bool first_point = r->side == 0 ? dir_of(c, r) == DIR_AB : dir_of(c, r) == DIR_BA;
    if (first_point && r->proto == IPPROTO_TCP && r->len > 0)
        retx_arrive(c, r);
}

static void unmatched_row(ctx_t *c, const cm_rec_t *p, uint8_t dir, const char *kind)
{
    const cm_tables_t *t = &c->t;
    buf_t *row = &c->row;
    buf_clear(row);
    jsonw_t w;
    jw_init(&w, row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", p->ts, c->pt[p->side].ts_digits);
    jw_kv_str(&w, "file", c->name[p->side]);
    jw_kv_str(&w, "point", p->side ? c->o->label_b : c->o->label_a);
    jw_kv_uint(&w, "frame", p->frame);
    jw_kv_str(&w, "kind", kind);
    jw_kv_str(&w, "direction", dir == DIR_AB ? "a_to_b" : "b_to_a");
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
    /* spooled with its time for the merge in time order (write_unmatched) */
    int64_t ts = p->ts;
    uint32_t len = (uint32_t)row->len;
    fwrite(&ts, sizeof ts, 1, c->um[p->side]);
    fwrite(&len, sizeof len, 1, c->um[p->side]);
    fwrite(row->data, 1, row->len, c->um[p->side]);
}

/* One packet into the per-direction figures of the whole comparison and of
 * its connection.  A packet at A counts for A->B if it goes that way (A is
 * then its first point), else for B->A only when unmatched (seen only at
 * the far point); the same mirrored at B. */
static void p2_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged)
{
    ctx_t *c = vc;
    uint8_t dir = dir_of(c, r), sent_dir = r->side == 0 ? DIR_AB : DIR_BA;
    dstats_t *ds[2] = {&c->r.dir[sent_dir], &fstats_of(c, r->flow)->dir[sent_dir]};
    if (dir == sent_dir) {
        retx_settle(c, r->side, r->aux, partner != NULL);
        double corr = c->r.offset_known ? (sent_dir == DIR_AB ? c->r.offset : -c->r.offset) : 0;
        for (int k = 0; k < 2; k++) {
            ds[k]->sent++;
            if (partner) {
                ds[k]->matched++;
                ds[k]->ranged += ranged;
                ds_add(&ds[k]->delay, delay_s(r, partner) - corr);
            } else {
                ds[k]->lost++;
            }
        }
        if (!partner) {
            unmatched_row(c, r, dir, "lost_between_points");
            /* losses over A's time: B's clock moved back by the offset */
            ts_ns_t shift = c->r.offset_known ? (ts_ns_t)(c->r.offset * 1e9) : 0;
            ts_ns_t t = r->side ? r->ts - shift : r->ts;
            if (t >= c->t0) {
                size_t k = (size_t)((double)(t - c->t0) / 1e9 / c->loss_bin);
                if (k < c->nloss)
                    c->loss[r->side][k]++;
            }
        }
    } else if (!partner) {
        uint8_t other = sent_dir == DIR_AB ? DIR_BA : DIR_AB;
        c->r.dir[other].only_far++;
        fstats_of(c, r->flow)->dir[other].only_far++;
        unmatched_row(c, r, dir, "only_at_far_point");
    }
    if (r->side == 0 && partner) {
        double raw = delay_s(r, partner), corr = c->r.offset_known ? c->r.offset : 0;
        int d = dir == DIR_AB ? 0 : 1;
        pts_add(&c->delay_pts[d], (double)r->ts / 1e9, d == 0 ? raw - corr : -raw + corr);
        /* drift: the least delay each way in each slice of A's time */
        if (c->t1 > c->t0) {
            int bin = (int)((double)(r->ts - c->t0) / (double)(c->t1 - c->t0 + 1) * DRIFT_BINS);
            bin = bin < 0 ? 0 : bin >= DRIFT_BINS ? DRIFT_BINS - 1 : bin;
            if (dir == DIR_AB && raw < c->drift_ab[bin])
                c->drift_ab[bin] = raw;
            if (dir == DIR_BA && -raw < c->drift_ba[bin])
                c->drift_ba[bin] = -raw;
        }
    }
}

/* Drift: the offset estimated in DRIFT_BINS slices of A's time, fitted by
 * least squares; parts per million.  Over short captures queueing delay
 * swamps any real drift (a few ppm), so it is only estimated over at least
 * DRIFT_MIN_SPAN of capture time. */
#define DRIFT_MIN_SPAN (60 * NS_PER_SEC)
static void estimate_drift(ctx_t *c)
{
    if (!c->r.offset_known || c->t1 - c->t0 < DRIFT_MIN_SPAN)
        return;
    c->r.drift_known = true;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < DRIFT_BINS; i++) {
        if (!isfinite(c->drift_ab[i]) || !isfinite(c->drift_ba[i]))
            continue;
        double x = (i + 0.5) * (double)(c->t1 - c->t0) / 1e9 / DRIFT_BINS,
               y = (c->drift_ab[i] - c->drift_ba[i]) / 2;
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    if (n >= 3 && n * sxx - sx * sx > 0)
        c->r.drift_ppm = (n * sxy - sx * sy) / (n * sxx - sx * sx) * 1e6;
}

/* ---- output ---- */

static void delay_json(jsonw_t *w, delaysum_t *d)
{
    jw_key(w, "one_way_delay");
    if (!d->n) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_kv_double(w, "min", d->min, 9);
    jw_kv_double(w, "median", ds_rank(d, d->n / 2), 9);
    jw_kv_double(w, "p95", ds_rank(d, (uint64_t)((double)(d->n - 1) * 0.95)), 9);
    jw_kv_double(w, "max", d->max, 9);
    jw_kv_uint(w, "samples", d->n);
    if (!ds_is_exact(d))
        jw_kv_str(w, "quantiles", "histogram, within 0.1 %");
    jw_obj_end(w);
}

static void dir_json(jsonw_t *w, const char *key, dstats_t *d)
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
    delay_json(w, &d->delay);
    jw_obj_end(w);
}

/* Pick the TCP flow with most packets seen at both points and collect its
 * segments (windows scaled as the endpoints agreed) from each capture. */
static void window_at_both_points(ctx_t *c)
{
    size_t best = NONE;
    for (size_t f = 0; f < c->t.nflows; f++) /* most matched; the first flow on a tie */
        if (c->fi[f].matched_tcp &&
            (best == NONE || c->fi[f].matched_tcp > c->fi[best].matched_tcp))
            best = f;
    if (best == NONE)
        return;
    /* each point's view of the flow: its first and last packet there */
    uint32_t flow_at[2] = {(uint32_t)best, c->fi[best].flow_at_b};
    for (int s = 0; s < 2; s++) {
        const cm_flow_t *f = &c->t.flows[flow_at[s]];
        tcp_series_t *w = &c->r.win[s];
        w->orig = f->a, w->resp = f->b, w->orig_p = f->ap, w->resp_p = f->bp;
        w->first_frame = c->fi[flow_at[s]].first_frame[s];
        w->last_frame = c->fi[flow_at[s]].last_frame[s];
        char err[256];
        if (tcpseries_collect(c->pt[s].path, w, 1, err, sizeof err) != 0)
            return;
    }
    c->r.win_known = true;
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

/* A connection has ended: its row goes to the spool, its figures are freed. */
static void p2_flow_end(void *vc, uint32_t f)
{
    ctx_t *c = vc;
    fstats_t *fs = fstats_of(c, f);
    const cm_flow_t *fl = &c->t.flows[f];
    /* orient the flow as A-side host -> B-side host */
    bool swap = c->ai[fl->first_src].side == SIDE_B;
    jsonw_t w;
    buf_t *row = &c->row;
    buf_clear(row);
    jw_init(&w, row, false);
    jw_obj_begin(&w);
    char s[IPADDR_STRLEN];
    jw_kv_str(&w, "a_host", ipaddr_str(swap ? &fl->b : &fl->a, s));
    jw_kv_uint(&w, "a_port", swap ? fl->bp : fl->ap);
    jw_kv_str(&w, "b_host", ipaddr_str(swap ? &fl->a : &fl->b, s));
    jw_kv_uint(&w, "b_port", swap ? fl->ap : fl->bp);
    jw_kv_str(&w, "proto",
              fl->proto == IPPROTO_TCP   ? "tcp"
              : fl->proto == IPPROTO_UDP ? "udp"
                                         : "other");
    bool at_a = c->fi[f].first_frame[0] != 0, at_b = c->fi[f].first_frame[1] != 0;
    jw_kv_str(&w, "seen_at", at_a && at_b ? "both" : at_a ? "a_only" : "b_only");
    if (at_a)
        jw_kv_uint(&w, "first_frame_a", c->fi[f].first_frame[0]);
    if (at_b)
        jw_kv_uint(&w, "first_frame_b", c->fi[f].first_frame[1]);
    dir_json(&w, "a_to_b", &fs->dir[DIR_AB]);
    dir_json(&w, "b_to_a", &fs->dir[DIR_BA]);
    jw_obj_end(&w);
    buf_append_byte(row, '\n');
    fwrite(row->data, 1, row->len, c->flow_rows);
    for (int d = 0; d < 2; d++)
        ds_free(&fs->dir[d].delay);
    free(fs);
    c->fs[f] = NULL;
}

/* flows.ndjson: one row per connection, in the order they ended. */
static int write_flows(const char *dir, ctx_t *c)
{
    char *p = xasprintf("%s/logs/flows.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    rewind(c->flow_rows);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, c->flow_rows)) > 0)
        fwrite(buf, 1, n, af.f);
    return atomic_commit(&af);
}

/* One spooled row: its time and text; false at the end. */
static bool spool_next(FILE *f, int64_t *ts, buf_t *row)
{
    uint32_t len;
    if (fread(ts, sizeof *ts, 1, f) != 1 || fread(&len, sizeof len, 1, f) != 1)
        return false;
    buf_clear(row);
    buf_reserve(row, len);
    if (fread(row->data, 1, len, f) != len)
        return false;
    row->len = len;
    return true;
}

/* unmatched.ndjson: the rows of both points merged in time order (each
 * point's own time), A first on a tie. */
static int write_unmatched(const char *dir, ctx_t *c)
{
    char *p = xasprintf("%s/logs/unmatched.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    buf_t row[2] = {BUF_INIT, BUF_INIT};
    int64_t ts[2];
    bool have[2];
    for (int s = 0; s < 2; s++) {
        rewind(c->um[s]);
        have[s] = spool_next(c->um[s], &ts[s], &row[s]);
    }
    while (have[0] || have[1]) {
        int s = !have[1] || (have[0] && ts[0] <= ts[1]) ? 0 : 1;
        fwrite(row[s].data, 1, row[s].len, af.f);
        have[s] = spool_next(c->um[s], &ts[s], &row[s]);
    }
    buf_free(&row[0]), buf_free(&row[1]);
    return atomic_commit(&af);
}

static int write_summary(const char *dir, ctx_t *c)
{
    const compare_opts_t *o = c->o;
    result_t *r = &c->r;
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
    const char *labels[2] = {o->label_a, o->label_b};
    for (int i = 0; i < 2; i++) {
        const cm_point_t *pt = &c->pt[i];
        jw_key(&w, i == 0 ? "a" : "b");
        jw_obj_begin(&w);
        jw_kv_str(&w, "label", labels[i]);
        jw_kv_str(&w, "path", pt->path);
        jw_kv_str(&w, "name", c->name[i]);
        jw_kv_str(&w, "sha256", pt->sha256);
        jw_kv_uint(&w, "packets", pt->packets);
        jw_kv_uint(&w, "ip_packets", pt->ip_packets);
        jw_kv_bool(&w, "damaged", pt->damaged);
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
    jw_key(&w, "matching");
    jw_obj_begin(&w);
    jw_kv_double(&w, "window_seconds", (double)o->window / 1e9, 3);
    jw_key(&w, "alignment_seconds");
    if (c->align_found)
        jw_double(&w, (double)c->align / 1e9, 6);
    else
        jw_null(&w); /* no packet of the probe was seen at both points */
    jw_kv_uint(&w, "peak_pending_a", c->st.peak_pending[0]);
    jw_kv_uint(&w, "peak_pending_b", c->st.peak_pending[1]);
    jw_kv_uint(&w, "max_pending", MAX_PENDING);
    jw_kv_uint(&w, "given_up_before_the_window", c->st.given_up_early);
    jw_obj_end(&w);
    dir_json(&w, "a_to_b", &r->dir[DIR_AB]);
    dir_json(&w, "b_to_a", &r->dir[DIR_BA]);
    uint64_t only_a = 0, only_b = 0;
    for (size_t f = 0; f < c->t.nflows; f++) {
        only_a += c->fi[f].first_frame[0] && !c->fi[f].first_frame[1];
        only_b += !c->fi[f].first_frame[0] && c->fi[f].first_frame[1];
    }
    jw_key(&w, "flows");
    jw_obj_begin(&w);
    jw_kv_uint(&w, "total", c->t.nflows);
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
        for (size_t i = 0; i < c->t.naddrs; i++)
            if (c->ai[i].side == side) {
                char s[IPADDR_STRLEN];
                jw_str(&w, ipaddr_str(&c->t.addrs[i].ip, s));
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
                              "at A and B lie on each other",
                              ipaddr_str(&r->win[0].orig, a), r->win[0].orig_p,
                              ipaddr_str(&r->win[0].resp, b), r->win[0].resp_p);
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
static int write_charts(const char *dir, ctx_t *c)
{
    const compare_opts_t *o = c->o;
    const result_t *r = &c->r;
    char *cdir = xasprintf("%s/charts", dir);
    int rc = mkdir_p(cdir, 0755);
    for (int d = 0; d < 2; d++)
        pts_finish(&c->delay_pts[d]);
    chart_t *ch = chart_new(CHART_SCATTER, "One-way delay between the two points");
    char *sub = xasprintf("%s -> %s and back, clock offset %s%s", o->label_a, o->label_b,
                          r->offset_known ? "corrected" : "unknown (uncorrected)",
                          c->delay_pts[0].binned || c->delay_pts[1].binned
                              ? "; a sample of the packets with each time slice's extremes"
                              : "");
    chart_set_subtitle(ch, sub);
    plot_axis(ch, true, "Time at A", PLOT_TIME, false);
    plot_axis(ch, false, "Delay", PLOT_SECONDS, false);
    chart_add_series(ch, "A to B", c->delay_pts[0].x, c->delay_pts[0].y, c->delay_pts[0].n);
    chart_add_series(ch, "B to A", c->delay_pts[1].x, c->delay_pts[1].y, c->delay_pts[1].n);
    chart_set_empty_note(ch, "No packet was seen at both points");
    char err[256];
    if (rc == 0 && plot_save(ch, cdir, "one_way_delay", err, sizeof err) != 0)
        rc = -1;
    chart_free(ch), free(sub);
    double *bx = xcalloc(c->nloss, sizeof *bx);
    for (size_t i = 0; i < c->nloss; i++)
        bx[i] = (double)c->t0 / 1e9 + c->loss_bin * (double)i;
    ch = chart_new(CHART_STEP, "Packets lost between the points");
    plot_axis(ch, true, "Time at A", PLOT_TIME, false);
    plot_axis(ch, false, "Lost packets per bin", PLOT_PLAIN, false);
    chart_add_series(ch, "A to B", bx, c->loss[0], c->nloss);
    chart_add_series(ch, "B to A", bx, c->loss[1], c->nloss);
    if (rc == 0 && plot_save(ch, cdir, "losses", err, sizeof err) != 0)
        rc = -1;
    chart_free(ch);
    free(bx);
    if (rc == 0 && window_chart(cdir, r, o) != 0)
        rc = -1;
    free(cdir);
    return rc;
}

static void ctx_free(ctx_t *c)
{
    for (int d = 0; d < 2; d++) {
        ds_free(&c->r.dir[d].delay);
        tcpseries_free(&c->r.win[d]);
        pts_free(&c->delay_pts[d]);
        free(c->loss[d]);
        free(c->retx[d].v), free(c->retx[d].chain);
        if (c->um[d])
            fclose(c->um[d]);
    }
    for (size_t f = 0; f < c->nfs; f++)
        if (c->fs[f]) {
            for (int d = 0; d < 2; d++)
                ds_free(&c->fs[f]->dir[d].delay);
            free(c->fs[f]);
        }
    if (c->flow_rows)
        fclose(c->flow_rows);
    free(c->fs), free(c->ai), free(c->fi), free(c->name[0]), free(c->name[1]);
    buf_free(&c->row);
    cm_tables_free(&c->t);
}

static void report_damage(const cm_point_t *pt)
{
    for (int s = 0; s < 2; s++)
        if (pt[s].damaged)
            fprintf(stderr, "pcapcase: %s: damaged input: %s\n", pt[s].path, pt[s].damage_reason);
}

/* A write failed: the first failure recorded (core/fsutil.h) in one line,
 * with the state the output folder is in. */
static int write_failed(const char *state)
{
    char msg[1024];
    if (!fs_first_failure(msg, sizeof msg))
        snprintf(msg, sizeof msg, "cannot write the comparison");
    fprintf(stderr, "pcapcase: %s (%s)\n", msg, state);
    return COMPARE_WRITE_FAILED;
}

/* Did writing a temporary spool (tmpfile(), in P_tmpdir) fail?  Recorded. */
static bool spools_failed(ctx_t *c)
{
    FILE *f[3] = {c->um[0], c->um[1], c->flow_rows};
    for (int i = 0; i < 3; i++)
        if (fflush(f[i]) != 0 || ferror(f[i])) {
            fs_note_failure(P_tmpdir, "write a temporary file in", errno ? errno : EIO);
            return true;
        }
    return false;
}

static const char incomplete_note[] =
    "pcapcase was interrupted or failed while writing this comparison;\n"
    "the files here may mix an earlier result with a partial one.\n"
    "Run the same pcapcase compare command again.\n";

/* Pass 2 set-up that needs pass 1's results. */
static int pass2_prepare(ctx_t *c)
{
    for (int d = 0; d < 2; d++) {
        dstats_init(&c->r.dir[d], DELAYS_EXACT_WHOLE);
        retx_rechain(&c->retx[d], 4096);
        c->um[d] = tmpfile();
        if (!c->um[d])
            return -1;
    }
    c->flow_rows = tmpfile();
    if (!c->flow_rows)
        return -1;
    for (int i = 0; i < DRIFT_BINS; i++)
        c->drift_ab[i] = c->drift_ba[i] = INFINITY;
    ts_ns_t t0 = c->have_t ? c->t0 : 0, t1 = c->have_t ? c->t1 : 0;
    c->t0 = t0, c->t1 = t1;
    c->loss_bin = plot_time_step((double)(t1 - t0) / 1e9, 100);
    c->nloss = (size_t)((double)(t1 - t0) / 1e9 / c->loss_bin) + 1;
    for (int d = 0; d < 2; d++) {
        c->loss[d] = xcalloc(c->nloss, sizeof(double));
        c->delay_pts[d].x0 = (double)t0 / 1e9;
        c->delay_pts[d].span = (double)(t1 - t0) / 1e9;
    }
    c->retx_horizon = 2 * c->o->window > 60 * NS_PER_SEC ? 2 * c->o->window : 60 * NS_PER_SEC;
    return 0;
}

int compare_run(const char *pa, const char *pb, const compare_opts_t *o)
{
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.o = o;
    phases_t ph = {0};
    phase(&ph, NULL);
    c.pt[0].path = pa, c.pt[1].path = pb;
    for (int s = 0; s < 2; s++) {
        char *dup = xstrdup(c.pt[s].path);
        c.name[s] = xstrdup(basename(dup));
        free(dup);
    }
    c.pt[0].hash = c.pt[1].hash = true;
    c.align_found = cm_probe(pa, pb, o->nat, PROBE_PACKETS, &c.align);
    phase(&ph, "probe");
    cm_opts_t mo = {o->nat, o->window, c.align_found ? c.align : 0, flow_idle(o->window),
                    MAX_PENDING};
    cm_hooks_t h1 = {&c, p1_arrive, p1_done, NULL};
    char err[512];
    int status = cm_run(c.pt, &c.t, &mo, &h1, &c.st, err, sizeof err);
    if (status == 3) {
        fprintf(stderr, "pcapcase: %s\n", err);
        ctx_free(&c);
        return 3;
    }
    phase(&ph, "pass1");
    report_damage(c.pt);
    grow_info(&c);
    assign_sides(&c);
    estimate_offset(&c);
    cm_tables_free(&c.t); /* pass 2 numbers everything again, the same way */
    if (pass2_prepare(&c) != 0) {
        fs_note_failure(P_tmpdir, "create a temporary file in", errno);
        ctx_free(&c);
        return write_failed("nothing written");
    }
    cm_point_t again[2] = {{.path = pa}, {.path = pb}};
    cm_hooks_t h2 = {&c, p2_arrive, p2_done, p2_flow_end};
    cm_stats_t st2;
    if (cm_run(again, &c.t, &mo, &h2, &st2, err, sizeof err) == 3) {
        fprintf(stderr, "pcapcase: %s\n", err); /* gone between the passes */
        ctx_free(&c);
        return 3;
    }
    phase(&ph, "pass2");
    if (c.st.given_up_early)
        fprintf(stderr,
                "pcapcase: warning: %llu packets were given up before the matching window "
                "passed (more than %u waiting at one point); they may be counted lost\n",
                (unsigned long long)c.st.given_up_early, MAX_PENDING);
    estimate_drift(&c);
    window_at_both_points(&c);
    char *logs = xasprintf("%s/logs", o->out_dir);
    if (spools_failed(&c) || mkdir_p(logs, 0755) != 0)
        status = write_failed("nothing written");
    else if (fs_mark_incomplete(o->out_dir, incomplete_note) != 0)
        status = write_failed("the folder was not changed");
    else if (write_summary(o->out_dir, &c) != 0 || write_flows(o->out_dir, &c) != 0 ||
             write_unmatched(o->out_dir, &c) != 0 || write_charts(o->out_dir, &c) != 0)
        status = write_failed("folder marked INCOMPLETE");
    free(logs);
    phase(&ph, "outputs");
    if (status != COMPARE_WRITE_FAILED &&
        (report_compare_html_write(o->out_dir, err, sizeof err) != 0 ||
         report_compare_xlsx_write(o->out_dir, err, sizeof err) != 0)) {
        fs_note_failure(o->out_dir, "write the reports in", EIO); /* unless one was noted */
        status = write_failed("folder marked INCOMPLETE");
    }
    if (status != COMPARE_WRITE_FAILED)
        fs_mark_complete(o->out_dir);
    phase(&ph, "reports");
    phases_print(&ph);
    ctx_free(&c);
    return status;
}
