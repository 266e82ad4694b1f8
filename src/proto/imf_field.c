/* imf_field.c — header field values: RFC 2047 words, parameters with RFC 2231,
 * addresses; see imf_field.h. */
#include "imf_field.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "textline.h"
#include "transfer_decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Length of the valid UTF-8 sequence at the start of c (0 if invalid). */
static size_t utf8_len(const cursor_t *c)
{
    uint8_t b0, b;
    if (!cursor_peek_u8(c, &b0))
        return 0;
    size_t n = b0 < 0x80             ? 1
               : (b0 & 0xE0) == 0xC0 ? 2
               : (b0 & 0xF0) == 0xE0 ? 3
               : (b0 & 0xF8) == 0xF0 ? 4
                                     : 0;
    if (!n || (n == 2 && b0 < 0xC2) || (n == 4 && b0 > 0xF4) || !cursor_has(c, n))
        return 0;
    cursor_t k = *c;
    cursor_skip(&k, 1);
    for (size_t i = 1; i < n; i++)
        if (!cursor_u8(&k, &b) || (b & 0xC0) != 0x80)
            return 0;
    return n;
}

char *imf_clean_text(const unsigned char *p, size_t n)
{
    buf_t out = BUF_INIT;
    cursor_t c = cursor_make(p, n);
    buf_reserve(&out, n < IMF_FIELD_MAX_TEXT ? n : IMF_FIELD_MAX_TEXT);
    while (!cursor_empty(&c)) {
        size_t k = utf8_len(&c);
        const uint8_t *s = NULL;
        if (!k) {
            if (out.len + 3 > IMF_FIELD_MAX_TEXT)
                break;
            buf_append(&out, "\xEF\xBF\xBD", 3);
            cursor_skip(&c, 1);
            continue;
        }
        if (out.len + k > IMF_FIELD_MAX_TEXT)
            break;
        cursor_bytes(&c, k, &s);
        if (k == 1 && (s[0] < 0x20 || s[0] == 0x7F))
            buf_append_byte(&out, s[0] == '\t' ? ' ' : '?');
        else
            buf_append(&out, s, k);
    }
    buf_append(&out, "", 0); /* NUL-terminated even when nothing was kept */
    return buf_steal(&out);
}

/* Convert n bytes in charset cs to UTF-8, appending to out; false when
 * iconv does not know the charset or the bytes are not in it. */
static bool to_utf8(buf_t *out, const char *cs, const uint8_t *p, size_t n)
{
    char name[64];
    size_t k = strlen(cs);
    if (k >= sizeof name)
        return false;
    memcpy(name, cs, k + 1);
    char *star = strchr(name, '*'); /* RFC 2231 language suffix: utf-8*en */
    if (star)
        *star = 0;
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    buf_t tmp = BUF_INIT;
    buf_reserve(&tmp, n * 4 + 4);
    char *in = (char *)(uintptr_t)p, *o = (char *)tmp.data;
    size_t inleft = n, outleft = n * 4 + 4;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    bool ok = r != (size_t)-1;
    if (ok)
        buf_append(out, tmp.data, (size_t)(o - (char *)tmp.data));
    buf_free(&tmp);
    return ok;
}

/* Q encoding: '_' is a space, =XX a byte. */
static void q_decode(buf_t *out, cursor_t c)
{
    uint8_t b = 0, h1 = 0, h2 = 0;
    static const char hex[] = "0123456789abcdef";
    while (cursor_u8(&c, &b)) {
        if (b == '_') {
            buf_append_byte(out, ' ');
        } else if (b == '=' && cursor_has(&c, 2)) {
            cursor_t save = c;
            cursor_u8(&c, &h1), cursor_u8(&c, &h2);
            const char *x1 = memchr(hex, h1 | 0x20, 16), *x2 = memchr(hex, h2 | 0x20, 16);
            if (x1 && x2 && h1 && h2)
                buf_append_byte(out, (uint8_t)((x1 - hex) << 4 | (x2 - hex)));
            else {
                buf_append_byte(out, '=');
                c = save;
            }
        } else {
            buf_append_byte(out, b);
        }
    }
}

/* One encoded word at the start of c ("=?cs?X?text?="): decoded into out and
 * c advanced past it, or false (c unchanged). */
static bool encoded_word(cursor_t *c, buf_t *out)
{
    cursor_t k = *c;
    if (!text_eat_ci(&k, "=?"))
        return false;
    long q1 = cursor_find(&k, '?');
    if (q1 <= 0 || q1 > 60)
        return false;
    cursor_t cs, enc, text;
    cursor_sub(&k, (size_t)q1, &cs);
    cursor_skip(&k, 1);
    if (!cursor_sub(&k, 1, &enc) || !text_eat_ci(&k, "?"))
        return false;
    long end = -1;
    for (size_t i = 0; i + 1 < cursor_left(&k); i++)
        if (k.p[i] == '?' && k.p[i + 1] == '=') {
            end = (long)i;
            break;
        }
    if (end < 0)
        return false;
    cursor_sub(&k, (size_t)end, &text);
    cursor_skip(&k, 2);
    buf_t raw = BUF_INIT;
    if (text_eq_ci(&enc, "b")) {
        buf_reserve(&raw, cursor_left(&text));
        long n = base64_decode(text.p, cursor_left(&text), raw.data, cursor_left(&text) + 1);
        raw.len = n > 0 ? (size_t)n : 0;
    } else if (text_eq_ci(&enc, "q")) {
        q_decode(&raw, text);
    } else {
        return false;
    }
    char *charset = text_dup(&cs, 63);
    if (!raw.len || !to_utf8(out, charset, raw.data, raw.len))
        buf_append(out, raw.data, raw.len); /* cleaned by the caller */
    free(charset);
    buf_free(&raw);
    *c = k;
    return true;
}

char *imf_decode_words(const char *value, size_t len)
{
    buf_t out = BUF_INIT, blanks = BUF_INIT;
    cursor_t c = cursor_make((const uint8_t *)value, len);
    bool after_word = false;
    uint8_t b = 0;
    while (!cursor_empty(&c) && out.len < 4 * IMF_FIELD_MAX_TEXT) {
        if (encoded_word(&c, &out)) {
            buf_clear(&blanks); /* blanks between two words vanish */
            after_word = true;
            continue;
        }
        cursor_u8(&c, &b);
        if (after_word && (b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
            buf_append_byte(&blanks, b);
            continue;
        }
        if (blanks.len)
            buf_append(&out, blanks.data, blanks.len);
        buf_clear(&blanks);
        after_word = false;
        buf_append_byte(&out, b);
    }
    if (blanks.len)
        buf_append(&out, blanks.data, blanks.len);
    char *s = imf_clean_text(out.data ? out.data : (const uint8_t *)"", out.len);
    buf_free(&out), buf_free(&blanks);
    return s;
}

static char *lower_dup(cursor_t c)
{
    char *s = text_dup(&c, IMF_FIELD_MAX_TEXT);
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return s;
}

char *imf_media_type(const char *value)
{
    if (!value)
        return NULL;
    cursor_t c = cursor_make((const uint8_t *)value, strlen(value));
    long semi = cursor_find(&c, ';');
    if (semi >= 0)
        c.end = c.p + semi;
    c = text_trim(c);
    if (cursor_find(&c, '/') <= 0)
        return NULL;
    return lower_dup(c);
}

char *imf_disposition(const char *value)
{
    if (!value)
        return NULL;
    cursor_t c = cursor_make((const uint8_t *)value, strlen(value));
    long semi = cursor_find(&c, ';');
    if (semi >= 0)
        c.end = c.p + semi;
    c = text_trim(c);
    return cursor_empty(&c) ? NULL : lower_dup(c);
}

/* ---- parameters ---- */

/* A quoted string at c (after the opening quote is checked here): the
 * unescaped content into out, c past the closing quote. */
static void quoted(cursor_t *c, buf_t *out)
{
    uint8_t b = 0;
    cursor_skip(c, 1);
    while (cursor_u8(c, &b)) {
        if (b == '"')
            return;
        if (b == '\\' && cursor_u8(c, &b)) {
            buf_append_byte(out, b);
            continue;
        }
        buf_append_byte(out, b);
    }
}

/* The value of one parameter at c (quoted string or token up to ';'). */
static void param_value(cursor_t *c, buf_t *out, bool *was_quoted)
{
    text_skip_blanks(c);
    uint8_t b = 0;
    *was_quoted = cursor_peek_u8(c, &b) && b == '"';
    if (*was_quoted) {
        quoted(c, out);
        long semi = cursor_find(c, ';');
        cursor_skip(c, semi >= 0 ? (size_t)semi : cursor_left(c));
        return;
    }
    long semi = cursor_find(c, ';');
    cursor_t v;
    cursor_sub(c, semi >= 0 ? (size_t)semi : cursor_left(c), &v);
    v = text_trim(v);
    buf_append(out, v.p, cursor_left(&v));
}

/* RFC 2231 %XX decoding of an extended value, in place into out. */
static void percent_decode(buf_t *out, const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t b = 0, h[2] = {0, 0};
    static const char hex[] = "0123456789abcdef";
    while (cursor_u8(&c, &b)) {
        cursor_t save = c;
        if (b == '%' && cursor_copy(&c, h, 2)) {
            const char *x1 = memchr(hex, h[0] | 0x20, 16), *x2 = memchr(hex, h[1] | 0x20, 16);
            if (x1 && x2 && h[0] && h[1]) {
                buf_append_byte(out, (uint8_t)((x1 - hex) << 4 | (x2 - hex)));
                continue;
            }
            c = save;
        }
        buf_append_byte(out, b);
    }
}

typedef struct piece {
    bool present, extended;
    buf_t text;
} piece_t;

/* Parse "name" or "name*" or "name*N" or "name*N*" against want; returns
 * -1 when the parameter is another one, else the section number (0 for
 * the plain and the single extended form) and *ext. */
static int param_section(cursor_t name, const char *want, bool *ext, bool *plain)
{
    size_t wl = strlen(want);
    if (!text_starts_ci(&name, want))
        return -1;
    cursor_skip(&name, wl);
    *ext = false;
    *plain = cursor_empty(&name);
    if (*plain)
        return 0;
    if (!text_eat_ci(&name, "*"))
        return -1;
    if (cursor_empty(&name)) {
        *ext = true;
        return 0;
    }
    uint64_t n;
    if (!text_uint(&name, IMF_MAX_CONTINUATIONS - 1, &n))
        return -1;
    *ext = text_eat_ci(&name, "*");
    return cursor_empty(&name) ? (int)n : -1;
}

/* Join the pieces of an RFC 2231 value and decode it to UTF-8. */
static char *join_2231(piece_t *pieces, int count)
{
    buf_t raw = BUF_INIT;
    char charset[64] = "";
    for (int i = 0; i < count && pieces[i].present; i++) {
        const uint8_t *p = pieces[i].text.data ? pieces[i].text.data : (const uint8_t *)"";
        size_t n = pieces[i].text.len;
        if (i == 0 && pieces[i].extended) { /* charset'language'text */
            cursor_t c = cursor_make(p, n);
            long q1 = cursor_find(&c, '\'');
            if (q1 >= 0) {
                cursor_t cs;
                cursor_sub(&c, (size_t)q1, &cs);
                cursor_skip(&c, 1);
                long q2 = cursor_find(&c, '\'');
                if (q2 >= 0) {
                    char *s = text_dup(&cs, sizeof charset - 1);
                    strcpy(charset, s);
                    free(s);
                    cursor_skip(&c, (size_t)q2 + 1);
                    p = c.p, n = cursor_left(&c);
                }
            }
        }
        if (pieces[i].extended)
            percent_decode(&raw, p, n);
        else
            buf_append(&raw, p, n);
    }
    buf_t utf = BUF_INIT;
    if (!*charset || !raw.len || !to_utf8(&utf, charset, raw.data, raw.len))
        buf_append(&utf, raw.data, raw.len);
    char *s = imf_clean_text(utf.data ? utf.data : (const uint8_t *)"", utf.len);
    buf_free(&raw), buf_free(&utf);
    return s;
}

char *imf_param(const char *value, const char *want)
{
    if (!value)
        return NULL;
    cursor_t c = cursor_make((const uint8_t *)value, strlen(value));
    piece_t pieces[IMF_MAX_CONTINUATIONS];
    memset(pieces, 0, sizeof pieces);
    char *plain = NULL;
    int count = 0;
    long semi;
    while ((semi = cursor_find(&c, ';')) >= 0) {
        cursor_skip(&c, (size_t)semi + 1);
        text_skip_blanks(&c);
        long eq = cursor_find(&c, '=');
        if (eq < 0)
            break;
        cursor_t name;
        cursor_sub(&c, (size_t)eq, &name);
        cursor_skip(&c, 1);
        name = text_trim(name);
        bool ext, is_plain, was_quoted;
        int sec = param_section(name, want, &ext, &is_plain);
        buf_t v = BUF_INIT;
        param_value(&c, &v, &was_quoted);
        if (sec < 0 || (is_plain && plain) || (!is_plain && pieces[sec].present)) {
            buf_free(&v);
            continue;
        }
        if (is_plain) {
            (void)was_quoted;
            plain = imf_decode_words(buf_cstr(&v), v.len);
            buf_free(&v);
            continue;
        }
        pieces[sec].present = true;
        pieces[sec].extended = ext;
        pieces[sec].text = v;
        if (sec + 1 > count)
            count = sec + 1;
    }
    char *r = plain;
    if (pieces[0].present) { /* the RFC 2231 form wins over the plain one */
        free(plain);
        r = join_2231(pieces, count);
    }
    for (int i = 0; i < IMF_MAX_CONTINUATIONS; i++)
        buf_free(&pieces[i].text);
    return r;
}

char *imf_angle_addr(const char *value, size_t len)
{
    if (!value)
        return NULL;
    cursor_t c = cursor_make((const uint8_t *)value, len);
    long lt = cursor_find(&c, '<');
    if (lt >= 0) {
        cursor_skip(&c, (size_t)lt + 1);
        long gt = cursor_find(&c, '>');
        if (gt >= 0)
            c.end = c.p + gt;
    }
    c = text_trim(c);
    return cursor_empty(&c) ? NULL : imf_clean_text(c.p, cursor_left(&c));
}
