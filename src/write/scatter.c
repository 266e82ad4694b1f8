/* scatter.c — a bounded sample of scatter points; see scatter.h. */
#include "scatter.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

void scatter_init(scatter_t *s, double x0, double span)
{
    memset(s, 0, sizeof *s);
    s->x0 = x0;
    s->span = span;
}

static void add_binned(scatter_t *s, double x, double y)
{
    double rel = s->span > 0 ? (x - s->x0) / s->span : 0;
    size_t k = rel <= 0 ? 0 : rel >= 1 ? SCATTER_COLS - 1 : (size_t)(rel * SCATTER_COLS);
    if (s->ccount[k] == 0 || y < s->loy[k])
        s->lox[k] = x, s->loy[k] = y;
    if (s->ccount[k] == 0 || y > s->hiy[k])
        s->hix[k] = x, s->hiy[k] = y;
    uint32_t seen = s->ccount[k]++;
    if (seen % s->cstride[k])
        return;
    double *cx = s->cx + k * SCATTER_PER_COL, *cy = s->cy + k * SCATTER_PER_COL;
    if (s->cn[k] == SCATTER_PER_COL) { /* keep every other one, and half as many from now on */
        for (uint32_t i = 0; i < SCATTER_PER_COL / 2; i++)
            cx[i] = cx[2 * i], cy[i] = cy[2 * i];
        s->cn[k] = SCATTER_PER_COL / 2;
        s->cstride[k] *= 2;
        if (seen % s->cstride[k])
            return;
    }
    cx[s->cn[k]] = x;
    cy[s->cn[k]++] = y;
}

/* Past SCATTER_ALL_POINTS: the columns, and every point so far into them. */
static void start_binning(scatter_t *s)
{
    s->binned = true;
    s->cx = xcalloc((size_t)SCATTER_COLS * SCATTER_PER_COL, sizeof(double));
    s->cy = xcalloc((size_t)SCATTER_COLS * SCATTER_PER_COL, sizeof(double));
    s->cn = xcalloc(SCATTER_COLS, sizeof(uint32_t));
    s->ccount = xcalloc(SCATTER_COLS, sizeof(uint32_t));
    s->cstride = xcalloc(SCATTER_COLS, sizeof(uint32_t));
    for (size_t k = 0; k < SCATTER_COLS; k++)
        s->cstride[k] = 1;
    s->lox = xcalloc(SCATTER_COLS, sizeof(double));
    s->loy = xcalloc(SCATTER_COLS, sizeof(double));
    s->hix = xcalloc(SCATTER_COLS, sizeof(double));
    s->hiy = xcalloc(SCATTER_COLS, sizeof(double));
    for (size_t i = 0; i < s->n; i++)
        add_binned(s, s->x[i], s->y[i]);
    s->n = 0;
}

void scatter_add(scatter_t *s, double x, double y)
{
    if (s->binned) {
        add_binned(s, x, y);
        return;
    }
    if (s->n < SCATTER_ALL_POINTS) {
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 1024;
            s->x = xreallocarray(s->x, s->cap, sizeof *s->x);
            s->y = xreallocarray(s->y, s->cap, sizeof *s->y);
        }
        s->x[s->n] = x, s->y[s->n++] = y;
        return;
    }
    start_binning(s);
    add_binned(s, x, y);
}

/* Binned: each column's lowest point, its sample, its highest point. */
void scatter_finish(scatter_t *s)
{
    if (!s->binned)
        return;
    size_t n = 0;
    for (size_t k = 0; k < SCATTER_COLS; k++)
        n += s->cn[k] + (s->ccount[k] ? 2 : 0);
    free(s->x), free(s->y);
    s->x = xcalloc(n + 1, sizeof *s->x);
    s->y = xcalloc(n + 1, sizeof *s->y);
    s->n = 0;
    for (size_t k = 0; k < SCATTER_COLS; k++) {
        if (!s->ccount[k])
            continue;
        s->x[s->n] = s->lox[k], s->y[s->n++] = s->loy[k];
        for (uint32_t i = 0; i < s->cn[k]; i++)
            s->x[s->n] = s->cx[k * SCATTER_PER_COL + i],
            s->y[s->n++] = s->cy[k * SCATTER_PER_COL + i];
        s->x[s->n] = s->hix[k], s->y[s->n++] = s->hiy[k];
    }
}

void scatter_free(scatter_t *s)
{
    free(s->x), free(s->y), free(s->cx), free(s->cy), free(s->cn), free(s->ccount);
    free(s->cstride), free(s->lox), free(s->loy), free(s->hix), free(s->hiy);
    memset(s, 0, sizeof *s);
}
