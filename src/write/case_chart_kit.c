/* case_chart_kit.c — what the case's charts share: where they are saved,
 * the time axis in the case's zone, the case's time span and its bins,
 * spreading a connection's bytes over its lifetime, host labels. */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>

int case_chart_save(const case_t *k, chart_t *c, const char *name, char *err, size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir);
    int rc = plot_save(c, dir, name, err, errlen);
    free(dir);
    chart_free(c);
    return rc;
}

void case_chart_time_axis(const case_t *k, chart_t *c)
{
    plot_axis(c, true, "Time", PLOT_TIME, false);
    chart_set_time_zone(c, k->opts->tz_offset_sec, k->opts->tz ? k->opts->tz : "UTC");
}

bool case_chart_span(const case_t *k, double *t0, double *t1)
{
    *t0 = INFINITY, *t1 = -INFINITY;
    for (size_t i = 0; i < k->n; i++)
        if (k->r[i]->packets) {
            *t0 = fmin(*t0, (double)(k->r[i]->first_ts / NS_PER_SEC));
            *t1 = fmax(*t1, (double)(k->r[i]->last_ts / NS_PER_SEC) + 1);
        }
    return isfinite(*t0);
}

/* Time bins over [t0, t1): count and width. */
size_t case_chart_time_bins(double t0, double t1, int target, double *bin)
{
    *bin = fmax(1, plot_time_step(t1 - t0, target));
    return (size_t)ceil((t1 - t0) / *bin) + 1;
}

void case_chart_add_bins(chart_t *c, const char *name, const double *x, const double *v, size_t nb,
                         double bin)
{
    double *sx = xcalloc(2 * nb + 1, sizeof *sx), *sv = xcalloc(2 * nb + 1, sizeof *sv);
    for (size_t b = 0; b < nb; b++) {
        sx[2 * b] = x[b];
        sx[2 * b + 1] = x[b] + bin;
        sv[2 * b] = sv[2 * b + 1] = v[b];
    }
    chart_add_series(c, name, sx, sv, 2 * nb);
    free(sx);
    free(sv);
}

/* "10.0.0.5 (name)" with the first name the host was seen under. */
char *case_chart_host_label(const host_t *h)
{
    char ip[IPADDR_STRLEN];
    ipaddr_str(&h->ip, ip);
    return h->nhints ? xasprintf("%s (%s)", ip, h->hint_names[0]) : xstrdup(ip);
}

/* Spread value evenly over the bins that [start, end] covers. */
void case_chart_spread(double *v, size_t nb, double t0, double bin, double start, double end,
                       double value)
{
    if (end < start)
        end = start;
    double b0 = (start - t0) / bin, b1 = (end - t0) / bin;
    if (b0 < 0)
        b0 = 0;
    size_t i0 = (size_t)b0, i1 = (size_t)b1;
    if (i0 >= nb)
        return;
    if (i1 >= nb)
        i1 = nb - 1;
    if (i1 == i0 || b1 <= b0) {
        v[i0] += value;
        return;
    }
    double per = value / (b1 - b0);
    for (size_t i = i0; i <= i1; i++) {
        double lo = fmax(b0, (double)i), hi = fmin(b1, (double)i + 1);
        if (hi > lo)
            v[i] += per * (hi - lo);
    }
}
