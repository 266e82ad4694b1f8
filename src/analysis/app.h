/*
 * app.h — the application layer of one capture's analysis.
 *
 * Decides which analyser a connection's bytes go to (DNS over UDP/TCP, HTTP,
 * TLS — by content, not only by port), runs TCP reassembly for connections
 * that need it, and turns analyser events into log rows and artifacts.
 * Per-connection state hangs off conn_t.app and is released in
 * app_conn_finish().
 */
#ifndef PCAPCASE_APP_H
#define PCAPCASE_APP_H

#include "analysis/analyser.h"
#include "flow/conn.h"

typedef struct app app_t;

app_t *app_new(const an_ctx_t *an);
void app_packet(app_t *a, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame, ts_ns_t ts);
/* The connection is finished: flush its analysers (end of stream), write
 * their last rows, free per-connection state.  Returns a name for the
 * responder seen inside the connection (TLS SNI, HTTP Host) for the caller to
 * free(), or NULL. */
char *app_conn_finish(app_t *a, conn_t *c);
void app_free(app_t *a);

#endif
