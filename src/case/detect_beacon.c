/* detect_beacon.c — beaconing: one host contacting one destination at a
 * steady rhythm, as implants poll their command server.
 *
 * A series is one originator's connections to one destination and port,
 * keyed twice: by server name (TLS SNI or HTTP Host), which tells apart
 * several beacons behind one CDN address, and by address, for traffic that
 * names no server.  Each series is scored in the manner of RITA's published
 * method: regularity of the intervals (Bowley skew and median absolute
 * deviation), regularity of the sizes, beats seen against beats expected,
 * how much of the observation it lasts, and how even its rhythm is across
 * the observation (a histogram, which keeps sleep/active schedules
 * scoring).  Then the baseline: a destination many hosts contact (an update
 * server, a mail server) and known periodic services (NTP, OS update and
 * telemetry) are scored down, not hidden.  docs/findings.md has the
 * formula and the benchmark behind the weights. */
#include "case/findings.h"

#include "case/group.h"
#include "case/names.h"
#include "case/peers.h"
#include "case/stats.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Intervals shorter than this are bursts (a page loading), not a rhythm. */
#define BEACON_MIN_PERIOD_S 1.0
/* An interval within this share of k periods (k = 2..FOLD_MAX) is k beats
 * with the ones between missed (lost, or the implant was busy). */
#define BEACON_FOLD_TOLERANCE 0.2
#define BEACON_FOLD_MAX 10
/* Room for folded intervals, in intervals per connection: a series whose
 * folding would add more than this (mostly missed beats) is cut there, which
 * keeps memory linear in the series. */
#define BEACON_FOLD_ROOM 3
/* An interval longer than this many periods is a sleep between two active
 * spells of a scheduled beacon: not part of the rhythm. */
#define BEACON_SLEEP_PERIODS 10.5
/* Relative MAD at which interval or size regularity scores 0: jitter of
 * ±50 % spread evenly has a relative MAD of 0.25 and still scores 0.5. */
#define BEACON_MAD_SCALE 0.5
/* An interval within this share of the period is "on the beat": jitter of up
 * to 50 % keeps every interval there, random gaps keep about a third. */
#define BEACON_BEAT_TOLERANCE 0.5
/* Histogram bins: the observation in this many, but at least this many
 * periods wide so a bin holds a few beats. */
#define BEACON_HIST_BINS 24
#define BEACON_HIST_MIN_PERIODS 4
/* Below this many originators in the case, "how many others contact it"
 * says nothing and the rarity modifier stays neutral. */
#define BEACON_MIN_POPULATION 10
/* A destination contacted by this share of the hosts is fully "common". */
#define BEACON_COMMON_SHARE 0.1
/* Multiplier for a known periodic service (still reported above the
 * threshold: a lowered threshold or a very strong series shows it). */
#define BEACON_KNOWN_FACTOR 0.6
/* Beats kept in the finding for the chart and for checking by hand. */
#define BEACON_MAX_INTERVALS 5000

/* Weights of the periodicity score (they add up to 1). */
static const struct {
    double skew, spread, on_beat, size, coverage, presence, histogram;
} W = {0.10, 0.15, 0.20, 0.15, 0.10, 0.15, 0.15};

/* Ports whose traffic is local infrastructure, periodic by design and never
 * a beacon to an outside controller: DNS (its tunnels are detect_dns.c's),
 * DHCP, NetBIOS, mDNS, LLMNR, SSDP. */
static const uint16_t INFRA_PORTS[] = {53, 67, 68, 137, 138, 5353, 5355, 1900};

/* Known periodic services: time, OS and browser updates, telemetry and
 * connectivity checks.  A series to one of them is scored down. */
static const uint16_t KNOWN_PORTS[] = {123 /* NTP */};
static const char *const KNOWN_NAME_SUFFIXES[] = {
    "windowsupdate.com",
    "update.microsoft.com",
    "delivery.mp.microsoft.com",
    "data.microsoft.com",
    "time.windows.com",
    "msftconnecttest.com",
    "msftncsi.com",
    "ubuntu.com",
    "snapcraft.io",
    "debian.org",
    "fedoraproject.org",
    "apple.com",
    "icloud.com",
    "push.apple.com",
    "update.googleapis.com",
    "gvt1.com",
    "clients2.google.com",
    "connectivitycheck.gstatic.com",
    "mozilla.org",
    "mozilla.com",
    "mozilla.net",
    "ntp.org",
    "digicert.com",
    "letsencrypt.org",
    "pki.goog",
    "lencr.org",
};

typedef struct bref {
    const conn_rec_t *c;
    uint32_t idx; /* position in the case's connection list: the fired mark */
} bref_t;

typedef struct beacon_ctx {
    const case_t *k;
    findings_t *f;
    const peers_t *peers;
    bool by_name;
    bool *fired;
    double window; /* observed seconds */
} beacon_ctx_t;

/* What a series scored and why. */
typedef struct series_score {
    size_t n, gaps;
    double period, mad, span, size_median;
    double skew, spread, on_beat, size, coverage, presence, histogram;
    double rarity;
    unsigned peers, population;
    const char *known; /* the known service, or NULL */
    double score;      /* 0..100 */
} series_score_t;

static bool in_ports(const uint16_t *v, size_t n, uint16_t p)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == p)
            return true;
    return false;
}

static const char *known_service(const conn_rec_t *c)
{
    if (in_ports(KNOWN_PORTS, sizeof KNOWN_PORTS / sizeof *KNOWN_PORTS, c->resp_p))
        return "NTP";
    const char *n = c->name_hint;
    if (!n)
        return NULL;
    size_t ln = strlen(n);
    for (size_t i = 0; i < sizeof KNOWN_NAME_SUFFIXES / sizeof *KNOWN_NAME_SUFFIXES; i++) {
        const char *s = KNOWN_NAME_SUFFIXES[i];
        size_t ls = strlen(s);
        if (ln >= ls && strcmp(n + ln - ls, s) == 0 && (ln == ls || n[ln - ls - 1] == '.'))
            return s;
    }
    return NULL;
}

/* ---- grouping ---- */

static int cmp_time(const void *a, const void *b)
{
    const conn_rec_t *x = ((const bref_t *)a)->c, *y = ((const bref_t *)b)->c;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

static int cmp_tail(const conn_rec_t *x, const conn_rec_t *y)
{
    if (x->resp_p != y->resp_p)
        return x->resp_p < y->resp_p ? -1 : 1;
    return x->proto < y->proto ? -1 : x->proto > y->proto;
}

static int cmp_by_addr(const void *a, const void *b)
{
    const conn_rec_t *x = ((const bref_t *)a)->c, *y = ((const bref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c || (c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    return cmp_tail(x, y);
}

static int cmp_by_name(const void *a, const void *b)
{
    const conn_rec_t *x = ((const bref_t *)a)->c, *y = ((const bref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c || (c = strcmp(x->name_hint, y->name_hint)))
        return c;
    return cmp_tail(x, y);
}

/* ---- scoring ---- */

/* Intervals with missed beats folded back and sleep gaps taken out; returns
 * how many went to out, counts the gaps and their total length. */
static size_t rhythm(const double *d, size_t n, double period, double *out, size_t cap,
                     size_t *gaps, double *gap_time)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double k = floor(d[i] / period + 0.5);
        if (d[i] > BEACON_SLEEP_PERIODS * period) {
            (*gaps)++;
            *gap_time += d[i];
        } else if (k >= 2 && k <= BEACON_FOLD_MAX &&
                   fabs(d[i] - k * period) <= BEACON_FOLD_TOLERANCE * period) {
            for (int j = 0; j < (int)k && m < cap; j++)
                out[m++] = d[i] / k;
        } else if (m < cap) {
            out[m++] = d[i];
        }
    }
    return m;
}

/* Share of non-empty histogram bins whose count is the usual one (within one
 * beat or a quarter of the median): an even rhythm across the observation.
 * Time is counted on the series' active clock (sleep gaps cut out), so a
 * beacon that sleeps between active spells is judged on its spells. */
static double histogram_score(const bref_t *s, size_t n, double period, double window,
                              double active)
{
    double width = fmax(fmin(window, active) / BEACON_HIST_BINS, BEACON_HIST_MIN_PERIODS * period);
    size_t nb = (size_t)(active / width) + 1;
    double *cnt = xcalloc(nb, sizeof *cnt);
    double at = 0; /* active seconds since the first connection */
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            double d = (double)(s[i].c->ts - s[i - 1].c->ts) / 1e9;
            at += d > BEACON_SLEEP_PERIODS * period ? period : d;
        }
        size_t b = (size_t)(at / width);
        cnt[b < nb ? b : nb - 1]++;
    }
    size_t m = 0;
    for (size_t b = 0; b < nb; b++)
        if (cnt[b] > 0)
            cnt[m++] = cnt[b];
    stats_sort(cnt, m);
    double med = stats_quantile(cnt, m, 0.5), usual = 0;
    for (size_t b = 0; b < m; b++)
        usual += fabs(cnt[b] - med) <= fmax(1, 0.25 * med);
    free(cnt);
    return m ? usual / (double)m : 0;
}

static double regularity(const stats_shape_t *sh)
{
    return sh->median > 0 ? clamp01(1 - (sh->mad / sh->median) / BEACON_MAD_SCALE) : 1.0;
}

/* Scores a series in time order; false when it has no rhythm to score. */
static bool score_series(const beacon_ctx_t *bx, const bref_t *s, size_t n, double *iv,
                         series_score_t *r)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    double *d = iv + n * BEACON_FOLD_ROOM; /* raw intervals, after the folded ones' room */
    for (size_t i = 0; i + 1 < n; i++)
        d[i] = (double)(s[i + 1].c->ts - s[i].c->ts) / 1e9;
    stats_shape_t raw = stats_shape(d, n - 1);
    if (raw.median < BEACON_MIN_PERIOD_S)
        return false;
    double gap_time = 0;
    size_t m = rhythm(d, n - 1, raw.median, iv, n * BEACON_FOLD_ROOM, &r->gaps, &gap_time);
    if (m < 2)
        return false;
    stats_shape_t sh = stats_shape(iv, m);
    r->period = sh.median;
    r->mad = sh.mad;
    r->skew = clamp01(1 - fabs(sh.skew));
    r->spread = regularity(&sh);
    size_t hits = 0;
    for (size_t i = 0; i < m; i++)
        hits += fabs(iv[i] - r->period) <= BEACON_BEAT_TOLERANCE * r->period;
    r->on_beat = (double)hits / (double)m;
    double *sz = d;
    for (size_t i = 0; i < n; i++)
        sz[i] = (double)(s[i].c->orig_bytes + s[i].c->resp_bytes);
    stats_shape_t ssh = stats_shape(sz, n);
    r->size_median = ssh.median;
    r->size = (clamp01(1 - fabs(ssh.skew)) + regularity(&ssh)) / 2;
    r->span = (double)(s[n - 1].c->ts - s[0].c->ts) / 1e9;
    double active = fmax(r->span - gap_time, 0);
    r->coverage = clamp01((double)n / (active / r->period + 1));
    /* presence: the observed part of the series' span against the whole observation (time
     * between two captures is not time the beacon was seen to keep its rhythm) */
    double seen = case_observed_between(bx->k, s[0].c->ts, s[n - 1].c->ts);
    r->presence = bx->window > 0 ? clamp01(seen / bx->window) : 1;
    r->histogram =
        histogram_score(s, n, r->period, fmax(bx->window, r->span), active + r->gaps * r->period);
    double periodicity = W.skew * r->skew + W.spread * r->spread + W.on_beat * r->on_beat +
                         W.size * r->size + W.coverage * r->coverage + W.presence * r->presence +
                         W.histogram * r->histogram;
    const conn_rec_t *c0 = s[0].c;
    r->population = peers_population(bx->peers);
    r->peers =
        bx->by_name ? peers_by_name(bx->peers, c0->name_hint) : peers_by_addr(bx->peers, &c0->resp);
    r->rarity = 1;
    if (r->population >= BEACON_MIN_POPULATION && r->peers > 1)
        r->rarity =
            clamp01(1 - (double)(r->peers - 1) / (double)r->population / BEACON_COMMON_SHARE);
    double factor = 0.5 + 0.5 * r->rarity;
    r->known = known_service(c0);
    if (r->known)
        factor *= BEACON_KNOWN_FACTOR;
    r->score = 100 * periodicity * factor;
    return true;
}

/* ---- the finding ---- */

static char *destination(const beacon_ctx_t *bx, const conn_rec_t *c)
{
    char ip[IPADDR_STRLEN];
    ipaddr_str(&c->resp, ip);
    const char *name = bx->by_name ? c->name_hint : names_lookup(bx->k->names, &c->resp, c->ts);
    if (!name && c->name_hint)
        name = c->name_hint;
    return name ? xasprintf("%s (%s) port %u", name, ip, c->resp_p)
                : xasprintf("%s port %u", ip, c->resp_p);
}

static char *why(const series_score_t *r)
{
    char base[160];
    if (r->known)
        snprintf(base, sizeof base, "it is a known periodic service (%s), so it was scored down",
                 r->known);
    else if (r->population < BEACON_MIN_POPULATION)
        snprintf(base, sizeof base,
                 "the case has too few hosts to tell whether others do the same");
    else if (r->peers <= 1)
        snprintf(base, sizeof base, "no other of the %u hosts contacts this destination",
                 r->population);
    else
        snprintf(base, sizeof base, "%u of the %u hosts contact this destination too%s", r->peers,
                 r->population, r->rarity < 1 ? ", so it was scored down" : "");
    return xasprintf("The time between connections barely varies (spread score %.2f, skew score "
                     "%.2f), their sizes %s (%.2f), %.0f%% of the expected beats were seen and the "
                     "rhythm lasted %.0f%% of the observation; %s.",
                     r->spread, r->skew, r->size >= 0.8 ? "repeat" : "vary", r->size,
                     100 * r->coverage, 100 * r->presence, base);
}

static void beacon_finding(beacon_ctx_t *bx, const bref_t *s, const series_score_t *r,
                           const double *d)
{
    const conn_rec_t *c0 = s[0].c;
    size_t n = r->n;
    char a[IPADDR_STRLEN], per[32], jit[32], span[32], sz[32];
    words_duration(r->period, per, sizeof per);
    if (r->mad < 1)
        snprintf(jit, sizeof jit, "%.1f s", r->mad);
    else
        words_duration(r->mad, jit, sizeof jit);
    words_duration(r->span, span, sizeof span);
    words_bytes((uint64_t)r->size_median, sz, sizeof sz);
    char *dst = destination(bx, c0);
    char spells[48] = "";
    if (r->gaps)
        snprintf(spells, sizeof spells, " in %zu active spells", r->gaps + 1);
    char *summary = xasprintf("%s contacted %s every %s (±%s) for %s%s: %zu connections of %s "
                              "(about %s)",
                              ipaddr_str(&c0->orig, a), dst, per, jit, span, spells, n,
                              r->size >= 0.8 ? "near-identical size" : "varying size", sz);
    free(dst);
    int sev = r->score >= 90 ? SEV_HIGH : r->score >= 80 ? SEV_MEDIUM : SEV_LOW;
    finding_t *x = findings_add(bx->f, "beaconing", sev, finding_round(r->score), summary);
    finding_why(x, why(r));
    finding_score(x, "interval_skew", r->skew);
    finding_score(x, "interval_spread", r->spread);
    finding_score(x, "on_beat", r->on_beat);
    finding_score(x, "size", r->size);
    finding_score(x, "coverage", r->coverage);
    finding_score(x, "presence", r->presence);
    finding_score(x, "histogram", r->histogram);
    finding_score(x, "rarity", r->rarity);
    finding_score(x, "known_service", r->known ? 1 : 0);
    finding_host(x, &c0->orig);
    for (size_t i = 0; i < n; i++)
        finding_host(x, &s[i].c->resp);
    x->first = c0->ts;
    x->last = s[n - 1].c->ts;
    for (size_t i = 0; i < n && i < FINDING_MAX_EVIDENCE; i++)
        finding_evidence(x, s[i].c->capture, s[i].c->first_frame, s[i].c->uid);
    finding_str(x, "key", bx->by_name ? "server_name" : "address");
    if (bx->by_name)
        finding_str(x, "server_name", c0->name_hint);
    finding_num(x, "period", r->period, 3);
    finding_num(x, "jitter_mad", r->mad, 3);
    finding_uint(x, "connections", n);
    finding_num(x, "span", r->span, 3);
    finding_uint(x, "sleep_gaps", r->gaps);
    finding_num(x, "size_median", r->size_median, 0);
    finding_uint(x, "hosts_contacting", r->peers);
    finding_uint(x, "hosts_in_case", r->population);
    if (r->known)
        finding_str(x, "known_service", r->known);
    finding_uint(x, "resp_p", c0->resp_p);
    finding_nums(x, "intervals", d, n - 1 < BEACON_MAX_INTERVALS ? n - 1 : BEACON_MAX_INTERVALS, 3);
}

static void visit_series(void *items, size_t n, void *ctx)
{
    beacon_ctx_t *bx = ctx;
    bref_t *s = items;
    if (n < bx->f->th.beacon_min_conns || n < 3)
        return;
    if (!bx->by_name) { /* already reported under its server name? */
        size_t done = 0;
        for (size_t i = 0; i < n; i++)
            done += bx->fired[s[i].idx];
        if (done * 2 >= n)
            return;
    }
    double *buf = xcalloc(n * (BEACON_FOLD_ROOM + 1) + 1, sizeof *buf);
    series_score_t r;
    if (score_series(bx, s, n, buf, &r) && r.score >= bx->f->th.beacon_min_score) {
        double *d = buf; /* raw intervals again, in time order, for the chart */
        for (size_t i = 0; i + 1 < n; i++)
            d[i] = (double)(s[i + 1].c->ts - s[i].c->ts) / 1e9;
        beacon_finding(bx, s, &r, d);
        for (size_t i = 0; i < n; i++)
            bx->fired[s[i].idx] = true;
    }
    free(buf);
}

/* A connection that carried logins, by capture and uid. */
typedef struct login_conn {
    uint32_t capture;
    const char *uid;
    bool refused, accepted;
} login_conn_t;

static int cmp_login_conn(const void *a, const void *b)
{
    const login_conn_t *x = a, *y = b;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

/* The connections whose logins were all refused, sorted (cmp_login_conn):
 * password guessing (detect_guess.c reports it), at a script's pace rather
 * than an implant's — Zeek's ftp/bruteforce.pcap, 30 logins 2 s apart,
 * scored 85.5 as a beacon. */
static login_conn_t *refused_only(const case_t *k, size_t *nout)
{
    size_t total, n = 0;
    const cred_rec_t **creds = case_creds(k, &total);
    login_conn_t *v = xcalloc(total ? total : 1, sizeof *v);
    for (size_t i = 0; i < total; i++)
        v[n++] =
            (login_conn_t){creds[i]->capture, creds[i]->uid, creds[i]->outcome == LOGIN_REJECTED,
                           creds[i]->outcome == LOGIN_ACCEPTED};
    free(creds);
    xqsort(v, n, sizeof *v, cmp_login_conn);
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        login_conn_t one = v[i];
        for (i++; i < n && cmp_login_conn(&v[i], &one) == 0; i++)
            one.refused |= v[i].refused, one.accepted |= v[i].accepted;
        if (one.refused && !one.accepted)
            v[m++] = one;
    }
    *nout = m;
    return v;
}

void detect_beacons(const case_t *k, findings_t *f)
{
    size_t nrefused;
    login_conn_t *refused = refused_only(k, &nrefused);
    size_t total;
    const conn_rec_t **all = case_conns(k, &total);
    bref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        const conn_rec_t *c = all[i];
        login_conn_t key = {c->capture, c->uid, false, false};
        if ((c->proto == 6 || c->proto == 17) &&
            !in_ports(INFRA_PORTS, sizeof INFRA_PORTS / sizeof *INFRA_PORTS, c->resp_p) &&
            !bsearch(&key, refused, nrefused, sizeof *refused, cmp_login_conn))
            v[n++] = (bref_t){c, (uint32_t)i};
    }
    peers_t *peers = peers_build(all, total);
    beacon_ctx_t bx = {
        k, f, peers, true, xcalloc(total ? total : 1, sizeof(bool)), case_observed_seconds(k)};
    size_t m = 0;
    bref_t *named = xcalloc(n ? n : 1, sizeof *named);
    for (size_t i = 0; i < n; i++)
        if (v[i].c->name_hint && v[i].c->name_hint[0])
            named[m++] = v[i];
    group_by(named, m, sizeof *named, &(grouping_t){cmp_by_name, cmp_time}, visit_series, &bx);
    bx.by_name = false;
    group_by(v, n, sizeof *v, &(grouping_t){cmp_by_addr, cmp_time}, visit_series, &bx);
    free(named);
    free(bx.fired);
    peers_free(peers);
    free(v);
    free(all);
    free(refused);
}
