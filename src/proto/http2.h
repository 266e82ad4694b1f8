/*
 * http2.h — HTTP/2 (RFC 9113) over one connection, incrementally, into the
 * same transactions as HTTP/1.x (http.h).
 *
 * Fed the byte stream of each direction in arbitrary chunks — decrypted TLS
 * with ALPN "h2", or clear text after the connection preface ("prior
 * knowledge") or after an "Upgrade: h2c" (h2_conn_upgraded) — it checks the
 * client's preface, frames both directions (SETTINGS, HEADERS and
 * CONTINUATION, DATA with padding, RST_STREAM, GOAWAY, PUSH_PROMISE,
 * WINDOW_UPDATE, PING, PRIORITY; unknown types are skipped as the RFC says),
 * decodes header blocks with libnghttp2's HPACK inflater (one per direction,
 * fed every block so its dynamic table stays in step even when we keep
 * nothing of a block), and keeps per-stream state.  Each stream becomes one
 * http_txn_t (stream_id set, version "2"): request headers from the
 * client's HEADERS (or the server's PUSH_PROMISE, pushed = true), the
 * response from the server's HEADERS (1xx skipped, trailers not applied),
 * DATA handed out as it arrives through the same callbacks as HTTP/1.x —
 * so interleaved streams are carved apart — and txn_done when both sides
 * ended the stream, it was reset (incomplete "rst_stream"), or the
 * connection ended (incomplete "connection_closed").
 *
 * Nothing is buffered but one non-DATA frame at a time (capped) and the
 * stream table (capped): DATA payload is streamed.  Hitting a cap is counted
 * in h2_stats_t and noted on the transactions it touches; nothing crashes.
 */
#ifndef PCAPCASE_HTTP2_H
#define PCAPCASE_HTTP2_H

#include "core/types.h"
#include "proto/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Open streams tracked per connection.  Browsers allow 100-256 concurrent
 * streams (SETTINGS_MAX_CONCURRENT_STREAMS); 1024 covers any real client
 * and bounds a flood of HEADERS.  Streams past it are counted, not kept. */
#define H2_MAX_STREAMS 1024
/* A non-DATA frame is buffered whole before it is parsed.  The default
 * SETTINGS_MAX_FRAME_SIZE is 16 KiB and servers rarely raise it; 1 MiB
 * leaves room for big header blocks and bounds a lying length field.  A
 * larger frame is skipped (and a skipped header block makes that
 * direction's later headers undecodable: HPACK state is shared). */
#define H2_MAX_FRAME_BUFFER (1u << 20)
/* Decoded header list kept per block (RFC 9113's SETTINGS_MAX_HEADER_LIST_SIZE
 * accounting: name + value + 32 per field).  HTTP/1.x caps its header block
 * at 64 KiB (HTTP_MAX_HEADER_BYTES); the same bound applies here.  Fields
 * past it are decoded (to keep HPACK in step) but not applied. */
#define H2_MAX_HEADER_LIST HTTP_MAX_HEADER_BYTES

/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 3.4). */
#define H2_PREFACE_LEN 24

typedef struct h2_stats {
    uint64_t frames[2];       /* frames per direction (0 = client) */
    uint64_t streams;         /* streams that became transactions */
    uint64_t pushed;          /* ... of which promised by the server */
    uint64_t resets;          /* RST_STREAM frames */
    uint64_t goaways;         /* GOAWAY frames */
    uint32_t goaway_error;    /* error code of the last GOAWAY */
    uint64_t limit_streams;   /* streams not kept: H2_MAX_STREAMS open already */
    uint64_t limit_frame;     /* frames skipped: longer than H2_MAX_FRAME_BUFFER */
    uint64_t limit_headers;   /* header fields not applied: past H2_MAX_HEADER_LIST */
    uint64_t hpack_errors;    /* header blocks the inflater rejected */
    uint64_t protocol_errors; /* frames that break RFC 9113 (bad preface, padding, ...) */
    const char *damaged;      /* the first protocol error, static text */
} h2_stats_t;

typedef struct h2_conn h2_conn_t;

/* A connection whose client starts with the connection preface.  Callbacks
 * and their ownership rules are http.h's.  Never NULL. */
h2_conn_t *h2_conn_new(const http_callbacks_t *cb, void *ctx);
/* The connection was upgraded from HTTP/1.1 ("Upgrade: h2c", 101): the
 * request that asked for it is stream 1, whose response comes as HTTP/2.
 * Copies what it needs from request.  Call before any data. */
void h2_conn_upgraded(h2_conn_t *h, const http_txn_t *request);
void h2_conn_data(h2_conn_t *h, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts);
/* len bytes of a direction are missing: its frames can no longer be found
 * (and its HPACK state is lost); open streams are noted incomplete ("gap"). */
void h2_conn_gap(h2_conn_t *h, bool is_orig, uint64_t len);
/* One direction ended (FIN/RST/end of capture). */
void h2_conn_end(h2_conn_t *h, bool is_orig);
const h2_stats_t *h2_conn_stats(const h2_conn_t *h);
/* Report every open stream (incomplete "connection_closed") and free. */
void h2_conn_free(h2_conn_t *h);

/* Does this start with the client connection preface (or as much of it as
 * there is, at least 16 bytes)? */
bool h2_detect(const uint8_t *p, size_t n);
/* Does a server's first data start with its connection preface, a whole
 * SETTINGS frame on stream 0 holding only registered settings?  (With prior
 * knowledge the server may send it before the client's preface arrives.) */
bool h2_detect_server(const uint8_t *p, size_t n);

#endif
