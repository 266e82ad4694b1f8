/*
 * http.h — HTTP/1.x over one TCP connection, incrementally.
 *
 * Fed the reassembled byte stream of each direction in arbitrary chunks
 * (with gaps), it frames requests and responses — Content-Length, chunked
 * transfer coding with trailers, or until close; HEAD, 1xx, 204 and 304
 * without bodies; CONNECT and Upgrade end HTTP on the connection — matches
 * responses to requests in order (pipelining included), and hands body bytes
 * out as they arrive (transfer coding removed, content coding kept: the
 * caller decodes gzip/deflate, see body.h).  Nothing is buffered but header
 * blocks (capped) and chunk-size lines.
 */
#ifndef PCAPCASE_HTTP_H
#define PCAPCASE_HTTP_H

#include "core/buf.h"
#include "core/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header block cap: browsers send < 8 KiB, servers rarely > 16 KiB; 64 KiB
 * covers huge cookies while bounding what a hostile peer can make us keep. */
#define HTTP_MAX_HEADER_BYTES 65536
/* Header lines kept per message (the rest are counted as a weird). */
#define HTTP_MAX_HEADERS 256
/* Requests waiting for their responses (pipelining depth): Zeek's
 * HTTP::max_pending_requests.  Past it the oldest is reported unanswered
 * with the weird "too_many_pending_requests"; the table grows as requests
 * wait (most connections have one at a time). */
#define HTTP_MAX_PENDING 100

typedef struct http_msg {
    char *ctype, *cenc, *te, *cdisp, *crange; /* Content-Type/-Encoding, Transfer-Encoding,
                                                 Content-Disposition, Content-Range; several
                                                 CE or TE lines are joined as one list */
    int64_t clen;                             /* Content-Length, -1 if absent or invalid */
    bool clen_conflict;                       /* several Content-Length values that differ */
    uint64_t body_len;                        /* transfer-decoded body bytes seen */
    uint64_t missing;                         /* bytes lost in gaps */
    uint64_t first_frame, last_frame;
    ts_ns_t ts, end_ts;
    bool has;               /* the message was seen */
    const char *incomplete; /* why the body is not complete, or NULL */
} http_msg_t;

typedef struct http_txn {
    unsigned depth; /* 1-based position on the connection (Zeek's trans_depth) */
    char *method, *uri, *version, *host, *user_agent, *referrer;
    char *username; /* from Authorization: Basic */
    char *password; /* from Authorization: Basic, as sent; NULL when none (owned) */
    bool has_password;
    /* Proxy-Authorization: Basic, the same way (a login to a proxy) */
    char *proxy_username, *proxy_password;
    bool proxy_has_password;
    /* NTLM (or Negotiate wrapping NTLM) in Authorization or
     * Proxy-Authorization: the AUTHENTICATE message (owned, ntlm_auth_len
     * bytes), and whether it went to a proxy; in WWW-Authenticate or
     * Proxy-Authenticate: the server's challenge of its CHALLENGE.  A login
     * takes the challenge of an earlier response on the connection. */
    uint8_t *ntlm_auth;
    size_t ntlm_auth_len;
    bool ntlm_proxy;
    uint8_t ntlm_challenge[8];
    bool has_ntlm_challenge;
    int status; /* 0 until a response */
    char *status_msg, *resp_version;
    http_msg_t req, resp;
    char *weird;        /* first protocol anomaly, static-ish text (owned) */
    void *user[2];      /* caller's per-body state (0 = request, 1 = response) */
    char *upgrade;      /* the response's Upgrade header (a 101 names the new protocol) */
    uint32_t stream_id; /* HTTP/2 stream (http2.h); 0 for HTTP/1.x */
    bool pushed;        /* HTTP/2 server push: the request came in a PUSH_PROMISE */
} http_txn_t;

typedef struct http_callbacks {
    /* A body starts (is_orig: request body).  Also for empty bodies? no:
     * only when the message has a body. */
    void (*body_begin)(void *ctx, http_txn_t *t, bool is_orig);
    void (*body_data)(void *ctx, http_txn_t *t, bool is_orig, const uint8_t *p, size_t n,
                      uint64_t frame, ts_ns_t ts);
    void (*body_gap)(void *ctx, http_txn_t *t, bool is_orig, uint64_t len);
    void (*body_end)(void *ctx, http_txn_t *t, bool is_orig);
    /* Request and response (or what there is of them) are complete: log it.
     * The transaction is freed after this returns (http_txn_take() keeps
     * its contents). */
    void (*txn_done)(void *ctx, http_txn_t *t);
} http_callbacks_t;

typedef struct http_conn http_conn_t;

http_conn_t *http_conn_new(const http_callbacks_t *cb, void *ctx);
/* Receives the bytes of a direction after the connection switched to
 * another protocol (a 101 Switching Protocols response, a CONNECT answered
 * 2xx), from the byte after the response that switched it. */
typedef void (*http_switched_fn)(void *ctx, bool is_orig, const uint8_t *p, size_t n,
                                 uint64_t frame, ts_ns_t ts);
/* Hand such bytes to fn(ctx, ...) instead of dropping them. */
void http_conn_on_switch(http_conn_t *h, http_switched_fn fn, void *ctx);
void http_conn_data(http_conn_t *h, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                    ts_ns_t ts);
void http_conn_gap(http_conn_t *h, bool is_orig, uint64_t len);
/* One direction ended (FIN/RST/end of capture). */
void http_conn_end(http_conn_t *h, bool is_orig);
/* Flush everything (bodies until close end here; unanswered requests are
 * reported) and free. */
void http_conn_free(http_conn_t *h);

/* A transaction with no message yet (clen -1): for other parsers that
 * produce the same transactions (HTTP/2).  Free with http_txn_free(). */
http_txn_t *http_txn_new(void);
void http_txn_free(http_txn_t *t);
/* Move t's contents to a new transaction (the caller's: http_txn_free())
 * and leave t empty, for a caller that logs it later than txn_done. */
http_txn_t *http_txn_take(http_txn_t *t);
/* Apply one header field to t the way HTTP/1.x does (Content-Type/-Encoding/
 * -Length/-Disposition/-Range of the message; Host, User-Agent, Referer and
 * Basic credentials of a request), so both versions read headers by one rule. */
void http_txn_header(http_txn_t *t, bool is_orig, const char *name, size_t nl, const char *val,
                     size_t vl);
/* Note the first protocol anomaly of t (later ones are ignored). */
void http_txn_weird(http_txn_t *t, const char *what);

/* Does this look like the start of an HTTP request (is_orig) or response? */
bool http_detect(const uint8_t *p, size_t n, bool is_orig);

/* A file name suggested by Content-Disposition or else the URI's last path
 * segment, sanitised (no '/', '\\', control characters, leading dots;
 * capped at 200 bytes).  Caller frees; NULL when none. */
char *http_suggest_filename(const char *cdisp, const char *uri);

/* Content-Range "bytes A-B/T" with A <= B < T (B inclusive); false for "*"
 * totals, unsatisfied ranges and anything malformed. */
bool http_parse_content_range(const char *s, uint64_t *a, uint64_t *b, uint64_t *t);

#endif
