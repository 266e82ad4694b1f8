/*
 * app_tls.h — TLS on one connection: an ssl record per handshake, a
 * certificate sighting per certificate (their DER kept as evidence), and the
 * SNI as the name of the responder.
 */
#ifndef PCAPCASE_APP_TLS_H
#define PCAPCASE_APP_TLS_H

#include "analysis/analyser.h"
#include "flow/conn.h"

typedef struct tls_state tls_state_t;

tls_state_t *app_tls_new(const an_ctx_t *an, conn_t *c);
void app_tls_data(tls_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts);
void app_tls_gap(tls_state_t *s, bool is_orig);
/* Report the handshake and free. */
void app_tls_free(tls_state_t *s);

#endif
