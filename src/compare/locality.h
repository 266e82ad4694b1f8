/*
 * locality.h — traffic that cannot cross a router.
 *
 * A packet seen at one point only is lost between the points, or injected
 * between them — unless no router would ever have forwarded it: then it
 * was local to the segment of the point that saw it (issue 23: IPv6
 * neighbour discovery counted as loss).  Such a packet is "local to point A
 * (or B)": counted on its own, never as loss, delay or "only at the far
 * point".  Where both points sit on one segment such traffic is seen at
 * both and matches like any other: the rule only applies to what stays
 * unmatched.
 *
 * What a router does not forward, in the order the reasons are given:
 *
 *   not IP               ARP, LLDP, STP and every other non-IP frame;
 *   link-local address   IPv6 source fe80::/10 or :: or destination
 *                        fe80::/10; IPv4 source or destination in
 *                        169.254.0.0/16, source 0.0.0.0 (RFC 4291, 3927,
 *                        1122);
 *   link-scope multicast IPv6 ff01::/16 and ff02::/16, IPv4 224.0.0.0/24
 *                        (RFC 4291, 5771);
 *   neighbour discovery  ICMPv6 types 133–137, link-scope by definition
 *                        whatever the addresses (RFC 4861: hop limit 255,
 *                        discarded otherwise);
 *   broadcast            IPv4 255.255.255.255; a frame sent to the Ethernet
 *                        broadcast address; and a subnet's directed
 *                        broadcast (RFC 2644: routers do not forward them) —
 *                        inferred, since the prefix length is not in the
 *                        capture, from the traffic itself: an IPv4
 *                        destination that some packet at either point carried
 *                        in a frame to the Ethernet broadcast address is a
 *                        subnet broadcast (a host puts a broadcast of its
 *                        own subnet on the wire that way), and every packet
 *                        to it counts as broadcast.  Captures without a
 *                        link layer (raw IP) give no such evidence;
 *   TTL expires          IPv4 TTL or IPv6 hop limit 0 or 1: the next router
 *                        drops it.
 */
#ifndef PCAPCASE_LOCALITY_H
#define PCAPCASE_LOCALITY_H

#include "decode/decode.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum locality {
    LOCAL_NO, /* a router may forward it */
    LOCAL_NOT_IP,
    LOCAL_LINK_LOCAL,
    LOCAL_LINK_MULTICAST,
    LOCAL_NEIGHBOR_DISCOVERY,
    LOCAL_BROADCAST,
    LOCAL_TTL,
    LOCAL_REASONS /* how many values, LOCAL_NO included */
} locality_t;

/* The reason an IP packet cannot cross a router, from the packet alone
 * (a directed broadcast is only known later: locality_subnet_broadcast). */
locality_t locality_of(const packet_t *p);

/* Was p sent to the Ethernet broadcast address with an IPv4 destination
 * other than 255.255.255.255?  Then that destination is a subnet's
 * broadcast address. */
bool locality_subnet_broadcast(const packet_t *p);

/* The name of a reason in compare.json and unmatched.ndjson
 * ("link_local_address", ...). */
const char *locality_name(locality_t l);
/* For people: "link-local address", ... */
const char *locality_label(locality_t l);

#endif
