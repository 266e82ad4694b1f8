/* stats.c — quantiles, MAD, skew and amounts in words; see stats.h. */
#include "case/stats.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void stats_sort(double *v, size_t n)
{
    xqsort(v, n, sizeof *v, cmp_double);
}

double stats_quantile(const double *s, size_t n, double q)
{
    if (n == 0)
        return 0;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? s[i] * (1 - f) + s[i + 1] * f : s[i];
}

stats_shape_t stats_shape(const double *v, size_t n)
{
    stats_shape_t s = {0, 0, 0, 0, 0};
    if (n == 0)
        return s;
    double *t = xmalloc(n * sizeof *t);
    memcpy(t, v, n * sizeof *t);
    stats_sort(t, n);
    s.q1 = stats_quantile(t, n, 0.25);
    s.median = stats_quantile(t, n, 0.5);
    s.q3 = stats_quantile(t, n, 0.75);
    s.skew = s.q3 > s.q1 ? (s.q1 + s.q3 - 2 * s.median) / (s.q3 - s.q1) : 0;
    for (size_t i = 0; i < n; i++)
        t[i] = fabs(v[i] - s.median);
    stats_sort(t, n);
    s.mad = stats_quantile(t, n, 0.5);
    free(t);
    return s;
}

void words_duration(double s, char *out, size_t n)
{
    if (s < 90)
        snprintf(out, n, "%.0f s", s);
    else if (s < 90 * 60)
        snprintf(out, n, "%.0f minutes", s / 60);
    else if (s < 48 * 3600)
        snprintf(out, n, "%.1f hours", s / 3600);
    else
        snprintf(out, n, "%.1f days", s / 86400);
}

void words_bytes(uint64_t b, char *out, size_t n)
{
    if (b >= 1000000000)
        snprintf(out, n, "%.1f GB", (double)b / 1e9);
    else if (b >= 1000000)
        snprintf(out, n, "%.1f MB", (double)b / 1e6);
    else if (b >= 1000)
        snprintf(out, n, "%.1f kB", (double)b / 1e3);
    else
        snprintf(out, n, "%llu bytes", (unsigned long long)b);
}
