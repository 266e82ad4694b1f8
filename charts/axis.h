/*
 * axis.h — choosing the ticks of one axis for the room it has: the most
 * ticks (up to a comfortable density) whose labels do not touch, measured
 * in the real font, with labels that share prefix and decimals.
 */
#ifndef PCAPCASE_CHARTS_AXIS_H
#define PCAPCASE_CHARTS_AXIS_H

#include "frame.h"

/* Fill t with the ticks of axis over scale s, whose p0/p1 are set: along a
 * horizontal axis labels must not overlap side by side, along a vertical
 * one they need a line of height each. */
void axis_fit_ticks(cairo_t *cr, const chart_t *c, chart_axis_t axis, const scale_t *s,
                    bool horizontal, axis_ticks_t *t);

/* Tick values only (no labels): the positions for at most about `target`
 * ticks.  Returns the count; *step receives the spacing used. */
size_t axis_tick_values(const chart_t *c, chart_axis_t axis, const scale_t *s, int target,
                        axis_ticks_t *t, double *step);

#endif
