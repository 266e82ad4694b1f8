/* delaysum.c — exact, then histogram, order statistics; see delaysum.h. */
#include "delaysum.h"

#include "core/xalloc.h"

#include <math.h>
#include <string.h>

#define SUB_BITS 10
#define SUB (1u << SUB_BITS)
/* page 0: |v| < 1024 ns one bucket per ns; page p >= 1: |v| in [2^(p+9), 2^(p+10)) */
#define PAGES 54
#define VMAX ((int64_t)1 << 62)

struct ds_hist {
    uint32_t *page[2][PAGES]; /* [0] negative values, [1] zero and positive */
    uint64_t count[2][PAGES];
};

void ds_init(delaysum_t *d, uint32_t exact_limit)
{
    memset(d, 0, sizeof *d);
    d->limit = exact_limit;
    d->min = INFINITY;
    d->max = -INFINITY;
}

static void hist_add(struct ds_hist *h, double v)
{
    double ns = v * 1e9;
    int64_t x = ns >= (double)VMAX ? VMAX - 1 : ns <= -(double)VMAX ? -(VMAX - 1) : llround(ns);
    int sign = x >= 0;
    uint64_t m = (uint64_t)(x >= 0 ? x : -x);
    unsigned p, i;
    if (m < SUB) {
        p = 0, i = (unsigned)m;
    } else {
        unsigned e = 63u - (unsigned)__builtin_clzll(m); /* >= SUB_BITS */
        p = e - SUB_BITS + 1;
        i = (unsigned)(m >> (e - SUB_BITS)) & (SUB - 1);
    }
    if (!h->page[sign][p])
        h->page[sign][p] = xcalloc(SUB, sizeof(uint32_t));
    h->page[sign][p][i]++;
    h->count[sign][p]++;
}

/* The middle of bucket (p, i), in nanoseconds, without sign. */
static double bucket_value(unsigned p, unsigned i)
{
    if (p == 0)
        return i;
    unsigned shift = p - 1;
    uint64_t lo = (uint64_t)(SUB + i) << shift, width = (uint64_t)1 << shift;
    return (double)lo + (double)(width / 2);
}

void ds_add(delaysum_t *d, double v)
{
    d->n++;
    if (v < d->min)
        d->min = v;
    if (v > d->max)
        d->max = v;
    if (!d->hist && d->nexact < d->limit) {
        if (d->nexact == d->capexact) {
            d->capexact = d->capexact ? d->capexact * 2 : 16;
            if (d->capexact > d->limit)
                d->capexact = d->limit;
            d->exact = xreallocarray(d->exact, d->capexact, sizeof *d->exact);
        }
        d->exact[d->nexact++] = v;
        d->sorted = false;
        return;
    }
    if (!d->hist) {
        d->hist = xcalloc(1, sizeof *d->hist);
        for (uint32_t k = 0; k < d->nexact; k++)
            hist_add(d->hist, d->exact[k]);
        free(d->exact);
        d->exact = NULL;
        d->nexact = d->capexact = 0;
    }
    hist_add(d->hist, v);
}

bool ds_is_exact(const delaysum_t *d)
{
    return !d->hist;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double clamp(const delaysum_t *d, double v)
{
    return v < d->min ? d->min : v > d->max ? d->max : v;
}

double ds_rank(delaysum_t *d, uint64_t r)
{
    if (!d->hist) {
        if (!d->sorted) {
            xqsort(d->exact, d->nexact, sizeof *d->exact, cmp_double);
            d->sorted = true;
        }
        return d->exact[r < d->nexact ? r : d->nexact - 1];
    }
    if (r == 0)
        return d->min;
    if (r + 1 >= d->n)
        return d->max;
    const struct ds_hist *h = d->hist;
    uint64_t seen = 0;
    /* negative values, most negative first */
    for (unsigned p = PAGES; p-- > 0;) {
        if (seen + h->count[0][p] <= r) {
            seen += h->count[0][p];
            continue;
        }
        for (unsigned i = SUB; i-- > 0;) {
            seen += h->page[0][p][i];
            if (seen > r)
                return clamp(d, -bucket_value(p, i) / 1e9);
        }
    }
    for (unsigned p = 0; p < PAGES; p++) {
        if (seen + h->count[1][p] <= r) {
            seen += h->count[1][p];
            continue;
        }
        for (unsigned i = 0; i < SUB; i++) {
            seen += h->page[1][p][i];
            if (seen > r)
                return clamp(d, bucket_value(p, i) / 1e9);
        }
    }
    return d->max;
}

void ds_free(delaysum_t *d)
{
    free(d->exact);
    if (d->hist) {
        for (int s = 0; s < 2; s++)
            for (int p = 0; p < PAGES; p++)
                free(d->hist->page[s][p]);
        free(d->hist);
    }
    memset(d, 0, sizeof *d);
}
