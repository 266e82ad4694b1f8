/* doh.c — DNS-over-HTTPS recognition and GET query decoding; see doh.h. */
#include "doh.h"

#include "transfer_decode.h"

#include <string.h>
#include <strings.h>

bool doh_is_dns_message(const char *ct)
{
    static const char want[] = "application/dns-message";
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = sizeof want - 1;
    if (strncasecmp(ct, want, n))
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* The value of the "dns" parameter of the query string, and its length. */
static const char *dns_param(const char *uri, size_t *n)
{
    const char *q = uri ? strchr(uri, '?') : NULL;
    while (q) {
        q++;
        if (!strncmp(q, "dns=", 4)) {
            q += 4;
            *n = strcspn(q, "&#");
            return q;
        }
        q = strchr(q, '&');
    }
    return NULL;
}

bool doh_query_from_uri(const char *uri, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0, k = 0;
    const char *v = dns_param(uri, &n);
    if (!v || !n)
        return false;
    while (n && v[n - 1] == '=') /* padding is not allowed, but harmless */
        n--;
    if (n % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int x = base64_digit((uint8_t)v[i], '-', '_'); /* base64url */
        if (x < 0)
            return false;
        acc = acc << 6 | (uint32_t)x;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k == cap)
                return false;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    *len = k;
    return true;
}
