/*
 * ticks.c — tick positions for linear, binary, log and time axes (ticks.h).
 */
#include "ticks.h"

#include <math.h>

/* Relative slack when comparing against a computed bound, so 0.1 + 0.2
 * style rounding never drops an end tick. */
#define TICK_EPS 1e-9

double ticks_nice_step(double range, int target)
{
    static const double mantissas[] = {1, 2, 5, 10};
    if (!(range > 0) || !isfinite(range))
        return 1;
    if (target < 1)
        target = 1;
    double raw = range / target;
    double mag = pow(10, floor(log10(raw)));
    for (size_t i = 0; i < sizeof mantissas / sizeof mantissas[0]; i++)
        if (mantissas[i] * mag >= raw * (1 - TICK_EPS))
            return mantissas[i] * mag;
    return 10 * mag;
}

double ticks_binary_step(double range, int target)
{
    if (!(range > 0) || !isfinite(range))
        return 1;
    if (target < 1)
        target = 1;
    double raw = range / target;
    if (raw <= 1)
        return ticks_nice_step(range, target);
    return pow(2, ceil(log2(raw) - TICK_EPS));
}

double ticks_time_step(double span, int target)
{
    static const double steps[] = {
        1,     2,      5,      10,      15,      30,   /* seconds */
        60,    120,    300,    600,     900,     1800, /* minutes */
        3600,  7200,   10800,  21600,   43200,         /* hours */
        86400, 172800, 604800, 1209600, 2419200,       /* days, weeks */
    };
    const double four_weeks = 2419200;
    if (!(span > 0) || !isfinite(span))
        return 1;
    if (target < 1)
        target = 1;
    double raw = span / target;
    if (raw < 1)
        return ticks_nice_step(span, target);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] >= raw * (1 - TICK_EPS))
            return steps[i];
    return ticks_nice_step(span / four_weeks, target) * four_weeks;
}

size_t ticks_linear(double lo, double hi, double step, double offset, double *out, size_t cap)
{
    if (!(step > 0) || !isfinite(lo) || !isfinite(hi) || hi < lo)
        return 0;
    double slack = step * TICK_EPS * 1000;
    double k = ceil((lo + offset - slack) / step);
    size_t n = 0;
    while (n < cap) {
        double v = k * step - offset;
        if (v > hi + slack)
            break;
        if (fabs(v) < step * 1e-6)
            v = 0;
        out[n++] = v;
        k += 1;
    }
    return n;
}

/* ---- Log axes: ladders of round values per kind of unit ------------------- */

/* Clock values a log duration axis may stop at beyond a minute (seconds). */
static const double CLOCK_SPARSE[] = {60, 600, 3600, 86400, 864000, 8640000, 86400000};
static const double CLOCK_DENSE[] = {60,     120,    300,     600,     1200,    1800,
                                     3600,   7200,   10800,   21600,   43200,   86400,
                                     172800, 604800, 1209600, 2592000, 7776000, 31536000};

/* Rungs of a ladder level within [lo, hi] (0 < lo < hi), ascending. */
static size_t ladder_rungs(log_ladder_t kind, int level, double lo, double hi, double *out,
                           size_t cap)
{
    static const double one[] = {1}, one_two_five[] = {1, 2, 5};
    size_t n = 0;
    if (kind == LADDER_BINARY) {
        int step = level == 0 ? 10 : level == 1 ? 5 : 1;
        int e0 = (int)floor(log2(lo)) - 1, e1 = (int)ceil(log2(hi)) + 1;
        for (int e = e0 - (e0 % step + step) % step; e <= e1 && n < cap; e += step) {
            double v = ldexp(1, e);
            if (v >= lo * (1 - TICK_EPS) && v <= hi * (1 + TICK_EPS))
                out[n++] = v;
        }
        return n;
    }
    const double *m = level == 0 ? one : one_two_five;
    size_t nm = level == 0 ? 1 : 3;
    /* Durations: decimal up to 10 s (levels 0) or 50 s (level 1), then clock. */
    double decimal_top = kind == LADDER_DURATION ? (level == 0 ? 10 : 50) : INFINITY;
    int d0 = (int)floor(log10(lo)) - 1, d1 = (int)ceil(log10(hi)) + 1;
    for (int d = d0; d <= d1; d++)
        for (size_t i = 0; i < nm; i++) {
            double v = m[i] * pow(10, d);
            if (v > decimal_top * (1 + TICK_EPS))
                break;
            if (v >= lo * (1 - TICK_EPS) && v <= hi * (1 + TICK_EPS) && n < cap)
                out[n++] = v;
        }
    if (kind == LADDER_DURATION) {
        const double *clock = level == 0 ? CLOCK_SPARSE : CLOCK_DENSE;
        size_t nc = level == 0 ? sizeof CLOCK_SPARSE / sizeof CLOCK_SPARSE[0]
                               : sizeof CLOCK_DENSE / sizeof CLOCK_DENSE[0];
        for (size_t i = 0; i < nc; i++)
            if (clock[i] >= lo * (1 - TICK_EPS) && clock[i] <= hi * (1 + TICK_EPS) && n < cap)
                out[n++] = clock[i];
    }
    return n;
}

/* Levels per ladder, sparsest first. */
static int ladder_levels(log_ladder_t kind)
{
    return kind == LADDER_BINARY ? 3 : 2;
}

/* Light 2..9 x 10^k grid lines between labelled decades (for durations
 * only where the ladder is decimal, below ten seconds; none for bytes). */
static size_t log_minor_ticks(log_ladder_t kind, double lo, double hi, const double *major,
                              size_t n, double *minor, size_t cap)
{
    static const double two_to_nine[] = {2, 3, 4, 5, 6, 7, 8, 9};
    double top = kind == LADDER_DURATION ? 10 : INFINITY;
    size_t m = 0;
    if (kind == LADDER_BINARY || n > 13)
        return 0;
    for (size_t k = 0; k < n + 1; k++) {
        double decade = k == 0 ? major[0] / 10 : major[k - 1];
        for (size_t j = 0; j < 8 && m < cap; j++) {
            double v = two_to_nine[j] * decade;
            if (v > lo && v < hi && v < top)
                minor[m++] = v;
        }
    }
    return m;
}

void ticks_log_bounds(log_ladder_t kind, double lo, double hi, double *out_lo, double *out_hi)
{
    /* Expand to rungs of the sparsest level (for bytes, powers of 32 — a
     * whole 1024 step would waste up to three decades of the plot). */
    int level = kind == LADDER_BINARY ? 1 : 0;
    double rungs[TICKS_MAX];
    size_t n = ladder_rungs(kind, level, lo / 1e4, hi * 1e4, rungs, TICKS_MAX);
    *out_lo = lo, *out_hi = hi;
    for (size_t i = 0; i < n; i++)
        if (rungs[i] <= lo * (1 + TICK_EPS))
            *out_lo = rungs[i];
    for (size_t i = n; i-- > 0;)
        if (rungs[i] >= hi * (1 - TICK_EPS))
            *out_hi = rungs[i];
}

size_t ticks_log(log_ladder_t kind, double lo, double hi, int target, double *out, size_t cap,
                 double *minor, size_t minor_cap, size_t *n_minor)
{
    *n_minor = 0;
    if (!(lo > 0) || !(hi > lo) || !isfinite(hi))
        return 0;
    if (target < 2)
        target = 2;
    /* The densest level that fits, as long as it gives two ticks. */
    for (int level = ladder_levels(kind) - 1; level >= 0; level--) {
        size_t n = ladder_rungs(kind, level, lo, hi, out, cap);
        if (n >= 2 && (int)n <= target) {
            if (level == 0)
                *n_minor = log_minor_ticks(kind, lo, hi, out, n, minor, minor_cap);
            return n;
        }
    }
    size_t n = ladder_rungs(kind, 0, lo, hi, out, cap);
    if (n < 2) {
        /* Less than one rung apart: a short linear range in effect. */
        n = ladder_rungs(kind, ladder_levels(kind) - 1, lo, hi, out, cap);
        if (n < 2)
            n = ticks_linear(lo, hi, ticks_nice_step(hi - lo, target), 0, out, cap);
        return n;
    }
    /* Too many even at the sparsest level: every k-th rung. */
    size_t k = (n + (size_t)target - 1) / (size_t)target, kept = 0;
    for (size_t i = 0; i < n; i++)
        if (i % k == 0)
            out[kept++] = out[i];
    return kept;
}
