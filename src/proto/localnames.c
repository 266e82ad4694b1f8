/* localnames.c — DHCP and NetBIOS host names; see localnames.h. */
#include "proto/localnames.h"

#include "core/cursor.h"

#include <ctype.h>
#include <string.h>

#define DHCP_MAGIC 0x63825363u

/* Copy n bytes as a name: printable ASCII only, trailing dots/spaces cut. */
static bool take_name(const uint8_t *s, size_t n, char out[LOCALNAME_MAX])
{
    if (n == 0 || n >= LOCALNAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0 && i > 0) { /* some clients NUL-terminate */
            n = i;
            break;
        }
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    }
    memcpy(out, s, n);
    while (n && (out[n - 1] == '.' || out[n - 1] == ' '))
        n--;
    out[n] = 0;
    return n > 0;
}

/* Option 81: flags, rcode1, rcode2, then the name, DNS-encoded when the E
 * flag (0x04) is set, ASCII otherwise. */
static bool fqdn_option(const uint8_t *v, size_t n, char out[LOCALNAME_MAX])
{
    if (n < 4)
        return false;
    if (!(v[0] & 0x04))
        return take_name(v + 3, n - 3, out);
    cursor_t c = cursor_make(v + 3, n - 3);
    size_t o = 0;
    uint8_t l;
    while (cursor_u8(&c, &l) && l) {
        const uint8_t *lab;
        if (l > 63 || !cursor_bytes(&c, l, &lab) || o + l + 2 > LOCALNAME_MAX)
            return false;
        for (size_t i = 0; i < l; i++)
            if (lab[i] < 0x21 || lab[i] > 0x7e || lab[i] == '.')
                return false;
        if (o)
            out[o++] = '.';
        memcpy(out + o, lab, l);
        o += l;
    }
    out[o] = 0;
    return o > 0;
}

bool dhcp_host_name(const uint8_t *p, size_t len, localname_t *out)
{
    cursor_t c = cursor_make(p, len);
    uint8_t op, ciaddr[4], yiaddr[4];
    uint32_t magic;
    if (!cursor_u8(&c, &op) || (op != 1 && op != 2) || !cursor_skip(&c, 11) ||
        !cursor_copy(&c, ciaddr, 4) || !cursor_copy(&c, yiaddr, 4) ||
        !cursor_skip(&c, 8 + 16 + 64 + 128) || !cursor_u32be(&c, &magic) || magic != DHCP_MAGIC)
        return false;
    uint8_t requested[4] = {0}, type = 0;
    char host[LOCALNAME_MAX] = "", fqdn[LOCALNAME_MAX] = "";
    uint8_t code, olen;
    while (cursor_u8(&c, &code) && code != 255) {
        if (code == 0)
            continue;
        const uint8_t *v;
        if (!cursor_u8(&c, &olen) || !cursor_bytes(&c, olen, &v))
            break; /* an option past the datagram: keep what came before */
        if (code == 12 && !take_name(v, olen, host))
            host[0] = 0;
        else if (code == 81 && !fqdn_option(v, olen, fqdn))
            fqdn[0] = 0;
        else if (code == 50 && olen == 4)
            memcpy(requested, v, 4);
        else if (code == 53 && olen == 1)
            type = v[0];
    }
    const char *name = fqdn[0] ? fqdn : host;
    /* DISCOVER and OFFER are only proposals; DECLINE/RELEASE/NAK give nothing */
    if (!name[0] || (type != 3 && type != 5 && type != 8 && type != 0))
        return false;
    static const uint8_t zero[4];
    const uint8_t *a = memcmp(yiaddr, zero, 4)      ? yiaddr
                       : memcmp(requested, zero, 4) ? requested
                                                    : ciaddr;
    if (memcmp(a, zero, 4) == 0)
        return false;
    memcpy(out->addr, a, 4);
    strcpy(out->name, name);
    return true;
}

/* RFC 1001 first-level encoding: 32 letters 'A'..'P' for 16 bytes, the
 * last byte the service suffix.  Keeps workstation (0x00) and server (0x20)
 * names, trimmed of their space padding. */
static bool nb_name(cursor_t *c, char out[LOCALNAME_MAX])
{
    uint8_t l;
    const uint8_t *e;
    if (!cursor_u8(c, &l) || l != 32 || !cursor_bytes(c, 32, &e))
        return false;
    uint8_t raw[16];
    for (int i = 0; i < 16; i++) {
        if (e[2 * i] < 'A' || e[2 * i] > 'P' || e[2 * i + 1] < 'A' || e[2 * i + 1] > 'P')
            return false;
        raw[i] = (uint8_t)(((e[2 * i] - 'A') << 4) | (e[2 * i + 1] - 'A'));
    }
    /* the scope: labels up to the root (skipped) */
    while (cursor_u8(c, &l) && l) {
        if (l > 63 || !cursor_skip(c, l))
            return false;
    }
    if (raw[15] != 0x00 && raw[15] != 0x20)
        return false;
    size_t n = 15;
    while (n && raw[n - 1] == ' ')
        n--;
    return take_name(raw, n, out);
}

/* A resource record's owner: a name, or a pointer back to the question. */
static bool rr_owner(cursor_t *c, const char *question, char out[LOCALNAME_MAX])
{
    uint8_t b;
    if (!cursor_peek_u8(c, &b))
        return false;
    if ((b & 0xC0) == 0xC0) {
        if (!cursor_skip(c, 2) || !question[0])
            return false;
        strcpy(out, question);
        return true;
    }
    return nb_name(c, out);
}

size_t nbns_names(const uint8_t *p, size_t len, localname_t *out, size_t max)
{
    cursor_t c = cursor_make(p, len);
    uint16_t id, flags, qd, an, ns, ar;
    if (!cursor_u16be(&c, &id) || !cursor_u16be(&c, &flags) || !cursor_u16be(&c, &qd) ||
        !cursor_u16be(&c, &an) || !cursor_u16be(&c, &ns) || !cursor_u16be(&c, &ar))
        return 0;
    unsigned opcode = (flags >> 11) & 0xF;
    bool response = flags & 0x8000;
    unsigned rcode = flags & 0xF;
    /* query response (positive), registration (5), refresh (8 or 9) */
    if (rcode != 0 || !((opcode == 0 && response) || opcode == 5 || opcode == 8 || opcode == 9))
        return 0;
    char question[LOCALNAME_MAX] = "";
    for (unsigned i = 0; i < qd && i < 4; i++) {
        char q[LOCALNAME_MAX] = "";
        if (nb_name(&c, q))
            strcpy(question, q);
        else
            question[0] = 0;
        if (!cursor_skip(&c, 4))
            return 0;
    }
    size_t n = 0;
    unsigned records = (unsigned)an + ns + ar;
    for (unsigned r = 0; r < records && r < 16 && n < max; r++) {
        char owner[LOCALNAME_MAX] = "";
        uint16_t type, klass, rdlen;
        cursor_t rd;
        bool named = rr_owner(&c, question, owner);
        if (!named && cursor_left(&c) == 0)
            break;
        if (!cursor_u16be(&c, &type) || !cursor_u16be(&c, &klass) || !cursor_skip(&c, 4) ||
            !cursor_u16be(&c, &rdlen) || !cursor_sub(&c, rdlen, &rd))
            break;
        if (!named || type != 0x20 || klass != 1)
            continue;
        uint16_t nbflags;
        uint8_t a[4];
        while (n < max && cursor_u16be(&rd, &nbflags) && cursor_copy(&rd, a, 4)) {
            if (nbflags & 0x8000) /* group name */
                continue;
            if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0)
                continue;
            strcpy(out[n].name, owner);
            memcpy(out[n].addr, a, 4);
            n++;
        }
    }
    return n;
}
