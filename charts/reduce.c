/*
 * reduce.c — M4 line reduction and grid thinning for scatter (reduce.h).
 */
#include "reduce.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The indices M4 keeps for one column; SIZE_MAX = none yet. */
typedef struct m4_column {
    size_t first, last, lo, hi, gap;
} m4_column_t;

static void m4_reset(m4_column_t *m)
{
    m->first = m->last = m->lo = m->hi = m->gap = SIZE_MAX;
}

static void m4_take(m4_column_t *m, const double *y, size_t i)
{
    if (isnan(y[i])) {
        if (m->gap == SIZE_MAX)
            m->gap = i;
        return;
    }
    if (!isfinite(y[i]))
        return;
    if (m->first == SIZE_MAX)
        m->first = m->lo = m->hi = i;
    m->last = i;
    if (y[i] < y[m->lo])
        m->lo = i;
    if (y[i] > y[m->hi])
        m->hi = i;
}

/* Emit the column's kept indices in ascending order without duplicates. */
static size_t m4_flush(const m4_column_t *m, const double *x, const double *y, double *ox,
                       double *oy, size_t o)
{
    size_t idx[5] = {m->first, m->lo, m->hi, m->last, m->gap};
    /* Insertion sort of five. */
    for (size_t i = 1; i < 5; i++)
        for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < 5 && idx[i] != SIZE_MAX; i++) {
        if (i > 0 && idx[i] == idx[i - 1])
            continue;
        ox[o] = x[idx[i]];
        oy[o] = y[idx[i]];
        o++;
    }
    return o;
}

size_t reduce_m4(const double *x, const double *y, size_t n, double x0, double x1, size_t columns,
                 double *ox, double *oy)
{
    size_t o = 0, i = 0;
    if (columns == 0 || n == 0)
        return 0;
    double width = x1 > x0 ? x1 - x0 : 1;
    /* The last point left of the range, so the line enters at the edge. */
    while (i < n && !(x[i] >= x0))
        i++;
    if (i > 0) {
        ox[o] = x[i - 1], oy[o] = y[i - 1];
        o++;
    }
    m4_column_t m;
    m4_reset(&m);
    size_t current = SIZE_MAX;
    for (; i < n && x[i] <= x1; i++) {
        double f = (x[i] - x0) / width * (double)columns;
        size_t col = f >= (double)columns ? columns - 1 : (size_t)f;
        if (col != current) {
            o = m4_flush(&m, x, y, ox, oy, o);
            m4_reset(&m);
            current = col;
        }
        m4_take(&m, y, i);
    }
    o = m4_flush(&m, x, y, ox, oy, o);
    if (i < n) {
        ox[o] = x[i], oy[o] = y[i];
        o++;
    }
    return o;
}

/* Cell coordinate of v on an axis of `cells` cells, or SIZE_MAX outside. */
static size_t grid_cell(double v, double lo, double hi, bool log, size_t cells)
{
    if (log) {
        if (!(v > 0))
            return SIZE_MAX;
        v = log10(v), lo = log10(lo), hi = log10(hi);
    }
    if (!isfinite(v) || v < lo || v > hi)
        return SIZE_MAX;
    double f = hi > lo ? (v - lo) / (hi - lo) * (double)cells : 0;
    return f >= (double)cells ? cells - 1 : (size_t)f;
}

size_t reduce_grid(const double *x, const double *y, size_t n, double x0, double x1, bool xlog,
                   double y0, double y1, bool ylog, size_t gw, size_t gh, double *ox, double *oy)
{
    if (gw == 0 || gh == 0)
        return 0;
    size_t bits = gw * gh;
    uint8_t *seen = calloc((bits + 7) / 8, 1);
    if (!seen)
        return (size_t)-1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t cx = grid_cell(x[i], x0, x1, xlog, gw);
        size_t cy = grid_cell(y[i], y0, y1, ylog, gh);
        if (cx == SIZE_MAX || cy == SIZE_MAX)
            continue;
        size_t bit = cy * gw + cx;
        if (seen[bit / 8] & (1u << (bit % 8)))
            continue;
        seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
        ox[o] = x[i], oy[o] = y[i];
        o++;
    }
    free(seen);
    return o;
}

size_t reduce_stack(const double *x, const double *y, size_t n, double x0, double x1, double y0,
                    double y1, size_t gw, size_t gh, unsigned keep, double *ox, double *oy)
{
    if (gw == 0 || gh == 0)
        return 0;
    uint8_t *count = calloc(gw * gh, 1);
    if (!count)
        return (size_t)-1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t cx = grid_cell(x[i], x0, x1, false, gw);
        size_t cy = grid_cell(y[i], y0, y1, false, gh);
        if (cx != SIZE_MAX && cy != SIZE_MAX) {
            uint8_t *c = &count[cy * gw + cx];
            if (*c >= keep)
                continue;
            (*c)++;
        }
        ox[o] = x[i], oy[o] = y[i];
        o++;
    }
    free(count);
    return o;
}
