/* dnsname.c — DNS wire-form names; see dnsname.h. */
#include "proto/dnsname.h"

/* Label length byte: the top two bits say what it is (RFC 1035 §4.1.4, RFC
 * 6891 §5 retired the extended types 01). */
#define LABEL_TYPE_MASK 0xC0
#define LABEL_POINTER 0xC0

/* Was the pointer at offset at read before in this name? */
static bool seen_before(const size_t *seen, unsigned n, size_t at)
{
    for (unsigned i = 0; i < n; i++)
        if (seen[i] == at)
            return true;
    return false;
}

/* Follow the pointer whose first byte (len) was just read from *r: *r moves
 * to its target in the whole message.  seen holds the pointers followed. */
static bool follow(cursor_t *r, uint8_t len, dns_name_reader_t *rd, size_t *seen, unsigned *jumps)
{
    size_t at = cursor_offset(r) - 1;
    uint8_t lo;
    if (!cursor_u8(r, &lo)) {
        rd->err = "dns.truncated_name";
        return false;
    }
    if (!rd->msg) {
        rd->err = "dns.compression_not_allowed";
        return false;
    }
    if (*jumps == DNS_MAX_JUMPS || seen_before(seen, *jumps, at)) {
        rd->err = "dns.compression_loop";
        return false;
    }
    seen[(*jumps)++] = at;
    size_t target = ((size_t)(len & ~LABEL_TYPE_MASK) << 8) | lo;
    if (target >= at)
        rd->forward = true;
    *r = *rd->msg;
    if (!cursor_seek(r, target)) {
        rd->err = "dns.bad_compression_pointer";
        return false;
    }
    return true;
}

bool dns_name_read(cursor_t *c, dns_name_reader_t *rd)
{
    cursor_t r = *c, after = *c;
    bool jumped = false;
    size_t seen[DNS_MAX_JUMPS];
    unsigned jumps = 0;
    rd->err = NULL;
    rd->forward = false;
    for (;;) {
        uint8_t len;
        if (!cursor_u8(&r, &len)) {
            if (rd->partial_ok && !jumped)
                break; /* a partial name: no root label */
            rd->err = "dns.truncated_name";
            return false;
        }
        if ((len & LABEL_TYPE_MASK) == LABEL_POINTER) {
            cursor_t here = r; /* just past the pointer's first byte */
            if (!follow(&r, len, rd, seen, &jumps))
                return false;
            if (!jumped) {
                after = here;
                cursor_skip(&after, 1); /* follow() read that byte */
                jumped = true;
            }
            continue;
        }
        if (len & LABEL_TYPE_MASK) {
            rd->err = "dns.bad_label_type";
            return false;
        }
        if (len == 0)
            break;
        const uint8_t *label;
        if (!cursor_bytes(&r, len, &label)) {
            rd->err = "dns.truncated_name";
            return false;
        }
        if ((rd->err = rd->label(rd->ctx, label, len)) != NULL)
            return false;
    }
    *c = jumped ? after : r;
    return true;
}
