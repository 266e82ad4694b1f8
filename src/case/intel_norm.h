/*
 * intel_norm.h — one normal form per indicator type, for the intel set.
 *
 * An indicator and an observed value match when their normal forms are
 * equal, so both go through the same function:
 *
 *   ADDR       family byte (4 or 6) + 4 or 16 address bytes; "::ffff:a.b.c.d"
 *              is the IPv4 address, "[...]" brackets are dropped
 *   SUBNET     family byte + prefix length + the masked address bytes
 *   DOMAIN     lower case, no trailing dot; a leading "." or "*." means "this
 *              domain and every name under it" (*subdomains is set)
 *   URL        host[:port]/path[?query]: no scheme (Zeek's Intel::URL form;
 *              http:// and https:// are accepted and dropped), no user info, no
 *              fragment, host in lower case without a trailing dot, the
 *              scheme's default port dropped, "/" for an empty path, %-escapes
 *              of unreserved characters decoded and the others in upper case
 *   FILE_HASH, CERT_HASH   32, 40 or 64 hex digits in lower case (MD5, SHA-1,
 *              SHA-256); colons between bytes ("AB:CD:..") are dropped
 *   EMAIL      lower case, surrounding <> dropped, local@domain
 *   JA3, JA3S  32 hex digits, lower case
 *   JA4        t13d1516h2_8daaf6152771_b186095e22b6, lower case
 *   JA4S       t130200_1301_a56c5b993250, lower case
 *   USER_NAME, FILE_NAME, SOFTWARE   as given (no control characters)
 *
 * Addresses, subnets, domains, URLs and e-mail addresses are "refanged"
 * first, as IOC lists write them to keep them from being clicked: [.] (.)
 * {.} [dot] become ".", [:] ":", [@] [at] "@", and a leading hxxp:// or
 * hxxps:// the scheme it stands for.  A URL is refanged in its scheme and
 * host only; its path is kept as it is.
 *
 * Normal forms are stable: the text of a normal form (intel_addr_key_text
 * for addresses) normalises to itself, so an indicator always matches the
 * text it is shown with (tests/fuzz/fuzz_intel.c checks this).
 */
#ifndef PCAPCASE_INTEL_NORM_H
#define PCAPCASE_INTEL_NORM_H

#include "case/intel.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest domain name (RFC 1035: 255 octets on the wire, 253 as text). */
#define INTEL_MAX_DOMAIN 253

/* The normal form of in (n bytes) as type t, appended to key (text keys are
 * NUL-terminated past key->len).  *subdomains tells a "*." domain.  false,
 * with a one-phrase reason in *why, when in is not a valid t; key may then
 * hold a partial result the caller discards. */
bool intel_normalise(intel_type_t t, const char *in, size_t n, buf_t *key, bool *subdomains,
                     const char **why);

/* The type of a plain-list token: the INTEL_BIT mask of what it can be
 * (FILE_HASH|CERT_HASH for a bare hash), 0 if nothing (*why says what it
 * looked like and why it is not that).  A "ja3:", "ja3s:", "ja4:" or "ja4s:"
 * prefix names the type; *value and *vn are set to the token without it. */
unsigned intel_infer(const char *in, size_t n, const char **value, size_t *vn, const char **why);

/* The text of an ADDR or SUBNET key, into out (at least
 * INTEL_ADDR_TEXT_MAX bytes). */
#define INTEL_ADDR_TEXT_MAX (IPADDR_STRLEN + 4)
void intel_addr_key_text(intel_type_t t, const uint8_t *key, size_t n, char *out);

/* The ADDR key of ip into out (17 bytes); returns its length (5 or 17). */
size_t intel_addr_key(const ipaddr_t *ip, uint8_t out[17]);

#endif
