/*
 * app_proto.h — the protocol analysers as seen from the dispatcher.
 *
 * app.c owns reassembly; this layer picks the analyser for a stream from its
 * first bytes, drives it, and turns its events into log rows (dns, http,
 * files, ssl), artifacts and certificates.  One app_proto_ctx_t per capture.
 */
#ifndef PCAPCASE_APP_PROTO_H
#define PCAPCASE_APP_PROTO_H

#include "analysis/analyser.h"
#include "flow/conn.h"

enum app_kind { APP_UNKNOWN, APP_NONE, APP_HTTP, APP_TLS, APP_DNS_TCP };

typedef struct app_proto_ctx {
    const an_ctx_t *an;
} app_proto_ctx_t;

/* Per-connection analyser state, embedded in app.c's connection state. */
typedef struct app_session {
    uint8_t kind;
    bool decided[2]; /* each direction's first bytes were looked at */
    void *parser;    /* the analyser of `kind` */
    char *name_hint; /* SNI / Host for resp_name (owned) */
    bool starttls;   /* plain-text protocol that may switch to TLS */
    char *ftp_user;  /* FTP USER seen on this control connection (owned) */
    bool ftp_pass;   /* ... and PASS after it */
} app_session_t;

void app_proto_init(app_proto_ctx_t *ctx, const an_ctx_t *an);
void app_proto_free(app_proto_ctx_t *ctx);

/* A UDP datagram with payload. */
void app_udp(app_proto_ctx_t *ctx, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
             ts_ns_t ts);
/* Reassembled TCP stream events for one connection. */
void app_stream_data(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig,
                     const uint8_t *data, size_t len, uint64_t off, uint64_t frame, ts_ns_t ts);
void app_stream_gap(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig, uint64_t off,
                    uint64_t len);
void app_stream_end(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig);
/* The connection is finished (s may be NULL for non-TCP).  Frees the
 * session's analyser; returns the name hint (caller frees) or NULL. */
char *app_conn_done(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c);

#endif
