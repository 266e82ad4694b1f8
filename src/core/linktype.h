/*
 * linktype.h — the link-layer header types a capture file gives for its
 * packets: pcap's and pcapng's LINKTYPE_ numbers (tcpdump.org/linktypes.html).
 *
 * capture/ reads them from files and names them for case.json and summary;
 * decode/ chooses the header decoder by them.  They are the numbers stored in
 * files, not libpcap's DLT_ values, which differ for a few types on some
 * systems (DLT_RAW is 12 or 14 there; files say LINKTYPE_RAW, 101) — old
 * BSD libpcaps wrote those DLT values into files, hence the _DLT entries.
 * Only the types pcapcase decodes or names itself are listed; libpcap names
 * the others (linktype_name in capture.h).
 */
#ifndef PCAPCASE_LINKTYPE_H
#define PCAPCASE_LINKTYPE_H

enum linktype {
    LINKTYPE_NULL = 0,         /* BSD loopback: address family in host byte order */
    LINKTYPE_ETHERNET = 1,     /* libpcap's name: EN10MB */
    LINKTYPE_PPP = 9,          /* PPP, optionally with HDLC address and control */
    LINKTYPE_RAW_DLT12 = 12,   /* raw IP, as most old BSD libpcaps wrote DLT_RAW */
    LINKTYPE_RAW_DLT14 = 14,   /* raw IP, as OpenBSD's libpcap wrote DLT_RAW */
    LINKTYPE_PPP_HDLC = 50,    /* PPP in HDLC-like framing */
    LINKTYPE_PPP_ETHER = 51,   /* PPPoE */
    LINKTYPE_RAW = 101,        /* raw IPv4 or IPv6, by the version nibble */
    LINKTYPE_C_HDLC = 104,     /* Cisco HDLC */
    LINKTYPE_IEEE802_11 = 105, /* 802.11 without radio header */
    LINKTYPE_LOOP = 108,       /* OpenBSD loopback: address family in network order */
    LINKTYPE_LINUX_SLL = 113,  /* Linux "any" device, cooked header v1 */
    LINKTYPE_IEEE802_11_RADIOTAP = 127,
    LINKTYPE_IPV4 = 228,       /* raw IPv4 only */
    LINKTYPE_IPV6 = 229,       /* raw IPv6 only */
    LINKTYPE_LINUX_SLL2 = 276, /* Linux "any" device, cooked header v2 */
    /* Ours, never in a file: a pcapng packet block that could not be read
     * has no link type (the frame is still counted, as Wireshark does). */
    LINKTYPE_UNREADABLE = 0xFFFF,
};

#endif
