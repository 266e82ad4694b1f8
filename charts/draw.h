/*
 * draw.h — the drawing passes of a laid-out chart, in painting order:
 * grid, series (clipped to the plot), marker lines, axes, legend, titles,
 * and the note of an empty chart.  Each reads the chart and its frame and
 * paints with cairo; none allocates except draw_series (page coordinates
 * and reductions of large series).
 */
#ifndef PCAPCASE_CHARTS_DRAW_H
#define PCAPCASE_CHARTS_DRAW_H

#include "frame.h"

#include <cairo.h>

void draw_grid(cairo_t *cr, const chart_t *c, const frame_t *f);

/* All series, clipped to the plot.  Returns 0, or -1 with the error set on
 * c when memory for page coordinates runs out. */
int draw_series(cairo_t *cr, chart_t *c, const frame_t *f);

void draw_markers(cairo_t *cr, const chart_t *c, const frame_t *f);
void draw_axes(cairo_t *cr, const chart_t *c, const frame_t *f);
void draw_legend(cairo_t *cr, const chart_t *c, const frame_t *f);
void draw_titles(cairo_t *cr, const frame_t *f);
void draw_empty_note(cairo_t *cr, const chart_t *c, const frame_t *f);

/* A point marker of the given shape centred at (x, y), half-size r, as a
 * path (the caller strokes or fills it). */
void draw_shape_path(cairo_t *cr, chart_shape_t shape, double x, double y, double r);

/* Whether a shape is drawn as an outline (cross, plus) rather than filled. */
int draw_shape_is_stroked(chart_shape_t shape);

#endif
