/* utf16.c — UTF-16LE/Latin-1 to UTF-8; see utf16.h. */
#include "utf16.h"

#include "core/buf.h"

static void put_utf8(buf_t *b, uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F)
        buf_append_byte(b, '?');
    else if (cp < 0x80)
        buf_append_byte(b, (uint8_t)cp);
    else if (cp < 0x800) {
        buf_append_byte(b, (uint8_t)(0xC0 | cp >> 6));
        buf_append_byte(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_append_byte(b, (uint8_t)(0xE0 | cp >> 12));
        buf_append_byte(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_append_byte(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        buf_append_byte(b, (uint8_t)(0xF0 | cp >> 18));
        buf_append_byte(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
        buf_append_byte(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_append_byte(b, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

/* The next code point of UTF-16LE text; false at the end. */
static bool next_utf16(cursor_t *c, uint32_t *cp)
{
    uint16_t u, lo;
    if (!cursor_u16le(c, &u))
        return false;
    *cp = u;
    if (u >= 0xD800 && u < 0xDC00) {
        cursor_t k = *c;
        if (cursor_u16le(&k, &lo) && lo >= 0xDC00 && lo < 0xE000) {
            *cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + (lo - 0xDC00);
            *c = k;
        } else {
            *cp = 0xFFFD;
        }
    } else if (u >= 0xDC00 && u < 0xE000) {
        *cp = 0xFFFD;
    }
    return true;
}

char *utf16_to_utf8(cursor_t c, bool unicode, size_t max)
{
    buf_t b = BUF_INIT;
    buf_append(&b, "", 0);
    uint32_t cp;
    uint8_t l1 = 0;
    while (b.len < max) {
        if (unicode) {
            if (!next_utf16(&c, &cp))
                break;
        } else {
            if (!cursor_u8(&c, &l1))
                break;
            cp = l1;
        }
        if (!cp)
            break;
        put_utf8(&b, cp);
    }
    return buf_steal(&b);
}
