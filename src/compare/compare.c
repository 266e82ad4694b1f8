/* compare.c — the comparison driver; see compare.h.
 *
 * Three reads of each capture, none of which keeps it in memory: a probe of
 * the first packets guesses the clock offset to read the captures in step
 * (cm_probe); pass 1 matches within the window and learns which side of the
 * path each host is on and the minimum delays, so the clock offset
 * (sides.c, clock.c); pass 2 matches again, identically, and computes every
 * figure with the offset known (figures.c).  Only when the clocks drift does
 * a pass between them bound the offset per slice of time (clock.c). */
#include "engine.h"

#include "core/xalloc.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

/* Packets whose keys the probe reads from the start of a capture. */
#define PROBE_PACKETS 100000

/* A connection quiet this long at both points ends (a later packet with
 * the same addresses and ports starts a new row): Zeek's TCP inactivity
 * timeout, and always well past the matching window. */
static ts_ns_t flow_idle(ts_ns_t window)
{
    ts_ns_t zeek = 300 * NS_PER_SEC;
    return 3 * window > zeek ? 3 * window : zeek;
}

static void engine_free(engine_t *e)
{
    figures_free(e);
    free(e->ai), free(e->fi);
    cm_tables_free(&e->t);
}

/* What pass 1 learnt: the sides of the hosts and the clock offset. */
static int pass1(engine_t *e, const cm_opts_t *mo, char *err, size_t errlen)
{
    compare_result_t *r = e->r;
    cm_hooks_t h = {e, sides_arrive, sides_done, NULL};
    int status = cm_run(r->pt, &e->t, mo, &h, &r->match, err, errlen);
    if (status == 3)
        return 3;
    engine_grow_info(e);
    sides_assign(e);
    clock_estimate_offset(e);
    cm_tables_free(&e->t); /* the next pass numbers everything again, the same way */
    return status;
}

static void no_arrival(void *vc, cm_rec_t *r)
{
    (void)vc, (void)r;
}

/* Drifting clocks (no single offset fits pass 1's delays): the bounds per
 * slice of A's time, with the sides known, so that pass 2 can correct each
 * delay by the offset at its time. */
static int pass_slices(engine_t *e, const cm_opts_t *mo, char *err, size_t errlen)
{
    clock_slices_init(e);
    cm_point_t again[2] = {{.path = e->r->pt[0].path}, {.path = e->r->pt[1].path}};
    cm_hooks_t h = {e, no_arrival, clock_slices_done, NULL};
    cm_stats_t st;
    if (cm_run(again, &e->t, mo, &h, &st, err, errlen) == 3)
        return 3;
    cm_tables_free(&e->t);
    clock_fit_drift(e);
    return 0;
}

static int pass2(engine_t *e, const cm_opts_t *mo, char *err, size_t errlen)
{
    compare_result_t *r = e->r;
    figures_prepare(e);
    cm_point_t again[2] = {{.path = r->pt[0].path}, {.path = r->pt[1].path}};
    cm_hooks_t h = {e, figures_arrive, figures_done, figures_flow_end};
    cm_stats_t st;
    if (cm_run(again, &e->t, mo, &h, &st, err, errlen) == 3)
        return 3; /* gone between the passes */
    clock_finish(e);
    window_at_both_points(e);
    sides_hosts(e);
    r->flows = e->t.nflows;
    for (size_t f = 0; f < e->t.nflows; f++) {
        if (sides_local_only(e, (uint32_t)f)) {
            r->flows_local_only++;
            continue;
        }
        r->flows_only_a += e->fi[f].first_frame[0] && !e->fi[f].first_frame[1];
        r->flows_only_b += !e->fi[f].first_frame[0] && e->fi[f].first_frame[1];
    }
    return 0;
}

int compare_captures(const char *pa, const char *pb, const compare_opts_t *o,
                     const compare_sink_t *sink, compare_result_t *r, phases_t *ph, char *err,
                     size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->pt[0].path = pa, r->pt[1].path = pb;
    for (int s = 0; s < 2; s++) {
        char *dup = xstrdup(r->pt[s].path);
        r->name[s] = xstrdup(basename(dup));
        free(dup);
        r->pt[s].hash = true;
    }
    r->window = o->window;
    engine_t e;
    memset(&e, 0, sizeof e);
    e.o = o, e.sink = sink, e.r = r;
    r->align_found = cm_probe(pa, pb, o->nat, PROBE_PACKETS, &r->align);
    if (ph)
        phase(ph, "probe");
    cm_opts_t mo = {o->nat, o->window, r->align_found ? r->align : 0, flow_idle(o->window),
                    COMPARE_MAX_PENDING};
    int status = pass1(&e, &mo, err, errlen);
    if (ph && status != 3)
        phase(ph, "pass1");
    if (status != 3 && r->clock.drifting && pass_slices(&e, &mo, err, errlen) == 3)
        status = 3;
    if (status != 3 && pass2(&e, &mo, err, errlen) == 3)
        status = 3;
    if (ph && status != 3)
        phase(ph, "pass2");
    engine_free(&e);
    if (status != 3 && e.sink_failed)
        status = -1;
    return status;
}

void compare_result_free(compare_result_t *r)
{
    for (int d = 0; d < 2; d++) {
        ds_free(&r->dir[d].delay);
        tcpseries_free(&r->win[d]);
        free(r->name[d]);
        free(r->hosts[d]);
    }
    free(r->subnet_bcasts);
    memset(r, 0, sizeof *r);
}
