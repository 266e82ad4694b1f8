/*
 * reduce.h — making big series small without changing the picture.
 *
 * Lines use M4 (Jugel et al., "M4: A Visualization-Oriented Time Series Data
 * Aggregation", VLDB 2014): per pixel column keep the first, last, lowest and
 * highest point.  A line through those four draws exactly the same pixels as
 * the line through all points, so every spike survives — unlike averaging or
 * every-n-th sampling, which erase exactly the bursts an analyst looks for.
 * LTTB keeps the shape but may drop a single-sample peak; M4 never does.
 *
 * Scatter plots keep the first point of each occupied cell of a grid finer
 * than the pixels, so isolated outliers always stay.
 */
#ifndef PCAPCASE_CHARTS_REDUCE_H
#define PCAPCASE_CHARTS_REDUCE_H

#include <stdbool.h>
#include <stddef.h>

/* Output room reduce_m4 needs for `columns` columns: first, last, min, max
 * and one gap marker per column, plus the neighbours just outside. */
#define REDUCE_M4_CAP(columns) (5 * (size_t)(columns) + 2)

/* Reduce n points with x ascending to at most REDUCE_M4_CAP(columns),
 * columns spanning [x0, x1].  NaN y values (gaps) are kept, one per column.
 * Points left of x0 and right of x1 are dropped except the nearest one on
 * each side, so lines still run into the edges.  Writes to ox/oy (room for
 * REDUCE_M4_CAP(columns)) and returns the count, in x order. */
size_t reduce_m4(const double *x, const double *y, size_t n, double x0, double x1, size_t columns,
                 double *ox, double *oy);

/* Keep the first finite point of each of gw x gh cells over [x0,x1] x
 * [y0,y1] (cells in log10 space for an axis flagged log; points <= 0 on a
 * log axis and outside the box are dropped).  ox/oy need room for n points.
 * Returns the count kept, or (size_t)-1 when memory is exhausted. */
size_t reduce_grid(const double *x, const double *y, size_t n, double x0, double x1, bool xlog,
                   double y0, double y1, bool ylog, size_t gw, size_t gh, double *ox, double *oy);

/* Keep at most `keep` points of each of gw x gh cells over [x0,x1] x
 * [y0,y1] (linear), the first ones in order; points outside the box are all
 * kept.  For translucent dots painted one by one: past a few layers at one
 * spot another changes no pixel.  ox/oy need room for n points (may be x/y).
 * Returns the count kept, or (size_t)-1 when memory is exhausted. */
size_t reduce_stack(const double *x, const double *y, size_t n, double x0, double x1, double y0,
                    double y1, size_t gw, size_t gh, unsigned keep, double *ox, double *oy);

#endif
