/*
 * plot.h — the few chart calls the case and comparison charts need, on top
 * of charts/charts.h.  Keeps those files short and in one vocabulary
 * (units of network data), whatever the plotting library grows into.
 */
#ifndef PCAPCASE_PLOT_H
#define PCAPCASE_PLOT_H

#include "charts.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum plot_units {
    PLOT_PLAIN,
    PLOT_BYTES,   /* "1.5 MB" */
    PLOT_BITRATE, /* values in bit/s: "12 Mbit/s" */
    PLOT_SECONDS, /* durations: "250 ms" */
    PLOT_TIME,    /* epoch seconds, labelled in the given zone */
} plot_units_t;

void plot_axis(chart_t *c, bool x_axis, const char *label, plot_units_t units, bool log);
/* Render NAME.png and NAME.pdf in dir.  0, or -1 with the reason in err. */
int plot_save(chart_t *c, const char *dir, const char *name, char *err, size_t errlen);
/* A "nice" step (1, 2, 5 × 10^k) for a range, and a clock-friendly step in
 * seconds (1 s … 1 week) for a time span, for about `target` bins. */
double plot_nice_step(double range, int target);
double plot_time_step(double span_sec, int target);

#endif
