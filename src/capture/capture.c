/* capture.c — pcap and pcapng record parsing; see capture.h. */
#include "capture.h"

#include "capture/input.h"
#include "core/cursor.h"
#include "core/linktype.h"
#include "core/xalloc.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read-ahead window.  Records are handed out as pointers into it (or into
 * the input's chunk, see ensure()), so it must hold the largest record plus
 * slack for the next header. */
#define WINDOW_SIZE (CAPTURE_MAX_RECORD + (4u << 20))

/* pcap: the magic number as written by a machine of either byte order, for
 * microsecond and nanosecond timestamps; the file header and record header. */
#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_US_SWAPPED 0xD4C3B2A1u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_MAGIC_NS_SWAPPED 0x4D3CB2A1u
#define PCAP_FILE_HEADER 24
#define PCAP_RECORD_HEADER 16

/* pcapng block types, the byte-order magic, and interface options. */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_OPB 0x00000002u
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du
#define PCAPNG_BOM_SWAPPED 0x4D3C2B1Au
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_OPT_IF_TSOFFSET 14
/* Block type and total length before the body, total length again after. */
#define PCAPNG_BLOCK_OVERHEAD 12
/* Largest block: a packet record of CAPTURE_MAX_RECORD with the packet
 * block's fixed fields and some options. */
#define PCAPNG_MAX_BLOCK (CAPTURE_MAX_RECORD + 64)
/* Smallest section header block: overhead, magic, versions, section length. */
#define PCAPNG_SHB_MIN 28
/* pcapng's default timestamp resolution: microseconds. */
#define PCAPNG_DEFAULT_UNITS_PER_SEC 1000000u

/* Distinct link types remembered per file for case.json; a file with more
 * (the format allows one per interface) is not a real capture. */
#define CAPTURE_MAX_LINKTYPES 32

typedef enum capture_format {
    CAPTURE_PCAP_US,
    CAPTURE_PCAP_NS,
    CAPTURE_PCAPNG,
} capture_format_t;

typedef struct iface {
    uint16_t linktype;
    uint32_t snaplen;
    uint64_t units_per_sec; /* timestamp resolution */
    int64_t offset_sec;     /* if_tsoffset */
} iface_t;

struct capture {
    input_t *in;
    capture_format_t format;
    bool swapped;    /* file byte order differs from the reader's view (pcap) */
    bool big_endian; /* pcapng section byte order */
    uint8_t *win;
    const uint8_t *buf; /* win, or a chunk borrowed from the input */
    size_t pos, len;    /* unread bytes are buf[pos .. len) */
    bool borrow;        /* plain file: records are read in place */
    bool eof;
    uint64_t frame;
    uint16_t pcap_linktype;
    uint32_t pcap_snaplen;
    iface_t *ifaces;
    size_t nifaces;
    uint16_t linktypes[CAPTURE_MAX_LINKTYPES];
    size_t nlinktypes;
    int ts_digits;
    bool finished;
    damage_t damage;
};

/* Make n bytes available at buf[pos].  False at end of data (or error).
 *
 * A plain file's records are read where the input has them (its mapped or
 * read chunk, input_borrow()): no copy.  Only a record that crosses the end
 * of a chunk is put together in the window, from the chunk's last bytes and
 * just what it needs of the next; the next record is read in place again.
 * (Copying every byte into the window cost the reader ~0.1 s of CPU per GB:
 * docs/performance.md.)
 *
 * A gzip'd file is inflated into the window, about READ_STEP at a time
 * rather than the whole window: the input layer hashes in a background
 * thread that may run at most a few MiB ahead, so asking for the whole
 * window at once would stall decoding until hashing caught up instead of
 * overlapping the two. */
#define READ_STEP (1u << 20)

bool capture_magic(const uint8_t *p, size_t n)
{
    if (n < 4)
        return false;
    uint32_t m = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    return m == PCAP_MAGIC_US || m == PCAP_MAGIC_US_SWAPPED || m == PCAP_MAGIC_NS ||
           m == PCAP_MAGIC_NS_SWAPPED || m == PCAPNG_SHB;
}

static void read_failed(capture_t *c)
{
    damage_note(&c->damage, input_is_gzip(c->in) ? "gzip.truncated_or_corrupt" : "file.read_error",
                c->frame + 1);
    c->eof = true;
}

static bool ensure(capture_t *c, size_t n)
{
    if (c->len - c->pos >= n)
        return true;
    if (n > WINDOW_SIZE)
        return false;
    if (c->borrow && c->pos == c->len && !c->eof) {
        const uint8_t *p;
        ssize_t r = input_borrow(c->in, &p);
        if (r < 0) {
            read_failed(c);
            return false;
        }
        if (r == 0) {
            c->eof = true;
            return false;
        }
        c->buf = p;
        c->pos = 0;
        c->len = (size_t)r;
        if (c->len >= n)
            return true;
    }
    size_t have = c->len - c->pos;
    if (c->buf != c->win) /* the rest of a borrowed chunk */
        memcpy(c->win, c->buf + c->pos, have);
    else if (c->pos > 0)
        memmove(c->win, c->buf + c->pos, have);
    c->buf = c->win;
    c->pos = 0;
    c->len = have;
    while (c->len < n && !c->eof) {
        size_t want = n - c->len;
        if (!c->borrow && want < READ_STEP)
            want = READ_STEP;
        if (want > WINDOW_SIZE - c->len)
            want = WINDOW_SIZE - c->len;
        ssize_t r = input_read(c->in, c->win + c->len, want);
        if (r < 0) {
            read_failed(c);
            break;
        }
        if (r == 0)
            c->eof = true;
        c->len += (size_t)r;
    }
    return c->len - c->pos >= n;
}

static void note_linktype(capture_t *c, uint16_t lt)
{
    for (size_t i = 0; i < c->nlinktypes; i++)
        if (c->linktypes[i] == lt)
            return;
    if (c->nlinktypes < sizeof c->linktypes / sizeof c->linktypes[0])
        c->linktypes[c->nlinktypes++] = lt;
}

static uint32_t rd32(const capture_t *c, const uint8_t *p, bool big)
{
    (void)c;
    return big ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
               : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

/* ---- classic pcap ---- */

static void pcap_header(capture_t *c, uint32_t magic_le)
{
    const uint8_t *h = c->buf + c->pos;
    bool big = magic_le != PCAP_MAGIC_US && magic_le != PCAP_MAGIC_NS;
    uint32_t magic = rd32(c, h, big);
    c->format = magic == PCAP_MAGIC_NS ? CAPTURE_PCAP_NS : CAPTURE_PCAP_US;
    c->ts_digits = c->format == CAPTURE_PCAP_NS ? 9 : 6;
    c->swapped = big;
    c->pcap_snaplen = rd32(c, h + 16, big);
    uint32_t lt = rd32(c, h + 20, big);
    c->pcap_linktype = (uint16_t)(lt & 0xFFFF); /* upper bits: FCS info */
    note_linktype(c, c->pcap_linktype);
    c->pos += PCAP_FILE_HEADER;
}

static int pcap_next_record(capture_t *c, capture_pkt_t *pkt)
{
    if (!ensure(c, PCAP_RECORD_HEADER)) {
        if (c->len > c->pos)
            damage_note(&c->damage, "pcap.truncated_record_header", c->frame + 1);
        return c->len > c->pos ? -1 : 0;
    }
    const uint8_t *h = c->buf + c->pos;
    bool big = c->swapped;
    uint32_t sec = rd32(c, h, big), frac = rd32(c, h + 4, big);
    uint32_t caplen = rd32(c, h + 8, big), origlen = rd32(c, h + 12, big);
    if (caplen > CAPTURE_MAX_RECORD) {
        damage_note(&c->damage, "pcap.bad_record_length", c->frame + 1);
        return -1;
    }
    if (!ensure(c, PCAP_RECORD_HEADER + (size_t)caplen)) {
        damage_note(&c->damage, "pcap.truncated_record", c->frame + 1);
        return -1;
    }
    h = c->buf + c->pos;
    pkt->frame = ++c->frame;
    pkt->ts = (ts_ns_t)sec * NS_PER_SEC +
              (c->format == CAPTURE_PCAP_NS ? (ts_ns_t)frac : (ts_ns_t)frac * 1000);
    pkt->caplen = caplen;
    pkt->origlen = origlen;
    pkt->data = h + PCAP_RECORD_HEADER;
    pkt->iface = 0;
    pkt->linktype = c->pcap_linktype;
    c->pos += PCAP_RECORD_HEADER + (size_t)caplen;
    return 1;
}

/* ---- pcapng ---- */

static void idb_options(capture_t *c, cursor_t *opt, iface_t *ifc)
{
    bool big = c->big_endian;
    while (cursor_left(opt) >= 4) {
        const uint8_t *oh;
        cursor_bytes(opt, 4, &oh);
        uint16_t code = (uint16_t)(big ? (oh[0] << 8 | oh[1]) : (oh[1] << 8 | oh[0]));
        uint16_t olen = (uint16_t)(big ? (oh[2] << 8 | oh[3]) : (oh[3] << 8 | oh[2]));
        const uint8_t *ov;
        if (code == PCAPNG_OPT_END || !cursor_bytes(opt, olen, &ov))
            break;
        cursor_skip(opt, (4 - (olen & 3)) & 3);
        if (code == PCAPNG_OPT_IF_TSRESOL && olen >= 1) {
            uint8_t v = ov[0];
            uint64_t units = 1;
            if (v & 0x80) {
                unsigned e = v & 0x7f;
                units = e < 63 ? (uint64_t)1 << e : 0;
            } else {
                for (unsigned i = 0; i < v && units; i++)
                    units = units <= UINT64_MAX / 10 ? units * 10 : 0;
            }
            if (units)
                ifc->units_per_sec = units;
            else
                damage_note(&c->damage, "pcapng.bad_tsresol", c->frame + 1);
        } else if (code == PCAPNG_OPT_IF_TSOFFSET && olen >= 8) {
            uint64_t hi = rd32(c, ov, big), lo = rd32(c, ov + 4, big);
            ifc->offset_sec = (int64_t)(big ? (hi << 32 | lo) : (lo << 32 | hi));
        }
    }
}

static void pcapng_idb(capture_t *c, cursor_t *body)
{
    const uint8_t *b;
    if (!cursor_bytes(body, 8, &b)) {
        damage_note(&c->damage, "pcapng.short_idb", c->frame + 1);
        return;
    }
    if (c->nifaces >= CAPTURE_MAX_IFACES) {
        damage_note(&c->damage, "pcapng.too_many_interfaces", c->frame + 1);
        return;
    }
    iface_t ifc = {0};
    ifc.linktype = (uint16_t)(c->big_endian ? (b[0] << 8 | b[1]) : (b[1] << 8 | b[0]));
    ifc.snaplen = rd32(c, b + 4, c->big_endian);
    ifc.units_per_sec = PCAPNG_DEFAULT_UNITS_PER_SEC;
    idb_options(c, body, &ifc);
    c->ifaces = xreallocarray(c->ifaces, c->nifaces + 1, sizeof *c->ifaces);
    c->ifaces[c->nifaces++] = ifc;
    note_linktype(c, ifc.linktype);
    if (ifc.units_per_sec > PCAPNG_DEFAULT_UNITS_PER_SEC)
        c->ts_digits = 9;
}

static ts_ns_t pcapng_ts(const iface_t *ifc, uint32_t hi, uint32_t lo)
{
    uint64_t t = (uint64_t)hi << 32 | lo;
    uint64_t u = ifc->units_per_sec;
    __int128 ns = (__int128)(t / u) * NS_PER_SEC + (__int128)(t % u) * NS_PER_SEC / u;
    return (ts_ns_t)ns + ifc->offset_sec * NS_PER_SEC;
}

static bool pcapng_iface(capture_t *c, uint32_t id, const iface_t **out)
{
    if (id >= c->nifaces) {
        damage_note(&c->damage, "pcapng.unknown_interface", c->frame);
        return false;
    }
    *out = &c->ifaces[id];
    return true;
}

/* EPB/OPB/SPB into pkt; false when the block is malformed (counted). */
static bool pcapng_packet(capture_t *c, uint32_t type, cursor_t *body, capture_pkt_t *pkt)
{
    bool big = c->big_endian;
    const uint8_t *b;
    const iface_t *ifc;
    uint32_t id = 0, caplen, origlen, hi = 0, lo = 0;
    if (type == PCAPNG_SPB) {
        if (!cursor_bytes(body, 4, &b))
            return false;
        origlen = rd32(c, b, big);
        if (!pcapng_iface(c, 0, &ifc))
            return false;
        caplen = (uint32_t)cursor_left(body);
        if (caplen > origlen)
            caplen = origlen;
        if (ifc->snaplen && caplen > ifc->snaplen)
            caplen = ifc->snaplen;
    } else {
        if (!cursor_bytes(body, 20, &b))
            return false;
        if (type == PCAPNG_OPB)
            id = big ? (uint32_t)(b[0] << 8 | b[1]) : (uint32_t)(b[1] << 8 | b[0]);
        else
            id = rd32(c, b, big);
        hi = rd32(c, b + 4, big);
        lo = rd32(c, b + 8, big);
        caplen = rd32(c, b + 12, big);
        origlen = rd32(c, b + 16, big);
        if (!pcapng_iface(c, id, &ifc))
            return false;
    }
    if (!cursor_bytes(body, caplen, &pkt->data))
        return false;
    pkt->ts = type == PCAPNG_SPB ? 0 : pcapng_ts(ifc, hi, lo);
    pkt->caplen = caplen;
    pkt->origlen = origlen;
    pkt->iface = id;
    pkt->linktype = ifc->linktype;
    return true;
}

static bool pcapng_shb(capture_t *c, const uint8_t *h, size_t total)
{
    if (total < PCAPNG_SHB_MIN)
        return false;
    uint32_t bom_le = rd32(c, h + 8, false);
    if (bom_le == PCAPNG_BOM)
        c->big_endian = false;
    else if (bom_le == PCAPNG_BOM_SWAPPED)
        c->big_endian = true;
    else
        return false;
    /* A new section starts a new interface list. */
    c->nifaces = 0;
    return true;
}

static int pcapng_next_record(capture_t *c, capture_pkt_t *pkt)
{
    for (;;) {
        if (!ensure(c, PCAPNG_BLOCK_OVERHEAD)) {
            if (c->len > c->pos)
                damage_note(&c->damage, "pcapng.truncated_block_header", c->frame + 1);
            return c->len > c->pos ? -1 : 0;
        }
        const uint8_t *h = c->buf + c->pos;
        uint32_t type = rd32(c, h, c->big_endian);
        if (rd32(c, h, false) == PCAPNG_SHB) {
            /* SHB length is read in the section's own byte order */
            uint32_t bom = rd32(c, h + 8, false);
            c->big_endian = bom != PCAPNG_BOM;
            type = PCAPNG_SHB;
        }
        uint32_t total = rd32(c, h + 4, c->big_endian);
        if (total < PCAPNG_BLOCK_OVERHEAD || (total & 3) || total > PCAPNG_MAX_BLOCK) {
            damage_note(&c->damage, "pcapng.bad_block_length", c->frame + 1);
            return -1;
        }
        if (!ensure(c, total)) {
            damage_note(&c->damage, "pcapng.truncated_block", c->frame + 1);
            return -1;
        }
        h = c->buf + c->pos;
        cursor_t body = cursor_make(h + 8, total - PCAPNG_BLOCK_OVERHEAD);
        c->pos += total;
        switch (type) {
        case PCAPNG_SHB:
            if (!pcapng_shb(c, h, total)) {
                damage_note(&c->damage, "pcapng.bad_section_header", c->frame + 1);
                return -1;
            }
            break;
        case PCAPNG_IDB:
            pcapng_idb(c, &body);
            break;
        case PCAPNG_EPB:
        case PCAPNG_OPB:
        case PCAPNG_SPB:
            pkt->frame = ++c->frame;
            if (pcapng_packet(c, type, &body, pkt))
                return 1;
            /* keep numbering in step with Wireshark: the frame exists */
            damage_note(&c->damage, "pcapng.bad_packet_block", c->frame);
            pkt->data = NULL;
            pkt->caplen = pkt->origlen = 0;
            pkt->linktype = LINKTYPE_UNREADABLE;
            return 1;
        default:
            break; /* NRB, ISB, DSB, custom: nothing to decode */
        }
    }
}

/* ---- public ---- */

capture_t *capture_open(const char *path, char *err, size_t errlen)
{
    return capture_open_ex(path, true, err, errlen);
}

capture_t *capture_open_ex(const char *path, bool hash, char *err, size_t errlen)
{
    input_t *in = input_open(path, hash, err, errlen);
    if (!in)
        return NULL;
    capture_t *c = xcalloc(1, sizeof *c);
    c->in = in;
    c->win = xmalloc(WINDOW_SIZE);
    c->buf = c->win;
    c->borrow = !input_is_gzip(in);
    c->ts_digits = 6;
    if (!ensure(c, 4)) {
        snprintf(err, errlen, "%s",
                 input_error(in) ? input_error(in)
                 : c->len == 0   ? "empty file"
                                 : "too short to be a capture");
        capture_close(c);
        return NULL;
    }
    uint32_t magic = rd32(c, c->buf, false);
    if (magic != PCAPNG_SHB && capture_magic(c->buf, 4)) {
        if (!ensure(c, PCAP_FILE_HEADER)) {
            snprintf(err, errlen, "truncated pcap file header");
            capture_close(c);
            return NULL;
        }
        pcap_header(c, magic);
        return c;
    }
    if (magic == PCAPNG_SHB) {
        c->format = CAPTURE_PCAPNG;
        if (!ensure(c, PCAPNG_BLOCK_OVERHEAD) || !pcapng_shb(c, c->buf, PCAPNG_SHB_MIN)) {
            snprintf(err, errlen, "bad pcapng section header");
            capture_close(c);
            return NULL;
        }
        return c;
    }
    snprintf(err, errlen, "not a pcap or pcapng capture%s",
             input_is_gzip(in) ? " (inside gzip)" : "");
    capture_close(c);
    return NULL;
}

int capture_next(capture_t *c, capture_pkt_t *pkt)
{
    if (c->finished)
        return 0;
    int r = c->format == CAPTURE_PCAPNG ? pcapng_next_record(c, pkt) : pcap_next_record(c, pkt);
    if (r <= 0) {
        c->finished = true;
        if (input_error(c->in) && r == 0) {
            damage_note(&c->damage, "gzip.truncated_or_corrupt", c->frame + 1);
            r = -1;
        }
    }
    return r;
}

const char *capture_format_name(const capture_t *c)
{
    static const char *const names[2][3] = {{"pcap", "pcap-ns", "pcapng"},
                                            {"pcap.gz", "pcap-ns.gz", "pcapng.gz"}};
    return names[input_is_gzip(c->in) ? 1 : 0][c->format];
}

int capture_ts_digits(const capture_t *c)
{
    return c->ts_digits;
}

size_t capture_linktypes(const capture_t *c, const uint16_t **out)
{
    *out = c->linktypes;
    return c->nlinktypes;
}

uint64_t capture_raw_size(const capture_t *c)
{
    return input_raw_size(c->in);
}
uint64_t capture_raw_consumed(const capture_t *c)
{
    return input_raw_consumed(c->in);
}
damage_t *capture_damage(capture_t *c)
{
    return &c->damage;
}
void capture_sha256(capture_t *c, uint8_t out[32])
{
    input_finish(c->in, out);
}

void capture_close(capture_t *c)
{
    if (!c)
        return;
    input_close(c->in);
    free(c->win);
    free(c->ifaces);
    damage_free(&c->damage);
    free(c);
}

/* The names case.json and summary have always used for the link types we
 * decode; libpcap names the rest. */
static const struct {
    uint16_t linktype;
    const char *name;
} linktype_names[] = {
    {LINKTYPE_NULL, "NULL"},
    {LINKTYPE_ETHERNET, "EN10MB"},
    {LINKTYPE_PPP, "PPP"},
    {LINKTYPE_RAW, "RAW"},
    {LINKTYPE_C_HDLC, "C_HDLC"},
    {LINKTYPE_IEEE802_11, "IEEE802_11"},
    {LINKTYPE_LOOP, "LOOP"},
    {LINKTYPE_LINUX_SLL, "LINUX_SLL"},
    {LINKTYPE_IEEE802_11_RADIOTAP, "IEEE802_11_RADIOTAP"},
    {LINKTYPE_IPV4, "IPV4"},
    {LINKTYPE_IPV6, "IPV6"},
    {LINKTYPE_LINUX_SLL2, "LINUX_SLL2"},
};

const char *linktype_name(uint16_t lt)
{
    for (size_t i = 0; i < sizeof linktype_names / sizeof linktype_names[0]; i++)
        if (linktype_names[i].linktype == lt)
            return linktype_names[i].name;
    const char *n = pcap_datalink_val_to_name(lt);
    return n ? n : "UNKNOWN";
}
