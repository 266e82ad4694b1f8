/*
 * compare.h — the same traffic seen from two vantage points: the engine and
 * what it finds (a comparison result), beside analysis/ and as free of
 * output as it is.
 *
 * Every packet at point A is matched with its copy at point B by what the
 * path does not change: addresses, protocol, IPv4 ID, ports, TCP seq/ack/
 * flags/length and a hash of the first payload bytes — never by time.  TTL
 * and checksums are left out (routers change them, offload breaks them).
 *
 * Which side of the path each host is on comes from the TTL of matched
 * packets (it only goes down along the path); where TTLs are equal (no
 * router between the points) the host that opened the connection is taken
 * to be on A's side, A being the point nearer the clients.
 *
 * From the matches: per direction, packets that passed the first point,
 * arrived at the second, were lost between them, or appeared only at the far
 * point (injected or altered); packets that no router forwards and that
 * stayed unmatched are local to their point instead (locality.h).  The
 * clock offset B−A as the interval causality allows (compare_clock_t), its
 * drift, and one-way delays corrected by the offset.
 *
 * The engine formats nothing and writes no file: connection rows, unmatched
 * packets and the delays of matched ones are handed to a sink as typed
 * records while the captures are read (so memory follows the matching window, not the
 * captures), and everything else is in compare_result_t at the end.  The
 * writers (write/compare_writers.h) and reports turn it into files; the
 * pipeline (pipeline/comparison.h) runs both.  See docs/compare.md.
 */
#ifndef PCAPCASE_COMPARE_H
#define PCAPCASE_COMPARE_H

#include "cmatch.h"
#include "delaysum.h"

#include "core/phases.h"
#include "core/types.h"
#include "flow/tcpseries.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most packets one point holds while they wait for their copies. */
#define COMPARE_MAX_PENDING (2u << 20)

typedef struct compare_opts {
    bool nat;       /* match without addresses and ports (NAT between points) */
    ts_ns_t window; /* how long a packet waits for its copy at the other point */
} compare_opts_t;

enum { COMPARE_AB, COMPARE_BA }; /* directions: A->B is from A's side */
enum { COMPARE_SIDE_UNKNOWN, COMPARE_SIDE_A, COMPARE_SIDE_B };

/* The figures of one direction, of the whole comparison or one connection. */
typedef struct compare_dir {
    uint64_t sent, matched, lost, only_far;
    uint64_t retrans, retrans_lost_between, retrans_lost_beyond;
    uint64_t ranged;  /* of matched: by byte range (TSO/GRO) */
    delaysum_t delay; /* one-way delays, corrected by the clock offset */
} compare_dir_t;

/* One connection, handed to the sink when it ends (in that order). */
typedef struct compare_flow {
    ipaddr_t a_host, b_host; /* oriented: A-side host first */
    uint16_t a_port, b_port;
    uint8_t proto;
    uint64_t first_frame[2]; /* at A, at B; 0 = not seen there */
    compare_dir_t dir[2];    /* [COMPARE_AB], [COMPARE_BA] */
    uint64_t local[2];       /* its packets local to A, to B (locality.h) */
} compare_flow_t;

typedef enum compare_unmatched_kind {
    COMPARE_LOST,     /* seen at the first point only */
    COMPARE_ONLY_FAR, /* seen at the far point only */
    COMPARE_LOCAL,    /* could not cross a router: local to its point */
} compare_unmatched_kind_t;

/* One packet seen at one point only, handed to the sink when given up. */
typedef struct compare_unmatched {
    uint8_t side; /* 0 = A, 1 = B: where it was seen */
    uint8_t dir;  /* COMPARE_AB or COMPARE_BA (not for COMPARE_LOCAL) */
    compare_unmatched_kind_t kind;
    locality_t local; /* why, for COMPARE_LOCAL */
    ts_ns_t ts;       /* as captured at that point */
    uint64_t frame;
    const ipaddr_t *src, *dst; /* NULL: not IP (then len is the frame's) */
    uint8_t proto, tcp_flags;
    uint16_t ip_id;
    uint32_t seq, len;
} compare_unmatched_t;

/* Slices of A's time span the clock offset is bounded in (each needs
 * packets matched both ways; 20 follow a drift without making a slice so
 * short that few packets fall in it). */
#define COMPARE_SLICES 20

/* One slice of A's time: the offset lay in [lowest, highest] there (NaN
 * where one direction had no matched packet).  With a drifting clock the
 * bounds are moved along the drift to the slice's middle, and line_lowest,
 * line_highest give the range at the middle of every straight line that no
 * packet contradicts (NaN otherwise). */
typedef struct compare_slice {
    ts_ns_t from, to;
    double lowest, highest;
    double line_lowest, line_highest;
} compare_slice_t;

/* The clock offset B−A.  Every delay is at least zero, so with raw delays
 * (B time − A time of A->B packets, A time − B time of B->A ones) the offset
 * lies between minus the least B->A raw delay and the least A->B raw delay:
 * an interval as wide as the two directions' smallest delays together, the
 * tightest that causality allows.  The estimate is its middle (exact if the
 * smallest delays are equal both ways).
 *
 * When no single offset fits every packet (the least A->B delay of some
 * slice is below minus the least B->A delay of another) the clocks drift:
 * the bounds are taken per slice, and the offset is the middle of the
 * straight lines they all allow (clock.c); its interval at a time is the
 * range of those lines there. */
typedef struct compare_clock {
    bool known;               /* packets were matched both ways */
    double offset;            /* the estimate (drifting: at fit_at) */
    double uncertainty;       /* half the width (drifting: the widest at a slice) */
    double lowest, highest;   /* the interval (drifting: its range over the capture) */
    bool drifting;            /* no constant offset fits: per slice */
    double fit_at, fit_slope; /* drifting: offset + fit_slope * (t - fit_at), t in s */
    bool drift_known;         /* drifting, or a slope fitted over a long enough capture */
    double drift_ppm;
    compare_slice_t slice[COMPARE_SLICES];
    size_t nslices; /* 0 until the slices are known */
} compare_clock_t;

/* B's clock minus A's at time t of A's clock (0 when unknown). */
double compare_offset_at(const compare_clock_t *k, ts_ns_t t);
/* The one-way delay in seconds of a packet seen at A at a and at B at b
 * (each on its own clock), in direction dir, corrected by the offset (raw
 * when it is unknown).  A drifting clock also stretches time: a delay read
 * on B's clock is divided by 1 + the drift. */
double compare_delay(const compare_clock_t *k, ts_ns_t a, ts_ns_t b, uint8_t dir);
/* A time b on B's clock as a time on A's, in ns and in seconds. */
ts_ns_t compare_b_to_a(const compare_clock_t *k, ts_ns_t b);
double compare_b_to_a_seconds(const compare_clock_t *k, ts_ns_t b);

/* Packets local to one point (locality.h): all, and by reason. */
typedef struct compare_local {
    uint64_t packets;
    uint64_t by[LOCAL_REASONS];
} compare_local_t;

/* Everything but the connection rows and the unmatched packets. */
typedef struct compare_result {
    cm_point_t pt[2]; /* the captures: path, hash, counts, damage */
    char *name[2];    /* their file names without folders (owned) */
    compare_dir_t dir[2];
    compare_local_t local[2]; /* local to A, to B */
    /* IPv4 subnet broadcast addresses inferred from the traffic (owned) */
    ipaddr_t *subnet_bcasts;
    size_t nsubnet_bcasts;
    compare_clock_t clock;
    /* matching */
    ts_ns_t window, align;
    bool align_found; /* the probe found packets common to both */
    cm_stats_t match; /* pass 1 */
    /* connections */
    uint64_t flows, flows_only_a, flows_only_b; /* _only_: not counting local-only ones */
    uint64_t flows_local_only;                  /* every packet local to its point */
    /* hosts on each side, in the order first seen (owned) */
    ipaddr_t *hosts[2];
    size_t nhosts[2];
    /* the TCP connection with most packets matched, read again at both
     * points: [0] at A, [1] at B */
    tcp_series_t win[2];
    bool win_known;
    ts_ns_t t0, t1; /* earliest and latest IP packet at A */
} compare_result_t;

/* A packet at A matched at B: its one-way delay, corrected by the clock
 * offset, at its time at A. */
typedef struct compare_delay {
    uint8_t dir; /* COMPARE_AB or COMPARE_BA */
    ts_ns_t ts;  /* at A */
    double seconds;
} compare_delay_t;

/* Where the engine hands its records.  A callback returning non-zero stops
 * nothing (the comparison goes on, so its figures stay whole) but is
 * remembered: compare_captures then returns -1. */
typedef struct compare_sink {
    void *ctx;
    /* f may be changed (its delay quantiles sort its delays); it is freed
     * after the call */
    int (*flow)(void *ctx, const compare_result_t *r, compare_flow_t *f);
    int (*unmatched)(void *ctx, const compare_result_t *r, const compare_unmatched_t *u);
    void (*delay)(void *ctx, const compare_result_t *r, const compare_delay_t *d);
} compare_sink_t;

/* Compare captures a and b.  Returns 0, 1 when a capture is damaged (read up
 * to the damage: r->pt[i].damaged and damage_reason say which and why), 3
 * when one cannot be read (err names the file), -1 when a sink callback
 * failed.  r is filled in (free it with compare_result_free in every case);
 * ph, if not NULL, gets the phases probe, pass1 and pass2. */
int compare_captures(const char *a, const char *b, const compare_opts_t *o,
                     const compare_sink_t *sink, compare_result_t *r, phases_t *ph, char *err,
                     size_t errlen);
void compare_result_free(compare_result_t *r);

#endif
