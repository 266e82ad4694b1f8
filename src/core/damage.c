/* damage.c — see damage.h. */
#include "damage.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static damage_entry_t *find_or_add(damage_t *d, const char *reason)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].reason == reason || strcmp(d->v[i].reason, reason) == 0)
            return &d->v[i];
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
    }
    damage_entry_t *e = &d->v[d->n++];
    memset(e, 0, sizeof *e);
    e->reason = reason;
    return e;
}

void frames_keep_smallest(uint64_t *v, unsigned *n, unsigned max, uint64_t frame)
{
    if (frame == 0 || max == 0)
        return;
    unsigned i = 0;
    while (i < *n && v[i] < frame)
        i++;
    if ((i < *n && v[i] == frame) || i >= max)
        return;
    unsigned last = *n < max ? *n : max - 1;
    memmove(&v[i + 1], &v[i], (last - i) * sizeof v[0]);
    v[i] = frame;
    if (*n < max)
        (*n)++;
}

static void keep_frame(damage_entry_t *e, uint64_t frame)
{
    frames_keep_smallest(e->frames, &e->nframes, DAMAGE_FIRST_FRAMES, frame);
}

void damage_add(damage_t *d, const char *reason, uint64_t count, uint64_t frame)
{
    damage_entry_t *e = find_or_add(d, reason);
    e->count += count;
    keep_frame(e, frame);
}

void damage_note(damage_t *d, const char *reason, uint64_t frame)
{
    damage_add(d, reason, 1, frame);
}

void damage_merge(damage_t *dst, const damage_t *src)
{
    for (size_t i = 0; i < src->n; i++) {
        damage_entry_t *e = find_or_add(dst, src->v[i].reason);
        e->count += src->v[i].count;
        for (unsigned j = 0; j < src->v[i].nframes; j++)
            keep_frame(e, src->v[i].frames[j]);
    }
}

uint64_t damage_total(const damage_t *d)
{
    uint64_t t = 0;
    for (size_t i = 0; i < d->n; i++)
        t += d->v[i].count;
    return t;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const damage_entry_t *)a)->reason, ((const damage_entry_t *)b)->reason);
}

void damage_sort(damage_t *d)
{
    if (d->n > 1)
        xqsort(d->v, d->n, sizeof *d->v, cmp_entry);
}

void damage_free(damage_t *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}
