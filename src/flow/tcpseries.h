/*
 * tcpseries.h — one TCP connection packet by packet, as numbers a person
 * can plot or read: relative sequence and acknowledgement numbers, the
 * receive window after scaling, bytes in flight, retransmissions.
 *
 * Users: `pcapcase trace` prints each packet as it is read (it only needs
 * tcp_track_packet); the case charts draw the window-size chart and the
 * Stevens/tcptrace time-sequence graph of a few connections (the top ones by
 * bytes and those named with --uid) from the segments the analysis kept in
 * its one pass (tcp_segs_t, analysis/tcp_keep.h), replayed through the
 * tracker (tcpseries_from_segs); compare, and the charts of a connection the
 * analysis could not keep, read the capture again (tcpseries_collect).
 *
 * Rules, as tcptrace and Wireshark apply them:
 *   - sequence numbers are relative to each side's initial sequence number
 *     (the SYN's, else the first one seen when the capture starts mid-stream);
 *   - the window is scaled only when both SYNs carried the option (RFC 7323);
 *     a connection picked up without its SYNs shows raw windows;
 *   - retransmissions and out-of-order segments by Wireshark's rule
 *     (tcp_retrans_wireshark in tcprules.h), its out-of-order window the
 *     handshake's round-trip time (tcp_handshake_rtt);
 *   - bytes in flight of a direction are the highest sequence sent minus
 *     the highest acknowledgement received from the other side, minus what
 *     the SACK blocks of the other side's latest ACK cover above it, SYN and
 *     FIN not counted (as Wireshark's tcp.analysis.bytes_in_flight).
 */
#ifndef PCAPCASE_TCPSERIES_H
#define PCAPCASE_TCPSERIES_H

#include "core/types.h"
#include "decode/decode.h"
#include "flow/tcprules.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What tcp_track_packet makes of one segment. */
typedef struct tcp_sample {
    ts_ns_t ts;
    uint64_t frame;
    uint32_t seq;       /* relative to this side's ISN */
    uint32_t ack;       /* relative to the peer's ISN; 0 without ACK or before the peer spoke */
    uint32_t len;       /* payload bytes on the wire */
    uint32_t in_flight; /* of this side, after this segment */
    uint32_t peer_in_flight; /* of the other side, after this segment's ACK */
    uint64_t win;            /* receive window this side advertises, scaled when known */
    uint8_t flags;
    bool fwd; /* sent by the first endpoint (the originator) */
    bool retrans;
    bool out_of_order; /* below the highest sequence, but too soon to be a retransmission */
} tcp_sample_t;

typedef struct tcp_side {
    bool init, acked;
    uint32_t isn;
    int8_t wscale; /* from the SYN, -1 if absent or not seen */
    bool syn_seen;
    uint32_t snd_max; /* highest relative seq + len sent */
    uint32_t ack_max; /* highest relative ack received from the peer */
    uint32_t sacked;  /* bytes above ack_max the peer's latest ACK selectively acknowledged */
    ts_ns_t advanced; /* when snd_max last moved forward */
    bool fin_sent;
    uint32_t fin_seq;    /* relative sequence number the FIN took */
    uint32_t last_ack;   /* the peer's latest ACK of this side's data ... */
    uint16_t last_win;   /* ... the raw window it carried ... */
    ts_ns_t last_ack_ts; /* ... when it came, */
    uint32_t dupacks;    /* and how many pure duplicates of it followed */
} tcp_side_t;

typedef struct tcp_track {
    tcp_side_t side[2]; /* [0] originator, [1] responder */
    tcp_handshake_t hs; /* its round-trip time sets the out-of-order window */
} tcp_track_t;

void tcp_track_init(tcp_track_t *t);
/* Account one TCP segment of the connection (fwd: from the originator) and
 * describe it in *out. */
void tcp_track_packet(tcp_track_t *t, const packet_t *p, uint64_t frame, ts_ns_t ts, bool fwd,
                      tcp_sample_t *out);
/* Are both window scales known (both SYNs seen with the option)? */
bool tcp_track_scaled(const tcp_track_t *t);

/* One connection to collect: its endpoints, VLAN and frame range in one
 * capture, filled in by the caller; the samples are filled in by
 * tcpseries_collect. */
typedef struct tcp_series {
    ipaddr_t orig, resp;
    uint16_t orig_p, resp_p;
    uint64_t first_frame, last_frame;
    char uid[20];
    tcp_sample_t *s;
    size_t n, cap;
    uint64_t dropped; /* samples beyond TCPSERIES_MAX_SAMPLES, not kept */
    bool scaled;      /* windows are scaled (both SYNs had the option) */
} tcp_series_t;

/* Samples kept per connection (~56 bytes each; 32 as a tcp_seg_t); the
 * rest are counted in dropped and the chart says the connection was cut
 * short. */
#define TCPSERIES_MAX_SAMPLES 2000000u

/* The connections with the most payload bytes that get TCP charts (more
 * can be named with --uid). */
#define TCP_CHART_TOP 3

/* Read the capture at path once and fill each of the n series with its
 * segments.  Reading stops after the last frame any series needs.  0, or -1
 * with a one-line reason in err (the capture cannot be opened). */
int tcpseries_collect(const char *path, tcp_series_t *series, size_t n, char *err, size_t errlen);
void tcpseries_free(tcp_series_t *s);

/* One TCP segment as the analysis keeps it for the charts: what
 * tcp_track_packet reads of the packet, in 32 bytes. */
typedef struct tcp_kept_seg {
    ts_ns_t ts;
    uint32_t frame_off; /* frame number minus the series' first frame */
    uint32_t seq, ack, len;
    uint16_t win;
    uint8_t flags;
    int8_t wscale;
    uint8_t nsack; /* its SACK blocks: the next nsack of the series' sack array */
    bool fwd;      /* sent by the originator */
} tcp_kept_seg_t;

/* One connection's segments in the order the analysis saw them, at most
 * TCPSERIES_MAX_SAMPLES (the rest are counted in dropped, as
 * tcpseries_collect counts them).  Owns seg and sack. */
typedef struct tcp_segs {
    char uid[UID_LEN];
    uint64_t bytes; /* orig_bytes + resp_bytes of its record, once finished */
    uint64_t first_frame;
    tcp_kept_seg_t *seg;
    size_t n, cap;
    uint32_t (*sack)[2];
    size_t nsack, sack_cap;
    uint64_t dropped;
    /* SYNs among the dropped segments still decide whether windows are
     * scaled: the first one of each side, and its window scale */
    bool late_syn[2];
    int8_t late_wscale[2];
} tcp_segs_t;

/* Keep segment p (frame, ts; fwd: from the originator) of the connection.
 * false when it cannot be kept: its frame is more than 2^32 frames after
 * the first (the caller gives the connection up). */
bool tcp_segs_add(tcp_segs_t *g, const packet_t *p, uint64_t frame, ts_ns_t ts, bool fwd);
/* Segments and SACK blocks held, for the caller's memory bound. */
size_t tcp_segs_held(const tcp_segs_t *g);
/* The connection's originator changed sides: every fwd turns over. */
void tcp_segs_reverse(tcp_segs_t *g);
void tcp_segs_free(tcp_segs_t *g);
/* Replay g through the tracker into s (its samples, dropped and scaled; the
 * endpoints and frames are left as they are): the same samples
 * tcpseries_collect reads from the capture for the same packets.  Free
 * with tcpseries_free. */
void tcpseries_from_segs(const tcp_segs_t *g, tcp_series_t *s);

/* Does p belong to the connection between (a, ap) and (b, bp)?  *fwd says
 * whether it goes from a to b. */
bool tcp_endpoints_match(const packet_t *p, const ipaddr_t *a, uint16_t ap, const ipaddr_t *b,
                         uint16_t bp, bool *fwd);

#endif
