/* compare_charts.c — the charts of a comparison (DIR/charts/NAME.png|pdf):
 *
 *   one_way_delay       per direction over A's time, corrected by the clock
 *                       offset (a bounded sample past 100 000 points, with
 *                       each time slice's extremes: write/scatter.h);
 *   losses              packets lost between the points per time bin, B's
 *                       times moved to A's clock;
 *   window_both_points  the receive window of the busiest TCP connection as
 *                       A and B saw it.
 */
#include "compare_writers.h"

#include "plot.h"
#include "scatter.h"

#include "core/fsutil.h"
#include "core/xalloc.h"

#include <stdlib.h>

/* Bins of the loss chart across A's time span (a clock-friendly step). */
#define LOSS_BINS_TARGET 100

struct compare_charts {
    bool ready;
    scatter_t delay[2];
    double *loss[2];
    size_t nloss;
    double loss_bin; /* seconds */
};

compare_charts_t *compare_charts_new(void)
{
    return xcalloc(1, sizeof(compare_charts_t));
}

/* The bins, once A's time span is known (it is when pass 2 starts). */
static void prepare(compare_charts_t *c, const compare_result_t *r)
{
    if (c->ready)
        return;
    c->ready = true;
    double span = (double)(r->t1 - r->t0) / 1e9;
    c->loss_bin = plot_time_step(span, LOSS_BINS_TARGET);
    c->nloss = (size_t)(span / c->loss_bin) + 1;
    for (int d = 0; d < 2; d++) {
        c->loss[d] = xcalloc(c->nloss, sizeof(double));
        scatter_init(&c->delay[d], (double)r->t0 / 1e9, span);
    }
}

void compare_charts_delay(compare_charts_t *c, const compare_result_t *r, const compare_delay_t *d)
{
    prepare(c, r);
    scatter_add(&c->delay[d->dir == COMPARE_AB ? 0 : 1], (double)d->ts / 1e9, d->seconds);
}

void compare_charts_unmatched(compare_charts_t *c, const compare_result_t *r,
                              const compare_unmatched_t *u)
{
    prepare(c, r);
    if (u->kind != COMPARE_LOST)
        return;
    ts_ns_t shift = r->clock.known ? (ts_ns_t)(r->clock.offset * 1e9) : 0;
    ts_ns_t t = u->side ? u->ts - shift : u->ts;
    if (t < r->t0)
        return;
    size_t k = (size_t)((double)(t - r->t0) / 1e9 / c->loss_bin);
    if (k < c->nloss)
        c->loss[u->side][k]++;
}

static int delay_chart(compare_charts_t *c, const char *cdir, const compare_result_t *r,
                       const compare_about_t *ab)
{
    for (int d = 0; d < 2; d++)
        scatter_finish(&c->delay[d]);
    chart_t *ch = chart_new(CHART_SCATTER, "One-way delay between the two points");
    char *sub = xasprintf("%s -> %s and back, clock offset %s%s", ab->label[0], ab->label[1],
                          r->clock.known ? "corrected" : "unknown (uncorrected)",
                          c->delay[0].binned || c->delay[1].binned
                              ? "; a sample of the packets with each time slice's extremes"
                              : "");
    chart_set_subtitle(ch, sub);
    plot_axis(ch, true, "Time at A", PLOT_TIME, false);
    plot_axis(ch, false, "Delay", PLOT_SECONDS, false);
    chart_add_series(ch, "A to B", c->delay[0].x, c->delay[0].y, c->delay[0].n);
    chart_add_series(ch, "B to A", c->delay[1].x, c->delay[1].y, c->delay[1].n);
    chart_set_empty_note(ch, "No packet was seen at both points");
    char err[256];
    int rc = plot_save(ch, cdir, "one_way_delay", err, sizeof err);
    chart_free(ch), free(sub);
    return rc;
}

static int loss_chart(compare_charts_t *c, const char *cdir, const compare_result_t *r)
{
    double *bx = xcalloc(c->nloss, sizeof *bx);
    for (size_t i = 0; i < c->nloss; i++)
        bx[i] = (double)r->t0 / 1e9 + c->loss_bin * (double)i;
    chart_t *ch = chart_new(CHART_STEP, "Packets lost between the points");
    plot_axis(ch, true, "Time at A", PLOT_TIME, false);
    plot_axis(ch, false, "Lost packets per bin", PLOT_PLAIN, false);
    chart_add_series(ch, "A to B", bx, c->loss[0], c->nloss);
    chart_add_series(ch, "B to A", bx, c->loss[1], c->nloss);
    char err[256];
    int rc = plot_save(ch, cdir, "losses", err, sizeof err);
    chart_free(ch);
    free(bx);
    return rc;
}

/* One endpoint's window as seen at one point (B's clock moved back by the
 * offset); x and y are allocated. */
static size_t window_line(const tcp_series_t *w, bool fwd, double shift, double **x, double **y)
{
    *x = xcalloc(w->n + 1, sizeof(double));
    *y = xcalloc(w->n + 1, sizeof(double));
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->s[i].fwd == fwd) {
            (*x)[n] = (double)w->s[i].ts / 1e9 - shift;
            (*y)[n++] = (double)w->s[i].win;
        }
    return n;
}

/* A middlebox that rewrites windows or strips window scaling shows as two
 * lines that part. */
static int window_chart(const char *cdir, const compare_result_t *r, const compare_about_t *ab)
{
    chart_t *c = chart_new(CHART_STEP, "Receive window at both points");
    plot_axis(c, true, "Time at A", PLOT_TIME, false);
    plot_axis(c, false, "Window", PLOT_BYTES, false);
    chart_set_empty_note(c, "No TCP connection was seen at both points");
    double *x[4] = {0}, *y[4] = {0};
    if (r->win_known) {
        char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
        char *sub = xasprintf("%s:%u and %s:%u; where the path left the window alone, the lines "
                              "at A and B lie on each other",
                              ipaddr_str(&r->win[0].orig, a), r->win[0].orig_p,
                              ipaddr_str(&r->win[0].resp, b), r->win[0].resp_p);
        chart_set_subtitle(c, sub);
        free(sub);
        double shift = r->clock.known ? r->clock.offset : 0;
        for (int e = 0; e < 2; e++)
            for (int s = 0; s < 2; s++) {
                const tcp_series_t *w = &r->win[s];
                int k = e * 2 + s;
                size_t n = window_line(w, e == 0, s ? shift : 0, &x[k], &y[k]);
                char *name = xasprintf("%s:%u at %s", ipaddr_str(e ? &w->resp : &w->orig, a),
                                       e ? w->resp_p : w->orig_p, ab->label[s]);
                chart_add_series(c, name, x[k], y[k], n);
                free(name);
            }
    }
    char err[256];
    int rc = plot_save(c, cdir, "window_both_points", err, sizeof err);
    chart_free(c);
    for (int k = 0; k < 4; k++)
        free(x[k]), free(y[k]);
    return rc;
}

int compare_charts_write(compare_charts_t *c, const char *dir, const compare_result_t *r,
                         const compare_about_t *ab)
{
    prepare(c, r);
    char *cdir = xasprintf("%s/charts", dir);
    int rc = mkdir_p(cdir, 0755);
    if (rc == 0)
        rc = delay_chart(c, cdir, r, ab);
    if (rc == 0)
        rc = loss_chart(c, cdir, r);
    if (rc == 0)
        rc = window_chart(cdir, r, ab);
    free(cdir);
    return rc;
}

void compare_charts_free(compare_charts_t *c)
{
    if (!c)
        return;
    for (int d = 0; d < 2; d++) {
        scatter_free(&c->delay[d]);
        free(c->loss[d]);
    }
    free(c);
}
