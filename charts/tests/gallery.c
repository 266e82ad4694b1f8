/* gallery.c — every chart kind with synthetic data, for review:
 *   charts_gallery OUTDIR   (writes NAME.png and NAME.pdf) */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void out(chart_t *c, const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s.png", dir, name);
    chart_render_png(c, p, 1200, 520);
    snprintf(p, sizeof p, "%s/%s.pdf", dir, name);
    chart_render_pdf(c, p, 900, 390);
    chart_free(c);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    enum { N = 1440 };
    static double x[N], a[N], b[N], d[N];
    for (int i = 0; i < N; i++) {
        x[i] = 1795400000 + i * 60.0;
        a[i] = 2e5 + 1.5e5 * sin(i / 200.0) + (i % 97 == 0 ? 6e5 : 0);
        b[i] = 4e4 + 2e4 * cos(i / 50.0);
        d[i] = 1e4;
    }
    chart_t *c = chart_new(CHART_AREA_STACKED, "Bandwidth over time");
    chart_subtitle(c, "all captures, 1-minute bins");
    chart_x_axis(c, "Time", UNITS_PLAIN, true, false);
    chart_y_axis(c, "Throughput", UNITS_BITRATE, false);
    chart_add_series(c, "TCP", x, a, N);
    chart_add_series(c, "UDP", x, b, N);
    chart_add_series(c, "other", x, d, N);
    out(c, dir, "bandwidth");
    static double iv[40], cnt[40];
    for (int i = 0; i < 40; i++)
        iv[i] = 1.5 + i * 0.025, cnt[i] = 12 * exp(-pow((iv[i] - 2.0) / 0.12, 2));
    c = chart_new(CHART_BARS, "Beacon intervals: 10.77.0.10 -> c2.bad-domain.test:80");
    chart_x_axis(c, "Interval between connections", UNITS_SECONDS, false, false);
    chart_y_axis(c, "Connections", UNITS_PLAIN, false);
    chart_add_series(c, "intervals", iv, cnt, 40);
    chart_marker(c, 2.0, "period 2.0 s");
    out(c, dir, "beacon_histogram");
    const char *labels[] = {"10.77.0.10", "203.0.113.30 (cdn.files.test)", "198.51.100.53"};
    double v[] = {5.2e6, 3.1e6, 2.1e4};
    c = chart_new(CHART_HBARS, "Top talkers by bytes");
    chart_x_axis(c, "Bytes", UNITS_BYTES, false, false);
    chart_add_series(c, "bytes", NULL, v, 3);
    chart_bar_labels(c, labels, 3);
    out(c, dir, "top_talkers");
    static double sd[300], sb[300];
    srand(7);
    for (int i = 0; i < 300; i++)
        sd[i] = pow(10, (rand() % 500) / 100.0 - 2), sb[i] = pow(10, (rand() % 700) / 100.0 + 1);
    c = chart_new(CHART_SCATTER, "Connections: duration vs bytes");
    chart_x_axis(c, "Duration", UNITS_SECONDS, false, true);
    chart_y_axis(c, "Bytes", UNITS_BYTES, true);
    chart_add_series(c, "connections", sd, sb, 300);
    out(c, dir, "duration_bytes");
    c = chart_new(CHART_LINE, "No data");
    chart_empty_note(c, "No TCP connection carried data");
    out(c, dir, "empty");
    size_t big = 10000000;
    double *bx = malloc(big * sizeof *bx), *by = malloc(big * sizeof *by);
    for (size_t i = 0; i < big; i++)
        bx[i] = (double)i / 1000, by[i] = sin((double)i / 5e4) * 100 + (i % 1000003 == 0 ? 400 : 0);
    clock_t t0 = clock();
    c = chart_new(CHART_LINE, "Ten million points");
    chart_x_axis(c, "Seconds", UNITS_PLAIN, false, false);
    chart_add_series(c, "signal", bx, by, big);
    out(c, dir, "ten_million");
    printf("10M-point line chart rendered in %.2f s (PNG and PDF)\n",
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    free(bx), free(by);
    return 0;
}
