/* fuzz_flow.c — sequences of TCP segments through the connection table and
 * reassembly (the app layer included): seq/ack/flags/lengths from the input. */
#include "analysis/analysis.h"
#include "analysis/dispatch.h"
#include "flow/conn.h"
#include "write/record_spool.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static void finish(void *ctx, conn_t *c)
{
    dispatch_conn_finish(ctx, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static capture_result_t res;
    analysis_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.max_body = 1 << 20;
    memset(&res, 0, sizeof res);
    record_sink_t records;
    record_spool_init(&records, &res, NULL);
    an_ctx_t an = {.opts = &opts, .records = &records, .damage = &res.damage};
    dispatch_t *app = dispatch_new(&an);
    damage_t dmg = {0};
    conn_table_t *t = conn_table_new(finish, app, 1, &dmg);
    size_t off = 0;
    uint64_t frame = 0;
    /* each segment: dir(1) flags(1) seq(4) ack(4) len(1) payload(len) */
    while (off + 11 <= size) {
        const uint8_t *h = data + off;
        packet_t p;
        memset(&p, 0, sizeof p);
        bool fwd = h[0] & 1;
        ipaddr_parse(fwd ? "10.0.0.1" : "10.0.0.2", &p.src);
        ipaddr_parse(fwd ? "10.0.0.2" : "10.0.0.1", &p.dst);
        p.sport = fwd ? 1234 : 80;
        p.dport = fwd ? 80 : 1234;
        p.proto = (h[0] & 2) ? IPPROTO_UDP : IPPROTO_TCP;
        p.tcp_flags = h[1];
        p.seq = (uint32_t)h[2] << 24 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 8 | h[5];
        p.ack = (uint32_t)h[6] << 24 | (uint32_t)h[7] << 16 | (uint32_t)h[8] << 8 | h[9];
        size_t len = h[10];
        off += 11;
        if (len > size - off)
            len = size - off;
        p.payload = data + off;
        p.payload_len = p.payload_wire = (uint32_t)len;
        p.wscale = -1;
        p.ip_len = 40 + (uint32_t)len;
        off += len;
        bool is_orig;
        frame++;
        conn_t *c = conn_packet(t, &p, frame, (int64_t)frame * 1000000, &is_orig);
        if (c)
            dispatch_packet(app, c, &p, is_orig, frame, (int64_t)frame * 1000000);
    }
    conn_table_free(t);
    dispatch_free(app);
    damage_free(&dmg);
    capture_result_free(&res);
    return 0;
}
