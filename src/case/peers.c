/* peers.c — distinct originators per destination; see peers.h. */
#include "case/peers.h"

#include "case/group.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct dest_count {
    ipaddr_t addr;
    const char *name; /* NULL in the by-address table */
    unsigned hosts;
} dest_count_t;

struct peers {
    dest_count_t *by_addr, *by_name;
    size_t naddr, nname;
    unsigned population;
};

static int cmp_resp(const void *a, const void *b)
{
    return ipaddr_cmp(&(*(const conn_rec_t *const *)a)->resp,
                      &(*(const conn_rec_t *const *)b)->resp);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(const conn_rec_t *const *)a)->name_hint,
                  (*(const conn_rec_t *const *)b)->name_hint);
}

static int cmp_orig(const void *a, const void *b)
{
    return ipaddr_cmp(&(*(const conn_rec_t *const *)a)->orig,
                      &(*(const conn_rec_t *const *)b)->orig);
}

static unsigned distinct_origs(const conn_rec_t *const *g, size_t n)
{
    unsigned d = 0;
    for (size_t i = 0; i < n; i++)
        d += i == 0 || !ipaddr_eq(&g[i]->orig, &g[i - 1]->orig);
    return d;
}

typedef struct table_ctx {
    dest_count_t *v;
    size_t n;
    bool by_name;
} table_ctx_t;

static void count_group(void *items, size_t n, void *ctx)
{
    const conn_rec_t *const *g = items;
    table_ctx_t *t = ctx;
    dest_count_t *d = &t->v[t->n++];
    d->addr = g[0]->resp;
    d->name = t->by_name ? g[0]->name_hint : NULL;
    d->hosts = distinct_origs(g, n);
}

peers_t *peers_build(const conn_rec_t *const *conns, size_t n)
{
    peers_t *p = xcalloc(1, sizeof *p);
    const conn_rec_t **v = xcalloc(n ? n : 1, sizeof *v);
    memcpy(v, conns, n * sizeof *v);
    table_ctx_t t = {xcalloc(n ? n : 1, sizeof *t.v), 0, false};
    group_by(v, n, sizeof *v, &(grouping_t){cmp_resp, cmp_orig}, count_group, &t);
    p->by_addr = t.v, p->naddr = t.n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (conns[i]->name_hint && conns[i]->name_hint[0])
            v[m++] = conns[i];
    t = (table_ctx_t){xcalloc(m ? m : 1, sizeof *t.v), 0, true};
    group_by(v, m, sizeof *v, &(grouping_t){cmp_name, cmp_orig}, count_group, &t);
    p->by_name = t.v, p->nname = t.n;
    memcpy(v, conns, n * sizeof *v);
    group_sort(v, n, sizeof *v, &(grouping_t){cmp_orig, NULL});
    p->population = distinct_origs(v, n);
    free(v);
    return p;
}

void peers_free(peers_t *p)
{
    if (!p)
        return;
    free(p->by_addr);
    free(p->by_name);
    free(p);
}

unsigned peers_by_addr(const peers_t *p, const ipaddr_t *resp)
{
    size_t lo = 0, hi = p->naddr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ipaddr_cmp(&p->by_addr[mid].addr, resp);
        if (c == 0)
            return p->by_addr[mid].hosts;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

unsigned peers_by_name(const peers_t *p, const char *name)
{
    size_t lo = 0, hi = p->nname;
    while (name && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->by_name[mid].name, name);
        if (c == 0)
            return p->by_name[mid].hosts;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

unsigned peers_population(const peers_t *p)
{
    return p->population;
}
