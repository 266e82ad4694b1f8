/*
 * case_charts.h — the charts of a case, as CASE/charts/NAME.png and .pdf:
 * bandwidth over time (stacked by transport; the whole case, and each
 * capture when there are several), protocol mix over time (by service),
 * top talkers over time and in all, connection duration vs bytes, DNS
 * queries over time, for each beacon finding the histogram of its intervals
 * and the intervals over time with the detected period marked, and the TCP
 * charts of tcp_charts.h.  docs/charts.md lists them for users.
 */
#ifndef PCAPCASE_CASE_CHARTS_H
#define PCAPCASE_CASE_CHARTS_H

#include "case/merged.h"

#include <stddef.h>

/* Work that needs no chart (case.json, the manifest), run on the calling
 * thread while the TCP charts are still drawn on the second one: 0, or -1
 * with a reason in err. */
typedef int (*case_charts_meanwhile_fn)(void *ctx, char *err, size_t errlen);

/* Write every chart; returns the number written, -1 with err on failure (of
 * a chart or of meanwhile).  meanwhile (unless NULL) runs once, after the
 * charts drawn on this thread, when they were written. */
int case_charts_write(const case_t *k, case_charts_meanwhile_fn meanwhile, void *ctx, char *err,
                      size_t errlen);

#endif
