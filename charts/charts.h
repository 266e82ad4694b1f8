/*
 * charts.h — a small cairo plotting library: the same chart to PNG and PDF.
 *
 * A chart has a kind (line, step, stacked area, scatter, vertical bars,
 * horizontal bars, histogram), a title, axis labels, one or more named
 * series, optional vertical markers ("period 2.0 s"), and axis options: time
 * axis (epoch seconds, labelled in UTC or a fixed offset), log scale, value
 * units (bytes, bits/s, plain).  Ticks are "nice" (1-2-5 steps); long series
 * are reduced to min/max per pixel column so peaks survive; an empty chart
 * is drawn with a centred note instead of an empty frame.
 *
 * Ownership: chart_add_series copies the data.  Render functions return 0,
 * or -1 with a reason from chart_error().  Output is deterministic (the PDF
 * carries no creation date).
 */
#ifndef PCAPCASE_CHARTS_H
#define PCAPCASE_CHARTS_H

#include <stddef.h>
#include <stdbool.h>

typedef enum chart_kind {
    CHART_LINE,
    CHART_STEP,
    CHART_AREA_STACKED,
    CHART_SCATTER,
    CHART_BARS,       /* vertical bars at x positions (histograms) */
    CHART_HBARS,      /* horizontal bars with text labels (top talkers) */
} chart_kind_t;

typedef enum chart_units {
    UNITS_PLAIN,
    UNITS_BYTES,      /* 1.5 MB */
    UNITS_BITRATE,    /* 12 Mbit/s, from bytes per second ×8 */
    UNITS_SECONDS,    /* 250 ms, 2.0 s */
} chart_units_t;

typedef struct chart chart_t;

chart_t *chart_new(chart_kind_t kind, const char *title);
void chart_subtitle(chart_t *c, const char *subtitle);
void chart_x_axis(chart_t *c, const char *label, chart_units_t units, bool time_axis, bool log);
void chart_y_axis(chart_t *c, const char *label, chart_units_t units, bool log);
/* Time axis labels in UTC plus offset_sec (e.g. 7200 and "+02:00"). */
void chart_time_zone(chart_t *c, int offset_sec, const char *name);
/* Add a series (copied).  For CHART_HBARS x is ignored and labels name the
 * bars (copied). */
void chart_add_series(chart_t *c, const char *name, const double *x, const double *y, size_t n);
void chart_bar_labels(chart_t *c, const char *const *labels, size_t n);
/* A vertical marker line at x with a label. */
void chart_marker(chart_t *c, double x, const char *label);
/* Shown centred when there is no data. */
void chart_empty_note(chart_t *c, const char *note);

int chart_render_png(chart_t *c, const char *path, int width, int height);
int chart_render_pdf(chart_t *c, const char *path, double width_pt, double height_pt);
const char *chart_error(const chart_t *c);
void chart_free(chart_t *c);

/* Helpers exposed for tests. */
/* Nice tick step for a range with about `target` ticks (1, 2, 5 × 10^k). */
double chart_nice_step(double range, int target);
/* Format v with units into out ("1.5 MB", "12 Mbit/s", "250 ms"). */
void chart_format(double v, chart_units_t units, char *out, size_t len);
/* Time-axis step in seconds for a span with about `target` ticks. */
double chart_time_step(double span_sec, int target);
/* Reduce n points to at most 2*columns (min and max per column, in x order);
 * returns the new count; xs/ys written to out arrays of 2*columns. */
size_t chart_downsample(const double *x, const double *y, size_t n, size_t columns, double *ox,
                        double *oy);

#endif
