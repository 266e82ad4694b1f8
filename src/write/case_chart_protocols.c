/* case_chart_protocols.c — the protocol mix over time: each connection's IP
 * bytes spread over its lifetime, stacked by service (the analyser that
 * recognised it, else the transport). */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mix_key {
    char *name;
    double total;
} mix_key_t;

static int cmp_mix(const void *a, const void *b)
{
    const mix_key_t *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->name, y->name);
}

static const char *service_of(const conn_rec_t *c, char buf[16])
{
    if (c->service && *c->service)
        return c->service;
    snprintf(buf, 16, "%s other",
             c->proto == 6    ? "tcp"
             : c->proto == 17 ? "udp"
             : c->proto == 1  ? "icmp"
                              : "ip");
    return buf;
}

static size_t mix_find(const mix_key_t *keys, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Every service of the case with its IP bytes, in first-seen order. */
static size_t services(const case_t *k, mix_key_t **keys)
{
    size_t nkeys = 0;
    char buf[16];
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *cr = capture_conn(k->r[i], j);
            const char *svc = service_of(cr, buf);
            size_t at = mix_find(*keys, nkeys, svc);
            if (at == SIZE_MAX) {
                *keys = xreallocarray(*keys, nkeys + 1, sizeof **keys);
                (*keys)[nkeys] = (mix_key_t){xstrdup(svc), 0};
                at = nkeys++;
            }
            (*keys)[at].total += (double)(cr->orig_ip_bytes + cr->resp_ip_bytes);
        }
    return nkeys;
}

/* Each connection's bytes into the bins of its service (v[named]: the
 * services not named). */
static void spread_services(const case_t *k, const mix_key_t *keys, size_t named, double **v,
                            size_t nb, double t0, double bin)
{
    char buf[16];
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *cr = capture_conn(k->r[i], j);
            size_t at = mix_find(keys, named, service_of(cr, buf));
            double bits = 8.0 * (double)(cr->orig_ip_bytes + cr->resp_ip_bytes) / bin;
            case_chart_spread(v[at == SIZE_MAX ? named : at], nb, t0, bin, (double)cr->ts / 1e9,
                              (double)cr->last_ts / 1e9, bits);
        }
}

/* Protocol mix: each connection's IP bytes spread over its lifetime, by
 * service (the analyser that recognised it, else the transport). */
int case_chart_protocol_mix(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, "Protocol mix over time");
    case_chart_time_axis(k, c);
    plot_axis(c, false, "Throughput", PLOT_BITRATE, false);
    double t0, t1;
    mix_key_t *keys = NULL;
    size_t nkeys = services(k, &keys);
    if (nkeys && case_chart_span(k, &t0, &t1)) {
        xqsort(keys, nkeys, sizeof *keys, cmp_mix);
        size_t named = nkeys > MIX_TOP + 1 ? MIX_TOP : nkeys;
        double bin;
        size_t nb = case_chart_time_bins(t0, t1, TIME_BINS, &bin);
        double *x = xcalloc(nb, sizeof *x), **v = xcalloc(named + 1, sizeof *v);
        for (size_t s = 0; s <= named; s++)
            v[s] = xcalloc(nb, sizeof **v);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        spread_services(k, keys, named, v, nb, t0, bin);
        char *sub = xasprintf("IP bytes of each connection spread over its lifetime, by service;"
                              " %.0f-second bins",
                              bin);
        chart_set_subtitle(c, sub);
        free(sub);
        for (size_t s = 0; s < named; s++)
            case_chart_add_bins(c, keys[s].name, x, v[s], nb, bin);
        if (nkeys > named)
            case_chart_add_bins(c, "other services", x, v[named], nb, bin);
        for (size_t s = 0; s <= named; s++)
            free(v[s]);
        free(v), free(x);
    }
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i].name);
    free(keys);
    chart_set_empty_note(c, "No connections");
    return case_chart_save(k, c, "protocol_mix", err, errlen);
}
