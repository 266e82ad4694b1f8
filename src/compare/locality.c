/* locality.c — traffic that cannot cross a router; see locality.h. */
#include "locality.h"

#include <netinet/in.h>
#include <string.h>

/* IPv4 TTL or IPv6 hop limit at which the next router drops a packet. */
#define TTL_EXPIRES_AT_NEXT_ROUTER 1
/* ICMPv6 neighbour discovery: router solicitation .. redirect (RFC 4861). */
#define ICMPV6_ND_FIRST 133
#define ICMPV6_ND_LAST 137

static const struct {
    const char *name, *label;
} reasons[LOCAL_REASONS] = {
    [LOCAL_NO] = {"none", "none"},
    [LOCAL_NOT_IP] = {"not_ip", "ARP and other non-IP frames"},
    [LOCAL_LINK_LOCAL] = {"link_local_address", "link-local addresses"},
    [LOCAL_LINK_MULTICAST] = {"link_scope_multicast", "link-scope multicast"},
    [LOCAL_NEIGHBOR_DISCOVERY] = {"neighbor_discovery", "IPv6 neighbour discovery"},
    [LOCAL_BROADCAST] = {"broadcast", "broadcast"},
    [LOCAL_TTL] = {"ttl_expires", "TTL or hop limit 1 or 0"},
};

const char *locality_name(locality_t l)
{
    return l < LOCAL_REASONS ? reasons[l].name : "?";
}

const char *locality_label(locality_t l)
{
    return l < LOCAL_REASONS ? reasons[l].label : "?";
}

static bool v6_prefix(const ipaddr_t *a, uint8_t b0, uint8_t b1, uint8_t mask1)
{
    return a->family == 6 && a->a[0] == b0 && (a->a[1] & mask1) == b1;
}

static bool v6_unspecified(const ipaddr_t *a)
{
    static const uint8_t zero[16];
    return a->family == 6 && memcmp(a->a, zero, 16) == 0;
}

static bool v4_is(const ipaddr_t *a, uint8_t b0, uint8_t b1, uint8_t b2, int bytes)
{
    const uint8_t want[3] = {b0, b1, b2};
    return a->family == 4 && memcmp(a->a, want, (size_t)bytes) == 0;
}

static bool link_local(const packet_t *p)
{
    return v6_prefix(&p->src, 0xfe, 0x80, 0xc0) || v6_unspecified(&p->src) ||
           v6_prefix(&p->dst, 0xfe, 0x80, 0xc0) || v4_is(&p->src, 169, 254, 0, 2) ||
           v4_is(&p->dst, 169, 254, 0, 2) ||
           (p->src.family == 4 && !p->src.a[0] && !p->src.a[1] && !p->src.a[2] && !p->src.a[3]);
}

static bool link_multicast(const packet_t *p)
{
    return v6_prefix(&p->dst, 0xff, 0x01, 0xff) || v6_prefix(&p->dst, 0xff, 0x02, 0xff) ||
           v4_is(&p->dst, 224, 0, 0, 3);
}

static bool limited_broadcast(const ipaddr_t *a)
{
    return a->family == 4 && a->a[0] == 255 && a->a[1] == 255 && a->a[2] == 255 && a->a[3] == 255;
}

static bool ethernet_broadcast(const packet_t *p)
{
    static const uint8_t all[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return p->has_mac && memcmp(p->mac_dst, all, 6) == 0;
}

bool locality_subnet_broadcast(const packet_t *p)
{
    return ethernet_broadcast(p) && p->dst.family == 4 && !limited_broadcast(&p->dst);
}

locality_t locality_of(const packet_t *p)
{
    if (link_local(p))
        return LOCAL_LINK_LOCAL;
    if (link_multicast(p))
        return LOCAL_LINK_MULTICAST;
    if (p->proto == IPPROTO_ICMPV6 && p->icmp_type >= ICMPV6_ND_FIRST &&
        p->icmp_type <= ICMPV6_ND_LAST)
        return LOCAL_NEIGHBOR_DISCOVERY;
    if (limited_broadcast(&p->dst) || ethernet_broadcast(p))
        return LOCAL_BROADCAST;
    if (p->ttl <= TTL_EXPIRES_AT_NEXT_ROUTER)
        return LOCAL_TTL;
    return LOCAL_NO;
}
