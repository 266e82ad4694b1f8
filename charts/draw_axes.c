/*
 * draw_axes.c — grid lines, axis lines, ticks, tick labels, category labels
 * and axis titles.
 *
 * Grid and axes are drawn on half-unit positions so 1-unit lines land on
 * whole pixels in PNG output instead of blurring over two.
 */
#include "draw.h"

#include "palette.h"
#include "text.h"
#include "theme.h"

#include <math.h>

/* Centre of the pixel a 1-unit line at p should cover. */
static double crisp(double p)
{
    return floor(p) + 0.5;
}

static void hline(cairo_t *cr, double x0, double x1, double y)
{
    cairo_move_to(cr, x0, crisp(y));
    cairo_line_to(cr, x1, crisp(y));
}

static void vline(cairo_t *cr, double x, double y0, double y1)
{
    cairo_move_to(cr, crisp(x), y0);
    cairo_line_to(cr, crisp(x), y1);
}

static void stroke_grey(cairo_t *cr, unsigned rgb, double width)
{
    palette_source(cr, rgb, 1.0);
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_stroke(cr);
}

static bool inside(double p, double a, double b)
{
    double lo = fmin(a, b), hi = fmax(a, b);
    return p >= lo - 0.5 && p <= hi + 0.5;
}

/* Lines across the plot at the ticks of an axis (horizontal for y). */
static void grid_of(cairo_t *cr, const frame_t *f, const scale_t *s, const double *v, size_t n,
                    bool horizontal)
{
    for (size_t i = 0; i < n; i++) {
        double p = scale_map(s, v[i]);
        if (isnan(p) || !inside(p, s->p0, s->p1))
            continue;
        if (horizontal)
            hline(cr, f->left, f->right, p);
        else
            vline(cr, p, f->top, f->bottom);
    }
}

void draw_grid(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    /* Minor log grid first, fainter. */
    grid_of(cr, f, &f->sy, f->ty.minor, f->ty.n_minor, true);
    grid_of(cr, f, &f->sx, f->tx.minor, f->tx.n_minor, false);
    stroke_grey(cr, THEME_GRID_MINOR, THEME_GRID_WIDTH);
    grid_of(cr, f, &f->sy, f->ty.v, f->ty.n, true);
    /* Category bar charts have no x ticks, so no vertical grid. */
    grid_of(cr, f, &f->sx, f->tx.v, f->tx.n, false);
    stroke_grey(cr, THEME_GRID, THEME_GRID_WIDTH);
}

/* ---- Tick labels ----------------------------------------------------------- */

static void draw_x_ticks(cairo_t *cr, const frame_t *f)
{
    double y = f->bottom + THEME_TICK_LEN;
    for (size_t i = 0; i < f->tx.n; i++) {
        double p = scale_map(&f->sx, f->tx.v[i]);
        if (!isnan(p) && inside(p, f->left, f->right))
            vline(cr, p, f->bottom, y);
    }
    stroke_grey(cr, THEME_SPINE, THEME_SPINE_WIDTH);
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT_SOFT);
    double line = text_line_height(cr);
    for (size_t i = 0; i < f->tx.n; i++) {
        double p = scale_map(&f->sx, f->tx.v[i]);
        if (isnan(p) || !inside(p, f->left, f->right))
            continue;
        text_draw(cr, p, y + THEME_TICK_GAP, f->tx.label[i], 0.5, 0);
        if (f->tx.date[i][0])
            text_draw(cr, p, y + THEME_TICK_GAP + line, f->tx.date[i], 0.5, 0);
    }
}

/* Value ticks on the left (right = false) or right axis. */
static void draw_y_ticks(cairo_t *cr, const frame_t *f, const scale_t *s, const axis_ticks_t *t,
                         bool right)
{
    double x = right ? f->right : f->left, dir = right ? 1 : -1;
    for (size_t i = 0; i < t->n; i++) {
        double p = scale_map(s, t->v[i]);
        if (isnan(p) || !inside(p, f->top, f->bottom))
            continue;
        cairo_move_to(cr, x, crisp(p));
        cairo_line_to(cr, x + dir * THEME_TICK_LEN, crisp(p));
    }
    stroke_grey(cr, THEME_SPINE, THEME_SPINE_WIDTH);
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT_SOFT);
    double lx = x + dir * (THEME_TICK_LEN + THEME_TICK_GAP);
    for (size_t i = 0; i < t->n; i++) {
        double p = scale_map(s, t->v[i]);
        if (!isnan(p) && inside(p, f->top, f->bottom))
            text_draw(cr, lx, p, t->label[i], right ? 0 : 1, 0.5);
    }
}

static void draw_categories(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    const category_labels_t *k = &f->cats;
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT);
    for (size_t i = 0; i < k->n; i += k->every) {
        if (c->kind == CHART_HBARS) {
            double p = scale_map(&f->sy, (double)i);
            text_draw(cr, f->left - THEME_TICK_GAP * 2, p, k->text[i], 1, 0.5);
            continue;
        }
        double p = scale_map(&f->sx, (double)i), y = f->bottom + THEME_TICK_LEN + THEME_TICK_GAP;
        if (!k->rotated) {
            text_draw(cr, p, y, k->text[i], 0.5, 0);
            continue;
        }
        cairo_save(cr);
        cairo_translate(cr, p, y);
        cairo_rotate(cr, -CATEGORY_ANGLE_RAD);
        text_draw(cr, 0, 0, k->text[i], 1, 0.5);
        cairo_restore(cr);
    }
}

/* ---- Axis lines and titles -------------------------------------------------- */

static void draw_spines(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    hline(cr, f->left, f->right + 0.5, f->bottom);
    vline(cr, f->left, f->top, f->bottom + 0.5);
    if (f->use_y2 && !f->empty)
        vline(cr, f->right, f->top, f->bottom + 0.5);
    stroke_grey(cr, THEME_SPINE, THEME_SPINE_WIDTH);
    (void)c;
}

static void draw_axis_titles(cairo_t *cr, const frame_t *f)
{
    char fitted[FRAME_TEXT];
    text_font(cr, THEME_AXIS_LABEL_SIZE, false, THEME_TEXT);
    double mid_y = (f->top + f->bottom) / 2, room_y = f->bottom - f->top;
    if (f->x_label[0]) {
        text_fit(cr, f->x_label, f->right - f->left, false, fitted, sizeof fitted);
        text_draw(cr, (f->left + f->right) / 2, f->h - THEME_PAD, fitted, 0.5, 1);
    }
    if (f->y_label[0]) {
        text_fit(cr, f->y_label, room_y, false, fitted, sizeof fitted);
        text_draw_vertical(cr, THEME_PAD, mid_y, fitted, 0.5, 0);
    }
    if (f->y2_label[0] && f->use_y2) {
        text_fit(cr, f->y2_label, room_y, false, fitted, sizeof fitted);
        text_draw_vertical(cr, f->w - THEME_PAD, mid_y, fitted, 0.5, 1);
    }
}

void draw_axes(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    draw_spines(cr, c, f);
    if (!f->empty) {
        draw_x_ticks(cr, f);
        draw_y_ticks(cr, f, &f->sy, &f->ty, false);
        if (f->use_y2)
            draw_y_ticks(cr, f, &f->sy2, &f->ty2, true);
        draw_categories(cr, c, f);
    }
    draw_axis_titles(cr, f);
}
