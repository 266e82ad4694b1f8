/*
 * ipfrag.h — IPv4 and IPv6 fragment reassembly.
 *
 * Fragments are keyed by (src, dst, id, proto) and collected until the
 * datagram is complete.  Overlapping fragments are an evasion technique: the
 * first-received bytes are kept and the overlap is recorded as an anomaly.
 * Limits keep a flood of never-completed fragments from growing memory.
 */
#ifndef PCAPCASE_IPFRAG_H
#define PCAPCASE_IPFRAG_H

#include "core/damage.h"
#include "core/types.h"

#include <stdbool.h>
#include <stdint.h>

/* Fragments kept per datagram: 64 KiB / 8-byte minimum offsets allows 8192,
 * but no real stack sends more than ~50; 256 keeps the per-datagram list small. */
#define IPFRAG_MAX_FRAGS_PER_DGRAM 256
/* Datagrams in reassembly at once; beyond it the oldest is given up. */
#define IPFRAG_MAX_PENDING 4096
/* Incomplete datagrams are given up after this long, like Linux's ipfrag_time. */
#define IPFRAG_TIMEOUT_NS (30LL * NS_PER_SEC)

typedef struct ipfrag_table ipfrag_table_t;

typedef struct ipfrag_key {
    ipaddr_t src, dst;
    uint32_t id;
    uint8_t proto;
} ipfrag_key_t;

ipfrag_table_t *ipfrag_new(damage_t *damage);
void ipfrag_free(ipfrag_table_t *t);

/* Add one fragment: payload bytes [off, off+len) of the datagram, more=MF.
 * Returns true when the datagram is complete: out and outlen then point at the
 * whole transport payload, valid until the next call. */
bool ipfrag_add(ipfrag_table_t *t, const ipfrag_key_t *key, uint32_t off, const uint8_t *data,
                uint32_t len, bool more, uint64_t frame, ts_ns_t ts, const uint8_t **out,
                uint32_t *outlen);

#endif
