/* case_chart_bandwidth.c — bandwidth over time, stacked by transport: the
 * whole case, and each capture on its own when there are several. */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Bandwidth of captures [from, to) stacked by transport, as NAME. */
static int bandwidth_of(const case_t *k, size_t from, size_t to, const char *title,
                        const char *scope, const char *name, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, title);
    case_chart_time_axis(k, c);
    plot_axis(c, false, "Throughput", PLOT_BITRATE, false);
    double t0 = INFINITY, t1 = -INFINITY;
    for (size_t i = from; i < to; i++)
        if (k->r[i]->packets) {
            t0 = fmin(t0, (double)(k->r[i]->first_ts / NS_PER_SEC));
            t1 = fmax(t1, (double)(k->r[i]->last_ts / NS_PER_SEC) + 1);
        }
    if (isfinite(t0)) {
        double bin;
        size_t nb = case_chart_time_bins(t0, t1, TIME_BINS, &bin);
        double *x = xcalloc(nb, sizeof *x), *v[3];
        for (int s = 0; s < 3; s++)
            v[s] = xcalloc(nb, sizeof *v[s]);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        for (size_t i = from; i < to; i++)
            for (size_t j = 0; j < k->r[i]->nrates; j++) {
                const rate_bin_t *r = &k->r[i]->rates[j];
                size_t b = (size_t)(((double)r->sec - t0) / bin);
                if (b < nb) {
                    v[0][b] += 8.0 * (double)r->tcp / bin; /* bit/s */
                    v[1][b] += 8.0 * (double)r->udp / bin;
                    v[2][b] += 8.0 * (double)r->other / bin;
                }
            }
        char *sub = xasprintf("%s, %.0f-second bins, IP bytes", scope, bin);
        chart_set_subtitle(c, sub);
        free(sub);
        case_chart_add_bins(c, "TCP", x, v[0], nb, bin);
        case_chart_add_bins(c, "UDP", x, v[1], nb, bin);
        case_chart_add_bins(c, "other", x, v[2], nb, bin);
        free(x);
        for (int s = 0; s < 3; s++)
            free(v[s]);
    }
    chart_set_empty_note(c, "No IP packets in the captures");
    return case_chart_save(k, c, name, err, errlen);
}

/* The whole case, and each capture on its own when there are several
 * (their clocks may differ: one chart each shows each on its own terms). */
int case_chart_bandwidth(const case_t *k, int *written, char *err, size_t errlen)
{
    if (bandwidth_of(k, 0, k->n, "Bandwidth over time", "all captures", "bandwidth", err, errlen))
        return -1;
    (*written)++;
    for (size_t i = 0; k->n > 1 && i < k->n; i++) {
        char *title = xasprintf("Bandwidth over time: %s", k->r[i]->name);
        char name[48];
        snprintf(name, sizeof name, "bandwidth_capture_%02zu", i + 1);
        int rc = bandwidth_of(k, i, i + 1, title, "this capture only", name, err, errlen);
        free(title);
        if (rc)
            return -1;
        (*written)++;
    }
    return 0;
}
