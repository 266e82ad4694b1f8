/* gencap.c — the benchmark capture generator: options, the hosts of the simulated network,
 * the scheduler that interleaves sessions in time, the pcap writer, the adversarial modes.
 *
 *   gencap -o FILE [--size BYTES | --conns N] [--seed N] [--start EPOCH] [--duration S]
 *          [--gzip] [--ns] [--quiet]
 *   gencap -o FILE --adversarial one-packet-conns|ooo-stream --count N [--seed N] ...
 *
 * A session (a web visit, a TLS connection, a few DNS lookups, a beacon poll, the port
 * scan, an NTP poll, a syslog message) is generated whole when it starts; its frames wait
 * in a heap ordered by time, so concurrent sessions interleave as on a real wire and the
 * file is in time order.  New sessions arrive at a rate that is adjusted as the file grows,
 * so --size bytes span about --duration seconds.
 */
#include "gencap.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <zlib.h>

/* ---- hosts ---- */

host_t **g_servers;
size_t g_nservers;
static host_t **g_named; /* every named host, both families: find_server's table */
static size_t g_nnamed;

enum { NCLIENTS4 = 240, NCLIENTS6 = 40, NNTP_CLIENTS = 8, NSYSLOG_SENDERS = 3 };
static host_t g_clients4[NCLIENTS4], g_clients6[NCLIENTS6];

/* Web servers.  Every name is covered by the web certificate's SANs except the two whose
 * certificates are the point (expired, self-signed), which stay last on the list. */
static const char *const SERVER_NAMES[] = {
    "www.bench.example",    "www.shop.example",         "img.shop.example",
    "www.news.example",     "img.cdn.example",          "js.cdn.example",
    "static.news.example",  "checkout.shop.example",    "fonts.cdn.example",
    "webmail.mail.example", "www.video.example",        "media.video.example",
    "v1.api.example",       "auth.api.example",         "telemetry.api.example",
    "bench.example",        "docs.bench.example",       "downloads.bench.example",
    "legacy.bench.example", "selfsigned.bench.example",
};
enum { NSERVER_NAMES = sizeof SERVER_NAMES / sizeof SERVER_NAMES[0] };

static host_t g_beacon_server, g_ntp_server, g_collector, g_syslog_senders[NSYSLOG_SENDERS];
static host_t g_scanner, g_scan_target, g_resolver_host, g_resolver6_host;

static void host_v4(host_t *h, unsigned a, unsigned b, unsigned c, unsigned d, int local)
{
    memset(h, 0, sizeof *h);
    h->addr[0] = (uint8_t)a, h->addr[1] = (uint8_t)b, h->addr[2] = (uint8_t)c,
    h->addr[3] = (uint8_t)d;
    if (local) {
        uint8_t mac[6] = {0x02, 0x42, (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
        memcpy(h->mac, mac, 6);
        h->ttl = 64;
    } else {
        memcpy(h->mac, g_gateway_mac, 6);
        h->ttl = (uint8_t)(64 - rng_range(&g_rng, 6, 22));
    }
    h->ip_id = (uint16_t)rng_next(&g_rng);
    h->tsval_base = (uint32_t)rng_next(&g_rng);
}

static void host_v6(host_t *h, unsigned site, unsigned id, const uint8_t *mac, int local)
{
    memset(h, 0, sizeof *h);
    h->v6 = 1;
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, (uint8_t)(site >> 8), (uint8_t)site};
    a[14] = (uint8_t)(id >> 8), a[15] = (uint8_t)id;
    memcpy(h->addr, a, 16);
    memcpy(h->mac, mac, 6);
    h->ttl = local ? 64 : (uint8_t)(64 - rng_range(&g_rng, 6, 22));
    h->tsval_base = (uint32_t)rng_next(&g_rng);
}

static void named(host_t *h, const char *name)
{
    snprintf(h->name, sizeof h->name, "%s", name);
    h->chain = tls_chain_id(name);
    g_named = xrealloc(g_named, (g_nnamed + 1) * sizeof *g_named);
    g_named[g_nnamed++] = h;
}

static void hosts_init(void)
{
    for (unsigned i = 0; i < NCLIENTS4; i++)
        host_v4(&g_clients4[i], 10, 1, 1 + i / 80, 10 + i % 80, 1);
    for (unsigned i = 0; i < NCLIENTS6; i++)
        host_v6(&g_clients6[i], 1, 0x100 + i, g_clients4[i].mac, 1);
    host_v4(&g_resolver_host, 10, 1, 0, 1, 1);
    memcpy(g_resolver_host.mac, g_gateway_mac, 6);
    host_v6(&g_resolver6_host, 1, 1, g_gateway_mac, 1);
    g_resolver = &g_resolver_host;
    g_resolver6 = &g_resolver6_host;

    g_servers = xmalloc(2 * NSERVER_NAMES * sizeof *g_servers);
    for (unsigned i = 0; i < NSERVER_NAMES; i++) {
        host_t *h4 = xmalloc(sizeof *h4), *h6 = xmalloc(sizeof *h6);
        host_v4(h4, i < 10 ? 192 : 198, i < 10 ? 0 : 51, i < 10 ? 2 : 100, 10 + 7 * i, 0);
        host_v6(h6, 0xff, 0x10 + i, g_gateway_mac, 0);
        named(h4, SERVER_NAMES[i]);
        named(h6, SERVER_NAMES[i]);
        g_servers[g_nservers++] = h4;
    }
    host_v4(&g_beacon_server, 203, 0, 113, 66, 0);
    named(&g_beacon_server, "update.c2-bench.example");
    host_v4(&g_ntp_server, 203, 0, 113, 123, 0);
    named(&g_ntp_server, "ntp.bench.example");
    host_v4(&g_collector, 10, 1, 0, 5, 1);
    for (unsigned i = 0; i < NSYSLOG_SENDERS; i++)
        host_v4(&g_syslog_senders[i], 10, 1, 0, 10 + i, 1);
    host_v4(&g_scanner, 10, 1, 3, 250, 1);
    host_v4(&g_scan_target, 10, 1, 0, 20, 1);
}

void host_make_v4(host_t *h, unsigned a, unsigned b, unsigned c, unsigned d, int local)
{
    host_v4(h, a, b, c, d, local);
}

host_t *client_v4(unsigned i)
{
    return &g_clients4[i % NCLIENTS4];
}

host_t *pick_server(void)
{
    /* The two servers whose certificates are the point get 3 % each; among the others the
     * minimum of two draws makes the first names on the list the popular sites. */
    enum { NSPECIAL = 2 };
    double r = rng_unit(&g_rng);
    if (r < 0.06)
        return g_servers[g_nservers - NSPECIAL + (r < 0.03)];
    uint64_t n = g_nservers - NSPECIAL;
    uint64_t a = rng_range(&g_rng, 0, n - 1), b = rng_range(&g_rng, 0, n - 1);
    return g_servers[a < b ? a : b];
}

host_t *find_server(const char *name, int v6)
{
    for (size_t i = 0; i < g_nnamed; i++)
        if (g_named[i]->v6 == v6 && !strcmp(g_named[i]->name, name))
            return g_named[i];
    for (size_t i = 0; i < g_nnamed; i++)
        if (!strcmp(g_named[i]->name, name))
            return g_named[i];
    fprintf(stderr, "gencap: internal error: no host %s\n", name);
    exit(4);
}

/* ---- the pcap writer ---- */

typedef struct {
    FILE *f;
    gzFile gz;
    int ns;
    const char *path;
    uint64_t last_ts;
} writer_t;

static int writer_put(writer_t *w, const void *p, size_t n)
{
    if (w->gz)
        return gzwrite(w->gz, p, (unsigned)n) == (int)n ? 0 : -1;
    return fwrite(p, 1, n, w->f) == n ? 0 : -1;
}

static void die_write(const writer_t *w)
{
    fprintf(stderr, "gencap: %s: write failed: %s\n", w->path, strerror(errno));
    exit(3);
}

static void writer_open(writer_t *w, const char *path, int gzip, int ns)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->ns = ns;
    if (gzip) {
        /* Level 1: the bodies are mostly incompressible anyway, and speed matters here. */
        w->gz = gzopen(path, "wb1");
        if (w->gz)
            gzbuffer(w->gz, 1 << 20);
    } else {
        w->f = fopen(path, "wb");
        if (w->f)
            setvbuf(w->f, NULL, _IOFBF, 4 << 20);
    }
    if (!w->f && !w->gz) {
        fprintf(stderr, "gencap: %s: cannot create: %s\n", path, strerror(errno));
        exit(3);
    }
    uint32_t hdr[6] = {ns ? 0xa1b23c4du : 0xa1b2c3d4u, 0x00040002u, 0, 0, 262144, 1};
    if (writer_put(w, hdr, sizeof hdr))
        die_write(w);
}

static void writer_packet(writer_t *w, uint64_t ts, const uint8_t *p, uint32_t len)
{
    if (ts < w->last_ts) {
        fprintf(stderr, "gencap: internal error: time went back (%llu < %llu)\n",
                (unsigned long long)ts, (unsigned long long)w->last_ts);
        exit(4);
    }
    w->last_ts = ts;
    uint32_t rec[4] = {(uint32_t)(ts / 1000000000u),
                       (uint32_t)(w->ns ? ts % 1000000000u : ts % 1000000000u / 1000u), len, len};
    if (writer_put(w, rec, sizeof rec) || writer_put(w, p, len))
        die_write(w);
    uint64_t stored = w->ns ? ts : ts - ts % 1000u; /* what a reader of the file sees */
    if (!g_truth.packets)
        g_truth.first_ts = stored;
    g_truth.last_ts = stored;
    g_truth.packets++;
    g_truth.frame_bytes += len;
}

static void writer_close(writer_t *w)
{
    int bad = w->gz ? gzclose(w->gz) != Z_OK : fclose(w->f) != 0;
    if (bad)
        die_write(w);
}

/* ---- the session heap ---- */

static session_t **g_heap;
static size_t g_nheap, g_capheap;

static int heap_less(const session_t *a, const session_t *b)
{
    uint64_t ta = a->pk[a->next].ts, tb = b->pk[b->next].ts;
    return ta != tb ? ta < tb : a->id < b->id;
}

static void heap_push(session_t *s)
{
    if (g_nheap == g_capheap) {
        g_capheap = g_capheap ? 2 * g_capheap : 64;
        g_heap = xrealloc(g_heap, g_capheap * sizeof *g_heap);
    }
    size_t i = g_nheap++;
    g_heap[i] = s;
    while (i && heap_less(g_heap[i], g_heap[(i - 1) / 2])) {
        session_t *t = g_heap[i];
        g_heap[i] = g_heap[(i - 1) / 2];
        g_heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static void heap_sift_down(void)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < g_nheap && heap_less(g_heap[l], g_heap[m]))
            m = l;
        if (r < g_nheap && heap_less(g_heap[r], g_heap[m]))
            m = r;
        if (m == i)
            return;
        session_t *t = g_heap[i];
        g_heap[i] = g_heap[m];
        g_heap[m] = t;
        i = m;
    }
}

/* Emits the earliest frame of all waiting sessions. */
static void heap_emit_one(writer_t *w)
{
    session_t *s = g_heap[0];
    pkt_ref_t *r = &s->pk[s->next++];
    writer_packet(w, r->ts, s->buf.data + r->off, r->len);
    if (s->next == s->npk) {
        session_free(s);
        g_heap[0] = g_heap[--g_nheap];
    }
    if (g_nheap)
        heap_sift_down();
}

static uint64_t heap_top_ts(void)
{
    return g_heap[0]->pk[g_heap[0]->next].ts;
}

/* ---- options ---- */

typedef struct {
    const char *out;
    uint64_t size, seed, start, duration, conns, count;
    const char *adversarial;
    int gzip, ns, quiet;
    int no_office_plants; /* --no-office-plants: no built-in beacon and scan */
    const char *https_keylog;
    int https_twin;
} opts_t;

static opts_t g_opt = {NULL, 100u << 20, 1, 1700000000u, 3600, 0, 0, NULL, 0, 0, 0, 0, NULL, 0};

static const char USAGE[] =
    "usage: gencap -o FILE [--size BYTES | --conns N] [--seed N] [--start EPOCH]\n"
    "              [--duration SECONDS] [--gzip] [--ns] [--quiet]\n"
    "       gencap -o FILE --adversarial one-packet-conns|ooo-stream --count N [...]\n"
    "Writes a capture of known content and FILE.truth.json describing it.\n"
    "  -o FILE              the capture to write (pcap; gzip-compressed with --gzip)\n"
    "  --size BYTES         approximate file size (K, M, G suffixes: powers of 1024);\n"
    "                       default 100M\n"
    "  --conns N            stop after N TCP web/TLS connections instead of at a size\n"
    "  --seed N             PRNG seed (default 1); same seed and options, same bytes\n"
    "  --start EPOCH        time of the first packet, seconds (default 1700000000)\n"
    "  --duration SECONDS   time the capture spans (default 3600)\n"
    "  --adversarial MODE   one-packet-conns: COUNT SYNs from distinct address/port pairs\n"
    "                       ooo-stream: one connection of COUNT segments whose first never\n"
    "                       arrives, so everything after it is out of order\n"
    "  --count N            size of the adversarial set\n"
    "  --plant KIND         add a detection-benchmark activity (repeatable; gen_detect.c lists\n"
    "                       the kinds); --size is then the background's size\n"
    "  --no-office-plants   leave out the mix's built-in beacon and port scan\n"
    "  --gzip               write FILE gzip-compressed (level 1)\n"
    "  --ns                 nanosecond pcap (magic a1b23c4d) instead of microseconds\n"
    "  --quiet              no summary on stderr\n"
    "  --https-keylog FILE  carry the HTTP sessions in TLS 1.2 (AES-128-GCM, port 443) and\n"
    "                       write their keys to FILE (NSS key log); the HTTP content is the\n"
    "                       same as in the --https-twin run with the same seed and --conns\n"
    "  --https-twin         plain HTTP with exactly the content of the --https-keylog run\n";

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mult = 1;
    switch (*end) {
    case 'k':
    case 'K':
        mult = 1024.0, end++;
        break;
    case 'm':
    case 'M':
        mult = 1048576.0, end++;
        break;
    case 'g':
    case 'G':
        mult = 1073741824.0, end++;
        break;
    default:
        break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    *out = (uint64_t)(v * mult);
    return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "gencap: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return 2;
}

static int parse_options(int argc, char **argv)
{
    enum {
        O_SIZE = 256,
        O_SEED,
        O_START,
        O_DURATION,
        O_CONNS,
        O_ADV,
        O_COUNT,
        O_GZIP,
        O_NS,
        O_QUIET,
        O_PLANT,
        O_NO_OFFICE,
        O_HTTPS,
        O_TWIN
    };
    static const struct option longopts[] = {
        {"size", required_argument, 0, O_SIZE},
        {"seed", required_argument, 0, O_SEED},
        {"start", required_argument, 0, O_START},
        {"duration", required_argument, 0, O_DURATION},
        {"conns", required_argument, 0, O_CONNS},
        {"adversarial", required_argument, 0, O_ADV},
        {"count", required_argument, 0, O_COUNT},
        {"gzip", no_argument, 0, O_GZIP},
        {"ns", no_argument, 0, O_NS},
        {"quiet", no_argument, 0, O_QUIET},
        {"plant", required_argument, 0, O_PLANT},
        {"no-office-plants", no_argument, 0, O_NO_OFFICE},
        {"https-keylog", required_argument, 0, O_HTTPS},
        {"https-twin", no_argument, 0, O_TWIN},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        uint64_t *num = NULL;
        switch (c) {
        case 'o':
            g_opt.out = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            exit(0);
        case O_SIZE:
            if (parse_size(optarg, &g_opt.size) || g_opt.size < 4096)
                return usage_error("--size '%s': expected a size of at least 4K", optarg);
            break;
        case O_SEED:
            num = &g_opt.seed;
            break;
        case O_START:
            num = &g_opt.start;
            break;
        case O_DURATION:
            num = &g_opt.duration;
            break;
        case O_CONNS:
            num = &g_opt.conns;
            break;
        case O_COUNT:
            num = &g_opt.count;
            break;
        case O_ADV:
            if (strcmp(optarg, "one-packet-conns") && strcmp(optarg, "ooo-stream"))
                return usage_error("--adversarial '%s': expected one-packet-conns or ooo-stream",
                                   optarg);
            g_opt.adversarial = optarg;
            break;
        case O_GZIP:
            g_opt.gzip = 1;
            break;
        case O_NS:
            g_opt.ns = 1;
            break;
        case O_QUIET:
            g_opt.quiet = 1;
            break;
        case O_PLANT:
            if (plant_add(optarg))
                return 2;
            break;
        case O_NO_OFFICE:
            g_opt.no_office_plants = 1;
            break;
        case O_HTTPS:
            g_opt.https_keylog = optarg;
            break;
        case O_TWIN:
            g_opt.https_twin = 1;
            break;
        default:
            fputs(USAGE, stderr);
            return 2;
        }
        if (num) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-')
                return usage_error("'%s': expected a non-negative integer", optarg);
            *num = v;
        }
    }
    if (optind != argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!g_opt.out)
        return usage_error("%s", "-o FILE is required");
    if (g_opt.duration < 60)
        return usage_error("%s", "--duration must be at least 60 seconds");
    if (g_opt.adversarial && !g_opt.count)
        return usage_error("%s", "--adversarial needs --count N");
    return 0;
}

static char *options_json(void)
{
    bytes_t b = {0};
    bytes_printf(&b,
                 "{\"seed\": %llu, \"start\": %llu, \"duration\": %llu, \"size\": %llu, "
                 "\"conns\": %llu, \"adversarial\": ",
                 (unsigned long long)g_opt.seed, (unsigned long long)g_opt.start,
                 (unsigned long long)g_opt.duration, (unsigned long long)g_opt.size,
                 (unsigned long long)g_opt.conns);
    if (g_opt.adversarial)
        json_str(&b, g_opt.adversarial);
    else
        bytes_printf(&b, "null");
    bytes_printf(&b, ", \"count\": %llu, \"gzip\": %s, \"ns\": %s}",
                 (unsigned long long)g_opt.count, g_opt.gzip ? "true" : "false",
                 g_opt.ns ? "true" : "false");
    bytes_u8(&b, 0);
    return (char *)b.data;
}

/* ---- the normal mix ---- */

enum { SP_GENERAL, SP_BEACON, SP_NTP, SP_SYSLOG, SP_SCAN, SP_PLANT };

typedef struct {
    int kind, idx, active;
    uint64_t next;
    uint64_t seen; /* sessions made so far */
} spawner_t;

enum { BEACON_PERIOD_S = 60, BEACON_JITTER_MS = 3000, NTP_POLL_S = 64, SYSLOG_MEAN_S = 20 };
enum { SCAN_PORTS = 1000 };
static const unsigned SCAN_OPEN[] = {22, 80, 443, 445};

static struct {
    uint64_t generated; /* file bytes of all sessions made so far */
    uint64_t sessions, session_bytes, tcp_sessions;
    uint64_t end; /* when the other spawners stop */
    uint64_t beacon_first, beacon_last;
    uint64_t scan_first, scan_last;
} g_run;

static host_t *pick_client(int *v6)
{
    *v6 = rng_unit(&g_rng) < 0.12;
    return *v6 ? &g_clients6[rng_range(&g_rng, 0, NCLIENTS6 - 1)]
               : &g_clients4[rng_range(&g_rng, 0, NCLIENTS4 - 1)];
}

static void general_session(session_t *s, uint64_t t)
{
    int v6;
    host_t *client = pick_client(&v6);
    double r = rng_unit(&g_rng);
    if (r < 0.70) {
        host_t *srv = find_server(pick_server()->name, v6);
        if (r < 0.40)
            http_session(s, client, srv, t);
        else
            tls_session(s, client, srv, t);
        g_run.tcp_sessions++;
    } else if (r < 0.96) {
        dns_session(s, client, t);
    } else {
        http_post_session(s, client, find_server(pick_server()->name, v6), t);
        g_run.tcp_sessions++;
    }
}

static void scan_session(session_t *s, uint64_t t)
{
    unsigned ports[SCAN_PORTS];
    for (unsigned i = 0; i < SCAN_PORTS; i++)
        ports[i] = i + 1;
    for (unsigned i = SCAN_PORTS - 1; i > 0; i--) { /* nmap probes in random order */
        unsigned j = (unsigned)rng_range(&g_rng, 0, i), x = ports[i];
        ports[i] = ports[j], ports[j] = x;
    }
    uint16_t sport = (uint16_t)rng_range(&g_rng, 40000, 65000);
    g_run.scan_first = t;
    for (unsigned i = 0; i < SCAN_PORTS; i++) {
        tcp_conn_t c;
        tcp_conn_init(&c, &g_scanner, sport, &g_scan_target, (uint16_t)ports[i], t);
        c.syn_opts_nmap = c.no_ts = 1;
        c.rtt = rng_range(&g_rng, 150000, 400000);
        tcp_segment(s, &c, DIR_C2S, t, TCP_SYN, NULL, 0);
        c.rcv[DIR_S2C] = c.seq[DIR_C2S];
        int open = 0;
        for (size_t k = 0; k < sizeof SCAN_OPEN / sizeof SCAN_OPEN[0]; k++)
            open |= ports[i] == SCAN_OPEN[k];
        if (open) {
            tcp_segment(s, &c, DIR_S2C, t + c.rtt, TCP_SYN | TCP_ACK, NULL, 0);
            tcp_segment(s, &c, DIR_C2S, t + c.rtt + 30000, TCP_RST, NULL, 0);
            g_truth.scan_open++;
        } else {
            c.seq[DIR_S2C] = 0;
            tcp_segment(s, &c, DIR_S2C, t + c.rtt, TCP_RST | TCP_ACK, NULL, 0);
        }
        g_truth.scan_ports++;
        g_truth.tcp_conversations++;
        g_run.scan_last = t;
        t += rng_range(&g_rng, 300000, 1500000);
    }
}

/* Mean time to the next general session so the file reaches its size at the planned end. */
static double general_gap(uint64_t now, uint64_t planned_end)
{
    double avg = g_run.sessions ? (double)g_run.session_bytes / (double)g_run.sessions : 150e3;
    double left_t = planned_end > now ? (double)(planned_end - now) : 0;
    double min_t = (double)g_opt.duration * 1e9 / 100;
    if (left_t < min_t)
        left_t = min_t;
    if (g_opt.conns) {
        double left = (double)(g_opt.conns - g_run.tcp_sessions) / 0.74;
        return left_t / (left < 1 ? 1 : left);
    }
    double left_b = (double)g_opt.size - (double)g_run.generated;
    return left_t * avg / (left_b < avg ? avg : left_b);
}

/* Runs one spawner; returns the session it made (finished), or NULL. */
static session_t *spawn(spawner_t *sp, uint64_t planned_end)
{
    uint64_t t = sp->next;
    session_t *s = session_new();
    switch (sp->kind) {
    case SP_GENERAL:
        general_session(s, t);
        sp->next = t + 1 + (uint64_t)rng_exp(&g_rng, general_gap(t, planned_end));
        break;
    case SP_BEACON:
        http_beacon_session(s, &g_clients4[37], &g_beacon_server, t);
        if (!g_truth.beacon_count++)
            g_run.beacon_first = t;
        g_run.beacon_last = t;
        sp->next = t + (uint64_t)BEACON_PERIOD_S * 1000000000u -
                   (uint64_t)BEACON_JITTER_MS * 1000000u +
                   rng_range(&g_rng, 0, 2 * (uint64_t)BEACON_JITTER_MS * 1000000u);
        break;
    case SP_NTP:
        ntp_exchange(s, &g_clients4[sp->idx], &g_ntp_server, t);
        if (!sp->seen++) /* a client's first poll: a new conversation */
            g_truth.udp_conversations++;
        sp->next = t + (uint64_t)NTP_POLL_S * 1000000000u + rng_range(&g_rng, 0, 50000000);
        break;
    case SP_SYSLOG:
        syslog_message(s, &g_syslog_senders[sp->idx], &g_collector, t);
        if (!sp->seen++)
            g_truth.udp_conversations++;
        sp->next = t + 1 + (uint64_t)rng_exp(&g_rng, SYSLOG_MEAN_S * 1e9);
        break;
    case SP_SCAN:
        scan_session(s, t);
        sp->active = 0;
        break;
    case SP_PLANT:
        plant_step((size_t)sp->idx, s);
        sp->next = plant_next((size_t)sp->idx);
        sp->active = sp->next != UINT64_MAX;
        break;
    }
    session_finish(s);
    uint64_t bytes = session_file_bytes(s);
    if (sp->kind != SP_PLANT) /* --size is the background's */
        g_run.generated += bytes;
    if (sp->kind == SP_GENERAL) {
        g_run.sessions++;
        g_run.session_bytes += bytes;
    }
    if (!s->npk) {
        session_free(s);
        return NULL;
    }
    return s;
}

static int general_done(void)
{
    if (g_opt.conns)
        return g_run.tcp_sessions >= g_opt.conns;
    return g_run.generated >= g_opt.size;
}

static void run_mix(writer_t *w)
{
    uint64_t start = g_opt.start * 1000000000u, planned_end = start + g_opt.duration * 1000000000u;
    spawner_t *sp = xmalloc((2 + NNTP_CLIENTS + NSYSLOG_SENDERS + 1 + plant_count()) * sizeof *sp);
    size_t nsp = 0;
    sp[nsp++] = (spawner_t){SP_GENERAL, 0, 1, start + rng_range(&g_rng, 0, 200000000), 0};
    sp[nsp++] = (spawner_t){SP_BEACON, 0, 1, start + rng_range(&g_rng, 5, 60) * 1000000000u, 0};
    if (g_opt.no_office_plants)
        sp[nsp - 1].active = 0;
    for (int i = 0; i < NNTP_CLIENTS; i++)
        sp[nsp++] =
            (spawner_t){SP_NTP, i, 1, start + rng_range(&g_rng, 0, NTP_POLL_S) * 1000000000u, 0};
    for (int i = 0; i < NSYSLOG_SENDERS; i++)
        sp[nsp++] =
            (spawner_t){SP_SYSLOG, i, 1, start + (uint64_t)rng_exp(&g_rng, SYSLOG_MEAN_S * 1e9), 0};
    sp[nsp++] = (spawner_t){SP_SCAN, 0, 1, start + g_opt.duration * 300000000u, 0}; /* at 30 % */
    if (g_opt.no_office_plants)
        sp[nsp - 1].active = 0;
    plants_init(start, g_opt.duration * 1000000000u);
    for (size_t i = 0; i < plant_count(); i++)
        sp[nsp++] = (spawner_t){SP_PLANT, (int)i, plant_next(i) != UINT64_MAX, plant_next(i), 0};
    g_run.end = planned_end;
    g_run.generated = 24;

    for (;;) {
        spawner_t *next = NULL;
        for (size_t i = 0; i < nsp; i++) {
            if (!sp[i].active)
                continue;
            if (sp[i].kind != SP_GENERAL && sp[i].next > g_run.end) {
                sp[i].active = 0;
                continue;
            }
            if (!next || sp[i].next < next->next)
                next = &sp[i];
        }
        if (next && (!g_nheap || next->next <= heap_top_ts())) {
            session_t *s = spawn(next, planned_end);
            if (s)
                heap_push(s);
            if (next->kind == SP_GENERAL && general_done()) {
                next->active = 0;
                if (next->next < g_run.end)
                    g_run.end = next->next;
            }
            continue;
        }
        if (!g_nheap)
            break;
        heap_emit_one(w);
    }
    free(sp);
}

static char *mix_extra_json(void)
{
    char a[64], b[64];
    bytes_t j = {0};
    if (g_opt.no_office_plants || plant_count()) {
        if (!g_opt.no_office_plants) {
            host_str(&g_clients4[37], a, sizeof a);
            host_str(&g_beacon_server, b, sizeof b);
            bytes_printf(&j, "  \"beacon\": {\"client\": \"%s\", \"server\": \"%s\"},\n", a, b);
            host_str(&g_scanner, a, sizeof a);
            host_str(&g_scan_target, b, sizeof b);
            bytes_printf(&j, "  \"scan\": {\"scanner\": \"%s\", \"target\": \"%s\"},\n", a, b);
        }
        plants_truth_json(&j);
        bytes_u8(&j, 0);
        return (char *)j.data;
    }
    host_str(&g_clients4[37], a, sizeof a);
    host_str(&g_beacon_server, b, sizeof b);
    double mean = g_truth.beacon_count > 1 ? (double)(g_run.beacon_last - g_run.beacon_first) /
                                                 (double)(g_truth.beacon_count - 1) / 1e9
                                           : 0;
    bytes_printf(&j,
                 "  \"beacon\": {\"client\": \"%s\", \"server\": \"%s\", \"server_name\": \"%s\", "
                 "\"port\": 80, \"period_s\": %d, \"jitter_s\": %.1f, \"count\": %llu, "
                 "\"mean_interval_s\": %.3f},\n",
                 a, b, g_beacon_server.name, BEACON_PERIOD_S, BEACON_JITTER_MS / 1000.0,
                 (unsigned long long)g_truth.beacon_count, mean);
    host_str(&g_scanner, a, sizeof a);
    host_str(&g_scan_target, b, sizeof b);
    bytes_printf(
        &j, "  \"scan\": {\"scanner\": \"%s\", \"target\": \"%s\", \"ports\": %llu, \"open\": [", a,
        b, (unsigned long long)g_truth.scan_ports);
    for (size_t i = 0; g_truth.scan_ports && i < sizeof SCAN_OPEN / sizeof SCAN_OPEN[0]; i++)
        bytes_printf(&j, "%s%u", i ? ", " : "", SCAN_OPEN[i]);
    bytes_printf(&j, "], \"first_ts\": %.6f, \"last_ts\": %.6f}", g_run.scan_first / 1e9,
                 g_run.scan_last / 1e9);
    bytes_u8(&j, 0);
    return (char *)j.data;
}

/* ---- adversarial sets ---- */

/* COUNT SYNs, each from its own address/port pair, none answered: connection tables that
 * keep state per SYN grow without bound. */
static char *run_one_packet_conns(writer_t *w)
{
    host_t src, dst;
    host_v4(&dst, 10, 1, 0, 20, 1);
    uint64_t t = g_opt.start * 1000000000u;
    enum { PORTS_PER_ADDR = 50000 }; /* ports 10000..59999 of each source address */
    for (uint64_t i = 0; i < g_opt.count; i++) {
        uint64_t a = i / PORTS_PER_ADDR;
        host_v4(&src, 10, 128 + (unsigned)(a >> 16 & 0x7f), (unsigned)(a >> 8 & 0xff),
                (unsigned)(a & 0xff), 1);
        session_t *s = session_new();
        tcp_conn_t c;
        tcp_conn_init(&c, &src, (uint16_t)(10000 + i % PORTS_PER_ADDR), &dst, 80, t);
        tcp_segment(s, &c, DIR_C2S, t, TCP_SYN, NULL, 0);
        writer_packet(w, t, s->buf.data, s->pk[0].len);
        session_free(s);
        g_truth.tcp_conversations++;
        t += rng_range(&g_rng, 2000, 30000);
    }
    bytes_t j = {0};
    bytes_printf(&j,
                 "  \"adversarial\": {\"mode\": \"one-packet-conns\", \"syns\": %llu, "
                 "\"distinct_sources\": %llu, \"target\": \"10.1.0.20:80\"}",
                 (unsigned long long)g_opt.count, (unsigned long long)g_opt.count);
    bytes_u8(&j, 0);
    return (char *)j.data;
}

/* One HTTP download whose first data segment never arrives: every later segment is beyond
 * a hole that never fills, the client repeats its ACK for the hole with growing SACK blocks,
 * and the connection ends with the server's FIN and the client's RST. */
static char *run_ooo_stream(writer_t *w)
{
    host_t *client = &g_clients4[0];
    host_t *server = find_server("downloads.bench.example", 0);
    uint64_t nseg = g_opt.count < 2 ? 2 : g_opt.count;
    session_t *s = session_new();
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, 80, g_opt.start * 1000000000u);
    tcp_handshake(s, &c);
    bytes_t req = {0};
    bytes_printf(&req,
                 "GET /downloads/never-complete.zip HTTP/1.1\r\nHost: %s\r\n"
                 "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
                 server->name);
    c.t += 200000;
    tcp_send(s, &c, DIR_C2S, req.data, req.len, 0);
    c.t += c.rtt + 1000000;
    c.rcv[DIR_S2C] = c.seq[DIR_C2S];
    uint32_t hole = c.seq[DIR_S2C];
    bytes_t first = {0};
    http_response_head(&first, "application/zip", nseg * c.mss, c.t);
    uint8_t *seg = xmalloc(c.mss);
    uint64_t payload = 0;
    /* Flush the session to the file now and then: the stream can be far larger than memory
     * is worth spending on it. */
    for (uint64_t i = 0; i < nseg; i++) {
        rng_fill(&g_rng, seg, c.mss);
        if (i == 0) {
            memcpy(seg, first.data, first.len < c.mss ? first.len : c.mss);
            c.seq[DIR_S2C] += c.mss; /* sent, never captured */
        } else {
            tcp_segment(s, &c, DIR_S2C, c.t, TCP_ACK, seg, c.mss);
            payload += c.mss;
            uint32_t sack[2] = {hole + c.mss, c.seq[DIR_S2C]};
            c.rcv[DIR_C2S] = hole;
            tcp_segment_sack(s, &c, DIR_C2S, c.t + 15000, TCP_ACK, NULL, 0, sack, 1);
        }
        c.t += c.gap[DIR_S2C];
        if (s->npk >= 4096 || i + 1 == nseg) {
            session_finish(s);
            for (size_t k = 0; k < s->npk; k++)
                writer_packet(w, s->pk[k].ts, s->buf.data + s->pk[k].off, s->pk[k].len);
            session_free(s);
            s = session_new();
        }
    }
    tcp_segment(s, &c, DIR_S2C, c.t, TCP_FIN | TCP_ACK, NULL, 0);
    c.rcv[DIR_C2S] = hole;
    tcp_segment(s, &c, DIR_C2S, c.t + 20000, TCP_RST | TCP_ACK, NULL, 0);
    g_truth.tcp_rst_closed++;
    session_finish(s);
    for (size_t k = 0; k < s->npk; k++)
        writer_packet(w, s->pk[k].ts, s->buf.data + s->pk[k].off, s->pk[k].len);
    session_free(s);
    free(seg);
    bytes_free(&req);
    bytes_free(&first);
    bytes_t j = {0};
    bytes_printf(&j,
                 "  \"adversarial\": {\"mode\": \"ooo-stream\", \"segments_sent\": %llu, "
                 "\"segments_captured\": %llu, \"missing_bytes\": %u, "
                 "\"captured_payload_bytes\": %llu}",
                 (unsigned long long)nseg, (unsigned long long)(nseg - 1), c.mss,
                 (unsigned long long)payload);
    bytes_u8(&j, 0);
    return (char *)j.data;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
    int rc = parse_options(argc, argv);
    if (rc)
        return rc;
    struct timeval t0, t1;
    gettimeofday(&t0, NULL);
    rng_seed(&g_rng, g_opt.seed);
    FILE *keylog = NULL;
    if (g_opt.https_keylog) {
        keylog = fopen(g_opt.https_keylog, "w");
        if (!keylog) {
            fprintf(stderr, "gencap: %s: cannot write the key log\n", g_opt.https_keylog);
            return 3;
        }
        https_init(keylog, g_opt.seed);
    } else if (g_opt.https_twin) {
        https_split_rng(g_opt.seed);
    }
    tls_init();
    hosts_init();
    http_init();

    writer_t w;
    writer_open(&w, g_opt.out, g_opt.gzip, g_opt.ns);
    char *extra;
    if (g_opt.adversarial && !strcmp(g_opt.adversarial, "one-packet-conns"))
        extra = run_one_packet_conns(&w);
    else if (g_opt.adversarial)
        extra = run_ooo_stream(&w);
    else {
        run_mix(&w);
        extra = mix_extra_json();
    }
    writer_close(&w);
    if (keylog && fclose(keylog)) {
        fprintf(stderr, "gencap: %s: cannot write the key log\n", g_opt.https_keylog);
        return 3;
    }

    char *oj = options_json();
    size_t pl = strlen(g_opt.out) + sizeof ".truth.json";
    char *tpath = xmalloc(pl);
    snprintf(tpath, pl, "%s.truth.json", g_opt.out);
    if (truth_write(tpath, oj, extra))
        return 3;
    gettimeofday(&t1, NULL);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_usec - t0.tv_usec) / 1e6;
    if (!g_opt.quiet)
        fprintf(stderr,
                "gencap: %s: %llu packets, %.1f MB of frames, %llu TCP conversations, %llu HTTP "
                "transactions, %llu TLS handshakes, %llu DNS queries in %.1f s (%.0f MB/s)\n",
                g_opt.out, (unsigned long long)g_truth.packets, g_truth.frame_bytes / 1e6,
                (unsigned long long)g_truth.tcp_conversations,
                (unsigned long long)g_truth.http_transactions,
                (unsigned long long)g_truth.tls_handshakes, (unsigned long long)g_truth.dns_queries,
                secs, secs > 0 ? g_truth.frame_bytes / 1e6 / secs : 0.0);
    free(oj);
    free(tpath);
    free(extra);
    return 0;
}
