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
 *
 * HTTP/2 (proto/http2.h) gives the same transactions, one per stream, so its
 * bodies are carved the same way, apart however they interleave; an
 * HTTP/1.1 connection that upgrades to h2c switches to it.  Inside
 * decrypted TLS (an inner stream) every record is marked decrypted.
 */
#ifndef PCAPCASE_APP_HTTP_H
#define PCAPCASE_APP_HTTP_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_http_ops;
/* The same for a connection that is HTTP/2 from its first byte: the client
 * preface in clear text, or ALPN h2 inside TLS.  Streams become the same
 * records as HTTP/1.x transactions (stream_id set). */
extern const analyser_ops_t app_http2_ops;

/* The HTTP/2 client connection preface (RFC 9113 3.4), or the server's
 * first SETTINGS frame. */
bool app_http2_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                      size_t n);

/* Shaped like the start of an HTTP request (from the originator) or
 * response. */
bool app_http_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);

#endif
