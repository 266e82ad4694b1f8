/*
 * dispatch.h — the application layer of one capture's analysis, driven by
 * the analyser table (analyser.h).
 *
 * Runs TCP reassembly for connections that carry data (flow/reasm.h; gaps
 * become Zeek's missed_bytes and history 'G'), hands streams and datagrams
 * to the analysers the table picks, and when a connection finishes, finishes
 * its analysers and reports the connection's own record (conn.ndjson) with
 * the name the responder was called inside it.  Per-connection state is the
 * dispatcher's (conn_t.app) and is released in dispatch_conn_finish().
 */
#ifndef PCAPCASE_DISPATCH_H
#define PCAPCASE_DISPATCH_H

#include "analysis/analyser.h"
#include "decode/decode.h"
#include "flow/conn.h"

typedef struct dispatch dispatch_t;

/* A dispatcher for one capture: records and evidence go where base says
 * (base->self is ignored; each analyser gets its own context). */
dispatch_t *dispatch_new(const an_ctx_t *base);
/* One packet of connection c (is_orig: sent by the originator). */
void dispatch_packet(dispatch_t *d, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                     ts_ns_t ts);
/* Connection c is finished: flush reassembly, finish its analysers, report
 * its record, free its state. */
void dispatch_conn_finish(dispatch_t *d, conn_t *c);
void dispatch_free(dispatch_t *d);

#endif
