/*
 * draw_series.c — painting the data: stacked areas, bars, histograms,
 * lines, steps, scatter dots and point markers, in that order so that
 * lines and markers stay on top of fills.
 *
 * Series are mapped to page coordinates first and reduced again per pixel
 * column of this output (M4 for lines, a pixel grid for dots), so drawing
 * cost follows the size of the picture, not of the data.
 */
#include "draw.h"

#include "dots.h"
#include "palette.h"
#include "reduce.h"
#include "text.h"
#include "theme.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Scatter and point series above this many points are thinned to one per
 * cell of SCATTER_CELL page units: dots are ~5 units wide, so a 1.5-unit
 * grid changes nothing visible while keeping a dense cloud to ~100k fills. */
#define SCATTER_DRAW_MAX 20000
#define SCATTER_CELL 1.5

/* What the series are drawn within: the plot area and a margin for the
 * width of lines and dots at its edges. */
static dots_clip_t series_clip(const frame_t *f)
{
    return (dots_clip_t){f->left - 1.5, f->top - 1.5, f->right + 1.5, f->bottom + 1.5};
}

typedef struct page_points {
    double *x, *y;
    size_t n;
} page_points_t;

static void page_free(page_points_t *p)
{
    free(p->x);
    free(p->y);
    p->x = p->y = NULL;
}

/* Map a series to page coordinates.  Points whose x cannot be shown are
 * dropped; y that cannot be shown becomes NaN if keep_gaps (a break in the
 * line), else the point is dropped. */
static int to_page(chart_t *c, const frame_t *f, const chart_series_t *s, bool keep_gaps,
                   page_points_t *p)
{
    const scale_t *sy = frame_value_scale(f, s);
    p->x = malloc((s->n ? s->n : 1) * sizeof *p->x);
    p->y = malloc((s->n ? s->n : 1) * sizeof *p->y);
    p->n = 0;
    if (!p->x || !p->y) {
        page_free(p);
        return chart_fail(c, "out of memory drawing %zu points", s->n);
    }
    for (size_t i = 0; i < s->n; i++) {
        double px = scale_map(&f->sx, s->x[i]), py = scale_map(sy, s->y[i]);
        if (isnan(px) || (isnan(py) && !keep_gaps))
            continue;
        p->x[p->n] = px, p->y[p->n] = py;
        p->n++;
    }
    return 0;
}

/* Replace p by its M4 reduction over the plot's pixel columns. */
static int reduce_page_line(chart_t *c, const frame_t *f, page_points_t *p)
{
    size_t columns = (size_t)ceil(f->right - f->left);
    if (p->n <= 4 * columns)
        return 0;
    page_points_t r = {malloc(REDUCE_M4_CAP(columns) * sizeof(double)),
                       malloc(REDUCE_M4_CAP(columns) * sizeof(double)), 0};
    if (!r.x || !r.y) {
        page_free(&r);
        return chart_fail(c, "out of memory drawing a line");
    }
    r.n = reduce_m4(p->x, p->y, p->n, f->left, f->right, columns, r.x, r.y);
    page_free(p);
    *p = r;
    return 1;
}

/* Trace a polyline (or steps) through p, breaking at NaN; lone points
 * between gaps become dots so a single sample is not invisible. */
static void trace_line(cairo_t *cr, const page_points_t *p, bool step, double dot_r)
{
    size_t run = 0;
    for (size_t i = 0; i < p->n; i++) {
        bool gap = isnan(p->y[i]);
        bool run_ends = gap || i + 1 == p->n || isnan(p->y[i + 1]);
        if (gap) {
            run = 0;
            continue;
        }
        if (run == 0 && run_ends) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, p->x[i], p->y[i], dot_r, 0, 2 * M_PI);
            cairo_close_path(cr);
            continue;
        }
        if (run == 0)
            cairo_move_to(cr, p->x[i], p->y[i]);
        else if (step) {
            cairo_line_to(cr, p->x[i], p->y[i - 1]);
            cairo_line_to(cr, p->x[i], p->y[i]);
        } else
            cairo_line_to(cr, p->x[i], p->y[i]);
        run++;
    }
}

static int draw_line(cairo_t *cr, chart_t *c, const frame_t *f, const chart_series_t *s,
                     unsigned rgb)
{
    page_points_t p;
    if (to_page(c, f, s, true, &p) != 0)
        return -1;
    int reduced = reduce_page_line(c, f, &p);
    if (reduced < 0)
        return -1;
    /* Once reduced to pixel columns a step and a line cover the same pixels. */
    trace_line(cr, &p, s->style == STYLE_STEP && !reduced, THEME_SERIES_WIDTH);
    palette_source(cr, rgb, 1.0);
    cairo_set_line_width(cr, THEME_SERIES_WIDTH);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
    page_free(&p);
    return 0;
}

/* ---- Dots and markers ----------------------------------------------------- */

int draw_shape_is_stroked(chart_shape_t shape)
{
    return shape == CHART_SHAPE_CROSS || shape == CHART_SHAPE_PLUS;
}

void draw_shape_path(cairo_t *cr, chart_shape_t shape, double x, double y, double r)
{
    cairo_new_sub_path(cr);
    switch (shape) {
    case CHART_SHAPE_CROSS:
        cairo_move_to(cr, x - r, y - r), cairo_line_to(cr, x + r, y + r);
        cairo_move_to(cr, x - r, y + r), cairo_line_to(cr, x + r, y - r);
        break;
    case CHART_SHAPE_PLUS:
        cairo_move_to(cr, x - r, y), cairo_line_to(cr, x + r, y);
        cairo_move_to(cr, x, y - r), cairo_line_to(cr, x, y + r);
        break;
    case CHART_SHAPE_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r, y + r * 0.75);
        cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    case CHART_SHAPE_SQUARE:
        cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
        break;
    case CHART_SHAPE_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.1), cairo_line_to(cr, x + r, y);
        cairo_line_to(cr, x, y + r * 1.1), cairo_line_to(cr, x - r, y);
        cairo_close_path(cr);
        break;
    case CHART_SHAPE_CIRCLE:
    default:
        cairo_arc(cr, x, y, r * 0.85, 0, 2 * M_PI);
        cairo_close_path(cr);
        break;
    }
}

/* Translucent dots (THEME_DOT_ALPHA 0.65) stacked DOT_STACK_KEEP deep at one
 * spot leave 0.35^6 = 0.2 % of the background: one more changes no pixel.
 * So of the dots whose centres fall in one DOT_STACK_CELL cell (a quarter
 * pixel) only the first DOT_STACK_KEEP are drawn: the bursts of a
 * time-sequence graph stack that deep.  On the 1 GB benchmark the PNGs keep
 * every pixel (the 300 MB one: 4 pixels one level apart) and the
 * time-sequence PDFs lose 1-9 % of their bytes; half a pixel would drop
 * twice as many and change a few hundred edge pixels.
 * Series under DOT_STACK_MIN points are drawn whole. */
#define DOT_STACK_KEEP 6
#define DOT_STACK_CELL 0.25
#define DOT_STACK_MIN 512

static int thin_stacked_dots(chart_t *c, const frame_t *f, page_points_t *p)
{
    if (p->n < DOT_STACK_MIN)
        return 0;
    size_t gw = (size_t)ceil((f->right - f->left) / DOT_STACK_CELL) + 1;
    size_t gh = (size_t)ceil((f->bottom - f->top) / DOT_STACK_CELL) + 1;
    size_t m = reduce_stack(p->x, p->y, p->n, f->left, f->right, f->top, f->bottom, gw, gh,
                            DOT_STACK_KEEP, p->x, p->y);
    if (m == (size_t)-1)
        return chart_fail(c, "out of memory drawing a scatter series");
    p->n = m;
    return 0;
}

/* Thin p to one point per SCATTER_CELL cell of the plot. */
static int thin_page_points(chart_t *c, const frame_t *f, page_points_t *p)
{
    if (p->n <= SCATTER_DRAW_MAX)
        return 0;
    size_t gw = (size_t)ceil((f->right - f->left) / SCATTER_CELL) + 1;
    size_t gh = (size_t)ceil((f->bottom - f->top) / SCATTER_CELL) + 1;
    size_t m = reduce_grid(p->x, p->y, p->n, f->left, f->right, false, f->top, f->bottom, false, gw,
                           gh, p->x, p->y);
    if (m == (size_t)-1)
        return chart_fail(c, "out of memory drawing a scatter series");
    p->n = m;
    return 0;
}

/* Is cr drawing a document (PDF, SVG) rather than pixels? */
static bool vector_target(cairo_t *cr)
{
    return cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE;
}

/* Dots in a document: a zero-length line with round caps is a disc of the
 * line's width (PDF 1.7, 8.5.3.2; SVG likewise), written as two points
 * instead of the four Bézier curves of an arc: a third of the bytes to
 * format and compress, the same picture.
 *
 * Overlaps must darken as in the PNG, so dots that touch are painted by
 * separate strokes; but dots that do not touch can share one.  Each dot goes
 * to the first layer holding no dot nearer than a diameter plus
 * DOT_LAYER_GAP, and each layer is one stroke: every point of the page is
 * painted at most once per layer, and translucent paint of one colour stacks
 * the same in any order, so the picture is that of a stroke per dot (drawn
 * from the PDF by poppler at 150 dpi: the 1 GB benchmark's four scatter
 * charts within 2 levels but for 20-25 edge bytes in 4 million) — in
 * 130-165 strokes instead of 2,000-6,600, which takes a fifth to a third off
 * those PDFs' time.  A dot with DOT_LAYERS_MAX layers around it (a 512-bit
 * set of them is kept per dot) is stroked on its own. */
#define DOT_LAYER_GAP 1.0
#define DOT_LAYERS_MAX 512

/* The layer of each dot (-1: stroked on its own), or NULL when the grid
 * that finds neighbours would be larger than the points warrant or memory
 * ran out (every dot is then stroked on its own). */
static int *dot_layers(const page_points_t *p, double cell, int *nlayers)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        x0 = fmin(x0, p->x[i]), x1 = fmax(x1, p->x[i]);
        y0 = fmin(y0, p->y[i]), y1 = fmax(y1, p->y[i]);
    }
    double gwd = floor((x1 - x0) / cell) + 1, ghd = floor((y1 - y0) / cell) + 1;
    if (!(gwd * ghd <= 4.0 * (double)p->n + 4096))
        return NULL;
    size_t gw = (size_t)gwd, gh = (size_t)ghd;
    int *layer = malloc(p->n * sizeof *layer);
    long *next = malloc(p->n * sizeof *next), *head = malloc(gw * gh * sizeof *head);
    if (!layer || !next || !head) {
        free(layer), free(next), free(head);
        return NULL;
    }
    for (size_t k = 0; k < gw * gh; k++)
        head[k] = -1;
    *nlayers = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t cx = (size_t)((p->x[i] - x0) / cell), cy = (size_t)((p->y[i] - y0) / cell);
        uint64_t used[DOT_LAYERS_MAX / 64] = {0};
        for (size_t yy = cy ? cy - 1 : 0; yy <= cy + 1 && yy < gh; yy++)
            for (size_t xx = cx ? cx - 1 : 0; xx <= cx + 1 && xx < gw; xx++)
                for (long j = head[yy * gw + xx]; j >= 0; j = next[j]) {
                    double dx = p->x[i] - p->x[j], dy = p->y[i] - p->y[j];
                    if (layer[j] >= 0 && dx * dx + dy * dy < cell * cell)
                        used[layer[j] / 64] |= (uint64_t)1 << (layer[j] % 64);
                }
        int l = 0;
        while (l < DOT_LAYERS_MAX && (used[l / 64] >> (l % 64) & 1))
            l++;
        layer[i] = l < DOT_LAYERS_MAX ? l : -1;
        if (layer[i] >= *nlayers)
            *nlayers = layer[i] + 1;
        next[i] = head[cy * gw + cx];
        head[cy * gw + cx] = (long)i;
    }
    free(next), free(head);
    return layer;
}

static void vector_dots(cairo_t *cr, const page_points_t *p, double r)
{
    cairo_set_line_width(cr, 2 * r);
    int nlayers = 0;
    int *layer = dot_layers(p, 2 * r + DOT_LAYER_GAP, &nlayers);
    for (int l = 0; layer && l < nlayers; l++) {
        for (size_t i = 0; i < p->n; i++)
            if (layer[i] == l) {
                cairo_move_to(cr, p->x[i], p->y[i]);
                cairo_line_to(cr, p->x[i], p->y[i]);
            }
        cairo_stroke(cr);
    }
    for (size_t i = 0; i < p->n; i++)
        if (!layer || layer[i] < 0) {
            cairo_move_to(cr, p->x[i], p->y[i]);
            cairo_line_to(cr, p->x[i], p->y[i]);
            cairo_stroke(cr);
        }
    free(layer);
}

static int draw_dots(cairo_t *cr, chart_t *c, const frame_t *f, const chart_series_t *s,
                     unsigned rgb)
{
    page_points_t p;
    if (to_page(c, f, s, false, &p) != 0)
        return -1;
    bool marker = s->style == STYLE_POINTS;
    if (thin_page_points(c, f, &p) != 0 || (!marker && thin_stacked_dots(c, f, &p) != 0)) {
        page_free(&p);
        return -1;
    }
    double r = marker ? THEME_POINT_SIZE : THEME_DOT_RADIUS;
    bool stroked = marker && draw_shape_is_stroked(s->shape);
    palette_source(cr, rgb, marker ? 1.0 : THEME_DOT_ALPHA);
    cairo_set_line_width(cr, 1.8);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (!marker && vector_target(cr)) {
        vector_dots(cr, &p, r);
        page_free(&p);
        return 0;
    }
    dots_clip_t clip = series_clip(f);
    if (!marker && dots_stamp(cr, p.x, p.y, p.n, r, rgb, THEME_DOT_ALPHA, &clip) == 0) {
        page_free(&p);
        return 0;
    }
    for (size_t i = 0; i < p.n; i++) {
        if (marker)
            draw_shape_path(cr, s->shape, p.x[i], p.y[i], r);
        else {
            cairo_new_sub_path(cr);
            cairo_arc(cr, p.x[i], p.y[i], r, 0, 2 * M_PI);
        }
        /* Dots are filled one by one so overlaps darken: density shows. */
        if (stroked)
            cairo_stroke(cr);
        else
            cairo_fill(cr);
    }
    page_free(&p);
    return 0;
}

/* ---- Stacked areas -------------------------------------------------------- */

/* Page y of a stacked value; zero sits on the axis floor of a log scale. */
static double stack_y(const scale_t *sy, double v)
{
    double p = scale_map(sy, v);
    return isnan(p) ? sy->p0 : p;
}

typedef struct area_stack {
    size_t layers, m; /* layers and points per boundary */
    double *x;        /* m page x */
    double *top;      /* (layers + 1) * m page y; boundary 0 is the base */
    int ids[CHART_MAX_SERIES];
} area_stack_t;

static double area_value(double v)
{
    return isfinite(v) && v > 0 ? v : 0;
}

/* Boundaries at every x that can be shown (small series). */
static void stack_exact(const frame_t *f, chart_t *c, area_stack_t *a)
{
    const chart_series_t *first = &c->series[a->ids[0]];
    size_t stride = a->m, kept = 0;
    for (size_t i = 0; i < first->n; i++) {
        double px = scale_map(&f->sx, first->x[i]), cum = 0;
        if (isnan(px))
            continue;
        a->x[kept] = px;
        a->top[kept] = stack_y(&f->sy, 0);
        for (size_t k = 0; k < a->layers; k++) {
            cum += area_value(c->series[a->ids[k]].y[i]);
            a->top[(k + 1) * stride + kept] = stack_y(&f->sy, cum);
        }
        kept++;
    }
    a->m = kept;
}

/* Boundaries per pixel column: the highest value of each boundary in the
 * column.  Boundaries are cumulative sums of values >= 0, so the column
 * maxima stay ordered and the bands never cross; every peak is kept. */
static void stack_columns(const frame_t *f, chart_t *c, area_stack_t *a)
{
    const chart_series_t *first = &c->series[a->ids[0]];
    for (size_t j = 0; j < (a->layers + 1) * a->m; j++)
        a->top[j] = -1; /* value space until mapped: -1 = column empty */
    for (size_t i = 0; i < first->n; i++) {
        double px = scale_map(&f->sx, first->x[i]) - f->left;
        if (isnan(px) || px < 0 || px >= (double)a->m)
            continue;
        size_t col = (size_t)px;
        double cum = 0;
        a->top[col] = 0;
        for (size_t k = 0; k < a->layers; k++) {
            cum += area_value(c->series[a->ids[k]].y[i]);
            double *t = &a->top[(k + 1) * a->m + col];
            *t = fmax(*t, cum);
        }
    }
    /* Map to the page and pack the non-empty columns. */
    size_t kept = 0;
    for (size_t col = 0; col < a->m; col++) {
        if (a->top[col] < 0)
            continue;
        a->x[kept] = f->left + (double)col + 0.5;
        for (size_t k = 0; k <= a->layers; k++)
            a->top[k * a->m + kept] = stack_y(&f->sy, a->top[k * a->m + col]);
        kept++;
    }
    /* Boundaries keep their stride m; only the first `kept` are used. */
    a->m = kept ? kept : 0;
}

static void fill_layer(cairo_t *cr, const area_stack_t *a, size_t stride, size_t k, unsigned rgb)
{
    const double *lo = a->top + k * stride, *hi = a->top + (k + 1) * stride;
    cairo_move_to(cr, a->x[0], hi[0]);
    for (size_t i = 1; i < a->m; i++)
        cairo_line_to(cr, a->x[i], hi[i]);
    for (size_t i = a->m; i-- > 0;)
        cairo_line_to(cr, a->x[i], lo[i]);
    cairo_close_path(cr);
    /* No outline: outlines of thin layers pile up and paint the top of a
     * spike in the colour of whatever layer is stacked last. */
    palette_source(cr, rgb, THEME_AREA_ALPHA);
    cairo_fill(cr);
}

static int draw_areas(cairo_t *cr, chart_t *c, const frame_t *f)
{
    area_stack_t a = {0};
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].style == STYLE_AREA)
            a.ids[a.layers++] = (int)i;
    if (a.layers == 0 || c->series[a.ids[0]].n == 0)
        return 0;
    size_t n = c->series[a.ids[0]].n, columns = (size_t)ceil(f->right - f->left);
    bool by_column = n > 2 * columns;
    a.m = by_column ? columns : n;
    size_t stride = a.m;
    a.x = malloc(a.m * sizeof *a.x);
    a.top = malloc((a.layers + 1) * a.m * sizeof *a.top);
    if (!a.x || !a.top) {
        free(a.x);
        free(a.top);
        return chart_fail(c, "out of memory drawing stacked areas");
    }
    if (by_column)
        stack_columns(f, c, &a);
    else
        stack_exact(f, c, &a);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t k = 0; k < a.layers && a.m > 0; k++)
        fill_layer(cr, &a, stride, k, palette_rgb(f->color[a.ids[k]]));
    free(a.x);
    free(a.top);
    return 0;
}

/* ---- Bars and histograms --------------------------------------------------- */

/* A bar between two values on each axis, in page coordinates. */
static void bar_rect(cairo_t *cr, const scale_t *sa, double a0, double a1, const scale_t *sb,
                     double b0, double b1, bool horizontal)
{
    double p0 = scale_map(sa, a0), p1 = scale_map(sa, a1);
    double q0 = stack_y(sb, b0), q1 = stack_y(sb, b1);
    if (isnan(p0) || isnan(p1))
        return;
    if (horizontal)
        cairo_rectangle(cr, q0, fmin(p0, p1), q1 - q0, fabs(p1 - p0));
    else
        cairo_rectangle(cr, fmin(p0, p1), q1, fabs(p1 - p0), q0 - q1);
}

/* Stacked bars: numeric (at x), vertical or horizontal categories (at i). */
static void draw_bar_stack(cairo_t *cr, const chart_t *c, const frame_t *f, series_style_t style)
{
    const chart_series_t *first = NULL;
    for (size_t k = 0; k < c->n_series && !first; k++)
        if (c->series[k].style == style)
            first = &c->series[k];
    if (!first)
        return;
    bool horizontal = style == STYLE_HBARS;
    const scale_t *cat = horizontal ? &f->sy : &f->sx, *val = horizontal ? &f->sx : &f->sy;
    double half = THEME_BAR_FILL / 2;
    if (style == STYLE_BARS) {
        half = scale_bar_half_width(first->x, first->n);
    } else {
        /* A handful of categories would make slabs; keep bars bar-like. */
        double slot = fabs(scale_map(cat, 1) - scale_map(cat, 0));
        if (slot > 0 && half * slot > THEME_BAR_MAX / 2)
            half = THEME_BAR_MAX / 2 / slot;
    }
    for (size_t i = 0; i < first->n; i++) {
        double at = style == STYLE_BARS ? first->x[i] : (double)i, base = 0;
        for (size_t k = 0; k < c->n_series; k++) {
            const chart_series_t *s = &c->series[k];
            if (s->style != style || !(s->y[i] > 0))
                continue;
            bar_rect(cr, cat, at - half, at + half, val, base, base + s->y[i], horizontal);
            palette_source(cr, palette_rgb(f->color[k]), 1.0);
            cairo_fill(cr);
            base += s->y[i];
        }
    }
}

/* The total of each horizontal bar written after its end. */
static void draw_bar_values(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    const chart_series_t *first = NULL;
    for (size_t k = 0; k < c->n_series && !first; k++)
        if (c->series[k].style == STYLE_HBARS)
            first = &c->series[k];
    if (!first)
        return;
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT_SOFT);
    for (size_t i = 0; i < first->n; i++) {
        double total = 0;
        for (size_t k = 0; k < c->n_series; k++)
            if (c->series[k].style == STYLE_HBARS)
                total += c->series[k].y[i];
        double px = scale_map(&f->sx, total), py = scale_map(&f->sy, (double)i);
        if (!(total > 0) || isnan(px) || px > f->right)
            continue;
        char buf[FORMAT_MAX];
        chart_format_value(buf, sizeof buf, total, c->axes[CHART_X].format, c->axes[CHART_X].unit);
        text_draw(cr, px + 5, py, buf, 0, 0.5);
    }
}

static void draw_histograms(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    const hist_bins_t *h = &f->hist;
    size_t count = 0;
    for (size_t k = 0; k < c->n_series; k++)
        count += h->counts[k] != NULL;
    double bin_px = fabs(scale_map(&f->sx, h->lo + h->width) - scale_map(&f->sx, h->lo));
    for (size_t k = 0; k < c->n_series; k++) {
        if (!h->counts[k])
            continue;
        unsigned rgb = palette_rgb(f->color[k]);
        for (size_t i = 0; i < h->n; i++) {
            if (!(h->counts[k][i] > 0))
                continue;
            double x0 = h->lo + (double)i * h->width;
            bar_rect(cr, &f->sx, x0, x0 + h->width, &f->sy, 0, h->counts[k][i], false);
        }
        palette_source(cr, rgb, count > 1 ? THEME_HIST_ALPHA : THEME_AREA_ALPHA);
        if (count == 1 && bin_px > 4) {
            /* White seams between bins, as matplotlib draws them. */
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
        } else {
            cairo_fill(cr);
        }
    }
}

/* ---- All series ----------------------------------------------------------- */

int draw_series(cairo_t *cr, chart_t *c, const frame_t *f)
{
    cairo_save(cr);
    dots_clip_t clip = series_clip(f);
    cairo_rectangle(cr, clip.x0, clip.y0, clip.x1 - clip.x0, clip.y1 - clip.y0);
    cairo_clip(cr);
    int rc = draw_areas(cr, c, f);
    draw_bar_stack(cr, c, f, STYLE_BARS);
    draw_bar_stack(cr, c, f, STYLE_CBARS);
    draw_bar_stack(cr, c, f, STYLE_HBARS);
    draw_histograms(cr, c, f);
    /* Lines above fills, dots above lines, markers above everything. */
    static const series_style_t order[] = {STYLE_LINE, STYLE_SCATTER, STYLE_POINTS};
    for (size_t o = 0; o < 3 && rc == 0; o++) {
        for (size_t k = 0; k < c->n_series && rc == 0; k++) {
            const chart_series_t *s = &c->series[k];
            unsigned rgb = palette_rgb(f->color[k]);
            bool line = s->style == STYLE_LINE || s->style == STYLE_STEP;
            if (order[o] == STYLE_LINE && line)
                rc = draw_line(cr, c, f, s, rgb);
            else if (order[o] != STYLE_LINE && s->style == order[o])
                rc = draw_dots(cr, c, f, s, rgb);
        }
    }
    cairo_restore(cr);
    draw_bar_values(cr, c, f);
    return rc;
}
