/*
 * tcprules.h — the TCP rules pcapcase applies, each defined once, here.
 *
 * Handshake timing: one rule, used by the connection table (conn.ndjson
 * `rtt_syn`) and by the per-packet series (flow/tcpseries.h: its out-of-
 * order window for trace and the TCP charts).
 *
 * "Retransmission" is decided by three rules that answer three different
 * questions; each has one function here, and docs/reassembly.md puts them
 * side by side with where they differ:
 *
 *   tcp_retrans_below_highest  conn.ndjson `retransmits` and history `T`:
 *                              a data segment wholly at or below the highest
 *                              sequence already sent (Zeek's counting);
 *   tcp_retrans_wireshark      trace and the TCP charts: Wireshark's
 *                              tcp.analysis.retransmission, partial resends
 *                              included, keep-alives and reordered segments
 *                              excepted;
 *   tcp_resend_of              compare: the same segment (connection, seq,
 *                              length) seen again within a horizon — the one
 *                              rule that names the earlier copy, so compare
 *                              can tell whether that copy crossed the path.
 */
#ifndef PCAPCASE_TCPRULES_H
#define PCAPCASE_TCPRULES_H

#include "core/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the handshake ---- */

/* SYN, SYN-ACK and the ACK of the SYN-ACK: when each was first seen
 * (0: not yet). */
typedef struct tcp_handshake {
    ts_ns_t syn, synack, ack;
} tcp_handshake_t;

/* Note one segment (flags as in the TCP header; from_orig: sent by the
 * originator).  The originator's first SYN without ACK, the responder's
 * first SYN-ACK, then the originator's first ACK without SYN after it. */
void tcp_handshake_note(tcp_handshake_t *h, bool from_orig, uint8_t flags, ts_ns_t ts);
/* From the SYN to the ACK of the SYN-ACK, or -1 while either is unseen (or
 * the clock went backwards between them). */
ts_ns_t tcp_handshake_rtt(const tcp_handshake_t *h);

/* ---- retransmission: below the highest sequence (conn.ndjson) ---- */

/* A segment of len payload bytes ending at end (sequence space from this
 * side's ISN, SYN and FIN counted) when max_end is the highest end this side
 * sent before it: a retransmission if it carries data, is not a SYN, and
 * ends at or below max_end.  A resend that also carries new data is not
 * one. */
bool tcp_retrans_below_highest(uint32_t len, bool syn, uint64_t end, uint64_t max_end);

/* ---- retransmission: Wireshark's rule (trace, TCP charts) ---- */

/* What the rule reads of one sending side, sequence numbers relative to its
 * ISN. */
typedef struct tcp_sender {
    uint32_t snd_max;    /* highest sequence + length sent before this segment */
    ts_ns_t advanced;    /* when snd_max last moved forward */
    uint32_t last_ack;   /* the peer's latest ACK of this side's data, */
    ts_ns_t last_ack_ts; /* when it came, */
    uint32_t dupacks;    /* and how many pure duplicates of it followed */
} tcp_sender_t;

typedef enum tcp_resend_class {
    TCP_SEG_NEW,          /* not below the highest sequence sent (or a keep-alive) */
    TCP_SEG_RETRANS,      /* sent again */
    TCP_SEG_OUT_OF_ORDER, /* below it, but too soon to be a resend: reordered */
} tcp_resend_class_t;

/* A segment at rel with len payload bytes (SYN/FIN in flags), at time ts,
 * with irtt the handshake's round-trip time (0 or -1: unknown): one that carries
 * data, SYN or FIN and starts before snd_max is a retransmission (a fast one
 * when it resends what two or more duplicate ACKs asked for, within 20 ms of
 * the last), except a keep-alive (at most one byte just below snd_max) and
 * an out-of-order segment: one that comes sooner after snd_max moved than
 * the round-trip time (3 ms when unknown) and does not end at snd_max. */
tcp_resend_class_t tcp_retrans_wireshark(const tcp_sender_t *s, uint32_t rel, uint32_t len,
                                         uint8_t flags, ts_ns_t ts, ts_ns_t irtt);

/* ---- retransmission: the same segment again (compare) ---- */

#define TCP_SEG_NONE UINT64_MAX

/* One remembered data segment.  held and mark are the caller's: a held
 * segment is not forgotten (compare holds one until it knows whether it
 * crossed the path), mark and count are free for the caller. */
typedef struct tcp_seg {
    uint32_t conn, seq, len;
    ts_ns_t ts;
    bool held;
    uint8_t mark;
    uint32_t count;
    uint64_t next; /* internal: hash chain */
} tcp_seg_t;

/* The data segments of recent time, by (connection, seq, len): memory
 * follows the segments of one horizon. */
typedef struct tcp_seg_memo {
    tcp_seg_t *v; /* ring, ids only grow */
    size_t cap;
    uint64_t head, tail;
    uint64_t *chain;
    size_t slots;
    ts_ns_t horizon;
} tcp_seg_memo_t;

/* Segments older than horizon (and not held) are forgotten. */
void tcp_seg_memo_init(tcp_seg_memo_t *m, ts_ns_t horizon);
void tcp_seg_memo_free(tcp_seg_memo_t *m);
/* The rule: a data segment of connection conn whose (seq, len) was seen
 * within the horizon before ts is a retransmission of it.  Returns the id of
 * the earlier copy; or, when there is none, remembers this one (its id in
 * *id, held) and returns TCP_SEG_NONE. */
uint64_t tcp_resend_of(tcp_seg_memo_t *m, uint32_t conn, uint32_t seq, uint32_t len, ts_ns_t ts,
                       uint64_t *id);
/* The segment with this id, or NULL once forgotten. */
tcp_seg_t *tcp_seg_memo_at(tcp_seg_memo_t *m, uint64_t id);

#endif
