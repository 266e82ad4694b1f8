/*
 * cmatch.h — matching two captures packet by packet within a time window.
 *
 * Both captures are read at once, in step: the next packet is taken from
 * whichever capture is earlier once B's clock is moved by an alignment (the
 * clock offset guessed from the first packets both captures share, see
 * cm_probe).  A packet waits in its point's pending set until its copy
 * arrives from the other point, or until the other point's clock has passed
 * it by the matching window; then it is tried as one side of a TSO/GRO byte
 * range match and, failing that, reported unmatched.  Memory is the packets
 * of one window at both points plus the address and connection tables —
 * not the captures.
 *
 * Frames that are not IP (ARP, LLDP, ...) are matched too, on their bytes
 * (where both points share a segment they see the same frames); they have
 * no connection and no addresses.
 *
 * The caller sees every packet twice: `arrive` in capture order as it is
 * read, and `done` once it is matched (with its partner) or given up.  Two
 * runs over the same captures with the same alignment call back in the same
 * order, so one pass can learn what the next needs (host sides, the clock
 * offset) and the next can compute with it.
 */
#ifndef PCAPCASE_CMATCH_H
#define PCAPCASE_CMATCH_H

#include "locality.h"

#include "core/types.h"

#include <stdbool.h>
#include <stdint.h>

#define CM_NONE UINT32_MAX
#define CM_NONE64 UINT64_MAX

typedef struct cm_rec {
    uint64_t key; /* what the path does not change, hashed */
    ts_ns_t ts;   /* as captured */
    uint64_t frame;
    uint32_t flow;     /* connection index (cm_tables_t); CM_NONE: not IP */
    uint32_t src, dst; /* address indices; CM_NONE: not IP */
    uint32_t seq, ack;
    uint32_t len; /* payload bytes as on the wire (not IP: the frame's length) */
    uint16_t ip_id;
    uint8_t ttl, tcp_flags, proto;
    uint8_t side;              /* 0 = A, 1 = B */
    uint8_t local;             /* locality_t from the packet alone */
    bool subnet_bcast;         /* locality_subnet_broadcast: dst is a subnet broadcast */
    uint8_t state;             /* internal */
    uint64_t aux;              /* free for the caller (set in arrive) */
    uint64_t prev[2], next[2]; /* internal: index chains (by key, by byte range) */
} cm_rec_t;

typedef struct cm_flow {
    ipaddr_t a, b; /* as first seen: a = sender of the first packet */
    uint16_t ap, bp;
    uint8_t proto;
    bool ended;            /* quiet for the idle time: later packets start a new one */
    uint32_t first_src;    /* address index of the first sender (of a) */
    ts_ns_t last;          /* latest packet at either point (A's clock) */
    uint32_t pending;      /* its packets waiting for their copies */
    uint32_t older, newer; /* the active connections by last packet */
} cm_flow_t;

typedef struct cm_addr {
    ipaddr_t ip;
} cm_addr_t;

/* Addresses and connections of both captures, numbered as first seen.  A
 * connection quiet at both points for the idle time ends (its record stays,
 * for its addresses and ports); a later packet with the same addresses and
 * ports starts a new one, as Zeek's inactivity timeout does.  Two runs over
 * the same captures number everything the same way. */
typedef struct cm_tables {
    cm_addr_t *addrs;
    size_t naddrs, capaddrs;
    uint32_t *addr_idx;
    size_t addr_slots;
    cm_flow_t *flows;
    size_t nflows, capflows;
    uint32_t *flow_idx;
    size_t flow_slots;
    uint32_t oldest, newest; /* active connections, least recently seen first */
} cm_tables_t;

uint32_t cm_addr_id(cm_tables_t *t, const ipaddr_t *ip);

/* A ring of fixed-size items addressed by ids that only grow (an item's slot
 * is its id modulo the capacity, a power of two): the ring at twice the
 * capacity (4096 to start), items [head, tail) at their new slots; v is
 * freed. */
void *cm_ring_grow(void *v, size_t *cap, size_t size, uint64_t head, uint64_t tail);
void cm_tables_free(cm_tables_t *t);

typedef struct cm_hooks {
    void *ctx;
    void (*arrive)(void *ctx, cm_rec_t *r);
    /* partner: the copy at the other point (for a byte-range match, the
     * first piece or the large segment), NULL if none was found */
    void (*done)(void *ctx, cm_rec_t *r, const cm_rec_t *partner, bool ranged);
    /* connection `flow` has ended: every packet of it is done */
    void (*flow_end)(void *ctx, uint32_t flow);
} cm_hooks_t;

typedef struct cm_point {
    const char *path;
    bool hash; /* compute the SHA-256 (first pass) */
    /* results */
    uint64_t packets;    /* all frames */
    uint64_t ip_packets; /* frames that decoded to an IP packet */
    uint64_t non_ip;     /* frames that are not IP (matched on their bytes) */
    bool damaged;
    char damage_reason[160];
    int ts_digits;
    char sha256[65];
} cm_point_t;

typedef struct cm_opts {
    bool nat;             /* leave addresses and ports out of the key */
    ts_ns_t window;       /* how long a packet waits for its copy */
    ts_ns_t align;        /* B's clock minus A's, as guessed */
    ts_ns_t idle;         /* a connection ends after this long without packets (> window) */
    uint64_t max_pending; /* per point; past it the oldest is given up early */
} cm_opts_t;

typedef struct cm_stats {
    uint64_t given_up_early;  /* pending set full: waited less than the window */
    uint64_t peak_pending[2]; /* the most packets held at once, per point */
} cm_stats_t;

/* Run the matcher over both captures.  Returns 0, 1 when a capture is
 * damaged (read up to the damage), 3 when one cannot be opened (err says
 * which).  Each point's results are filled in; t starts empty. */
int cm_run(cm_point_t pt[2], cm_tables_t *t, const cm_opts_t *o, const cm_hooks_t *h,
           cm_stats_t *st, char *err, size_t errlen);

/* Guess B's clock minus A's: the median time difference of packets with
 * equal keys among the first probe_packets of one capture and the other
 * (read until enough are found, first A's start against B, then B's start
 * against A).  Returns false if no packet was found at both points. */
bool cm_probe(const char *path_a, const char *path_b, bool nat, size_t probe_packets,
              ts_ns_t *align);

#endif
