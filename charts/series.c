/*
 * series.c — adding data to a chart: series, category bars, point markers
 * and marker lines.  Everything is copied; large line and scatter series are
 * reduced on the way in (reduce.h) so a chart never holds more than a few
 * hundred kilobytes per series, whatever the caller had.
 */
#include "chart_internal.h"

#include "reduce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Small helpers ------------------------------------------------------- */

static double *copy_doubles(const double *src, size_t n)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, src, n * sizeof *d);
    return d;
}

/* Shrink a buffer to n values (keeps the old one if realloc fails). */
static double *shrink(double *p, size_t n)
{
    double *q = realloc(p, (n ? n : 1) * sizeof *p);
    return q ? q : p;
}

static bool ascending(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (!(x[i] >= x[i - 1]))
            return false;
    return true;
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

typedef struct xy_pair {
    double x, y;
} xy_pair_t;

static int compare_x(const void *a, const void *b)
{
    double xa = ((const xy_pair_t *)a)->x, xb = ((const xy_pair_t *)b)->x;
    return (xa > xb) - (xa < xb);
}

/* Slot for a new series with the given style, or NULL (error set). */
static chart_series_t *new_series(chart_t *c, const char *name, series_style_t style)
{
    if (c->n_series >= CHART_MAX_SERIES) {
        chart_fail(c, "too many series (at most %d)", CHART_MAX_SERIES);
        return NULL;
    }
    chart_series_t *s = &c->series[c->n_series];
    memset(s, 0, sizeof *s);
    if (chart_set_text(c, &s->name, name) != 0)
        return NULL;
    s->style = style;
    s->color = CHART_COLOR_AUTO;
    s->axis = CHART_Y;
    return s;
}

/* Keep the new series (returns its id). */
static int commit_series(chart_t *c)
{
    return (int)c->n_series++;
}

/* Undo new_series after a failure; returns -1. */
static int drop_series(chart_t *c, chart_series_t *s)
{
    free(s->name);
    free(s->x);
    free(s->y);
    memset(s, 0, sizeof *s);
    (void)c;
    return -1;
}

/* ---- Lines and steps ----------------------------------------------------- */

/* Copy the points with a finite x, sorted by x; infinite y becomes NaN (a
 * gap).  Sets s->x, s->y, s->n. */
static int copy_sorted(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    xy_pair_t *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return chart_fail(c, "out of memory (%zu points)", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            p[m++] = (xy_pair_t){x[i], isfinite(y[i]) ? y[i] : NAN};
    qsort(p, m, sizeof *p, compare_x);
    s->x = malloc((m ? m : 1) * sizeof *s->x);
    s->y = malloc((m ? m : 1) * sizeof *s->y);
    if (!s->x || !s->y) {
        free(p);
        return chart_fail(c, "out of memory (%zu points)", n);
    }
    for (size_t i = 0; i < m; i++)
        s->x[i] = p[i].x, s->y[i] = p[i].y;
    s->n = m;
    free(p);
    return 0;
}

/* Replace s->x/y by their M4 reduction over CHART_KEEP_COLUMNS columns. */
static int reduce_line(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    size_t cap = REDUCE_M4_CAP(CHART_KEEP_COLUMNS);
    double *ox = malloc(cap * sizeof *ox), *oy = malloc(cap * sizeof *oy);
    if (!ox || !oy) {
        free(ox);
        free(oy);
        return chart_fail(c, "out of memory reducing %zu points", n);
    }
    size_t m = reduce_m4(x, y, n, x[0], x[n - 1], CHART_KEEP_COLUMNS, ox, oy);
    free(s->x);
    free(s->y);
    s->x = shrink(ox, m);
    s->y = shrink(oy, m);
    s->n = m;
    return 0;
}

static int add_line(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    /* Fast path for the common large case: already clean, reduce straight
     * from the caller's arrays without a full copy. */
    if (n > CHART_REDUCE_ABOVE && all_finite(x, n) && ascending(x, n))
        return reduce_line(c, s, x, y, n);
    if (copy_sorted(c, s, x, y, n) != 0)
        return -1;
    if (s->n > CHART_REDUCE_ABOVE)
        return reduce_line(c, s, s->x, s->y, s->n);
    return 0;
}

/* ---- Scatter and points -------------------------------------------------- */

/* Bounds of the drawable points (finite, > 0 on a log axis). */
static bool drawable_bounds(const double *v, size_t n, bool log, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]) || (log && !(v[i] > 0)))
            continue;
        if (v[i] < *lo)
            *lo = v[i];
        if (v[i] > *hi)
            *hi = v[i];
    }
    return *lo <= *hi;
}

static int add_scatter(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    bool xlog = c->axes[CHART_X].log, ylog = c->axes[CHART_Y].log;
    double x0, x1, y0, y1;
    if (n > CHART_REDUCE_ABOVE && drawable_bounds(x, n, xlog, &x0, &x1) &&
        drawable_bounds(y, n, ylog, &y0, &y1)) {
        size_t cells = (size_t)CHART_SCATTER_GRID * CHART_SCATTER_GRID;
        size_t cap = n < cells ? n : cells;
        s->x = malloc(cap * sizeof *s->x);
        s->y = malloc(cap * sizeof *s->y);
        if (!s->x || !s->y)
            return chart_fail(c, "out of memory reducing %zu points", n);
        size_t m = reduce_grid(x, y, n, x0, x1, xlog, y0, y1, ylog, CHART_SCATTER_GRID,
                               CHART_SCATTER_GRID, s->x, s->y);
        if (m == (size_t)-1)
            return chart_fail(c, "out of memory reducing %zu points", n);
        s->x = shrink(s->x, m);
        s->y = shrink(s->y, m);
        s->n = m;
        return 0;
    }
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    if (!s->x || !s->y)
        return chart_fail(c, "out of memory (%zu points)", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            s->x[m] = x[i], s->y[m] = y[i], m++;
    s->n = m;
    return 0;
}

/* ---- Stacked areas, numeric bars, histograms ----------------------------- */

/* The first committed series of the given style, or NULL. */
static const chart_series_t *first_of_style(const chart_t *c, series_style_t style)
{
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].style == style)
            return &c->series[i];
    return NULL;
}

/* Stacked areas and numeric bars stack by index, so x must be shared. */
static int add_shared_x(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    const chart_series_t *first = first_of_style(c, s->style);
    if (first) {
        if (first->n != n || memcmp(first->x, x, n * sizeof *x) != 0)
            return chart_fail(c, "stacked series must have the x values of the first series");
    } else if (!all_finite(x, n) || !ascending(x, n)) {
        return chart_fail(c, "stacked series need finite, ascending x values");
    }
    s->x = copy_doubles(x, n);
    s->y = copy_doubles(y, n);
    if (!s->x || !s->y)
        return chart_fail(c, "out of memory (%zu points)", n);
    s->n = n;
    return 0;
}

static int add_samples(chart_t *c, chart_series_t *s, const double *x, const double *y, size_t n)
{
    if (y)
        return chart_fail(c, "histogram series take raw samples in x; y must be NULL");
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    if (!s->x)
        return chart_fail(c, "out of memory (%zu samples)", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            s->x[m++] = x[i];
    s->n = m;
    return 0;
}

/* ---- Public entry points ------------------------------------------------- */

static const series_style_t KIND_STYLE[] = {
    [CHART_LINE] = STYLE_LINE,         [CHART_STEP] = STYLE_STEP, [CHART_SCATTER] = STYLE_SCATTER,
    [CHART_AREA_STACKED] = STYLE_AREA, [CHART_BARS] = STYLE_BARS, [CHART_HBARS] = STYLE_HBARS,
    [CHART_HISTOGRAM] = STYLE_HIST,
};

int chart_add_series(chart_t *c, const char *name, const double *x, const double *y, size_t n)
{
    series_style_t style = KIND_STYLE[c->kind];
    if (style == STYLE_HBARS)
        return chart_fail(c, "horizontal bar charts take chart_add_bars()");
    if (style == STYLE_BARS && first_of_style(c, STYLE_CBARS))
        return chart_fail(c, "cannot mix numeric and category bars");
    if (n > 0 && (!x || (!y && style != STYLE_HIST)))
        return chart_fail(c, "chart_add_series: NULL data for %zu points", n);
    chart_series_t *s = new_series(c, name, style);
    if (!s)
        return -1;
    int rc;
    switch (style) {
    case STYLE_LINE:
    case STYLE_STEP:
        rc = add_line(c, s, x, y, n);
        break;
    case STYLE_SCATTER:
        rc = add_scatter(c, s, x, y, n);
        break;
    case STYLE_HIST:
        rc = add_samples(c, s, x, y, n);
        break;
    default:
        rc = add_shared_x(c, s, x, y, n);
        break;
    }
    return rc == 0 ? commit_series(c) : drop_series(c, s);
}

int chart_add_points(chart_t *c, const char *name, const double *x, const double *y, size_t n,
                     chart_shape_t shape, chart_color_t color)
{
    if (c->kind == CHART_HBARS)
        return chart_fail(c, "point markers need numeric axes");
    if ((int)shape < CHART_SHAPE_CIRCLE || shape > CHART_SHAPE_DIAMOND)
        return chart_fail(c, "chart_add_points: no shape %d", (int)shape);
    if ((int)color < CHART_COLOR_AUTO || color > CHART_BLACK)
        return chart_fail(c, "chart_add_points: no colour %d", (int)color);
    if (n > 0 && (!x || !y))
        return chart_fail(c, "chart_add_points: NULL data for %zu points", n);
    chart_series_t *s = new_series(c, name, STYLE_POINTS);
    if (!s)
        return -1;
    s->shape = shape;
    s->color = color;
    if (add_scatter(c, s, x, y, n) != 0)
        return drop_series(c, s);
    return commit_series(c);
}

/* Copy bar labels into s->labels (sanitised).  0 or -1. */
static int copy_labels(chart_t *c, chart_series_t *s, const char *const *labels, size_t n)
{
    s->labels = calloc(n ? n : 1, sizeof *s->labels);
    if (!s->labels)
        return chart_fail(c, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (chart_set_text(c, &s->labels[i], labels[i] ? labels[i] : "") != 0)
            return -1;
    return 0;
}

static void free_labels(chart_series_t *s, size_t n)
{
    if (s->labels)
        for (size_t i = 0; i < n; i++)
            free(s->labels[i]);
    free(s->labels);
    s->labels = NULL;
}

int chart_add_bars(chart_t *c, const char *name, const char *const *labels, const double *values,
                   size_t n)
{
    if (c->kind != CHART_BARS && c->kind != CHART_HBARS)
        return chart_fail(c, "chart_add_bars needs a CHART_BARS or CHART_HBARS chart");
    series_style_t style = c->kind == CHART_HBARS ? STYLE_HBARS : STYLE_CBARS;
    if (first_of_style(c, STYLE_BARS))
        return chart_fail(c, "cannot mix numeric and category bars");
    if (n > CHART_MAX_BARS)
        return chart_fail(c, "%zu bars: at most %d categories", n, CHART_MAX_BARS);
    if (n > 0 && (!labels || !values))
        return chart_fail(c, "chart_add_bars: NULL data for %zu bars", n);
    const chart_series_t *first = first_of_style(c, style);
    if (first && first->n != n)
        return chart_fail(c, "stacked bars need the %zu categories of the first series", first->n);
    chart_series_t *s = new_series(c, name, style);
    if (!s)
        return -1;
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    if (!s->y || copy_labels(c, s, labels, n) != 0) {
        free_labels(s, n);
        if (!s->y)
            chart_fail(c, "out of memory");
        return drop_series(c, s);
    }
    for (size_t i = 0; i < n; i++)
        s->y[i] = isfinite(values[i]) && values[i] > 0 ? values[i] : 0;
    s->n = n;
    return commit_series(c);
}

/* ---- Per-series options --------------------------------------------------- */

static chart_series_t *series_at(chart_t *c, int id, const char *fn)
{
    if (id < 0 || (size_t)id >= c->n_series) {
        chart_fail(c, "%s: no series %d", fn, id);
        return NULL;
    }
    return &c->series[id];
}

static bool is_xy_style(series_style_t st)
{
    return st == STYLE_LINE || st == STYLE_STEP || st == STYLE_SCATTER;
}

int chart_series_set_style(chart_t *c, int series, chart_kind_t style)
{
    chart_series_t *s = series_at(c, series, "chart_series_set_style");
    if (!s)
        return -1;
    if (!is_xy_style(s->style) ||
        (style != CHART_LINE && style != CHART_STEP && style != CHART_SCATTER))
        return chart_fail(c, "chart_series_set_style: only line, step and scatter mix");
    s->style = KIND_STYLE[style];
    return 0;
}

int chart_series_set_color(chart_t *c, int series, chart_color_t color)
{
    chart_series_t *s = series_at(c, series, "chart_series_set_color");
    if (!s)
        return -1;
    if ((int)color < CHART_COLOR_AUTO || color > CHART_BLACK)
        return chart_fail(c, "chart_series_set_color: no colour %d", (int)color);
    s->color = color;
    return 0;
}

int chart_series_set_axis(chart_t *c, int series, chart_axis_t axis)
{
    chart_series_t *s = series_at(c, series, "chart_series_set_axis");
    if (!s)
        return -1;
    if (axis != CHART_Y && axis != CHART_Y2)
        return chart_fail(c, "chart_series_set_axis: series go on CHART_Y or CHART_Y2");
    if (axis == CHART_Y2 && !is_xy_style(s->style) && s->style != STYLE_POINTS)
        return chart_fail(c, "chart_series_set_axis: only line, step, scatter and point "
                             "series can use the right axis");
    s->axis = axis;
    return 0;
}

/* ---- Marker lines --------------------------------------------------------- */

static int add_marker(chart_t *c, bool vertical, chart_axis_t axis, double at, const char *label)
{
    if (c->n_markers >= CHART_MAX_MARKERS)
        return chart_fail(c, "too many marker lines (at most %d)", CHART_MAX_MARKERS);
    if (!isfinite(at))
        return chart_fail(c, "marker line position must be finite");
    chart_marker_t *m = &c->markers[c->n_markers];
    memset(m, 0, sizeof *m);
    if (chart_set_text(c, &m->label, label) != 0)
        return -1;
    m->vertical = vertical;
    m->axis = axis;
    m->at = at;
    c->n_markers++;
    return 0;
}

int chart_add_vline(chart_t *c, double x, const char *label)
{
    return add_marker(c, true, CHART_X, x, label);
}

int chart_add_hline(chart_t *c, chart_axis_t axis, double y, const char *label)
{
    if (axis != CHART_Y && axis != CHART_Y2)
        return chart_fail(c, "chart_add_hline: axis must be CHART_Y or CHART_Y2");
    if (c->kind == CHART_HBARS)
        return chart_fail(c, "chart_add_hline: the y axis of horizontal bars is categories");
    return add_marker(c, false, axis, y, label);
}

/* ---- Queries -------------------------------------------------------------- */

static bool series_has_data(const chart_t *c, const chart_series_t *s)
{
    if (s->style == STYLE_HIST || s->style == STYLE_CBARS || s->style == STYLE_HBARS)
        return s->n > 0;
    bool xlog = c->axes[CHART_X].log, ylog = c->axes[s->axis].log;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->y[i]) && (!ylog || s->y[i] > 0) && (!xlog || s->x[i] > 0))
            return true;
    return false;
}

bool chart_has_data(const chart_t *c)
{
    for (size_t i = 0; i < c->n_series; i++)
        if (series_has_data(c, &c->series[i]))
            return true;
    return false;
}
