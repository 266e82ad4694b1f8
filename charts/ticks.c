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

/* Ticks at m x 10^d for the mantissas given, within [lo, hi]. */
static size_t log_mantissa_ticks(double lo, double hi, const double *m, size_t nm, double *out,
                                 size_t cap)
{
    size_t n = 0;
    int d0 = (int)floor(log10(lo)) - 1, d1 = (int)ceil(log10(hi)) + 1;
    for (int d = d0; d <= d1; d++) {
        for (size_t i = 0; i < nm; i++) {
            double v = m[i] * pow(10, d);
            if (v >= lo * (1 - TICK_EPS) && v <= hi * (1 + TICK_EPS) && n < cap)
                out[n++] = v;
        }
    }
    return n;
}

size_t ticks_log(double lo, double hi, int target, double *out, size_t cap, double *minor,
                 size_t minor_cap, size_t *n_minor)
{
    static const double one[] = {1}, one_two_five[] = {1, 2, 5};
    static const double two_to_nine[] = {2, 3, 4, 5, 6, 7, 8, 9};
    *n_minor = 0;
    if (!(lo > 0) || !(hi > lo) || !isfinite(hi))
        return 0;
    if (target < 2)
        target = 2;
    double decades = log10(hi) - log10(lo);
    size_t n = log_mantissa_ticks(lo, hi, one, 1, out, cap);
    if (n < 2) {
        /* Less than a decade: 1-2-5 ticks if they give enough, else linear. */
        n = log_mantissa_ticks(lo, hi, one_two_five, 3, out, cap);
        if (n < 3)
            n = ticks_linear(lo, hi, ticks_nice_step(hi - lo, target), 0, out, cap);
        return n;
    }
    if ((int)n * 3 <= target) {
        size_t n125 = log_mantissa_ticks(lo, hi, one_two_five, 3, out, cap);
        return n125;
    }
    if ((int)n > target) {
        /* Every k-th decade, keeping decades that are multiples of k. */
        int k = (int)ceil(decades / target);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            long d = lround(log10(out[i]));
            if (d % k == 0)
                out[kept++] = out[i];
        }
        return kept;
    }
    if (decades <= 12)
        *n_minor = log_mantissa_ticks(lo, hi, two_to_nine, 8, minor, minor_cap);
    return n;
}
