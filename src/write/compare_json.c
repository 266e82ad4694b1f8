/* compare_json.c — DIR/compare.json, the summary of a comparison; see
 * compare_writers.h and docs/compare.md for the fields. */
#include "compare_writers.h"

#include "core/fsutil.h"
#include "core/logfmt.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void delay_json(jsonw_t *w, delaysum_t *d)
{
    jw_key(w, "one_way_delay");
    if (!d->n) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_kv_double(w, "min", d->min, 9);
    jw_kv_double(w, "median", ds_rank(d, d->n / 2), 9);
    jw_kv_double(w, "p95", ds_rank(d, (uint64_t)((double)(d->n - 1) * 0.95)), 9);
    jw_kv_double(w, "max", d->max, 9);
    jw_kv_uint(w, "samples", d->n);
    if (!ds_is_exact(d))
        jw_kv_str(w, "quantiles", "histogram, within 0.1 %");
    jw_obj_end(w);
}

void compare_dir_json(jsonw_t *w, const char *key, compare_dir_t *d)
{
    jw_key(w, key);
    jw_obj_begin(w);
    jw_kv_uint(w, "sent_past_first_point", d->sent);
    jw_kv_uint(w, "matched", d->matched);
    jw_kv_uint(w, "matched_by_byte_range", d->ranged);
    jw_kv_uint(w, "lost_between_points", d->lost);
    jw_kv_uint(w, "only_at_far_point", d->only_far);
    jw_kv_double(w, "loss_rate", d->sent ? (double)d->lost / (double)d->sent : 0, 6);
    jw_kv_uint(w, "tcp_retransmissions", d->retrans);
    jw_kv_uint(w, "retransmissions_lost_between_points", d->retrans_lost_between);
    jw_kv_uint(w, "retransmissions_lost_beyond_points", d->retrans_lost_beyond);
    delay_json(w, &d->delay);
    jw_obj_end(w);
}

static void points_json(jsonw_t *w, const compare_result_t *r, const compare_about_t *ab)
{
    for (int i = 0; i < 2; i++) {
        const cm_point_t *pt = &r->pt[i];
        jw_key(w, i == 0 ? "a" : "b");
        jw_obj_begin(w);
        jw_kv_str(w, "label", ab->label[i]);
        jw_kv_str(w, "path", pt->path);
        jw_kv_str(w, "name", r->name[i]);
        jw_kv_str(w, "sha256", pt->sha256);
        jw_kv_uint(w, "packets", pt->packets);
        jw_kv_uint(w, "ip_packets", pt->ip_packets);
        jw_kv_uint(w, "non_ip_packets", pt->non_ip);
        jw_kv_bool(w, "damaged", pt->damaged);
        jw_obj_end(w);
    }
}

char *compare_offset_text(char *out, size_t len, double lo, double hi, double width)
{
    static const struct {
        double scale;
        const char *unit;
        int min_decimals;
    } units[] = {{1, "s", 3}, {1e3, "ms", 1}, {1e6, "\xC2\xB5s", 1}};
    double big = fmax(fabs(lo), isnan(hi) ? 0 : fabs(hi));
    size_t u = big >= 1 ? 0 : big >= 1e-3 ? 1 : 2;
    double w = (isnan(hi) ? width : hi - lo) * units[u].scale;
    int d = w > 0 ? (int)ceil(-log10(w)) : 6;
    d = d < units[u].min_decimals ? units[u].min_decimals : d > 6 ? 6 : d;
    if (isnan(hi))
        snprintf(out, len, "%.*f %s", d, lo * units[u].scale, units[u].unit);
    else
        snprintf(out, len, "%.*f\xE2\x80\x93%.*f %s", d, lo * units[u].scale, d,
                 hi * units[u].scale, units[u].unit);
    return out;
}

/* A bound, or null where a slice had no packet matched one way. */
static void bound(jsonw_t *w, const char *key, double v)
{
    jw_key(w, key);
    if (isnan(v))
        jw_null(w);
    else
        jw_double(w, v, 9);
}

static void slices_json(jsonw_t *w, const compare_clock_t *k)
{
    jw_key(w, "slices");
    jw_arr_begin(w);
    for (size_t i = 0; i < k->nslices; i++) {
        const compare_slice_t *s = &k->slice[i];
        jw_obj_begin(w);
        jw_kv_double(w, "from", (double)s->from / 1e9, 6);
        jw_kv_double(w, "to", (double)s->to / 1e9, 6);
        bound(w, "lowest", s->lowest);
        bound(w, "highest", s->highest);
        if (k->drifting) { /* the straight lines every packet allows */
            bound(w, "line_lowest", s->line_lowest);
            bound(w, "line_highest", s->line_highest);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void clock_json(jsonw_t *w, const compare_clock_t *k)
{
    jw_key(w, "clock_offset_b_minus_a");
    if (!k->known) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_kv_double(w, "seconds", k->offset, 9);
    jw_kv_double(w, "uncertainty", k->uncertainty, 9);
    jw_kv_double(w, "lowest", k->lowest, 9);
    jw_kv_double(w, "highest", k->highest, 9);
    jw_kv_bool(w, "drifting", k->drifting);
    jw_key(w, "drift_ppm");
    if (k->drift_known)
        jw_double(w, k->drift_ppm, 3);
    else
        jw_null(w); /* capture too short to tell drift from queueing */
    jw_kv_str(w, "method",
              k->drifting ? "per time slice, between minus the least B-to-A and the least "
                            "A-to-B raw delay; the offset is the middle of the straight lines they "
                            "all allow"
                          : "half the difference of the minimum one-way delays");
    slices_json(w, k);
    jw_obj_end(w);
}

/* Per point, the unmatched packets that could not cross a router. */
static void local_json(jsonw_t *w, const compare_result_t *r)
{
    jw_key(w, "local_to_points");
    jw_obj_begin(w);
    for (int s = 0; s < 2; s++) {
        jw_key(w, s == 0 ? "a" : "b");
        jw_obj_begin(w);
        jw_kv_uint(w, "packets", r->local[s].packets);
        for (int l = LOCAL_NO + 1; l < LOCAL_REASONS; l++)
            jw_kv_uint(w, locality_name((locality_t)l), r->local[s].by[l]);
        jw_obj_end(w);
    }
    jw_key(w, "subnet_broadcasts");
    jw_arr_begin(w);
    for (size_t i = 0; i < r->nsubnet_bcasts; i++) {
        char a[IPADDR_STRLEN];
        jw_str(w, ipaddr_str(&r->subnet_bcasts[i], a));
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static void matching_json(jsonw_t *w, const compare_result_t *r)
{
    jw_key(w, "matching");
    jw_obj_begin(w);
    jw_kv_double(w, "window_seconds", (double)r->window / 1e9, 3);
    jw_key(w, "alignment_seconds");
    if (r->align_found)
        jw_double(w, (double)r->align / 1e9, 6);
    else
        jw_null(w); /* no packet of the probe was seen at both points */
    jw_kv_uint(w, "peak_pending_a", r->match.peak_pending[0]);
    jw_kv_uint(w, "peak_pending_b", r->match.peak_pending[1]);
    jw_kv_uint(w, "max_pending", COMPARE_MAX_PENDING);
    jw_kv_uint(w, "given_up_before_the_window", r->match.given_up_early);
    jw_obj_end(w);
}

/* The smallest and the last window each endpoint advertised, at one point. */
static void window_json(jsonw_t *w, const tcp_series_t *s, bool fwd)
{
    uint64_t lo = UINT64_MAX, lastw = 0, n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->s[i].fwd == fwd) {
            lo = s->s[i].win < lo ? s->s[i].win : lo;
            lastw = s->s[i].win;
            n++;
        }
    jw_obj_begin(w);
    jw_kv_uint(w, "segments", n);
    if (n) {
        jw_kv_uint(w, "min_window", lo);
        jw_kv_uint(w, "last_window", lastw);
    }
    jw_obj_end(w);
}

static void windows_json(jsonw_t *w, const compare_result_t *r)
{
    jw_key(w, "window_at_both_points");
    if (!r->win_known) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    char x[IPADDR_STRLEN], y[IPADDR_STRLEN];
    char *fl = xasprintf("%s:%u - %s:%u (as seen at A)", ipaddr_str(&r->win[0].orig, x),
                         r->win[0].orig_p, ipaddr_str(&r->win[0].resp, y), r->win[0].resp_p);
    jw_kv_str(w, "flow", fl);
    free(fl);
    jw_kv_bool(w, "scaled_at_a", r->win[0].scaled);
    jw_kv_bool(w, "scaled_at_b", r->win[1].scaled);
    static const char *const keys[2][2] = {{"first_sender_at_a", "other_at_a"},
                                           {"first_sender_at_b", "other_at_b"}};
    for (int s = 0; s < 2; s++)
        for (int e = 0; e < 2; e++) {
            jw_key(w, keys[s][e]);
            window_json(w, &r->win[s], e == 0);
        }
    jw_obj_end(w);
}

static void hosts_json(jsonw_t *w, const compare_result_t *r)
{
    jw_key(w, "hosts");
    jw_obj_begin(w);
    for (int s = 0; s < 2; s++) {
        jw_key(w, s == 0 ? "a_side" : "b_side");
        jw_arr_begin(w);
        for (size_t i = 0; i < r->nhosts[s]; i++) {
            char a[IPADDR_STRLEN];
            jw_str(w, ipaddr_str(&r->hosts[s][i], a));
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

int compare_json_write(const char *dir, compare_result_t *r, const compare_about_t *ab)
{
    buf_t out = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &out, true);
    jw_obj_begin(&w);
    lf_tool(&w, ab->argc, ab->argv);
    points_json(&w, r, ab);
    clock_json(&w, &r->clock);
    matching_json(&w, r);
    compare_dir_json(&w, "a_to_b", &r->dir[COMPARE_AB]);
    compare_dir_json(&w, "b_to_a", &r->dir[COMPARE_BA]);
    local_json(&w, r);
    jw_key(&w, "flows");
    jw_obj_begin(&w);
    jw_kv_uint(&w, "total", r->flows);
    jw_kv_uint(&w, "seen_only_at_a", r->flows_only_a);
    jw_kv_uint(&w, "seen_only_at_b", r->flows_only_b);
    jw_kv_uint(&w, "local_only", r->flows_local_only);
    jw_obj_end(&w);
    windows_json(&w, r);
    hosts_json(&w, r);
    jw_obj_end(&w);
    buf_append_byte(&out, '\n');
    char *p = xasprintf("%s/compare.json", dir);
    int rc = atomic_write(p, out.data, out.len);
    free(p);
    buf_free(&out);
    return rc;
}
