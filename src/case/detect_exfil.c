/* detect_exfil.c — exfiltration: an inside host sending an outside
 * destination far more than this network's hosts usually send anywhere.
 *
 * Not a fixed byte count: ordinary offices upload megabytes all day (web
 * forms, mail attachments, cloud sync).  A pair (inside host, destination
 * named by SNI/Host, else by address) is judged against two baselines: the
 * usual large upload of the case's other hosts to destinations few hosts use
 * (the 90th percentile), and what other hosts send to the same destination
 * (a backup service or webmail everyone uses is judged by its own peers, and
 * does not raise the norm for rare places).  Then how rare
 * the destination is, how one-sided the traffic was, and whether it went
 * out while the network was otherwise quiet shape the score.  A case with
 * too few hosts for a norm falls back to the fixed floor
 * (exfil_min_bytes).  docs/findings.md has the formula and the benchmark. */
#include "case/findings.h"

#include "case/case.h"
#include "case/group.h"
#include "case/names.h"
#include "case/stats.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pair uploading less than this is not an "upload" for the norm (a few
 * requests' headers are not what the usual upload is measured on). */
#define EXFIL_UPLOADER_MIN_BYTES 65536
/* Uploading pairs of other hosts needed before their 90th percentile is a
 * norm; fewer, and only the floor and the destination's peers count. */
#define EXFIL_MIN_UPLOADERS 10
#define EXFIL_NORM_QUANTILE 0.9
/* Hosts in the case before "how many others use it" means anything. */
#define EXFIL_MIN_POPULATION 10
/* A destination used by this share of hosts is fully "common". */
#define EXFIL_COMMON_SHARE 0.1
/* The norm is measured on uploads to destinations at most this many inside
 * hosts use: a service a group shares (a team's backup, a project's cloud
 * folder) is judged by its own peers and does not raise the norm. */
#define EXFIL_RARE_MAX_HOSTS 2
/* An hour of the day is quiet when its connection rate is below this
 * share of the busiest hour's, and it was observed for at least
 * EXFIL_MIN_HOUR_OBSERVED seconds. */
#define EXFIL_QUIET_SHARE 0.25
#define EXFIL_MIN_HOUR_OBSERVED 1800.0
/* High severity from this many times the norm. */
#define EXFIL_HIGH_EXCESS 25.0

static const struct {
    double excess, rarity, balance, off_hours;
} W = {0.5, 0.2, 0.15, 0.15};

typedef struct pair {
    const conn_rec_t *const *g; /* the pair's connections (in the sorted array) */
    size_t n, nup;
    const conn_rec_t *big; /* largest upload-like connection */
    uint64_t up, up_back, sent, recv;
    double quiet_bytes;
    unsigned dest_hosts; /* inside hosts that sent anything to this destination */
} pair_t;

typedef struct exfil_ctx {
    const case_t *k;
    findings_t *f;
    pair_t *v;
    size_t n;
    bool quiet[24]; /* quiet hours of the day */
    int tz;         /* seconds east of UTC for "hour of the day" */
} exfil_ctx_t;

static const conn_rec_t *C(const void *p)
{
    return *(const conn_rec_t *const *)p;
}

static bool named(const conn_rec_t *c)
{
    return c->name_hint && c->name_hint[0];
}

/* The destination: its server name when one was seen, else its address. */
static int cmp_dest(const conn_rec_t *x, const conn_rec_t *y)
{
    if (named(x) != named(y))
        return named(x) ? -1 : 1;
    return named(x) ? strcmp(x->name_hint, y->name_hint) : ipaddr_cmp(&x->resp, &y->resp);
}

static int key_pair(const void *a, const void *b)
{
    int c = ipaddr_cmp(&C(a)->orig, &C(b)->orig);
    return c ? c : cmp_dest(C(a), C(b));
}

static int cmp_time(const void *a, const void *b)
{
    const conn_rec_t *x = C(a), *y = C(b);
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

/* Upload-like connections: the originator sent at least ratio times what it
 * received.  Judging connection by connection keeps one large upload
 * visible when the same pair also carried large downloads. */
static bool upload_like(const conn_rec_t *c, double ratio)
{
    return (double)c->orig_bytes >= ratio * (double)(c->resp_bytes ? c->resp_bytes : 1);
}

static int hour_of(ts_ns_t ts, int tz)
{
    long long s = (long long)(ts / 1000000000) + tz;
    return (int)(((s % 86400) + 86400) % 86400 / 3600);
}

static void visit_pair(void *items, size_t n, void *ctx)
{
    exfil_ctx_t *ex = ctx;
    const conn_rec_t *const *g = items;
    pair_t p = {g, n, 0, NULL, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const conn_rec_t *c = g[i];
        p.sent += c->orig_bytes;
        p.recv += c->resp_bytes;
        if (!upload_like(c, ex->f->th.exfil_min_ratio) || c->orig_bytes == 0)
            continue;
        p.nup++;
        p.up += c->orig_bytes;
        p.up_back += c->resp_bytes;
        if (ex->quiet[hour_of(c->ts, ex->tz)])
            p.quiet_bytes += (double)c->orig_bytes;
        if (!p.big || c->orig_bytes > p.big->orig_bytes)
            p.big = c;
    }
    ex->v[ex->n++] = p;
}

/* Quiet hours: observed long enough, and far below the busiest hour. */
static void quiet_hours(exfil_ctx_t *ex, const conn_rec_t *const *all, size_t n)
{
    double observed[24] = {0}, conns[24] = {0};
    for (size_t i = 0; i < ex->k->n; i++) {
        const capture_result_t *r = ex->k->r[i];
        for (ts_ns_t t = r->first_ts; t < r->last_ts;) {
            ts_ns_t next = (t / 3600000000000LL + 1) * 3600000000000LL;
            ts_ns_t end = next < r->last_ts ? next : r->last_ts;
            observed[hour_of(t, ex->tz)] += (double)(end - t) / 1e9;
            t = end;
        }
    }
    for (size_t i = 0; i < n; i++)
        conns[hour_of(all[i]->ts, ex->tz)]++;
    double top = 0;
    for (int h = 0; h < 24; h++)
        if (observed[h] >= EXFIL_MIN_HOUR_OBSERVED)
            top = fmax(top, conns[h] / observed[h]);
    for (int h = 0; h < 24; h++)
        ex->quiet[h] = observed[h] >= EXFIL_MIN_HOUR_OBSERVED &&
                       conns[h] / observed[h] < EXFIL_QUIET_SHARE * top;
}

/* ---- baselines ---- */

typedef struct baseline {
    double norm;      /* bytes the excess is measured against */
    const char *kind; /* "network", "destination" or "floor" */
    double network, peer_max;
    unsigned peers, population;
} baseline_t;

/* Distinct inside hosts that sent anything to p's destination, and the
 * largest upload one of them (not p's host) made there.  Pairs are sorted by
 * host, so the destination's pairs are found by a scan. */
static void destination_peers(const exfil_ctx_t *ex, const pair_t *p, baseline_t *b)
{
    for (size_t i = 0; i < ex->n; i++) {
        const pair_t *q = &ex->v[i];
        if (cmp_dest(q->g[0], p->g[0]) != 0)
            continue;
        b->peers++;
        if (q != p && !ipaddr_eq(&q->g[0]->orig, &p->g[0]->orig))
            b->peer_max = fmax(b->peer_max, (double)q->up);
    }
}

static baseline_t baseline(const exfil_ctx_t *ex, const pair_t *p, const double *sorted_up,
                           const ipaddr_t *const *up_orig, size_t nup, unsigned population)
{
    baseline_t b = {0, "floor", 0, 0, 0, population};
    destination_peers(ex, p, &b);
    /* the 90th percentile of the other hosts' uploading pairs */
    double *mine = xcalloc(nup ? nup : 1, sizeof *mine);
    size_t m = 0;
    for (size_t i = 0; i < nup; i++)
        if (!ipaddr_eq(up_orig[i], &p->g[0]->orig))
            mine[m++] = sorted_up[i];
    if (m >= EXFIL_MIN_UPLOADERS)
        b.network = stats_quantile(mine, m, EXFIL_NORM_QUANTILE);
    free(mine);
    double floor_bytes = (double)ex->f->th.exfil_min_bytes;
    if (b.network > 0) {
        b.norm = fmax(b.network, b.peer_max);
        b.kind = b.peer_max > b.network ? "destination" : "network";
    } else { /* too few uploads in the case for a norm */
        b.norm = fmax(floor_bytes, b.peer_max);
        b.kind = b.peer_max > floor_bytes ? "destination" : "floor";
    }
    return b;
}

/* ---- the finding ---- */

static char *why(const exfil_ctx_t *ex, const pair_t *p, const baseline_t *b, double excess,
                 double off)
{
    char norm[32], peer[32], fl[32];
    words_bytes((uint64_t)b->norm, norm, sizeof norm);
    words_bytes((uint64_t)b->peer_max, peer, sizeof peer);
    words_bytes(ex->f->th.exfil_min_bytes, fl, sizeof fl);
    char dest[160];
    if (b->population < EXFIL_MIN_POPULATION)
        snprintf(dest, sizeof dest,
                 "the case has too few hosts to tell how common this "
                 "destination is");
    else if (b->peers <= 1)
        snprintf(dest, sizeof dest, "no other of the %u hosts uses this destination",
                 b->population);
    else
        snprintf(dest, sizeof dest,
                 "%u of the %u hosts use this destination, the others "
                 "uploading at most %s there",
                 b->peers, b->population, peer);
    char quiet[96] = "";
    if (off > 0)
        snprintf(quiet, sizeof quiet,
                 "; %.0f%% of it left during hours the network is otherwise "
                 "quiet",
                 100 * off);
    if (!strcmp(b->kind, "floor"))
        return xasprintf("The case has too few uploads for a norm, so the fixed floor applies: "
                         "more than %s went out to one destination with %.0f times less coming "
                         "back%s.",
                         fl, (double)p->up / (double)(p->up_back ? p->up_back : 1), quiet);
    return xasprintf("That is %.0f times the usual large upload %s (%s); %s%s.", excess,
                     !strcmp(b->kind, "destination") ? "to this destination"
                                                     : "of this network's hosts to a "
                                                       "destination few others use",
                     norm, dest, quiet);
}

static void exfil_finding(exfil_ctx_t *ex, const pair_t *p, const baseline_t *b, double excess)
{
    const findings_thresholds_t *th = &ex->f->th;
    const conn_rec_t *c0 = p->g[0], *big = p->big;
    double ratio = (double)p->up / (double)(p->up_back ? p->up_back : 1);
    double balance = (double)p->sent / (double)(p->recv ? p->recv : 1);
    double off = p->up ? p->quiet_bytes / (double)p->up : 0;
    double rarity = b->population >= EXFIL_MIN_POPULATION
                        ? clamp01(1 - (double)(b->peers > 0 ? b->peers - 1 : 0) /
                                          (double)b->population / EXFIL_COMMON_SHARE)
                        : 0.5;
    double e = clamp01(log10(fmax(excess, 1)) / 2), bal = clamp01(log10(fmax(balance, 1)) / 3);
    double score = 100 * (W.excess * e + W.rarity * rarity + W.balance * bal + W.off_hours * off);
    char a[IPADDR_STRLEN], ip[IPADDR_STRLEN], s[32], r[32];
    words_bytes(p->up, s, sizeof s);
    words_bytes(p->up_back, r, sizeof r);
    ipaddr_str(&big->resp, ip);
    const char *name = named(c0) ? c0->name_hint : names_lookup(ex->k->names, &big->resp, big->ts);
    char *dst = name ? xasprintf("%s (%s)", name, ip) : xstrdup(ip);
    char *summary = xasprintf("%s sent %s to external %s in %zu upload connection%s and "
                              "received %s back",
                              ipaddr_str(&c0->orig, a), s, dst, p->nup, p->nup == 1 ? "" : "s", r);
    free(dst);
    bool high = excess >= EXFIL_HIGH_EXCESS || p->up >= (50ull << 20);
    finding_t *x = findings_add(ex->f, "exfiltration", high ? SEV_HIGH : SEV_MEDIUM,
                                finding_round(score), summary);
    finding_why(x, why(ex, p, b, excess, off));
    finding_score(x, "excess", e);
    finding_score(x, "rarity", rarity);
    finding_score(x, "balance", bal);
    finding_score(x, "off_hours", off);
    finding_host(x, &c0->orig);
    finding_host(x, &big->resp);
    x->first = big->ts;
    x->last = big->last_ts;
    finding_evidence(x, big->capture, big->first_frame, big->uid);
    finding_evidence(x, big->capture, big->last_frame, big->uid);
    for (size_t i = 0; i < p->n && x->nev < FINDING_MAX_EVIDENCE; i++) {
        const conn_rec_t *c = p->g[i];
        if (c != big && upload_like(c, th->exfil_min_ratio) && c->orig_bytes > 0) {
            finding_host(x, &c->resp);
            finding_evidence(x, c->capture, c->first_frame, c->uid);
        }
    }
    finding_uint(x, "bytes_sent", p->up);
    finding_uint(x, "bytes_received", p->up_back);
    finding_num(x, "ratio", ratio, 1);
    finding_uint(x, "upload_connections", p->nup);
    finding_uint(x, "pair_connections", p->n);
    finding_str(x, "largest_uid", big->uid);
    finding_uint(x, "largest_bytes", big->orig_bytes);
    finding_str(x, "baseline", b->kind);
    finding_num(x, "baseline_bytes", b->norm, 0);
    finding_num(x, "excess", excess, 1);
    finding_uint(x, "hosts_using_destination", b->peers);
    finding_uint(x, "hosts_in_case", b->population);
    finding_num(x, "off_hours_share", off, 3);
}

static int cmp_pair_dest(const void *a, const void *b)
{
    const pair_t *x = *(pair_t *const *)a, *y = *(pair_t *const *)b;
    return cmp_dest(x->g[0], y->g[0]);
}

/* Every pair's dest_hosts: pairs are one per host and destination, so a
 * destination's pairs are its hosts. */
static void count_dest_hosts(pair_t *v, size_t n)
{
    pair_t **by = xcalloc(n ? n : 1, sizeof *by);
    for (size_t i = 0; i < n; i++)
        by[i] = &v[i];
    group_sort(by, n, sizeof *by, &(grouping_t){cmp_pair_dest, NULL});
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && cmp_pair_dest(&by[i], &by[j]) == 0)
            j++;
        for (size_t m = i; m < j; m++)
            by[m]->dest_hosts = (unsigned)(j - i);
        i = j;
    }
    free(by);
}

/* A destination few of the case's hosts use (at most EXFIL_RARE_MAX_HOSTS);
 * with too few hosts to tell, every destination counts as rare. */
static bool rare_destination(const pair_t *p, unsigned population)
{
    return population < EXFIL_MIN_POPULATION || p->dest_hosts <= EXFIL_RARE_MAX_HOSTS;
}

static int cmp_up(const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    return x->up < y->up ? -1 : x->up > y->up;
}

void detect_exfil(const case_t *k, findings_t *f)
{
    size_t total;
    const conn_rec_t **all = case_conns(k, &total);
    const conn_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        const conn_rec_t *c = all[i];
        if ((c->proto == 6 || c->proto == 17) && ipaddr_is_private(&c->orig) &&
            !ipaddr_is_private(&c->resp))
            v[n++] = c;
    }
    exfil_ctx_t ex = {k, f, xcalloc(n ? n : 1, sizeof(pair_t)), 0, {0}, 0};
    ex.tz = k->opts ? k->opts->tz_offset_sec : 0;
    quiet_hours(&ex, all, total);
    group_by(v, n, sizeof *v, &(grouping_t){key_pair, cmp_time}, visit_pair, &ex);
    /* the population, and the uploading pairs sorted by size for the norm */
    unsigned population = 0;
    for (size_t i = 0; i < ex.n; i++)
        population += i == 0 || !ipaddr_eq(&ex.v[i].g[0]->orig, &ex.v[i - 1].g[0]->orig);
    count_dest_hosts(ex.v, ex.n);
    /* the norm is what hosts upload to destinations few others use: the
     * backup service or webmail everyone uses is judged by its own peers */
    pair_t *ups = xcalloc(ex.n ? ex.n : 1, sizeof *ups);
    size_t nup = 0;
    for (size_t i = 0; i < ex.n; i++)
        if (ex.v[i].up >= EXFIL_UPLOADER_MIN_BYTES && rare_destination(&ex.v[i], population))
            ups[nup++] = ex.v[i];
    xqsort(ups, nup, sizeof *ups, cmp_up);
    double *sorted = xcalloc(nup ? nup : 1, sizeof *sorted);
    const ipaddr_t **origs = xcalloc(nup ? nup : 1, sizeof *origs);
    for (size_t i = 0; i < nup; i++)
        sorted[i] = (double)ups[i].up, origs[i] = &ups[i].g[0]->orig;
    for (size_t i = 0; i < ex.n; i++) {
        const pair_t *p = &ex.v[i];
        if (!p->big || p->up < f->th.exfil_min_bytes)
            continue;
        if ((double)p->up < f->th.exfil_min_ratio * (double)(p->up_back ? p->up_back : 1))
            continue;
        baseline_t b = baseline(&ex, p, sorted, origs, nup, population);
        double excess = (double)p->up / fmax(b.norm, 1);
        bool fire = !strcmp(b.kind, "floor") ? excess >= 1 : excess >= f->th.exfil_min_excess;
        if (fire)
            exfil_finding(&ex, p, &b, excess);
    }
    free(sorted);
    free(origs);
    free(ups);
    free(ex.v);
    free(v);
    free(all);
}
