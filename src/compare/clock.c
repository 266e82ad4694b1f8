/* clock.c — the clock offset B−A of a comparison; see compare_clock_t.
 *
 * With raw delays `B time − A time` for A->B packets and `A time − B time`
 * for B->A packets, every true delay d >= 0 gives θ <= raw A->B and
 * θ >= −raw B->A: θ lies in [−min raw B->A, min raw A->B].  Pass 1 finds
 * these minima per host (which side a host is on is only known at its end);
 * pass 2 finds them per slice of A's time.  If the whole-capture interval
 * is empty, the clocks drift: a slices-only pass before pass 2 fits the
 * offset per slice, and pass 2 corrects each delay by the offset at its
 * time. */
#include "engine.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>

/* Over short captures queueing delay swamps a real drift of a few ppm, so
 * within a consistent interval a slope is only given over this much time. */
#define DRIFT_MIN_SPAN (60 * NS_PER_SEC)
/* Slices with bounds needed for a slope. */
#define DRIFT_MIN_SLICES 3

double compare_offset_at(const compare_clock_t *k, ts_ns_t t)
{
    if (!k->known)
        return 0;
    if (!k->drifting)
        return k->offset;
    return k->offset + k->fit_slope * ((double)t / 1e9 - k->fit_at);
}

double compare_delay(const compare_clock_t *k, ts_ns_t a, ts_ns_t b, uint8_t dir)
{
    double raw = (double)(b - a) / 1e9, th = compare_offset_at(k, a);
    double d = dir == COMPARE_AB ? raw - th : -raw + th;
    return k->known && k->drifting ? d / (1 + k->fit_slope) : d;
}

ts_ns_t compare_b_to_a(const compare_clock_t *k, ts_ns_t b)
{
    if (!k->known)
        return b;
    if (!k->drifting)
        return b - (ts_ns_t)(k->offset * 1e9);
    return (ts_ns_t)(compare_b_to_a_seconds(k, b) * 1e9);
}

/* On A's clock T, B reads T + offset + slope (T - fit_at): solved for T. */
double compare_b_to_a_seconds(const compare_clock_t *k, ts_ns_t b)
{
    if (!k->known)
        return (double)b / 1e9;
    if (!k->drifting)
        return (double)b / 1e9 - k->offset;
    return k->fit_at + ((double)b / 1e9 - k->fit_at - k->offset) / (1 + k->fit_slope);
}

/* From pass 1's least delays of each host: the whole capture's interval. */
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
    k->known = true;
    k->lowest = -mba, k->highest = mab;
    k->offset = (mab - mba) / 2;
    k->uncertainty = (mab + mba) / 2;
    k->drifting = k->lowest > k->highest;
}

void clock_slices_init(engine_t *e)
{
    for (int i = 0; i < COMPARE_SLICES; i++)
        e->slice_ab[i] = e->slice_ba[i] = INFINITY;
}

static int slice_of(const compare_result_t *r, ts_ns_t t)
{
    if (r->t1 <= r->t0)
        return 0;
    int k = (int)((double)(t - r->t0) / (double)(r->t1 - r->t0 + 1) * COMPARE_SLICES);
    return k < 0 ? 0 : k >= COMPARE_SLICES ? COMPARE_SLICES - 1 : k;
}

/* A packet at A matched at B, raw = B time − A time: the least raw delay of
 * its direction in its slice. */
void clock_slices_add(engine_t *e, const cm_rec_t *at_a, uint8_t dir, double raw)
{
    int k = slice_of(e->r, at_a->ts);
    if (dir == COMPARE_AB && raw < e->slice_ab[k])
        e->slice_ab[k] = raw, e->slice_ab_at[k] = at_a->ts;
    if (dir == COMPARE_BA && -raw < e->slice_ba[k])
        e->slice_ba[k] = -raw, e->slice_ba_at[k] = at_a->ts;
}

/* The matcher's done hook of the slices-only pass (drifting clocks). */
void clock_slices_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged)
{
    (void)ranged;
    engine_t *e = vc;
    if (r->side == 0 && partner && r->flow != CM_NONE)
        clock_slices_add(e, r, sides_dir_of(e, r), (double)(partner->ts - r->ts) / 1e9);
}

/* ---- the offset as a line: what causality allows ----
 *
 * Each slice gives two constraints on a line θ(t) = a + b t: at the time of
 * its fastest A->B packet θ was at most that packet's raw delay, at the time
 * of its fastest B->A packet at least minus that one's.  Every line meeting
 * all of them is possible: they form a polygon in (a, b), found by trying
 * every pair of constraints as a vertex (two slices with packets both ways
 * bound it; 40 constraints make 780 candidates).  The estimate takes the
 * middle of the possible slopes, then the middle of the possible offsets at
 * that slope; at a time t the offset lies between the lowest and the
 * highest vertex line there. */

typedef struct constraint {
    double t, v; /* seconds, t from the middle of A's span */
    bool upper;  /* a + b t <= v, else >= v */
} constraint_t;

static size_t constraints(const engine_t *e, double at, constraint_t *c)
{
    size_t n = 0;
    for (int i = 0; i < COMPARE_SLICES; i++) {
        if (!isfinite(e->slice_ab[i]) || !isfinite(e->slice_ba[i]))
            continue;
        c[n++] = (constraint_t){(double)e->slice_ab_at[i] / 1e9 - at, e->slice_ab[i], true};
        c[n++] = (constraint_t){(double)e->slice_ba_at[i] / 1e9 - at, -e->slice_ba[i], false};
    }
    return n;
}

/* Tolerance of the feasibility test: nanosecond timestamps. */
#define FIT_EPS 1e-10

static bool allowed(const constraint_t *c, size_t n, double a, double b)
{
    for (size_t i = 0; i < n; i++) {
        double y = a + b * c[i].t;
        if (c[i].upper ? y > c[i].v + FIT_EPS : y < c[i].v - FIT_EPS)
            return false;
    }
    return true;
}

/* The allowed lines: the vertices of the polygon they form in (a, b). */
typedef struct lines {
    double a[2 * COMPARE_SLICES * COMPARE_SLICES], b[2 * COMPARE_SLICES * COMPARE_SLICES];
    size_t n;
} lines_t;

/* Every vertex: each pair of constraints met with equality, kept if it
 * meets all the others.  False if no line is allowed. */
static bool allowed_lines(const constraint_t *c, size_t n, lines_t *v)
{
    v->n = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (c[i].t == c[j].t)
                continue;
            double b = (c[i].v - c[j].v) / (c[i].t - c[j].t), a = c[i].v - b * c[i].t;
            if (allowed(c, n, a, b))
                v->a[v->n] = a, v->b[v->n++] = b;
        }
    return v->n > 0;
}

/* The middle line of those allowed: slope, then offset at t = 0. */
static bool fit_line(const constraint_t *c, size_t n, lines_t *v, double *a, double *b)
{
    if (n < 4 || !allowed_lines(c, n, v))
        return false;
    double bmin = INFINITY, bmax = -INFINITY;
    for (size_t i = 0; i < v->n; i++)
        bmin = fmin(bmin, v->b[i]), bmax = fmax(bmax, v->b[i]);
    *b = (bmin + bmax) / 2;
    double amin = -INFINITY, amax = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double y = c[i].v - *b * c[i].t;
        if (c[i].upper)
            amax = fmin(amax, y);
        else
            amin = fmax(amin, y);
    }
    *a = (amin + amax) / 2;
    return true;
}

/* Least squares through the middles of the slices: the fallback when no
 * line fits (the offset jumped, or the drift is not steady). */
static bool fit_middles(const engine_t *e, double at, double *a, double *b)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < COMPARE_SLICES; i++) {
        if (!isfinite(e->slice_ab[i]) || !isfinite(e->slice_ba[i]))
            continue;
        double x = ((double)e->slice_ab_at[i] + (double)e->slice_ba_at[i]) / 2e9 - at,
               y = (e->slice_ab[i] - e->slice_ba[i]) / 2;
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    if (n < 2 || n * sxx - sx * sx <= 0)
        return false;
    *b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    *a = (sy - *b * sx) / n;
    return true;
}

/* The slices' bounds into the result, each moved along the slope b to the
 * middle of its slice (with b = 0 as found); with v, the range of the
 * allowed lines at each middle. */
static void slices_to_result(engine_t *e, double b, const lines_t *v)
{
    compare_result_t *r = e->r;
    compare_clock_t *k = &r->clock;
    double span = (double)(r->t1 - r->t0 + 1);
    for (int i = 0; i < COMPARE_SLICES; i++) {
        compare_slice_t *s = &k->slice[i];
        s->from = r->t0 + (ts_ns_t)(span * i / COMPARE_SLICES);
        s->to = r->t0 + (ts_ns_t)(span * (i + 1) / COMPARE_SLICES);
        double mid = ((double)s->from + (double)s->to) / 2e9;
        bool both = isfinite(e->slice_ab[i]) && isfinite(e->slice_ba[i]);
        s->lowest = both ? -e->slice_ba[i] + b * (mid - (double)e->slice_ba_at[i] / 1e9) : NAN;
        s->highest = both ? e->slice_ab[i] + b * (mid - (double)e->slice_ab_at[i] / 1e9) : NAN;
        s->line_lowest = s->line_highest = NAN;
        for (size_t j = 0; v && j < v->n; j++) {
            double y = v->a[j] + v->b[j] * (mid - k->fit_at);
            s->line_lowest = isnan(s->line_lowest) ? y : fmin(s->line_lowest, y);
            s->line_highest = isnan(s->line_highest) ? y : fmax(s->line_highest, y);
        }
    }
    k->nslices = COMPARE_SLICES;
}

/* Drifting: the offset as the middle allowed line (pass 2 corrects by it),
 * the slices, the range of the allowed lines over the capture and the
 * widest it is at a slice's middle.  Without an allowed line (the offset
 * jumped, or drifted unsteadily) a least-squares line through the slices'
 * middles, the range and width from the slices' own bounds. */
void clock_fit_drift(engine_t *e)
{
    compare_clock_t *k = &e->r->clock;
    constraint_t c[2 * COMPARE_SLICES];
    k->fit_at = ((double)e->r->t0 + (double)e->r->t1) / 2e9;
    size_t n = constraints(e, k->fit_at, c);
    lines_t *v = xcalloc(1, sizeof *v);
    double a, b;
    bool lines = fit_line(c, n, v, &a, &b);
    if (!lines && !fit_middles(e, k->fit_at, &a, &b)) {
        slices_to_result(e, 0, NULL); /* one slice: the middle of the inverted interval */
        free(v);
        return;
    }
    k->offset = a, k->fit_slope = b;
    k->drift_known = true;
    k->drift_ppm = b * 1e6;
    slices_to_result(e, b, lines ? v : NULL);
    free(v);
    double lo = INFINITY, hi = -INFINITY, half = 0;
    for (size_t i = 0; i < k->nslices; i++) {
        const compare_slice_t *s = &k->slice[i];
        double l = lines ? s->line_lowest : s->lowest, h = lines ? s->line_highest : s->highest;
        if (isnan(l))
            continue;
        lo = fmin(lo, l), hi = fmax(hi, h), half = fmax(half, (h - l) / 2);
    }
    k->lowest = lo, k->highest = hi;
    k->uncertainty = half;
}

/* After pass 2, with a constant offset: the slices, and the drift a long
 * enough capture shows within the interval. */
void clock_finish(engine_t *e)
{
    compare_clock_t *k = &e->r->clock;
    if (!k->known || k->drifting)
        return;
    slices_to_result(e, 0, NULL);
    constraint_t c[2 * COMPARE_SLICES];
    size_t n = constraints(e, ((double)e->r->t0 + (double)e->r->t1) / 2e9, c);
    lines_t *v = xcalloc(1, sizeof *v);
    double a, b;
    if (e->r->t1 - e->r->t0 >= DRIFT_MIN_SPAN && n >= 2 * DRIFT_MIN_SLICES &&
        fit_line(c, n, v, &a, &b)) {
        k->drift_known = true;
        k->drift_ppm = b * 1e6;
    }
    free(v);
}
