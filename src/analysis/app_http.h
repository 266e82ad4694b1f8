/*
 * app_http.h — HTTP on one connection: an http record per transaction, a
 * file record per body, credentials (Basic), MIME mismatches, 206 parts for
 * assembly, and the Host as the name of the responder.
 *
 * Bodies are decoded (gzip/deflate), hashed (MD5, SHA-1, SHA-256 of the
 * decoded bytes, and SHA-256 of the encoded form when it differs) and
 * streamed to the evidence store, which keeps each under its SHA-256 — so an
 * artifact seen in many captures is kept once and no name under CASE ever
 * comes from the traffic.
 */
#ifndef PCAPCASE_APP_HTTP_H
#define PCAPCASE_APP_HTTP_H

#include "analysis/analyser.h"
#include "flow/conn.h"

typedef struct http_state http_state_t;

http_state_t *app_http_new(const an_ctx_t *an, conn_t *c);
void app_http_data(http_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts);
void app_http_gap(http_state_t *s, bool is_orig, uint64_t len);
void app_http_end(http_state_t *s, bool is_orig);
/* Flush (the last records) and free. */
void app_http_free(http_state_t *s);

#endif
