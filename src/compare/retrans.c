/* retrans.c — TCP retransmissions at the point a segment passes first, and
 * where the loss that caused each happened.
 *
 * The rule is flow/tcprules.h's tcp_resend_of: a data segment whose
 * (connection, seq, len) was seen within the horizon is a retransmission of
 * that earlier copy.  If the earlier copy reached the far point, the loss
 * that caused the retransmission happened beyond the two points (or the ACK
 * was lost); otherwise between them.  An earlier copy still waiting for its
 * match is held, and its retransmissions counted, until it is matched or
 * given up. */
#include "engine.h"

enum { RX_ARRIVED = 1, RX_LOST }; /* tcp_seg_t.mark once settled */

void retrans_init(engine_t *e)
{
    ts_ns_t w2 = 2 * e->o->window;
    for (int d = 0; d < 2; d++)
        tcp_seg_memo_init(&e->retx[d], w2 > 60 * NS_PER_SEC ? w2 : 60 * NS_PER_SEC);
}

void retrans_free(engine_t *e)
{
    for (int d = 0; d < 2; d++)
        tcp_seg_memo_free(&e->retx[d]);
}

/* The retransmission counters of direction d, whole and of connection f. */
static void counters(engine_t *e, int d, uint32_t f, compare_dir_t *ds[2])
{
    ds[0] = &e->r->dir[d];
    ds[1] = &figures_of_flow(e, f)->dir[d];
}

/* Settle a remembered segment: the retransmissions seen while it waited
 * (its count) are lost between or beyond the points (a segment local to its
 * point says neither). */
void retrans_settle(engine_t *e, int side, uint64_t id, settle_t how)
{
    tcp_seg_t *sg = id == CM_NONE64 ? NULL : tcp_seg_memo_at(&e->retx[side], id);
    if (!sg)
        return;
    sg->held = false;
    if (how == SETTLE_LOCAL)
        return;
    bool arrived = how == SETTLE_ARRIVED;
    sg->mark = arrived ? RX_ARRIVED : RX_LOST;
    compare_dir_t *ds[2];
    counters(e, side == 0 ? COMPARE_AB : COMPARE_BA, sg->conn, ds);
    for (int k = 0; k < 2; k++)
        *(arrived ? &ds[k]->retrans_lost_beyond : &ds[k]->retrans_lost_between) += sg->count;
    sg->count = 0;
}

/* A TCP data segment at its first point: a retransmission of one seen
 * before, or remembered (its id in r->aux, for retrans_settle). */
void retrans_arrive(engine_t *e, cm_rec_t *r)
{
    tcp_seg_memo_t *m = &e->retx[r->side];
    uint64_t id;
    uint64_t earlier = tcp_resend_of(m, r->flow, r->seq, r->len, r->ts, &id);
    if (earlier == TCP_SEG_NONE) {
        r->aux = id;
        return;
    }
    tcp_seg_t *sg = tcp_seg_memo_at(m, earlier);
    compare_dir_t *ds[2];
    counters(e, r->side == 0 ? COMPARE_AB : COMPARE_BA, r->flow, ds);
    for (int k = 0; k < 2; k++) {
        ds[k]->retrans++;
        if (sg->mark == RX_ARRIVED)
            ds[k]->retrans_lost_beyond++;
        else if (sg->mark == RX_LOST)
            ds[k]->retrans_lost_between++;
    }
    if (sg->held)
        sg->count++;
}
