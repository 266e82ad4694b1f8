/*
 * lab_streams.h — the TCP byte streams of a loopback recording, for the unit
 * tests of the TLS and HTTP/2 parsers (tests/recordings/tls/).
 *
 * The recordings are made on `lo`, where nothing is lost; but on a busy
 * machine tcpdump can see two segments in the other order (the full-mode
 * recording of test_tls_recorded_full, made at test time, showed it).  So
 * the streams are rebuilt simply: per connection (identified by the client's
 * port; the client is the side that sent the SYN) and direction, payload that
 * starts at the next expected sequence number is appended, a segment that
 * starts later is held (up to LAB_MAX_HELD per direction) until the bytes
 * before it came, anything else (retransmissions, keep-alives) is skipped.
 * Segments are handed out in sequence order.  Not a reassembler: the
 * project's own (flow/reasm.c) is tested elsewhere.
 */
#ifndef PCAPCASE_LAB_STREAMS_H
#define PCAPCASE_LAB_STREAMS_H

#include "capture/capture.h"
#include "decode/decode.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_MAX_CONNS 64
/* Segments held per direction waiting for the bytes before them. */
#define LAB_MAX_HELD 64

typedef struct lab_held {
    uint32_t seq;
    size_t len;
    uint8_t *data;
} lab_held_t;

typedef struct lab_conn {
    uint16_t client_port, server_port;
    uint32_t next_seq[2]; /* 0 = client to server */
    bool seq_known[2];
    lab_held_t held[2][LAB_MAX_HELD];
    int nheld[2];
} lab_conn_t;

/* Called for every in-order payload piece: connection index (order of the
 * SYNs), direction (true: from the client), bytes. */
typedef void (*lab_segment_fn)(void *ctx, int conn, bool from_client, const uint8_t *p, size_t n);

static int lab_conn_of(lab_conn_t *conns, int *nconns, const packet_t *pkt, bool *from_client)
{
    for (int i = 0; i < *nconns; i++) {
        if (conns[i].client_port == pkt->sport && conns[i].server_port == pkt->dport) {
            *from_client = true;
            return i;
        }
        if (conns[i].client_port == pkt->dport && conns[i].server_port == pkt->sport) {
            *from_client = false;
            return i;
        }
    }
    if ((pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN || *nconns == LAB_MAX_CONNS)
        return -1;
    lab_conn_t *c = &conns[(*nconns)++];
    memset(c, 0, sizeof *c);
    c->client_port = pkt->sport;
    c->server_port = pkt->dport;
    *from_client = true;
    return *nconns - 1;
}

/* Replay the capture at path; returns the number of connections, -1 when
 * the file cannot be read. */
static inline int lab_streams(const char *path, lab_segment_fn fn, void *ctx)
{
    char err[256];
    capture_t *cap = capture_open(path, err, sizeof err);
    if (!cap)
        return -1;
    damage_t dmg = {0};
    decoder_t d;
    decoder_init(&d, &dmg);
    lab_conn_t *conns = calloc(LAB_MAX_CONNS, sizeof *conns);
    int nconns = 0;
    capture_pkt_t cp;
    packet_t pkt;
    while (capture_next(cap, &cp) == 1) {
        if (!decode_frame(&d, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &pkt) ||
            pkt.proto != 6)
            continue;
        bool from_client;
        int ci = lab_conn_of(conns, &nconns, &pkt, &from_client);
        if (ci < 0)
            continue;
        lab_conn_t *c = &conns[ci];
        int dir = from_client ? 0 : 1;
        if (pkt.tcp_flags & TCP_SYN) {
            c->next_seq[dir] = pkt.seq + 1;
            c->seq_known[dir] = true;
            continue;
        }
        if (!c->seq_known[dir] || !pkt.payload_len)
            continue;
        int32_t ahead = (int32_t)(pkt.seq - c->next_seq[dir]);
        if (ahead > 0 && c->nheld[dir] < LAB_MAX_HELD) { /* came before the bytes it follows */
            lab_held_t *h = &c->held[dir][c->nheld[dir]++];
            h->seq = pkt.seq, h->len = pkt.payload_len;
            h->data = malloc(h->len);
            memcpy(h->data, pkt.payload, h->len);
        }
        if (ahead != 0)
            continue;
        c->next_seq[dir] += pkt.payload_len;
        fn(ctx, ci, from_client, pkt.payload, pkt.payload_len);
        for (int i = 0; i < c->nheld[dir];) { /* held ones that now follow on */
            lab_held_t *h = &c->held[dir][i];
            if (h->seq == c->next_seq[dir]) {
                c->next_seq[dir] += (uint32_t)h->len;
                fn(ctx, ci, from_client, h->data, h->len);
            } else if ((int32_t)(h->seq - c->next_seq[dir]) > 0) {
                i++;
                continue;
            }
            free(h->data);
            *h = c->held[dir][--c->nheld[dir]];
            i = 0;
        }
    }
    for (int i = 0; i < nconns; i++)
        for (int side = 0; side < 2; side++)
            for (int j = 0; j < conns[i].nheld[side]; j++)
                free(conns[i].held[side][j].data);
    free(conns);
    decoder_free(&d);
    damage_free(&dmg);
    capture_close(cap);
    return nconns;
}

/* The path of a file of the recordings: tests/recordings/tls/NAME, or in
 * $PCAPCASE_TLS_RECORDINGS when set (the e2e test points it at a full-mode
 * recording made at test time).  The result is valid until the 8th next call. */
static inline const char *lab_rec(const char *name)
{
    static char paths[8][1024];
    static int next;
    const char *dir = getenv("PCAPCASE_TLS_RECORDINGS");
    char *out = paths[next++ % 8];
    snprintf(out, sizeof paths[0], "%s/%s", dir && *dir ? dir : SOURCE_DIR "/tests/recordings/tls",
             name);
    return out;
}

/* The whole of a small file (key logs, truth.json); *len set; caller frees.
 * NULL when unreadable. */
static inline uint8_t *lab_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, k;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap + 1);
        }
        k = fread(buf + n, 1, cap - n, f);
        n += k;
    } while (k);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

#endif
