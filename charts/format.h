/*
 * format.h — numbers as people read them on charts: SI and binary prefixes
 * ("1.5 MB/s", "512 KiB"), durations ("250 ms", "5 min"), clock times in a
 * fixed zone ("14:30", with the date once), and tick labels that share one
 * prefix and one number of decimals along an axis ("0.5 MB/s", "1.0 MB/s").
 *
 * Pure formatting, no cairo: tests call these directly.
 */
#ifndef PCAPCASE_CHARTS_FORMAT_H
#define PCAPCASE_CHARTS_FORMAT_H

#include "charts.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for any label these functions write (the unit is cut to fit). */
#define FORMAT_MAX 64

/* How the ticks of one axis are written, decided once from all its ticks so
 * that labels agree with each other. */
typedef struct tick_style {
    chart_format_t format;
    const char *unit;   /* NUMBER/SI/BINARY suffix, may be NULL */
    bool log;           /* each tick picks its own prefix (1 kB, 10 kB, ...) */
    double divisor;     /* prefix or time unit every label is divided by */
    const char *prefix; /* "k", "Mi", "ms", "min", ... or "" */
    int decimals;       /* digits after the point, shared by all labels */
    int tz_offset;      /* CHART_FMT_TIME: seconds east of UTC */
    double step;        /* tick spacing, for CHART_FMT_TIME precision */
} tick_style_t;

/* Decide the shared prefix and decimals for ticks v[0..n-1], step apart. */
void format_tick_style(tick_style_t *ts, chart_format_t format, const char *unit, bool log,
                       const double *v, size_t n, double step, int tz_offset);

/* The label of one tick (for CHART_FMT_TIME: the clock part). */
void format_tick(const tick_style_t *ts, double v, char *out, size_t len);

/* CHART_FMT_TIME: the date line under a tick ("2026-11-23"; the year for day
 * steps), or "" when the tick does not need one: only the first tick and the
 * first tick of a new day (year, for day steps) carry it. */
void format_tick_date(const tick_style_t *ts, double v, double prev, bool first, char *out,
                      size_t len);

#endif
