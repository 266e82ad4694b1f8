/* detect_conn.c — findings from connections alone: beaconing, port scans,
 * exfiltration.  Scoring and thresholds are explained in docs/findings.md. */
#include "case/findings.h"

#include "case/names.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cref {
    const conn_rec_t *c;
} cref_t;

/* All connections of the case as one array of pointers. */
static cref_t *all_conns(const case_t *k, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nconns;
    cref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t j = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t c = 0; c < k->r[i]->nconns; c++)
            v[j++].c = capture_conn(k->r[i], c);
    *n = total;
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile of a sorted array (linear interpolation). */
static double quantile(const double *s, size_t n, double q)
{
    if (n == 0)
        return 0;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? s[i] * (1 - f) + s[i + 1] * f : s[i];
}

static double median_abs_dev(const double *v, size_t n, double med, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - med);
    xqsort(scratch, n, sizeof *scratch, cmp_double);
    return quantile(scratch, n, 0.5);
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static const char *name_of(const case_t *k, const ipaddr_t *ip, ts_ns_t ts, char *buf)
{
    const char *n = names_lookup(k->names, ip, ts);
    return n ? n : ipaddr_str(ip, buf);
}

/* ---- beaconing ---- */

static int cmp_series(const void *a, const void *b)
{
    const conn_rec_t *x = ((const cref_t *)a)->c, *y = ((const cref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c)
        return c;
    if ((c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    if (x->resp_p != y->resp_p)
        return x->resp_p < y->resp_p ? -1 : 1;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

static bool same_series(const conn_rec_t *a, const conn_rec_t *b)
{
    return ipaddr_eq(&a->orig, &b->orig) && ipaddr_eq(&a->resp, &b->resp) &&
           a->resp_p == b->resp_p && a->proto == b->proto;
}

/* Infrastructure chatter that is periodic by design (DNS, NTP, DHCP,
 * NetBIOS, mDNS/LLMNR) is not scored as beaconing. */
static bool infrastructure_port(uint16_t p)
{
    return p == 53 || p == 123 || p == 67 || p == 68 || p == 137 || p == 138 || p == 5353 ||
           p == 5355 || p == 1900;
}

/* Interval list with missed beats folded back (an interval of ~k periods
 * counts as k intervals of one period), so a few lost beacons do not ruin
 * the regularity score. */
static size_t fold_missed(const double *d, size_t n, double period, double *out, size_t cap)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double k = floor(d[i] / period + 0.5);
        if (k >= 2 && k <= 10 && fabs(d[i] - k * period) <= 0.2 * period) {
            for (int j = 0; j < (int)k && m < cap; j++)
                out[m++] = d[i] / k;
        } else if (m < cap) {
            out[m++] = d[i];
        }
    }
    return m;
}

static void beacon_series(const case_t *k, findings_t *f, const cref_t *s, size_t n)
{
    if (n < f->th.beacon_min_conns || infrastructure_port(s[0].c->resp_p))
        return;
    double *d = xcalloc(n * 11, sizeof *d), *iv = d + n, *scratch = d + n * 6;
    for (size_t i = 0; i + 1 < n; i++)
        d[i] = (double)(s[i + 1].c->ts - s[i].c->ts) / 1e9;
    double *sorted = scratch;
    memcpy(sorted, d, (n - 1) * sizeof *d);
    xqsort(sorted, n - 1, sizeof *d, cmp_double);
    double period = quantile(sorted, n - 1, 0.5);
    if (period < 1.0) { /* bursts, not a rhythm */
        free(d);
        return;
    }
    size_t m = fold_missed(d, n - 1, period, iv, n * 5);
    memcpy(sorted, iv, m * sizeof *iv);
    xqsort(sorted, m, sizeof *iv, cmp_double);
    double q1 = quantile(sorted, m, 0.25), q2 = quantile(sorted, m, 0.5),
           q3 = quantile(sorted, m, 0.75);
    double skew = q3 > q1 ? (q1 + q3 - 2 * q2) / (q3 - q1) : 0;
    double mad = median_abs_dev(iv, m, q2, scratch + n * 2);
    double ts_score = (clamp01(1 - fabs(skew)) + clamp01(1 - (mad / q2) / 0.5)) / 2;
    /* size regularity: bytes per connection */
    double *sz = scratch + n * 2;
    for (size_t i = 0; i < n; i++)
        sz[i] = (double)(s[i].c->orig_bytes + s[i].c->resp_bytes);
    xqsort(sz, n, sizeof *sz, cmp_double);
    double smed = quantile(sz, n, 0.5);
    double smad = median_abs_dev(sz, n, smed, scratch + n * 3);
    double ds_score = smed > 0 ? clamp01(1 - (smad / smed) / 0.5) : 1.0;
    double span = (double)(s[n - 1].c->ts - s[0].c->ts) / 1e9;
    double coverage = clamp01((double)n / (span / q2 + 1));
    double score = 100 * (0.5 * ts_score + 0.2 * ds_score + 0.3 * coverage);
    if (score < f->th.beacon_min_score) {
        free(d);
        return;
    }
    const conn_rec_t *c0 = s[0].c;
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
    const char *dst = name_of(k, &c0->resp, c0->ts, b);
    if (!names_lookup(k->names, &c0->resp, c0->ts) && c0->name_hint)
        dst = c0->name_hint;
    char *summary = xasprintf("%s connected to %s port %u %zu times, every %.1f s (±%.1f s) "
                              "over %.0f s",
                              ipaddr_str(&c0->orig, a), dst, c0->resp_p, n, q2, mad, span);
    int sev = score >= 90 ? 3 : score >= 80 ? 2 : 1;
    finding_t *x = findings_add(f, "beaconing", sev, floor(score * 10 + 0.5) / 10, summary);
    finding_host(x, &c0->orig);
    finding_host(x, &c0->resp);
    x->first = c0->ts;
    x->last = s[n - 1].c->ts;
    for (size_t i = 0; i < n && i < FINDING_MAX_EVIDENCE; i++)
        finding_evidence(x, s[i].c->capture, s[i].c->first_frame, s[i].c->uid);
    buf_t det = BUF_INIT;
    buf_printf(&det,
               "{\"period\":%.3f,\"jitter_mad\":%.3f,\"connections\":%zu,\"span\":%.3f,"
               "\"interval_skew\":%.3f,\"ts_score\":%.3f,\"size_score\":%.3f,\"coverage\":%.3f,"
               "\"resp_p\":%u,\"intervals\":[",
               q2, mad, n, span, skew, ts_score, ds_score, coverage, c0->resp_p);
    for (size_t i = 0; i + 1 < n && i < 5000; i++)
        buf_printf(&det, "%s%.3f", i ? "," : "", d[i]);
    buf_append_str(&det, "]}");
    x->details = buf_steal(&det);
    free(d);
}

void detect_beacons(const case_t *k, findings_t *f)
{
    size_t n;
    cref_t *v = all_conns(k, &n);
    xqsort(v, n, sizeof *v, cmp_series);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_series(v[i].c, v[j].c))
            j++;
        if (v[i].c->proto == 6 || v[i].c->proto == 17)
            beacon_series(k, f, v + i, j - i);
        i = j;
    }
    free(v);
}

/* ---- port scans ---- */

/* The target did not accept: no answer, refused, or reset before data. */
static bool failed_attempt(const conn_rec_t *c)
{
    static const char *const fail[] = {"S0", "REJ", "RSTOS0", "RSTR", "SH", "OTH"};
    const char *s = conn_rec_state(c);
    for (size_t i = 0; i < sizeof fail / sizeof fail[0]; i++)
        if (strcmp(s, fail[i]) == 0)
            return c->orig_bytes == 0;
    return false;
}

static int cmp_vertical(const void *a, const void *b)
{
    const conn_rec_t *x = ((const cref_t *)a)->c, *y = ((const cref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c)
        return c;
    if ((c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    if (x->proto != y->proto)
        return x->proto - y->proto;
    if (x->resp_p != y->resp_p)
        return x->resp_p - y->resp_p;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_horizontal(const void *a, const void *b)
{
    const conn_rec_t *x = ((const cref_t *)a)->c, *y = ((const cref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c)
        return c;
    if (x->proto != y->proto)
        return x->proto - y->proto;
    if (x->resp_p != y->resp_p)
        return x->resp_p - y->resp_p;
    if ((c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void scan_group(const case_t *k, findings_t *f, const cref_t *g, size_t n, bool vertical)
{
    /* distinct targets (ports or hosts), answered by RST, open ones */
    size_t distinct = 0, failed = 0, rst = 0, open = 0;
    ts_ns_t first = g[0].c->ts, last = g[0].c->ts;
    buf_t opens = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const conn_rec_t *c = g[i].c;
        bool new_target = i == 0 || (vertical ? c->resp_p != g[i - 1].c->resp_p
                                              : !ipaddr_eq(&c->resp, &g[i - 1].c->resp));
        if (c->ts < first)
            first = c->ts;
        if (c->ts > last)
            last = c->ts;
        if (!new_target)
            continue;
        distinct++;
        if (failed_attempt(c)) {
            failed++;
            if (strcmp(conn_rec_state(c), "REJ") == 0)
                rst++;
        } else if (open < 20) {
            char ip[IPADDR_STRLEN];
            if (vertical)
                buf_printf(&opens, "%s%u", open ? "," : "", c->resp_p);
            else
                buf_printf(&opens, "%s\"%s\"", open ? "," : "", ipaddr_str(&c->resp, ip));
            open++;
        } else {
            open++;
        }
    }
    unsigned min = vertical ? f->th.scan_min_ports : f->th.scan_min_hosts;
    if (distinct < min || failed * 2 < distinct) {
        buf_free(&opens);
        return;
    }
    const conn_rec_t *c0 = g[0].c;
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
    const char *proto = c0->proto == 6 ? "TCP" : c0->proto == 17 ? "UDP" : "IP";
    double dur = (double)(last - first) / 1e9;
    double rst_share = distinct ? (double)rst / (double)distinct : 0;
    char *summary =
        vertical ? xasprintf("%s probed %zu %s ports on %s in %.1f s; %.0f%% refused with RST, "
                             "%zu accepted",
                             ipaddr_str(&c0->orig, a), distinct, proto, ipaddr_str(&c0->resp, b),
                             dur, 100 * rst_share, open)
                 : xasprintf("%s probed %s port %u on %zu hosts in %.1f s; %.0f%% refused with "
                             "RST, %zu accepted",
                             ipaddr_str(&c0->orig, a), proto, c0->resp_p, distinct, dur,
                             100 * rst_share, open);
    double score = fmin(100, 60 + 40 * log10((double)distinct / min + 1));
    finding_t *x =
        findings_add(f, vertical ? "port_scan" : "host_sweep", distinct >= 10 * (size_t)min ? 3 : 2,
                     floor(score * 10 + .5) / 10, summary);
    finding_host(x, &c0->orig);
    if (vertical)
        finding_host(x, &c0->resp);
    x->first = first;
    x->last = last;
    for (size_t i = 0; i < n && x->nev < FINDING_MAX_EVIDENCE; i += 1 + n / FINDING_MAX_EVIDENCE)
        finding_evidence(x, g[i].c->capture, g[i].c->first_frame, g[i].c->uid);
    x->details = xasprintf("{\"kind\":\"%s\",\"proto\":\"%s\",\"targets\":%zu,\"failed\":%zu,"
                           "\"refused_rst\":%zu,\"rst_share\":%.3f,\"accepted\":%zu,"
                           "\"accepted_list\":[%s],\"duration\":%.3f}",
                           vertical ? "vertical" : "horizontal", proto, distinct, failed, rst,
                           rst_share, open, buf_cstr(&opens), dur);
    buf_free(&opens);
}

static void scans(const case_t *k, findings_t *f, cref_t *v, size_t n, bool vertical)
{
    xqsort(v, n, sizeof *v, vertical ? cmp_vertical : cmp_horizontal);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (
            j < n && ipaddr_eq(&v[i].c->orig, &v[j].c->orig) && v[i].c->proto == v[j].c->proto &&
            (vertical ? ipaddr_eq(&v[i].c->resp, &v[j].c->resp) : v[i].c->resp_p == v[j].c->resp_p))
            j++;
        if (v[i].c->proto == 6 || v[i].c->proto == 17)
            scan_group(k, f, v + i, j - i, vertical);
        i = j;
    }
}

void detect_scans(const case_t *k, findings_t *f)
{
    size_t n;
    cref_t *v = all_conns(k, &n);
    scans(k, f, v, n, true);
    scans(k, f, v, n, false);
    free(v);
}

/* ---- exfiltration ---- */

static int cmp_pair(const void *a, const void *b)
{
    const conn_rec_t *x = ((const cref_t *)a)->c, *y = ((const cref_t *)b)->c;
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c)
        return c;
    if ((c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void human_bytes(uint64_t b, char *out, size_t len)
{
    if (b >= 1000000000)
        snprintf(out, len, "%.1f GB", (double)b / 1e9);
    else if (b >= 1000000)
        snprintf(out, len, "%.1f MB", (double)b / 1e6);
    else if (b >= 1000)
        snprintf(out, len, "%.1f kB", (double)b / 1e3);
    else
        snprintf(out, len, "%llu B", (unsigned long long)b);
}

/* Upload-like connections: the originator sent at least ratio times what it
 * received.  Judging connection by connection keeps one large upload visible
 * when the same pair also carried large downloads. */
static bool upload_like(const conn_rec_t *c, double ratio)
{
    return (double)c->orig_bytes >= ratio * (double)(c->resp_bytes ? c->resp_bytes : 1);
}

static void exfil_pair(const case_t *k, findings_t *f, const cref_t *g, size_t n)
{
    const conn_rec_t *c0 = g[0].c;
    if (!ipaddr_is_private(&c0->orig) || ipaddr_is_private(&c0->resp))
        return;
    uint64_t sent = 0, recv = 0;
    size_t biggest = SIZE_MAX, nup = 0;
    for (size_t i = 0; i < n; i++) {
        if (!upload_like(g[i].c, f->th.exfil_min_ratio))
            continue;
        nup++;
        sent += g[i].c->orig_bytes;
        recv += g[i].c->resp_bytes;
        if (biggest == SIZE_MAX || g[i].c->orig_bytes > g[biggest].c->orig_bytes)
            biggest = i;
    }
    if (sent < f->th.exfil_min_bytes || biggest == SIZE_MAX)
        return;
    double ratio = (double)sent / (double)(recv ? recv : 1);
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN], s[32], r[32];
    human_bytes(sent, s, sizeof s);
    human_bytes(recv, r, sizeof r);
    const char *dst = name_of(k, &c0->resp, c0->ts, b);
    char *summary = xasprintf("%s sent %s to external %s in %zu upload connection%s and received "
                              "%s back (%.0f:1)",
                              ipaddr_str(&c0->orig, a), s, dst, nup, nup == 1 ? "" : "s", r, ratio);
    double score = fmin(100, 50 + 10 * log10((double)sent / f->th.exfil_min_bytes + 1) * 3);
    finding_t *x = findings_add(f, "exfiltration", sent >= (50ull << 20) ? 3 : 2,
                                floor(score * 10 + .5) / 10, summary);
    finding_host(x, &c0->orig);
    finding_host(x, &c0->resp);
    const conn_rec_t *big = g[biggest].c;
    x->first = big->ts;
    x->last = big->last_ts;
    finding_evidence(x, big->capture, big->first_frame, big->uid);
    finding_evidence(x, big->capture, big->last_frame, big->uid);
    for (size_t i = 0; i < n && x->nev < FINDING_MAX_EVIDENCE; i++)
        if (i != biggest && upload_like(g[i].c, f->th.exfil_min_ratio) && g[i].c->orig_bytes > 0)
            finding_evidence(x, g[i].c->capture, g[i].c->first_frame, g[i].c->uid);
    x->details = xasprintf("{\"bytes_sent\":%llu,\"bytes_received\":%llu,\"ratio\":%.1f,"
                           "\"upload_connections\":%zu,\"pair_connections\":%zu,"
                           "\"largest_uid\":\"%s\",\"largest_bytes\":%llu}",
                           (unsigned long long)sent, (unsigned long long)recv, ratio, nup, n,
                           big->uid, (unsigned long long)big->orig_bytes);
}

void detect_exfil(const case_t *k, findings_t *f)
{
    size_t n;
    cref_t *v = all_conns(k, &n);
    xqsort(v, n, sizeof *v, cmp_pair);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ipaddr_eq(&v[i].c->orig, &v[j].c->orig) &&
               ipaddr_eq(&v[i].c->resp, &v[j].c->resp))
            j++;
        exfil_pair(k, f, v + i, j - i);
        i = j;
    }
    free(v);
}
