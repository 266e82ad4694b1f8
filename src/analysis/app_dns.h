/*
 * app_dns.h — DNS transactions of one connection, to dns.ndjson.
 *
 * Queries wait for their response (matched by transaction id within the
 * connection, like Zeek); a response without a query and a query without a
 * response are logged too.  Answers feed passive DNS (names.h) and the DNS
 * summaries the findings read.  Over TCP, messages are split by their
 * 2-byte length prefix.
 */
#ifndef PCAPCASE_APP_DNS_H
#define PCAPCASE_APP_DNS_H

#include "analysis/analyser.h"
#include "core/buf.h"
#include "flow/conn.h"

/* Queries waiting for an answer per connection; older ones are logged as
 * unanswered when the list is full (a flood of unanswered queries). */
#define DNS_MAX_PENDING 64
/* Largest DNS-over-TCP message (the length prefix is 16 bits). */
#define DNS_TCP_MAX 65537

typedef struct dns_state dns_state_t;

/* One DNS message from the connection; is_orig = sent by the originator. */
void app_dns_message(const an_ctx_t *ctx, conn_t *c, dns_state_t **st, bool is_orig,
                     const uint8_t *msg, size_t len, uint64_t frame, ts_ns_t ts, bool tcp);
/* Bytes of a DNS-over-TCP stream (one direction). */
void app_dns_stream(const an_ctx_t *ctx, conn_t *c, dns_state_t **st, bool is_orig,
                    const uint8_t *data, size_t len, uint64_t frame, ts_ns_t ts);
/* The connection ends: log unanswered queries, free the state. */
void app_dns_done(const an_ctx_t *ctx, conn_t *c, dns_state_t **st);
/* Is this UDP port one that carries DNS (53, 5353 mDNS, 5355 LLMNR)? */
bool app_dns_port(uint16_t port);

#endif
