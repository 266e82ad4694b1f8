/*
 * conn.h — the connection table: Zeek's connection model over our packets.
 *
 * A connection is keyed by the bidirectional 5-tuple plus the outer VLAN id.
 * The originator is the side that sent the first packet (or the SYN when the
 * first packet seen is a SYN-ACK, Zeek's "flip").  Per connection we keep
 * Zeek's conn.log figures (state, history, sizes by sequence space, packet and
 * IP byte counts) and ours (retransmissions, zero windows, handshake RTT,
 * window scale).
 *
 * Memory follows live connections: a connection idle past its timeout, or
 * closed (FIN both ways / RST) for CONN_CLOSE_DELAY, is finished — handed to
 * the on_finish callback — and freed.  A SYN on a finished-looking tuple (port
 * reuse) finishes the old connection and starts a new one.
 *
 * Owned by one capture's analysis; not thread-safe.
 */
#ifndef PCAPCASE_CONN_H
#define PCAPCASE_CONN_H

#include "core/damage.h"
#include "core/types.h"
#include "decode/decode.h"
#include "flow/tcprules.h"

#include <stdbool.h>
#include <stdint.h>

/* Zeek's defaults: tcp_inactivity_timeout 5 min, udp/icmp 1 min. */
#define CONN_TCP_TIMEOUT_NS (300LL * NS_PER_SEC)
#define CONN_UDP_TIMEOUT_NS (60LL * NS_PER_SEC)
/* After FIN both ways or RST, late ACKs/retransmissions still belong to the
 * connection for a moment (Zeek's tcp_close_delay / tcp_reset_delay). */
#define CONN_CLOSE_DELAY_NS (5LL * NS_PER_SEC)
/* Live connections held at once.  At ~400 bytes each, 2 M is under 1 GiB;
 * beyond it the least recently active connection is finished early (counted
 * as conn.evicted_at_cap) so a flood of one-packet connections cannot exhaust
 * memory. */
#define CONN_MAX_LIVE 2000000

/* Zeek TCP endpoint states */
enum { EP_INACTIVE, EP_SYN_SENT, EP_SYN_ACK_SENT, EP_PARTIAL, EP_ESTABLISHED, EP_CLOSED, EP_RESET };

#define CONN_HISTORY_MAX 24

typedef struct conn_endpoint {
    uint8_t state;
    bool seq_init; /* isn valid */
    bool saw_syn, saw_fin;
    int8_t wscale; /* from SYN; -1 if none */
    uint32_t isn;
    uint64_t max_end;  /* highest sequence end, relative to isn (64-bit unwrapped) */
    uint32_t last_seq; /* previous packet's sequence number, for unwrapping */
    uint64_t last_rel; /* ... and its unwrapped offset from isn */
    uint64_t pkts, ip_bytes;
    uint64_t payload_bytes; /* sum of payload (UDP/ICMP size; TCP for stats) */
    uint64_t retransmits;   /* tcp_retrans_below_highest (tcprules.h) */
    uint64_t zero_windows;
    uint16_t last_win;
    uint16_t mss;
    uint32_t hist_once; /* bitmask of history letters already recorded */
} conn_endpoint_t;

typedef struct conn {
    /* key */
    ipaddr_t orig, resp;
    uint16_t orig_p, resp_p;
    uint8_t proto;
    uint16_t vlan;
    /* table links (internal) */
    struct conn *hnext, *lprev, *lnext;
    uint8_t list; /* which expiry list (internal) */
    /* time and frames */
    ts_ns_t first_ts, last_ts;
    uint64_t first_frame, last_frame;
    tcp_handshake_t hs;    /* handshake timing */
    conn_endpoint_t ep[2]; /* 0 = originator, 1 = responder */
    char history[CONN_HISTORY_MAX + 1];
    uint8_t hist_len;
    bool flipped;
    uint64_t missed_bytes; /* filled by reassembly */
    uint64_t seq_no;       /* creation order in this capture */
    const char *service;   /* static string set by an analyser, or NULL */
    char uid[UID_LEN];
    uint8_t mac_orig[6], mac_resp[6];
    bool has_mac;
    void *app;  /* application-layer state, owned by the analysis */
    void *kept; /* its segments kept for the TCP charts, owned by the analysis */
} conn_t;

typedef struct conn_table conn_table_t;

/* Called when a connection is finished (expired, closed, evicted, or at the
 * end of the capture), just before it is freed. */
typedef void (*conn_finish_fn)(void *ctx, conn_t *c);

/* uid_salt makes uids differ between captures (e.g. the capture's file
 * name), so the same tuple and time in two captures are two connections. */
conn_table_t *conn_table_new(conn_finish_fn on_finish, void *ctx, uint64_t uid_salt,
                             damage_t *damage);
/* Hold at most max_live connections (default CONN_MAX_LIVE): a worker of N
 * holds its share. */
void conn_table_set_max_live(conn_table_t *t, uint64_t max_live);
/* Finish every remaining connection, in creation order, then free. */
void conn_table_free(conn_table_t *t);

/* Account one decoded packet: find or create its connection, update state.
 * *is_orig is set to the packet's direction.  Returns the connection, or
 * NULL for packets that have no connection (non TCP/UDP/ICMP are still
 * tracked by address pair and protocol). */
conn_t *conn_packet(conn_table_t *t, const packet_t *p, uint64_t frame, ts_ns_t ts, bool *is_orig);

/* Reassembly found len bytes missing in the side's stream (0 = originator):
 * Zeek's missed_bytes and history 'G'/'g'. */
void conn_note_gap(conn_t *c, int side, uint64_t len);
/* An application analyser identified the connection's protocol, and the
 * originator must be swapped (a response was seen first): history '^'. */
void conn_flip(conn_t *c);

/* Expire connections idle at time now. */
void conn_expire(conn_table_t *t, ts_ns_t now);

uint64_t conn_table_live(const conn_table_t *t);
uint64_t conn_table_total(const conn_table_t *t);

/* Zeek's conn_state for a connection ("S0", "SF", "REJ", ...). */
const char *conn_state_name(const conn_t *c);
/* Zeek's size for one endpoint: TCP by sequence space, others by payload. */
uint64_t conn_size(const conn_t *c, int side);
/* Handshake RTT (SYN to ACK of SYN-ACK), or -1 when unseen. */
ts_ns_t conn_rtt_syn(const conn_t *c);

#endif
