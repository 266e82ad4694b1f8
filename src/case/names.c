/* names.c — see names.h. */
#include "names.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    ipaddr_t addr;
    const char *name;
    ts_ns_t first, last;
} entry_t;

struct names {
    entry_t *v;
    size_t n;
    /* per-address name lists for names_all, built lazily in names_build */
    const char **all;
};

static int cmp_entry(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    int c = ipaddr_cmp(&x->addr, &y->addr);
    if (c)
        return c;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return strcmp(x->name, y->name);
}

names_t *names_build(capture_result_t *const *results, size_t n)
{
    names_t *t = xcalloc(1, sizeof *t);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += results[i]->npdns;
    t->v = xcalloc(total ? total : 1, sizeof *t->v);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < results[i]->npdns; j++) {
            const pdns_entry_t *p = &results[i]->pdns[j];
            t->v[t->n++] = (entry_t){p->addr, p->name, p->first, p->last};
        }
    xqsort(t->v, t->n, sizeof *t->v, cmp_entry);
    t->all = xcalloc(t->n ? t->n : 1, sizeof *t->all);
    return t;
}

/* first index with this address, or n */
static size_t lower_bound(const names_t *t, const ipaddr_t *addr)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ipaddr_cmp(&t->v[mid].addr, addr) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *names_lookup(const names_t *t, const ipaddr_t *addr, ts_ns_t ts)
{
    size_t i = lower_bound(t, addr);
    const char *best = NULL, *earliest = NULL;
    for (; i < t->n && ipaddr_eq(&t->v[i].addr, addr); i++) {
        if (!earliest)
            earliest = t->v[i].name;
        if (t->v[i].first <= ts)
            best = t->v[i].name;
    }
    return best ? best : earliest;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t names_all(const names_t *t, const ipaddr_t *addr, const char *const **out)
{
    size_t i = lower_bound(t, addr), k = 0;
    const char **dst = t->all + i;
    for (size_t j = i; j < t->n && ipaddr_eq(&t->v[j].addr, addr); j++)
        dst[k++] = t->v[j].name;
    xqsort(dst, k, sizeof *dst, cmp_cstr);
    size_t u = 0;
    for (size_t j = 0; j < k; j++)
        if (u == 0 || strcmp(dst[u - 1], dst[j]) != 0)
            dst[u++] = dst[j];
    *out = dst;
    return u;
}

void names_free(names_t *t)
{
    if (!t)
        return;
    free(t->v);
    free(t->all);
    free(t);
}
