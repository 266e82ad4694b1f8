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

/* Padding of the white box behind marker labels. */
#define LABEL_BOX_PAD 3.0

typedef struct box {
    double x0, y0, x1, y1;
} box_t;

static bool boxes_overlap(const box_t *a, const box_t *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* A label on a translucent white box, so it reads over grid and data. */
static void boxed_label(cairo_t *cr, const box_t *b, const char *text)
{
    cairo_rectangle(cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_fill(cr);
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
    text_draw(cr, b->x0 + LABEL_BOX_PAD, b->y0 + LABEL_BOX_PAD, text, 0, 0);
}

static void dashed(cairo_t *cr)
{
    static const double dash[] = {5, 3};
    cairo_set_dash(cr, dash, 2, 0);
    palette_source(cr, THEME_MARKER, 1.0);
    cairo_set_line_width(cr, 1.3);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* Place a vertical marker's label at the top of the plot, beside its line
 * (right of it unless that runs off the plot), lower when it would hit an
 * earlier label. */
static void place_vlabel(cairo_t *cr, const frame_t *f, double px, const char *label, box_t *placed,
                         size_t *n_placed)
{
    char fitted[FRAME_TEXT];
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
    text_fit(cr, label, (f->right - f->left) * 0.6, false, fitted, sizeof fitted);
    double w = text_width(cr, fitted) + 2 * LABEL_BOX_PAD;
    double h = text_line_height(cr) + 2 * LABEL_BOX_PAD - 2;
    box_t b = {px + 4, f->top + 4, px + 4 + w, f->top + 4 + h};
    if (b.x1 > f->right)
        b.x0 = px - 4 - w, b.x1 = px - 4;
    for (size_t i = 0; i < *n_placed; i++) {
        if (boxes_overlap(&b, &placed[i])) {
            b.y0 = placed[i].y1 + 2, b.y1 = b.y0 + h;
            i = (size_t)-1; /* re-check against all from the start */
        }
    }
    boxed_label(cr, &b, fitted);
    placed[(*n_placed)++] = b;
}

static void place_hlabel(cairo_t *cr, const frame_t *f, double py, const char *label)
{
    char fitted[FRAME_TEXT];
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
    text_fit(cr, label, (f->right - f->left) * 0.6, false, fitted, sizeof fitted);
    double w = text_width(cr, fitted) + 2 * LABEL_BOX_PAD;
    double h = text_line_height(cr) + 2 * LABEL_BOX_PAD - 2;
    box_t b = {f->right - 4 - w, py - 3 - h, f->right - 4, py - 3};
    if (b.y0 < f->top)
        b.y0 = py + 3, b.y1 = py + 3 + h;
    boxed_label(cr, &b, fitted);
}

void draw_markers(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    box_t placed[CHART_MAX_MARKERS];
    size_t n_placed = 0;
    if (f->empty)
        return;
    for (size_t i = 0; i < c->n_markers; i++) {
        const chart_marker_t *m = &c->markers[i];
        const scale_t *s = m->vertical ? &f->sx : m->axis == CHART_Y2 ? &f->sy2 : &f->sy;
        double p = scale_map(s, m->at);
        if (isnan(p) || p < fmin(s->p0, s->p1) - 0.5 || p > fmax(s->p0, s->p1) + 0.5)
            continue;
        if (m->vertical) {
            cairo_move_to(cr, p, f->top);
            cairo_line_to(cr, p, f->bottom);
        } else {
            cairo_move_to(cr, f->left, p);
            cairo_line_to(cr, f->right, p);
        }
        dashed(cr);
        if (m->label && m->label[0]) {
            if (m->vertical)
                place_vlabel(cr, f, p, m->label, placed, &n_placed);
            else
                place_hlabel(cr, f, p, m->label);
        }
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
        draw_swatch(cr, &c->series[e->series], palette_rgb(f->color[e->series]), e->x, mid);
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
