/* detect_scan.c — port scans and host sweeps: one host trying many ports of
 * one server (vertical) or many hosts (horizontal, by TCP or UDP on any
 * ports, or by ICMP echo: a ping sweep), most attempts refused or
 * unanswered.  Only probes count: TCP attempts without data, UDP datagrams,
 * ICMP echo requests.  Time plays no part, so a slow scan (a probe a minute) is
 * found like a fast one; SYN, connect and UDP scans differ only in what
 * a failed attempt looks like.  docs/findings.md has the rules. */
#include "case/findings.h"

#include "case/group.h"
#include "case/stats.h"
#include "core/buf.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Targets (ports or hosts) listed in a finding's details. */
#define SCAN_MAX_LISTED 20
/* A scan counts as high severity at this many times the threshold. */
#define SCAN_HIGH_FACTOR 10
/* Slower than one probe per this many seconds on average: a slow scan, and
 * the sentence says the pace. */
#define SCAN_SLOW_GAP_S 5.0

enum { ICMP_ECHO4 = 8, ICMP_ECHO6 = 128 };

static bool icmp_echo(const conn_rec_t *c)
{
    return (c->proto == 1 && c->orig_p == ICMP_ECHO4) ||
           (c->proto == 58 && c->orig_p == ICMP_ECHO6);
}

/* The target did not take part: no answer, refused, or reset before any
 * data (TCP); no answer at all (UDP, ICMP echo). */
static bool failed_attempt(const conn_rec_t *c)
{
    if (c->proto != 6)
        return c->resp_pkts == 0;
    static const char *const fail[] = {"S0", "REJ", "RSTOS0", "RSTR", "SH", "OTH"};
    const char *s = conn_rec_state(c);
    for (size_t i = 0; i < sizeof fail / sizeof fail[0]; i++)
        if (strcmp(s, fail[i]) == 0)
            return c->orig_bytes == 0;
    return false;
}

static bool refused(const conn_rec_t *c)
{
    return c->proto == 6 && strcmp(conn_rec_state(c), "REJ") == 0;
}

static const char *proto_name(const conn_rec_t *c)
{
    return c->proto == 6 ? "TCP" : c->proto == 17 ? "UDP" : "ICMP";
}

/* What a scan is made of: TCP attempts that carried no data from the
 * originator (a SYN, a handshake closed at once), and any UDP datagram
 * (probes carry protocol payloads).  Ordinary connections with data are
 * left out, so a scanner's own browsing does not dilute its scan. */
static bool probe(const conn_rec_t *c)
{
    return (c->proto == 6 && c->orig_bytes == 0) || c->proto == 17;
}

/* ---- grouping ---- */

static const conn_rec_t *C(const void *p)
{
    return *(const conn_rec_t *const *)p;
}

static int cmp_num(long a, long b)
{
    return a < b ? -1 : a > b;
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

/* vertical: one originator, one responder, one transport; by port inside */
static int key_vertical(const void *a, const void *b)
{
    const conn_rec_t *x = C(a), *y = C(b);
    int c = ipaddr_cmp(&x->orig, &y->orig);
    if (c || (c = ipaddr_cmp(&x->resp, &y->resp)))
        return c;
    return cmp_num(x->proto, y->proto);
}

static int within_vertical(const void *a, const void *b)
{
    int c = cmp_num(C(a)->resp_p, C(b)->resp_p);
    return c ? c : cmp_time(a, b);
}

/* horizontal: one originator, one transport; by responder inside */
static int key_horizontal(const void *a, const void *b)
{
    const conn_rec_t *x = C(a), *y = C(b);
    int c = ipaddr_cmp(&x->orig, &y->orig);
    return c ? c : cmp_num(x->proto, y->proto);
}

static int within_horizontal(const void *a, const void *b)
{
    int c = ipaddr_cmp(&C(a)->resp, &C(b)->resp);
    return c ? c : cmp_time(a, b);
}

/* ---- judging a group ---- */

typedef struct scan_ctx {
    findings_t *f;
    bool vertical;
} scan_ctx_t;

typedef struct tally {
    size_t targets, failed, refused, accepted;
    ts_ns_t first, last;
    double acc_ports[SCAN_MAX_LISTED];              /* vertical: accepted ports */
    char acc_hosts[SCAN_MAX_LISTED][IPADDR_STRLEN]; /* horizontal: hosts that answered */
    uint16_t ports[5];                              /* horizontal: the ports tried (first few) */
    size_t nports;
} tally_t;

static void note_port(tally_t *t, uint16_t p)
{
    for (size_t i = 0; i < t->nports; i++)
        if (t->ports[i] == p)
            return;
    if (t->nports < sizeof t->ports / sizeof *t->ports)
        t->ports[t->nports++] = p;
}

/* One target: its connections g[0..n); accepted when any of them was. */
static void tally_target(tally_t *t, const conn_rec_t *const *g, size_t n, bool vertical)
{
    bool any_ok = false, any_rst = false;
    for (size_t i = 0; i < n; i++) {
        any_ok |= !failed_attempt(g[i]);
        any_rst |= refused(g[i]);
        t->first = g[i]->ts < t->first ? g[i]->ts : t->first;
        t->last = g[i]->ts > t->last ? g[i]->ts : t->last;
        if (!vertical)
            note_port(t, g[i]->resp_p);
    }
    t->targets++;
    if (!any_ok) {
        t->failed++;
        t->refused += any_rst;
        return;
    }
    if (t->accepted < SCAN_MAX_LISTED) {
        if (vertical)
            t->acc_ports[t->accepted] = g[0]->resp_p;
        else
            ipaddr_str(&g[0]->resp, t->acc_hosts[t->accepted]);
    }
    t->accepted++;
}

static bool same_target(const conn_rec_t *a, const conn_rec_t *b, bool vertical)
{
    return vertical ? a->resp_p == b->resp_p : ipaddr_eq(&a->resp, &b->resp);
}

static char *ports_text(const tally_t *t, bool icmp)
{
    if (icmp)
        return xstrdup("");
    buf_t b = BUF_INIT;
    buf_append_str(&b, t->nports == 1 ? " port " : " ports ");
    for (size_t i = 0; i < t->nports; i++)
        buf_printf(&b, "%s%u", i ? ", " : "", t->ports[i]);
    return buf_steal(&b);
}

static void scan_finding(scan_ctx_t *sx, const conn_rec_t *const *g, size_t n, tally_t *t,
                         unsigned min)
{
    const conn_rec_t *c0 = g[0];
    bool v = sx->vertical, icmp = c0->proto == 1 || c0->proto == 58;
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN], dur[32], pace[96] = "";
    double secs = (double)(t->last - t->first) / 1e9;
    if (secs < 1)
        snprintf(dur, sizeof dur, "%.1f s", secs);
    else
        words_duration(secs, dur, sizeof dur);
    double gap = t->targets > 1 ? secs / (double)(t->targets - 1) : 0;
    if (gap >= SCAN_SLOW_GAP_S) {
        char g1[32];
        words_duration(gap, g1, sizeof g1);
        snprintf(pace, sizeof pace, " (a slow scan: one new target every %s)", g1);
    }
    double rst_share = (double)t->refused / (double)t->targets;
    double failed_share = (double)t->failed / (double)t->targets;
    char *summary;
    if (v && c0->proto != 6)
        summary = xasprintf("%s probed %zu %s ports on %s in %s%s; %zu answered",
                            ipaddr_str(&c0->orig, a), t->targets, proto_name(c0),
                            ipaddr_str(&c0->resp, b), dur, pace, t->accepted);
    else if (v)
        summary = xasprintf("%s probed %zu %s ports on %s in %s%s; %.0f%% refused with RST, "
                            "%zu accepted",
                            ipaddr_str(&c0->orig, a), t->targets, proto_name(c0),
                            ipaddr_str(&c0->resp, b), dur, pace, 100 * rst_share, t->accepted);
    else if (icmp)
        summary = xasprintf("%s pinged %zu hosts in %s%s; %zu answered", ipaddr_str(&c0->orig, a),
                            t->targets, dur, pace, t->accepted);
    else {
        char *ports = ports_text(t, false);
        const char *more = t->nports == sizeof t->ports / sizeof *t->ports ? " and more" : "";
        if (c0->proto == 6)
            summary = xasprintf("%s probed %s%s%s on %zu hosts in %s%s; %.0f%% refused with "
                                "RST, %zu accepted",
                                ipaddr_str(&c0->orig, a), proto_name(c0), ports, more, t->targets,
                                dur, pace, 100 * rst_share, t->accepted);
        else
            summary = xasprintf("%s probed %s%s%s on %zu hosts in %s%s; %zu answered",
                                ipaddr_str(&c0->orig, a), proto_name(c0), ports, more, t->targets,
                                dur, pace, t->accepted);
        free(ports);
    }
    double breadth = clamp01(log10((double)t->targets / min + 1) / log10(SCAN_HIGH_FACTOR + 1));
    double score = fmin(100, 60 + 40 * log10((double)t->targets / min + 1));
    finding_t *x =
        findings_add(sx->f, v ? "port_scan" : "host_sweep",
                     t->targets >= SCAN_HIGH_FACTOR * (size_t)min ? SEV_HIGH : SEV_MEDIUM,
                     finding_round(score), summary);
    finding_why(x, v ? xasprintf("Ordinary clients use a few well-known ports of a server; this "
                                 "host tried %zu different ports of one server and %.0f%% of them "
                                 "were refused or unanswered: the pattern of a port scan.",
                                 t->targets, 100 * failed_share)
                     : xasprintf("Ordinary clients reach the few servers they use; this host "
                                 "tried %zu different hosts and %.0f%% of them did not answer or "
                                 "refused: the pattern of a network sweep.",
                                 t->targets, 100 * failed_share));
    finding_score(x, "breadth", breadth);
    finding_score(x, "failed_share", failed_share);
    finding_host(x, &c0->orig);
    if (v)
        finding_host(x, &c0->resp);
    x->first = t->first;
    x->last = t->last;
    for (size_t i = 0; i < n && x->nev < FINDING_MAX_EVIDENCE; i += 1 + n / FINDING_MAX_EVIDENCE)
        finding_evidence(x, g[i]->capture, g[i]->first_frame, g[i]->uid);
    finding_str(x, "kind", v ? "vertical" : icmp ? "ping" : "horizontal");
    finding_str(x, "proto", proto_name(c0));
    finding_uint(x, "targets", t->targets);
    finding_uint(x, "failed", t->failed);
    finding_uint(x, "refused_rst", t->refused);
    finding_num(x, "rst_share", rst_share, 3);
    finding_uint(x, "accepted", t->accepted);
    size_t listed = t->accepted < SCAN_MAX_LISTED ? t->accepted : SCAN_MAX_LISTED;
    if (v) {
        finding_nums(x, "accepted_list", t->acc_ports, listed, 0);
    } else {
        finding_strs(x, "accepted_list");
        for (size_t i = 0; i < listed; i++)
            finding_strs_add(x, t->acc_hosts[i]);
    }
    finding_num(x, "duration", secs, 3);
}

static void visit_group(void *items, size_t n, void *ctx)
{
    scan_ctx_t *sx = ctx;
    const conn_rec_t *const *g = items;
    unsigned min = sx->vertical ? sx->f->th.scan_min_ports : sx->f->th.scan_min_hosts;
    if (n < min)
        return;
    tally_t *t = xcalloc(1, sizeof *t);
    t->first = t->last = g[0]->ts;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_target(g[i], g[j], sx->vertical))
            j++;
        tally_target(t, g + i, j - i, sx->vertical);
        i = j;
    }
    if (t->targets >= min && t->failed * 2 >= t->targets)
        scan_finding(sx, g, n, t, min);
    free(t);
}

void detect_scans(const case_t *k, findings_t *f)
{
    size_t total;
    const conn_rec_t **all = case_conns(k, &total);
    const conn_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < total; i++)
        if (probe(all[i]))
            v[n++] = all[i];
    scan_ctx_t sx = {f, true};
    group_by(v, n, sizeof *v, &(grouping_t){key_vertical, within_vertical}, visit_group, &sx);
    for (size_t i = 0; i < total; i++) /* the sweeps add pings */
        if (icmp_echo(all[i]))
            v[n++] = all[i];
    sx.vertical = false;
    group_by(v, n, sizeof *v, &(grouping_t){key_horizontal, within_horizontal}, visit_group, &sx);
    free(v);
    free(all);
}
