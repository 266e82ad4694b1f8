/*
 * flowhash.h — which worker (and which --shard) owns a packet.
 *
 * The route hash of a packet is symmetric (either direction gives the same)
 * and a pure function of its innermost addresses, ports and transport, so
 * every packet of a connection meets in one place, in every run and every
 * shard.  By default it covers the innermost IP address pair only: so do
 * the things that join connections of one pair of hosts (an FTP control
 * connection and its data connections, a TFTP request and its transfer, the
 * channels of one SMB 3 multichannel session), which join connections whose
 * ports cannot be told from the packets (a passive FTP data connection is
 * between two arbitrary ports).  A TCP or UDP flow with one end on a port of
 * flow_port_alone — services whose connections share nothing with other
 * connections between the same hosts, all below 1024 where no FTP or TFTP
 * transfer goes — is routed by its address pair and both ports: the many
 * connections of one browser to one web server spread over the workers.
 * (IP fragments are no reason to leave ports out: the reader reassembles
 * them while decoding, before the hash, so a worker gets whole datagrams
 * with their ports.)  Packets that decode to no IP packet (ARP, LLDP,
 * damaged frames) are counted by the reader and go to no worker.
 *
 * The price: one pair of hosts talking FTP, TFTP, SMB or anything on ports
 * outside that list is one worker's work.
 */
#ifndef PCAPCASE_FLOWHASH_H
#define PCAPCASE_FLOWHASH_H

#include "core/types.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* MurmurHash3's finaliser (fmix64): FNV's low bits alone spread poorly. */
static inline uint64_t flow_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The address pair alone, in either order. */
static inline uint32_t flow_pair_hash(const ipaddr_t *a, const ipaddr_t *b)
{
    int c = a->family != b->family ? (a->family < b->family ? -1 : 1) : memcmp(a->a, b->a, 16);
    const ipaddr_t *lo = c <= 0 ? a : b, *hi = c <= 0 ? b : a;
    uint64_t h = hash_fnv1a(&lo->family, 1, 0);
    h = hash_fnv1a(lo->a, 16, h);
    h = hash_fnv1a(&hi->family, 1, h);
    h = hash_fnv1a(hi->a, 16, h);
    return (uint32_t)flow_mix64(h);
}

/* Ports of services whose connections stand alone (see above): DNS, DNS
 * over TLS, HTTP, HTTPS (and QUIC), SMTP, submission, POP3, IMAP and their
 * TLS ports.  Kept below 1024: a server hands out FTP passive ports (and
 * TFTP transfer ports) from the unprivileged range. */
static inline bool flow_port_alone(uint16_t port)
{
    switch (port) {
    case 25:
    case 53:
    case 80:
    case 110:
    case 143:
    case 443:
    case 465:
    case 587:
    case 853:
    case 993:
    case 995:
        return true;
    default:
        return false;
    }
}

/* The route hash of a flow between a:ap and b:bp (tcp_or_udp: its ports
 * are ports), in either direction. */
static inline uint32_t flow_route_hash(bool tcp_or_udp, const ipaddr_t *a, uint16_t ap,
                                       const ipaddr_t *b, uint16_t bp)
{
    uint32_t h = flow_pair_hash(a, b);
    if (!tcp_or_udp || !(flow_port_alone(ap) || flow_port_alone(bp)))
        return h;
    uint64_t lo = ap < bp ? ap : bp, hi = ap < bp ? bp : ap;
    return (uint32_t)flow_mix64((uint64_t)h << 32 ^ lo << 16 ^ hi);
}

/* The worker of nworkers that owns hash h, when the capture is split into
 * nshards shards first (nshards 0 or 1: not split). */
static inline unsigned flow_worker_of(uint32_t h, unsigned nshards, unsigned nworkers)
{
    if (nshards > 1)
        h /= nshards;
    return nworkers > 1 ? h % nworkers : 0;
}

/* Does shard k of nshards own hash h? */
static inline int flow_in_shard(uint32_t h, unsigned k, unsigned nshards)
{
    return nshards <= 1 || h % nshards == k;
}

#endif
