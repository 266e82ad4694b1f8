/* charts.c — see charts.h.  Drawing is one function per part (frame, axes,
 * series, legend) over a cairo context, so PNG and PDF share all of it. */
#include "charts.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SERIES 8
#define MAX_MARKERS 8
#define FONT "DejaVu Sans"

/* Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
static const double palette[MAX_SERIES][3] = {
    {0.000, 0.447, 0.698}, {0.902, 0.624, 0.000}, {0.000, 0.620, 0.451}, {0.835, 0.369, 0.000},
    {0.800, 0.475, 0.655}, {0.337, 0.706, 0.914}, {0.941, 0.894, 0.259}, {0.3, 0.3, 0.3}};

typedef struct series {
    char *name;
    double *x, *y;
    size_t n;
} series_t;

typedef struct axis {
    char *label;
    chart_units_t units;
    bool time, log;
    double lo, hi;
} axis_t;

struct chart {
    chart_kind_t kind;
    char *title, *subtitle, *empty_note;
    axis_t ax, ay;
    series_t s[MAX_SERIES];
    int ns;
    char **labels;
    size_t nlabels;
    double mx[MAX_MARKERS];
    char *mlabel[MAX_MARKERS];
    int nm;
    int tz_offset;
    char tz_name[16];
    char err[128];
};

static char *dup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

chart_t *chart_new(chart_kind_t kind, const char *title)
{
    chart_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->kind = kind;
    c->title = dup(title);
    strcpy(c->tz_name, "UTC");
    return c;
}

void chart_subtitle(chart_t *c, const char *s) { free(c->subtitle), c->subtitle = dup(s); }
void chart_empty_note(chart_t *c, const char *s) { free(c->empty_note), c->empty_note = dup(s); }

void chart_x_axis(chart_t *c, const char *label, chart_units_t u, bool time_axis, bool log)
{
    free(c->ax.label);
    c->ax.label = dup(label);
    c->ax.units = u, c->ax.time = time_axis, c->ax.log = log;
}

void chart_y_axis(chart_t *c, const char *label, chart_units_t u, bool log)
{
    free(c->ay.label);
    c->ay.label = dup(label);
    c->ay.units = u, c->ay.log = log;
}

void chart_time_zone(chart_t *c, int offset, const char *name)
{
    c->tz_offset = offset;
    snprintf(c->tz_name, sizeof c->tz_name, "%s", name ? name : "UTC");
}

void chart_add_series(chart_t *c, const char *name, const double *x, const double *y, size_t n)
{
    if (c->ns == MAX_SERIES)
        return;
    series_t *s = &c->s[c->ns++];
    s->name = dup(name);
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    if (!s->x || !s->y) {
        s->n = 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        s->x[i] = x ? x[i] : (double)i;
        s->y[i] = y[i];
    }
    s->n = n;
}

void chart_bar_labels(chart_t *c, const char *const *labels, size_t n)
{
    c->labels = calloc(n ? n : 1, sizeof *c->labels);
    if (!c->labels)
        return;
    for (size_t i = 0; i < n; i++)
        c->labels[i] = dup(labels[i]);
    c->nlabels = n;
}

void chart_marker(chart_t *c, double x, const char *label)
{
    if (c->nm < MAX_MARKERS) {
        c->mx[c->nm] = x;
        c->mlabel[c->nm++] = dup(label);
    }
}

const char *chart_error(const chart_t *c) { return c->err; }

void chart_free(chart_t *c)
{
    if (!c)
        return;
    free(c->title), free(c->subtitle), free(c->empty_note), free(c->ax.label), free(c->ay.label);
    for (int i = 0; i < c->ns; i++)
        free(c->s[i].name), free(c->s[i].x), free(c->s[i].y);
    for (size_t i = 0; i < c->nlabels; i++)
        free(c->labels[i]);
    free(c->labels);
    for (int i = 0; i < c->nm; i++)
        free(c->mlabel[i]);
    free(c);
}

/* ---- numbers ---- */

double chart_nice_step(double range, int target)
{
    if (!(range > 0) || target < 1)
        return 1;
    double raw = range / target, p = pow(10, floor(log10(raw))), f = raw / p;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * p;
}

double chart_time_step(double span, int target)
{
    static const double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2,
                                   5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
                                   10800, 21600, 43200, 86400, 172800, 604800};
    double raw = span / (target > 0 ? target : 1);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] >= raw)
            return steps[i];
    return chart_nice_step(span / 86400, target) * 86400;
}

void chart_format(double v, chart_units_t u, char *out, size_t len)
{
    static const char *const si[] = {"", "k", "M", "G", "T", "P"};
    double a = fabs(v);
    int k = 0;
    switch (u) {
    case UNITS_BYTES:
    case UNITS_BITRATE: {
        if (u == UNITS_BITRATE)
            v *= 8, a *= 8;
        while (a >= 1000 && k < 5)
            a /= 1000, v /= 1000, k++;
        const char *unit = u == UNITS_BYTES ? "B" : "bit/s";
        bool whole = a >= 10 && fabs(a - floor(a + 0.5)) < 0.05;
        snprintf(out, len, whole || a >= 100 || k == 0 ? "%.0f %s%s" : "%.1f %s%s", v, si[k],
                 unit);
        return;
    }
    case UNITS_SECONDS:
        if (a == 0)
            snprintf(out, len, "0 s");
        else if (a < 1e-3)
            snprintf(out, len, "%.0f µs", v * 1e6);
        else if (a < 1)
            snprintf(out, len, "%.0f ms", v * 1e3);
        else
            snprintf(out, len, a < 10 ? "%.1f s" : "%.0f s", v);
        return;
    case UNITS_PLAIN:
    default:
        while (a >= 10000 && k < 5)
            a /= 1000, v /= 1000, k++;
        if (k)
            snprintf(out, len, "%.4g%s", v, si[k]);
        else
            snprintf(out, len, "%.4g", v);
        return;
    }
}

size_t chart_downsample(const double *x, const double *y, size_t n, size_t cols, double *ox,
                        double *oy)
{
    if (n <= 2 * cols || cols == 0) {
        memcpy(ox, x, n * sizeof *x);
        memcpy(oy, y, n * sizeof *y);
        return n;
    }
    double x0 = x[0], x1 = x[n - 1], w = (x1 - x0) / (double)cols;
    size_t k = 0, i = 0;
    for (size_t col = 0; col < cols && i < n; col++) {
        double edge = col + 1 == cols ? INFINITY : x0 + w * (double)(col + 1);
        size_t lo = i, hi = i;
        for (; i < n && x[i] < edge; i++) {
            if (y[i] < y[lo])
                lo = i;
            if (y[i] > y[hi])
                hi = i;
        }
        if (i == lo && i == hi && lo == i)
            continue;
        size_t a = lo < hi ? lo : hi, b = lo < hi ? hi : lo;
        ox[k] = x[a], oy[k++] = y[a];
        if (b != a)
            ox[k] = x[b], oy[k++] = y[b];
    }
    return k;
}

/* ---- layout ---- */

typedef struct frame {
    double x0, y0, x1, y1; /* plot area in device units */
    double sc;             /* font scale */
} frame_t;

static double tx(const chart_t *c, const frame_t *f, double v)
{
    double lo = c->ax.lo, hi = c->ax.hi;
    if (c->ax.log)
        v = log10(v > 0 ? v : lo), lo = log10(lo), hi = log10(hi);
    return f->x0 + (v - lo) / (hi - lo) * (f->x1 - f->x0);
}

static double ty(const chart_t *c, const frame_t *f, double v)
{
    double lo = c->ay.lo, hi = c->ay.hi;
    if (c->ay.log)
        v = log10(v > 0 ? v : lo), lo = log10(lo), hi = log10(hi);
    return f->y1 - (v - lo) / (hi - lo) * (f->y1 - f->y0);
}

static bool has_data(const chart_t *c)
{
    for (int i = 0; i < c->ns; i++)
        if (c->s[i].n)
            return true;
    return false;
}

static void ranges(chart_t *c)
{
    double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
    size_t maxn = 0;
    for (int i = 0; i < c->ns; i++)
        maxn = c->s[i].n > maxn ? c->s[i].n : maxn;
    for (int i = 0; i < c->ns; i++)
        for (size_t j = 0; j < c->s[i].n; j++) {
            double x = c->s[i].x[j], y = c->s[i].y[j];
            if (c->kind == CHART_AREA_STACKED)
                for (int k = 0; k < i; k++)
                    y += j < c->s[k].n ? c->s[k].y[j] : 0;
            if (c->ax.log && x <= 0)
                continue;
            if (c->ay.log && y <= 0)
                continue;
            xl = fmin(xl, x), xh = fmax(xh, x), yl = fmin(yl, y), yh = fmax(yh, y);
        }
    for (int i = 0; i < c->nm; i++)
        xl = fmin(xl, c->mx[i]), xh = fmax(xh, c->mx[i]);
    if (!isfinite(xl))
        xl = 0, xh = 1, yl = 0, yh = 1;
    if (c->kind == CHART_HBARS)
        xl = 0, xh = fmax(yh, 1), yl = 0, yh = (double)maxn;
    if (!c->ay.log && c->kind != CHART_HBARS && yl > 0)
        yl = 0;
    if (c->kind == CHART_BARS) {
        double pad = maxn > 1 ? (xh - xl) / (double)(maxn - 1) / 2 : 0.5;
        xl -= pad, xh += pad;
    }
    if (xh <= xl)
        xh = xl + 1;
    if (yh <= yl)
        yh = yl + 1;
    if (!c->ay.log && c->kind != CHART_HBARS)
        yh += (yh - yl) * 0.05;
    if (c->ax.log)
        xl = pow(10, floor(log10(xl))), xh = pow(10, ceil(log10(xh)));
    if (c->ay.log)
        yl = pow(10, floor(log10(yl))), yh = pow(10, ceil(log10(yh)));
    c->ax.lo = xl, c->ax.hi = xh, c->ay.lo = yl, c->ay.hi = yh;
}

static void text(cairo_t *cr, double x, double y, const char *s, double size, bool bold,
                 double halign, double valign)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.width * halign - e.x_bearing, y - e.height * valign - e.y_bearing);
    cairo_show_text(cr, s);
}

static double text_width(cairo_t *cr, const char *s, double size)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

static void format_time(const chart_t *c, double t, double step, char *out, size_t len)
{
    time_t s = (time_t)floor(t) + c->tz_offset;
    struct tm tm;
    gmtime_r(&s, &tm);
    if (step >= 86400)
        strftime(out, len, "%b %d", &tm);
    else if (step >= 60)
        strftime(out, len, "%H:%M", &tm);
    else if (step >= 1)
        strftime(out, len, "%H:%M:%S", &tm);
    else
        snprintf(out, len, "%02d:%02d:%06.3f", tm.tm_min, tm.tm_sec, fmod(t, 60));
}

static void grid_and_ticks(cairo_t *cr, chart_t *c, const frame_t *f)
{
    double fs = 11 * f->sc;
    char buf[64];
    cairo_set_line_width(cr, 1);
    /* y */
    if (c->kind != CHART_HBARS) {
        if (c->ay.log) {
            for (double v = c->ay.lo; v <= c->ay.hi * 1.0001; v *= 10) {
                double y = ty(c, f, v);
                cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
                cairo_move_to(cr, f->x0, y), cairo_line_to(cr, f->x1, y), cairo_stroke(cr);
                chart_format(v, c->ay.units, buf, sizeof buf);
                cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
                text(cr, f->x0 - 6 * f->sc, y, buf, fs, false, 1, 0.5);
            }
        } else {
            double step = chart_nice_step(c->ay.hi - c->ay.lo, 6);
            for (double v = ceil(c->ay.lo / step) * step; v <= c->ay.hi + step * 1e-9; v += step) {
                double y = ty(c, f, v);
                cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
                cairo_move_to(cr, f->x0, y), cairo_line_to(cr, f->x1, y), cairo_stroke(cr);
                chart_format(fabs(v) < step * 1e-9 ? 0 : v, c->ay.units, buf, sizeof buf);
                cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
                text(cr, f->x0 - 6 * f->sc, y, buf, fs, false, 1, 0.5);
            }
        }
    }
    /* x */
    double span = c->ax.hi - c->ax.lo;
    double step = c->ax.time ? chart_time_step(span, 6) : chart_nice_step(span, 6);
    double last_right = -1e9;
    if (c->ax.log) {
        for (double v = c->ax.lo; v <= c->ax.hi * 1.0001; v *= 10) {
            double x = tx(c, f, v);
            cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
            cairo_move_to(cr, x, f->y0), cairo_line_to(cr, x, f->y1), cairo_stroke(cr);
            chart_format(v, c->ax.units, buf, sizeof buf);
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
            text(cr, x, f->y1 + 6 * f->sc, buf, fs, false, 0.5, 0);
        }
        return;
    }
    double first = ceil((c->ax.lo + (c->ax.time ? c->tz_offset : 0)) / step) * step -
                   (c->ax.time ? c->tz_offset : 0);
    for (double v = first; v <= c->ax.hi + step * 1e-9; v += step) {
        double x = tx(c, f, v);
        if (c->kind != CHART_HBARS) {
            cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
            cairo_move_to(cr, x, f->y0), cairo_line_to(cr, x, f->y1), cairo_stroke(cr);
        }
        if (c->ax.time)
            format_time(c, v, step, buf, sizeof buf);
        else
            chart_format(fabs(v) < step * 1e-9 ? 0 : v, c->ax.units, buf, sizeof buf);
        double w = text_width(cr, buf, fs);
        if (x - w / 2 < last_right + 8 * f->sc)
            continue; /* never overlap tick labels */
        last_right = x + w / 2;
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        text(cr, x, f->y1 + 6 * f->sc, buf, fs, false, 0.5, 0);
    }
}

static void set_color(cairo_t *cr, int i, double alpha)
{
    cairo_set_source_rgba(cr, palette[i % MAX_SERIES][0], palette[i % MAX_SERIES][1],
                          palette[i % MAX_SERIES][2], alpha);
}

static void draw_lines(cairo_t *cr, chart_t *c, const frame_t *f, int i)
{
    series_t *s = &c->s[i];
    size_t cols = (size_t)(f->x1 - f->x0);
    double *ox = malloc((2 * cols + s->n + 1) * sizeof *ox);
    double *oy = malloc((2 * cols + s->n + 1) * sizeof *oy);
    if (!ox || !oy) {
        free(ox), free(oy);
        return;
    }
    size_t n = chart_downsample(s->x, s->y, s->n, cols, ox, oy);
    set_color(cr, i, 1);
    cairo_set_line_width(cr, 1.8 * f->sc);
    for (size_t j = 0; j < n; j++) {
        double x = tx(c, f, ox[j]), y = ty(c, f, oy[j]);
        if (j == 0) {
            cairo_move_to(cr, x, y);
        } else if (c->kind == CHART_STEP) {
            double py = ty(c, f, oy[j - 1]);
            cairo_line_to(cr, x, py);
            cairo_line_to(cr, x, y);
        } else {
            cairo_line_to(cr, x, y);
        }
    }
    cairo_stroke(cr);
    free(ox), free(oy);
}

static void draw_area(cairo_t *cr, chart_t *c, const frame_t *f)
{
    size_t n = c->s[0].n;
    double *base = calloc(n ? n : 1, sizeof *base);
    if (!base)
        return;
    for (int i = 0; i < c->ns; i++) {
        series_t *s = &c->s[i];
        cairo_move_to(cr, tx(c, f, s->x[0]), ty(c, f, base[0]));
        for (size_t j = 0; j < s->n && j < n; j++)
            cairo_line_to(cr, tx(c, f, s->x[j]), ty(c, f, base[j] + s->y[j]));
        for (size_t j = (s->n < n ? s->n : n); j-- > 0;)
            cairo_line_to(cr, tx(c, f, s->x[j]), ty(c, f, base[j]));
        cairo_close_path(cr);
        set_color(cr, i, 0.75);
        cairo_fill(cr);
        for (size_t j = 0; j < s->n && j < n; j++)
            base[j] += s->y[j];
    }
    free(base);
}

static void draw_bars(cairo_t *cr, chart_t *c, const frame_t *f)
{
    series_t *s = &c->s[0];
    double w = s->n > 1 ? (tx(c, f, s->x[1]) - tx(c, f, s->x[0])) * 0.85
                        : (f->x1 - f->x0) * 0.5;
    if (w < 1)
        w = 1;
    set_color(cr, 0, 0.85);
    for (size_t j = 0; j < s->n; j++) {
        double x = tx(c, f, s->x[j]), y = ty(c, f, s->y[j]), y0 = ty(c, f, c->ay.lo);
        cairo_rectangle(cr, x - w / 2, y, w, y0 - y);
    }
    cairo_fill(cr);
}

static void draw_hbars(cairo_t *cr, chart_t *c, const frame_t *f)
{
    series_t *s = &c->s[0];
    double slot = (f->y1 - f->y0) / (double)(s->n ? s->n : 1);
    char buf[64];
    for (size_t j = 0; j < s->n; j++) {
        double y = f->y0 + slot * (double)j + slot * 0.15, h = slot * 0.7;
        double x1 = tx(c, f, s->y[j]);
        set_color(cr, 0, 0.85);
        cairo_rectangle(cr, f->x0, y, x1 - f->x0, h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        char lab[40];
        snprintf(lab, sizeof lab, "%.36s", j < c->nlabels && c->labels[j] ? c->labels[j] : "");
        text(cr, f->x0 - 8 * f->sc, y + h / 2, lab, 11 * f->sc, false, 1, 0.5);
        chart_format(s->y[j], c->ax.units, buf, sizeof buf);
        text(cr, x1 + 5 * f->sc, y + h / 2, buf, 10 * f->sc, false, 0, 0.5);
    }
}

static void draw_scatter(cairo_t *cr, chart_t *c, const frame_t *f, int i)
{
    series_t *s = &c->s[i];
    set_color(cr, i, 0.6);
    for (size_t j = 0; j < s->n; j++) {
        if ((c->ax.log && s->x[j] <= 0) || (c->ay.log && s->y[j] <= 0))
            continue;
        cairo_arc(cr, tx(c, f, s->x[j]), ty(c, f, s->y[j]), 3 * f->sc, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

static void legend(cairo_t *cr, chart_t *c, const frame_t *f)
{
    if (c->ns < 2 || c->kind == CHART_HBARS)
        return;
    /* one row above the plot area: never over the data */
    double x = f->x0, y = f->y0 - 14 * f->sc, fs = 11 * f->sc;
    for (int i = 0; i < c->ns; i++) {
        set_color(cr, i, 1);
        cairo_rectangle(cr, x, y - 5 * f->sc, 14 * f->sc, 10 * f->sc);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        const char *n = c->s[i].name ? c->s[i].name : "";
        text(cr, x + 19 * f->sc, y, n, fs, false, 0, 0.5);
        x += 19 * f->sc + text_width(cr, n, fs) + 18 * f->sc;
    }
}

static void draw(chart_t *c, cairo_t *cr, double W, double H)
{
    frame_t f;
    f.sc = W / 900.0 < 0.6 ? 0.6 : W / 900.0;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, 20 * f.sc, 16 * f.sc, c->title ? c->title : "", 16 * f.sc, true, 0, 0);
    if (c->subtitle) {
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        text(cr, 20 * f.sc, 40 * f.sc, c->subtitle, 11 * f.sc, false, 0, 0);
    }
    ranges(c);
    double left = 85 * f.sc;
    if (c->kind == CHART_HBARS) {
        left = 60 * f.sc;
        for (size_t i = 0; i < c->nlabels; i++) {
            char lab[40];
            snprintf(lab, sizeof lab, "%.36s", c->labels[i] ? c->labels[i] : "");
            double w = text_width(cr, lab, 11 * f.sc) + 18 * f.sc;
            left = w > left ? w : left;
        }
    }
    f.x0 = left;
    f.x1 = W - (c->kind == CHART_HBARS ? 90 : 30) * f.sc;
    f.y0 = (c->subtitle ? 84 : 70) * f.sc;
    f.y1 = H - 62 * f.sc;
    if (!has_data(c)) {
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_rectangle(cr, f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        text(cr, (f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2,
             c->empty_note ? c->empty_note : "No data", 14 * f.sc, false, 0.5, 0.5);
        return;
    }
    grid_and_ticks(cr, c, &f);
    cairo_save(cr);
    cairo_rectangle(cr, f.x0, f.y0 - 1, f.x1 - f.x0, f.y1 - f.y0 + 2);
    cairo_clip(cr);
    switch (c->kind) {
    case CHART_AREA_STACKED: draw_area(cr, c, &f); break;
    case CHART_BARS: draw_bars(cr, c, &f); break;
    case CHART_HBARS: break;
    case CHART_SCATTER:
        for (int i = 0; i < c->ns; i++)
            draw_scatter(cr, c, &f, i);
        break;
    default:
        for (int i = 0; i < c->ns; i++)
            draw_lines(cr, c, &f, i);
    }
    cairo_restore(cr);
    if (c->kind == CHART_HBARS)
        draw_hbars(cr, c, &f);
    for (int i = 0; i < c->nm; i++) {
        double x = tx(c, &f, c->mx[i]);
        cairo_set_source_rgb(cr, 0.84, 0.37, 0.0);
        cairo_set_line_width(cr, 1.5 * f.sc);
        double dash[] = {5 * f.sc, 4 * f.sc};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, x, f.y0), cairo_line_to(cr, x, f.y1), cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (c->mlabel[i])
            text(cr, x + 5 * f.sc, f.y0 + 6 * f.sc, c->mlabel[i], 11 * f.sc, true, 0, 0);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, f.x0, f.y0), cairo_line_to(cr, f.x0, f.y1), cairo_line_to(cr, f.x1, f.y1);
    cairo_stroke(cr);
    legend(cr, c, &f);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    char xl[160];
    if (c->ax.time) {
        char day[32] = "";
        time_t s = (time_t)c->ax.lo + c->tz_offset;
        struct tm tm;
        gmtime_r(&s, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        snprintf(xl, sizeof xl, "%s (%s, from %s)", c->ax.label ? c->ax.label : "Time",
                 c->tz_name, day);
    } else {
        snprintf(xl, sizeof xl, "%s", c->ax.label ? c->ax.label : "");
    }
    text(cr, (f.x0 + f.x1) / 2, H - 22 * f.sc, xl, 12 * f.sc, false, 0.5, 0.5);
    if (c->ay.label && c->kind != CHART_HBARS) {
        cairo_save(cr);
        cairo_translate(cr, 16 * f.sc, (f.y0 + f.y1) / 2);
        cairo_rotate(cr, -M_PI / 2);
        text(cr, 0, 0, c->ay.label, 12 * f.sc, false, 0.5, 0.5);
        cairo_restore(cr);
    }
}

int chart_render_png(chart_t *c, const char *path, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    draw(c, cr, w, h);
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(s, path);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(c->err, sizeof c->err, "%s", cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

int chart_render_pdf(chart_t *c, const char *path, double w, double h)
{
    cairo_surface_t *s = cairo_pdf_surface_create(path, w, h);
    /* no creation date: the same case gives the same bytes */
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "pcapcase");
    cairo_t *cr = cairo_create(s);
    draw(c, cr, w, h);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(c->err, sizeof c->err, "%s", cairo_status_to_string(st));
        return -1;
    }
    return 0;
}
