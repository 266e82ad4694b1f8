/* tcp_keep.c — segments kept for the TCP charts; see tcp_keep.h. */
#include "analysis/tcp_keep.h"

#include "core/xalloc.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Memory is counted in units of one tcp_kept_seg_t; a connection's own entry
 * and allocator overhead are charged as this many units. */
#define UNIT_BYTES 32u
#define ENTRY_UNITS 6u

enum { LIVE, TOP, NAMED };

/* One connection's kept segments. */
typedef struct entry {
    tcp_segs_t g;
    uint64_t rank; /* payload bytes seen so far; once finished, its record's bytes */
    size_t units;  /* charged to the keeper */
    size_t held;   /* index in the keeper's held list */
    uint8_t where; /* LIVE, TOP or NAMED */
    conn_t *c;     /* while LIVE */
} entry_t;

struct tcp_keep {
    const analysis_opts_t *opts;
    size_t budget, units; /* in units */
    entry_t **held;       /* every entry, live or kept */
    size_t nheld, capheld;
    entry_t *top[TCP_CHART_TOP]; /* finished, best first */
    size_t ntop;
};

/* c->kept of a connection whose segments were given up. */
static char gave_up;

tcp_keep_t *tcp_keep_new(const analysis_opts_t *opts, unsigned nworkers)
{
    tcp_keep_t *k = xcalloc(1, sizeof *k);
    k->opts = opts;
    size_t bytes = opts->tcp_keep_max ? opts->tcp_keep_max : TCP_KEEP_MAX_BYTES;
    k->budget = bytes / UNIT_BYTES / (nworkers ? nworkers : 1);
    return k;
}

static size_t units_of(const entry_t *e)
{
    return e->g.cap + (e->g.sack_cap + 3) / 4 + ENTRY_UNITS;
}

static void hold(tcp_keep_t *k, entry_t *e)
{
    if (k->nheld == k->capheld) {
        k->capheld = k->capheld ? k->capheld * 2 : 64;
        k->held = xreallocarray(k->held, k->capheld, sizeof *k->held);
    }
    e->held = k->nheld;
    k->held[k->nheld++] = e;
    e->units = units_of(e);
    k->units += e->units;
}

/* Free e and everything that points to it. */
static void drop(tcp_keep_t *k, entry_t *e)
{
    entry_t *last = k->held[--k->nheld];
    k->held[e->held] = last;
    last->held = e->held;
    k->units -= e->units;
    if (e->where == LIVE)
        e->c->kept = &gave_up;
    for (size_t i = 0; e->where == TOP && i < k->ntop; i++)
        if (k->top[i] == e) {
            memmove(&k->top[i], &k->top[i + 1], (k->ntop - i - 1) * sizeof *k->top);
            k->ntop--;
            break;
        }
    tcp_segs_free(&e->g);
    free(e);
}

static int by_rank(const void *a, const void *b)
{
    const entry_t *x = *(entry_t *const *)a, *y = *(entry_t *const *)b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->held < y->held ? -1 : x->held > y->held;
}

/* Over the budget: give up the entries with the fewest bytes until three
 * quarters of it are held. */
static void shed(tcp_keep_t *k)
{
    size_t n = k->nheld;
    entry_t **v = xreallocarray(NULL, n, sizeof *v);
    memcpy(v, k->held, n * sizeof *v);
    qsort(v, n, sizeof *v, by_rank);
    for (size_t i = 0; i < n && k->units > k->budget / 4 * 3; i++)
        drop(k, v[i]);
    free(v);
}

void tcp_keep_packet(tcp_keep_t *k, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
                     ts_ns_t ts)
{
    if (!c || p->proto != IPPROTO_TCP || c->kept == &gave_up)
        return;
    entry_t *e = c->kept;
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->c = c;
        c->kept = e;
        hold(k, e);
    }
    /* the direction as the connection stood first: c->flipped turns is_orig
     * over when the originator changes sides */
    if (!tcp_segs_add(&e->g, p, frame, ts, is_orig != c->flipped)) {
        drop(k, e);
        return;
    }
    e->rank += p->payload_wire;
    size_t u = units_of(e);
    k->units += u - e->units;
    e->units = u;
    if (k->units > k->budget)
        shed(k);
}

static bool named(const tcp_keep_t *k, const char *uid)
{
    for (size_t i = 0; i < k->opts->n_chart_uids; i++)
        if (strcmp(k->opts->chart_uids[i], uid) == 0)
            return true;
    return false;
}

/* The order of write/tcp_charts.c: most bytes first, then by uid. */
static int better(const entry_t *x, const entry_t *y)
{
    if (x->g.bytes != y->g.bytes)
        return x->g.bytes > y->g.bytes;
    return strcmp(x->g.uid, y->g.uid) < 0;
}

/* e enters the top if it beats its last; the one pushed out is freed. */
static void rank_top(tcp_keep_t *k, entry_t *e)
{
    if (k->ntop == TCP_CHART_TOP && !better(e, k->top[k->ntop - 1])) {
        drop(k, e);
        return;
    }
    if (k->ntop == TCP_CHART_TOP)
        drop(k, k->top[k->ntop - 1]);
    size_t i = k->ntop++;
    for (; i > 0 && better(e, k->top[i - 1]); i--)
        k->top[i] = k->top[i - 1];
    k->top[i] = e;
    e->where = TOP;
}

void tcp_keep_conn_finish(tcp_keep_t *k, conn_t *c)
{
    entry_t *e = c->kept;
    c->kept = NULL;
    if (!e || (void *)e == (void *)&gave_up)
        return;
    e->c = NULL;
    memcpy(e->g.uid, c->uid, sizeof e->g.uid);
    e->g.bytes = conn_size(c, 0) + conn_size(c, 1);
    e->rank = e->g.bytes;
    if (c->flipped)
        tcp_segs_reverse(&e->g);
    /* what write/tcp_charts.c can pick: TCP, two packets, some bytes */
    if (named(k, e->g.uid)) {
        e->where = NAMED;
    } else if (c->ep[0].pkts + c->ep[1].pkts >= 2 && e->g.bytes > 0) {
        e->where = TOP; /* no longer LIVE: drop must not touch c */
        rank_top(k, e);
    } else {
        e->where = NAMED; /* finished: drop must not touch c */
        drop(k, e);
    }
}

void tcp_keep_end(tcp_keep_t *k, capture_result_t *part)
{
    size_t kept = 0;
    for (size_t i = 0; i < k->nheld; i++)
        kept += k->held[i]->where != LIVE;
    if (kept) {
        part->tcp_segs =
            xreallocarray(part->tcp_segs, part->ntcp_segs + kept, sizeof *part->tcp_segs);
        part->captcp_segs = part->ntcp_segs + kept;
    }
    /* every connection is finished (and freed) by now: none is LIVE, and
     * none may be touched */
    for (size_t i = 0; i < k->nheld; i++) {
        entry_t *e = k->held[i];
        if (e->where != LIVE)
            part->tcp_segs[part->ntcp_segs++] = e->g;
        else
            tcp_segs_free(&e->g);
        free(e);
    }
    free(k->held);
    free(k);
}
