/*
 * flowhash.h — which worker (and which --shard) owns a packet.
 *
 * The hash covers the innermost IP address pair only, in either direction:
 * every packet of a connection meets in one place whichever way it goes, and
 * so do the things that join connections of one pair of hosts (an FTP
 * control connection and its data connections, a TFTP request and its
 * transfer, the channels of one SMB 3 multichannel session).  Those join
 * connections whose ports cannot be told from the packets (a passive FTP
 * data connection is between two arbitrary ports), so ports are left out.
 * (IP fragments are no reason: the reader reassembles them while decoding,
 * before the hash, so a worker gets whole datagrams with their ports.)
 * Packets that decode to no IP packet (ARP, LLDP, damaged frames) are
 * counted by the reader and go to no worker.
 *
 * The price: one pair of hosts is one worker's work.  A capture of a single
 * client and server is analysed on one core (see docs/performance.md).
 */
#ifndef PCAPCASE_FLOWHASH_H
#define PCAPCASE_FLOWHASH_H

#include "core/types.h"

#include <stdint.h>
#include <string.h>

static inline uint32_t flow_pair_hash(const ipaddr_t *a, const ipaddr_t *b)
{
    int c = a->family != b->family ? (a->family < b->family ? -1 : 1) : memcmp(a->a, b->a, 16);
    const ipaddr_t *lo = c <= 0 ? a : b, *hi = c <= 0 ? b : a;
    uint64_t h = hash_fnv1a(&lo->family, 1, 0);
    h = hash_fnv1a(lo->a, 16, h);
    h = hash_fnv1a(&hi->family, 1, h);
    h = hash_fnv1a(hi->a, 16, h);
    /* finaliser (MurmurHash3's fmix64): FNV's low bits alone spread poorly */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (uint32_t)h;
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
