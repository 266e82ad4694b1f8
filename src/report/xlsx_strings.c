/* xlsx_strings.c — see xlsx_strings.h. */
#include "report/xlsx_strings.h"

#include "core/buf.h"
#include "core/types.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint64_t hash;
    uint32_t idx1; /* index + 1; 0: empty */
} slot_t;

struct xlsx_strings {
    uint64_t *seen; /* hashes of texts seen once (0: none) */
    slot_t *slots;  /* open addressing over the shared texts */
    size_t cap;     /* power of two */
    buf_t text;     /* the shared texts, one after the other */
    size_t *off;    /* where text i starts; off[n] is the end */
    size_t n, off_cap;
    uint64_t refs;
};

xlsx_strings_t *xlsx_strings_new(void)
{
    xlsx_strings_t *t = xcalloc(1, sizeof *t);
    t->seen = xcalloc(XLSX_SEEN_SLOTS, sizeof *t->seen);
    t->cap = 1024;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    t->off_cap = 1024;
    t->off = xcalloc(t->off_cap, sizeof *t->off);
    t->text = (buf_t)BUF_INIT;
    return t;
}

static uint64_t text_hash(const char *s, size_t n)
{
    uint64_t h = hash_fnv1a(s, n, 0);
    return h ? h : 1; /* 0 marks an empty filter slot */
}

static bool same(const xlsx_strings_t *t, uint32_t i, const char *s, size_t n)
{
    return t->off[i + 1] - t->off[i] == n && memcmp(t->text.data + t->off[i], s, n) == 0;
}

static slot_t *find(xlsx_strings_t *t, uint64_t h, const char *s, size_t n)
{
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        slot_t *sl = &t->slots[i];
        if (!sl->idx1 || (sl->hash == h && same(t, sl->idx1 - 1, s, n)))
            return sl;
    }
}

static void grow(xlsx_strings_t *t)
{
    slot_t *old = t->slots;
    size_t oldcap = t->cap;
    t->cap *= 2;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].idx1)
            continue;
        size_t k = old[i].hash & (t->cap - 1);
        while (t->slots[k].idx1)
            k = (k + 1) & (t->cap - 1);
        t->slots[k] = old[i];
    }
    free(old);
}

long xlsx_strings_index(xlsx_strings_t *t, const char *s, size_t n)
{
    if (n > XLSX_SHARED_MAX_LEN)
        return -1;
    uint64_t h = text_hash(s, n);
    slot_t *sl = find(t, h, s, n);
    if (sl->idx1) {
        t->refs++;
        return (long)sl->idx1 - 1;
    }
    uint64_t *seen = &t->seen[h & (XLSX_SEEN_SLOTS - 1)];
    if (*seen != h) { /* first sighting (or the filter lost the first) */
        *seen = h;
        return -1;
    }
    if (t->n == XLSX_SHARED_MAX || t->text.len + n > XLSX_SHARED_MAX_BYTES)
        return -1;
    buf_append(&t->text, s, n);
    if (t->n + 2 > t->off_cap) {
        t->off_cap *= 2;
        t->off = xreallocarray(t->off, t->off_cap, sizeof *t->off);
    }
    t->off[t->n + 1] = t->text.len;
    sl->hash = h;
    sl->idx1 = (uint32_t)++t->n;
    if (t->n * 2 > t->cap)
        grow(t);
    t->refs++;
    return (long)t->n - 1;
}

size_t xlsx_strings_unique(const xlsx_strings_t *t)
{
    return t->n;
}

uint64_t xlsx_strings_refs(const xlsx_strings_t *t)
{
    return t->refs;
}

const char *xlsx_strings_at(const xlsx_strings_t *t, size_t i, size_t *n)
{
    *n = t->off[i + 1] - t->off[i];
    return (const char *)t->text.data + t->off[i];
}

void xlsx_strings_free(xlsx_strings_t *t)
{
    if (!t)
        return;
    free(t->seen), free(t->slots), free(t->off);
    buf_free(&t->text);
    free(t);
}
