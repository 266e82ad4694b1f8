/*
 * case_charts.h — the charts of a case, as CASE/charts/NAME.png and .pdf:
 * bandwidth over time (stacked by transport), top talkers, connection
 * duration vs bytes, DNS queries over time, and for each beacon finding the
 * histogram of its intervals with the detected period marked.
 */
#ifndef PCAPCASE_CASE_CHARTS_H
#define PCAPCASE_CASE_CHARTS_H

#include "case/merged.h"

#include <stddef.h>

/* Write every chart; returns the number written, -1 with err on failure. */
int case_charts_write(const case_t *k, char *err, size_t errlen);

#endif
