/* case_chart_dns.c — DNS queries over time, and how many were answered
 * NXDOMAIN. */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int case_chart_dns_over_time(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_STEP, "DNS queries over time");
    case_chart_time_axis(k, c);
    plot_axis(c, false, "Queries per bin", PLOT_PLAIN, false);
    double t0, t1;
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ndns;
    if (total && case_chart_span(k, &t0, &t1)) {
        double bin = fmax(1, plot_time_step(t1 - t0, 120));
        size_t nb = (size_t)ceil((t1 - t0) / bin) + 1;
        double *x = xcalloc(nb, sizeof *x), *q = xcalloc(nb, sizeof *q),
               *nx = xcalloc(nb, sizeof *nx);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        for (size_t i = 0; i < k->n; i++)
            for (size_t j = 0; j < k->r[i]->ndns; j++) {
                const dns_rec_t *d = &k->r[i]->dns[j];
                size_t b = (size_t)(((double)(d->ts / NS_PER_SEC)) - t0) / (size_t)bin;
                if (b < nb) {
                    q[b]++;
                    if (d->rcode == 3)
                        nx[b]++;
                }
            }
        char sub[64];
        snprintf(sub, sizeof sub, "%.0f-second bins", bin);
        chart_set_subtitle(c, sub);
        chart_add_series(c, "queries", x, q, nb);
        chart_add_series(c, "NXDOMAIN", x, nx, nb);
        free(x), free(q), free(nx);
    }
    chart_set_empty_note(c, "No DNS traffic");
    return case_chart_save(k, c, "dns_over_time", err, errlen);
}
