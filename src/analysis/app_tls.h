/*
 * app_tls.h — TLS on one connection: an ssl record per handshake, a
 * certificate sighting per certificate (their DER kept as evidence), and the
 * SNI as the name of the responder.
 */
#ifndef PCAPCASE_APP_TLS_H
#define PCAPCASE_APP_TLS_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_tls_ops;

/* A TLS record header sent by the originator. */
bool app_tls_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n);
/* A record holding a ClientHello: TLS starts here after STARTTLS. */
bool app_tls_client_hello(const uint8_t *p, size_t n);

#endif
