/* types.c — address helpers; see types.h. */
#include "types.h"

#include <arpa/inet.h>
#include <stdio.h>

char *ipaddr_str(const ipaddr_t *ip, char *out)
{
    if (ip->family == 4)
        inet_ntop(AF_INET, ip->a, out, IPADDR_STRLEN);
    else if (ip->family == 6)
        inet_ntop(AF_INET6, ip->a, out, IPADDR_STRLEN);
    else
        snprintf(out, IPADDR_STRLEN, "-");
    return out;
}

bool ipaddr_parse(const char *s, ipaddr_t *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->a) == 1) {
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->a) == 1) {
        out->family = 6;
        return true;
    }
    return false;
}

int ipaddr_cmp(const ipaddr_t *x, const ipaddr_t *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->a, y->a, 16);
}

bool ipaddr_is_private(const ipaddr_t *ip)
{
    const uint8_t *a = ip->a;
    if (ip->family == 4) {
        return a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
               a[0] == 127 || (a[0] == 169 && a[1] == 254);
    }
    if (ip->family == 6) {
        static const uint8_t loop[16] = {[15] = 1};
        return (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||
               memcmp(a, loop, 16) == 0;
    }
    return false;
}

void zeek_id(char prefix, uint64_t h1, uint64_t h2, char out[UID_LEN])
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    out[0] = prefix;
    for (int i = 1; i < 18; i++) {
        uint64_t *h = i < 10 ? &h1 : &h2;
        out[i] = b62[*h % 62];
        *h /= 62;
    }
    out[18] = 0;
}
