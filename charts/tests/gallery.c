/*
 * gallery.c — charts_gallery OUTDIR: every chart kind, drawn from realistic
 * synthetic data, as PNG, PDF and SVG.  It exists to be looked at: layout
 * bugs (overlapping ticks, clipped labels, legends on data) show here first.
 * It also times a ten-million-point line, the case that proves reduction.
 *
 * charts_gallery OUTDIR WIDTH HEIGHT draws them all at one size instead, to
 * check how layouts hold up small (report thumbnails) or large.
 *
 * Exit status: 0 when every chart rendered, 1 otherwise (the reason is
 * printed per chart), 2 on usage errors.
 */
#include "charts.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* 2026-11-23 00:00 at +02:00: the day the bandwidth chart covers. */
#define DAY_START 1795384800.0
#define TZ_OFFSET 7200
#define BIG_POINTS 10000000

static int failures;
static int size_w, size_h; /* from the command line; 0 = each chart's own */

/* Deterministic pseudo-random numbers (xorshift64*), so the gallery is the
 * same picture on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static double normal(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Render c as OUTDIR/name.{png,pdf,svg} and free it. */
static void save(chart_t *c, const char *dir, const char *name, int w, int h)
{
    char path[4096];
    const char *ext[] = {"png", "pdf", "svg"};
    if (size_w > 0)
        w = size_w, h = size_h;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[i]);
        int rc = i == 0   ? chart_render_png(c, path, w, h)
                 : i == 1 ? chart_render_pdf(c, path, w, h)
                          : chart_render_svg(c, path, w, h);
        if (rc != 0) {
            fprintf(stderr, "%s: %s\n", path, chart_error(c));
            failures++;
        }
    }
    chart_free(c);
}

static void check(chart_t *c, int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, chart_error(c));
        failures++;
    }
}

/* Bandwidth over a day, per second, stacked by protocol: office hours,
 * a nightly backup burst, and a short UDP flood. */
static void bandwidth_day(const char *dir)
{
    size_t n = 86400;
    double *t = malloc(n * sizeof *t), *tcp = malloc(n * sizeof *tcp);
    double *udp = malloc(n * sizeof *udp), *other = malloc(n * sizeof *other);
    for (size_t i = 0; i < n; i++) {
        double hour = (double)i / 3600;
        double office = exp(-pow((hour - 13) / 3.5, 2));
        t[i] = DAY_START + (double)i;
        tcp[i] = (2e6 + 38e6 * office) * (0.7 + 0.6 * uniform());
        if (hour > 2 && hour < 2.75)
            tcp[i] += 180e6; /* backup */
        udp[i] = (0.4e6 + 1.5e6 * office) * (0.5 + uniform());
        if (hour > 16.5 && hour < 16.55)
            udp[i] += 90e6; /* flood */
        other[i] = 0.15e6 * (0.5 + uniform());
    }
    chart_t *c = chart_new(CHART_AREA_STACKED, "Bandwidth by protocol");
    chart_set_subtitle(c, "incident-1.pcap, incident-2.pcap \xE2\x80\x94 1 s bins");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_axis(c, CHART_Y, "Throughput", CHART_FMT_SI, "bit/s");
    chart_set_time_zone(c, TZ_OFFSET, "+02:00");
    check(c, chart_add_series(c, "TCP", t, tcp, n), "tcp");
    check(c, chart_add_series(c, "UDP", t, udp, n), "udp");
    check(c, chart_add_series(c, "Other", t, other, n), "other");
    save(c, dir, "bandwidth_day", 960, 420);
    free(t), free(tcp), free(udp), free(other);
}

/* Advertised receive window of one connection, both directions, with the
 * client's retransmissions marked where they happened. */
static void tcp_window(const char *dir)
{
    enum { N = 600 };
    double t[N], cw[N], sw[N], rt[16], rw[16];
    size_t nr = 0;
    double w1 = 64240, w2 = 29200;
    for (int i = 0; i < N; i++) {
        t[i] = i * 0.05;
        w1 += (uniform() - 0.45) * 4000;
        w1 = fmin(fmax(w1, i > 300 && i < 340 ? 0 : 8000), 262144);
        if (i > 300 && i < 340)
            w1 = fmax(0, w1 - 9000); /* receiver stalls: zero window */
        w2 = 29200 + 3000 * sin(i / 25.0);
        cw[i] = round(w1 / 512) * 512, sw[i] = w2;
        if (nr < 16 && (i == 120 || i == 121 || i == 355 || i == 420 || i == 421 || i == 422)) {
            rt[nr] = t[i], rw[nr] = cw[i];
            nr++;
        }
    }
    chart_t *c = chart_new(CHART_STEP, "TCP receive window");
    chart_set_subtitle(c, "10.0.0.15:51422 \xE2\x86\x94 203.0.113.80:443 (uid CmZ3xk1aB2)");
    chart_set_axis(c, CHART_X, "Time since first packet", CHART_FMT_RELTIME, NULL);
    chart_set_axis(c, CHART_Y, "Window", CHART_FMT_BINARY, "B");
    check(c, chart_add_series(c, "client \xE2\x86\x92 server", t, cw, N), "client");
    check(c, chart_add_series(c, "server \xE2\x86\x92 client", t, sw, N), "server");
    check(c, chart_add_points(c, "retransmission", rt, rw, nr, CHART_SHAPE_CROSS, CHART_RED),
          "retransmissions");
    save(c, dir, "tcp_window", 960, 420);
}

/* Intervals between connections from one host to one server: a beacon
 * every 2 s with jitter, a few missed beats, some unrelated traffic. */
static void beacon_histogram(const char *dir)
{
    enum { N = 1200 };
    double v[N];
    for (int i = 0; i < N; i++) {
        double r = uniform();
        if (r < 0.9)
            v[i] = 2.0 + normal() * 0.04;
        else if (r < 0.96)
            v[i] = 4.0 + normal() * 0.05;
        else
            v[i] = uniform() * 9;
    }
    chart_t *c =
        chart_new(CHART_HISTOGRAM, "Connection intervals 10.0.0.23 \xE2\x86\x92 198.51.100.7");
    chart_set_subtitle(c, "1,200 connections; beaconing score 0.94");
    chart_set_axis(c, CHART_X, "Interval", CHART_FMT_DURATION, NULL);
    chart_set_axis(c, CHART_Y, "Connections", CHART_FMT_NUMBER, NULL);
    chart_set_bin_width(c, 0.1);
    check(c, chart_add_series(c, "intervals", v, NULL, N), "intervals");
    check(c, chart_add_vline(c, 2.0, "detected period 2.0 s"), "vline");
    save(c, dir, "beacon_intervals", 960, 420);
}

/* Top talkers by bytes, sent and received stacked, long host names. */
static void top_talkers(const char *dir)
{
    static const char *hosts[] = {
        "10.0.0.15 (ws-finance-07.corp.example.com)",
        "10.0.0.23 (build-runner-02.ci.internal.example.com)",
        "203.0.113.80 (cdn-edge-fra-3.static.example.net)",
        "192.168.10.5",
        "2001:db8:85a3::8a2e:370:7334",
        "10.0.0.8 (dc01.corp.example.com)",
        "198.51.100.7 (update-check.very-long-subdomain-name.suspicious-domain.example)",
        "10.0.0.101",
        "172.16.4.20 (printer-3rd-floor)",
        "10.0.0.42 (nas.corp.example.com)",
    };
    double sent[] = {3.1e9, 2.2e8, 1.9e9, 7.5e8, 4.2e8, 2.9e8, 2.4e8, 1.1e8, 9.8e7, 6.0e7};
    double recv[] = {2.2e9, 3.4e9, 1.5e8, 6.1e8, 3.3e8, 2.1e8, 2.2e7, 9.0e7, 1.2e6, 4.1e7};
    chart_t *c = chart_new(CHART_HBARS, "Top talkers by bytes");
    chart_set_axis(c, CHART_X, "Bytes", CHART_FMT_BINARY, "B");
    check(c, chart_add_bars(c, "sent", hosts, sent, 10), "sent");
    check(c, chart_add_bars(c, "received", hosts, recv, 10), "received");
    save(c, dir, "top_talkers", 960, 480);
}

/* Connection duration against bytes, log-log: bulk of short small
 * connections, long-lived sessions, and one large exfiltration. */
static void duration_bytes(const char *dir)
{
    enum { N = 6000 };
    double d[N], b[N], ex_d[1] = {1830}, ex_b[1] = {4.6e9};
    for (int i = 0; i < N; i++) {
        double r = uniform();
        d[i] = pow(10, -2.5 + 3.5 * r + normal() * 0.5);
        b[i] = pow(10, 2.5 + 1.6 * (log10(d[i]) + 2.5) + normal() * 0.6);
    }
    chart_t *c = chart_new(CHART_SCATTER, "Connections: duration and bytes");
    chart_set_subtitle(c, "6,000 TCP connections; the marked one sent 4.3 GiB to one host");
    chart_set_axis(c, CHART_X, "Duration", CHART_FMT_DURATION, NULL);
    chart_set_axis(c, CHART_Y, "Bytes", CHART_FMT_BINARY, "B");
    chart_set_axis_log(c, CHART_X, 1);
    chart_set_axis_log(c, CHART_Y, 1);
    check(c, chart_add_series(c, "connections", d, b, N), "conns");
    check(
        c,
        chart_add_points(c, "flagged: exfiltration", ex_d, ex_b, 1, CHART_SHAPE_DIAMOND, CHART_RED),
        "flagged");
    save(c, dir, "duration_bytes", 800, 560);
}

/* One-way delay between two vantage points, both directions. */
static void one_way_delay(const char *dir)
{
    enum { N = 3000 };
    double t[N], ab[N], ba[N];
    for (int i = 0; i < N; i++) {
        t[i] = i * 0.2;
        double queue = i > 1200 && i < 1500 ? 0.045 * sin((i - 1200) / 300.0 * M_PI) : 0;
        ab[i] = 0.0121 + queue + fabs(normal()) * 0.0012;
        ba[i] = 0.0098 + fabs(normal()) * 0.0009;
        if (i == 2200)
            ab[i] = 0.081; /* one late packet */
        if (i > 2500 && i < 2520)
            ba[i] = NAN; /* lost: a gap */
    }
    chart_t *c = chart_new(CHART_LINE, "One-way delay between vantage points");
    chart_set_subtitle(
        c, "compare-a.pcap \xE2\x86\x92 compare-b.pcap, clock offset corrected (2.5 s)");
    chart_set_axis(c, CHART_X, "Time since start", CHART_FMT_RELTIME, NULL);
    chart_set_axis(c, CHART_Y, "Delay", CHART_FMT_DURATION, NULL);
    check(c, chart_add_series(c, "A \xE2\x86\x92 B", t, ab, N), "ab");
    check(c, chart_add_series(c, "B \xE2\x86\x92 A", t, ba, N), "ba");
    check(c, chart_add_hline(c, CHART_Y, 0.0121, "median A \xE2\x86\x92 B 12.1 ms"), "hline");
    save(c, dir, "one_way_delay", 960, 420);
}

/* Two y axes: throughput (left) and round-trip time (right). */
static void throughput_rtt(const char *dir)
{
    enum { N = 240 };
    double t[N], rate[N], rtt[N];
    for (int i = 0; i < N; i++) {
        t[i] = DAY_START + 14 * 3600 + i * 15.0;
        rate[i] = 8e6 * (1 + 0.3 * sin(i / 12.0)) * (0.8 + 0.4 * uniform());
        if (i > 150 && i < 175)
            rate[i] *= 0.25;
        rtt[i] = 0.035 + (i > 150 && i < 175 ? 0.120 : 0) + fabs(normal()) * 0.004;
    }
    chart_t *c = chart_new(CHART_LINE, "Throughput and round-trip time");
    chart_set_subtitle(c, "10.0.0.15 \xE2\x86\x94 203.0.113.80, 15 s bins");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_axis(c, CHART_Y, "Throughput", CHART_FMT_SI, "bit/s");
    chart_set_axis(c, CHART_Y2, "Round-trip time", CHART_FMT_DURATION, NULL);
    chart_set_time_zone(c, TZ_OFFSET, "+02:00");
    check(c, chart_add_series(c, "throughput", t, rate, N), "rate");
    int id = chart_add_series(c, "RTT", t, rtt, N);
    check(c, id, "rtt");
    check(c, chart_series_set_axis(c, id, CHART_Y2), "rtt axis");
    save(c, dir, "throughput_rtt", 960, 420);
}

/* Open connections over an hour: a step chart of a count. */
static void open_connections(const char *dir)
{
    enum { N = 400 };
    double t[N], open[N];
    double n = 40;
    for (int i = 0; i < N; i++) {
        t[i] = DAY_START + 9 * 3600 + i * 9.0 + uniform() * 4;
        n += round((uniform() - 0.48) * 6);
        if (i == 250)
            n += 1800; /* a scan opens many at once */
        if (i > 250)
            n = fmax(40, n * 0.9);
        open[i] = fmax(0, n);
    }
    chart_t *c = chart_new(CHART_STEP, "Open TCP connections");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_axis(c, CHART_Y, "Connections", CHART_FMT_NUMBER, NULL);
    chart_set_time_zone(c, 0, "UTC");
    check(c, chart_add_series(c, "open", t, open, N), "open");
    check(c, chart_add_vline(c, t[250], "port scan from 10.0.0.66"), "vline");
    save(c, dir, "open_connections", 960, 420);
}

/* Vertical category bars with labels too long to stand upright. */
static void dns_domains(const char *dir)
{
    static const char *names[] = {"example.com",
                                  "corp.example.com",
                                  "login.microsoftonline.com",
                                  "update.example.org",
                                  "x7f3k9q2.tunnel.suspicious-domain.example",
                                  "ocsp.digicert.com",
                                  "time.windows.com",
                                  "wpad.corp.example.com",
                                  "api.github.com",
                                  "cdn.jsdelivr.net",
                                  "_ldap._tcp.dc01",
                                  "r3.o.lencr.org"};
    double q[] = {9120, 6400, 3100, 2500, 2210, 1900, 1450, 990, 640, 420, 300, 120};
    chart_t *c = chart_new(CHART_BARS, "Most queried DNS names");
    chart_set_axis(c, CHART_Y, "Queries", CHART_FMT_NUMBER, NULL);
    check(c, chart_add_bars(c, "queries", names, q, 12), "names");
    save(c, dir, "dns_names", 960, 480);
}

static void empty_chart(const char *dir)
{
    chart_t *c = chart_new(CHART_LINE, "DNS queries per minute");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_axis(c, CHART_Y, "Queries/min", CHART_FMT_NUMBER, NULL);
    chart_set_empty_note(c, "the captures contain no DNS traffic");
    check(c, chart_add_series(c, "queries", NULL, NULL, 0), "empty");
    save(c, dir, "empty", 960, 420);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Ten million points: a random walk with rare single-sample spikes that
 * must survive reduction. */
static void big_line(const char *dir)
{
    size_t n = BIG_POINTS;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (!x || !y) {
        fprintf(stderr, "big_line: out of memory\n");
        failures++;
        free(x), free(y);
        return;
    }
    double v = 50;
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i * 1e-3;
        v += (uniform() - 0.5) * 0.2;
        v = fmin(fmax(v, 10), 90);
        y[i] = v;
    }
    y[n / 3] = 240, y[2 * n / 3] = -60, y[n - 7] = 180; /* single-sample spikes */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    chart_t *c = chart_new(CHART_LINE, "10 million points (reduced per pixel column)");
    chart_set_subtitle(c, "three single-sample spikes at 1/3, 2/3 and the end must all show");
    chart_set_axis(c, CHART_X, "Time since start", CHART_FMT_RELTIME, NULL);
    chart_set_axis(c, CHART_Y, "Value", CHART_FMT_NUMBER, NULL);
    chart_set_axis_range(c, CHART_Y, NAN, NAN);
    check(c, chart_add_series(c, "signal", x, y, n), "big");
    double t_add = seconds_since(&t0);
    char path[4096];
    snprintf(path, sizeof path, "%s/big_line.png", dir);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (chart_render_png(c, path, size_w ? size_w : 960, size_h ? size_h : 420) != 0) {
        fprintf(stderr, "%s: %s\n", path, chart_error(c));
        failures++;
    }
    double t_png = seconds_since(&t0);
    printf("big_line: %zu points: add+reduce %.3f s, PNG render %.3f s, total %.3f s\n", n, t_add,
           t_png, t_add + t_png);
    free(x), free(y);
    save(c, dir, "big_line", 960, 420);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: charts_gallery OUTDIR [WIDTH HEIGHT]\n");
        return 2;
    }
    if (argc == 4) {
        size_w = atoi(argv[2]), size_h = atoi(argv[3]);
        if (size_w < CHART_MIN_SIZE || size_h < CHART_MIN_SIZE || size_w > CHART_MAX_SIZE ||
            size_h > CHART_MAX_SIZE) {
            fprintf(stderr, "charts_gallery: size must be %d..%d\n", CHART_MIN_SIZE,
                    CHART_MAX_SIZE);
            return 2;
        }
    }
    const char *dir = argv[1];
    mkdir(dir, 0755);
    bandwidth_day(dir);
    tcp_window(dir);
    beacon_histogram(dir);
    top_talkers(dir);
    duration_bytes(dir);
    one_way_delay(dir);
    throughput_rtt(dir);
    open_connections(dir);
    dns_domains(dir);
    empty_chart(dir);
    big_line(dir);
    if (failures)
        fprintf(stderr, "charts_gallery: %d failures\n", failures);
    else
        printf("charts_gallery: all charts written to %s\n", dir);
    return failures ? 1 : 0;
}
