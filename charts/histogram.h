/*
 * histogram.h — counting histogram samples into shared bins.
 *
 * Bins have a "nice" width (1-2-5 steps, so edges read 1.8, 2.0, 2.2 — not
 * 1.873) chosen by the Freedman-Diaconis rule (2 IQR / cbrt(n)), which
 * follows the bulk of the data and is not thrown off by a few outliers the
 * way Sturges' rule is.  All histogram series of a chart share the bins so
 * that overlaid series compare bin for bin.  Bins are centred on multiples
 * of the width, so round values (a 2.0 s beacon period) sit mid-bin.
 */
#ifndef PCAPCASE_CHARTS_HISTOGRAM_H
#define PCAPCASE_CHARTS_HISTOGRAM_H

#include "chart_internal.h"

/* Most bins drawn: beyond 200, bins on an 800 px plot are under 4 px wide
 * and the histogram turns into noise. */
#define HIST_MAX_BINS 200

/* Samples used to estimate the quartiles: a strided subset of this size
 * estimates them well and keeps a 10-million-sample histogram quick. */
#define HIST_QUANTILE_SAMPLE 100000

typedef struct hist_bins {
    double lo;                        /* left edge of bin 0 */
    double width;                     /* bin width (> 0 when n > 0) */
    size_t n;                         /* bins; 0 when there are no samples */
    double *counts[CHART_MAX_SERIES]; /* per series id, NULL if not a histogram */
} hist_bins_t;

/* Choose the bins (c->bin_width if set) and count every histogram series.
 * Returns 0, or -1 when memory is exhausted (error set on c).  Free the
 * counts with hist_free even after a failure. */
int hist_compute(chart_t *c, hist_bins_t *h);

void hist_free(hist_bins_t *h);

/* The automatic bin width for samples v[0..n-1] (n > 0): Freedman-Diaconis
 * rounded up to a 1-2-5 step, widened to keep at most HIST_MAX_BINS bins.
 * Returns 0 on allocation failure. */
double hist_auto_width(const double *v, size_t n);

#endif
