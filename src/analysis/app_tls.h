/*
 * app_tls.h — TLS on one connection: ssl.ndjson, certificate sightings for
 * x509.ndjson, CASE/certs/<sha256>.der, and the TLS summary the findings read.
 */
#ifndef PCAPCASE_APP_TLS_H
#define PCAPCASE_APP_TLS_H

#include "analysis/analysis.h"
#include "flow/conn.h"

typedef struct tls_state tls_state_t;

tls_state_t *app_tls_new(const analysis_opts_t *opts, capture_result_t *res, conn_t *c);
void app_tls_data(tls_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts);
void app_tls_gap(tls_state_t *s, bool is_orig);
/* Log the handshake, free; returns the SNI (caller frees) or NULL. */
char *app_tls_free(tls_state_t *s);

#endif
