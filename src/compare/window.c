/* window.c — the receive window of the busiest TCP connection, as each
 * point saw it: the connection with most packets matched is read again at
 * both points (flow/tcpseries.h), its windows scaled as the endpoints
 * agreed in their SYNs.  A middlebox that rewrites windows or strips window
 * scaling shows as the two views parting. */
#include "engine.h"

void window_at_both_points(engine_t *e)
{
    size_t best = CM_NONE;
    for (size_t f = 0; f < e->t.nflows; f++) /* most matched; the first flow on a tie */
        if (e->fi[f].matched_tcp &&
            (best == CM_NONE || e->fi[f].matched_tcp > e->fi[best].matched_tcp))
            best = f;
    if (best == CM_NONE)
        return;
    compare_result_t *r = e->r;
    /* each point's view of the flow: its first and last packet there */
    uint32_t flow_at[2] = {(uint32_t)best, e->fi[best].flow_at_b};
    for (int s = 0; s < 2; s++) {
        const cm_flow_t *f = &e->t.flows[flow_at[s]];
        tcp_series_t *w = &r->win[s];
        w->orig = f->a, w->resp = f->b, w->orig_p = f->ap, w->resp_p = f->bp;
        w->first_frame = e->fi[flow_at[s]].first_frame[s];
        w->last_frame = e->fi[flow_at[s]].last_frame[s];
        char err[256];
        if (tcpseries_collect(r->pt[s].path, w, 1, err, sizeof err) != 0)
            return;
    }
    r->win_known = true;
}
