/* plot.c — see plot.h. */
#include "plot.h"

#include "core/fsutil.h"
#include "core/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PNG_W 1200
#define PNG_H 520
#define PDF_W 842.0 /* A4 landscape in points */
#define PDF_H 365.0

void plot_axis(chart_t *c, bool x_axis, const char *label, plot_units_t units, bool log)
{
    chart_axis_t ax = x_axis ? CHART_X : CHART_Y;
    switch (units) {
    case PLOT_BYTES:
        chart_set_axis(c, ax, label, CHART_FMT_SI, "B");
        break;
    case PLOT_BITRATE:
        chart_set_axis(c, ax, label, CHART_FMT_SI, "bit/s");
        break;
    case PLOT_SECONDS:
        chart_set_axis(c, ax, label, CHART_FMT_DURATION, NULL);
        break;
    case PLOT_TIME:
        chart_set_axis(c, ax, label, CHART_FMT_TIME, NULL);
        break;
    default:
        chart_set_axis(c, ax, label, CHART_FMT_NUMBER, NULL);
        break;
    }
    if (log)
        chart_set_axis_log(c, ax, 1);
}

/* Render into memory and write through fsutil, so a failed write is
 * recorded with its path and reason like every other case file. */
static int save_one(chart_t *c, const char *path, bool pdf, char *err, size_t errlen)
{
    unsigned char *data = NULL;
    size_t len = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    int rc = pdf ? chart_render_pdf_mem(c, PDF_W, PDF_H, &data, &len)
                 : chart_render_png_mem(c, PNG_W, PNG_H, 1.0, &data, &len);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, chart_error(c));
    else if ((rc = atomic_write(path, data, len)) != 0)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    free(data);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    if (getenv("PCAPCASE_CHART_TIMES")) /* docs/performance.md */
        fprintf(stderr, "pcapcase: chart %s cpu_s %.4f\n", path,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc;
}

int plot_save(chart_t *c, const char *dir, const char *name, char *err, size_t errlen)
{
    char *png = xasprintf("%s/%s.png", dir, name), *pdf = xasprintf("%s/%s.pdf", dir, name);
    int rc = save_one(c, png, false, err, errlen);
    if (rc == 0)
        rc = save_one(c, pdf, true, err, errlen);
    free(png), free(pdf);
    return rc;
}

double plot_nice_step(double range, int target)
{
    if (!(range > 0) || target < 1)
        return 1;
    double raw = range / target, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

double plot_time_step(double span, int target)
{
    static const double steps[] = {0.01, 0.02, 0.05,  0.1,   0.2,   0.5,   1,      2,     5,
                                   10,   15,   30,    60,    120,   300,   600,    900,   1800,
                                   3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800};
    double raw = span / (target > 0 ? target : 1);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] >= raw)
            return steps[i];
    return plot_nice_step(span / 86400, target) * 86400;
}
