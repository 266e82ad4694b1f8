/*
 * frame.c — laying a chart out on the page (frame.h).
 */
#include "frame.h"

#include "axis.h"
#include "palette.h"
#include "text.h"
#include "theme.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Legend swatch and spacing. */
#define LEGEND_SWATCH 22.0
#define LEGEND_SWATCH_GAP 6.0
#define LEGEND_ENTRY_GAP 20.0
/* Category labels of horizontal bars take at most this share of the width:
 * beyond it the bars themselves get too short to compare. */
#define CATEGORY_MAX_SHARE 0.4
/* Slanted category labels under vertical bars are cut to this length. */
#define CATEGORY_MAX_SLANTED 150.0
/* Space between a marker line and its label. */
#define MARKER_LABEL_GAP 4.0
/* Space between a horizontal bar's end and its value label. */
#define BAR_VALUE_GAP 5.0

const scale_t *frame_value_scale(const frame_t *f, const chart_series_t *s)
{
    return s->axis == CHART_Y2 ? &f->sy2 : &f->sy;
}

static const chart_series_t *first_of(const chart_t *c, series_style_t style)
{
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].style == style)
            return &c->series[i];
    return NULL;
}

/* ---- Texts ---------------------------------------------------------------- */

/* "UTC+02:00" style name for an unnamed zone offset. */
static void zone_name(const chart_t *c, char *out, size_t len)
{
    if (c->tz_name && c->tz_name[0]) {
        snprintf(out, len, "%s", c->tz_name);
        return;
    }
    int off = c->tz_offset, a = off < 0 ? -off : off;
    snprintf(out, len, "UTC%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
}

static void layout_texts(cairo_t *cr, const chart_t *c, frame_t *f)
{
    const chart_axis_opts_t *x = &c->axes[CHART_X];
    double room = f->w - 2 * THEME_PAD;
    text_font(cr, THEME_TITLE_SIZE, true, THEME_TEXT);
    text_fit(cr, c->title ? c->title : "", room, false, f->title, sizeof f->title);
    text_font(cr, THEME_SUBTITLE_SIZE, false, THEME_TEXT);
    text_fit(cr, c->subtitle ? c->subtitle : "", room, false, f->subtitle, sizeof f->subtitle);
    snprintf(f->x_label, sizeof f->x_label, "%s", x->label ? x->label : "");
    if (x->format == CHART_FMT_TIME) {
        char zone[64];
        zone_name(c, zone, sizeof zone);
        if (!x->label || !x->label[0])
            snprintf(f->x_label, sizeof f->x_label, "Time (%s)", zone);
        else if (!strstr(x->label, zone))
            snprintf(f->x_label, sizeof f->x_label, "%s (%s)", x->label, zone);
    }
    snprintf(f->y_label, sizeof f->y_label, "%s",
             c->axes[CHART_Y].label ? c->axes[CHART_Y].label : "");
    snprintf(f->y2_label, sizeof f->y2_label, "%s",
             c->axes[CHART_Y2].label ? c->axes[CHART_Y2].label : "");
    if (!f->y_label[0] && c->kind == CHART_HISTOGRAM)
        snprintf(f->y_label, sizeof f->y_label, "Count");
}

/* ---- Title, subtitle, legend (top down) ----------------------------------- */

static bool labelled_hline(const chart_marker_t *m)
{
    return !m->vertical && m->label && m->label[0];
}

/* A legend helps when it tells several things apart, or names a reference
 * line; a lone named series is already named by the title. */
static bool wants_legend(const chart_t *c)
{
    size_t named = 0, lines = 0;
    for (size_t i = 0; i < c->n_series; i++)
        named += c->series[i].name && c->series[i].name[0];
    for (size_t i = 0; i < c->n_markers; i++)
        lines += labelled_hline(&c->markers[i]);
    return named >= 2 || lines > 0 || (named == 1 && c->n_series >= 2);
}

/* Add one legend entry, flowing into a new row when the row is full. */
static void legend_add(cairo_t *cr, frame_t *f, int series, int marker, const char *text, double *x,
                       double *y, double row_h)
{
    double room = f->w - 2 * THEME_PAD;
    legend_entry_t *e = &f->legend[f->n_legend++];
    text_fit(cr, text, room - LEGEND_SWATCH - LEGEND_SWATCH_GAP, false, e->text, sizeof e->text);
    double ew = LEGEND_SWATCH + LEGEND_SWATCH_GAP + text_width(cr, e->text);
    if (*x > THEME_PAD && *x + ew > f->w - THEME_PAD)
        *x = THEME_PAD, *y += row_h;
    e->series = series, e->marker = marker;
    e->x = *x, e->y = *y;
    *x += ew + LEGEND_ENTRY_GAP;
}

static double layout_legend(cairo_t *cr, const chart_t *c, frame_t *f, double top)
{
    text_font(cr, THEME_LEGEND_SIZE, false, THEME_TEXT);
    double row_h = text_line_height(cr) + 4;
    double x = THEME_PAD, y = top;
    for (size_t i = 0; i < c->n_series; i++) {
        const chart_series_t *s = &c->series[i];
        if (!s->name || !s->name[0])
            continue;
        char text[FRAME_TEXT];
        snprintf(text, sizeof text, "%s%s", s->name,
                 f->use_y2 && s->axis == CHART_Y2 ? " (right axis)" : "");
        legend_add(cr, f, (int)i, -1, text, &x, &y, row_h);
    }
    /* Reference lines are named here rather than on the plot, where their
     * label would sit on the data they run through. */
    for (size_t i = 0; i < c->n_markers; i++)
        if (labelled_hline(&c->markers[i]))
            legend_add(cr, f, -1, (int)i, c->markers[i].label, &x, &y, row_h);
    return y + row_h;
}

/* Lay out everything above the plot; returns the plot's top edge. */
static double layout_top(cairo_t *cr, const chart_t *c, frame_t *f)
{
    double top = THEME_PAD;
    if (f->title[0]) {
        text_font(cr, THEME_TITLE_SIZE, true, THEME_TEXT);
        f->title_y = top;
        top += text_line_height(cr);
    }
    if (f->subtitle[0]) {
        text_font(cr, THEME_SUBTITLE_SIZE, false, THEME_TEXT);
        f->subtitle_y = top;
        top += text_line_height(cr);
    }
    if (wants_legend(c))
        top = layout_legend(cr, c, f, top + (top > THEME_PAD ? THEME_GAP / 2 : 0));
    /* Half a tick label pokes above the top tick. */
    return top + (top > THEME_PAD ? THEME_GAP : 0) + THEME_TICK_SIZE * 0.6;
}

/* ---- Category labels ------------------------------------------------------ */

static void fit_categories(cairo_t *cr, frame_t *f, const chart_series_t *s, double max_w)
{
    f->cats.extent = 0;
    for (size_t i = 0; i < s->n; i++) {
        text_fit(cr, s->labels[i], max_w, true, f->cats.text[i], FRAME_TEXT);
        f->cats.extent = fmax(f->cats.extent, text_width(cr, f->cats.text[i]));
    }
}

/* Horizontal bars: labels left of the plot, one per row if rows allow. */
static void layout_hbar_labels(cairo_t *cr, frame_t *f, const chart_series_t *s)
{
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT);
    f->cats.n = s->n;
    fit_categories(cr, f, s, f->w * CATEGORY_MAX_SHARE);
    double slot = (f->bottom - f->top) / (double)(s->n ? s->n : 1);
    double line = text_line_height(cr);
    f->cats.every = slot >= line ? 1 : (size_t)ceil(line / slot);
}

/* Vertical bars: labels under the bars, slanted when they do not fit. */
static void layout_vbar_labels(cairo_t *cr, frame_t *f, const chart_series_t *s)
{
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT);
    f->cats.n = s->n;
    double slot = (f->right - f->left) / (double)(s->n ? s->n : 1);
    double line = text_line_height(cr);
    fit_categories(cr, f, s, f->w);
    f->cats.rotated = f->cats.extent + THEME_GAP > slot;
    if (!f->cats.rotated) {
        f->cats.every = 1;
        f->cats.extent = line;
        return;
    }
    /* Slanted labels may take up to 30 % of the height, never the plot. */
    fit_categories(cr, f, s, fmin(CATEGORY_MAX_SLANTED, f->h * 0.3 / sin(CATEGORY_ANGLE_RAD)));
    double across = line / sin(CATEGORY_ANGLE_RAD);
    f->cats.every = slot >= across ? 1 : (size_t)ceil(across / slot);
    f->cats.extent = f->cats.extent * sin(CATEGORY_ANGLE_RAD) + line * cos(CATEGORY_ANGLE_RAD);
}

/* ---- The plot area --------------------------------------------------------- */

static void set_pixels(frame_t *f, chart_kind_t kind)
{
    f->sx.p0 = f->left, f->sx.p1 = f->right;
    if (kind == CHART_HBARS)
        f->sy.p0 = f->top, f->sy.p1 = f->bottom; /* first category on top */
    else
        f->sy.p0 = f->bottom, f->sy.p1 = f->top;
    f->sy2.p0 = f->bottom, f->sy2.p1 = f->top;
}

static double axis_label_room(cairo_t *cr, const char *label)
{
    if (!label[0])
        return 0;
    text_font(cr, THEME_AXIS_LABEL_SIZE, false, THEME_TEXT);
    return text_line_height(cr) + THEME_LABEL_GAP;
}

static double bottom_room(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    double room = THEME_PAD + axis_label_room(cr, f->x_label);
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT);
    double lines = c->axes[CHART_X].format == CHART_FMT_TIME ? 2 : 1;
    if (f->cats.n && c->kind == CHART_BARS)
        room += f->cats.extent + THEME_TICK_LEN + THEME_TICK_GAP;
    else if (!f->empty)
        room += lines * text_line_height(cr) + THEME_TICK_LEN + THEME_TICK_GAP;
    return room;
}

/* Widest label of the value axis ticks, or of the categories. */
static double left_room(cairo_t *cr, const chart_t *c, const frame_t *f)
{
    double room = THEME_PAD + axis_label_room(cr, f->y_label);
    if (c->kind == CHART_HBARS)
        return room + f->cats.extent + THEME_TICK_GAP * 2;
    if (f->empty)
        return room + THEME_TICK_LEN;
    return room + f->ty.label_w + THEME_TICK_GAP + THEME_TICK_LEN;
}

static double right_room(cairo_t *cr, const frame_t *f)
{
    double room = THEME_PAD;
    if (f->use_y2 && !f->empty)
        room += f->ty2.label_w + THEME_TICK_GAP + THEME_TICK_LEN + axis_label_room(cr, f->y2_label);
    return room;
}

/* Move the plot edges in so the first and last x tick labels stay on the
 * page (they are centred on their ticks). */
static void keep_x_labels_on_page(cairo_t *cr, frame_t *f)
{
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT);
    for (size_t i = 0; i < f->tx.n; i++) {
        double p = scale_map(&f->sx, f->tx.v[i]);
        double half = fmax(text_width(cr, f->tx.label[i]), text_width(cr, f->tx.date[i])) / 2;
        if (p - half < THEME_PAD)
            f->left += THEME_PAD - (p - half);
        if (p + half > f->w - THEME_PAD)
            f->right -= (p + half) - (f->w - THEME_PAD);
    }
}

/* Horizontal bars: widen the value axis so the value label after the
 * longest bar fits inside the plot. */
static void make_room_for_bar_values(cairo_t *cr, const chart_t *c, frame_t *f, double data_max)
{
    if (!isnan(c->axes[CHART_X].max) || c->axes[CHART_X].log || !(data_max > 0))
        return;
    char buf[FORMAT_MAX];
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
    chart_format_value(buf, sizeof buf, data_max, c->axes[CHART_X].format, c->axes[CHART_X].unit);
    double need = text_width(cr, buf) + BAR_VALUE_GAP * 2;
    double pw = f->right - f->left;
    if (pw > need * 2)
        f->sx.hi = fmax(f->sx.hi, f->sx.lo + (data_max - f->sx.lo) * pw / (pw - need));
}

static void fit_all_ticks(cairo_t *cr, const chart_t *c, frame_t *f, const scale_t *sx_base,
                          double value_max)
{
    f->sx = *sx_base;
    set_pixels(f, c->kind);
    if (f->empty) {
        f->tx.n = f->ty.n = f->ty2.n = 0;
        return;
    }
    if (c->kind != CHART_HBARS)
        axis_fit_ticks(cr, c, CHART_Y, &f->sy, false, &f->ty);
    if (f->use_y2)
        axis_fit_ticks(cr, c, CHART_Y2, &f->sy2, false, &f->ty2);
    if (c->kind == CHART_HBARS)
        make_room_for_bar_values(cr, c, f, value_max);
    if (!(f->cats.n && c->kind == CHART_BARS))
        axis_fit_ticks(cr, c, CHART_X, &f->sx, true, &f->tx);
}

/* Labels of vertical marker lines go in a strip above the plot, beside
 * their line, in as many rows as it takes for them not to overlap.  Above
 * the plot they can never hide data.  Returns the strip's height. */
static double layout_marker_labels(cairo_t *cr, const chart_t *c, frame_t *f)
{
    double rows_x1[CHART_MAX_MARKERS]; /* right end of the last label per row */
    size_t rows = 0;
    text_font(cr, THEME_MARKER_LABEL_SIZE, false, THEME_TEXT);
    double line = text_line_height(cr);
    for (size_t i = 0; i < c->n_markers && !f->empty; i++) {
        const chart_marker_t *m = &c->markers[i];
        marker_label_t *l = &f->marker_labels[i];
        double p = scale_map(&f->sx, m->at);
        if (!m->vertical || !m->label || !m->label[0] || isnan(p) || p < f->left - 0.5 ||
            p > f->right + 0.5)
            continue;
        text_fit(cr, m->label, (f->right - f->left) * 0.6, false, l->text, sizeof l->text);
        double w = text_width(cr, l->text);
        l->x = p + MARKER_LABEL_GAP;
        if (l->x + w > f->w - THEME_PAD)
            l->x = p - MARKER_LABEL_GAP - w;
        size_t row = 0;
        while (row < rows && l->x < rows_x1[row] + LEGEND_ENTRY_GAP)
            row++;
        if (row == rows)
            rows_x1[rows++] = -INFINITY;
        rows_x1[row] = fmax(rows_x1[row], l->x + w);
        l->y = (double)row; /* the row for now; made a position below */
        l->line_x = p;
        l->shown = true;
    }
    double strip = rows ? (double)rows * line + MARKER_LABEL_GAP : 0;
    for (size_t i = 0; i < c->n_markers; i++)
        if (f->marker_labels[i].shown)
            f->marker_labels[i].y =
                f->top + strip - MARKER_LABEL_GAP - (f->marker_labels[i].y + 1) * line;
    return strip;
}

static void layout_plot(cairo_t *cr, const chart_t *c, frame_t *f, double top, double value_max)
{
    const chart_series_t *hb = first_of(c, STYLE_HBARS), *vb = first_of(c, STYLE_CBARS);
    scale_t sx_base = f->sx;
    f->top = top;
    f->left = THEME_PAD + 48;
    f->right = f->w - THEME_PAD;
    f->bottom = f->h - bottom_room(cr, c, f);
    /* Each pass measures labels for the area the previous pass left; three
     * passes settle (label widths barely change between them). */
    for (int pass = 0; pass < 3; pass++) {
        set_pixels(f, c->kind);
        if (hb)
            layout_hbar_labels(cr, f, hb);
        if (vb)
            layout_vbar_labels(cr, f, vb);
        f->bottom = f->h - bottom_room(cr, c, f);
        fit_all_ticks(cr, c, f, &sx_base, value_max);
        f->left = left_room(cr, c, f);
        f->right = f->w - right_room(cr, f);
        set_pixels(f, c->kind);
        keep_x_labels_on_page(cr, f);
    }
    /* Keep a sliver of plot even on absurd sizes, so mapping stays finite. */
    if (f->right - f->left < 10)
        f->right = f->left + 10;
    if (f->bottom - f->top < 10)
        f->bottom = f->top + 10;
    f->top += layout_marker_labels(cr, c, f);
    fit_all_ticks(cr, c, f, &sx_base, value_max);
    keep_x_labels_on_page(cr, f);
    set_pixels(f, c->kind);
}

int frame_layout(cairo_t *cr, chart_t *c, double w, double h, frame_t *f)
{
    f->w = w, f->h = h;
    f->empty = !chart_has_data(c);
    palette_assign(c, f->color);
    if (hist_compute(c, &f->hist) != 0)
        return -1;
    data_range_t r[3];
    scale_extents(c, &f->hist, r);
    scale_resolve(c, CHART_X, r[CHART_X], &f->sx);
    scale_resolve(c, CHART_Y, r[CHART_Y], &f->sy);
    scale_resolve(c, CHART_Y2, r[CHART_Y2], &f->sy2);
    for (size_t i = 0; i < c->n_series; i++)
        f->use_y2 |= c->series[i].axis == CHART_Y2;
    layout_texts(cr, c, f);
    double top = layout_top(cr, c, f);
    layout_plot(cr, c, f, top, r[CHART_X].any ? r[CHART_X].hi : 0);
    return 0;
}

void frame_free(frame_t *f)
{
    hist_free(&f->hist);
}
