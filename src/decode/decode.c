/* decode.c — link, network and transport headers; see decode.h. */
#include "decode.h"

#include "core/cursor.h"
#include "core/linktype.h"
#include "decode/ipfrag.h"

#include <netinet/in.h>
#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define ETH_ERSPAN2 0x88BE
#define ETH_ERSPAN3 0x22EB
#define ETH_TEB 0x6558 /* transparent Ethernet bridging inside GRE */
#define ETH_PPP 0x880B /* PPP inside enhanced GRE (PPTP) */
/* An Ethernet type field up to this value is an 802.3 length, not a type. */
#define ETH_MAX_8023_LENGTH 1500
#define LLC_SNAP_SAP 0xAA
#define VXLAN_PORT 4789

/* PPP protocol numbers (PPP, PPPoE, PPTP) that carry IP. */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_ADDRESS_ALL 0xFF /* HDLC-like framing: address and control bytes precede */

/* Address families in the NULL/LOOP header: AF_INET is 2 everywhere, AF_INET6
 * differs by the system that wrote the capture. */
#define NULL_AF_INET 2
#define NULL_AF_INET6_LINUX 10
#define NULL_AF_INET6_BSD 24 /* NetBSD, OpenBSD, BSD/OS */
#define NULL_AF_INET6_FREEBSD 28
#define NULL_AF_INET6_DARWIN 30

/* GRE flags word: checksum, key and sequence present, the version, and
 * enhanced GRE's acknowledgment present (RFC 2784, 2890, 2637). */
#define GRE_CHECKSUM 0x8000
#define GRE_KEY 0x2000
#define GRE_SEQUENCE 0x1000
#define GRE_ACK 0x0080
#define GRE_VERSION 0x0007
#define GRE_VERSION_PPTP 1

/* TCP option kinds (RFC 9293, 7323, 2018) and the largest window shift. */
#define TCP_OPT_END 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERMITTED 4
#define TCP_OPT_SACK 5
#define TCP_MAX_WSCALE 14 /* RFC 7323 caps the shift at 14 */
#define TCP_MIN_HEADER 20

typedef struct ctx {
    decoder_t *d;
    packet_t *pkt;
    uint64_t frame;
    ts_ns_t ts;
    int layers;
} ctx_t;

static bool decode_ethernet(ctx_t *x, cursor_t c);
static bool decode_ip(ctx_t *x, cursor_t c);
static bool decode_ethertype(ctx_t *x, uint16_t type, cursor_t c);
static bool decode_ppp(ctx_t *x, cursor_t c);

static bool damaged(ctx_t *x, const char *reason)
{
    damage_note(x->d->damage, reason, x->frame);
    return false;
}

static bool deeper(ctx_t *x)
{
    if (++x->layers > DECODE_MAX_LAYERS)
        return damaged(x, "decode.too_many_layers");
    return true;
}

/* ---- transport ---- */

static void tcp_options(packet_t *p, cursor_t opt)
{
    uint8_t kind, len;
    while (cursor_u8(&opt, &kind)) {
        if (kind == TCP_OPT_END)
            break;
        if (kind == TCP_OPT_NOP)
            continue;
        if (!cursor_u8(&opt, &len) || len < 2)
            break;
        cursor_t v;
        if (!cursor_sub(&opt, len - 2u, &v))
            break;
        if (kind == TCP_OPT_MSS && len == 4)
            cursor_u16be(&v, &p->mss);
        else if (kind == TCP_OPT_WSCALE && len == 3) {
            uint8_t s = 0;
            if (cursor_u8(&v, &s))
                p->wscale = (int8_t)(s > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : s);
        } else if (kind == TCP_OPT_SACK_PERMITTED) {
            p->sack_ok = true;
        } else if (kind == TCP_OPT_SACK) {
            while (p->nsack < DECODE_MAX_SACK && cursor_u32be(&v, &p->sack[p->nsack][0]) &&
                   cursor_u32be(&v, &p->sack[p->nsack][1]))
                p->nsack++;
        }
    }
}

/* Parse the TCP header at *c and advance *c past it (options included). */
static bool decode_tcp(ctx_t *x, cursor_t *cp)
{
    cursor_t c = *cp;
    packet_t *p = x->pkt;
    uint16_t offflags, win, sum, urg;
    if (!cursor_u16be(&c, &p->sport) || !cursor_u16be(&c, &p->dport) ||
        !cursor_u32be(&c, &p->seq) || !cursor_u32be(&c, &p->ack) || !cursor_u16be(&c, &offflags) ||
        !cursor_u16be(&c, &win) || !cursor_u16be(&c, &sum) || !cursor_u16be(&c, &urg))
        return damaged(x, "tcp.truncated_header");
    p->tcp_flags = (uint8_t)(offflags & 0xFF);
    p->win = win;
    unsigned hlen = (offflags >> 12) * 4u;
    if (hlen < TCP_MIN_HEADER)
        return damaged(x, "tcp.bad_header_length");
    cursor_t opt;
    if (!cursor_sub(&c, hlen - TCP_MIN_HEADER, &opt))
        return damaged(x, "tcp.truncated_options");
    tcp_options(p, opt);
    *cp = c;
    return true;
}

static bool decode_udp(ctx_t *x, cursor_t c)
{
    packet_t *p = x->pkt;
    uint16_t len, sum;
    if (!cursor_u16be(&c, &p->sport) || !cursor_u16be(&c, &p->dport) || !cursor_u16be(&c, &len) ||
        !cursor_u16be(&c, &sum))
        return damaged(x, "udp.truncated_header");
    return true;
}

/* Transport header at c, whose total length on the wire is wire_len. */
static bool decode_transport(ctx_t *x, cursor_t c, uint32_t wire_len)
{
    packet_t *p = x->pkt;
    const uint8_t *start = c.p;
    bool ok = true;
    switch (p->proto) {
    case IPPROTO_TCP:
        ok = decode_tcp(x, &c);
        break;
    case IPPROTO_UDP:
        ok = decode_udp(x, c);
        if (ok) {
            cursor_skip(&c, 8);
            if (x->pkt->dport == VXLAN_PORT && !p->tunnelled && deeper(x)) {
                /* VXLAN: 8-byte header with the I flag, then Ethernet */
                uint8_t flags;
                cursor_t v = c;
                if (cursor_u8(&v, &flags) && (flags & 0x08) && cursor_skip(&v, 7) &&
                    cursor_left(&v) >= 14) {
                    packet_t outer = *p;
                    p->tunnelled = true;
                    if (decode_ethernet(x, v))
                        return true;
                    *p = outer; /* not VXLAN after all: analyse the UDP packet */
                }
            }
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        if (!cursor_u8(&c, &p->icmp_type) || !cursor_u8(&c, &p->icmp_code) || !cursor_skip(&c, 2))
            ok = damaged(x, "icmp.truncated_header");
        break;
    default:
        break;
    }
    if (!ok)
        return false;
    uint32_t hdr = (uint32_t)(c.p - start);
    p->payload = c.p;
    p->payload_len = (uint32_t)cursor_left(&c);
    p->payload_wire = wire_len > hdr ? wire_len - hdr : 0;
    if (p->payload_len > p->payload_wire)
        p->payload_len = p->payload_wire; /* Ethernet padding is not payload */
    return true;
}

/* ---- GRE / ERSPAN ---- */

static bool decode_gre(ctx_t *x, cursor_t c)
{
    uint16_t flags, type;
    if (!cursor_u16be(&c, &flags) || !cursor_u16be(&c, &type))
        return damaged(x, "gre.truncated_header");
    if ((flags & GRE_VERSION) > GRE_VERSION_PPTP) /* version 0 (GRE) or 1 (PPTP) only */
        return damaged(x, "gre.unsupported_version");
    bool pptp = (flags & GRE_VERSION) == GRE_VERSION_PPTP;
    size_t extra = ((flags & GRE_CHECKSUM) ? 4 : 0) + ((flags & GRE_KEY) ? 4 : 0) +
                   ((flags & GRE_SEQUENCE) ? 4 : 0) + (pptp && (flags & GRE_ACK) ? 4 : 0);
    if (!cursor_skip(&c, extra))
        return damaged(x, "gre.truncated_header");
    if (type == ETH_ERSPAN2 || type == ETH_ERSPAN3) {
        /* ERSPAN type II has an 8-byte header, type III 12 (+8 if O bit) */
        size_t hl = type == ETH_ERSPAN2 ? 8 : 12;
        if (type == ETH_ERSPAN3 && cursor_left(&c) > 11 && (c.p[11] & 0x01))
            hl += 8;
        if (!(flags & GRE_SEQUENCE) && type == ETH_ERSPAN2)
            hl = 0; /* ERSPAN type I: no sequence number, no header */
        if (!cursor_skip(&c, hl))
            return damaged(x, "erspan.truncated_header");
        x->pkt->tunnelled = true;
        return deeper(x) && decode_ethernet(x, c);
    }
    if (type == ETH_PPP) {
        x->pkt->tunnelled = true;
        return deeper(x) && decode_ppp(x, c);
    }
    if (type == ETH_TEB) {
        x->pkt->tunnelled = true;
        return deeper(x) && decode_ethernet(x, c);
    }
    x->pkt->tunnelled = true;
    return deeper(x) && decode_ethertype(x, type, c);
}

/* ---- IP ---- */

static bool ip_payload(ctx_t *x, cursor_t c, uint32_t wire_len)
{
    packet_t *p = x->pkt;
    if (p->proto == IPPROTO_GRE)
        return decode_gre(x, c);
    if ((p->proto == IPPROTO_IPIP || p->proto == IPPROTO_IPV6) && deeper(x)) {
        p->tunnelled = true;
        return decode_ip(x, c);
    }
    return decode_transport(x, c, wire_len);
}

static bool fragment(ctx_t *x, cursor_t c, uint32_t id, uint32_t off, bool more)
{
    packet_t *p = x->pkt;
    x->d->stats.fragments++;
    ipfrag_key_t k;
    memset(&k, 0, sizeof k);
    k.src = p->src, k.dst = p->dst, k.id = id, k.proto = p->proto;
    const uint8_t *whole;
    uint32_t wlen;
    if (!ipfrag_add(x->d->frags, &k, off, c.p, (uint32_t)cursor_left(&c), more, x->frame, x->ts,
                    &whole, &wlen))
        return false;
    p->reassembled = true;
    return ip_payload(x, cursor_make(whole, wlen), wlen);
}

static bool decode_ipv4(ctx_t *x, cursor_t c)
{
    packet_t *p = x->pkt;
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag, sum;
    cursor_t h = c;
    if (!cursor_u8(&h, &vihl) || !cursor_u8(&h, &tos) || !cursor_u16be(&h, &total) ||
        !cursor_u16be(&h, &id) || !cursor_u16be(&h, &frag) || !cursor_u8(&h, &ttl) ||
        !cursor_u8(&h, &proto) || !cursor_u16be(&h, &sum))
        return damaged(x, "ipv4.truncated_header");
    unsigned hl = (vihl & 0x0F) * 4u;
    if (hl < 20)
        return damaged(x, "ipv4.bad_header_length");
    if (total < hl)
        return damaged(x, "ipv4.bad_total_length");
    memset(&p->src, 0, sizeof p->src);
    memset(&p->dst, 0, sizeof p->dst);
    p->src.family = p->dst.family = 4;
    if (!cursor_copy(&h, p->src.a, 4) || !cursor_copy(&h, p->dst.a, 4))
        return damaged(x, "ipv4.truncated_header");
    if (!cursor_skip(&c, hl))
        return damaged(x, "ipv4.truncated_options");
    p->ip_version = 4;
    p->ttl = ttl;
    p->proto = proto;
    p->ip_id = id;
    p->ip_len = total;
    uint32_t plen = total - hl;
    /* The capture may be snapped (fewer bytes) or padded (more bytes). */
    if (cursor_left(&c) > plen)
        c.end = c.p + plen;
    uint32_t off = (uint32_t)(frag & 0x1FFF) * 8u;
    bool more = (frag & 0x2000) != 0;
    if (off || more) {
        if (cursor_left(&c) < plen)
            return damaged(x, "ipv4.fragment_truncated_by_snaplen");
        return fragment(x, c, id, off, more);
    }
    return ip_payload(x, c, plen);
}

static bool decode_ipv6(ctx_t *x, cursor_t c)
{
    packet_t *p = x->pkt;
    uint32_t vtf;
    uint16_t plen;
    uint8_t next, hops;
    if (!cursor_u32be(&c, &vtf) || !cursor_u16be(&c, &plen) || !cursor_u8(&c, &next) ||
        !cursor_u8(&c, &hops))
        return damaged(x, "ipv6.truncated_header");
    memset(&p->src, 0, sizeof p->src);
    memset(&p->dst, 0, sizeof p->dst);
    p->src.family = p->dst.family = 6;
    if (!cursor_copy(&c, p->src.a, 16) || !cursor_copy(&c, p->dst.a, 16))
        return damaged(x, "ipv6.truncated_header");
    p->ip_version = 6;
    p->ttl = hops;
    p->ip_len = 40u + plen;
    if (cursor_left(&c) > plen)
        c.end = c.p + plen;
    uint32_t remaining = plen;
    for (int n = 0; n < DECODE_MAX_LAYERS; n++) {
        uint8_t nh, hlen8;
        switch (next) {
        case IPPROTO_HOPOPTS:
        case IPPROTO_ROUTING:
        case IPPROTO_DSTOPTS:
        case IPPROTO_MH: /* mobility */
        {
            cursor_t e = c;
            if (!cursor_u8(&e, &nh) || !cursor_u8(&e, &hlen8))
                return damaged(x, "ipv6.truncated_extension");
            size_t l = ((size_t)hlen8 + 1) * 8;
            if (!cursor_skip(&c, l) || l > remaining)
                return damaged(x, "ipv6.truncated_extension");
            remaining -= (uint32_t)l;
            next = nh;
            continue;
        }
        case IPPROTO_AH: /* length in 4-byte units minus 2 */
        {
            cursor_t e = c;
            if (!cursor_u8(&e, &nh) || !cursor_u8(&e, &hlen8))
                return damaged(x, "ipv6.truncated_extension");
            size_t l = ((size_t)hlen8 + 2) * 4;
            if (!cursor_skip(&c, l) || l > remaining)
                return damaged(x, "ipv6.truncated_extension");
            remaining -= (uint32_t)l;
            next = nh;
            continue;
        }
        case IPPROTO_FRAGMENT: {
            uint8_t res;
            uint16_t offm;
            uint32_t id;
            if (!cursor_u8(&c, &nh) || !cursor_u8(&c, &res) || !cursor_u16be(&c, &offm) ||
                !cursor_u32be(&c, &id) || remaining < 8)
                return damaged(x, "ipv6.truncated_fragment_header");
            remaining -= 8;
            p->proto = nh;
            p->ip_id = (uint16_t)id;
            uint32_t off = (uint32_t)(offm & 0xFFF8);
            bool more = offm & 1;
            if (off == 0 && !more) /* atomic fragment (RFC 6946) */
                return ip_payload(x, c, remaining);
            if (cursor_left(&c) < remaining)
                return damaged(x, "ipv6.fragment_truncated_by_snaplen");
            return fragment(x, c, id, off, more);
        }
        case IPPROTO_NONE: /* no next header */
            p->proto = IPPROTO_NONE;
            return decode_transport(x, c, remaining);
        default:
            p->proto = next;
            return ip_payload(x, c, remaining);
        }
    }
    return damaged(x, "ipv6.too_many_extensions");
}

static bool decode_ip(ctx_t *x, cursor_t c)
{
    uint8_t v;
    if (!cursor_peek_u8(&c, &v))
        return damaged(x, "ip.truncated_header");
    if ((v >> 4) == 4)
        return decode_ipv4(x, c);
    if ((v >> 4) == 6)
        return decode_ipv6(x, c);
    return damaged(x, "ip.bad_version");
}

/* ---- link ---- */

static bool decode_mpls(ctx_t *x, cursor_t c)
{
    uint32_t label;
    do {
        if (!cursor_u32be(&c, &label))
            return damaged(x, "mpls.truncated");
        if (!deeper(x))
            return false;
    } while (!(label & 0x100)); /* bottom of stack */
    uint8_t v;
    if (!cursor_peek_u8(&c, &v))
        return damaged(x, "mpls.truncated");
    if ((v >> 4) == 4 || (v >> 4) == 6)
        return decode_ip(x, c);
    /* pseudo-wire with control word: Ethernet follows a zero nibble */
    if ((v >> 4) == 0 && cursor_skip(&c, 4))
        return decode_ethernet(x, c);
    return damaged(x, "mpls.unknown_payload");
}

static bool decode_pppoe(ctx_t *x, cursor_t c)
{
    uint16_t proto;
    if (!cursor_skip(&c, 6) || !cursor_u16be(&c, &proto))
        return damaged(x, "pppoe.truncated");
    if (proto == PPP_IPV4 || proto == PPP_IPV6)
        return decode_ip(x, c);
    x->d->stats.non_ip++;
    return false;
}

static bool decode_ethertype(ctx_t *x, uint16_t type, cursor_t c)
{
    packet_t *p = x->pkt;
    for (;;) {
        switch (type) {
        case ETH_IPV4:
        case ETH_IPV6:
            return decode_ip(x, c);
        case ETH_VLAN:
        case ETH_QINQ:
        case ETH_QINQ_OLD: {
            uint16_t tci;
            if (!cursor_u16be(&c, &tci) || !cursor_u16be(&c, &type))
                return damaged(x, "vlan.truncated");
            if (!p->vlan)
                p->vlan = tci & 0x0FFF;
            else if (!p->inner_vlan)
                p->inner_vlan = tci & 0x0FFF;
            if (!deeper(x))
                return false;
            continue;
        }
        case ETH_MPLS:
        case ETH_MPLS_MC:
            return decode_mpls(x, c);
        case ETH_PPPOE:
            return decode_pppoe(x, c);
        default:
            x->d->stats.non_ip++;
            return false;
        }
    }
}

static bool decode_ethernet(ctx_t *x, cursor_t c)
{
    packet_t *p = x->pkt;
    uint16_t type;
    if (!cursor_copy(&c, p->mac_dst, 6) || !cursor_copy(&c, p->mac_src, 6) ||
        !cursor_u16be(&c, &type))
        return damaged(x, "ethernet.truncated_header");
    p->has_mac = true;
    if (type <= ETH_MAX_8023_LENGTH) { /* 802.3 length: LLC/SNAP, STP, ... not IP */
        uint8_t dsap, ssap, ctl;
        if (cursor_u8(&c, &dsap) && cursor_u8(&c, &ssap) && cursor_u8(&c, &ctl) &&
            dsap == LLC_SNAP_SAP && ssap == LLC_SNAP_SAP && cursor_skip(&c, 3) &&
            cursor_u16be(&c, &type))
            return decode_ethertype(x, type, c);
        x->d->stats.non_ip++;
        return false;
    }
    return decode_ethertype(x, type, c);
}

static bool decode_sll(ctx_t *x, cursor_t c)
{
    uint16_t ptype, hatype, alen, proto;
    if (!cursor_u16be(&c, &ptype) || !cursor_u16be(&c, &hatype) || !cursor_u16be(&c, &alen) ||
        !cursor_skip(&c, 8) || !cursor_u16be(&c, &proto))
        return damaged(x, "sll.truncated_header");
    return decode_ethertype(x, proto, c);
}

static bool decode_sll2(ctx_t *x, cursor_t c)
{
    uint16_t proto;
    if (!cursor_u16be(&c, &proto) || !cursor_skip(&c, 18))
        return damaged(x, "sll2.truncated_header");
    return decode_ethertype(x, proto, c);
}

static bool decode_null(ctx_t *x, cursor_t c, bool loop)
{
    uint32_t fam;
    const uint8_t *b;
    if (!cursor_bytes(&c, 4, &b))
        return damaged(x, "null.truncated_header");
    /* DLT_NULL is host byte order of the capturing machine: accept both. */
    fam = loop ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
               : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
    if (fam > 0xFFFF)
        fam = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (fam == NULL_AF_INET || fam == NULL_AF_INET6_LINUX || fam == NULL_AF_INET6_BSD ||
        fam == NULL_AF_INET6_FREEBSD || fam == NULL_AF_INET6_DARWIN)
        return decode_ip(x, c);
    x->d->stats.non_ip++;
    return false;
}

static bool decode_ppp(ctx_t *x, cursor_t c)
{
    uint8_t a;
    uint16_t proto;
    if (cursor_peek_u8(&c, &a) && a == PPP_ADDRESS_ALL)
        cursor_skip(&c, 2);
    if (!cursor_u16be(&c, &proto))
        return damaged(x, "ppp.truncated_header");
    if (proto == PPP_IPV4 || proto == PPP_IPV6)
        return decode_ip(x, c);
    x->d->stats.non_ip++;
    return false;
}

static bool decode_null_host_order(ctx_t *x, cursor_t c)
{
    return decode_null(x, c, false);
}

static bool decode_loop(ctx_t *x, cursor_t c)
{
    return decode_null(x, c, true);
}

/* The first header of a frame, by the link type its capture gives. */
static const struct {
    uint16_t linktype;
    bool (*decode)(ctx_t *x, cursor_t c);
} link_decoders[] = {
    {LINKTYPE_ETHERNET, decode_ethernet},
    {LINKTYPE_RAW, decode_ip},
    {LINKTYPE_RAW_DLT12, decode_ip},
    {LINKTYPE_RAW_DLT14, decode_ip},
    {LINKTYPE_IPV4, decode_ipv4},
    {LINKTYPE_IPV6, decode_ipv6},
    {LINKTYPE_NULL, decode_null_host_order},
    {LINKTYPE_LOOP, decode_loop},
    {LINKTYPE_LINUX_SLL, decode_sll},
    {LINKTYPE_LINUX_SLL2, decode_sll2},
    {LINKTYPE_PPP, decode_ppp},
    {LINKTYPE_PPP_HDLC, decode_ppp},
    {LINKTYPE_PPP_ETHER, decode_ppp},
};

void decoder_init(decoder_t *d, damage_t *damage)
{
    memset(d, 0, sizeof *d);
    d->damage = damage;
    d->frags = ipfrag_new(damage);
}

void decoder_free(decoder_t *d)
{
    ipfrag_free(d->frags);
    d->frags = NULL;
}

bool decode_frame(decoder_t *d, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint64_t frame, ts_ns_t ts, packet_t *pkt)
{
    memset(pkt, 0, offsetof(packet_t, payload));
    pkt->wscale = -1;
    pkt->payload = NULL;
    pkt->payload_len = pkt->payload_wire = 0;
    if (!data)
        return false;
    ctx_t x = {d, pkt, frame, ts, 0};
    cursor_t c = cursor_make(data, caplen);
    for (size_t i = 0; i < sizeof link_decoders / sizeof link_decoders[0]; i++)
        if (link_decoders[i].linktype == linktype)
            return link_decoders[i].decode(&x, c);
    d->stats.unsupported_link++;
    return false;
}
