/*
 * svgfix.c — stable, document-unique ids in cairo's SVG (svgfix.h).
 */
#include "svgfix.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct cairo surfaces renumbered per document; a chart uses one or two
 * (the page, and a group per clip), so 64 is far beyond need. */
#define SVGFIX_MAX_SURFACES 64

static const char SURFACE[] = "surface";

static size_t digits_at(const unsigned char *p, size_t avail)
{
    size_t n = 0;
    while (n < avail && p[n] >= '0' && p[n] <= '9')
        n++;
    return n;
}

/* Copy in to a new buffer with every "surface<N>" renumbered in order of
 * first appearance. */
static unsigned char *renumber_surfaces(const unsigned char *in, size_t len, size_t *out_len)
{
    unsigned long seen[SVGFIX_MAX_SURFACES];
    size_t n_seen = 0, o = 0, k = sizeof SURFACE - 1;
    unsigned char *out = malloc(len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t d =
            i + k < len && memcmp(in + i, SURFACE, k) == 0 ? digits_at(in + i + k, len - i - k) : 0;
        if (d == 0 || d > 9) {
            out[o++] = in[i++];
            continue;
        }
        char num[16];
        memcpy(num, in + i + k, d);
        num[d] = '\0';
        unsigned long v = strtoul(num, NULL, 10), id = 0;
        while (id < n_seen && seen[id] != v)
            id++;
        if (id == n_seen && n_seen < SVGFIX_MAX_SURFACES)
            seen[n_seen++] = v;
        /* The new number never has more digits than the old one needs
         * room for (ids count up from 1), so out stays within len. */
        int w = snprintf(num, sizeof num, "%lu", id < n_seen ? id + 1 : v);
        if ((size_t)w > d) {
            memcpy(num, in + i + k, d);
            w = (int)d;
        }
        memcpy(out + o, SURFACE, k);
        memcpy(out + o + k, num, (size_t)w);
        o += k + (size_t)w;
        i += k + d;
    }
    *out_len = o;
    return out;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Where an id or a reference to one starts: after these. */
static const char *const ID_MARKS[] = {"id=\"", "href=\"#", "url(#"};

static size_t id_mark_at(const unsigned char *p, size_t avail)
{
    for (size_t m = 0; m < sizeof ID_MARKS / sizeof ID_MARKS[0]; m++) {
        size_t k = strlen(ID_MARKS[m]);
        if (k <= avail && memcmp(p, ID_MARKS[m], k) == 0)
            return k;
    }
    return 0;
}

unsigned char *svgfix_ids(const unsigned char *in, size_t len, size_t *out_len)
{
    size_t mid_len;
    unsigned char *mid = renumber_surfaces(in, len, &mid_len);
    if (!mid)
        return NULL;
    char prefix[16];
    int pl = snprintf(prefix, sizeof prefix, "c%08x-", (unsigned)(fnv1a(mid, mid_len) >> 32));
    size_t marks = 0;
    for (size_t i = 0; i < mid_len; i++)
        marks += id_mark_at(mid + i, mid_len - i) > 0;
    unsigned char *out = malloc(mid_len + marks * (size_t)pl + 1);
    if (!out) {
        free(mid);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < mid_len;) {
        size_t k = id_mark_at(mid + i, mid_len - i);
        if (k == 0) {
            out[o++] = mid[i++];
            continue;
        }
        memcpy(out + o, mid + i, k);
        memcpy(out + o + k, prefix, (size_t)pl);
        o += k + (size_t)pl;
        i += k;
    }
    free(mid);
    *out_len = o;
    return out;
}
