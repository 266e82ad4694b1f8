/* compare_charts.c — the charts of a comparison (DIR/charts/NAME.png|pdf):
 *
 *   one_way_delay       per direction over A's time, corrected by the clock
 *                       offset (a bounded sample past 100 000 points, with
 *                       each time slice's extremes: write/scatter.h), and
 *                       the band where zero delay lies, given what is known
 *                       of the offset;
 *   clock_offset        the offset's bounds in each slice of A's time, and
 *                       the estimate (a line when the clocks drift);
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

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

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
    ts_ns_t t = u->side ? compare_b_to_a(&r->clock, u->ts) : u->ts;
    if (t < r->t0)
        return;
    size_t k = (size_t)((double)(t - r->t0) / 1e9 / c->loss_bin);
    if (k < c->nloss)
        c->loss[u->side][k]++;
}

/* A step line through one value per slice (NaN: a gap), from the first
 * slice's start to the last one's end; x and y are allocated. */
static size_t slice_steps(const compare_clock_t *k,
                          double (*value)(const compare_clock_t *, size_t), double **x, double **y)
{
    *x = xcalloc(2 * k->nslices + 1, sizeof(double));
    *y = xcalloc(2 * k->nslices + 1, sizeof(double));
    size_t n = 0;
    for (size_t i = 0; i < k->nslices; i++) {
        double v = value(k, i);
        (*x)[n] = (double)k->slice[i].from / 1e9, (*y)[n++] = v;
        (*x)[n] = (double)k->slice[i].to / 1e9, (*y)[n++] = v;
    }
    return n;
}

/* How far the offset the delays were corrected by may be from the true one
 * in slice i: the farther of the allowed lines (else of the slice's bounds)
 * from the fitted line at the slice's middle. */
static double slice_error(const compare_clock_t *k, size_t i)
{
    const compare_slice_t *s = &k->slice[i];
    double at = compare_offset_at(k, s->from / 2 + s->to / 2);
    if (!isnan(s->line_lowest))
        return fmax(fabs(s->line_lowest - at), fabs(s->line_highest - at));
    return fmax(fabs(s->lowest - at), fabs(s->highest - at));
}

static double minus_slice_error(const compare_clock_t *k, size_t i)
{
    return -slice_error(k, i);
}

/* Where zero delay lies on the corrected delays: within the offset's
 * uncertainty of zero, both ways (A->B delays are off by the error of the
 * offset, B->A ones by minus it). */
static void offset_band(chart_t *ch, const compare_clock_t *k)
{
    char u[48], *label;
    if (!k->known)
        return;
    if (!k->drifting) {
        chart_format_value(u, sizeof u, k->uncertainty, CHART_FMT_DURATION, NULL);
        label = xasprintf("clock offset known to ±%s: zero delay lies between the dashed lines", u);
        chart_add_hline(ch, CHART_Y, k->uncertainty, label);
        chart_add_hline(ch, CHART_Y, -k->uncertainty, NULL);
        chart_set_axis_range(ch, CHART_Y, -k->uncertainty, NAN);
        free(label);
        return;
    }
    double *x[2], *y[2];
    size_t n = slice_steps(k, slice_error, &x[0], &y[0]);
    slice_steps(k, minus_slice_error, &x[1], &y[1]);
    int id = chart_add_series(ch, "drifting clock: zero delay lies between the grey lines", x[0],
                              y[0], n);
    chart_series_set_style(ch, id, CHART_STEP);
    chart_series_set_color(ch, id, CHART_GREY);
    id = chart_add_series(ch, NULL, x[1], y[1], n);
    chart_series_set_style(ch, id, CHART_STEP);
    chart_series_set_color(ch, id, CHART_GREY);
    double lo = 0;
    for (size_t i = 0; i < n; i++)
        lo = isnan(y[1][i]) ? lo : fmin(lo, y[1][i]);
    chart_set_axis_range(ch, CHART_Y, lo, NAN);
    for (int i = 0; i < 2; i++)
        free(x[i]), free(y[i]);
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
    if (c->delay[0].n || c->delay[1].n)
        offset_band(ch, &r->clock);
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
 * offset, shift not NULL); x and y are allocated. */
static size_t window_line(const tcp_series_t *w, bool fwd, const compare_clock_t *shift, double **x,
                          double **y)
{
    *x = xcalloc(w->n + 1, sizeof(double));
    *y = xcalloc(w->n + 1, sizeof(double));
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->s[i].fwd == fwd) {
            (*x)[n] = shift ? compare_b_to_a_seconds(shift, w->s[i].ts) : (double)w->s[i].ts / 1e9;
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
        for (int e = 0; e < 2; e++)
            for (int s = 0; s < 2; s++) {
                const tcp_series_t *w = &r->win[s];
                int k = e * 2 + s;
                size_t n = window_line(w, e == 0, s ? &r->clock : NULL, &x[k], &y[k]);
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

static double slice_lowest(const compare_clock_t *k, size_t i)
{
    return k->slice[i].lowest;
}

static double slice_highest(const compare_clock_t *k, size_t i)
{
    return k->slice[i].highest;
}

static double slice_line_lowest(const compare_clock_t *k, size_t i)
{
    return k->slice[i].line_lowest;
}

static double slice_line_highest(const compare_clock_t *k, size_t i)
{
    return k->slice[i].line_highest;
}

/* A grey line through one value per slice middle (NaN: none). */
static void slice_line(chart_t *ch, const compare_clock_t *k, const char *name,
                       double (*value)(const compare_clock_t *, size_t))
{
    double x[COMPARE_SLICES], y[COMPARE_SLICES];
    size_t n = 0;
    for (size_t i = 0; i < k->nslices; i++)
        if (!isnan(value(k, i)))
            x[n] = ((double)k->slice[i].from + (double)k->slice[i].to) / 2e9, y[n++] = value(k, i);
    int id = chart_add_series(ch, name, x, y, n);
    chart_series_set_style(ch, id, CHART_LINE);
    chart_series_set_color(ch, id, CHART_GREY);
}

/* The estimate: the fitted line and the range of the straight lines every
 * packet allows (drifting), else the interval of the whole capture as
 * dashed lines. */
static void offset_estimate(chart_t *ch, const compare_clock_t *k, const compare_result_t *r)
{
    char v[64];
    if (k->drifting) {
        double x[2] = {(double)r->t0 / 1e9, (double)r->t1 / 1e9};
        double y[2] = {compare_offset_at(k, r->t0), compare_offset_at(k, r->t1)};
        char *name = xasprintf("fitted offset, drifting %.3f ppm", k->drift_ppm);
        int id = chart_add_series(ch, name, x, y, 2);
        chart_series_set_style(ch, id, CHART_LINE);
        chart_series_set_color(ch, id, CHART_BLACK);
        free(name);
        slice_line(ch, k, "range of the straight lines every packet allows", slice_line_lowest);
        slice_line(ch, k, NULL, slice_line_highest);
        return;
    }
    compare_offset_text(v, sizeof v, k->lowest, k->highest, 0);
    char *label = xasprintf("whole capture: %s", v);
    chart_add_hline(ch, CHART_Y, k->lowest, label);
    chart_add_hline(ch, CHART_Y, k->highest, NULL);
    free(label);
}

/* The clock offset over A's time: in each slice it lies between the least
 * delay bounds of the two directions.  Drawn only when the offset is known
 * (else there is nothing to draw: an empty chart costs a tenth of a second
 * per comparison); a chart of an earlier run into the same folder goes. */
static int offset_chart(const char *cdir, const compare_result_t *r)
{
    const compare_clock_t *k = &r->clock;
    if (!k->known || !k->nslices) {
        static const char *const ext[] = {"png", "pdf"};
        for (int i = 0; i < 2; i++) {
            char *p = xasprintf("%s/clock_offset.%s", cdir, ext[i]);
            unlink(p);
            free(p);
        }
        return 0;
    }
    chart_t *ch = chart_new(CHART_STEP, "Clock offset over time (B minus A)");
    chart_set_subtitle(ch, "in each slice of A's time the offset lies between the lowest and the "
                           "highest possible: no packet's delay is below zero either way");
    plot_axis(ch, true, "Time at A", PLOT_TIME, false);
    plot_axis(ch, false, "B's clock minus A's", PLOT_SECONDS, false);
    double *x[2], *y[2];
    size_t n = slice_steps(k, slice_lowest, &x[0], &y[0]);
    slice_steps(k, slice_highest, &x[1], &y[1]);
    chart_add_series(ch, "lowest possible (minus the least B-to-A delay)", x[0], y[0], n);
    chart_add_series(ch, "highest possible (the least A-to-B delay)", x[1], y[1], n);
    offset_estimate(ch, k, r);
    double lo = fmin(k->lowest, k->highest), hi = fmax(k->lowest, k->highest);
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[0][i]))
            lo = fmin(lo, y[0][i]), hi = fmax(hi, y[1][i]);
    double pad = (hi - lo) * 0.1 + 1e-6;
    chart_set_axis_range(ch, CHART_Y, lo - pad, hi + pad);
    char err[256];
    int rc = plot_save(ch, cdir, "clock_offset", err, sizeof err);
    chart_free(ch);
    for (int i = 0; i < 2; i++)
        free(x[i]), free(y[i]);
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
        rc = offset_chart(cdir, r);
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
