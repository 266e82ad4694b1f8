/*
 * palette.h — series colours: Okabe & Ito's palette ("Color Universal
 * Design", 2008), which stays distinguishable under the common forms of
 * colour blindness and in greyscale print better than most defaults.
 */
#ifndef PCAPCASE_CHARTS_PALETTE_H
#define PCAPCASE_CHARTS_PALETTE_H

#include "chart_internal.h"

#include <cairo.h>

/* 0xRRGGBB of a palette colour (CHART_COLOR_AUTO gives blue). */
unsigned palette_rgb(chart_color_t color);

/* Resolve every series' colour: explicit colours stay, CHART_COLOR_AUTO
 * series take, in order, the palette colours no explicit series uses. */
void palette_assign(const chart_t *c, chart_color_t out[CHART_MAX_SERIES]);

/* Set the cairo source to 0xRRGGBB with alpha. */
void palette_source(cairo_t *cr, unsigned rgb, double alpha);

#endif
