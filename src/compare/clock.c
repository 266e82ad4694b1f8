/* clock.c — the clock offset B−A of a comparison and its drift.
 *
 * With raw delays `B time − A time` for A->B packets and `A time − B time`
 * for B->A packets, and the minimum true delay assumed equal both ways,
 * min(raw AB) = dmin + θ and min(raw BA) = dmin − θ: the offset is half
 * their difference, and cannot be off by more than half their sum. */
#include "engine.h"

#include <math.h>

/* Over short captures queueing delay swamps any real drift (a few ppm), so
 * it is only estimated over at least this much capture time. */
#define DRIFT_MIN_SPAN (60 * NS_PER_SEC)

/* From pass 1's least delays of each host. */
void clock_estimate_offset(engine_t *e)
{
    double mab = INFINITY, mba = INFINITY;
    for (size_t i = 0; i < e->t.naddrs; i++) {
        if (e->ai[i].side == COMPARE_SIDE_B)
            mba = e->ai[i].min_at_b < mba ? e->ai[i].min_at_b : mba;
        else
            mab = e->ai[i].min_at_a < mab ? e->ai[i].min_at_a : mab;
    }
    if (!isfinite(mab) || !isfinite(mba))
        return;
    compare_clock_t *k = &e->r->clock;
    k->offset = (mab - mba) / 2;
    k->uncertainty = fabs(mab + mba) / 2;
    k->known = true;
}

void clock_drift_init(engine_t *e)
{
    for (int i = 0; i < DRIFT_BINS; i++)
        e->drift_ab[i] = e->drift_ba[i] = INFINITY;
}

/* A packet at A matched at B, raw = B time − A time: the least delay each
 * way in each slice of A's time. */
void clock_drift_add(engine_t *e, const cm_rec_t *r, uint8_t dir, double raw)
{
    ts_ns_t t0 = e->r->t0, t1 = e->r->t1;
    if (t1 <= t0)
        return;
    int bin = (int)((double)(r->ts - t0) / (double)(t1 - t0 + 1) * DRIFT_BINS);
    bin = bin < 0 ? 0 : bin >= DRIFT_BINS ? DRIFT_BINS - 1 : bin;
    if (dir == COMPARE_AB && raw < e->drift_ab[bin])
        e->drift_ab[bin] = raw;
    if (dir == COMPARE_BA && -raw < e->drift_ba[bin])
        e->drift_ba[bin] = -raw;
}

/* Drift: the offset estimated in DRIFT_BINS slices of A's time, fitted by
 * least squares; parts per million. */
void clock_estimate_drift(engine_t *e)
{
    compare_clock_t *k = &e->r->clock;
    ts_ns_t t0 = e->r->t0, t1 = e->r->t1;
    if (!k->known || t1 - t0 < DRIFT_MIN_SPAN)
        return;
    k->drift_known = true;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < DRIFT_BINS; i++) {
        if (!isfinite(e->drift_ab[i]) || !isfinite(e->drift_ba[i]))
            continue;
        double x = (i + 0.5) * (double)(t1 - t0) / 1e9 / DRIFT_BINS,
               y = (e->drift_ab[i] - e->drift_ba[i]) / 2;
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    if (n >= 3 && n * sxx - sx * sx > 0)
        k->drift_ppm = (n * sxy - sx * sy) / (n * sxx - sx * sx) * 1e6;
}
