/* sides.c — pass 1 of a comparison: which side of the path each host is on
 * (the TTL only goes down along the path), and the least delay of each
 * host's matched packets, from which clock.c takes the clock offset. */
#include "engine.h"

#include "core/xalloc.h"

#include <math.h>
#include <netinet/in.h>

/* The per-address and per-connection arrays grow with the tables. */
void engine_grow_info(engine_t *e)
{
    size_t had = e->nai;
    if (e->t.naddrs)
        e->ai = xgrow_to(e->ai, &e->nai, e->t.naddrs - 1, sizeof *e->ai, 0);
    for (size_t i = had; i < e->nai; i++)
        e->ai[i] = (addr_info_t){0, COMPARE_SIDE_UNKNOWN, INFINITY, INFINITY, false};
    had = e->nfi;
    if (e->t.nflows)
        e->fi = xgrow_to(e->fi, &e->nfi, e->t.nflows - 1, sizeof *e->fi, 0);
    for (size_t i = had; i < e->nfi; i++)
        e->fi[i].flow_at_b = CM_NONE;
}

void sides_arrive(void *vc, cm_rec_t *r)
{
    engine_t *e = vc;
    engine_grow_info(e);
    if (r->flow == CM_NONE) /* not IP */
        return;
    if (r->subnet_bcast)
        e->ai[r->dst].subnet_bcast = true;
    flow_info_t *f = &e->fi[r->flow];
    f->routable += r->local == LOCAL_NO;
    if (!f->first_frame[r->side])
        f->first_frame[r->side] = r->frame;
    f->last_frame[r->side] = r->frame;
    if (r->side == 0) { /* A's time span (timestamps can go backwards) */
        if (!e->have_t)
            e->r->t0 = e->r->t1 = r->ts, e->have_t = true;
        e->r->t0 = r->ts < e->r->t0 ? r->ts : e->r->t0;
        e->r->t1 = r->ts > e->r->t1 ? r->ts : e->r->t1;
    }
}

void sides_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged)
{
    (void)ranged;
    engine_t *e = vc;
    if (!partner || r->flow == CM_NONE)
        return;
    addr_info_t *a = &e->ai[r->src];
    double d = (double)(partner->ts - r->ts) / 1e9;
    e->fi[r->flow].matched++;
    if (r->side == 0) {
        /* TTL only decreases along the path */
        a->votes += r->ttl > partner->ttl ? 1 : r->ttl < partner->ttl ? -1 : 0;
        a->min_at_a = d < a->min_at_a ? d : a->min_at_a;
        if (r->proto == IPPROTO_TCP) {
            e->fi[r->flow].matched_tcp++;
            if (e->fi[r->flow].flow_at_b == CM_NONE)
                e->fi[r->flow].flow_at_b = partner->flow;
        }
    } else {
        a->min_at_b = d < a->min_at_b ? d : a->min_at_b;
    }
}

/* Was the flow local to one point: nothing of it matched, and every packet
 * of it one that no router forwards?  (Then it says nothing about which
 * side its hosts are on.  With a packet matched, the points share its
 * segment and it counts like any other.  Seen at both points is no sign:
 * two segments each have their own "::" to ff02::16.) */
bool sides_local_only(engine_t *e, uint32_t flow)
{
    const flow_info_t *f = &e->fi[flow];
    if (f->matched)
        return false;
    if (!f->routable)
        return true;
    const cm_flow_t *fl = &e->t.flows[flow];
    uint32_t a = fl->first_src, b = cm_addr_id(&e->t, &fl->b); /* (there already) */
    return e->ai[a].subnet_bcast || e->ai[b].subnet_bcast;
}

/* Hosts on each side: TTL votes, else the host that spoke first in a flow
 * is the client, on A's side (flows local to a point say nothing). */
void sides_assign(engine_t *e)
{
    cm_tables_t *t = &e->t;
    for (size_t i = 0; i < t->naddrs; i++)
        e->ai[i].side = e->ai[i].votes > 0   ? COMPARE_SIDE_A
                        : e->ai[i].votes < 0 ? COMPARE_SIDE_B
                                             : COMPARE_SIDE_UNKNOWN;
    for (size_t f = 0; f < t->nflows; f++) {
        if (sides_local_only(e, (uint32_t)f))
            continue;
        addr_info_t *first = &e->ai[t->flows[f].first_src];
        if (first->side == COMPARE_SIDE_UNKNOWN)
            first->side = COMPARE_SIDE_A;
    }
    for (size_t f = 0; f < t->nflows; f++) {
        if (sides_local_only(e, (uint32_t)f))
            continue;
        const cm_flow_t *fl = &t->flows[f];
        uint32_t other = cm_addr_id(t, &fl->b); /* a is the first sender */
        if (e->ai[other].side == COMPARE_SIDE_UNKNOWN)
            e->ai[other].side =
                e->ai[fl->first_src].side == COMPARE_SIDE_A ? COMPARE_SIDE_B : COMPARE_SIDE_A;
    }
}

uint8_t sides_dir_of(const engine_t *e, const cm_rec_t *r)
{
    return r->src != CM_NONE && e->ai[r->src].side == COMPARE_SIDE_B ? COMPARE_BA : COMPARE_AB;
}

/* The result's host lists and subnet broadcasts, in the order the
 * addresses were first seen. */
void sides_hosts(engine_t *e)
{
    compare_result_t *r = e->r;
    for (int s = 0; s < 2; s++) {
        uint8_t side = s == 0 ? COMPARE_SIDE_A : COMPARE_SIDE_B;
        size_t n = 0;
        for (size_t i = 0; i < e->t.naddrs; i++)
            n += e->ai[i].side == side;
        r->hosts[s] = xcalloc(n + 1, sizeof *r->hosts[s]);
        for (size_t i = 0; i < e->t.naddrs; i++)
            if (e->ai[i].side == side)
                r->hosts[s][r->nhosts[s]++] = e->t.addrs[i].ip;
    }
    size_t n = 0;
    for (size_t i = 0; i < e->t.naddrs; i++)
        n += e->ai[i].subnet_bcast;
    r->subnet_bcasts = xcalloc(n + 1, sizeof *r->subnet_bcasts);
    for (size_t i = 0; i < e->t.naddrs; i++)
        if (e->ai[i].subnet_bcast)
            r->subnet_bcasts[r->nsubnet_bcasts++] = e->t.addrs[i].ip;
}
