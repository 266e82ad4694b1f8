/*
 * replay.h — one pass over a capture: read → filter → decode → connection
 * tables → hooks.
 *
 * The one loop every user of connections goes through: analysis_run() (the
 * case: replay_read, then a connection table per worker, workers.h) and
 * `pcapcase trace --uid` (replay_capture: one table, finding a connection by
 * the uid the case gave it).  Connections, their uids and the moments they
 * finish follow from the packets read, the filter, this loop and its expiry
 * ticks alone — a worker's table sees all of a flow's packets and the same
 * ticks — and uids are made from the capture's name and the connection's
 * first frame, so both users see the same connections with the same uids.
 *
 * (flow/tcpseries.c reads a capture again for compare, and for a TCP chart
 * whose segments the analysis did not keep (analysis/tcp_keep.h);
 * it selects one connection's packets by endpoints and the frame range the
 * case recorded, needs no connection table, and lives below analysis/.)
 */
#ifndef PCAPCASE_REPLAY_H
#define PCAPCASE_REPLAY_H

#include "capture/capture.h"
#include "core/damage.h"
#include "decode/decode.h"
#include "flow/conn.h"

/* How often (in records read) idle connections are swept.  Sweeping is
 * O(expired) but touching the list heads on every packet is wasted work. */
#define REPLAY_EXPIRE_EVERY 4096

/* What reading a capture reports (replay_read).  Any hook may be NULL. */
typedef struct replay_reader {
    void *ctx;
    /* Every record read, before the filter; n counts them from 1. */
    void (*record)(void *ctx, uint64_t n, const capture_pkt_t *cp);
    /* Record n passed the filter and decoded to p (valid during the call). */
    void (*packet)(void *ctx, uint64_t n, const capture_pkt_t *cp, const packet_t *p);
    /* Every REPLAY_EXPIRE_EVERY records, after record n: time to sweep idle
     * connections at ts. */
    void (*tick)(void *ctx, uint64_t n, ts_ns_t ts);
} replay_reader_t;

/* What a replay through one connection table reports (replay_capture). */
typedef struct replay_hooks {
    void *ctx;
    /* Every record read, before the filter. */
    void (*record)(void *ctx, const capture_pkt_t *cp);
    /* Every packet that passed the filter and decoded, after the connection
     * table took it: c is its connection (NULL for none), is_orig its
     * direction. */
    void (*packet)(void *ctx, const capture_pkt_t *cp, const packet_t *p, conn_t *c, bool is_orig);
    /* The capture is read (to its end, or interrupted); the connections still
     * open finish after this. */
    void (*end)(void *ctx);
    /* Connection c is finished (idle, closed, evicted or at the end), just
     * before it is freed. */
    void (*conn_finish)(void *ctx, conn_t *c);
} replay_hooks_t;

/* The name a capture goes by: its file name without folders.  It is the
 * "pcap" of every log row and salts its uids.  Caller frees. */
char *replay_capture_name(const char *path);

/* Read capture cap through filter bpf (NULL: every packet), decoding each
 * record; what cannot be decoded is noted in damage and the decoder's counts
 * go to *stats (may be NULL).  Stops early when interrupted().  Returns the
 * last capture_next() result: 0 read to the end, -1 the rest could not be
 * read, 1 interrupted.  The analysis hands the packets to its workers from
 * here (analysis/workers.h); replay_capture below keeps one table. */
int replay_read(capture_t *cap, const char *bpf, damage_t *damage, const replay_reader_t *h,
                decode_stats_t *stats);

/* The connection table's uid salt for the capture at path. */
uint64_t replay_uid_salt(const char *path);

/* Replay capture cap, opened from path, through one connection table (as
 * one analysis worker keeps it): replay_read's packets go to the table, its
 * ticks expire connections.  Same return as replay_read. */
int replay_capture(const char *path, capture_t *cap, const char *bpf, damage_t *damage,
                   const replay_hooks_t *h, decode_stats_t *stats);

#endif
