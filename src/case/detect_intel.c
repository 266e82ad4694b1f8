/* detect_intel.c — one finding per --intel indicator the traffic matched.
 *
 * The sightings were found while the captures were analysed (intel_tap.c);
 * their summaries (model.h intel_rec_t: one per sighting and indicator) are
 * grouped by indicator here.  The finding says what the indicator is and
 * which feed listed it why, how often and where it was seen, and points at
 * the first sightings' packets.  Its severity is the feed's (the highest when
 * several feeds list it), INTEL_DEFAULT_SEVERITY when none says. */
#include "case/case.h"
#include "case/findings.h"

#include "core/buf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Score by severity: an indicator someone listed is not a guess, so even an
 * "info" one ranks with the weaker behavioural findings. */
static const double score_of_severity[4] = {40, 60, 80, 95};
/* Places counted per indicator in the summary and details (there are fewer
 * seen.where names than this: intel_tap.h). */
#define MAX_WHERE 32

static int cmp_rec(const void *a, const void *b)
{
    const intel_rec_t *x = *(const intel_rec_t *const *)a, *y = *(const intel_rec_t *const *)b;
    if (x->indicator != y->indicator)
        return x->indicator < y->indicator ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return strcmp(x->where, y->where);
}

typedef struct where_count {
    const char *where;
    uint64_t n;
} where_count_t;

/* Sightings per place, in the order the places were first seen. */
static size_t count_where(const intel_rec_t *const *g, size_t n, where_count_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && strcmp(out[j].where, g[i]->where) != 0)
            j++;
        if (j == k && k < MAX_WHERE)
            out[k++] = (where_count_t){g[i]->where, 0};
        if (j < k)
            out[j].n++;
    }
    return k;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct connections among the sightings. */
static uint64_t count_conns(const intel_rec_t *const *g, size_t n)
{
    const char **uids = xcalloc(n ? n : 1, sizeof *uids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (g[i]->uid[0])
            uids[k++] = g[i]->uid;
    xqsort(uids, k, sizeof *uids, cmp_str);
    uint64_t distinct = 0;
    for (size_t i = 0; i < k; i++)
        distinct += i == 0 || strcmp(uids[i], uids[i - 1]) != 0;
    free(uids);
    return distinct;
}

/* The details: the indicator, its types, each feed listing it (sources,
 * descriptions, URLs and severities in the same order, "" where the feed
 * gives none), the counts, and the sightings per place (seen_where and
 * seen_counts in the same order). */
static void details(finding_t *x, const intel_set_t *s, intel_id_t id, const where_count_t *wc,
                    size_t nw, size_t n, uint64_t conns)
{
    finding_str(x, "indicator", intel_indicator_text(s, id));
    finding_strs(x, "indicator_types");
    for (int t = 0; t < INTEL_NTYPES; t++)
        if (intel_indicator_types(s, id) & INTEL_BIT(t))
            finding_strs_add(x, intel_type_name((intel_type_t)t));
    static const char *const feed_keys[] = {"sources", "descriptions", "urls", "severities"};
    for (int key = 0; key < 4; key++) {
        finding_strs(x, feed_keys[key]);
        intel_meta_t m;
        for (size_t i = 0; intel_indicator_meta(s, id, i, &m); i++)
            finding_strs_add(x, key == 0                             ? m.source
                                : key == 1                           ? m.desc
                                : key == 2                           ? m.url
                                : m.severity != INTEL_SEVERITY_UNSET ? severity_name(m.severity)
                                                                     : "");
    }
    finding_uint(x, "sightings", n);
    finding_uint(x, "connections", conns);
    double counts[MAX_WHERE];
    finding_strs(x, "seen_where");
    for (size_t i = 0; i < nw; i++) {
        finding_strs_add(x, wc[i].where);
        counts[i] = (double)wc[i].n;
    }
    finding_nums(x, "seen_counts", counts, nw, 0);
}

/* "203.0.113.66 (lab-ir: C2 server) seen 41 times in 40 connections: Conn::IN_RESP 40,
 * DNS::IN_RESPONSE 1" */
static char *summary(const intel_set_t *s, intel_id_t id, const where_count_t *wc, size_t nw,
                     size_t n, uint64_t conns)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "Intel indicator %s", intel_indicator_text(s, id));
    intel_meta_t m;
    for (size_t i = 0; intel_indicator_meta(s, id, i, &m); i++)
        buf_printf(&b, "%s%s%s%s", i ? "; " : " (", m.source, m.desc ? ": " : "",
                   m.desc ? m.desc : "");
    buf_printf(&b, ") seen %zu time%s", n, n == 1 ? "" : "s");
    if (conns)
        buf_printf(&b, " in %llu connection%s", (unsigned long long)conns, conns == 1 ? "" : "s");
    for (size_t i = 0; i < nw; i++)
        buf_printf(&b, "%s%s %llu", i ? ", " : ": ", wc[i].where, (unsigned long long)wc[i].n);
    return buf_steal(&b);
}

static void one_indicator(const case_t *k, findings_t *f, const intel_rec_t *const *g, size_t n)
{
    const intel_set_t *s = k->opts->intel;
    intel_id_t id = g[0]->indicator;
    where_count_t wc[MAX_WHERE];
    size_t nw = count_where(g, n, wc);
    uint64_t conns = count_conns(g, n);
    int sev = intel_indicator_severity(s, id);
    finding_t *x = findings_add(f, "intel_match", sev, score_of_severity[sev & 3],
                                summary(s, id, wc, nw, n, conns));
    x->first = g[0]->ts, x->last = g[0]->ts;
    for (size_t i = 0; i < n; i++) {
        if (g[i]->ts < x->first)
            x->first = g[i]->ts;
        if (g[i]->ts > x->last)
            x->last = g[i]->ts;
        if (g[i]->orig.family)
            finding_host(x, &g[i]->orig);
        if (g[i]->resp.family)
            finding_host(x, &g[i]->resp);
        finding_evidence(x, g[i]->capture, g[i]->frame, g[i]->uid);
    }
    finding_why(x, xstrdup("Someone listed this value as bad (the feeds are in details); every "
                           "sighting of a listed indicator is reported, however few: a match is "
                           "a fact, not a guess, and intel.ndjson has each one."));
    details(x, s, id, wc, nw, n, conns);
}

void detect_intel(const case_t *k, findings_t *f)
{
    if (!k->opts || !k->opts->intel)
        return;
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nintel;
    const intel_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nintel; j++)
            v[n++] = &k->r[i]->intel[j];
    xqsort(v, n, sizeof *v, cmp_rec);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && v[j]->indicator == v[i]->indicator)
            j++;
        one_indicator(k, f, v + i, j - i);
        i = j;
    }
    free(v);
}
