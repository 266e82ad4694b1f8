/*
 * scatter.h — (x, y) points for a scatter chart in bounded memory.
 *
 * Every point is kept up to SCATTER_ALL_POINTS; past that the x range
 * (known in advance) is cut into SCATTER_COLS columns and each keeps a
 * sample of at most SCATTER_PER_COL points (every k-th, k doubling as the
 * column fills) plus its lowest and highest point, so a delay spike is never
 * thinned away.  A million delays cost the same as a hundred thousand.
 */
#ifndef PCAPCASE_SCATTER_H
#define PCAPCASE_SCATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every point up to this many: 100 000 dots already fill a chart. */
#define SCATTER_ALL_POINTS 100000
/* Columns of the thinned sample (about one per pixel of a wide chart) and
 * points kept per column. */
#define SCATTER_COLS 1000
#define SCATTER_PER_COL 64

typedef struct scatter {
    double *x, *y; /* the points to draw, n of them (after scatter_finish) */
    size_t n, cap;
    bool binned;     /* thinned: past SCATTER_ALL_POINTS */
    double x0, span; /* the x range, set before the first point */
    /* the thinned sample */
    double *cx, *cy;                 /* SCATTER_COLS * SCATTER_PER_COL */
    uint32_t *cn, *ccount, *cstride; /* kept, seen, keep every cstride-th */
    double *lox, *loy, *hix, *hiy;   /* each column's extremes */
} scatter_t;

/* x0 and span: the x range the columns divide (points outside it go to the
 * first or last column). */
void scatter_init(scatter_t *s, double x0, double span);
void scatter_add(scatter_t *s, double x, double y);
/* Make x, y, n the points to draw (once, after the last scatter_add). */
void scatter_finish(scatter_t *s);
void scatter_free(scatter_t *s);

#endif
