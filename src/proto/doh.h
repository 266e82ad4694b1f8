/*
 * doh.h — DNS over HTTPS (RFC 8484): recognising its messages and getting
 * the DNS query out of a GET request's URI.
 *
 * A DoH exchange is an HTTP/2 or HTTP/1.1 transaction whose request (POST)
 * or response carries a DNS message in wire format with the media type
 * application/dns-message; a GET request carries its query base64url-encoded
 * (no padding) in the "dns" parameter of the URI.  The DNS messages
 * themselves are parsed by dns.h like any DNS.  Pure.
 */
#ifndef PCAPCASE_DOH_H
#define PCAPCASE_DOH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest DNS message (RFC 8484 4.1: a DNS message over TCP is at most
 * 65535 bytes), so the largest query a GET URI may carry. */
#define DOH_MAX_MESSAGE 65535

/* Is this Content-Type application/dns-message (case-insensitive,
 * parameters after ';' ignored)?  NULL is not. */
bool doh_is_dns_message(const char *content_type);

/* The DNS query in the "dns" parameter of a GET request URI, decoded from
 * base64url into out (cap bytes); *len set.  false when there is no such
 * parameter, it is not base64url, or it decodes to more than cap bytes. */
bool doh_query_from_uri(const char *uri, uint8_t *out, size_t cap, size_t *len);

#endif
