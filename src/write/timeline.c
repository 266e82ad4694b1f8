/* timeline.c — case.json "timeline": the notable moments of a case, across
 * captures, in time order.  See timeline.h. */
#include "write/timeline.h"

#include "case/findings.h"
#include "case/hosts.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/logfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tl_event {
    ts_ns_t ts;
    int kind;  /* order among events at the same instant: capture, host, finding */
    char *ref; /* capture name, host address or finding id */
    char *text;
} tl_event_t;

typedef struct tl {
    tl_event_t *v;
    size_t n, cap;
} tl_t;

static const char *const kind_names[] = {"capture", "host", "finding"};

static void add(tl_t *t, ts_ns_t ts, int kind, const char *ref, char *text)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
    }
    t->v[t->n++] = (tl_event_t){ts, kind, xstrdup(ref), text};
}

static int cmp_event(const void *a, const void *b)
{
    const tl_event_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    int c = strcmp(x->ref, y->ref);
    return c ? c : strcmp(x->text, y->text);
}

static bool host_listed(const char (*seen)[IPADDR_STRLEN], size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(seen[i], s) == 0)
            return true;
    return false;
}

void timeline_json(jsonw_t *w, const case_t *k)
{
    tl_t t = {0};
    for (size_t i = 0; i < k->n; i++) {
        const capture_result_t *r = k->r[i];
        if (!r->packets)
            continue;
        add(&t, r->first_ts, 0, r->name, xasprintf("capture %s starts", r->name));
        add(&t, r->last_ts, 0, r->name, xasprintf("capture %s ends", r->name));
    }
    const findings_t *f = k->findings;
    size_t nf = f ? f->n : 0;
    /* hosts named in findings: when each was first and last seen anywhere */
    char(*seen)[IPADDR_STRLEN] = xcalloc(nf * FINDING_MAX_HOSTS + 1, sizeof *seen);
    size_t nseen = 0;
    for (size_t i = 0; i < nf; i++) {
        const finding_t *x = &f->v[i];
        char id[24];
        snprintf(id, sizeof id, "F%04zu", i + 1);
        if (x->first) {
            add(&t, x->first, 2, id, xasprintf("%s %s begins: %s", id, x->type, x->summary));
            if (x->last && x->last != x->first)
                add(&t, x->last, 2, id, xasprintf("%s %s: last evidence", id, x->type));
        }
        for (unsigned h = 0; h < x->nhosts; h++) {
            char s[IPADDR_STRLEN];
            ipaddr_str(&x->hosts[h], s);
            const host_t *ho = k->hosts ? hosts_find(k->hosts, &x->hosts[h]) : NULL;
            if (!ho || host_listed(seen, nseen, s))
                continue;
            memcpy(seen[nseen++], s, sizeof s);
            add(&t, ho->first, 1, s, xasprintf("host %s first seen", s));
            if (ho->last != ho->first)
                add(&t, ho->last, 1, s, xasprintf("host %s last seen", s));
        }
    }
    free(seen);
    xqsort(t.v, t.n, sizeof *t.v, cmp_event);
    int digits = k->n ? k->r[0]->ts_digits : TS_DIGITS_DEFAULT;
    size_t keep = t.n < TIMELINE_MAX_EVENTS ? t.n : TIMELINE_MAX_EVENTS;
    jw_key(w, "timeline");
    jw_arr_begin(w);
    for (size_t i = 0; i < t.n; i++) {
        if (i < keep) {
            jw_obj_begin(w);
            lf_time(w, "ts", t.v[i].ts, digits);
            jw_kv_str(w, "kind", kind_names[t.v[i].kind]);
            jw_kv_str(w, "ref", t.v[i].ref);
            jw_kv_str(w, "event", t.v[i].text);
            jw_obj_end(w);
        }
        free(t.v[i].ref);
        free(t.v[i].text);
    }
    jw_arr_end(w);
    jw_kv_uint(w, "timeline_omitted", t.n - keep);
    free(t.v);
}
