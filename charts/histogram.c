/*
 * histogram.c — bin choice and counting for CHART_HISTOGRAM (histogram.h).
 */
#include "histogram.h"

#include "ticks.h"

#include <math.h>
#include <stdlib.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Smallest width that keeps [lo, hi] within HIST_MAX_BINS bins. */
static double cap_bins(double width, double lo, double hi)
{
    double bins = ceil(hi / width) - floor(lo / width) + 1;
    if (bins > HIST_MAX_BINS)
        width = ticks_nice_step(hi - lo, HIST_MAX_BINS - 1);
    return width;
}

double hist_auto_width(const double *v, size_t n)
{
    size_t stride = n > HIST_QUANTILE_SAMPLE ? n / HIST_QUANTILE_SAMPLE : 1;
    size_t m = (n + stride - 1) / stride;
    double *s = malloc(m * sizeof *s);
    if (!s)
        return 0;
    double lo = v[0], hi = v[0];
    for (size_t i = 0; i < n; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    for (size_t i = 0, k = 0; k < m; i += stride, k++)
        s[k] = v[i];
    qsort(s, m, sizeof *s, compare_double);
    double iqr = s[(m * 3) / 4] - s[m / 4];
    free(s);
    double width = 2 * iqr / cbrt((double)n);
    if (!(width > 0))
        width = hi > lo ? (hi - lo) / 20 : (fabs(lo) > 0 ? fabs(lo) / 10 : 1);
    width = ticks_nice_step(width, 1);
    /* Too few bins over a real spread says nothing about its shape. */
    if (hi > lo && (hi - lo) / width < 4)
        width = ticks_nice_step(hi - lo, 8);
    return cap_bins(width, lo, hi);
}

/* All samples of all histogram series in one array, for the bin choice. */
static double *pool_samples(const chart_t *c, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].style == STYLE_HIST)
            total += c->series[i].n;
    *n = total;
    double *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].style == STYLE_HIST)
            for (size_t j = 0; j < c->series[i].n; j++)
                all[k++] = c->series[i].x[j];
    return all;
}

int hist_compute(chart_t *c, hist_bins_t *h)
{
    *h = (hist_bins_t){0};
    size_t n;
    double *all = pool_samples(c, &n);
    if (!all)
        return chart_fail(c, "out of memory binning the histogram");
    if (n == 0) {
        free(all);
        return 0;
    }
    double lo = all[0], hi = all[0];
    for (size_t i = 1; i < n; i++)
        lo = all[i] < lo ? all[i] : lo, hi = all[i] > hi ? all[i] : hi;
    double width = c->bin_width > 0 ? cap_bins(c->bin_width, lo, hi) : hist_auto_width(all, n);
    free(all);
    if (!(width > 0))
        return chart_fail(c, "out of memory binning the histogram");
    h->width = width;
    /* Centre bins on multiples of the width: a beacon every 2.0 s then
     * falls in one bin (1.95-2.05) instead of straddling an edge at 2.0. */
    h->lo = (floor(lo / width - 0.5) + 0.5) * width;
    h->n = (size_t)floor((hi - h->lo) / width) + 1;
    for (size_t i = 0; i < c->n_series; i++) {
        const chart_series_t *s = &c->series[i];
        if (s->style != STYLE_HIST)
            continue;
        h->counts[i] = calloc(h->n, sizeof *h->counts[i]);
        if (!h->counts[i])
            return chart_fail(c, "out of memory binning the histogram");
        for (size_t j = 0; j < s->n; j++) {
            size_t b = (size_t)floor((s->x[j] - h->lo) / width);
            h->counts[i][b < h->n ? b : h->n - 1] += 1;
        }
    }
    return 0;
}

void hist_free(hist_bins_t *h)
{
    for (size_t i = 0; i < CHART_MAX_SERIES; i++) {
        free(h->counts[i]);
        h->counts[i] = NULL;
    }
}
