/*
 * capture.h — packets out of a pcap or pcapng file (optionally gzip'd).
 *
 * Why our own reader rather than pcap_next_ex(): libpcap refuses pcapng files
 * whose interfaces have different link types (common with `any` captures and
 * multi-interface sensors), it cannot hash the file in the same pass, and it
 * cannot read gzip without a temporary file.  The formats are small and well
 * specified; records are parsed through the bounds-checked cursor and handed
 * out zero-copy from a read-ahead window.  libpcap is still used for BPF
 * (filter.h) and its DLT numbers.
 *
 * Frame numbers are 1-based per file and count every packet record (EPB, SPB,
 * OPB, pcap record), exactly as Wireshark numbers them.
 */
#ifndef PCAPCASE_CAPTURE_H
#define PCAPCASE_CAPTURE_H

#include "core/damage.h"
#include "core/types.h"

#include <stdbool.h>
#include <stdint.h>

/* Largest packet record we accept.  pcap's own maximum snaplen is 256 KiB;
 * pcapng blocks can carry more (e.g. reassembled USB), so allow 16 MiB and call
 * anything larger a corrupt length field rather than allocate for it. */
#define CAPTURE_MAX_RECORD (16u << 20)

/* Distinct interfaces tracked in one pcapng file; more are counted as damage. */
#define CAPTURE_MAX_IFACES 256

typedef struct capture_pkt {
    ts_ns_t ts;
    uint64_t frame;      /* 1-based, per file */
    const uint8_t *data; /* caplen bytes, valid until the next capture_next() */
    uint32_t caplen;
    uint32_t origlen;
    uint32_t iface;    /* pcapng interface id; 0 for pcap */
    uint16_t linktype; /* LINKTYPE_* value (core/linktype.h) */
} capture_pkt_t;

typedef struct capture capture_t;

/* Open a capture.  NULL on failure with a one-line reason in err (not a
 * capture, unreadable, ...).  The file is opened read-only. */
capture_t *capture_open(const char *path, char *err, size_t errlen);
/* Without the SHA-256 (hash false): a second pass over evidence already
 * hashed; capture_sha256() then gives zeros. */
capture_t *capture_open_ex(const char *path, bool hash, char *err, size_t errlen);

/* Next packet: 1 = *pkt filled, 0 = clean end, -1 = the rest of the file could
 * not be read (reason recorded in capture_damage()).  After 0 or -1, keep
 * calling capture_close() only. */
int capture_next(capture_t *c, capture_pkt_t *pkt);

const char *capture_format_name(const capture_t *c); /* "pcap", "pcap-ns", "pcapng" (+ ".gz") */
int capture_ts_digits(const capture_t *c);           /* 6 or 9 */
/* Distinct link types seen so far (header and interfaces), in first-seen order. */
size_t capture_linktypes(const capture_t *c, const uint16_t **out);
uint64_t capture_raw_size(const capture_t *c);
uint64_t capture_raw_consumed(const capture_t *c);
damage_t *capture_damage(capture_t *c);
/* Do p[0..n) start with a pcap (either byte order, µs or ns) or pcapng
 * header's magic? */
bool capture_magic(const uint8_t *p, size_t n);
/* Finish reading the file for its hash; out receives SHA-256. Call once. */
void capture_sha256(capture_t *c, uint8_t out[32]);
void capture_close(capture_t *c);

/* Name of a link type for reports ("EN10MB", "LINUX_SLL2", ...): libpcap's
 * names, "UNKNOWN" for a number nobody names. */
const char *linktype_name(uint16_t lt);

#endif
