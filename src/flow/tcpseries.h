/*
 * tcpseries.h — one TCP connection packet by packet, as numbers a person
 * can plot or read: relative sequence and acknowledgement numbers, the
 * receive window after scaling, bytes in flight, retransmissions.
 *
 * Two users: `pcapcase trace` prints each packet as it is read (it only
 * needs tcp_track_packet), and the case charts collect the samples of a few
 * connections (the top ones by bytes and those named with --uid) in one
 * extra pass over each capture (tcpseries_collect), to draw the window-size
 * chart and the Stevens/tcptrace time-sequence graph.
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

/* Samples kept per connection (~48 bytes each); the rest are counted in
 * dropped and the chart says the connection was cut short. */
#define TCPSERIES_MAX_SAMPLES 2000000u

/* Read the capture at path once and fill each of the n series with its
 * segments.  Reading stops after the last frame any series needs.  0, or -1
 * with a one-line reason in err (the capture cannot be opened). */
int tcpseries_collect(const char *path, tcp_series_t *series, size_t n, char *err, size_t errlen);
void tcpseries_free(tcp_series_t *s);

/* Does p belong to the connection between (a, ap) and (b, bp)?  *fwd says
 * whether it goes from a to b. */
bool tcp_endpoints_match(const packet_t *p, const ipaddr_t *a, uint16_t ap, const ipaddr_t *b,
                         uint16_t bp, bool *fwd);

#endif
