/* case_charts.c — see case_charts.h. */
#include "case_charts.h"

#include "case/case.h"
#include "case/findings.h"
#include "case/hosts.h"
#include "charts.h"
#include "write/plot.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "write/tcp_charts.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Time bins over [t0, t1): count and width. */
static size_t time_bins(double t0, double t1, int target, double *bin)
{
    *bin = fmax(1, plot_time_step(t1 - t0, target));
    return (size_t)ceil((t1 - t0) / *bin) + 1;
}

/* Bandwidth of captures [from, to) stacked by transport, as NAME. */
static int bandwidth_of(const case_t *k, size_t from, size_t to, const char *title,
                        const char *scope, const char *name, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, title);
    time_axis(k, c);
    plot_axis(c, false, "Throughput", PLOT_BITRATE, false);
    double t0 = INFINITY, t1 = -INFINITY;
    for (size_t i = from; i < to; i++)
        if (k->r[i]->packets) {
            t0 = fmin(t0, (double)(k->r[i]->first_ts / NS_PER_SEC));
            t1 = fmax(t1, (double)(k->r[i]->last_ts / NS_PER_SEC) + 1);
        }
    if (isfinite(t0)) {
        double bin;
        size_t nb = time_bins(t0, t1, TIME_BINS, &bin);
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
        chart_add_series(c, "TCP", x, v[0], nb);
        chart_add_series(c, "UDP", x, v[1], nb);
        chart_add_series(c, "other", x, v[2], nb);
        free(x);
        for (int s = 0; s < 3; s++)
            free(v[s]);
    }
    chart_set_empty_note(c, "No IP packets in the captures");
    return save(k, c, name, err, errlen);
}

/* The whole case, and each capture on its own when there are several
 * (their clocks may differ: one chart each shows each on its own terms). */
static int bandwidth(const case_t *k, int *written, char *err, size_t errlen)
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

/* "10.0.0.5 (name)" with the first name the host was seen under. */
static char *host_label(const host_t *h)
{
    char ip[IPADDR_STRLEN];
    ipaddr_str(&h->ip, ip);
    return h->nhints ? xasprintf("%s (%s)", ip, h->hint_names[0]) : xstrdup(ip);
}

/* Spread value evenly over the bins that [start, end] covers. */
static void spread(double *v, size_t nb, double t0, double bin, double start, double end,
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

/* Series of a "mix over time" chart: up to MIX_TOP named keys plus "other". */
#define MIX_TOP 6

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

static size_t mix_find(mix_key_t *keys, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Protocol mix: each connection's IP bytes spread over its lifetime, by
 * service (the analyser that recognised it, else the transport). */
static int protocol_mix(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, "Protocol mix over time");
    time_axis(k, c);
    plot_axis(c, false, "Throughput", PLOT_BITRATE, false);
    double t0, t1;
    mix_key_t *keys = NULL;
    size_t nkeys = 0;
    char buf[16];
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *cr = capture_conn(k->r[i], j);
            const char *svc = service_of(cr, buf);
            size_t at = mix_find(keys, nkeys, svc);
            if (at == SIZE_MAX) {
                keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
                keys[nkeys] = (mix_key_t){xstrdup(svc), 0};
                at = nkeys++;
            }
            keys[at].total += (double)(cr->orig_ip_bytes + cr->resp_ip_bytes);
        }
    if (nkeys && span(k, &t0, &t1)) {
        xqsort(keys, nkeys, sizeof *keys, cmp_mix);
        size_t named = nkeys > MIX_TOP + 1 ? MIX_TOP : nkeys;
        double bin;
        size_t nb = time_bins(t0, t1, TIME_BINS, &bin);
        double *x = xcalloc(nb, sizeof *x), **v = xcalloc(named + 1, sizeof *v);
        for (size_t s = 0; s <= named; s++)
            v[s] = xcalloc(nb, sizeof **v);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        for (size_t i = 0; i < k->n; i++)
            for (size_t j = 0; j < k->r[i]->nconns; j++) {
                const conn_rec_t *cr = capture_conn(k->r[i], j);
                size_t at = mix_find(keys, named, service_of(cr, buf));
                double bits = 8.0 * (double)(cr->orig_ip_bytes + cr->resp_ip_bytes) / bin;
                spread(v[at == SIZE_MAX ? named : at], nb, t0, bin, (double)cr->ts / 1e9,
                       (double)cr->last_ts / 1e9, bits);
            }
        char *sub = xasprintf("IP bytes of each connection spread over its lifetime, by service;"
                              " %.0f-second bins",
                              bin);
        chart_set_subtitle(c, sub);
        free(sub);
        for (size_t s = 0; s < named; s++)
            chart_add_series(c, keys[s].name, x, v[s], nb);
        if (nkeys > named)
            chart_add_series(c, "other services", x, v[named], nb);
        for (size_t s = 0; s <= named; s++)
            free(v[s]);
        free(v), free(x);
    }
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i].name);
    free(keys);
    chart_set_empty_note(c, "No connections");
    return save(k, c, "protocol_mix", err, errlen);
}

/* Top senders over time: bytes each host sent, spread over the lifetime of
 * its connections, for the hosts that sent most; the rest as "others". */
static int talkers_over_time(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, "Top talkers over time");
    time_axis(k, c);
    plot_axis(c, false, "Sent", PLOT_BITRATE, false);
    const hosts_t *hs = k->hosts;
    double t0, t1;
    size_t top[MIX_TOP], ntop = 0;
    for (size_t i = 0; i < hs->n; i++) {
        /* insertion into the sorted top list: most bytes sent first, then address */
        size_t at = ntop;
        while (at > 0) {
            const host_t *o = &hs->v[top[at - 1]];
            if (o->bytes_sent > hs->v[i].bytes_sent ||
                (o->bytes_sent == hs->v[i].bytes_sent && ipaddr_cmp(&o->ip, &hs->v[i].ip) < 0))
                break;
            at--;
        }
        if (at >= MIX_TOP || hs->v[i].bytes_sent == 0)
            continue;
        if (ntop < MIX_TOP)
            ntop++;
        memmove(&top[at + 1], &top[at], (ntop - 1 - at) * sizeof top[0]);
        top[at] = i;
    }
    if (ntop && span(k, &t0, &t1)) {
        double bin;
        size_t nb = time_bins(t0, t1, TIME_BINS, &bin);
        double *x = xcalloc(nb, sizeof *x), *v[MIX_TOP + 1];
        for (size_t s = 0; s <= ntop; s++)
            v[s] = xcalloc(nb, sizeof **v);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        bool others = false;
        for (size_t i = 0; i < k->n; i++)
            for (size_t j = 0; j < k->r[i]->nconns; j++) {
                const conn_rec_t *cr = capture_conn(k->r[i], j);
                for (int side = 0; side < 2; side++) {
                    const ipaddr_t *ip = side ? &cr->resp : &cr->orig;
                    uint64_t sent = side ? cr->resp_ip_bytes : cr->orig_ip_bytes;
                    if (!sent)
                        continue;
                    size_t s = ntop;
                    for (size_t t = 0; t < ntop; t++)
                        if (ipaddr_eq(ip, &hs->v[top[t]].ip))
                            s = t;
                    others |= s == ntop;
                    spread(v[s], nb, t0, bin, (double)cr->ts / 1e9, (double)cr->last_ts / 1e9,
                           8.0 * (double)sent / bin);
                }
            }
        char *sub = xasprintf("IP bytes each host sent, spread over its connections' lifetimes;"
                              " %.0f-second bins",
                              bin);
        chart_set_subtitle(c, sub);
        free(sub);
        for (size_t s = 0; s < ntop; s++) {
            char *label = host_label(&hs->v[top[s]]);
            chart_add_series(c, label, x, v[s], nb);
            free(label);
        }
        if (others)
            chart_add_series(c, "all other hosts", x, v[ntop], nb);
        for (size_t s = 0; s <= ntop; s++)
            free(v[s]);
        free(x);
    }
    chart_set_empty_note(c, "No host sent IP data");
    return save(k, c, "talkers_over_time", err, errlen);
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
        v[i] = t[i].bytes;
        labels[i] = host_label(t[i].h);
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
            size_t b =
                (size_t)((json_object_get_double(json_object_array_get_idx(iv, j)) - base) / w);
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
        char name[40];
        snprintf(name, sizeof name, "beacon_F%04zu", i + 1);
        free(title), free(x), free(y);
        if (save(k, c, name, err, errlen) != 0) {
            json_object_put(d);
            return -1;
        }
        /* the same intervals in the order they happened */
        title = xasprintf("Beacon intervals over time (finding F%04zu)", i + 1);
        c = chart_new(CHART_SCATTER, title);
        free(title);
        chart_set_subtitle(c, f->summary);
        time_axis(k, c);
        plot_axis(c, false, "Time since the previous connection", PLOT_SECONDS, false);
        x = xcalloc(n ? n : 1, sizeof *x), y = xcalloc(n ? n : 1, sizeof *y);
        double at = (double)f->first / 1e9;
        for (size_t j = 0; j < n; j++) {
            y[j] = json_object_get_double(json_object_array_get_idx(iv, j));
            at += y[j];
            x[j] = at;
        }
        int id = chart_add_series(c, "interval (at the later connection)", x, y, n);
        chart_series_set_style(c, id, CHART_LINE);
        chart_series_set_color(c, id, CHART_BLUE);
        chart_add_points(c, NULL, x, y, n, CHART_SHAPE_CIRCLE, CHART_BLUE);
        chart_add_hline(c, CHART_Y, period, mark);
        snprintf(name, sizeof name, "beacon_F%04zu_timeline", i + 1);
        free(x), free(y);
        json_object_put(d);
        if (save(k, c, name, err, errlen) != 0)
            return -1;
        written++;
    }
    return written;
}

/* Charts of an earlier run on this case folder go: a connection or finding
 * charted then may not be charted now, and the report lists what is there. */
static void remove_old_charts(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 &&
            (strcmp(e->d_name + l - 4, ".png") == 0 || strcmp(e->d_name + l - 4, ".pdf") == 0)) {
            char *p = xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
}

/* The charts of findings and connections (the TCP ones read the captures
 * again), drawn beside the case-wide ones when there is a second core. */
typedef struct detail_job {
    const case_t *k;
    char err[512];
    int written; /* -1 on failure */
} detail_job_t;

static void *detail_charts(void *arg)
{
    detail_job_t *j = arg;
    int b = beacons(j->k, j->err, sizeof j->err);
    int t = b < 0 ? -1 : tcp_charts_write(j->k, j->err, sizeof j->err);
    j->written = t < 0 ? -1 : 2 * b + 2 * t;
    return NULL;
}

int case_charts_write(const case_t *k, char *err, size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir);
    int rc = mkdir_p(dir, 0755);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
    else
        remove_old_charts(dir);
    free(dir);
    if (rc != 0)
        return -1;
    detail_job_t job = {.k = k};
    pthread_t t;
    bool threaded = k->opts->jobs > 1 && pthread_create(&t, NULL, detail_charts, &job) == 0;
    int written = 0;
    rc = bandwidth(k, &written, err, errlen) || protocol_mix(k, err, errlen) ||
         talkers_over_time(k, err, errlen) || top_talkers(k, err, errlen) ||
         duration_bytes(k, err, errlen) || dns_over_time(k, err, errlen);
    if (threaded)
        pthread_join(t, NULL);
    else if (rc == 0)
        detail_charts(&job);
    if (rc != 0)
        return -1;
    if (job.written < 0) {
        snprintf(err, errlen, "%s", job.err);
        return -1;
    }
    return written + 5 + job.written;
}
