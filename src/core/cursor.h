/*
 * cursor.h — the only way parsers read untrusted packet bytes.
 *
 * A cursor is a window [p, end) over bytes we do not trust, plus the start of
 * the buffer it was made from (so DNS compression pointers can seek to an
 * absolute offset).  Every read checks the remaining length first and returns
 * false, leaving the cursor unchanged, when the bytes are not there.  Callers
 * therefore never do pointer arithmetic on packet memory themselves; a short or
 * lying length field turns into a clean "false" instead of an over-read.
 *
 * Modelled on tcpdump's GET_BE_U_2() family.  All functions are inline because
 * they sit on the per-packet hot path.
 */
#ifndef PCAPCASE_CURSOR_H
#define PCAPCASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct cursor {
    const uint8_t *start; /* first byte of the underlying buffer */
    const uint8_t *p;     /* next byte to read */
    const uint8_t *end;   /* one past the last readable byte */
} cursor_t;

/* A cursor over len bytes at p.  p may be NULL when len is 0. */
static inline cursor_t cursor_make(const uint8_t *p, size_t len)
{
    cursor_t c = {p, p, p ? p + len : p};
    return c;
}

static inline size_t cursor_left(const cursor_t *c)
{
    return (size_t)(c->end - c->p);
}
static inline size_t cursor_offset(const cursor_t *c)
{
    return (size_t)(c->p - c->start);
}
static inline bool cursor_empty(const cursor_t *c)
{
    return c->p >= c->end;
}
static inline bool cursor_has(const cursor_t *c, size_t n)
{
    return cursor_left(c) >= n;
}

/* Move to absolute offset off from start; false when off is past end. */
static inline bool cursor_seek(cursor_t *c, size_t off)
{
    if (off > (size_t)(c->end - c->start))
        return false;
    c->p = c->start + off;
    return true;
}

static inline bool cursor_skip(cursor_t *c, size_t n)
{
    if (!cursor_has(c, n))
        return false;
    c->p += n;
    return true;
}

/* Hand out a pointer to the next n bytes and advance past them. */
static inline bool cursor_bytes(cursor_t *c, size_t n, const uint8_t **out)
{
    if (!cursor_has(c, n))
        return false;
    *out = c->p;
    c->p += n;
    return true;
}

/* Copy the next n bytes into dst and advance. */
static inline bool cursor_copy(cursor_t *c, void *dst, size_t n)
{
    if (!cursor_has(c, n))
        return false;
    if (n)
        memcpy(dst, c->p, n);
    c->p += n;
    return true;
}

/* Split off the next n bytes as their own cursor (sharing start) and advance. */
static inline bool cursor_sub(cursor_t *c, size_t n, cursor_t *sub)
{
    if (!cursor_has(c, n))
        return false;
    sub->start = c->start;
    sub->p = c->p;
    sub->end = c->p + n;
    c->p += n;
    return true;
}

/* The rest of the cursor as a new cursor whose start is the current position. */
static inline cursor_t cursor_rest(const cursor_t *c)
{
    return cursor_make(c->p, cursor_left(c));
}

static inline bool cursor_u8(cursor_t *c, uint8_t *v)
{
    if (!cursor_has(c, 1))
        return false;
    *v = c->p[0];
    c->p += 1;
    return true;
}

static inline bool cursor_peek_u8(const cursor_t *c, uint8_t *v)
{
    if (!cursor_has(c, 1))
        return false;
    *v = c->p[0];
    return true;
}

static inline bool cursor_u16be(cursor_t *c, uint16_t *v)
{
    if (!cursor_has(c, 2))
        return false;
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return true;
}

static inline bool cursor_peek_u16be(const cursor_t *c, uint16_t *v)
{
    if (!cursor_has(c, 2))
        return false;
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    return true;
}

static inline bool cursor_u16le(cursor_t *c, uint16_t *v)
{
    if (!cursor_has(c, 2))
        return false;
    *v = (uint16_t)((c->p[1] << 8) | c->p[0]);
    c->p += 2;
    return true;
}

static inline bool cursor_u24be(cursor_t *c, uint32_t *v)
{
    if (!cursor_has(c, 3))
        return false;
    *v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
    c->p += 3;
    return true;
}

static inline bool cursor_u32be(cursor_t *c, uint32_t *v)
{
    if (!cursor_has(c, 4))
        return false;
    *v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) | c->p[3];
    c->p += 4;
    return true;
}

static inline bool cursor_u32le(cursor_t *c, uint32_t *v)
{
    if (!cursor_has(c, 4))
        return false;
    *v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) | ((uint32_t)c->p[1] << 8) | c->p[0];
    c->p += 4;
    return true;
}

static inline bool cursor_u64be(cursor_t *c, uint64_t *v)
{
    uint32_t hi, lo;
    cursor_t save = *c;
    if (!cursor_u32be(c, &hi) || !cursor_u32be(c, &lo)) {
        *c = save;
        return false;
    }
    *v = ((uint64_t)hi << 32) | lo;
    return true;
}

static inline bool cursor_u64le(cursor_t *c, uint64_t *v)
{
    uint32_t hi, lo;
    cursor_t save = *c;
    if (!cursor_u32le(c, &lo) || !cursor_u32le(c, &hi)) {
        *c = save;
        return false;
    }
    *v = ((uint64_t)hi << 32) | lo;
    return true;
}

/* Find byte b in the remaining bytes; returns its offset from p or -1. */
static inline long cursor_find(const cursor_t *c, uint8_t b)
{
    const uint8_t *hit = memchr(c->p, b, cursor_left(c));
    return hit ? (long)(hit - c->p) : -1;
}

#endif
