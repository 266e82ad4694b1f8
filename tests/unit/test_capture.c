/* test_capture.c — reading pcap, pcap-ns, pcapng (several link types) and
 * gzip'd captures from the corpus; hashes and counts checked against values
 * from capinfos/sha256sum on the same files. */
#include "capture/capture.h"
#include "cu_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACE(p) corpus_path("zeek-traces/" p)

/* A file of this process's own under /tmp: two test runs at once (CI and a
 * no-corpus run, say) must not write, truncate or remove each other's. */
static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "/tmp/pcapcase-test-%ld-%s", (long)getpid(), name);
}

static uint64_t count(const char *path, uint8_t sha[32], damage_t *dmg_out, int *digits,
                      uint16_t *lts, size_t *nlt)
{
    char err[256];
    capture_t *c = capture_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    capture_pkt_t p;
    uint64_t n = 0, misnumbered = 0;
    while (capture_next(c, &p) == 1)
        misnumbered += ++n != p.frame;
    CU_ASSERT_EQUAL(misnumbered, 0);
    capture_sha256(c, sha);
    if (digits)
        *digits = capture_ts_digits(c);
    if (lts) {
        const uint16_t *v;
        *nlt = capture_linktypes(c, &v);
        memcpy(lts, v, *nlt * sizeof *v);
    }
    if (dmg_out)
        *dmg_out = *capture_damage(c), memset(capture_damage(c), 0, sizeof(damage_t));
    capture_close(c);
    return n;
}

static void hex(const uint8_t *s, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", s[i]);
}

static void pcap_counts_and_hash_match_capinfos(void)
{
    CU_REQUIRE_CORPUS();
    uint8_t sha[32];
    char h[65];
    int digits;
    CU_ASSERT_EQUAL(count(TRACE("http/get.pcap"), sha, NULL, &digits, NULL, NULL), 14);
    hex(sha, h);
    CU_ASSERT_STRING_EQUAL(h, "48c8c3a3560a13ffb03d4eb0ed14143fb57350ced7d6874761a963a8091b1866");
    CU_ASSERT_EQUAL(digits, 6);
}

static void pcapng_with_several_interfaces(void)
{
    CU_REQUIRE_CORPUS();
    uint8_t sha[32];
    uint16_t lts[32];
    size_t n = 0;
    /* capinfos: 6 packets, interfaces #0 (2) and #1 (4), both Ethernet */
    CU_ASSERT_EQUAL(count(TRACE("pcapng-multi-interface.pcapng"), sha, NULL, NULL, lts, &n), 6);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(lts[0], 1);
}

/* little-endian helpers for building a pcapng by hand */
static void put32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f);
}
static void put16(FILE *f, uint16_t v)
{
    fwrite(&v, 2, 1, f);
}

static void pcapng_mixing_link_types_libpcap_refuses(void)
{
    char tmp[96];
    tmp_path(tmp, sizeof tmp, "mixed.pcapng");
    FILE *f = fopen(tmp, "wb");
    put32(f, 0x0A0D0D0A), put32(f, 28), put32(f, 0x1A2B3C4D), put16(f, 1), put16(f, 0);
    put32(f, 0xFFFFFFFF), put32(f, 0xFFFFFFFF), put32(f, 28);
    /* IDB 0: Ethernet, IDB 1: raw IP with nanosecond resolution (if_tsresol 9) */
    put32(f, 1), put32(f, 20), put16(f, 1), put16(f, 0), put32(f, 0), put32(f, 20);
    put32(f, 1), put32(f, 32), put16(f, 101), put16(f, 0), put32(f, 0);
    put16(f, 9), put16(f, 1), put32(f, 9), put32(f, 0), put32(f, 32);
    /* EPB on interface 1: a 20-byte IPv4 header, ts = 1.5 s in ns units */
    uint64_t ts = 1500000000ull;
    put32(f, 6), put32(f, 52), put32(f, 1), put32(f, (uint32_t)(ts >> 32)), put32(f, (uint32_t)ts),
        put32(f, 20), put32(f, 20);
    static const uint8_t ip[20] = {0x45, 0, 0,  20, 0, 1, 0,  0, 64, 17,
                                   0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
    fwrite(ip, 1, 20, f);
    put32(f, 52);
    fclose(f);
    char err[256];
    capture_t *c = capture_open(tmp, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    capture_pkt_t p;
    CU_ASSERT_EQUAL(capture_next(c, &p), 1);
    CU_ASSERT_EQUAL(p.linktype, 101);
    CU_ASSERT_EQUAL(p.iface, 1);
    CU_ASSERT_EQUAL(p.ts, 1500000000LL);
    CU_ASSERT_EQUAL(p.caplen, 20);
    CU_ASSERT_EQUAL(capture_next(c, &p), 0);
    const uint16_t *lts;
    CU_ASSERT_EQUAL(capture_linktypes(c, &lts), 2);
    CU_ASSERT_EQUAL(capture_ts_digits(c), 9);
    capture_close(c);
    remove(tmp);
}

static void gzip_capture_read_without_unpacking(void)
{
    CU_REQUIRE_CORPUS();
    uint8_t sha[32];
    char h[65];
    damage_t d;
    /* zcat echo-connections.pcap.gz | capinfos -M -c -: 82582 packets */
    CU_ASSERT_EQUAL(count(TRACE("echo-connections.pcap.gz"), sha, &d, NULL, NULL, NULL), 82582);
    CU_ASSERT_EQUAL(d.n, 0);
    damage_free(&d);
    hex(sha, h); /* the hash is of the file as stored (compressed) */
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", TRACE("echo-connections.pcap.gz"));
    FILE *f = popen(cmd, "r");
    char want[65] = "";
    CU_ASSERT_EQUAL(fscanf(f, "%64s", want), 1);
    pclose(f);
    CU_ASSERT_STRING_EQUAL(h, want);
}

static void truncated_file_reports_damage_and_hashes_everything(void)
{
    CU_REQUIRE_CORPUS();
    char tmp[96];
    tmp_path(tmp, sizeof tmp, "truncated.pcap");
    FILE *in = fopen(TRACE("http/get.pcap"), "rb"), *out = fopen(tmp, "wb");
    char data[4000];
    size_t n = fread(data, 1, sizeof data, in);
    fwrite(data, 1, n, out);
    fclose(in);
    fclose(out);
    uint8_t sha[32];
    damage_t d;
    CU_ASSERT_EQUAL(count(tmp, sha, &d, NULL, NULL, NULL), 7);
    CU_ASSERT_EQUAL(d.n, 1);
    if (d.n)
        CU_ASSERT_STRING_EQUAL(d.v[0].reason, "pcap.truncated_record");
    damage_free(&d);
    remove(tmp);
}

static void not_a_capture_is_refused_with_a_reason(void)
{
    char err[256] = "";
    CU_ASSERT_PTR_NULL(capture_open(SOURCE_DIR "/README.md", err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "not a pcap or pcapng capture");
    CU_ASSERT_PTR_NULL(capture_open("/nonexistent/x.pcap", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
    CU_ASSERT_PTR_NULL(capture_open("/tmp", err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "not a regular file");
}

/* The project's own captures (no corpus needed): pcap with nanosecond
 * times, pcapng, a gzip'd pcap and a raw-IP pcap; counts, precision and link
 * types as capinfos gives them, hashes as sha256sum gives them (a gzip'd
 * capture is hashed as stored, the evidence file itself). */
static void project_captures_count_and_hash_as_capinfos_and_sha256sum(void)
{
    static const struct {
        const char *path;
        uint64_t packets;
        int digits;
        uint16_t linktype;
        const char *sha256;
    } caps[] = {
        {SAMPLE_DIR "/incident-1.pcap", 730, 9, 1,
         "25d9c80b96941fe25c59e8e74ee84484c60357c038d6340c6679fc098caf151b"},
        {SAMPLE_DIR "/incident-2.pcapng", 2824, 6, 1,
         "2f55399c1bf85c736da5e7a298347df61cefddc0dde9bc77b857d82cd809166e"},
        {SOURCE_DIR "/tests/data/gzip-compressed-capture/dns-http.pcap.gz", 12, 6, 1,
         "6c19d41b3c673425390a9216f9aa58970086b72d569cae7c02fbc235e3d7f260"},
        {SOURCE_DIR "/tests/data/bpf-raw-ip/raw-ip.pcap", 12, 6, 101,
         "573243647cb86e50e2d179e6a061536acb120a27748da16f89d46c640cd99d77"},
    };
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        uint8_t sha[32];
        char h[65];
        int digits = 0;
        uint16_t lts[32];
        size_t nlt = 0;
        damage_t d;
        CU_ASSERT_EQUAL(count(caps[i].path, sha, &d, &digits, lts, &nlt), caps[i].packets);
        hex(sha, h);
        CU_ASSERT_STRING_EQUAL(h, caps[i].sha256);
        CU_ASSERT_EQUAL(digits, caps[i].digits);
        CU_ASSERT_EQUAL_FATAL(nlt, 1);
        CU_ASSERT_EQUAL(lts[0], caps[i].linktype);
        CU_ASSERT_EQUAL(d.n, 0);
        damage_free(&d);
    }
}

/* A pcap of n records of 1,000 bytes each (Ethernet, zeros). */
static void write_big_pcap(const char *path, unsigned n)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    fwrite(hdr, sizeof hdr, 1, f);
    static uint8_t frame[1000];
    for (unsigned i = 0; i < n; i++) {
        uint32_t rec[4] = {1700000000u + i, 0, sizeof frame, sizeof frame};
        fwrite(rec, sizeof rec, 1, f);
        fwrite(frame, sizeof frame, 1, f);
    }
    fclose(f);
}

/* Larger than the input's ring of chunks (capture/input.c maps 1 MiB
 * chunks, eight at a time): every record read once and the hash of the
 * whole file; then the same file cut short while it is read is a read
 * error with the frame it stopped at, not a crash. */
static void a_file_larger_than_the_ring_and_one_that_shrinks(void)
{
    char tmp[96];
    tmp_path(tmp, sizeof tmp, "big.pcap");
    const unsigned n = 12000; /* 12.2 MB */
    write_big_pcap(tmp, n);
    uint8_t sha[32];
    char h[65], want[65] = "", cmd[128];
    damage_t d;
    CU_ASSERT_EQUAL(count(tmp, sha, &d, NULL, NULL, NULL), n);
    CU_ASSERT_EQUAL(d.n, 0);
    damage_free(&d);
    hex(sha, h);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", tmp);
    FILE *f = popen(cmd, "r");
    CU_ASSERT_EQUAL(fscanf(f, "%64s", want), 1);
    pclose(f);
    CU_ASSERT_STRING_EQUAL(h, want);

    char err[256];
    capture_t *c = capture_open(tmp, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    capture_pkt_t p;
    CU_ASSERT_EQUAL(capture_next(c, &p), 1);
    CU_ASSERT_EQUAL(truncate(tmp, 3u << 20), 0); /* 3 MiB: ~3,100 records */
    uint64_t got = 1;
    while (capture_next(c, &p) == 1)
        got++;
    CU_ASSERT_EQUAL(got, 3096); /* (3 MiB - 24) / 1016 whole records */
    damage_t *dm = capture_damage(c);
    bool read_error = false; /* (the record cut in two is noted too) */
    for (size_t i = 0; i < dm->n; i++)
        if (strcmp(dm->v[i].reason, "file.read_error") == 0)
            read_error = dm->v[i].frames[0] == got + 1;
    CU_ASSERT_TRUE(read_error);
    capture_close(c);
    remove(tmp);
}

/* Record i's length (1..9,000 bytes, so records of every size cross the
 * input's 1 MiB chunk boundaries at every offset) and its bytes. */
static uint32_t rec_len(unsigned i)
{
    return 1 + (i * 2654435761u >> 7) % 9000;
}
static uint8_t rec_byte(unsigned i, uint32_t k)
{
    return (uint8_t)(i * 31u + k * 7u + (k >> 8));
}

/* n records of those lengths and bytes, as pcap or pcapng (one interface). */
static void write_varied(const char *path, unsigned n, bool ng)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (ng) {
        put32(f, 0x0A0D0D0A), put32(f, 28), put32(f, 0x1A2B3C4D), put16(f, 1), put16(f, 0);
        put32(f, 0xFFFFFFFF), put32(f, 0xFFFFFFFF), put32(f, 28);
        put32(f, 1), put32(f, 20), put16(f, 1), put16(f, 0), put32(f, 0), put32(f, 20);
    } else {
        static const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
        fwrite(hdr, sizeof hdr, 1, f);
    }
    static uint8_t data[9004];
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = rec_len(i), pad = (4 - len % 4) % 4;
        for (uint32_t k = 0; k < len + pad; k++)
            data[k] = k < len ? rec_byte(i, k) : 0;
        if (ng) {
            uint32_t total = 32 + len + pad;
            put32(f, 6), put32(f, total), put32(f, 0), put32(f, 0), put32(f, i);
            put32(f, len), put32(f, len);
            fwrite(data, len + pad, 1, f);
            put32(f, total);
        } else {
            uint32_t rec[4] = {1700000000u + i, 0, len, len};
            fwrite(rec, sizeof rec, 1, f);
            fwrite(data, len, 1, f);
        }
    }
    fclose(f);
}

/* Read path back; every record's length and bytes as written, and the
 * bytes of the record before still as they were (a record stays valid until
 * the next capture_next(); the reader reads plain files in place). */
static void read_varied(const char *path, unsigned n)
{
    char err[256];
    capture_t *c = capture_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    capture_pkt_t p;
    unsigned got = 0, bad_len = 0, bad_bytes = 0;
    while (capture_next(c, &p) == 1) {
        unsigned i = got++;
        if (p.caplen != rec_len(i) || p.frame != got) {
            bad_len++;
            continue;
        }
        for (uint32_t k = 0; k < p.caplen; k++)
            if (p.data[k] != rec_byte(i, k)) {
                bad_bytes++;
                break;
            }
    }
    CU_ASSERT_EQUAL(got, n);
    CU_ASSERT_EQUAL(bad_len, 0);
    CU_ASSERT_EQUAL(bad_bytes, 0);
    CU_ASSERT_EQUAL(capture_damage(c)->n, 0);
    capture_close(c);
}

/* Records of every length across many chunk boundaries, in pcap, pcapng and
 * gzip'd pcap: each read back byte for byte, none lost or damaged. */
static void records_across_chunk_boundaries_read_byte_for_byte(void)
{
    char pcap[96], ng[96], gz[100], cmd[256];
    tmp_path(pcap, sizeof pcap, "varied.pcap");
    tmp_path(ng, sizeof ng, "varied.pcapng");
    const unsigned n = 3000; /* about 13.5 MB: 13 chunks, a ring and a half */
    write_varied(pcap, n, false);
    write_varied(ng, n, true);
    read_varied(pcap, n);
    read_varied(ng, n);
    snprintf(gz, sizeof gz, "%s.gz", pcap);
    snprintf(cmd, sizeof cmd, "gzip -1 -k -f '%s'", pcap);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    read_varied(gz, n);
    remove(pcap);
    remove(ng);
    remove(gz);
}

static const cu_test_t tests[] = {
    {"project_captures_count_and_hash_as_capinfos_and_sha256sum",
     project_captures_count_and_hash_as_capinfos_and_sha256sum},
    {"pcap_counts_and_hash_match_capinfos", pcap_counts_and_hash_match_capinfos},
    {"pcapng_with_several_interfaces", pcapng_with_several_interfaces},
    {"pcapng_mixing_link_types_libpcap_refuses", pcapng_mixing_link_types_libpcap_refuses},
    {"gzip_capture_read_without_unpacking", gzip_capture_read_without_unpacking},
    {"truncated_file_reports_damage_and_hashes_everything",
     truncated_file_reports_damage_and_hashes_everything},
    {"not_a_capture_is_refused_with_a_reason", not_a_capture_is_refused_with_a_reason},
    {"a_file_larger_than_the_ring_and_one_that_shrinks",
     a_file_larger_than_the_ring_and_one_that_shrinks},
    {"records_across_chunk_boundaries_read_byte_for_byte",
     records_across_chunk_boundaries_read_byte_for_byte},
    {NULL, NULL}};

CU_MAIN("capture", tests)
