/* cmd_trace.c — `pcapcase trace`: one TCP connection, packet by packet.
 *
 * Like tcptrace/Wireshark's conversation view: frame number, direction,
 * time since the first packet, flags, sequence and acknowledgement numbers
 * relative to each side's initial sequence number, payload length and the
 * receive window after scaling (only when both SYNs carried the option, as
 * RFC 7323 requires). */
#include "cli/cli.h"

#include "analysis/replay.h"
#include "capture/capture.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "decode/decode.h"
#include "flow/conn.h"
#include "flow/tcpseries.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char trace_help[] =
    "usage: pcapcase trace PCAP (--flow A:P-B:Q | --uid UID) [--json]\n"
    "\n"
    "Show one TCP connection packet by packet: frame number, direction, time\n"
    "relative to the first packet, flags, relative seq/ack, payload length,\n"
    "window after scaling, bytes in flight, retransmissions and out-of-order\n"
    "segments.  IPv6 addresses go in brackets: [2001:db8::1]:443.\n"
    "\n"
    "      --flow A:P-B:Q  the connection by its endpoints (either direction)\n"
    "      --uid UID       the connection by its uid in conn.ndjson\n"
    "      --json          one JSON object per packet (NDJSON)\n"
    "  -h, --help          this text\n";

typedef struct endpoint_spec {
    ipaddr_t ip;
    uint16_t port;
} endpoint_spec_t;

static bool parse_endpoint(const char *s, size_t n, endpoint_spec_t *e)
{
    char tmp[128];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *colon = strrchr(tmp, ':');
    if (!colon)
        return false;
    *colon = 0;
    char *host = tmp;
    if (host[0] == '[') {
        size_t l = strlen(host);
        if (l < 2 || host[l - 1] != ']')
            return false;
        host[l - 1] = 0;
        host++;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    e->port = (uint16_t)port;
    return ipaddr_parse(host, &e->ip);
}

/* "A:P-B:Q": split at the '-' that follows a port number */
static bool parse_flow(const char *s, endpoint_spec_t *a, endpoint_spec_t *b)
{
    for (const char *d = strchr(s, '-'); d; d = strchr(d + 1, '-'))
        if (parse_endpoint(s, (size_t)(d - s), a) && parse_endpoint(d + 1, strlen(d + 1), b))
            return true;
    return false;
}

typedef struct uid_search {
    const char *uid;
    bool found;
    endpoint_spec_t a, b;
    uint64_t first_frame, last_frame;
} uid_search_t;

static void on_finish(void *ctx, conn_t *c)
{
    uid_search_t *s = ctx;
    if (!s->found && strcmp(c->uid, s->uid) == 0) {
        s->found = true;
        s->a = (endpoint_spec_t){c->orig, c->orig_p};
        s->b = (endpoint_spec_t){c->resp, c->resp_p};
        s->first_frame = c->first_frame;
        s->last_frame = c->last_frame;
    }
}

/* Pass 1 for --uid: the connection table as analyze runs it (the same
 * replay), so the uid means the same connection. */
static int find_uid(const char *path, uid_search_t *s)
{
    char err[256];
    capture_t *cap = capture_open_ex(path, false, err, sizeof err);
    if (!cap) {
        fprintf(stderr, "pcapcase: %s: %s\n", path, err);
        return EXIT_NO_INPUT;
    }
    damage_t dmg = {0};
    replay_hooks_t hooks = {.ctx = s, .conn_finish = on_finish};
    replay_capture(path, cap, NULL, &dmg, &hooks, NULL);
    damage_free(&dmg);
    capture_close(cap);
    return EXIT_OK;
}

static void flags_str(uint8_t f, char out[9])
{
    static const char names[] = "FSRPAUEC";
    int k = 0;
    for (int i = 0; i < 8; i++)
        if (f & (1 << i))
            out[k++] = names[i];
    out[k] = 0;
}

static int print_trace(const char *path, endpoint_spec_t a, endpoint_spec_t b, uint64_t from,
                       uint64_t to, bool json)
{
    char err[256];
    capture_t *cap = capture_open_ex(path, false, err, sizeof err);
    if (!cap) {
        fprintf(stderr, "pcapcase: %s: %s\n", path, err);
        return EXIT_NO_INPUT;
    }
    damage_t dmg = {0};
    decoder_t dec;
    decoder_init(&dec, &dmg);
    tcp_track_t track;
    tcp_track_init(&track);
    capture_pkt_t cp;
    packet_t p;
    ts_ns_t t0 = 0;
    uint64_t shown = 0;
    buf_t line = BUF_INIT;
    char sa[IPADDR_STRLEN], sb[IPADDR_STRLEN];
    if (!json)
        printf("# %s:%u <-> %s:%u   (-> is %s:%u to %s:%u)\n%8s %2s %12s %-8s %12s %12s %6s %10s "
               "%10s\n",
               ipaddr_str(&a.ip, sa), a.port, ipaddr_str(&b.ip, sb), b.port, sa, a.port, sb, b.port,
               "frame", "", "time", "flags", "seq", "ack", "len", "win", "in_flight");
    int rc;
    while ((rc = capture_next(cap, &cp)) == 1) {
        if (cp.frame < from || (to && cp.frame > to))
            continue;
        bool fwd;
        if (!decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &p) ||
            !tcp_endpoints_match(&p, &a.ip, a.port, &b.ip, b.port, &fwd))
            continue;
        tcp_sample_t smp;
        tcp_track_packet(&track, &p, cp.frame, cp.ts, fwd, &smp);
        if (shown++ == 0)
            t0 = cp.ts;
        uint32_t rseq = smp.seq, rack = smp.ack;
        uint64_t win = smp.win;
        char fl[9];
        flags_str(p.tcp_flags, fl);
        double rel = (double)(cp.ts - t0) / 1e9;
        if (json) {
            jsonw_t w;
            buf_clear(&line);
            jw_init(&w, &line, false);
            jw_obj_begin(&w);
            jw_kv_uint(&w, "frame", cp.frame);
            jw_kv_str(&w, "dir", fwd ? "->" : "<-");
            jw_kv_double(&w, "time", rel, 6);
            jw_kv_str(&w, "flags", fl);
            jw_kv_uint(&w, "seq", rseq);
            jw_kv_uint(&w, "ack", rack);
            jw_kv_uint(&w, "len", p.payload_wire);
            jw_kv_uint(&w, "win", win);
            jw_kv_uint(&w, "in_flight", smp.in_flight);
            jw_kv_bool(&w, "retrans", smp.retrans);
            jw_kv_bool(&w, "out_of_order", smp.out_of_order);
            jw_obj_end(&w);
            puts(buf_cstr(&line));
        } else {
            printf("%8llu %2s %12.6f %-8s %12u %12u %6u %10llu %10u%s\n",
                   (unsigned long long)cp.frame, fwd ? "->" : "<-", rel, fl, rseq, rack,
                   p.payload_wire, (unsigned long long)win, smp.in_flight,
                   smp.retrans        ? " retransmission"
                   : smp.out_of_order ? " out-of-order"
                                      : "");
        }
    }
    buf_free(&line);
    decoder_free(&dec);
    damage_free(&dmg);
    capture_close(cap);
    if (shown == 0) {
        fprintf(stderr, "pcapcase: %s: no TCP packets of that connection\n", path);
        return EXIT_NO_INPUT;
    }
    return rc < 0 ? EXIT_DAMAGED : EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
    static const struct option longs[] = {{"flow", required_argument, 0, 'f'},
                                          {"uid", required_argument, 0, 'u'},
                                          {"json", no_argument, 0, 'J'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *flow = NULL, *uid = NULL;
    bool json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            flow = optarg;
            break;
        case 'u':
            uid = optarg;
            break;
        case 'J':
            json = true;
            break;
        case 'h':
            fputs(trace_help, stdout);
            return EXIT_OK;
        default:
            return usage_error("trace", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error("trace", "give exactly one capture");
    if (!flow == !uid)
        return usage_error("trace", "give either --flow A:P-B:Q or --uid UID");
    const char *path = argv[optind];
    endpoint_spec_t a, b;
    uint64_t from = 0, to = 0;
    if (flow) {
        if (!parse_flow(flow, &a, &b))
            return usage_error("trace", "--flow '%s': expected A:P-B:Q", flow);
    } else {
        uid_search_t s = {uid, false, {{0}, 0}, {{0}, 0}, 0, 0};
        int rc = find_uid(path, &s);
        if (rc != EXIT_OK)
            return rc;
        if (!s.found) {
            fprintf(stderr, "pcapcase: %s: no connection with uid %s\n", path, uid);
            return EXIT_NO_INPUT;
        }
        a = s.a, b = s.b, from = s.first_frame, to = s.last_frame;
    }
    return print_trace(path, a, b, from, to, json);
}
