/*
 * reasm.h — TCP stream reassembly, one direction at a time.
 *
 * The connection table holds two reasm_dir_t per TCP connection (one per
 * direction) and feeds every segment of that direction to reasm_segment().
 * Reassembly turns those segments into the byte stream the receiving
 * application read, and hands it to a consumer (HTTP, TLS, DNS-over-TCP
 * analysers) through the callbacks of a reasm_sink_t:
 *
 *   - bytes arrive in stream order, exactly once, whatever order the
 *     segments were captured in;
 *   - bytes the capture never saw are reported as a gap of known length,
 *     never filled with guesses; delivery then continues after the gap;
 *   - the stream ends once (FIN reached in order, RST, or end of capture).
 *
 * Why it looks like this:
 *   - Speed.  A segment that arrives in order while nothing is buffered is
 *     handed to the sink straight from the packet buffer: no copy, no
 *     allocation.  Only out-of-order data is copied.
 *   - Size.  There can be millions of connections, so reasm_dir_t is small
 *     (56 bytes on LP64) and everything rare (out-of-order buffer, anomaly
 *     counters) lives in a block allocated the first time it is needed.
 *   - Evidence.  Bytes received twice are compared; when the copies differ
 *     (an injection race such as "Quantum Insert", or an evasion attempt) a
 *     conflicting overlap is counted with its frame number.  By default the
 *     first-seen bytes win, as on most receiving stacks.
 *
 * Stream offsets are 64-bit counts of data bytes from the first byte of the
 * stream (the byte after the SYN; when the capture started mid-connection,
 * the sequence number of the first segment given, a pure ACK's included,
 * unless that was a keep-alive one byte before the first data).  Sequence
 * numbers are mapped to them with
 * modular 32-bit arithmetic, so streams longer than 4 GiB and sequence
 * numbers wrapping past 2^32 are handled.  SYN and FIN each consume one
 * sequence number but no stream offset.
 *
 * Policy details, caps and known differences from Wireshark and Zeek are in
 * docs/reassembly.md.
 *
 * Threads: a reasm_dir_t must be used by one thread at a time.  The only
 * shared state is the process-wide buffered-bytes counter, which is atomic.
 */
#ifndef PCAPCASE_REASM_H
#define PCAPCASE_REASM_H

#include "core/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Out-of-order data buffered per direction, in heap bytes (payload plus
 * per-segment bookkeeping), before the oldest hole is given up as a gap.
 * A sender cannot run more than one receive window ahead of a hole (the
 * receiver does not ACK past it), so a hole followed by more than a window of
 * data will never be filled: the capture missed those bytes.  Linux's default
 * receive buffer (tcp_rmem max 6 MiB) yields windows of about 3 MiB, so 4 MiB
 * covers a full window on ordinary hosts while keeping a thousand lossy
 * connections under 4 GiB.  Holes the receiver ACKed are given up within
 * REASM_ACK_PATIENCE segments (reasm_peer_ack), so the cap mostly matters for
 * one-sided captures. */
#define REASM_MAX_BUFFERED_PER_DIR (4u * 1024 * 1024)

/* Bytes the receiver ACKed that the capture has not shown wait for at most
 * this many more packets of their direction (segments that do not fill the
 * hole, pure ACKs sent from past it) before they are given up as a gap.  A
 * capture point that merges interfaces records data just after its own ACK;
 * when the sender's NIC also put large sends out of order (TSO on several
 * queues), a later segment comes before the hole's bytes too.  The corpus's
 * smb3_multichannel.pcap with every two frames swapped needs 1.  Data past
 * the hole waits in the buffer meanwhile; a capture that really lost the
 * bytes delays it by this many packets. */
#define REASM_ACK_PATIENCE 4u

/* Out-of-order segments buffered per direction.  The buffer is a sorted list;
 * an insertion that is neither an append nor a prepend walks it, so this
 * bounds the work per segment when an attacker sends tiny segments in random
 * order.  4 MiB of 1460-byte segments is 2873 segments, so the byte cap, not
 * this one, binds for ordinary traffic. */
#define REASM_MAX_SEGMENTS_PER_DIR 4096u

/* Data starting further than this beyond the furthest byte known to have
 * reached the receiver (the next byte to deliver, or the peer's ACK) is
 * ignored.  2^30 is the largest window TCP can advertise (65535 << 14), so
 * nothing legitimate lies beyond it; a bogus sequence number (another
 * connection reusing the ports, a spoofed segment) would otherwise turn into
 * a gigabyte-sized gap.  ACKs are believed up to 2^31 ahead (all that 32-bit
 * sequence arithmetic can tell), because a capture that filtered or sampled
 * packets legitimately jumps that far between consecutive ACKs. */
#define REASM_MAX_AHEAD (1u << 30)

/* Bytes of the most recently delivered chunk that are fingerprinted, so a
 * retransmission of data already handed to the sink can still be checked for
 * conflicting content without keeping a copy.  64 bytes cover the status line
 * and first headers of an HTTP response or a TLS record header, where
 * injected responses differ from real ones; hashing them costs a few
 * nanoseconds per segment. */
#define REASM_FP_BYTES 64u

/* How the stream ended (the how argument of reasm_sink_t.end). */
typedef enum reasm_end {
    REASM_END_FIN = 1, /* the sender's FIN was reached in order */
    REASM_END_RST,     /* the sender reset the connection */
    REASM_END_FLUSH    /* reasm_finish(): the capture (or the caller) stopped */
} reasm_end_t;

/* Which copy of doubly received, not yet delivered bytes is kept. */
typedef enum reasm_policy {
    REASM_FIRST_WINS = 0, /* default: the first copy seen (most stacks) */
    REASM_LAST_WINS       /* the latest copy (e.g. old Windows, some IDS tuning) */
} reasm_policy_t;

/*
 * Where the stream goes.  The sink and its ctx must outlive the direction.
 * Callbacks must not call reasm_* on the same direction (delivery is in
 * progress) and must not free it.
 *
 * data  (required) len > 0 bytes at stream offset stream_off, taken from the
 *       segment of capture frame number `frame`, captured at ts.  p is only
 *       valid during the call: it may point into the caller's packet buffer.
 *       Consecutive calls are contiguous unless a gap call comes between.
 * gap   (may be NULL) len > 0 bytes at stream_off will never be delivered.
 * end   (may be NULL) called at most once; no callback follows it.
 *       stream_off is the offset just past the last byte or gap.
 */
typedef struct reasm_sink {
    void (*data)(void *ctx, const uint8_t *p, size_t len, uint64_t stream_off, uint64_t frame,
                 ts_ns_t ts);
    void (*gap)(void *ctx, uint64_t stream_off, uint64_t len);
    void (*end)(void *ctx, uint64_t stream_off, reasm_end_t how);
} reasm_sink_t;

/*
 * What happened to the stream.  Counters only grow.
 *
 * delivered          bytes handed to sink->data
 * gaps, missing_bytes  gap events and the sum of their lengths; with
 *                    delivered, they add up to the stream length
 * cap_gaps, cap_missing_bytes  the part of the above given up because a cap
 *                    was hit (REASM_MAX_BUFFERED_PER_DIR or ..._SEGMENTS_...)
 * retrans_bytes      bytes received again after being delivered or buffered
 * overlap_conflicts  segments whose re-received bytes differed from the first
 *                    copy (checked byte for byte against buffered data, and
 *                    against the fingerprint of the last delivered chunk)
 * first_conflict_frame  frame of the first such segment, 0 when none
 * late_bytes         bytes that arrived after their range had been given up
 *                    as a gap (only the most recent gap is remembered)
 * ignored_bytes      payload outside the stream: before its first byte, after
 *                    its FIN or RST, more than REASM_MAX_AHEAD ahead, or the
 *                    payload of a RST
 * keepalives         1-byte keep-alive / window probes at seq-1, skipped
 * truncated          the delivered stream has holes (gaps > 0)
 */
typedef struct reasm_stats {
    uint64_t delivered;
    uint64_t gaps, missing_bytes;
    uint64_t cap_gaps, cap_missing_bytes;
    uint64_t retrans_bytes;
    uint64_t overlap_conflicts;
    uint64_t first_conflict_frame;
    uint64_t late_bytes;
    uint64_t ignored_bytes;
    uint64_t keepalives;
    bool truncated;
} reasm_stats_t;

struct reasm_ext;

/* One direction of one connection.  Embedded in the connection record; the
 * fields are private to reasm.c. */
typedef struct reasm_dir {
    const reasm_sink_t *sink;
    void *ctx;
    struct reasm_ext *ext; /* NULL until out-of-order data or an anomaly */
    uint64_t next;         /* stream offset of the next byte to deliver */
    uint64_t fp_hash;      /* fingerprint of the last delivered chunk... */
    uint32_t fp_len;       /* ...and its length; 0 = none */
    uint32_t base;         /* sequence number of stream offset 0 */
    uint8_t state;
    uint8_t flags;
} reasm_dir_t;

/* Start an empty direction that delivers to sink with ctx.  Allocates
 * nothing; a direction that only ever sees in-order data never allocates. */
void reasm_init(reasm_dir_t *d, const reasm_sink_t *sink, void *ctx);

/* Choose the overlap policy (default REASM_FIRST_WINS).  It applies to bytes
 * not yet delivered; delivered bytes cannot be taken back. */
void reasm_set_policy(reasm_dir_t *d, reasm_policy_t policy);

/*
 * Feed one TCP segment sent in this direction.  tcp_flags are the raw header
 * flag bits (FIN 0x01, SYN 0x02, RST 0x04; the others are ignored).  payload
 * holds the len captured payload bytes; wire_len is the payload length the
 * packet claimed (larger than len when the capture snapped the packet; pass
 * len otherwise).  Bytes the snap cut off become a gap.
 *
 * The first SYN, or else the first segment with payload or FIN, fixes the
 * stream's initial sequence number.  A RST ends the direction (buffered data
 * is delivered with gaps first).  Delivery may happen inside this call; payload
 * need only stay valid until it returns.  Never fails.
 */
void reasm_segment(reasm_dir_t *d, uint32_t seq, uint8_t tcp_flags, const uint8_t *payload,
                   size_t len, size_t wire_len, uint64_t frame, ts_ns_t ts);

/* The other direction acknowledged `ack` (call only for segments with the ACK
 * flag).  The receiver got every byte before it, so bytes we are still
 * waiting for below it were missed by the capture -- or are captured late:
 * a capture point near the receiver, or one that merges interfaces, can
 * record data just after its own ACK.  So the gap is declared only after
 * REASM_ACK_PATIENCE more packets of this direction that did not fill it
 * (segments beyond the hole, pure ACKs from past ack), or at flush; it runs
 * up to the segment that gave it up, whose bytes and any after it are
 * delivered.  An ACK more than REASM_MAX_AHEAD ahead is taken at
 * once.  ACKs up to 2^31 ahead are
 * believed (a sampled capture can jump that far between two ACKs). */
void reasm_peer_ack(reasm_dir_t *d, uint32_t ack);

/* Give up on every hole now: deliver all buffered data, with gaps for what is
 * missing (up to the FIN, when one was seen).  The stream stays open.  Use it
 * to enforce a global memory cap (see reasm_buffered_total). */
void reasm_flush(reasm_dir_t *d);

/* End of connection or of capture: flush, then end the stream (sink->end with
 * REASM_END_FIN if the FIN is now reached, else REASM_END_FLUSH).  Later
 * segments only update counters.  Idempotent. */
void reasm_finish(reasm_dir_t *d);

/* Release the buffer and counters.  Calls no callback (call reasm_finish
 * first to get buffered data out).  d may be reused after reasm_init. */
void reasm_free(reasm_dir_t *d);

/* Heap bytes held by this direction (out-of-order payload and bookkeeping). */
size_t reasm_buffered_bytes(const reasm_dir_t *d);

/* Heap bytes held for out-of-order data by all directions in the process. */
size_t reasm_buffered_total(void);

/* Counters so far (see reasm_stats_t). */
void reasm_get_stats(const reasm_dir_t *d, reasm_stats_t *out);

/* True once the stream has ended (FIN reached, RST, or reasm_finish). */
bool reasm_ended(const reasm_dir_t *d);

/* True while bytes before ack (one more allowed: a FIN the capture missed)
 * have not been delivered nor given up as a gap: a hole the capture may
 * still fill, for at most REASM_ACK_PATIENCE more packets once the peer's
 * ACK of it was given to reasm_peer_ack.  False for a stream not started or
 * ended. */
bool reasm_short_of(const reasm_dir_t *d, uint32_t ack);

/* reasm_peer_ack, and what is still missing before ack is a gap now, with
 * no waiting: the peer's segment carrying this ACK is about to be read, and
 * the bytes it answers must be read before it. */
void reasm_take_ack(reasm_dir_t *d, uint32_t ack);

#endif
