/*
 * tcp_keep.h — the TCP segments one worker keeps for the case's TCP charts.
 *
 * The window and time-sequence charts (write/tcp_charts.c) are drawn for the
 * TCP_CHART_TOP connections with the most bytes (orig_bytes + resp_bytes,
 * ties by uid) and those named with --uid.  Which ones those are is known only
 * when every capture is read, and reading a capture a second time to collect
 * them cost more than drawing.  So each worker keeps, while it analyses, the
 * segments of every live TCP connection it owns (tcp_segs_t: what the tracker
 * needs of each, 32 bytes); when a connection finishes, it stays only if it
 * is among the worker's own top TCP_CHART_TOP so far or named with --uid, and
 * the others are freed.  The case's top connections are among the union of
 * the workers' tops (every worker ranks the same way), so the charts pick
 * from the parts merged into the capture's result (capture_result_t.tcp_segs).
 *
 * Memory: the held segments (allocated room, SACK blocks, and a fixed charge
 * per connection) are bounded by TCP_KEEP_MAX_BYTES per capture, shared among
 * its workers.  Past the bound a worker gives up the connections with the
 * fewest payload bytes seen until it holds three quarters of its share; a
 * given-up connection that still reaches the charts is read again from the
 * capture (tcpseries_collect), which draws the same chart.  Whether that
 * happens depends on the number of workers; the charts do not.
 *
 * Owned by one worker; not thread-safe.
 */
#ifndef PCAPCASE_TCP_KEEP_H
#define PCAPCASE_TCP_KEEP_H

#include "analysis/analysis.h"
#include "decode/decode.h"
#include "flow/conn.h"

/* Bytes of kept segments one capture's analysis may hold at once (all its
 * workers together).  A connection at TCPSERIES_MAX_SAMPLES holds 64 MiB,
 * so with one worker it fits twice; a capture's live connections rarely
 * come near (the 1 GB benchmark capture holds about 1.5 MiB at its peak). */
#define TCP_KEEP_MAX_BYTES (128u << 20)

typedef struct tcp_keep tcp_keep_t;

/* A keeper for one of nworkers workers; opts names the --uid connections
 * (borrowed; it outlives the keeper). */
tcp_keep_t *tcp_keep_new(const analysis_opts_t *opts, unsigned nworkers);
/* Packet p of connection c (is_orig: from its originator as c stands now)
 * was analysed: keep its segment if c is TCP. */
void tcp_keep_packet(tcp_keep_t *k, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                     ts_ns_t ts);
/* Connection c is finished (after its record was made): keep its segments
 * if it can still be charted, else free them. */
void tcp_keep_conn_finish(tcp_keep_t *k, conn_t *c);
/* The worker is done (every connection finished): move what is kept into
 * part->tcp_segs and free the keeper. */
void tcp_keep_end(tcp_keep_t *k, capture_result_t *part);

#endif
