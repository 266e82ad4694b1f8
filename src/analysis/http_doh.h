/*
 * http_doh.h — DNS over HTTPS (RFC 8484) out of HTTP transactions: the DNS
 * query (a POST body, or a GET's dns= parameter) and answer (the response
 * body) of an application/dns-message exchange become a DNS record like any
 * other (dns.ndjson, passive DNS), marked with its transport.
 *
 * The HTTP analyser collects the decoded bodies of such messages (at most
 * DOH_MAX_MESSAGE bytes each, the largest DNS message) and calls this when
 * the transaction is done.  Parsing is proto/dns.h's; a message that does
 * not parse is counted in the damage table as DNS messages are.
 */
#ifndef PCAPCASE_HTTP_DOH_H
#define PCAPCASE_HTTP_DOH_H

#include "analysis/analyser.h"
#include "proto/http.h"

#include <stddef.h>
#include <stdint.h>

/* One DoH message body as collected (n may be 0: none). */
typedef struct doh_body {
    const uint8_t *p;
    size_t n;
    uint64_t frame;
    ts_ns_t ts;
} doh_body_t;

/* Report the DNS exchange of transaction t, if it is one: query from req
 * (POST) or from t's URI (GET), answer from resp.  ctx->decrypted says
 * whether it was inside TLS ("doh") or plain HTTP ("doh-cleartext"). */
void http_doh_exchange(const an_ctx_t *ctx, const conn_t *c, const http_txn_t *t,
                       const doh_body_t *req, const doh_body_t *resp);

#endif
