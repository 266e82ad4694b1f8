/*
 * stats.h — the robust statistics the detectors score with: quantiles,
 * median absolute deviation, Bowley's quartile skew, clamping, and the
 * words a finding's sentence uses for amounts (durations, bytes).
 *
 * Robust (quantile-based) measures, because what the detectors look at is
 * full of outliers by nature: a missed beacon, one big upload among small
 * ones, a sleep period between two active ones.
 */
#ifndef PCAPCASE_STATS_H
#define PCAPCASE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Quantile q (0..1) of a sorted array, linear interpolation; 0 when n is 0. */
double stats_quantile(const double *sorted, size_t n, double q);
/* Sorts v in place (ascending). */
void stats_sort(double *v, size_t n);

/* The shape of a sample: its quartiles, median absolute deviation and
 * Bowley skew ((q1 + q3 - 2 q2) / (q3 - q1), 0 when q3 = q1). */
typedef struct stats_shape {
    double q1, median, q3, mad, skew;
} stats_shape_t;

/* Shape of v[0..n) (v is not changed; uses a scratch copy). */
stats_shape_t stats_shape(const double *v, size_t n);

static inline double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* "45 s", "12 minutes", "6.5 hours", "3 days". */
void words_duration(double seconds, char *out, size_t n);
/* "820 bytes", "1.4 kB", "48 MB", "2.1 GB" (powers of 1000). */
void words_bytes(uint64_t bytes, char *out, size_t n);

#endif
