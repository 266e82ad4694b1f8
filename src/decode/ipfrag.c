/* ipfrag.c — see ipfrag.h. */
#include "ipfrag.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Largest datagram IP can describe (16-bit length); bigger offsets are bogus. */
#define IPFRAG_MAX_DGRAM 65535u

typedef struct range {
    uint32_t start, end;
} range_t;

typedef struct pending {
    ipfrag_key_t key;
    ts_ns_t first_ts;
    uint64_t first_frame;
    uint8_t *data; /* IPFRAG_MAX_DGRAM bytes */
    range_t ranges[IPFRAG_MAX_FRAGS_PER_DGRAM];
    unsigned nranges;
    uint32_t total; /* known once the last fragment arrived, else 0 */
    bool have_last;
} pending_t;

struct ipfrag_table {
    pending_t **v;
    size_t n;
    damage_t *damage;
    uint8_t *done; /* last completed datagram, handed to the caller */
};

ipfrag_table_t *ipfrag_new(damage_t *damage)
{
    ipfrag_table_t *t = xcalloc(1, sizeof *t);
    t->v = xcalloc(IPFRAG_MAX_PENDING, sizeof *t->v);
    t->damage = damage;
    return t;
}

static void pending_free(pending_t *p)
{
    if (p) {
        free(p->data);
        free(p);
    }
}

static void drop_at(ipfrag_table_t *t, size_t i, const char *reason)
{
    if (reason)
        damage_note(t->damage, reason, t->v[i]->first_frame);
    pending_free(t->v[i]);
    t->v[i] = t->v[--t->n];
}

void ipfrag_free(ipfrag_table_t *t)
{
    if (!t)
        return;
    while (t->n)
        drop_at(t, t->n - 1, "incomplete.ipfrag_at_end");
    free(t->v);
    free(t->done);
    free(t);
}

static bool key_eq(const ipfrag_key_t *a, const ipfrag_key_t *b)
{
    return a->id == b->id && a->proto == b->proto && ipaddr_eq(&a->src, &b->src) &&
           ipaddr_eq(&a->dst, &b->dst);
}

static pending_t *lookup(ipfrag_table_t *t, const ipfrag_key_t *key, uint64_t frame, ts_ns_t ts)
{
    for (size_t i = 0; i < t->n;) {
        if (ts - t->v[i]->first_ts > IPFRAG_TIMEOUT_NS) {
            drop_at(t, i, "incomplete.ipfrag_timeout");
            continue;
        }
        if (key_eq(&t->v[i]->key, key))
            return t->v[i];
        i++;
    }
    if (t->n == IPFRAG_MAX_PENDING) {
        size_t oldest = 0;
        for (size_t i = 1; i < t->n; i++)
            if (t->v[i]->first_ts < t->v[oldest]->first_ts)
                oldest = i;
        drop_at(t, oldest, "limit.ipfrag_table_full");
    }
    pending_t *p = xcalloc(1, sizeof *p);
    p->key = *key;
    p->first_ts = ts;
    p->first_frame = frame;
    p->data = xmalloc(IPFRAG_MAX_DGRAM);
    t->v[t->n++] = p;
    return p;
}

/* Copy the parts of [s,e) not yet covered; note overlaps.  Ranges stay sorted
 * and merged. */
static void add_range(ipfrag_table_t *t, pending_t *p, uint32_t s, uint32_t e, const uint8_t *data,
                      uint64_t frame)
{
    bool overlap = false, conflict = false;
    uint32_t cur = s;
    for (unsigned i = 0; i < p->nranges && cur < e; i++) {
        range_t r = p->ranges[i];
        if (r.end <= cur)
            continue;
        if (r.start >= e)
            break;
        if (r.start > cur)
            memcpy(p->data + cur, data + (cur - s), r.start - cur);
        uint32_t os = r.start > cur ? r.start : cur, oe = r.end < e ? r.end : e;
        overlap = true;
        if (memcmp(p->data + os, data + (os - s), oe - os) != 0)
            conflict = true;
        cur = r.end;
    }
    if (cur < e)
        memcpy(p->data + cur, data + (cur - s), e - cur);
    if (overlap)
        damage_note(t->damage, conflict ? "ipfrag.overlap_conflict" : "ipfrag.overlap", frame);
    /* merge [s,e) into the sorted range list */
    range_t nr = {s, e};
    unsigned w = 0;
    range_t out[IPFRAG_MAX_FRAGS_PER_DGRAM + 1];
    bool placed = false;
    for (unsigned i = 0; i < p->nranges; i++) {
        range_t r = p->ranges[i];
        if (r.end < nr.start) {
            out[w++] = r;
        } else if (r.start > nr.end) {
            if (!placed)
                out[w++] = nr, placed = true;
            out[w++] = r;
        } else {
            nr.start = r.start < nr.start ? r.start : nr.start;
            nr.end = r.end > nr.end ? r.end : nr.end;
        }
    }
    if (!placed)
        out[w++] = nr;
    if (w > IPFRAG_MAX_FRAGS_PER_DGRAM)
        w = IPFRAG_MAX_FRAGS_PER_DGRAM; /* cannot happen: caller bounds count */
    memcpy(p->ranges, out, w * sizeof *out);
    p->nranges = w;
}

bool ipfrag_add(ipfrag_table_t *t, const ipfrag_key_t *key, uint32_t off, const uint8_t *data,
                uint32_t len, bool more, uint64_t frame, ts_ns_t ts, const uint8_t **out,
                uint32_t *outlen)
{
    if ((uint64_t)off + len > IPFRAG_MAX_DGRAM) {
        damage_note(t->damage, "ipfrag.too_large", frame);
        return false;
    }
    pending_t *p = lookup(t, key, frame, ts);
    size_t idx = 0;
    while (t->v[idx] != p)
        idx++;
    if (p->nranges >= IPFRAG_MAX_FRAGS_PER_DGRAM) {
        drop_at(t, idx, "limit.ipfrag_too_many_fragments");
        return false;
    }
    if (!more) {
        if (p->have_last && p->total != off + len)
            damage_note(t->damage, "ipfrag.conflicting_last_fragment", frame);
        if (!p->have_last)
            p->total = off + len, p->have_last = true;
    }
    if (len)
        add_range(t, p, off, off + len, data, frame);
    if (!p->have_last || p->nranges != 1 || p->ranges[0].start != 0 || p->ranges[0].end < p->total)
        return false;
    /* complete: keep the buffer for the caller until the next call */
    free(t->done);
    t->done = p->data;
    p->data = NULL;
    *out = t->done;
    *outlen = p->total;
    drop_at(t, idx, NULL);
    return true;
}
