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
 * point (injected or altered); the clock offset B−A from the minimum one-way
 * delays of both directions (uncertainty: half the minimum round trip), a
 * drift estimate, and one-way delays corrected by that offset.
 *
 * The engine formats nothing and writes no file: connection rows and
 * unmatched packets are handed to a sink as typed records while the
 * captures are read (so memory follows the matching window, not the
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
} compare_flow_t;

typedef enum compare_unmatched_kind {
    COMPARE_LOST,     /* seen at the first point only */
    COMPARE_ONLY_FAR, /* seen at the far point only */
} compare_unmatched_kind_t;

/* One packet seen at one point only, handed to the sink when given up. */
typedef struct compare_unmatched {
    uint8_t side; /* 0 = A, 1 = B: where it was seen */
    uint8_t dir;  /* COMPARE_AB or COMPARE_BA */
    compare_unmatched_kind_t kind;
    ts_ns_t ts; /* as captured at that point */
    uint64_t frame;
    const ipaddr_t *src, *dst;
    uint8_t proto, tcp_flags;
    uint16_t ip_id;
    uint32_t seq, len;
} compare_unmatched_t;

/* The clock offset B−A: it lies in [lowest, highest] (every delay is at
 * least zero); the estimate is the middle. */
typedef struct compare_clock {
    bool known; /* packets were matched both ways */
    double offset, uncertainty;
    bool drift_known; /* the capture spans at least COMPARE_DRIFT_MIN_SPAN */
    double drift_ppm;
} compare_clock_t;

/* Everything but the connection rows and the unmatched packets. */
typedef struct compare_result {
    cm_point_t pt[2]; /* the captures: path, hash, counts, damage */
    char *name[2];    /* their file names without folders (owned) */
    compare_dir_t dir[2];
    compare_clock_t clock;
    /* matching */
    ts_ns_t window, align;
    bool align_found; /* the probe found packets common to both */
    cm_stats_t match; /* pass 1 */
    /* connections */
    uint64_t flows, flows_only_a, flows_only_b;
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
