/*
 * app_dns.h — DNS over UDP (DNS, mDNS, LLMNR) and over TCP: a dns record per
 * exchange, and the addresses answers give to passive DNS.
 *
 * Queries wait for their response (matched by transaction id within the
 * connection, like Zeek); a response without a query and a query without a
 * response are reported too.  Over TCP, messages are split by their 2-byte
 * length prefix.
 */
#ifndef PCAPCASE_APP_DNS_H
#define PCAPCASE_APP_DNS_H

#include "analysis/analyser.h"

/* Queries waiting for an answer per connection; older ones are reported as
 * unanswered when the list is full (a flood of unanswered queries). */
#define DNS_MAX_PENDING 64
/* Largest DNS-over-TCP message (the length prefix is 16 bits). */
#define DNS_TCP_MAX 65537

/* One message per datagram; a length-prefixed message stream. */
extern const analyser_ops_t app_dns_udp_ops, app_dns_tcp_ops;

/* On one of self->ports and shaped like a DNS message. */
bool app_dns_detect_udp(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                        size_t n);

#endif
