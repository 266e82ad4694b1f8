/*
 * app_http.h — HTTP on one connection: http.ndjson, files.ndjson and the
 * carved bodies under CASE/artifacts/<sha256>.
 *
 * Bodies are decoded (gzip/deflate), hashed (MD5, SHA-1, SHA-256 of the
 * decoded bytes, and SHA-256 of the encoded form when it differs) and
 * written to a temporary file that is renamed to its SHA-256 when complete,
 * so an artifact seen in many captures is written once and no name under
 * CASE ever comes from the traffic.
 */
#ifndef PCAPCASE_APP_HTTP_H
#define PCAPCASE_APP_HTTP_H

#include "analysis/analysis.h"
#include "flow/conn.h"

typedef struct http_state http_state_t;

http_state_t *app_http_new(const analysis_opts_t *opts, capture_result_t *res, conn_t *c);
void app_http_data(http_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts);
void app_http_gap(http_state_t *s, bool is_orig, uint64_t len);
void app_http_end(http_state_t *s, bool is_orig);
/* Flush and free; returns the first Host header seen (caller frees) or NULL. */
char *app_http_free(http_state_t *s);

#endif
