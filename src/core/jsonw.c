/* jsonw.c — see jsonw.h. */
#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(jsonw_t *w, buf_t *out, bool pretty)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty;
    w->first[0] = true;
}

static void indent(jsonw_t *w)
{
    if (!w->pretty)
        return;
    buf_append_byte(w->out, '\n');
    for (int i = 0; i < w->depth; i++)
        buf_append(w->out, "  ", 2);
}

/* Called before every value or key: commas and indentation. */
static void before_value(jsonw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            buf_append_byte(w->out, ',');
        w->first[w->depth] = false;
        indent(w);
    }
}

static void open_level(jsonw_t *w, char c)
{
    before_value(w);
    buf_append_byte(w->out, (uint8_t)c);
    if (w->depth + 1 < JSONW_MAX_DEPTH) {
        w->depth++;
        w->first[w->depth] = true;
    }
}

static void close_level(jsonw_t *w, char c)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        indent(w);
    buf_append_byte(w->out, (uint8_t)c);
}

void jw_obj_begin(jsonw_t *w)
{
    open_level(w, '{');
}
void jw_obj_end(jsonw_t *w)
{
    close_level(w, '}');
}
void jw_arr_begin(jsonw_t *w)
{
    open_level(w, '[');
}
void jw_arr_end(jsonw_t *w)
{
    close_level(w, ']');
}

void jw_key(jsonw_t *w, const char *key)
{
    before_value(w);
    json_escape_append(w->out, key, strlen(key));
    buf_append(w->out, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
    w->after_key = true;
}

/* Length of a valid UTF-8 sequence starting at s (max n bytes), 0 if invalid. */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void json_escape_append(buf_t *b, const void *sv, size_t n)
{
    const uint8_t *s = sv;
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, n + 2);
    buf_append_byte(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* fast path: plain printable ASCII needing no escape */
        while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = s[i];
        char esc[8];
        switch (c) {
        case '"':
            buf_append(b, "\\\"", 2);
            i++;
            continue;
        case '\\':
            buf_append(b, "\\\\", 2);
            i++;
            continue;
        case '\n':
            buf_append(b, "\\n", 2);
            i++;
            continue;
        case '\r':
            buf_append(b, "\\r", 2);
            i++;
            continue;
        case '\t':
            buf_append(b, "\\t", 2);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buf_append(b, esc, 6);
            i++;
            continue;
        }
        size_t l = utf8_seq_len(s + i, n - i);
        if (l > 0) {
            buf_append(b, s + i, l);
            i += l;
        } else {
            /* not UTF-8: keep the byte visible as the text \xNN */
            char t[5] = {'\\', '\\', 'x', 0, 0};
            buf_append(b, t, 3);
            buf_append_byte(b, (uint8_t)hex[c >> 4]);
            buf_append_byte(b, (uint8_t)hex[c & 15]);
            i++;
        }
    }
    buf_append_byte(b, '"');
}

void jw_str(jsonw_t *w, const char *s)
{
    if (!s) {
        jw_null(w);
        return;
    }
    jw_strn(w, s, strlen(s));
}

void jw_strn(jsonw_t *w, const void *s, size_t n)
{
    before_value(w);
    json_escape_append(w->out, s, n);
}

void jw_int(jsonw_t *w, int64_t v)
{
    before_value(w);
    buf_printf(w->out, "%" PRId64, v);
}

void jw_uint(jsonw_t *w, uint64_t v)
{
    before_value(w);
    buf_printf(w->out, "%" PRIu64, v);
}

void jw_double(jsonw_t *w, double v, int decimals)
{
    before_value(w);
    if (!isfinite(v)) {
        buf_append(w->out, "null", 4);
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (fabs(v) < 0.5 * pow(10, -decimals))
        v = 0; /* no "-0.000" */
    buf_printf(w->out, "%.*f", decimals, v);
}

void jw_bool(jsonw_t *w, bool v)
{
    before_value(w);
    buf_append_str(w->out, v ? "true" : "false");
}

void jw_null(jsonw_t *w)
{
    before_value(w);
    buf_append(w->out, "null", 4);
}

void jw_ts(jsonw_t *w, int64_t sec, uint32_t frac, int digits)
{
    before_value(w);
    if (digits <= 0) {
        buf_printf(w->out, "%" PRId64, sec);
        return;
    }
    buf_printf(w->out, "%" PRId64 ".%0*u", sec, digits, frac);
}

void jw_raw(jsonw_t *w, const char *json)
{
    before_value(w);
    buf_append_str(w->out, json);
}

void jw_kv_str(jsonw_t *w, const char *k, const char *s)
{
    jw_key(w, k), jw_str(w, s);
}
void jw_kv_strn(jsonw_t *w, const char *k, const void *s, size_t n)
{
    jw_key(w, k), jw_strn(w, s, n);
}
void jw_kv_int(jsonw_t *w, const char *k, int64_t v)
{
    jw_key(w, k), jw_int(w, v);
}
void jw_kv_uint(jsonw_t *w, const char *k, uint64_t v)
{
    jw_key(w, k), jw_uint(w, v);
}
void jw_kv_double(jsonw_t *w, const char *k, double v, int d)
{
    jw_key(w, k), jw_double(w, v, d);
}
void jw_kv_bool(jsonw_t *w, const char *k, bool v)
{
    jw_key(w, k), jw_bool(w, v);
}
