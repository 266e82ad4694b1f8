/* test_decode.c — the decoder on real frames (values from tshark on the same
 * files), IP fragment reassembly, and Zeek's connection states. */
#include "capture/capture.h"
#include "cu_corpus.h"
#include "decode/decode.h"
#include "decode/ipfrag.h"
#include "flow/conn.h"

#include <netinet/in.h>
#include <string.h>

#define TRACE(p) corpus_path("zeek-traces/" p)

/* First analysable packet of a trace. */
static bool first_packet(const char *path, packet_t *out, uint64_t *frame)
{
    char err[256];
    capture_t *c = capture_open(path, err, sizeof err);
    if (!c)
        return false;
    damage_t dmg = {0};
    decoder_t d;
    decoder_init(&d, &dmg);
    capture_pkt_t cp;
    bool ok = false;
    while (!ok && capture_next(c, &cp) == 1)
        ok = decode_frame(&d, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, out);
    *frame = cp.frame;
    /* payload points into the capture window: keep only header fields */
    out->payload = NULL;
    decoder_free(&d);
    damage_free(&dmg);
    capture_close(c);
    return ok;
}

static void check(const char *trace, const char *src, const char *dst, uint16_t sp, uint16_t dp,
                  uint16_t vlan)
{
    packet_t p;
    uint64_t frame;
    char s[IPADDR_STRLEN], d[IPADDR_STRLEN];
    CU_ASSERT_TRUE_FATAL(first_packet(trace, &p, &frame));
    CU_ASSERT_STRING_EQUAL(ipaddr_str(&p.src, s), src);
    CU_ASSERT_STRING_EQUAL(ipaddr_str(&p.dst, d), dst);
    CU_ASSERT_EQUAL(p.sport, sp);
    CU_ASSERT_EQUAL(p.dport, dp);
    CU_ASSERT_EQUAL(p.vlan, vlan);
}

static void decodes_vlan_qinq_mpls_tunnels_and_v6_fragments(void)
{
    CU_REQUIRE_CORPUS();
    check(TRACE("http-vlan-0.pcap"), "141.142.228.5", "192.150.187.43", 59856, 80, 0);
    check(TRACE("http-qinq-0.pcap"), "141.142.228.5", "192.150.187.43", 59856, 80, 0);
    check(TRACE("mpls-in-vlan.pcap"), "65.65.65.65", "65.65.65.65", 19244, 80, 3199);
    check(TRACE("tunnels/4in4.pcap"), "10.0.0.1", "10.0.0.2", 30000, 13000, 0);
    /* the first datagram only completes when its second fragment arrives */
    check(TRACE("ipv6-fragmented-dns.pcap"), "2001:470:1f11:81f:d138:5f55:6d4:1fe2",
          "2607:f740:b::f93", 51850, 53, 0);
}

static void truncated_headers_are_damage_not_crashes(void)
{
    damage_t dmg = {0};
    decoder_t d;
    decoder_init(&d, &dmg);
    packet_t p;
    /* Ethernet + IPv4 header claiming IHL 15 (60 bytes) in a 34-byte frame */
    uint8_t f[34] = {0};
    f[12] = 0x08, f[14] = 0x4F, f[16] = 0, f[17] = 60;
    CU_ASSERT_FALSE(decode_frame(&d, 1, f, sizeof f, 7, 0, &p));
    CU_ASSERT_EQUAL(dmg.n, 1);
    CU_ASSERT_STRING_EQUAL(dmg.v[0].reason, "ipv4.truncated_options");
    CU_ASSERT_EQUAL(dmg.v[0].frames[0], 7);
    /* a 1-byte frame */
    CU_ASSERT_FALSE(decode_frame(&d, 1, f, 1, 8, 0, &p));
    CU_ASSERT_EQUAL(damage_total(&dmg), 2);
    decoder_free(&d);
    damage_free(&dmg);
}

static void fragments_reassemble_and_overlaps_are_recorded(void)
{
    damage_t dmg = {0};
    ipfrag_table_t *t = ipfrag_new(&dmg);
    ipfrag_key_t k;
    memset(&k, 0, sizeof k);
    k.id = 99, k.proto = 17;
    uint8_t a[16], b[16];
    memset(a, 'A', sizeof a), memset(b, 'B', sizeof b);
    const uint8_t *out;
    uint32_t len;
    CU_ASSERT_FALSE(ipfrag_add(t, &k, 16, b, 16, false, 2, 0, &out, &len)); /* last first */
    CU_ASSERT_FALSE(ipfrag_add(t, &k, 8, a, 16, true, 3, 0, &out, &len));   /* overlaps [16,24) */
    CU_ASSERT_TRUE(ipfrag_add(t, &k, 0, a, 8, true, 4, 0, &out, &len));
    CU_ASSERT_EQUAL(len, 32);
    CU_ASSERT_EQUAL(out[15], 'A');
    CU_ASSERT_EQUAL(out[16], 'B'); /* first-received bytes win */
    CU_ASSERT_EQUAL(dmg.n, 1);
    CU_ASSERT_STRING_EQUAL(dmg.v[0].reason, "ipfrag.overlap_conflict");
    /* a fragment past 64 KiB */
    CU_ASSERT_FALSE(ipfrag_add(t, &k, 65528, a, 16, false, 5, 0, &out, &len));
    CU_ASSERT_EQUAL(damage_total(&dmg), 2);
    ipfrag_free(t);
    damage_free(&dmg);
}

/* ---- connection states ---- */

static char last_state[8], last_history[32];

static void on_finish(void *ctx, conn_t *c)
{
    (void)ctx;
    snprintf(last_state, sizeof last_state, "%s", conn_state_name(c));
    snprintf(last_history, sizeof last_history, "%s", c->history);
}

static void seg(conn_table_t *t, bool from_client, uint8_t flags, uint32_t seq, uint32_t len,
                int64_t ts)
{
    packet_t p;
    memset(&p, 0, sizeof p);
    ipaddr_parse(from_client ? "10.0.0.1" : "10.0.0.2", &p.src);
    ipaddr_parse(from_client ? "10.0.0.2" : "10.0.0.1", &p.dst);
    p.sport = from_client ? 40000 : 80;
    p.dport = from_client ? 80 : 40000;
    p.proto = IPPROTO_TCP;
    p.tcp_flags = flags;
    p.seq = seq;
    p.win = 1000;
    p.wscale = -1;
    p.payload_wire = len;
    p.ip_len = 40 + len;
    bool is_orig;
    conn_packet(t, &p, (uint64_t)ts + 1, ts * 1000, &is_orig);
}

static void conn_states_follow_zeek(void)
{
    damage_t dmg = {0};
    conn_table_t *t = conn_table_new(on_finish, NULL, 1, &dmg);
    seg(t, true, TCP_SYN, 100, 0, 1);
    seg(t, false, TCP_SYN | TCP_ACK, 500, 0, 2);
    seg(t, true, TCP_ACK, 101, 0, 3);
    seg(t, true, TCP_ACK | TCP_PSH, 101, 10, 4);
    seg(t, false, TCP_ACK | TCP_PSH, 501, 20, 5);
    seg(t, true, TCP_ACK | TCP_PSH, 101, 10, 6); /* retransmission */
    seg(t, true, TCP_FIN | TCP_ACK, 111, 0, 7);
    seg(t, false, TCP_FIN | TCP_ACK, 521, 0, 8);
    conn_table_free(t);
    CU_ASSERT_STRING_EQUAL(last_state, "SF");
    CU_ASSERT_STRING_EQUAL(last_history, "ShADdTFf");

    t = conn_table_new(on_finish, NULL, 1, &dmg);
    seg(t, true, TCP_SYN, 100, 0, 1);
    seg(t, false, TCP_RST | TCP_ACK, 0, 0, 2);
    conn_table_free(t);
    CU_ASSERT_STRING_EQUAL(last_state, "REJ");
    CU_ASSERT_STRING_EQUAL(last_history, "Sr");

    t = conn_table_new(on_finish, NULL, 1, &dmg);
    seg(t, true, TCP_SYN, 100, 0, 1);
    conn_table_free(t);
    CU_ASSERT_STRING_EQUAL(last_state, "S0");

    /* first packet seen is the SYN-ACK: Zeek flips the roles */
    t = conn_table_new(on_finish, NULL, 1, &dmg);
    seg(t, false, TCP_SYN | TCP_ACK, 500, 0, 1);
    conn_table_free(t);
    CU_ASSERT_STRING_EQUAL(last_history, "^h");
    damage_free(&dmg);
}

static void port_reuse_after_close_is_a_new_connection(void)
{
    damage_t dmg = {0};
    conn_table_t *t = conn_table_new(on_finish, NULL, 1, &dmg);
    seg(t, true, TCP_SYN, 100, 0, 1);
    seg(t, false, TCP_RST | TCP_ACK, 0, 0, 2);
    seg(t, true, TCP_SYN, 9000, 0, 3);
    CU_ASSERT_EQUAL(conn_table_total(t), 2);
    conn_table_free(t);
    damage_free(&dmg);
}

static const cu_test_t tests[] = {
    {"decodes_vlan_qinq_mpls_tunnels_and_v6_fragments",
     decodes_vlan_qinq_mpls_tunnels_and_v6_fragments},
    {"truncated_headers_are_damage_not_crashes", truncated_headers_are_damage_not_crashes},
    {"fragments_reassemble_and_overlaps_are_recorded",
     fragments_reassemble_and_overlaps_are_recorded},
    {"conn_states_follow_zeek", conn_states_follow_zeek},
    {"port_reuse_after_close_is_a_new_connection", port_reuse_after_close_is_a_new_connection},
    {NULL, NULL}};

CU_MAIN("decode", tests)
