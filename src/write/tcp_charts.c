/* tcp_charts.c — see tcp_charts.h. */
#include "tcp_charts.h"

#include "case/case.h"
#include "core/xalloc.h"
#include "flow/tcpseries.h"
#include "write/plot.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A connection picked for charts. */
typedef struct pick {
    const conn_rec_t *c;
    size_t capture; /* index into k->r */
    uint64_t bytes;
} pick_t;

static int cmp_pick(const void *a, const void *b)
{
    const pick_t *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return strcmp(x->c->uid, y->c->uid);
}

static bool picked(const pick_t *v, size_t n, const conn_rec_t *c)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].c == c)
            return true;
    return false;
}

/* The top connections by payload bytes, then those named with --uid. */
static size_t pick_connections(const case_t *k, pick_t *v, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *c = capture_conn(k->r[i], j);
            if (c->proto != IPPROTO_TCP || c->orig_pkts + c->resp_pkts < 2)
                continue;
            pick_t p = {c, i, c->orig_bytes + c->resp_bytes};
            if (p.bytes == 0)
                continue;
            if (n < TCP_CHART_TOP) {
                v[n++] = p;
            } else if (cmp_pick(&p, &v[n - 1]) < 0) {
                v[n - 1] = p;
            } else {
                continue;
            }
            xqsort(v, n, sizeof *v, cmp_pick);
        }
    const case_opts_t *o = k->opts;
    for (size_t u = 0; u < o->n_chart_uids && n < cap; u++) {
        bool found = false;
        for (size_t i = 0; i < k->n && !found; i++)
            for (size_t j = 0; j < k->r[i]->nconns && !found; j++) {
                const conn_rec_t *c = capture_conn(k->r[i], j);
                if (strcmp(c->uid, o->chart_uids[u]) != 0)
                    continue;
                found = true;
                if (c->proto != IPPROTO_TCP)
                    fprintf(stderr, "pcapcase: --uid %s: not a TCP connection, no TCP charts\n",
                            c->uid);
                else if (!picked(v, n, c))
                    v[n++] = (pick_t){c, i, c->orig_bytes + c->resp_bytes};
            }
        if (!found)
            fprintf(stderr, "pcapcase: --uid %s: no such connection in the case\n",
                    o->chart_uids[u]);
    }
    return n;
}

/* Unwraps 32-bit relative sequence numbers into a 64-bit line. */
typedef struct unwrap {
    bool init;
    uint32_t last;
    double value;
} unwrap_t;

static double unwrap(unwrap_t *u, uint32_t v)
{
    if (!u->init)
        u->init = true, u->value = v;
    else
        u->value += (double)(int32_t)(v - u->last);
    u->last = v;
    return u->value;
}

static char *endpoint(const ipaddr_t *ip, uint16_t port)
{
    char s[IPADDR_STRLEN];
    ipaddr_str(ip, s);
    return ip->family == 6 ? xasprintf("[%s]:%u", s, port) : xasprintf("%s:%u", s, port);
}

typedef struct xy {
    double *x, *y;
    size_t n;
} xy_t;

static void xy_init(xy_t *s, size_t cap)
{
    s->x = xcalloc(cap ? cap : 1, sizeof *s->x);
    s->y = xcalloc(cap ? cap : 1, sizeof *s->y);
    s->n = 0;
}

static void xy_add(xy_t *s, double x, double y)
{
    s->x[s->n] = x, s->y[s->n++] = y;
}
static void xy_free(xy_t *s)
{
    free(s->x), free(s->y);
}

static void subtitle(chart_t *c, const case_t *k, const pick_t *p, const tcp_series_t *s,
                     const char *what)
{
    char *sub =
        xasprintf("uid %s in %s, frames %llu-%llu; %s%s%s", p->c->uid, k->r[p->capture]->name,
                  (unsigned long long)p->c->first_frame, (unsigned long long)p->c->last_frame, what,
                  s->scaled ? "" : "; window scale unknown (no SYNs): raw windows",
                  s->dropped ? "; cut short: too many packets" : "");
    chart_set_subtitle(c, sub);
    free(sub);
}

static char *title(const char *kind, const pick_t *p)
{
    char *a = endpoint(&p->c->orig, p->c->orig_p), *b = endpoint(&p->c->resp, p->c->resp_p);
    char *t = p->c->name_hint ? xasprintf("%s: %s → %s (%s)", kind, a, b, p->c->name_hint)
                              : xasprintf("%s: %s → %s", kind, a, b);
    free(a), free(b);
    return t;
}

static int save(const case_t *k, chart_t *c, const char *prefix, const char *uid, char *err,
                size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir), *name = xasprintf("%s_%s", prefix, uid);
    int rc = plot_save(c, dir, name, err, errlen);
    free(dir), free(name);
    chart_free(c);
    return rc;
}

static double rel_sec(const tcp_series_t *s, size_t i)
{
    return (double)(s->s[i].ts - s->s[0].ts) / 1e9;
}

static int window_chart(const case_t *k, const pick_t *p, const tcp_series_t *s, char *err,
                        size_t errlen)
{
    char *t = title("TCP window", p);
    chart_t *c = chart_new(CHART_STEP, t);
    free(t);
    subtitle(c, k, p, s, "receive window after scaling, bytes in flight");
    chart_set_axis(c, CHART_X, "Time since the connection's first packet", CHART_FMT_RELTIME, NULL);
    plot_axis(c, false, "Bytes", PLOT_BYTES, false);
    xy_t win[2], flight[2], rtx;
    uint64_t sent[2] = {0, 0};
    for (int d = 0; d < 2; d++)
        xy_init(&win[d], s->n), xy_init(&flight[d], s->n);
    xy_init(&rtx, s->n);
    for (size_t i = 0; i < s->n; i++) {
        const tcp_sample_t *m = &s->s[i];
        int me = m->fwd ? 0 : 1;
        double x = rel_sec(s, i);
        if (!(m->flags & TCP_RST))
            xy_add(&win[me], x, (double)m->win);
        sent[me] += m->len;
        xy_add(&flight[me], x, m->in_flight);
        xy_add(&flight[1 - me], x, m->peer_in_flight);
        if (m->retrans)
            xy_add(&rtx, x, m->in_flight);
    }
    static const char *const who[2] = {"client", "server"};
    for (int d = 0; d < 2; d++) {
        char *name = xasprintf("window advertised by the %s", who[d]);
        int id = chart_add_series(c, name, win[d].x, win[d].y, win[d].n);
        chart_series_set_color(c, id, d == 0 ? CHART_BLUE : CHART_ORANGE);
        free(name);
    }
    for (int d = 0; d < 2; d++)
        if (sent[d]) {
            char *name = xasprintf("in flight from the %s", who[d]);
            int id = chart_add_series(c, name, flight[d].x, flight[d].y, flight[d].n);
            chart_series_set_color(c, id, d == 0 ? CHART_SKY : CHART_GREEN);
            free(name);
        }
    if (rtx.n)
        chart_add_points(c, "retransmission", rtx.x, rtx.y, rtx.n, CHART_SHAPE_CROSS, CHART_RED);
    chart_set_empty_note(c, "no packets of this connection were found again");
    for (int d = 0; d < 2; d++)
        xy_free(&win[d]), xy_free(&flight[d]);
    xy_free(&rtx);
    return save(k, c, "tcp_window", p->c->uid, err, errlen);
}

static int sequence_chart(const case_t *k, const pick_t *p, const tcp_series_t *s, char *err,
                          size_t errlen)
{
    /* the direction that carried most payload */
    uint64_t sent[2] = {0, 0};
    for (size_t i = 0; i < s->n; i++)
        sent[s->s[i].fwd ? 0 : 1] += s->s[i].len;
    int dir = sent[1] > sent[0] ? 1 : 0;
    char *t = title("TCP time-sequence", p);
    chart_t *c = chart_new(CHART_SCATTER, t);
    free(t);
    subtitle(c, k, p, s,
             dir == 0 ? "data from the client (originator)" : "data from the server (responder)");
    chart_set_axis(c, CHART_X, "Time since the connection's first packet", CHART_FMT_RELTIME, NULL);
    plot_axis(c, false, "Relative sequence number", PLOT_BYTES, false);
    xy_t seg, rtx, ack, edge;
    xy_init(&seg, s->n), xy_init(&rtx, s->n), xy_init(&ack, s->n), xy_init(&edge, s->n);
    unwrap_t useq = {0}, uack = {0};
    for (size_t i = 0; i < s->n; i++) {
        const tcp_sample_t *m = &s->s[i];
        double x = rel_sec(s, i);
        if ((m->fwd ? 0 : 1) == dir) {
            if (m->len == 0)
                continue;
            double top = unwrap(&useq, m->seq) + m->len;
            xy_add(m->retrans ? &rtx : &seg, x, top);
        } else if (m->flags & TCP_ACK) {
            double a = unwrap(&uack, m->ack);
            xy_add(&ack, x, a);
            if (!(m->flags & TCP_RST))
                xy_add(&edge, x, a + (double)m->win);
        }
    }
    int id = chart_add_series(c, "segment (top of its data)", seg.x, seg.y, seg.n);
    chart_series_set_color(c, id, CHART_BLUE);
    id = chart_add_series(c, "acknowledged", ack.x, ack.y, ack.n);
    chart_series_set_style(c, id, CHART_STEP);
    chart_series_set_color(c, id, CHART_GREEN);
    id = chart_add_series(c, "receive window edge", edge.x, edge.y, edge.n);
    chart_series_set_style(c, id, CHART_STEP);
    chart_series_set_color(c, id, CHART_GREY);
    if (rtx.n)
        chart_add_points(c, "retransmission", rtx.x, rtx.y, rtx.n, CHART_SHAPE_CROSS, CHART_RED);
    chart_set_empty_note(c, "no data segments in this connection");
    xy_free(&seg), xy_free(&rtx), xy_free(&ack), xy_free(&edge);
    return save(k, c, "tcp_sequence", p->c->uid, err, errlen);
}

/* The segments the analysis kept of c, or NULL (not kept: read again). */
static const tcp_segs_t *kept_segs(const capture_result_t *r, const conn_rec_t *c)
{
    for (size_t i = 0; i < r->ntcp_segs; i++)
        if (strcmp(r->tcp_segs[i].uid, c->uid) == 0)
            return &r->tcp_segs[i];
    return NULL;
}

/* The samples of the picked connections: from what the analysis kept, and
 * for the others one pass per capture over the connections it holds. */
static void collect(const case_t *k, const pick_t *v, size_t n, tcp_series_t *s)
{
    bool *missing = xcalloc(n ? n : 1, sizeof *missing);
    for (size_t i = 0; i < n; i++) {
        const conn_rec_t *c = v[i].c;
        s[i].orig = c->orig, s[i].resp = c->resp;
        s[i].orig_p = c->orig_p, s[i].resp_p = c->resp_p;
        s[i].first_frame = c->first_frame, s[i].last_frame = c->last_frame;
        const tcp_segs_t *g = kept_segs(k->r[v[i].capture], c);
        if (g)
            tcpseries_from_segs(g, &s[i]);
        missing[i] = g == NULL;
    }
    tcp_series_t *group = xcalloc(n ? n : 1, sizeof *group);
    for (size_t cap_i = 0; cap_i < k->n; cap_i++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (missing[i] && v[i].capture == cap_i)
                group[m++] = s[i];
        if (m == 0)
            continue;
        char why[512];
        if (tcpseries_collect(k->r[cap_i]->path, group, m, why, sizeof why) != 0) {
            fprintf(stderr, "pcapcase: %s: no TCP charts: %s\n", k->r[cap_i]->path, why);
            continue;
        }
        for (size_t i = 0, g = 0; i < n; i++)
            if (missing[i] && v[i].capture == cap_i)
                s[i] = group[g++];
    }
    free(group);
    free(missing);
}

int tcp_charts_write(const case_t *k, char *err, size_t errlen)
{
    size_t cap = TCP_CHART_TOP + k->opts->n_chart_uids;
    pick_t *v = xcalloc(cap, sizeof *v);
    size_t n = pick_connections(k, v, cap);
    tcp_series_t *s = xcalloc(n ? n : 1, sizeof *s);
    collect(k, v, n, s);
    int rc = 0, charted = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = window_chart(k, &v[i], &s[i], err, errlen);
        if (rc == 0)
            rc = sequence_chart(k, &v[i], &s[i], err, errlen);
        charted += rc == 0;
    }
    for (size_t i = 0; i < n; i++)
        tcpseries_free(&s[i]);
    free(s), free(v);
    return rc == 0 ? charted : -1;
}
