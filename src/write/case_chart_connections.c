/* case_chart_connections.c — connections by duration and bytes: beacons
 * line up, bulk transfers sit high. */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <stdlib.h>

/* Points in the duration/bytes scatter (a deterministic sample beyond that). */
#define SCATTER_MAX 20000

int case_chart_duration_bytes(const case_t *k, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nconns;
    size_t stride = total > SCATTER_MAX ? total / SCATTER_MAX + 1 : 1, m = 0, idx = 0;
    double *x = xcalloc(total / stride + 2, sizeof *x), *y = xcalloc(total / stride + 2, sizeof *y);
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++, idx++) {
            const conn_rec_t *c = capture_conn(k->r[i], j);
            double d = (double)(c->last_ts - c->ts) / 1e9,
                   b = (double)(c->orig_bytes + c->resp_bytes);
            if (idx % stride == 0 && d > 0 && b > 0)
                x[m] = d, y[m++] = b;
        }
    chart_t *c = chart_new(CHART_SCATTER, "Connections: duration vs bytes");
    chart_set_subtitle(
        c, "each dot is a connection with data; beacons line up, bulk transfers sit high");
    plot_axis(c, true, "Duration", PLOT_SECONDS, true);
    plot_axis(c, false, "Payload bytes (both directions)", PLOT_BYTES, true);
    if (m)
        chart_add_series(c, "connections", x, y, m);
    chart_set_empty_note(c, "No connection lasted and carried data");
    free(x), free(y);
    return case_chart_save(k, c, "duration_bytes", err, errlen);
}
