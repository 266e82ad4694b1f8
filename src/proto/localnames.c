/* localnames.c — DHCP and NetBIOS host names; see localnames.h. */
#include "proto/localnames.h"

#include "core/cursor.h"
#include "proto/dnsname.h"

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

/* Joins the labels of a DHCP Client FQDN: printable, no dots inside. */
static const char *fqdn_label(void *ctx, const uint8_t *label, size_t len)
{
    char *out = ctx;
    size_t o = strlen(out);
    if (o + len + 2 > LOCALNAME_MAX)
        return "too long";
    for (size_t i = 0; i < len; i++)
        if (label[i] < 0x21 || label[i] > 0x7e || label[i] == '.')
            return "not printable";
    if (o)
        out[o++] = '.';
    memcpy(out + o, label, len);
    out[o + len] = 0;
    return NULL;
}

/* Option 81: flags, rcode1, rcode2, then the name, DNS-encoded when the E
 * flag (0x04) is set (uncompressed, maybe partial: RFC 4702 §2.3.1), ASCII
 * otherwise. */
static bool fqdn_option(const uint8_t *v, size_t n, char out[LOCALNAME_MAX])
{
    if (n < 4)
        return false;
    if (!(v[0] & 0x04))
        return take_name(v + 3, n - 3, out);
    cursor_t c = cursor_make(v + 3, n - 3);
    out[0] = 0;
    dns_name_reader_t r = {.msg = NULL, .partial_ok = true, .label = fqdn_label, .ctx = out};
    if (!dns_name_read(&c, &r)) {
        out[0] = 0;
        return false;
    }
    return out[0] != 0;
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

/* A NetBIOS name being read: its first label, the 32-letter RFC 1001
 * encoding of 16 bytes; later labels are the scope, not kept. */
typedef struct nb_label_state {
    unsigned labels;
    bool encoded; /* the first label was 32 letters 'A'..'P' */
    uint8_t raw[16];
} nb_label_state_t;

static const char *nb_label(void *ctx, const uint8_t *label, size_t len)
{
    nb_label_state_t *st = ctx;
    if (st->labels++ > 0)
        return NULL;
    if (len != 32)
        return NULL;
    for (int i = 0; i < 16; i++) {
        uint8_t hi = label[2 * i], lo = label[2 * i + 1];
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
            return NULL;
        st->raw[i] = (uint8_t)(((hi - 'A') << 4) | (lo - 'A'));
    }
    st->encoded = true;
    return NULL;
}

/* The name at *c (a pointer indexes msg).  False when it cannot be read;
 * *out is "" when it was read but is not a unique workstation (0x00) or
 * server (0x20) name in printable text.  Trailing space padding is cut. */
static bool nb_name(cursor_t *c, const cursor_t *msg, char out[LOCALNAME_MAX])
{
    nb_label_state_t st = {0};
    dns_name_reader_t r = {.msg = msg, .label = nb_label, .ctx = &st};
    out[0] = 0;
    if (!dns_name_read(c, &r))
        return false;
    if (!st.encoded || (st.raw[15] != 0x00 && st.raw[15] != 0x20))
        return true;
    size_t n = 15;
    while (n && st.raw[n - 1] == ' ')
        n--;
    if (!take_name(st.raw, n, out))
        out[0] = 0;
    return true;
}

size_t nbns_names(const uint8_t *p, size_t len, localname_t *out, size_t max)
{
    cursor_t c = cursor_make(p, len), msg = c;
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
    for (unsigned i = 0; i < qd && i < 4; i++) {
        char q[LOCALNAME_MAX];
        if (!nb_name(&c, &msg, q) || !cursor_skip(&c, 4))
            return 0;
    }
    size_t n = 0;
    unsigned records = (unsigned)an + ns + ar;
    for (unsigned r = 0; r < records && r < 16 && n < max; r++) {
        char owner[LOCALNAME_MAX];
        uint16_t type, klass, rdlen;
        cursor_t rd;
        if (!nb_name(&c, &msg, owner))
            break;
        bool named = owner[0] != 0;
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
