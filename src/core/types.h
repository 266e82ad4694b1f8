/*
 * types.h — the few value types every module shares.
 *
 * Time is nanoseconds since the Unix epoch in an int64_t (good until 2262);
 * captures with microsecond resolution simply have ns % 1000 == 0.  Logs print
 * µs or ns precision according to the capture (see ts_digits in capture.h).
 *
 * Addresses are stored in 16 bytes with a family tag so v4 and v6 share one
 * key layout in the flow table.
 */
#ifndef PCAPCASE_TYPES_H
#define PCAPCASE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef int64_t ts_ns_t;

#define NS_PER_SEC 1000000000LL

typedef struct ipaddr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint8_t pad[3];
    uint8_t a[16]; /* v4 in a[0..3], rest zero */
} ipaddr_t;

/* Text form into out (at least IPADDR_STRLEN bytes); returns out. */
#define IPADDR_STRLEN 46
char *ipaddr_str(const ipaddr_t *ip, char *out);
/* Parse dotted-quad or IPv6 text; false when not an address. */
bool ipaddr_parse(const char *s, ipaddr_t *out);
int ipaddr_cmp(const ipaddr_t *x, const ipaddr_t *y);
static inline bool ipaddr_eq(const ipaddr_t *x, const ipaddr_t *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}
/* RFC 1918, RFC 4193 (ULA), loopback, link-local: "inside" addresses. */
bool ipaddr_is_private(const ipaddr_t *ip);

/* 64-bit FNV-1a, used for hash tables and deterministic ids. */
static inline uint64_t hash_fnv1a(const void *p, size_t n, uint64_t h)
{
    const uint8_t *b = p;
    if (!h)
        h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Bytes of a connection uid or file fuid: a Zeek-style id of 18 characters
 * and its NUL. */
#define UID_LEN 19

/* A Zeek-style 18-character id: prefix ('C' connection, 'F' file) and 17
 * base-62 digits, 9 from h1 and 8 from h2. */
void zeek_id(char prefix, uint64_t h1, uint64_t h2, char out[UID_LEN]);

#endif
