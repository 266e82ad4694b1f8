/*
 * tcp_charts.h — per-connection TCP charts of a case:
 *
 *   tcp_window_<uid>    receive window after scaling of each side over time,
 *                       bytes in flight of each side that sent data, and
 *                       retransmissions marked (the chart that shows a
 *                       window collapse or a receiver that cannot keep up);
 *   tcp_sequence_<uid>  Stevens/tcptrace time-sequence graph of the
 *                       direction that carried most data: segments, the
 *                       receiver's ACK line and its window edge,
 *                       retransmissions marked.
 *
 * Drawn for the TCP_CHART_TOP connections with the most payload bytes and
 * for every connection named with `analyze --uid` (TCP_CHART_TOP is in
 * flow/tcpseries.h), from the segments the analysis kept of them in its one
 * pass (analysis/tcp_keep.h); a connection it could not keep (its memory
 * bound, a case merged from shards) is read again from its capture.
 */
#ifndef PCAPCASE_TCP_CHARTS_H
#define PCAPCASE_TCP_CHARTS_H

#include "case/merged.h"
#include "flow/tcpseries.h"

#include <stddef.h>

/* Write the charts into CASE/charts/.  Returns the number of connections
 * charted, or -1 with a one-line reason in err (a chart could not be
 * written).  A --uid naming no TCP connection of the case is reported on
 * stderr and skipped. */
int tcp_charts_write(const case_t *k, char *err, size_t errlen);

#endif
