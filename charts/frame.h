/*
 * frame.h — the layout of one chart on one page: where the title, legend,
 * plot area, ticks and labels go, decided before anything is drawn.
 *
 * Layout works outside-in so nothing overlaps: title and subtitle on top,
 * then the legend (always outside the plot, so it never covers data), axis
 * labels at the edges, tick labels sized by measuring them, and the plot
 * area gets what is left.  Tick counts are then chosen to be as many as fit
 * without labels touching (axis.h).
 */
#ifndef PCAPCASE_CHARTS_FRAME_H
#define PCAPCASE_CHARTS_FRAME_H

#include "chart_internal.h"
#include "format.h"
#include "histogram.h"
#include "scale.h"
#include "ticks.h"

#include <cairo.h>

/* Slant of category labels under vertical bars that do not fit upright. */
#define CATEGORY_ANGLE_RAD 0.7853981633974483 /* 45 degrees */

/* Room for a fitted caller string plus a suffix such as " (right axis)". */
#define FRAME_TEXT (CHART_MAX_TEXT + 32)

typedef struct axis_ticks {
    size_t n;
    double v[TICKS_MAX];
    char label[TICKS_MAX][FORMAT_MAX];
    char date[TICKS_MAX][FORMAT_MAX]; /* second line of time labels, or "" */
    size_t n_minor;
    double minor[TICKS_MAX]; /* log-scale minor grid */
    double label_w;          /* widest label (or date) in the tick font */
} axis_ticks_t;

typedef struct category_labels {
    size_t n;                              /* categories (0 when the chart has none) */
    size_t every;                          /* label every k-th category when they are too dense */
    bool rotated;                          /* vertical bars: labels slanted */
    double extent;                         /* room they take across the axis */
    char text[CHART_MAX_BARS][FRAME_TEXT]; /* fitted to their room */
} category_labels_t;

typedef struct legend_entry {
    int series;  /* index of the series, or -1 for a horizontal marker line */
    int marker;  /* index of that marker line when series < 0 */
    double x, y; /* top-left of the entry */
    char text[FRAME_TEXT];
} legend_entry_t;

/* The label of a vertical marker line, in the strip above the plot. */
typedef struct marker_label {
    bool shown;
    double x, y;   /* top-left of the text */
    double line_x; /* where the marker line is */
    char text[FRAME_TEXT];
} marker_label_t;

typedef struct frame {
    double w, h;
    double left, top, right, bottom; /* the plot area */
    scale_t sx, sy, sy2;
    axis_ticks_t tx, ty, ty2;
    bool use_y2; /* some series is on the right axis */
    bool empty;  /* nothing to draw: frame and note only */
    chart_color_t color[CHART_MAX_SERIES];
    hist_bins_t hist;
    category_labels_t cats;
    double title_y, subtitle_y;
    char title[FRAME_TEXT], subtitle[FRAME_TEXT];
    char x_label[FRAME_TEXT], y_label[FRAME_TEXT], y2_label[FRAME_TEXT];
    marker_label_t marker_labels[CHART_MAX_MARKERS];
    legend_entry_t legend[CHART_MAX_SERIES + CHART_MAX_MARKERS];
    size_t n_legend;
} frame_t;

/* Lay chart c out on a w x h page, measuring text with cr.  f must be
 * zeroed by the caller.  Returns 0, or -1 with the error set on c (memory).
 * Call frame_free afterwards in both cases. */
int frame_layout(cairo_t *cr, chart_t *c, double w, double h, frame_t *f);

void frame_free(frame_t *f);

/* The scale a series is drawn against on the value axis. */
const scale_t *frame_value_scale(const frame_t *f, const chart_series_t *s);

#endif
