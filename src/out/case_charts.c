/* case_charts.c — see case_charts.h. */
#include "case_charts.h"

#include "case/case.h"
#include "case/findings.h"
#include "case/hosts.h"
#include "charts.h"
#include "out/plot.h"
#include "core/xalloc.h"
#include "out/fsutil.h"
#include "out/tcp_charts.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bins on a time axis: enough to show bursts, few enough to read. */
#define TIME_BINS 300
/* Points in the duration/bytes scatter (a deterministic sample beyond that). */
#define SCATTER_MAX 20000
/* Beacon findings charted. */
#define BEACON_CHARTS 10

static int save(const case_t *k, chart_t *c, const char *name, char *err, size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir);
    int rc = plot_save(c, dir, name, err, errlen);
    free(dir);
    chart_free(c);
    return rc;
}

static void time_axis(const case_t *k, chart_t *c)
{
    plot_axis(c, true, "Time", PLOT_TIME, false);
    chart_set_time_zone(c, k->opts->tz_offset_sec, k->opts->tz ? k->opts->tz : "UTC");
}

static bool span(const case_t *k, double *t0, double *t1)
{
    *t0 = INFINITY, *t1 = -INFINITY;
    for (size_t i = 0; i < k->n; i++)
        if (k->r[i]->packets) {
            *t0 = fmin(*t0, (double)(k->r[i]->first_ts / NS_PER_SEC));
            *t1 = fmax(*t1, (double)(k->r[i]->last_ts / NS_PER_SEC) + 1);
        }
    return isfinite(*t0);
}

static int bandwidth(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, "Bandwidth over time");
    time_axis(k, c);
    plot_axis(c, false, "Throughput", PLOT_BITRATE, false);
    double t0, t1;
    if (span(k, &t0, &t1)) {
        double bin = plot_time_step(t1 - t0, TIME_BINS);
        if (bin < 1)
            bin = 1;
        size_t nb = (size_t)ceil((t1 - t0) / bin) + 1;
        double *x = xcalloc(nb, sizeof *x), *v[3];
        for (int s = 0; s < 3; s++)
            v[s] = xcalloc(nb, sizeof *v[s]);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        for (size_t i = 0; i < k->n; i++)
            for (size_t j = 0; j < k->r[i]->nrates; j++) {
                const rate_bin_t *r = &k->r[i]->rates[j];
                size_t b = (size_t)(((double)r->sec - t0) / bin);
                if (b < nb) {
                    v[0][b] += 8.0 * (double)r->tcp / bin; /* bit/s */
                    v[1][b] += 8.0 * (double)r->udp / bin;
                    v[2][b] += 8.0 * (double)r->other / bin;
                }
            }
        char sub[96];
        snprintf(sub, sizeof sub, "all captures, %.0f-second bins, IP bytes", bin);
        chart_set_subtitle(c, sub);
        chart_add_series(c, "TCP", x, v[0], nb);
        chart_add_series(c, "UDP", x, v[1], nb);
        chart_add_series(c, "other", x, v[2], nb);
        free(x);
        for (int s = 0; s < 3; s++)
            free(v[s]);
    }
    chart_set_empty_note(c, "No IP packets in the captures");
    return save(k, c, "bandwidth", err, errlen);
}

typedef struct talker {
    double bytes;
    const host_t *h;
} talker_t;

static int cmp_talker(const void *a, const void *b)
{
    const talker_t *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return ipaddr_cmp(&x->h->ip, &y->h->ip);
}

static int top_talkers(const case_t *k, char *err, size_t errlen)
{
    const hosts_t *hs = k->hosts;
    talker_t *t = xcalloc(hs->n ? hs->n : 1, sizeof *t);
    for (size_t i = 0; i < hs->n; i++)
        t[i] = (talker_t){(double)(hs->v[i].bytes_sent + hs->v[i].bytes_recv), &hs->v[i]};
    xqsort(t, hs->n, sizeof *t, cmp_talker);
    size_t n = hs->n < 10 ? hs->n : 10;
    double v[10];
    char *labels[10];
    for (size_t i = 0; i < n; i++) {
        char ip[IPADDR_STRLEN];
        ipaddr_str(&t[i].h->ip, ip);
        v[i] = t[i].bytes;
        labels[i] = t[i].h->nhints ? xasprintf("%s (%s)", ip, t[i].h->hint_names[0])
                                   : xstrdup(ip);
    }
    chart_t *c = chart_new(CHART_HBARS, "Top talkers by bytes sent and received");
    plot_axis(c, true, "IP bytes", PLOT_BYTES, false);
    if (n)
        chart_add_bars(c, "bytes", (const char *const *)labels, v, n);
    chart_set_empty_note(c, "No hosts");
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(t);
    return save(k, c, "top_talkers", err, errlen);
}

static int duration_bytes(const case_t *k, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nconns;
    size_t stride = total > SCATTER_MAX ? total / SCATTER_MAX + 1 : 1, m = 0, idx = 0;
    double *x = xcalloc(total / stride + 2, sizeof *x), *y = xcalloc(total / stride + 2, sizeof *y);
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++, idx++) {
            const conn_rec_t *c = capture_conn(k->r[i], j);
            double d = (double)(c->last_ts - c->ts) / 1e9, b = (double)(c->orig_bytes + c->resp_bytes);
            if (idx % stride == 0 && d > 0 && b > 0)
                x[m] = d, y[m++] = b;
        }
    chart_t *c = chart_new(CHART_SCATTER, "Connections: duration vs bytes");
    chart_set_subtitle(c, "each dot is a connection with data; beacons line up, bulk transfers sit high");
    plot_axis(c, true, "Duration", PLOT_SECONDS, true);
    plot_axis(c, false, "Payload bytes (both directions)", PLOT_BYTES, true);
    if (m)
        chart_add_series(c, "connections", x, y, m);
    chart_set_empty_note(c, "No connection lasted and carried data");
    free(x), free(y);
    return save(k, c, "duration_bytes", err, errlen);
}

static int dns_over_time(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_STEP, "DNS queries over time");
    time_axis(k, c);
    plot_axis(c, false, "Queries per bin", PLOT_PLAIN, false);
    double t0, t1;
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ndns;
    if (total && span(k, &t0, &t1)) {
        double bin = fmax(1, plot_time_step(t1 - t0, 120));
        size_t nb = (size_t)ceil((t1 - t0) / bin) + 1;
        double *x = xcalloc(nb, sizeof *x), *q = xcalloc(nb, sizeof *q), *nx = xcalloc(nb, sizeof *nx);
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
    return save(k, c, "dns_over_time", err, errlen);
}

static int beacons(const case_t *k, char *err, size_t errlen)
{
    int written = 0;
    for (size_t i = 0; i < k->findings->n && written < BEACON_CHARTS; i++) {
        const finding_t *f = &k->findings->v[i];
        if (strcmp(f->type, "beaconing") != 0 || !f->details)
            continue;
        json_object *d = json_tokener_parse(f->details), *iv, *per;
        if (!d || !json_object_object_get_ex(d, "intervals", &iv) ||
            !json_object_object_get_ex(d, "period", &per)) {
            json_object_put(d);
            continue;
        }
        double period = json_object_get_double(per);
        size_t n = json_object_array_length(iv);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t j = 0; j < n; j++) {
            double v = json_object_get_double(json_object_array_get_idx(iv, j));
            lo = fmin(lo, v), hi = fmax(hi, v);
        }
        double w = plot_nice_step(fmax(hi - lo, period * 0.2), 30);
        size_t nb = n ? (size_t)((hi - lo) / w) + 2 : 1;
        double *x = xcalloc(nb, sizeof *x), *y = xcalloc(nb, sizeof *y);
        double base = floor(lo / w) * w;
        for (size_t b = 0; b < nb; b++)
            x[b] = base + w * ((double)b + 0.5);
        for (size_t j = 0; j < n; j++) {
            size_t b = (size_t)((json_object_get_double(json_object_array_get_idx(iv, j)) - base) / w);
            if (b < nb)
                y[b]++;
        }
        char *title = xasprintf("Beacon intervals (finding F%04zu)", i + 1);
        chart_t *c = chart_new(CHART_BARS, title);
        chart_set_subtitle(c, f->summary);
        plot_axis(c, true, "Time between connection starts", PLOT_SECONDS, false);
        plot_axis(c, false, "Connections", PLOT_PLAIN, false);
        chart_add_series(c, "intervals", x, y, nb);
        char mark[48];
        snprintf(mark, sizeof mark, "period %.2f s", period);
        chart_add_vline(c, period, mark);
        char name[32];
        snprintf(name, sizeof name, "beacon_F%04zu", i + 1);
        free(title), free(x), free(y);
        json_object_put(d);
        if (save(k, c, name, err, errlen) != 0)
            return -1;
        written++;
    }
    return written;
}

int case_charts_write(const case_t *k, char *err, size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir);
    int rc = mkdir_p(dir, 0755);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
    free(dir);
    if (rc != 0)
        return -1;
    if (bandwidth(k, err, errlen) || top_talkers(k, err, errlen) ||
        duration_bytes(k, err, errlen) || dns_over_time(k, err, errlen))
        return -1;
    int b = beacons(k, err, errlen);
    if (b < 0)
        return -1;
    int t = tcp_charts_write(k, err, errlen);
    return t < 0 ? -1 : 4 + b + 2 * t;
}
