/* textline.c — line reader and word helpers; see textline.h. */
#include "textline.h"

#include "core/xalloc.h"

#include <string.h>

void line_reader_init(line_reader_t *r, size_t max)
{
    memset(r, 0, sizeof *r);
    r->max = max;
}

void line_reader_free(line_reader_t *r)
{
    buf_free(&r->part);
}

void line_reader_reset(line_reader_t *r)
{
    buf_clear(&r->part);
    r->skipping = r->handed = false;
}

size_t line_pending(const line_reader_t *r)
{
    return r->handed ? 0 : r->part.len;
}

cursor_t line_partial(const line_reader_t *r)
{
    return cursor_make(r->part.data, line_pending(r));
}

/* Keep up to the cap of n more bytes of a line being gathered. */
static void keep(line_reader_t *r, const uint8_t *p, size_t n)
{
    size_t room = r->part.len < r->max ? r->max - r->part.len : 0;
    buf_append(&r->part, p, n < room ? n : room);
    if (n > room)
        r->skipping = true;
}

/* Strip one trailing CR from a finished line. */
static cursor_t without_cr(cursor_t l)
{
    if (cursor_left(&l) && l.end[-1] == '\r')
        l.end--;
    return l;
}

bool line_next(line_reader_t *r, cursor_t *c, cursor_t *line, bool *overlong)
{
    if (r->handed) { /* the line handed out last time is no longer needed */
        buf_clear(&r->part);
        r->handed = false;
    }
    long nl = cursor_find(c, '\n');
    const uint8_t *p = NULL;
    if (nl < 0) {
        size_t n = cursor_left(c);
        if (cursor_bytes(c, n, &p) && n)
            keep(r, p, n);
        return false;
    }
    cursor_bytes(c, (size_t)nl, &p);
    cursor_skip(c, 1);
    if (!r->part.len && !r->skipping) {
        *line = without_cr(cursor_make(p, (size_t)nl));
        *overlong = cursor_left(line) > r->max;
        if (*overlong)
            line->end = line->p + r->max;
        return true;
    }
    keep(r, p, (size_t)nl);
    *overlong = r->skipping;
    *line = without_cr(cursor_make(r->part.data, r->part.len));
    r->skipping = false;
    r->handed = true;
    return true;
}

void text_skip_blanks(cursor_t *c)
{
    uint8_t b = 0;
    while (cursor_peek_u8(c, &b) && (b == ' ' || b == '\t'))
        cursor_skip(c, 1);
}

bool text_word(cursor_t *c, cursor_t *word)
{
    text_skip_blanks(c);
    if (cursor_empty(c))
        return false;
    size_t n = 0;
    while (n < cursor_left(c) && c->p[n] != ' ' && c->p[n] != '\t')
        n++;
    return cursor_sub(c, n, word);
}

cursor_t text_trim(cursor_t c)
{
    text_skip_blanks(&c);
    while (cursor_left(&c) && (c.end[-1] == ' ' || c.end[-1] == '\t' || c.end[-1] == '\r'))
        c.end--;
    return c;
}

static uint8_t lower(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

bool text_starts_ci(const cursor_t *c, const char *s)
{
    size_t n = strlen(s);
    if (!cursor_has(c, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(c->p[i]) != lower((uint8_t)s[i]))
            return false;
    return true;
}

bool text_eq_ci(const cursor_t *c, const char *s)
{
    return cursor_left(c) == strlen(s) && text_starts_ci(c, s);
}

bool text_eat_ci(cursor_t *c, const char *s)
{
    if (!text_starts_ci(c, s))
        return false;
    cursor_skip(c, strlen(s));
    return true;
}

bool text_uint(cursor_t *c, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    size_t n = 0;
    while (n < cursor_left(c) && c->p[n] >= '0' && c->p[n] <= '9') {
        unsigned d = (unsigned)(c->p[n] - '0');
        if (x > (max - d) / 10)
            return false;
        x = x * 10 + d;
        n++;
    }
    if (!n)
        return false;
    cursor_skip(c, n);
    *v = x;
    return true;
}

char *text_dup(const cursor_t *c, size_t max)
{
    size_t n = cursor_left(c) < max ? cursor_left(c) : max;
    char *s = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = c->p[i] ? (char)c->p[i] : '?';
    s[n] = 0;
    return s;
}

long text_find(const cursor_t *c, uint8_t b)
{
    return cursor_find(c, b);
}
