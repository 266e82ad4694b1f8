/* retrans.c — TCP retransmissions at the point a segment passes first, and
 * where the loss that caused each happened.
 *
 * A TCP data segment whose (connection, seq, len) was seen before within the
 * horizon is a retransmission.  If the earlier copy reached the far point,
 * the loss that caused the retransmission happened beyond the two points
 * (or the ACK was lost); otherwise between them.  An earlier copy still
 * waiting for its match is settled when it is matched or given up. */
#include "engine.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { RX_PENDING, RX_ARRIVED, RX_LOST };

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

void retrans_init(engine_t *e)
{
    for (int d = 0; d < 2; d++)
        retx_rechain(&e->retx[d], 4096);
    ts_ns_t w2 = 2 * e->o->window;
    e->retx_horizon = w2 > 60 * NS_PER_SEC ? w2 : 60 * NS_PER_SEC;
}

void retrans_free(engine_t *e)
{
    for (int d = 0; d < 2; d++)
        free(e->retx[d].v), free(e->retx[d].chain);
}

/* The retransmission counters of direction d, whole and of connection f. */
static void counters(engine_t *e, int d, uint32_t f, compare_dir_t *ds[2])
{
    ds[0] = &e->r->dir[d];
    ds[1] = &figures_of_flow(e, f)->dir[d];
}

/* Settle a remembered segment: the retransmissions seen while it waited are
 * counted as lost between or beyond the points. */
void retrans_settle(engine_t *e, int side, uint64_t id, bool arrived)
{
    retx_tab_t *x = &e->retx[side];
    if (id == CM_NONE64 || id < x->head)
        return;
    retx_ent_t *en = retx_at(x, id);
    en->state = arrived ? RX_ARRIVED : RX_LOST;
    compare_dir_t *ds[2];
    counters(e, side == 0 ? COMPARE_AB : COMPARE_BA, en->flow, ds);
    for (int k = 0; k < 2; k++)
        *(arrived ? &ds[k]->retrans_lost_beyond : &ds[k]->retrans_lost_between) += en->waiting;
    en->waiting = 0;
}

/* Forget settled segments older than the horizon (from the oldest). */
static void retx_forget(retx_tab_t *x, ts_ns_t now, ts_ns_t horizon)
{
    while (x->head < x->tail) {
        retx_ent_t *en = retx_at(x, x->head);
        if (en->state == RX_PENDING || en->ts + horizon >= now)
            break;
        size_t s = retx_slot(x, en->flow, en->seq, en->len);
        uint64_t *link = &x->chain[s];
        while (*link != x->head)
            link = &retx_at(x, *link)->next;
        *link = en->next;
        x->head++;
    }
}

/* A TCP data segment at its first point: a retransmission of one seen
 * before, or remembered (its id in r->aux, for retrans_settle). */
void retrans_arrive(engine_t *e, cm_rec_t *r)
{
    int side = r->side;
    retx_tab_t *x = &e->retx[side];
    retx_forget(x, r->ts, e->retx_horizon);
    size_t s = retx_slot(x, r->flow, r->seq, r->len);
    for (uint64_t id = x->chain[s]; id != CM_NONE64; id = retx_at(x, id)->next) {
        retx_ent_t *en = retx_at(x, id);
        if (en->flow != r->flow || en->seq != r->seq || en->len != r->len)
            continue;
        compare_dir_t *ds[2];
        counters(e, side == 0 ? COMPARE_AB : COMPARE_BA, r->flow, ds);
        for (int k = 0; k < 2; k++) {
            ds[k]->retrans++;
            if (en->state == RX_ARRIVED)
                ds[k]->retrans_lost_beyond++;
            else if (en->state == RX_LOST)
                ds[k]->retrans_lost_between++;
        }
        if (en->state == RX_PENDING)
            en->waiting++;
        return;
    }
    if (x->tail - x->head == x->cap)
        x->v = cm_ring_grow(x->v, &x->cap, sizeof *x->v, x->head, x->tail);
    if ((x->tail - x->head + 1) * 2 > x->slots) {
        retx_rechain(x, x->slots ? x->slots * 2 : 4096);
        s = retx_slot(x, r->flow, r->seq, r->len);
    }
    uint64_t id = x->tail++;
    *retx_at(x, id) = (retx_ent_t){r->flow, r->seq, r->len, RX_PENDING, 0, r->ts, x->chain[s]};
    x->chain[s] = id;
    r->aux = id;
}
