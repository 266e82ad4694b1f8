/* test_tcprules.c — the TCP rules of src/flow/tcprules.h, each branch: the
 * handshake's round-trip time, the three retransmission rules, and the
 * segment memory compare's rule keeps. */
#include "cu_main.h"
#include "decode/decode.h"
#include "flow/tcprules.h"

#define MS 1000000LL

static void handshake_rtt_from_syn_to_the_ack_of_the_syn_ack(void)
{
    tcp_handshake_t h = {0};
    tcp_handshake_note(&h, true, TCP_SYN, 10 * MS);
    CU_ASSERT_EQUAL(tcp_handshake_rtt(&h), -1);
    tcp_handshake_note(&h, true, TCP_ACK, 11 * MS); /* before the SYN-ACK: not it */
    tcp_handshake_note(&h, false, TCP_SYN | TCP_ACK, 15 * MS);
    tcp_handshake_note(&h, true, TCP_SYN, 16 * MS); /* a second SYN changes nothing */
    tcp_handshake_note(&h, true, TCP_ACK, 20 * MS);
    tcp_handshake_note(&h, true, TCP_ACK, 30 * MS);
    CU_ASSERT_EQUAL(tcp_handshake_rtt(&h), 10 * MS);
    tcp_handshake_t late = {0}; /* the capture starts at the SYN-ACK */
    tcp_handshake_note(&late, false, TCP_SYN | TCP_ACK, 5 * MS);
    tcp_handshake_note(&late, true, TCP_ACK, 6 * MS);
    CU_ASSERT_EQUAL(tcp_handshake_rtt(&late), -1);
    tcp_handshake_t back = {0}; /* the clock went backwards */
    tcp_handshake_note(&back, true, TCP_SYN, 10 * MS);
    tcp_handshake_note(&back, false, TCP_SYN | TCP_ACK, 9 * MS);
    tcp_handshake_note(&back, true, TCP_ACK, 8 * MS);
    CU_ASSERT_EQUAL(tcp_handshake_rtt(&back), -1);
}

static void below_the_highest_sequence(void)
{
    CU_ASSERT_TRUE(tcp_retrans_below_highest(100, false, 1000, 1000));
    CU_ASSERT_TRUE(tcp_retrans_below_highest(100, false, 900, 1000));
    CU_ASSERT_FALSE(tcp_retrans_below_highest(100, false, 1001, 1000)); /* carries new bytes */
    CU_ASSERT_FALSE(tcp_retrans_below_highest(0, false, 900, 1000));    /* no payload */
    CU_ASSERT_FALSE(tcp_retrans_below_highest(100, true, 900, 1000));   /* a SYN */
}

static void wireshark_rule(void)
{
    tcp_sender_t s = {.snd_max = 5000, .advanced = 100 * MS};
    /* new data */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 5000, 100, TCP_ACK, 101 * MS, 0), TCP_SEG_NEW);
    /* resent long after the highest sequence moved */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4000, 100, TCP_ACK, 200 * MS, 0), TCP_SEG_RETRANS);
    /* within the 3 ms default window and not ending at snd_max: reordered */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4000, 100, TCP_ACK, 101 * MS, 0),
                    TCP_SEG_OUT_OF_ORDER);
    /* the same, but the handshake took 0.5 ms: too late to be reordered */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4000, 100, TCP_ACK, 101 * MS, MS / 2),
                    TCP_SEG_RETRANS);
    /* ends at snd_max: a resend of the last segment, however soon */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4900, 100, TCP_ACK, 101 * MS, 0), TCP_SEG_RETRANS);
    /* keep-alive: one byte just below snd_max */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4999, 1, TCP_ACK, 200 * MS, 0), TCP_SEG_NEW);
    /* a bare ACK below snd_max is no segment to resend */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4000, 0, TCP_ACK, 200 * MS, 0), TCP_SEG_NEW);
    /* a FIN resent */
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&s, 4000, 0, TCP_FIN | TCP_ACK, 200 * MS, 0),
                    TCP_SEG_RETRANS);
    /* what two duplicate ACKs asked for, within 20 ms: a fast retransmission, even inside the
     * out-of-order window */
    tcp_sender_t f = {.snd_max = 5000,
                      .advanced = 100 * MS,
                      .last_ack = 4000,
                      .last_ack_ts = 100 * MS,
                      .dupacks = 2};
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&f, 4000, 100, TCP_ACK, 101 * MS, 0), TCP_SEG_RETRANS);
    f.dupacks = 1;
    CU_ASSERT_EQUAL(tcp_retrans_wireshark(&f, 4000, 100, TCP_ACK, 101 * MS, 0),
                    TCP_SEG_OUT_OF_ORDER);
}

static void the_same_segment_again(void)
{
    tcp_seg_memo_t m;
    tcp_seg_memo_init(&m, 60000 * MS);
    uint64_t id, first;
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 7, 1000, 100, 1 * MS, &first), TCP_SEG_NONE);
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 7, 1000, 100, 2 * MS, &id), first);
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 7, 1000, 50, 3 * MS, &id), TCP_SEG_NONE);  /* cut shorter */
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 8, 1000, 100, 4 * MS, &id), TCP_SEG_NONE); /* other conn */
    tcp_seg_t *sg = tcp_seg_memo_at(&m, first);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
    CU_ASSERT_TRUE(sg->held);
    /* held: not forgotten past the horizon */
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 7, 1000, 100, 100000 * MS, &id), first);
    /* released: forgotten past the horizon, so the same segment is new again */
    for (uint64_t i = m.head; i < m.tail; i++)
        tcp_seg_memo_at(&m, i)->held = false;
    CU_ASSERT_EQUAL(tcp_resend_of(&m, 7, 1000, 100, 200000 * MS, &id), TCP_SEG_NONE);
    CU_ASSERT_PTR_NULL(tcp_seg_memo_at(&m, first));
    CU_ASSERT_PTR_NOT_NULL(tcp_seg_memo_at(&m, id));
    tcp_seg_memo_free(&m);
}

static void memory_grows_and_finds_every_segment(void)
{
    tcp_seg_memo_t m;
    tcp_seg_memo_init(&m, 60000 * MS);
    uint64_t id;
    for (uint32_t i = 0; i < 20000; i++) /* past the first ring and chain sizes */
        CU_ASSERT_EQUAL(tcp_resend_of(&m, i % 3, i * 1448, 1448, i, &id), TCP_SEG_NONE);
    uint32_t found = 0;
    for (uint32_t i = 0; i < 20000; i++)
        found += tcp_resend_of(&m, i % 3, i * 1448, 1448, 20000 + i, &id) != TCP_SEG_NONE;
    CU_ASSERT_EQUAL(found, 20000);
    tcp_seg_memo_free(&m);
}

static const cu_test_t tests[] = {
    {"handshake RTT: SYN to the ACK of the SYN-ACK",
     handshake_rtt_from_syn_to_the_ack_of_the_syn_ack},
    {"retransmission below the highest sequence (conn.ndjson)", below_the_highest_sequence},
    {"retransmission by Wireshark's rule (trace, charts)", wireshark_rule},
    {"retransmission: the same segment again (compare)", the_same_segment_again},
    {"segment memory grows and finds every segment", memory_grows_and_finds_every_segment},
    {NULL, NULL}};

CU_MAIN("tcprules", tests)
