/* figures.c — pass 2 of a comparison: with the sides and the clock offset
 * known, every matched or given-up packet goes into the figures of its
 * direction and connection and into the sink: connection rows as
 * connections end, unmatched packets as given up, delays as matched. */
#include "engine.h"

#include "core/xalloc.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void compare_dir_init(compare_dir_t *d, uint32_t exact)
{
    memset(d, 0, sizeof *d);
    ds_init(&d->delay, exact);
}

static void flow_free(compare_flow_t *f)
{
    for (int d = 0; d < 2; d++)
        ds_free(&f->dir[d].delay);
    free(f);
}

/* The figures of connection f, started on its first packet. */
compare_flow_t *figures_of_flow(engine_t *e, uint32_t f)
{
    e->fs = xgrow_to(e->fs, &e->nfs, f, sizeof *e->fs, 0);
    if (!e->fs[f]) {
        e->fs[f] = xcalloc(1, sizeof *e->fs[f]);
        for (int d = 0; d < 2; d++)
            compare_dir_init(&e->fs[f]->dir[d], DELAYS_EXACT_FLOW);
    }
    return e->fs[f];
}

/* Set-up that needs pass 1's results: A's time span and the offset. */
void figures_prepare(engine_t *e)
{
    compare_result_t *r = e->r;
    for (int d = 0; d < 2; d++)
        compare_dir_init(&r->dir[d], DELAYS_EXACT_WHOLE);
    retrans_init(e);
    clock_slices_init(e);
    if (!e->have_t)
        r->t0 = r->t1 = 0;
}

void figures_free(engine_t *e)
{
    for (size_t f = 0; f < e->nfs; f++)
        if (e->fs[f])
            flow_free(e->fs[f]);
    free(e->fs);
    retrans_free(e);
}

void figures_arrive(void *vc, cm_rec_t *r)
{
    engine_t *e = vc;
    engine_grow_info(e);
    if (r->flow == CM_NONE) /* not IP */
        return;
    figures_of_flow(e, r->flow);
    uint8_t dir = sides_dir_of(e, r);
    bool first_point = r->side == 0 ? dir == COMPARE_AB : dir == COMPARE_BA;
    if (first_point && r->proto == IPPROTO_TCP && r->len > 0)
        retrans_arrive(e, r);
}

static void unmatched(engine_t *e, const cm_rec_t *p, uint8_t dir, compare_unmatched_kind_t kind,
                      locality_t local)
{
    const cm_tables_t *t = &e->t;
    bool ip = p->flow != CM_NONE;
    compare_unmatched_t u = {.side = p->side,
                             .dir = dir,
                             .kind = kind,
                             .local = local,
                             .ts = p->ts,
                             .frame = p->frame,
                             .src = ip ? &t->addrs[p->src].ip : NULL,
                             .dst = ip ? &t->addrs[p->dst].ip : NULL,
                             .proto = p->proto,
                             .tcp_flags = p->tcp_flags,
                             .ip_id = p->ip_id,
                             .seq = p->seq,
                             .len = p->len};
    if (e->sink->unmatched && e->sink->unmatched(e->sink->ctx, e->r, &u) != 0)
        e->sink_failed = 1;
}

/* A packet at its first point: matched (with its delay) or lost. */
static void first_point(engine_t *e, cm_rec_t *r, const cm_rec_t *partner, bool ranged, uint8_t dir)
{
    compare_dir_t *ds[2] = {&e->r->dir[dir], &figures_of_flow(e, r->flow)->dir[dir]};
    retrans_settle(e, r->side, r->aux, partner ? SETTLE_ARRIVED : SETTLE_LOST);
    double delay = 0;
    if (partner) {
        const cm_rec_t *at_a = r->side == 0 ? r : partner, *at_b = r->side == 0 ? partner : r;
        delay = compare_delay(&e->r->clock, at_a->ts, at_b->ts, dir);
    }
    for (int i = 0; i < 2; i++) {
        ds[i]->sent++;
        if (partner) {
            ds[i]->matched++;
            ds[i]->ranged += ranged;
            ds_add(&ds[i]->delay, delay);
        } else {
            ds[i]->lost++;
        }
    }
    if (!partner)
        unmatched(e, r, dir, COMPARE_LOST, LOCAL_NO);
}

/* A matched packet at A: its delay, to the sink and the offset's slices. */
static void delay_point(engine_t *e, const cm_rec_t *r, const cm_rec_t *partner, uint8_t dir)
{
    compare_delay_t d = {dir, r->ts, compare_delay(&e->r->clock, r->ts, partner->ts, dir)};
    if (e->sink->delay)
        e->sink->delay(e->sink->ctx, e->r, &d);
    clock_slices_add(e, r, dir, (double)(partner->ts - r->ts) / 1e9);
}

/* Why r could not cross a router (LOCAL_NO: it could): from the packet,
 * or its destination is a subnet broadcast (learnt in pass 1). */
static locality_t locality_at(const engine_t *e, const cm_rec_t *r)
{
    if (r->local != LOCAL_NO)
        return (locality_t)r->local;
    return e->ai[r->dst].subnet_bcast ? LOCAL_BROADCAST : LOCAL_NO;
}

/* An unmatched packet that could not cross a router: local to its point,
 * none of loss, delay or "only at the far point". */
static void local_to_point(engine_t *e, cm_rec_t *r, locality_t why)
{
    compare_local_t *l = &e->r->local[r->side];
    l->packets++;
    l->by[why]++;
    if (r->flow != CM_NONE) {
        figures_of_flow(e, r->flow)->local[r->side]++;
        retrans_settle(e, r->side, r->aux, SETTLE_LOCAL);
    }
    unmatched(e, r, sides_dir_of(e, r), COMPARE_LOCAL, why);
}

/* One packet into the per-direction figures of the whole comparison and of
 * its connection.  A packet at A counts for A->B if it goes that way (A is
 * then its first point), else for B->A only when unmatched (seen only at
 * the far point); the same mirrored at B.  Unmatched packets that could not
 * cross a router are local to their point instead. */
void figures_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged)
{
    engine_t *e = vc;
    locality_t why = locality_at(e, r);
    if (!partner && why != LOCAL_NO) {
        local_to_point(e, r, why);
        return;
    }
    if (r->flow == CM_NONE) /* a non-IP frame seen at both points: nothing to measure */
        return;
    uint8_t dir = sides_dir_of(e, r), sent_dir = r->side == 0 ? COMPARE_AB : COMPARE_BA;
    if (dir == sent_dir) {
        first_point(e, r, partner, ranged, dir);
    } else if (!partner) {
        uint8_t other = sent_dir == COMPARE_AB ? COMPARE_BA : COMPARE_AB;
        e->r->dir[other].only_far++;
        figures_of_flow(e, r->flow)->dir[other].only_far++;
        unmatched(e, r, dir, COMPARE_ONLY_FAR, LOCAL_NO);
    }
    if (r->side == 0 && partner)
        delay_point(e, r, partner, dir);
}

/* A connection has ended: oriented A-side host first, handed to the sink,
 * its figures freed. */
void figures_flow_end(void *vc, uint32_t f)
{
    engine_t *e = vc;
    compare_flow_t *fs = figures_of_flow(e, f);
    const cm_flow_t *fl = &e->t.flows[f];
    bool swap = e->ai[fl->first_src].side == COMPARE_SIDE_B;
    fs->a_host = swap ? fl->b : fl->a;
    fs->b_host = swap ? fl->a : fl->b;
    fs->a_port = swap ? fl->bp : fl->ap;
    fs->b_port = swap ? fl->ap : fl->bp;
    fs->proto = fl->proto;
    fs->first_frame[0] = e->fi[f].first_frame[0];
    fs->first_frame[1] = e->fi[f].first_frame[1];
    if (e->sink->flow && e->sink->flow(e->sink->ctx, e->r, fs) != 0)
        e->sink_failed = 1;
    flow_free(fs);
    e->fs[f] = NULL;
}
