/*
 * decode.h — from a link-layer frame to addresses, ports and payload.
 *
 * One call per captured frame: strips the link layer (Ethernet with 802.1Q /
 * QinQ / MPLS / PPPoE, Linux SLL and SLL2, raw IP, BSD null/loopback), the IP
 * layer (IPv4 options, IPv6 extension headers), tunnels (GRE incl. ERSPAN,
 * VXLAN; the innermost packet is the one analysed) and reads the transport
 * header (TCP, UDP, ICMP, ICMPv6).  Everything points into the frame: no copy.
 *
 * IP fragments are handed to ipfrag.h; when a datagram completes, decode
 * continues on the reassembled bytes (owned by the frag table until the next
 * call).  Anything that cannot be decoded is counted in the damage table with
 * a reason; a frame that is simply not IP (ARP, LLDP, ...) is counted in
 * decode_stats as "non-IP", not as damage.
 */
#ifndef PCAPCASE_DECODE_H
#define PCAPCASE_DECODE_H

#include "core/damage.h"
#include "core/types.h"

#include <stdbool.h>
#include <stdint.h>

/* Nested encapsulations followed before giving up (VLAN stacks, MPLS labels,
 * tunnels).  Real traffic rarely exceeds 4; a crafted loop must not recurse
 * forever. */
#define DECODE_MAX_LAYERS 16

/* SACK blocks kept per segment: a 40-byte option space holds at most four. */
#define DECODE_MAX_SACK 4

enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
    TCP_ECE = 0x40,
    TCP_CWR = 0x80
};

typedef struct packet {
    /* link */
    uint8_t mac_src[6], mac_dst[6];
    bool has_mac;
    uint16_t vlan;       /* outermost 802.1Q id, 0 if none */
    uint16_t inner_vlan; /* second tag (QinQ) */
    /* network */
    ipaddr_t src, dst;
    uint8_t ip_version; /* 4 or 6 (of the innermost analysed packet) */
    uint8_t ttl;
    uint8_t proto;    /* IPPROTO_* of the transport */
    uint16_t ip_id;   /* IPv4 identification (low 16 bits of v6 frag id) */
    uint32_t ip_len;  /* IP total length as on the wire (header + payload) */
    bool reassembled; /* datagram was rebuilt from fragments */
    bool tunnelled;
    /* transport */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint16_t win;  /* raw window field (unscaled) */
    int8_t wscale; /* window-scale option, -1 if absent */
    uint16_t mss;  /* MSS option, 0 if absent */
    bool sack_ok;
    uint8_t nsack;                     /* SACK blocks in this segment (RFC 2018) */
    uint32_t sack[DECODE_MAX_SACK][2]; /* [left edge, right edge), raw sequence numbers */
    uint8_t icmp_type, icmp_code;
    const uint8_t *payload;
    uint32_t payload_len;  /* bytes present in the capture */
    uint32_t payload_wire; /* bytes the packet claimed (>= payload_len if snapped) */
} packet_t;

typedef struct decode_stats {
    uint64_t non_ip;    /* ARP, LLDP, STP, ... */
    uint64_t fragments; /* IP fragments seen */
    uint64_t unsupported_link;
} decode_stats_t;

struct ipfrag_table;

typedef struct decoder {
    struct ipfrag_table *frags;
    damage_t *damage;
    decode_stats_t stats;
} decoder_t;

void decoder_init(decoder_t *d, damage_t *damage);
void decoder_free(decoder_t *d);

/* Decode one frame.  Returns true when pkt holds an IP packet with a parsed
 * transport (or a non-first fragment reassembled to one); false when there is
 * nothing to analyse (non-IP, damaged, fragment waiting for its siblings). */
bool decode_frame(decoder_t *d, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint64_t frame, ts_ns_t ts, packet_t *pkt);

#endif
