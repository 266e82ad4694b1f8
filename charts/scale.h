/*
 * scale.h — from data to page: the range each axis shows, and the mapping
 * of a value on it to a position in the plot (linear or log10).
 *
 * Ranges follow what readers expect of rate and count charts: value axes
 * start at zero unless told otherwise or log, get 5 % headroom so the peak
 * is not glued to the frame, and x spans the data exactly (time series) or
 * with a small margin (scatter).  Log axes widen to whole decades.
 */
#ifndef PCAPCASE_CHARTS_SCALE_H
#define PCAPCASE_CHARTS_SCALE_H

#include "chart_internal.h"
#include "histogram.h"
#include "ticks.h"

/* Coordinates are clamped to this many units around the page before they go
 * to cairo, whose 24.8 fixed point overflows near 8 million. */
#define SCALE_COORD_LIMIT 100000.0

typedef struct data_range {
    double lo, hi;
    bool any;
    bool fractional; /* some value is not a whole number */
} data_range_t;

typedef struct scale {
    double lo, hi; /* the values at the two ends of the axis */
    bool log;
    double p0, p1; /* page positions of lo and hi (p1 < p0 for y axes) */
    bool integral; /* the data are whole numbers (counts): no ticks between */
} scale_t;

/* Data extents of the chart on X, Y and Y2 (index chart_axis_t), including
 * marker lines.  For CHART_HBARS the values are on X and the categories on
 * Y, as drawn. */
void scale_extents(const chart_t *c, const hist_bins_t *h, data_range_t out[3]);

/* Resolve the range an axis shows from its data range and options. */
void scale_resolve(const chart_t *c, chart_axis_t axis, data_range_t r, scale_t *s);

/* Page position of v (clamped to SCALE_COORD_LIMIT); NaN when v cannot be
 * shown (not finite, or <= 0 on a log scale). */
double scale_map(const scale_t *s, double v);

/* The value at page position p (inverse of scale_map). */
double scale_unmap(const scale_t *s, double p);

/* The ladder of round log-axis values for an axis format (ticks.h). */
log_ladder_t scale_ladder(chart_format_t format);

/* Half width of numeric bars: half the closest spacing of x, times the
 * share of the slot a bar fills.  x ascending, n > 0. */
double scale_bar_half_width(const double *x, size_t n);

#endif
