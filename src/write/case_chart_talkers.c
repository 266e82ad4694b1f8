/* case_chart_talkers.c — who talks most: the top senders over time
 * (stacked) and the top talkers by bytes sent and received (bars). */
#include "case_chart_kit.h"

#include "plot.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The hosts that sent most (at most MIX_TOP, most bytes first, then by
 * address) into top; returns how many. */
static size_t top_senders(const hosts_t *hs, size_t top[MIX_TOP])
{
    size_t ntop = 0;
    for (size_t i = 0; i < hs->n; i++) {
        /* insertion into the sorted top list */
        size_t at = ntop;
        while (at > 0) {
            const host_t *o = &hs->v[top[at - 1]];
            if (o->bytes_sent > hs->v[i].bytes_sent ||
                (o->bytes_sent == hs->v[i].bytes_sent && ipaddr_cmp(&o->ip, &hs->v[i].ip) < 0))
                break;
            at--;
        }
        if (at >= MIX_TOP || hs->v[i].bytes_sent == 0)
            continue;
        if (ntop < MIX_TOP)
            ntop++;
        memmove(&top[at + 1], &top[at], (ntop - 1 - at) * sizeof top[0]);
        top[at] = i;
    }
    return ntop;
}

/* Spread what each host sent over the bins v[0..ntop] (v[ntop]: everyone
 * else); returns whether anyone else sent anything. */
static bool spread_sent(const case_t *k, const size_t *top, size_t ntop, double **v, size_t nb,
                        double t0, double bin)
{
    const hosts_t *hs = k->hosts;
    bool others = false;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *cr = capture_conn(k->r[i], j);
            for (int side = 0; side < 2; side++) {
                const ipaddr_t *ip = side ? &cr->resp : &cr->orig;
                uint64_t sent = side ? cr->resp_ip_bytes : cr->orig_ip_bytes;
                if (!sent)
                    continue;
                size_t s = ntop;
                for (size_t t = 0; t < ntop; t++)
                    if (ipaddr_eq(ip, &hs->v[top[t]].ip))
                        s = t;
                others |= s == ntop;
                case_chart_spread(v[s], nb, t0, bin, (double)cr->ts / 1e9,
                                  (double)cr->last_ts / 1e9, 8.0 * (double)sent / bin);
            }
        }
    return others;
}

/* Top senders over time: bytes each host sent, spread over the lifetime of
 * its connections, for the hosts that sent most; the rest as "others". */
int case_chart_talkers_over_time(const case_t *k, char *err, size_t errlen)
{
    chart_t *c = chart_new(CHART_AREA_STACKED, "Top talkers over time");
    case_chart_time_axis(k, c);
    plot_axis(c, false, "Sent", PLOT_BITRATE, false);
    const hosts_t *hs = k->hosts;
    double t0, t1;
    size_t top[MIX_TOP], ntop = top_senders(hs, top);
    if (ntop && case_chart_span(k, &t0, &t1)) {
        double bin;
        size_t nb = case_chart_time_bins(t0, t1, TIME_BINS, &bin);
        double *x = xcalloc(nb, sizeof *x), *v[MIX_TOP + 1];
        for (size_t s = 0; s <= ntop; s++)
            v[s] = xcalloc(nb, sizeof **v);
        for (size_t b = 0; b < nb; b++)
            x[b] = t0 + bin * (double)b;
        bool others = spread_sent(k, top, ntop, v, nb, t0, bin);
        char *sub = xasprintf("IP bytes each host sent, spread over its connections' lifetimes;"
                              " %.0f-second bins",
                              bin);
        chart_set_subtitle(c, sub);
        free(sub);
        for (size_t s = 0; s < ntop; s++) {
            char *label = case_chart_host_label(&hs->v[top[s]]);
            case_chart_add_bins(c, label, x, v[s], nb, bin);
            free(label);
        }
        if (others)
            case_chart_add_bins(c, "all other hosts", x, v[ntop], nb, bin);
        for (size_t s = 0; s <= ntop; s++)
            free(v[s]);
        free(x);
    }
    chart_set_empty_note(c, "No host sent IP data");
    return case_chart_save(k, c, "talkers_over_time", err, errlen);
}

typedef struct talker {
    double bytes;
    const host_t *h;
} talker_t;

static int cmp_talker(const void *a, const void *b)
{
    const talker_t *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return ipaddr_cmp(&x->h->ip, &y->h->ip);
}

int case_chart_top_talkers(const case_t *k, char *err, size_t errlen)
{
    const hosts_t *hs = k->hosts;
    talker_t *t = xcalloc(hs->n ? hs->n : 1, sizeof *t);
    for (size_t i = 0; i < hs->n; i++)
        t[i] = (talker_t){(double)(hs->v[i].bytes_sent + hs->v[i].bytes_recv), &hs->v[i]};
    xqsort(t, hs->n, sizeof *t, cmp_talker);
    size_t n = hs->n < 10 ? hs->n : 10;
    double v[10];
    char *labels[10];
    for (size_t i = 0; i < n; i++) {
        v[i] = t[i].bytes;
        labels[i] = case_chart_host_label(t[i].h);
    }
    chart_t *c = chart_new(CHART_HBARS, "Top talkers by bytes sent and received");
    plot_axis(c, true, "IP bytes", PLOT_BYTES, false);
    if (n)
        chart_add_bars(c, "bytes", (const char *const *)labels, v, n);
    chart_set_empty_note(c, "No hosts");
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(t);
    return case_chart_save(k, c, "top_talkers", err, errlen);
}
