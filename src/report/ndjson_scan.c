/* ndjson_scan.c — see ndjson_scan.h.  The row is text this program wrote
 * (write/log_*.c through core/jsonw.c), read back from the case folder;
 * every read stays inside [line, line + len). */
#include "ndjson_scan.h"

#include <string.h>

typedef struct scan {
    const char *p, *end;
} scan_t;

static void skip_space(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* s->p at an opening quote: past the closing one.  false if unterminated. */
static bool skip_string(scan_t *s)
{
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\') {
            if (++s->p == s->end)
                return false;
        } else if (*s->p == '"') {
            s->p++;
            return true;
        }
    }
    return false;
}

/* s->p at '[' or '{': past the matching close (strings skipped whole). */
static bool skip_nested(scan_t *s)
{
    size_t depth = 0;
    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"') {
            if (!skip_string(s))
                return false;
            continue;
        }
        s->p++;
        if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && --depth == 0)
            return true;
    }
    return false;
}

static bool skip_word(scan_t *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* One value at s->p into *v. */
static bool scan_value(scan_t *s, jspan_t *v)
{
    const char *start = s->p;
    bool ok;
    switch (s->p < s->end ? *s->p : 0) {
    case '"':
        v->kind = JSPAN_STRING, ok = skip_string(s);
        break;
    case '[':
        v->kind = JSPAN_ARRAY, ok = skip_nested(s);
        break;
    case '{':
        v->kind = JSPAN_OBJECT, ok = skip_nested(s);
        break;
    case 't':
        v->kind = JSPAN_TRUE, ok = skip_word(s, "true");
        break;
    case 'f':
        v->kind = JSPAN_FALSE, ok = skip_word(s, "false");
        break;
    case 'n':
        v->kind = JSPAN_NULL, ok = skip_word(s, "null");
        break;
    default:
        v->kind = JSPAN_NUMBER;
        while (s->p < s->end && number_char(*s->p))
            s->p++;
        /* a digit first, or after the sign: json-c reads nothing else as a number */
        const char *d = start + (s->p > start && *start == '-');
        ok = d < s->p && *d >= '0' && *d <= '9';
        break;
    }
    v->text = start;
    v->len = (size_t)(s->p - start);
    return ok;
}

bool ndjson_scan_row(const char *line, size_t len, ndjson_member_fn fn, void *ctx)
{
    scan_t s = {line, line + len};
    skip_space(&s);
    if (s.p == s.end || *s.p++ != '{')
        return false;
    skip_space(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            if (s.p == s.end || *s.p != '"')
                return false;
            const char *name = s.p + 1;
            if (!skip_string(&s))
                return false;
            size_t nlen = (size_t)(s.p - 1 - name);
            if (memchr(name, '\\', nlen))
                return false;
            skip_space(&s);
            if (s.p == s.end || *s.p++ != ':')
                return false;
            skip_space(&s);
            jspan_t v;
            if (!scan_value(&s, &v) || !fn(ctx, name, nlen, &v))
                return false;
            skip_space(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                skip_space(&s);
                continue;
            }
            if (s.p == s.end || *s.p++ != '}')
                return false;
            break;
        }
    }
    skip_space(&s);
    return s.p == s.end;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The escape at p (after the backslash, before end) into out; its length,
 * or 0 when it is one left to json-c. */
static size_t unescape(const char *p, const char *end, buf_t *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *m = memchr(from, *p, sizeof from - 1);
    if (m) {
        buf_append_byte(out, (uint8_t)to[m - from]);
        return 1;
    }
    if (*p != 'u' || end - p < 5)
        return 0;
    int cp = 0;
    for (int i = 1; i <= 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return 0;
        cp = cp * 16 + d;
    }
    if (cp > 0x7f)
        return 0;
    buf_append_byte(out, (uint8_t)cp);
    return 5;
}

bool jspan_string(const jspan_t *s, buf_t *out)
{
    if (s->kind != JSPAN_STRING || s->len < 2)
        return false;
    const char *p = s->text + 1, *end = s->text + s->len - 1;
    buf_append(out, "", 0); /* terminated even when empty */
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs) {
            buf_append(out, p, (size_t)(end - p));
            break;
        }
        buf_append(out, p, (size_t)(bs - p));
        size_t n = bs + 1 < end ? unescape(bs + 1, end, out) : 0;
        if (n == 0)
            return false;
        p = bs + 1 + n;
    }
    return true;
}

bool jspan_string_list(const jspan_t *a, buf_t *out)
{
    if (a->kind != JSPAN_ARRAY)
        return false;
    scan_t s = {a->text + 1, a->text + a->len - 1};
    skip_space(&s);
    for (bool first = true; s.p < s.end; first = false) {
        jspan_t v;
        if (!scan_value(&s, &v) || v.kind != JSPAN_STRING)
            return false;
        if (!first)
            buf_append_str(out, ", ");
        size_t from = out->len;
        if (!jspan_string(&v, out))
            return false;
        /* json-c's element is a C string: it ends at a \u0000 */
        out->len = from + strnlen((const char *)out->data + from, out->len - from);
        out->data[out->len] = 0;
        skip_space(&s);
        if (s.p < s.end && *s.p++ != ',')
            return false;
        skip_space(&s);
    }
    return true;
}
