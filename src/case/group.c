/* group.c — sort-then-visit for the detectors, and the record collectors;
 * see group.h. */
#include "case/group.h"

#include "core/xalloc.h"

#include <string.h>

static int cmp_both(const grouping_t *g, const void *a, const void *b)
{
    int c = g->key(a, b);
    return c || !g->within ? c : g->within(a, b);
}

/* Bottom-up merge sort of n elements between base and tmp; stable. */
void group_sort(void *base, size_t n, size_t size, const grouping_t *g)
{
    if (!base || n < 2)
        return;
    char *src = base, *dst = xmalloc(n * size), *spare = dst;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                const char *pick = cmp_both(g, src + j * size, src + i * size) < 0
                                       ? src + j++ * size
                                       : src + i++ * size;
                memcpy(dst + o++ * size, pick, size);
            }
            memcpy(dst + o * size, src + i * size, (mid - i) * size);
            o += mid - i;
            memcpy(dst + o * size, src + j * size, (hi - j) * size);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != base)
        memcpy(base, src, n * size);
    free(spare);
}

void group_by(void *base, size_t n, size_t size, const grouping_t *g, group_visit_fn visit,
              void *ctx)
{
    group_sort(base, n, size, g);
    char *v = base;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && g->key(v + i * size, v + j * size) == 0)
            j++;
        visit(v + i * size, j - i, ctx);
        i = j;
    }
}

const conn_rec_t **case_conns(const case_t *k, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nconns;
    const conn_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t j = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t c = 0; c < k->r[i]->nconns; c++)
            v[j++] = capture_conn(k->r[i], c);
    *n = total;
    return v;
}

/* The application summaries are plain arrays in each capture_result_t. */
#define COLLECT(fn, type, field, count)                                                            \
    const type **fn(const case_t *k, size_t *n)                                                    \
    {                                                                                              \
        size_t total = 0;                                                                          \
        for (size_t i = 0; i < k->n; i++)                                                          \
            total += k->r[i]->count;                                                               \
        const type **v = xcalloc(total ? total : 1, sizeof *v);                                    \
        size_t j = 0;                                                                              \
        for (size_t i = 0; i < k->n; i++)                                                          \
            for (size_t m = 0; m < k->r[i]->count; m++)                                            \
                v[j++] = &k->r[i]->field[m];                                                       \
        *n = total;                                                                                \
        return v;                                                                                  \
    }
COLLECT(case_dns, dns_rec_t, dns, ndns)
COLLECT(case_tls, tls_rec_t, tls, ntls)
COLLECT(case_creds, cred_rec_t, creds, ncreds)
#undef COLLECT

static int cmp_range(const void *a, const void *b)
{
    const ts_ns_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

double case_observed_between(const case_t *k, ts_ns_t from, ts_ns_t to)
{
    ts_ns_t(*r)[2] = xcalloc(k->n ? k->n : 1, sizeof *r);
    size_t m = 0;
    for (size_t i = 0; i < k->n; i++) {
        ts_ns_t a = k->r[i]->first_ts > from ? k->r[i]->first_ts : from;
        ts_ns_t b = k->r[i]->last_ts < to ? k->r[i]->last_ts : to;
        if (b > a)
            r[m][0] = a, r[m++][1] = b;
    }
    xqsort(r, m, sizeof *r, cmp_range);
    double total = 0;
    ts_ns_t end = INT64_MIN;
    for (size_t i = 0; i < m; i++) {
        ts_ns_t s = r[i][0] > end ? r[i][0] : end;
        if (r[i][1] > s)
            total += (double)(r[i][1] - s) / 1e9;
        if (r[i][1] > end)
            end = r[i][1];
    }
    free(r);
    return total;
}

double case_observed_seconds(const case_t *k)
{
    return case_observed_between(k, INT64_MIN, INT64_MAX);
}
