/*
 * scale.c — axis ranges and value-to-page mapping (scale.h).
 */
#include "scale.h"

#include "theme.h"

#include <math.h>

/* Headroom above (and below, when negative) the data on value axes. */
#define SCALE_PAD 0.05
/* Margin around scatter data on x, so edge points are not cut in half. */
#define SCALE_SCATTER_PAD 0.03

static void widen(data_range_t *r, double v)
{
    if (!isfinite(v))
        return;
    r->fractional |= v != floor(v);
    if (!r->any) {
        r->lo = r->hi = v;
        r->any = true;
        return;
    }
    if (v < r->lo)
        r->lo = v;
    if (v > r->hi)
        r->hi = v;
}

/* Widen by finite values, skipping those a log axis cannot show. */
static void widen_axis(data_range_t *r, double v, bool log)
{
    if (log && !(v > 0))
        return;
    widen(r, v);
}

double scale_bar_half_width(const double *x, size_t n)
{
    double gap = INFINITY;
    for (size_t i = 1; i < n; i++)
        if (x[i] - x[i - 1] > 0 && x[i] - x[i - 1] < gap)
            gap = x[i] - x[i - 1];
    if (!isfinite(gap))
        gap = 1;
    return gap * THEME_BAR_FILL / 2;
}

/* Sum of index i over every series of a style (stacks), values >= 0. */
static double stack_total(const chart_t *c, series_style_t style, size_t i)
{
    double t = 0;
    for (size_t k = 0; k < c->n_series; k++) {
        const chart_series_t *s = &c->series[k];
        if (s->style == style && i < s->n && s->y[i] > 0)
            t += s->y[i];
    }
    return t;
}

/* The first series of a style (stacks share its x and labels). */
static const chart_series_t *first_series(const chart_t *c, series_style_t style)
{
    for (size_t k = 0; k < c->n_series; k++)
        if (c->series[k].style == style)
            return &c->series[k];
    return NULL;
}

static void stacked_extents(const chart_t *c, series_style_t style, data_range_t out[3])
{
    const chart_series_t *first = first_series(c, style);
    if (!first || first->n == 0)
        return;
    bool ylog = c->axes[CHART_Y].log;
    double half = style == STYLE_BARS ? scale_bar_half_width(first->x, first->n) : 0;
    for (size_t i = 0; i < first->n; i++) {
        widen(&out[CHART_X], first->x[i] - half);
        widen(&out[CHART_X], first->x[i] + half);
        widen_axis(&out[CHART_Y], stack_total(c, style, i), ylog);
    }
}

static void category_extents(const chart_t *c, series_style_t style, data_range_t out[3])
{
    const chart_series_t *first = first_series(c, style);
    if (!first || first->n == 0)
        return;
    chart_axis_t cat = style == STYLE_HBARS ? CHART_Y : CHART_X;
    chart_axis_t val = style == STYLE_HBARS ? CHART_X : CHART_Y;
    widen(&out[cat], -0.5);
    widen(&out[cat], (double)first->n - 0.5);
    for (size_t i = 0; i < first->n; i++)
        widen_axis(&out[val], stack_total(c, style, i), c->axes[val].log);
}

static void xy_extents(const chart_t *c, const chart_series_t *s, data_range_t out[3])
{
    bool xlog = c->axes[CHART_X].log, ylog = c->axes[s->axis].log;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->y[i]) || (xlog && !(s->x[i] > 0)) || (ylog && !(s->y[i] > 0)))
            continue;
        widen(&out[CHART_X], s->x[i]);
        widen(&out[s->axis], s->y[i]);
    }
}

static void hist_extents(const hist_bins_t *h, data_range_t out[3])
{
    if (h->n == 0)
        return;
    widen(&out[CHART_X], h->lo);
    widen(&out[CHART_X], h->lo + (double)h->n * h->width);
    for (size_t k = 0; k < CHART_MAX_SERIES; k++)
        for (size_t i = 0; h->counts[k] && i < h->n; i++)
            widen(&out[CHART_Y], h->counts[k][i]);
}

void scale_extents(const chart_t *c, const hist_bins_t *h, data_range_t out[3])
{
    for (int a = 0; a < 3; a++)
        out[a] = (data_range_t){0, 0, false, false};
    stacked_extents(c, STYLE_AREA, out);
    stacked_extents(c, STYLE_BARS, out);
    category_extents(c, STYLE_CBARS, out);
    category_extents(c, STYLE_HBARS, out);
    hist_extents(h, out);
    for (size_t k = 0; k < c->n_series; k++) {
        const chart_series_t *s = &c->series[k];
        if (s->style == STYLE_LINE || s->style == STYLE_STEP || s->style == STYLE_SCATTER ||
            s->style == STYLE_POINTS)
            xy_extents(c, s, out);
    }
    /* Marker lines only widen an axis that has data: a lone marker on an
     * empty chart would otherwise invent a range. */
    for (size_t i = 0; i < c->n_markers; i++) {
        const chart_marker_t *m = &c->markers[i];
        if (out[m->axis].any)
            widen_axis(&out[m->axis], m->at, c->axes[m->axis].log);
    }
}

/* Value axes start at zero; x and categories do not. */
static bool starts_at_zero(const chart_t *c, chart_axis_t axis)
{
    if (c->kind == CHART_HBARS)
        return axis == CHART_X;
    return axis != CHART_X;
}

log_ladder_t scale_ladder(chart_format_t format)
{
    if (format == CHART_FMT_BINARY)
        return LADDER_BINARY;
    if (format == CHART_FMT_DURATION || format == CHART_FMT_RELTIME)
        return LADDER_DURATION;
    return LADDER_DECIMAL;
}

static void resolve_log(data_range_t r, chart_format_t format, scale_t *s)
{
    if (!r.any || !(r.lo > 0)) {
        s->lo = 1, s->hi = 10;
        return;
    }
    if (r.hi / r.lo >= 10) {
        /* Round ends read best: 1 kB .. 1 GB rather than 1.3 kB .. 0.8 GB. */
        ticks_log_bounds(scale_ladder(format), r.lo, r.hi, &s->lo, &s->hi);
        return;
    }
    double a = log10(r.lo), b = log10(r.hi);
    double pad = b > a ? (b - a) * SCALE_PAD : 0.5;
    s->lo = pow(10, a - pad), s->hi = pow(10, b + pad);
}

static void resolve_linear(const chart_t *c, chart_axis_t axis, data_range_t r, scale_t *s)
{
    if (!r.any) {
        s->lo = 0, s->hi = 1;
        return;
    }
    double lo = r.lo, hi = r.hi;
    bool zero = starts_at_zero(c, axis);
    if (zero)
        lo = lo < 0 ? lo : 0, hi = hi > 0 ? hi : 0;
    if (hi == lo) {
        /* One value: a minute around a single time, 10 % around a number. */
        double d = c->axes[axis].format == CHART_FMT_TIME ? 30 : lo != 0 ? fabs(lo) * 0.1 : 1;
        lo = zero && lo >= 0 ? lo : lo - d;
        hi = hi + d;
    }
    double pad = (hi - lo) * SCALE_PAD;
    if (zero || c->kind == CHART_SCATTER) {
        double p = zero ? pad : (hi - lo) * SCALE_SCATTER_PAD;
        if (hi > 0 || !zero)
            hi += p;
        if (lo < 0 || !zero)
            lo -= p;
    }
    s->lo = lo, s->hi = hi;
}

void scale_resolve(const chart_t *c, chart_axis_t axis, data_range_t r, scale_t *s)
{
    const chart_axis_opts_t *o = &c->axes[axis];
    s->log = o->log;
    s->integral = r.any && !r.fractional;
    if (s->log)
        resolve_log(r, o->format, s);
    else
        resolve_linear(c, axis, r, s);
    if (!isnan(o->min) && (!s->log || o->min > 0))
        s->lo = o->min;
    if (!isnan(o->max) && (!s->log || o->max > 0))
        s->hi = o->max;
    if (!(s->hi > s->lo)) /* one end fixed past the other automatic end */
        s->hi = s->lo + (s->log ? s->lo * 9 : 1);
}

static double clamp_coord(double p)
{
    if (p > SCALE_COORD_LIMIT)
        return SCALE_COORD_LIMIT;
    if (p < -SCALE_COORD_LIMIT)
        return -SCALE_COORD_LIMIT;
    return p;
}

double scale_map(const scale_t *s, double v)
{
    if (!isfinite(v))
        return NAN;
    double t;
    if (s->log) {
        if (!(v > 0))
            return NAN;
        t = (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
    } else {
        t = (v - s->lo) / (s->hi - s->lo);
    }
    return clamp_coord(s->p0 + t * (s->p1 - s->p0));
}

double scale_unmap(const scale_t *s, double p)
{
    double t = (p - s->p0) / (s->p1 - s->p0);
    if (s->log)
        return pow(10, log10(s->lo) + t * (log10(s->hi) - log10(s->lo)));
    return s->lo + t * (s->hi - s->lo);
}
