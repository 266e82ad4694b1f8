/*
 * draw_decor.c — everything around the data: marker lines and their labels,
 * the legend, title and subtitle, and the note of an empty chart.
 */
#include "draw.h"

#include "palette.h"
#include "text.h"
#include "theme.h"

#include <math.h>
#include <stdio.h>

static void dashed(cairo_t *cr)
{
    static const double dash[] = {5, 3};
    cairo_set_dash(cr, dash, 2, 0);
    palette_source(cr, THEME_MARKER, 1.0);
    cairo_set_line_width(cr, 1.3);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* A vertical marker: the dashed line through the plot, continued up into
 * the strip to its label (laid out by frame.c) beside it. */
static void draw_vmarker(cairo_t *cr, const frame_t *f, const marker_label_t *l, double p)
{
    double top = f->top;
    if (l->shown) {
        text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
        top = l->y + text_line_height(cr) / 2;
    }
    cairo_move_to(cr, p, f->bottom);
    cairo_line_to(cr, p, top);
    dashed(cr);
    if (l->shown) {
        text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
        text_draw(cr, l->x + (p - l->line_x), l->y, l->text, 0, 0);
    }
}

void draw_markers(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    if (f->empty)
        return;
    for (size_t i = 0; i < c->n_markers; i++) {
        const chart_marker_t *m = &c->markers[i];
        const scale_t *s = m->vertical ? &f->sx : m->axis == CHART_Y2 ? &f->sy2 : &f->sy;
        double p = scale_map(s, m->at);
        if (isnan(p) || p < fmin(s->p0, s->p1) - 0.5 || p > fmax(s->p0, s->p1) + 0.5)
            continue;
        if (m->vertical) {
            draw_vmarker(cr, f, &f->marker_labels[i], p);
            continue;
        }
        /* Horizontal lines are named in the legend. */
        cairo_move_to(cr, f->left, p);
        cairo_line_to(cr, f->right, p);
        dashed(cr);
    }
}

/* ---- Legend ------------------------------------------------------------------ */

static void draw_swatch(cairo_t *cr, const chart_series_t *s, unsigned rgb, double x, double y)
{
    double mid = x + 11;
    palette_source(cr, rgb, 1.0);
    switch (s->style) {
    case STYLE_LINE:
    case STYLE_STEP:
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + 22, y);
        cairo_set_line_width(cr, THEME_SERIES_WIDTH + 0.6);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_stroke(cr);
        break;
    case STYLE_SCATTER:
        cairo_arc(cr, mid, y, THEME_DOT_RADIUS + 1, 0, 2 * M_PI);
        cairo_fill(cr);
        break;
    case STYLE_POINTS:
        draw_shape_path(cr, s->shape, mid, y, THEME_POINT_SIZE);
        cairo_set_line_width(cr, 1.8);
        if (draw_shape_is_stroked(s->shape))
            cairo_stroke(cr);
        else
            cairo_fill(cr);
        break;
    default: /* fills: areas, bars, histograms */
        cairo_rectangle(cr, x + 4, y - 6, 14, 12);
        cairo_fill(cr);
        break;
    }
}

void draw_legend(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    for (size_t i = 0; i < f->n_legend; i++) {
        const legend_entry_t *e = &f->legend[i];
        text_font(cr, THEME_LEGEND_SIZE, false, THEME_TEXT);
        double line = text_line_height(cr) + 4, mid = e->y + line / 2;
        if (e->series < 0) {
            cairo_move_to(cr, e->x, mid);
            cairo_line_to(cr, e->x + 22, mid);
            dashed(cr);
        } else {
            draw_swatch(cr, &c->series[e->series], palette_rgb(f->color[e->series]), e->x, mid);
        }
        text_font(cr, THEME_LEGEND_SIZE, false, THEME_TEXT);
        text_draw(cr, e->x + 28, mid, e->text, 0, 0.5);
    }
}

/* ---- Titles and the empty note -------------------------------------------------- */

void draw_titles(cairo_t *cr, const frame_t *f)
{
    if (f->title[0]) {
        text_font(cr, THEME_TITLE_SIZE, true, THEME_TEXT);
        text_draw(cr, THEME_PAD, f->title_y, f->title, 0, 0);
    }
    if (f->subtitle[0]) {
        text_font(cr, THEME_SUBTITLE_SIZE, false, THEME_TEXT_SOFT);
        text_draw(cr, THEME_PAD, f->subtitle_y, f->subtitle, 0, 0);
    }
}

void draw_empty_note(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    char note[FRAME_TEXT], fitted[FRAME_TEXT];
    snprintf(note, sizeof note, "No data: %s",
             c->empty_reason && c->empty_reason[0] ? c->empty_reason : "nothing to plot");
    /* A faint box shows where the data would be. */
    cairo_rectangle(cr, floor(f->left) + 0.5, floor(f->top) + 0.5, floor(f->right - f->left),
                    floor(f->bottom - f->top));
    palette_source(cr, THEME_GRID, 1.0);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    text_font(cr, THEME_NOTE_SIZE, false, THEME_TEXT_SOFT);
    text_fit(cr, note, f->right - f->left - 2 * THEME_PAD, false, fitted, sizeof fitted);
    text_draw(cr, (f->left + f->right) / 2, (f->top + f->bottom) / 2, fitted, 0.5, 0.5);
}
