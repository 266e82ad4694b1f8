/* fileasm.c — offset-addressed file assembly; see fileasm.h. */
#include "fileasm.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

void fileasm_init(fileasm_t *f, fileasm_write_fn write, void *ctx)
{
    memset(f, 0, sizeof *f);
    f->size = FILEASM_UNKNOWN_SIZE;
    f->write = write;
    f->ctx = ctx;
}

void fileasm_free(fileasm_t *f)
{
    free(f->ranges);
    memset(f, 0, sizeof *f);
}

void fileasm_set_size(fileasm_t *f, uint64_t size)
{
    f->size = size;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}
static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Insert [s, e) into the sorted range list, merging what it touches. */
static void cover(fileasm_t *f, uint64_t s, uint64_t e)
{
    size_t i = 0;
    while (i < f->nranges && f->ranges[i].end < s)
        i++;
    size_t j = i;
    uint64_t ns = s, ne = e;
    while (j < f->nranges && f->ranges[j].start <= e) {
        uint64_t os = max64(s, f->ranges[j].start), oe = min64(e, f->ranges[j].end);
        if (oe > os)
            f->overlap += oe - os;
        ns = min64(ns, f->ranges[j].start);
        ne = max64(ne, f->ranges[j].end);
        j++;
    }
    if (j > i) { /* merged into ranges i..j-1: keep one */
        f->ranges[i] = (file_range_t){ns, ne};
        memmove(f->ranges + i + 1, f->ranges + j, (f->nranges - j) * sizeof *f->ranges);
        f->nranges -= j - i - 1;
        return;
    }
    if (f->nranges == FILEASM_MAX_RANGES) {
        f->overflow = true;
        return;
    }
    if (f->nranges == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->ranges = xreallocarray(f->ranges, f->cap, sizeof *f->ranges);
    }
    memmove(f->ranges + i + 1, f->ranges + i, (f->nranges - i) * sizeof *f->ranges);
    f->ranges[i] = (file_range_t){ns, ne};
    f->nranges++;
}

void fileasm_add(fileasm_t *f, uint64_t offset, const uint8_t *p, size_t n)
{
    if (!n || offset > UINT64_MAX - n)
        return;
    cover(f, offset, offset + n);
    f->max_end = max64(f->max_end, offset + n);
    if (f->write)
        f->write(f->ctx, offset, p, n);
}

uint64_t fileasm_covered(const fileasm_t *f)
{
    uint64_t t = 0;
    for (size_t i = 0; i < f->nranges; i++)
        t += f->ranges[i].end - f->ranges[i].start;
    return t;
}

size_t fileasm_missing(const fileasm_t *f, file_range_t *out, size_t max, uint64_t *missing_bytes)
{
    uint64_t end = f->size != FILEASM_UNKNOWN_SIZE ? f->size : f->max_end, at = 0, total = 0;
    size_t count = 0;
    for (size_t i = 0; i <= f->nranges && at < end; i++) {
        uint64_t next = i < f->nranges ? min64(f->ranges[i].start, end) : end;
        if (next > at) {
            if (count < max)
                out[count] = (file_range_t){at, next};
            count++;
            total += next - at;
        }
        if (i < f->nranges)
            at = max64(at, f->ranges[i].end);
    }
    if (missing_bytes)
        *missing_bytes = total;
    return count;
}

bool fileasm_complete(const fileasm_t *f)
{
    if (f->overflow || f->size == FILEASM_UNKNOWN_SIZE)
        return false;
    if (!f->size)
        return true;
    return f->nranges >= 1 && f->ranges[0].start == 0 && f->ranges[0].end >= f->size;
}

void fileasm_buffer_write(void *ctx, uint64_t offset, const uint8_t *p, size_t n)
{
    buf_t *b = ctx;
    if (offset >= FILEASM_BUFFER_MAX)
        return;
    if (n > FILEASM_BUFFER_MAX - offset)
        n = (size_t)(FILEASM_BUFFER_MAX - offset);
    size_t end = (size_t)offset + n;
    if (end > b->len) {
        buf_reserve(b, end - b->len);
        memset(b->data + b->len, 0, end - b->len);
        b->len = end;
        b->data[b->len] = 0;
    }
    memcpy(b->data + offset, p, n);
}

void fileasm_pieces_write(void *ctx, uint64_t offset, const uint8_t *p, size_t n)
{
    fileasm_pieces_t *ps = ctx;
    if (offset >= FILEASM_BUFFER_MAX || !n)
        return;
    if (n > FILEASM_BUFFER_MAX - offset)
        n = (size_t)(FILEASM_BUFFER_MAX - offset);
    if (ps->lost)
        return;
    fileasm_piece_t *last = ps->n ? &ps->v[ps->n - 1] : NULL;
    bool append = last && last->offset + last->data.len == offset;
    if (n > FILEASM_PIECES_MAX - ps->bytes || (!append && ps->n == FILEASM_PIECES_MAX_COUNT)) {
        ps->lost = true;
        return;
    }
    ps->bytes += n;
    if (!append) {
        if (ps->n == ps->cap) {
            ps->cap = ps->cap ? ps->cap * 2 : 4;
            ps->v = xreallocarray(ps->v, ps->cap, sizeof *ps->v);
        }
        last = &ps->v[ps->n++];
        *last = (fileasm_piece_t){offset, BUF_INIT};
    }
    buf_append(&last->data, p, n);
}

bool fileasm_pieces_assemble(fileasm_pieces_t *ps, uint64_t size, buf_t *out)
{
    buf_clear(out);
    if (ps->lost || size > FILEASM_BUFFER_MAX)
        return false;
    if (ps->n == 1 && ps->v[0].offset == 0 && ps->v[0].data.len >= size) {
        /* written in order: the one piece is the file */
        buf_free(out);
        *out = ps->v[0].data;
        ps->v[0].data = (buf_t)BUF_INIT;
        out->len = (size_t)size;
        out->data[out->len] = 0;
        return true;
    }
    buf_reserve(out, (size_t)size);
    memset(out->data, 0, (size_t)size);
    out->len = (size_t)size;
    out->data[out->len] = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const fileasm_piece_t *q = &ps->v[i];
        if (q->offset < size)
            memcpy(out->data + q->offset, q->data.data,
                   q->data.len < size - q->offset ? q->data.len : (size_t)(size - q->offset));
    }
    return true;
}

void fileasm_pieces_free(fileasm_pieces_t *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        buf_free(&ps->v[i].data);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}
