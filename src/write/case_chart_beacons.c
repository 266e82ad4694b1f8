/* case_chart_beacons.c — for each beaconing finding, the histogram of its
 * intervals with the detected period marked, and the intervals in the
 * order they happened. */
#include "case_chart_kit.h"

#include "plot.h"

#include "case/findings.h"
#include "core/xalloc.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beacon findings charted. */
#define BEACON_CHARTS 10

int case_chart_beacons(const case_t *k, char *err, size_t errlen)
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
        if (case_chart_save(k, c, name, err, errlen) != 0) {
            json_object_put(d);
            return -1;
        }
        /* the same intervals in the order they happened */
        title = xasprintf("Beacon intervals over time (finding F%04zu)", i + 1);
        c = chart_new(CHART_SCATTER, title);
        free(title);
        chart_set_subtitle(c, f->summary);
        case_chart_time_axis(k, c);
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
        if (case_chart_save(k, c, name, err, errlen) != 0)
            return -1;
        written++;
    }
    return written;
}
