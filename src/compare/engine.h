/*
 * engine.h — the state one comparison shares between the engine's files,
 * and their entry points.  Not for callers: compare.h is the interface.
 *
 *   compare.c   the driver: probe, pass 1, what it learnt, pass 2, results
 *   sides.c     pass 1: which side of the path each host is on, least delays
 *   clock.c     the clock offset: its interval, per time slice, its drift
 *   figures.c   pass 2: counts, delays, losses, connection rows, unmatched
 *   retrans.c   TCP retransmissions at the first point, and where the
 *               original copy was lost
 *   window.c    the receive window of the busiest connection at both points
 *
 * and below them cmatch.c (the windowed matcher), locality.c (traffic no
 * router forwards), delaysum.c (delay quantiles in bounded memory).
 */
#ifndef PCAPCASE_COMPARE_ENGINE_H
#define PCAPCASE_COMPARE_ENGINE_H

#include "compare.h"

#include "flow/tcprules.h"

/* Delays kept exactly per direction of the whole comparison and of one
 * connection; past that, a histogram (delaysum.h). */
#define DELAYS_EXACT_WHOLE (1u << 20)
#define DELAYS_EXACT_FLOW 2048u

typedef struct addr_info {
    int votes;         /* > 0: on A's side, < 0: on B's side */
    uint8_t side;      /* COMPARE_SIDE_* */
    double min_at_a;   /* least (B time - A time) of its packets matched, seen first at A */
    double min_at_b;   /* least (A time - B time), seen first at B */
    bool subnet_bcast; /* a subnet's broadcast address (locality.h) */
} addr_info_t;

typedef struct flow_info {
    uint64_t first_frame[2], last_frame[2];
    uint32_t matched_tcp; /* packets at A matched (window chart) */
    uint32_t flow_at_b;   /* B's numbering of the connection (differs under NAT) */
    uint64_t routable;    /* its packets a router may forward (locality.h) */
    uint64_t matched;     /* its packets matched, counted at both points */
} flow_info_t;

typedef struct engine {
    const compare_opts_t *o;
    const compare_sink_t *sink;
    int sink_failed;
    compare_result_t *r;
    cm_tables_t t;
    addr_info_t *ai;
    size_t nai;
    flow_info_t *fi;
    size_t nfi;
    bool have_t; /* r->t0 and r->t1 are set */
    /* pass 2 */
    compare_flow_t **fs; /* per connection while it lasts */
    size_t nfs;
    /* the least raw delay of each direction in each slice of A's time, and
     * the time at A of the packet that had it */
    double slice_ab[COMPARE_SLICES], slice_ba[COMPARE_SLICES];
    ts_ns_t slice_ab_at[COMPARE_SLICES], slice_ba_at[COMPARE_SLICES];
    tcp_seg_memo_t retx[2]; /* data segments at their first point, per point */
} engine_t;

/* sides.c */
void engine_grow_info(engine_t *e);
void sides_arrive(void *vc, cm_rec_t *r);
void sides_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged);
void sides_assign(engine_t *e);
uint8_t sides_dir_of(const engine_t *e, const cm_rec_t *r);
bool sides_local_only(engine_t *e, uint32_t flow);
void sides_hosts(engine_t *e);

/* clock.c */
void clock_estimate_offset(engine_t *e);
void clock_slices_init(engine_t *e);
void clock_slices_add(engine_t *e, const cm_rec_t *at_a, uint8_t dir, double raw);
void clock_slices_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged);
void clock_fit_drift(engine_t *e);
void clock_finish(engine_t *e);

/* figures.c */
void figures_prepare(engine_t *e);
void figures_arrive(void *vc, cm_rec_t *r);
void figures_done(void *vc, cm_rec_t *r, const cm_rec_t *partner, bool ranged);
void figures_flow_end(void *vc, uint32_t flow);
compare_flow_t *figures_of_flow(engine_t *e, uint32_t f);
void figures_free(engine_t *e);

/* retrans.c: how a remembered segment ended */
typedef enum settle { SETTLE_LOST, SETTLE_ARRIVED, SETTLE_LOCAL } settle_t;
void retrans_init(engine_t *e);
void retrans_arrive(engine_t *e, cm_rec_t *r);
void retrans_settle(engine_t *e, int side, uint64_t id, settle_t how);
void retrans_free(engine_t *e);

/* window.c */
void window_at_both_points(engine_t *e);

void compare_dir_init(compare_dir_t *d, uint32_t exact);

#endif
