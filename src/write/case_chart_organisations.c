/* case_chart_organisations.c — with --mmdb, who owns the traffic: bytes
 * sent and received by the hosts of each AS, the top ten (bars). */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Organisations charted (the rest of the bytes are not summed into "other":
 * the chart ranks, hosts.ndjson has every host's owner). */
#define ORG_BARS 10

typedef struct org_bytes {
    uint32_t asn;
    const char *org; /* NULL when the databases name none */
    double bytes;
} org_bytes_t;

static int cmp_org_key(const void *a, const void *b)
{
    const org_bytes_t *x = a, *y = b;
    if (x->asn != y->asn)
        return x->asn < y->asn ? -1 : 1;
    return strcmp(x->org ? x->org : "", y->org ? y->org : "");
}

static int cmp_org_bytes(const void *a, const void *b)
{
    const org_bytes_t *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return cmp_org_key(a, b);
}

/* --mmdb: bytes sent and received by the hosts of each AS (organisation),
 * the top ten; hosts no database knows are left out. */
int case_chart_top_organisations(const case_t *k, int *written, char *err, size_t errlen)
{
    if (!k->opts->geoip)
        return 0;
    const hosts_t *hs = k->hosts;
    org_bytes_t *v = xcalloc(hs->n ? hs->n : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < hs->n; i++)
        if (hs->v[i].asn || hs->v[i].as_org)
            v[n++] = (org_bytes_t){hs->v[i].asn, hs->v[i].as_org,
                                   (double)(hs->v[i].bytes_sent + hs->v[i].bytes_recv)};
    xqsort(v, n, sizeof *v, cmp_org_key);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u && cmp_org_key(&v[u - 1], &v[i]) == 0)
            v[u - 1].bytes += v[i].bytes;
        else
            v[u++] = v[i];
    }
    xqsort(v, u, sizeof *v, cmp_org_bytes);
    size_t bars = u < ORG_BARS ? u : ORG_BARS;
    double bytes[ORG_BARS];
    char *labels[ORG_BARS];
    for (size_t i = 0; i < bars; i++) {
        bytes[i] = v[i].bytes;
        labels[i] = v[i].asn && v[i].org ? xasprintf("AS%u %s", v[i].asn, v[i].org)
                    : v[i].asn           ? xasprintf("AS%u", v[i].asn)
                                         : xstrdup(v[i].org);
    }
    chart_t *c = chart_new(CHART_HBARS, "Top talkers by organisation (AS)");
    plot_axis(c, true, "IP bytes", PLOT_BYTES, false);
    if (bars)
        chart_add_bars(c, "bytes", (const char *const *)labels, bytes, bars);
    chart_set_empty_note(c, "No host is in the --mmdb databases");
    for (size_t i = 0; i < bars; i++)
        free(labels[i]);
    free(v);
    (*written)++;
    return case_chart_save(k, c, "top_organisations", err, errlen);
}
