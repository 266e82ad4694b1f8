/*
 * case_chart_kit.h — the charts of a case, one family per file, and what
 * they share.  Internal to write/: case_charts.h is the interface
 * (case_charts.c draws them all, in this order).
 *
 *   case_chart_bandwidth.c    bandwidth over time (the case, each capture)
 *   case_chart_protocols.c    protocol mix over time
 *   case_chart_talkers.c      top talkers over time, top talkers in all
 *   case_chart_organisations.c  top talkers by organisation (AS), with --mmdb
 *   case_chart_connections.c  connection duration vs bytes
 *   case_chart_dns.c          DNS queries over time
 *   case_chart_beacons.c      beacon intervals, histogram and over time
 *
 * Each draws its chart(s) into CASE/charts/ and returns 0 (beacons: how
 * many findings it charted), or -1 with a one-line reason in err.
 */
#ifndef PCAPCASE_CASE_CHART_KIT_H
#define PCAPCASE_CASE_CHART_KIT_H

#include "charts.h"

#include "case/case.h"
#include "case/hosts.h"

#include <stdbool.h>
#include <stddef.h>

/* Bins on a time axis: enough to show bursts, few enough to read. */
#define TIME_BINS 300
/* Series of a "mix over time" chart: up to MIX_TOP named keys plus "other". */
#define MIX_TOP 6

int case_chart_bandwidth(const case_t *k, int *written, char *err, size_t errlen);
int case_chart_protocol_mix(const case_t *k, char *err, size_t errlen);
int case_chart_talkers_over_time(const case_t *k, char *err, size_t errlen);
int case_chart_top_talkers(const case_t *k, char *err, size_t errlen);
/* Nothing without --mmdb; else counts its chart in *written. */
int case_chart_top_organisations(const case_t *k, int *written, char *err, size_t errlen);
int case_chart_duration_bytes(const case_t *k, char *err, size_t errlen);
int case_chart_dns_over_time(const case_t *k, char *err, size_t errlen);
int case_chart_beacons(const case_t *k, char *err, size_t errlen);

/* Render c as CASE/charts/NAME.png and .pdf and free it. */
int case_chart_save(const case_t *k, chart_t *c, const char *name, char *err, size_t errlen);
/* The x axis as clock time in the case's zone. */
void case_chart_time_axis(const case_t *k, chart_t *c);
/* Whole seconds spanned by the case's captures; false if none has packets. */
bool case_chart_span(const case_t *k, double *t0, double *t1);
/* Time bins over [t0, t1): count and width (about `target`, a clock-friendly
 * width of at least 1 s). */
size_t case_chart_time_bins(double t0, double t1, int target, double *bin);
/* A series of nb time bins (starting at x[b], bin wide) drawn as steps:
 * each value holds across its bin, as a rate measured over the bin does.
 * Straight lines between bin starts would draw a ramp where there is none
 * (a one-second capture became a triangle falling to zero). */
void case_chart_add_bins(chart_t *c, const char *name, const double *x, const double *v, size_t nb,
                         double bin);
/* Spread value evenly over the bins of v (nb of width bin from t0) that
 * [start, end] covers. */
void case_chart_spread(double *v, size_t nb, double t0, double bin, double start, double end,
                       double value);
/* "10.0.0.5 (name)" with the first name the host was seen under (owned). */
char *case_chart_host_label(const host_t *h);

#endif
