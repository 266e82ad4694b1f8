/* gen_detect.c — the detection benchmark's scenarios: activities planted into gencap's
 * mix with `--plant KIND` (repeatable), malicious and benign, each with parameters drawn
 * from the seed (periods, jitter, schedules, sizes, paces, encodings), so that a benchmark
 * over many seeds measures the detectors on classes of behaviour, not on single examples.
 *
 * Malicious (what a detector must find):
 *   beacon-http, beacon-tls   one host polling a controller: period 15 s .. 15 min, jitter
 *                             0 .. 50 % (Cobalt Strike's "up to j less" or symmetric), a
 *                             third with sleep/active schedules, a task reply now and then
 *   beacon-cdn                a TLS beacon to a shared CDN address told apart only by its
 *                             SNI; the second one in a capture reuses the first's host
 *   tunnel-iodine             base32/base64 labels up to 63 characters, NULL/TXT/CNAME/A
 *   tunnel-dnscat2            hex labels (with or without a "dnscat." prefix), TXT/CNAME/MX
 *   exfil-dns                 a file in A/AAAA questions, base32 or hex
 *   scan-vertical             SYN, connect or UDP; 60 .. 1000 ports; fast or one probe a
 *                             minute
 *   sweep                     SYN, connect, UDP or ping over 60 .. 254 hosts; fast or slow
 *   exfil-http                POST or PUT, chunked or not: one 8 .. 80 MB upload, or 5 .. 40
 *                             uploads of 1 .. 4 MB
 *   exfil-tls-long            one TLS connection uploading 10 .. 60 MB over 0.5 .. 3 hours
 * Benign (what a detector must not report):
 *   ntp-fleet, update-fleet, telemetry-fleet, known-poller, mail-poll   periodic by design
 *   backup-fleet, cloud-sync  large uploads that many hosts make
 *   video-call                long symmetric UDP media streams
 *   cdn-browsing              many clients, many SNIs on one CDN address, hashed DNS names
 *
 * Each plant adds an entry to the truth file's "plants" list: its class, whether it is
 * malicious, the finding types that count as finding it, the hosts a finding must name and
 * (for beacons behind a CDN) the server name.  tests/detect/score.py reads it.
 */
#include "gencap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PLANTS = 64, MAX_MEMBERS = 240 };

typedef enum {
    P_BEACON_HTTP,
    P_BEACON_TLS,
    P_BEACON_CDN,
    P_TUNNEL_IODINE,
    P_TUNNEL_DNSCAT2,
    P_EXFIL_DNS,
    P_SCAN_VERTICAL,
    P_SWEEP,
    P_EXFIL_HTTP,
    P_EXFIL_TLS_LONG,
    P_NTP_FLEET,
    P_UPDATE_FLEET,
    P_TELEMETRY_FLEET,
    P_KNOWN_POLLER,
    P_MAIL_POLL,
    P_BACKUP_FLEET,
    P_CLOUD_SYNC,
    P_VIDEO_CALL,
    P_CDN_BROWSING,
    P_KINDS
} pkind_t;

static const struct {
    const char *name, *cls, *detectors; /* detectors: finding types, '|'-separated */
    int malicious;
} KINDS[P_KINDS] = {
    {"beacon-http", "beacon", "beaconing", 1},
    {"beacon-tls", "beacon", "beaconing", 1},
    {"beacon-cdn", "beacon", "beaconing", 1},
    {"tunnel-iodine", "tunnel", "dns_tunnel", 1},
    {"tunnel-dnscat2", "tunnel", "dns_tunnel", 1},
    {"exfil-dns", "exfil", "dns_tunnel|exfiltration", 1},
    {"scan-vertical", "scan", "port_scan", 1},
    {"sweep", "scan", "host_sweep", 1},
    {"exfil-http", "exfil", "exfiltration", 1},
    {"exfil-tls-long", "exfil", "exfiltration", 1},
    {"ntp-fleet", "benign", "", 0},
    {"update-fleet", "benign", "", 0},
    {"telemetry-fleet", "benign", "", 0},
    {"known-poller", "benign", "", 0},
    {"mail-poll", "benign", "", 0},
    {"backup-fleet", "benign", "", 0},
    {"cloud-sync", "benign", "", 0},
    {"video-call", "benign", "", 0},
    {"cdn-browsing", "benign", "", 0},
};

typedef struct plant {
    pkind_t kind;
    host_t *client, *server;
    char name[128]; /* SNI, Host or tunnel domain */
    char style[32]; /* variant drawn: "syn", "base32", "post-chunked"... */
    double period;  /* s: beacons, fleets */
    double jitter;  /* 0..1 */
    int reduce;     /* jitter style: interval = P * (1 - j U) instead of P * (1 + j (2U - 1)) */
    double active, sleep; /* s: schedule (0: always on) */
    uint64_t count, done; /* steps to make (beats, probes, queries, uploads, rounds) */
    uint64_t size;        /* bytes: uploads, file in DNS */
    double pace;          /* s between probes / queries */
    unsigned qtype;
    unsigned nmembers; /* fleets: clients taking part */
    host_t *members[MAX_MEMBERS];
    uint64_t member_next[MAX_MEMBERS];
    uint64_t member_done[MAX_MEMBERS]; /* video-call: seconds into the current call */
    uint64_t t0, next, end;
    uint16_t ports[1024];
    unsigned nports;
    host_t *targets; /* sweeps: the /24 */
    unsigned ntargets;
    tcp_conn_t conn; /* exfil-tls-long: the one connection */
    uint64_t first_ts, last_ts;
} plant_t;

static plant_t *g_plants[MAX_PLANTS];
static size_t g_nplants;
static host_t *g_cdn;        /* the shared CDN address */
static unsigned g_ext_hosts; /* external hosts made so far: 198.18.x.y */
static host_t *g_beacon_cdn_client;

static const char *const W1[] = {"sync", "cloud",  "data",    "static", "api",
                                 "edge", "app",    "metrics", "status", "assets",
                                 "cdn",  "update", "portal",  "img"};
static const char *const W2[] = {"northwind", "contoso",   "fabrikam", "tailspin", "adatum",
                                 "litware",   "proseware", "wingtip",  "fourth",   "lucerne"};

int plant_add(const char *kind)
{
    for (int k = 0; k < P_KINDS; k++)
        if (!strcmp(kind, KINDS[k].name)) {
            if (g_nplants == MAX_PLANTS) {
                fprintf(stderr, "gencap: at most %d --plant\n", MAX_PLANTS);
                return -1;
            }
            plant_t *p = xmalloc(sizeof *p);
            memset(p, 0, sizeof *p);
            p->kind = (pkind_t)k;
            g_plants[g_nplants++] = p;
            return 0;
        }
    fprintf(stderr, "gencap: --plant '%s': unknown; one of:", kind);
    for (int k = 0; k < P_KINDS; k++)
        fprintf(stderr, " %s", KINDS[k].name);
    fprintf(stderr, "\n");
    return -1;
}

size_t plant_count(void)
{
    return g_nplants;
}

/* ---- helpers ---- */

static double unit(void)
{
    return rng_unit(&g_rng);
}

static double range(double lo, double hi)
{
    return lo + (hi - lo) * unit();
}

static double logrange(double lo, double hi)
{
    return lo * pow(hi / lo, unit());
}

static host_t *ext_host(const char *name)
{
    host_t *h = xmalloc(sizeof *h);
    unsigned i = g_ext_hosts++;
    host_make_v4(h, 198, 18 + i / 250 % 2, 10 + i / 250 / 2, 1 + i % 250, 0);
    snprintf(h->name, sizeof h->name, "%s", name);
    h->chain = 0;
    return h;
}

static void random_name(char *out, size_t n)
{
    snprintf(out, n, "%s%u.%s-%s.example", W1[rng_range(&g_rng, 0, 13)],
             (unsigned)rng_range(&g_rng, 1, 99), W2[rng_range(&g_rng, 0, 9)],
             W1[rng_range(&g_rng, 0, 13)]);
}

static host_t *random_client(void)
{
    return client_v4((unsigned)rng_range(&g_rng, 0, GEN_NCLIENTS4 - 1));
}

/* Members: share of the clients, at least min. */
static void pick_members(plant_t *p, double share, unsigned min)
{
    unsigned n = (unsigned)(share * GEN_NCLIENTS4);
    if (n < min)
        n = min;
    if (n > MAX_MEMBERS)
        n = MAX_MEMBERS;
    unsigned first = (unsigned)rng_range(&g_rng, 0, GEN_NCLIENTS4 - 1);
    for (unsigned i = 0; i < n; i++)
        p->members[i] = client_v4((first + i * 7) % GEN_NCLIENTS4);
    p->nmembers = n;
}

static const char B32[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char HEX[] = "0123456789abcdef";

/* n characters of alphabet a (of len la), dotted into labels of at most lab characters. */
static void encoded(char *out, size_t cap, const char *a, size_t la, size_t n, size_t lab)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        if (i && i % lab == 0)
            out[o++] = '.';
        out[o++] = a[rng_range(&g_rng, 0, la - 1)];
    }
    out[o] = 0;
}

/* ---- parameters ---- */

static void init_beacon(plant_t *p, uint64_t start, uint64_t dur)
{
    double d = (double)dur / 1e9;
    p->period = logrange(15, fmin(900, d / 14));
    p->jitter = range(0, 0.5);
    p->reduce = unit() < 0.5;
    if (d >= 7200 && unit() < 0.35) {
        p->active = range(15, 60) * 60;
        p->sleep = range(20, 90) * 60;
        if (p->active < 14 * p->period) /* a spell holds a dozen beats at least */
            p->active = 14 * p->period;
    }
    p->t0 = start + (uint64_t)(range(0, 0.1) * (double)dur);
    p->next = p->t0;
    p->end = start + dur;
    p->size = (uint64_t)logrange(40, 600);
    if (p->kind == P_BEACON_CDN) {
        if (!g_cdn) {
            g_cdn = ext_host("edge.cdn-shared.example");
        }
        p->server = g_cdn;
        p->client = g_beacon_cdn_client ? g_beacon_cdn_client : random_client();
        g_beacon_cdn_client = p->client;
        snprintf(p->name, sizeof p->name, "%s%u.%s.example", W1[rng_range(&g_rng, 0, 13)],
                 (unsigned)rng_range(&g_rng, 1, 99), W2[rng_range(&g_rng, 0, 9)]);
    } else {
        p->client = random_client();
        random_name(p->name, sizeof p->name);
        p->server = ext_host(p->name);
    }
    snprintf(p->style, sizeof p->style, "%s%s", p->reduce ? "jitter-down" : "jitter-both",
             p->active ? "+schedule" : "");
}

static void init_tunnel(plant_t *p, uint64_t start, uint64_t dur)
{
    p->client = random_client();
    snprintf(p->name, sizeof p->name, "%s.%s-%s.example", p->kind == P_TUNNEL_IODINE ? "t" : "c",
             W2[rng_range(&g_rng, 0, 9)], W1[rng_range(&g_rng, 0, 13)]);
    static const unsigned iodine_types[] = {10, 16, 5, 1};
    static const unsigned dnscat_types[] = {16, 5, 15};
    if (p->kind == P_TUNNEL_IODINE) {
        p->qtype = iodine_types[rng_range(&g_rng, 0, 3)];
        snprintf(p->style, sizeof p->style, "%s", unit() < 0.5 ? "base32" : "base64");
    } else if (p->kind == P_TUNNEL_DNSCAT2) {
        p->qtype = dnscat_types[rng_range(&g_rng, 0, 2)];
        snprintf(p->style, sizeof p->style, "%s", unit() < 0.5 ? "hex-prefixed" : "hex");
    } else {
        p->qtype = unit() < 0.7 ? 1 : 28;
        snprintf(p->style, sizeof p->style, "%s", unit() < 0.5 ? "base32" : "hex");
        p->size = (uint64_t)logrange(20000, 400000);
    }
    p->count = p->kind == P_EXFIL_DNS ? p->size / 90 + 1 : (uint64_t)logrange(150, 2500);
    double d = (double)dur / 1e9;
    p->pace = fmin(range(0.05, 3), d * 0.8 / (double)p->count);
    p->t0 = start + (uint64_t)(range(0, 0.1) * (double)dur);
    p->next = p->t0;
    p->end = start + dur;
}

static void init_scan(plant_t *p, uint64_t start, uint64_t dur)
{
    static const char *const vstyles[] = {"syn", "connect", "udp"};
    static const char *const hstyles[] = {"syn", "connect", "udp", "ping"};
    p->client = random_client();
    int vertical = p->kind == P_SCAN_VERTICAL;
    snprintf(p->style, sizeof p->style, "%s",
             vertical ? vstyles[rng_range(&g_rng, 0, 2)] : hstyles[rng_range(&g_rng, 0, 3)]);
    int slow = unit() < 0.35;
    double d = (double)dur / 1e9;
    p->pace = slow ? range(30, 90) : range(0.0005, 0.02);
    uint64_t want = vertical ? (uint64_t)logrange(60, strcmp(p->style, "udp") ? 1000 : 300)
                             : (uint64_t)range(60, 254);
    uint64_t fits = (uint64_t)(d * 0.85 / p->pace);
    p->count = want < fits ? want : fits;
    if (p->count < 55)
        p->count = 55, p->pace = d * 0.85 / 55;
    char spd[16];
    snprintf(spd, sizeof spd, "%s", slow ? "-slow" : "-fast");
    strncat(p->style, spd, sizeof p->style - strlen(p->style) - 1);
    if (vertical) {
        char tn[64];
        random_name(tn, sizeof tn);
        p->server = unit() < 0.5 ? ext_host(tn) : client_v4((unsigned)rng_range(&g_rng, 0, 239));
        if (p->server == p->client)
            p->server = client_v4((unsigned)((p->client->addr[3] + 1) % 80));
        /* ports 1..N in a random order */
        p->nports = (unsigned)p->count;
        for (unsigned i = 0; i < p->nports; i++)
            p->ports[i] = (uint16_t)(i + 1);
        for (unsigned i = p->nports - 1; i > 0; i--) {
            unsigned j = (unsigned)rng_range(&g_rng, 0, i);
            uint16_t x = p->ports[i];
            p->ports[i] = p->ports[j], p->ports[j] = x;
        }
    } else {
        static const uint16_t common[] = {22, 80, 443, 445, 3389, 161, 53, 8080};
        p->nports = (unsigned)rng_range(&g_rng, 1, 3);
        for (unsigned i = 0; i < p->nports; i++)
            p->ports[i] = common[rng_range(&g_rng, 0, 7)];
        if (!strcmp(p->style, "udp-fast") || !strcmp(p->style, "udp-slow"))
            p->ports[0] = 161, p->nports = 1;
        p->ntargets = (unsigned)p->count;
        p->targets = xmalloc(p->ntargets * sizeof *p->targets);
        unsigned net = (unsigned)rng_range(&g_rng, 20, 250);
        for (unsigned i = 0; i < p->ntargets; i++)
            host_make_v4(&p->targets[i], 10, 2, net, 1 + i, 1);
    }
    p->t0 = start + (uint64_t)(range(0.05, 0.1) * (double)dur);
    p->next = p->t0;
    p->end = start + dur;
}

static void init_exfil(plant_t *p, uint64_t start, uint64_t dur)
{
    p->client = random_client();
    random_name(p->name, sizeof p->name);
    p->server = ext_host(p->name);
    double d = (double)dur / 1e9;
    if (p->kind == P_EXFIL_TLS_LONG) {
        p->size = (uint64_t)logrange(10e6, 60e6);
        double span = fmin(range(1800, 10800), d * 0.8);
        p->count = (uint64_t)range(100, 400); /* rounds */
        p->pace = span / (double)p->count;
        snprintf(p->style, sizeof p->style, "tls-long");
    } else {
        int many = unit() < 0.4;
        int put = unit() < 0.4, chunked = unit() < 0.4;
        if (many) {
            p->count = (uint64_t)range(5, 40);
            p->size = (uint64_t)logrange(1e6, 4e6);
            if (p->count * p->size < 10000000)
                p->count = 10000000 / p->size + 1;
            p->pace = range(10, d * 0.6 / (double)p->count);
        } else {
            p->count = 1;
            p->size = (uint64_t)logrange(8e6, 80e6);
        }
        snprintf(p->style, sizeof p->style, "%s%s%s", put ? "put" : "post",
                 chunked ? "-chunked" : "", many ? "-many" : "");
    }
    p->t0 = start + (uint64_t)(range(0.1, 0.5) * (double)dur);
    p->next = p->t0;
    p->end = start + dur;
}

static const char *const KNOWN_UPDATE[] = {"ctldl.windowsupdate.com",
                                           "settings-win.data.microsoft.com", "swscan.apple.com",
                                           "update.googleapis.com"};
static const char *const KNOWN_POLL[] = {"connectivity-check.ubuntu.com", "www.msftconnecttest.com",
                                         "api.snapcraft.io"};

static void init_benign(plant_t *p, uint64_t start, uint64_t dur)
{
    double d = (double)dur / 1e9;
    p->t0 = start;
    p->end = start + dur;
    switch (p->kind) {
    case P_NTP_FLEET:
        pick_members(p, range(0.2, 0.8), 10);
        p->period = 64 << rng_range(&g_rng, 0, 3);
        p->jitter = 0.01;
        p->server = ext_host("time.bench-ntp.example");
        snprintf(p->name, sizeof p->name, "%s", p->server->name);
        break;
    case P_UPDATE_FLEET:
        pick_members(p, range(0.3, 1.0), 10);
        p->period = range(5, 30) * 60;
        p->jitter = range(0.02, 0.1);
        if (unit() < 0.5)
            snprintf(p->name, sizeof p->name, "%s", KNOWN_UPDATE[rng_range(&g_rng, 0, 3)]);
        else
            snprintf(p->name, sizeof p->name, "update.%s.example", W2[rng_range(&g_rng, 0, 9)]);
        p->server = ext_host(p->name);
        p->size = (uint64_t)logrange(300, 3000);
        break;
    case P_TELEMETRY_FLEET:
        pick_members(p, range(0.2, 0.6), 10);
        p->period = range(60, 300);
        p->jitter = range(0.0, 0.2);
        snprintf(p->name, sizeof p->name, "telemetry.%s.example", W2[rng_range(&g_rng, 0, 9)]);
        p->server = ext_host(p->name);
        p->size = (uint64_t)logrange(800, 5000);
        break;
    case P_KNOWN_POLLER:
        pick_members(p, 0, (unsigned)rng_range(&g_rng, 1, 3));
        p->period = range(60, 600);
        p->jitter = range(0, 0.05);
        snprintf(p->name, sizeof p->name, "%s", KNOWN_POLL[rng_range(&g_rng, 0, 2)]);
        p->server = ext_host(p->name);
        p->size = 200;
        break;
    case P_MAIL_POLL:
        pick_members(p, range(0.3, 1.0), 10);
        p->period = range(2, 15) * 60;
        p->jitter = range(0, 0.05);
        snprintf(p->name, sizeof p->name, "imap.%s.example", W2[rng_range(&g_rng, 0, 9)]);
        p->server = ext_host(p->name);
        p->size = (uint64_t)logrange(500, 4000);
        break;
    case P_BACKUP_FLEET:
        pick_members(p, 0, (unsigned)rng_range(&g_rng, 5, 15));
        snprintf(p->name, sizeof p->name, "backup.%s.example", W2[rng_range(&g_rng, 0, 9)]);
        p->server = ext_host(p->name);
        p->size = (uint64_t)logrange(10e6, 40e6);
        break;
    case P_CLOUD_SYNC:
        pick_members(p, range(0.2, 0.5), 10);
        snprintf(p->name, sizeof p->name, "sync.%s.example", W2[rng_range(&g_rng, 0, 9)]);
        p->server = ext_host(p->name);
        break;
    case P_VIDEO_CALL:
        pick_members(p, 0, (unsigned)rng_range(&g_rng, 2, 6));
        p->server = ext_host("media.meet-bench.example");
        snprintf(p->name, sizeof p->name, "%s", p->server->name);
        p->pace = range(300, fmin(1800, d * 0.5)); /* call length */
        break;
    case P_CDN_BROWSING:
        pick_members(p, range(0.3, 0.9), 10);
        if (!g_cdn)
            g_cdn = ext_host("edge.cdn-shared.example");
        p->server = g_cdn;
        snprintf(p->name, sizeof p->name, "%s", g_cdn->name);
        break;
    default:
        break;
    }
    for (unsigned m = 0; m < p->nmembers; m++) {
        double first = p->period > 0 ? range(0, p->period) : range(0, d * 0.9);
        p->member_next[m] = start + (uint64_t)(first * 1e9);
    }
}

void plants_init(uint64_t start, uint64_t dur)
{
    for (size_t i = 0; i < g_nplants; i++) {
        plant_t *p = g_plants[i];
        switch (p->kind) {
        case P_BEACON_HTTP:
        case P_BEACON_TLS:
        case P_BEACON_CDN:
            init_beacon(p, start, dur);
            break;
        case P_TUNNEL_IODINE:
        case P_TUNNEL_DNSCAT2:
        case P_EXFIL_DNS:
            init_tunnel(p, start, dur);
            break;
        case P_SCAN_VERTICAL:
        case P_SWEEP:
            init_scan(p, start, dur);
            break;
        case P_EXFIL_HTTP:
        case P_EXFIL_TLS_LONG:
            init_exfil(p, start, dur);
            break;
        default:
            init_benign(p, start, dur);
            break;
        }
    }
}

/* ---- steps ---- */

static uint64_t jittered(const plant_t *p, double period)
{
    double u = unit();
    double iv = p->reduce ? period * (1 - p->jitter * u) : period * (1 + p->jitter * (2 * u - 1));
    return (uint64_t)(iv * 1e9);
}

static void step_beacon(plant_t *p, session_t *s, uint64_t t)
{
    int task = unit() < 0.1;
    size_t resp = task ? (size_t)logrange(2000, 50000) : p->size + rng_range(&g_rng, 0, 16);
    if (p->kind == P_BEACON_HTTP)
        http_poll(s, p->client, p->server, t, "/api/v2/session", 64, resp);
    else
        tls_session_sized(s, p->client, p->server, 443, p->name, t, 300 + rng_range(&g_rng, 0, 40),
                          resp, 1, 0);
    if (!p->first_ts)
        p->first_ts = t;
    p->last_ts = t;
    p->done++;
    uint64_t next = t + jittered(p, p->period);
    if (p->active > 0) { /* sleep once the active spell is over */
        double into = fmod((double)(next - p->t0) / 1e9, p->active + p->sleep);
        if (into > p->active)
            next += (uint64_t)((p->active + p->sleep - into) * 1e9);
    }
    p->next = next < p->end ? next : UINT64_MAX;
}

static void step_tunnel(plant_t *p, session_t *s, uint64_t t)
{
    char data[256], q[512];
    if (p->kind == P_TUNNEL_IODINE) {
        int ping = unit() < 0.2;
        size_t n = ping ? 12 : (size_t)range(60, 180);
        if (!strcmp(p->style, "base32"))
            encoded(data, sizeof data, B32, 32, n, 63);
        else
            encoded(data, sizeof data, B64, 64, n, 63);
        snprintf(q, sizeof q, "%s%s.%s", ping ? "r" : "", data, p->name);
        dns_raw(s, p->client, q, p->qtype, ping ? 8 : (size_t)range(100, 220), 0, t);
    } else if (p->kind == P_TUNNEL_DNSCAT2) {
        int idle = unit() < 0.6;
        size_t n = idle ? 18 + 2 * (size_t)rng_range(&g_rng, 0, 4) : (size_t)range(40, 200);
        encoded(data, sizeof data, HEX, 16, n, 62);
        static const unsigned types[] = {16, 5, 15};
        unsigned qt = unit() < 0.5 ? p->qtype : types[rng_range(&g_rng, 0, 2)];
        if (!strcmp(p->style, "hex-prefixed"))
            snprintf(q, sizeof q, "dnscat.%s.%s", data, p->name);
        else
            snprintf(q, sizeof q, "%s.%s", data, p->name);
        dns_raw(s, p->client, q, qt, idle ? 20 : (size_t)range(40, 200), 0, t);
    } else {
        if (!strcmp(p->style, "base32"))
            encoded(data, sizeof data, B32, 32, 144, 48);
        else
            encoded(data, sizeof data, HEX, 16, 180, 60);
        snprintf(q, sizeof q, "%s.%llu.%s", data, (unsigned long long)p->done, p->name);
        dns_raw(s, p->client, q, p->qtype, 4, 0, t);
    }
    if (!p->first_ts)
        p->first_ts = t;
    p->last_ts = t;
    p->done++;
    uint64_t next = t + (uint64_t)(rng_exp(&g_rng, p->pace) * 1e9) + 1000;
    p->next = p->done < p->count && next < p->end ? next : UINT64_MAX;
}

static void tcp_probe(session_t *s, host_t *cli, host_t *dst, uint16_t port, uint64_t t, int open,
                      int connect)
{
    tcp_conn_t c;
    tcp_conn_init(&c, cli, connect ? host_port(cli) : (uint16_t)rng_range(&g_rng, 40000, 65000),
                  dst, port, t);
    c.syn_opts_nmap = !connect;
    c.no_ts = !connect;
    c.rtt = rng_range(&g_rng, 150000, 3000000);
    tcp_segment(s, &c, DIR_C2S, t, TCP_SYN, NULL, 0);
    c.rcv[DIR_S2C] = c.seq[DIR_C2S];
    g_truth.tcp_conversations++;
    double r = unit();
    if (open) {
        tcp_segment(s, &c, DIR_S2C, t + c.rtt, TCP_SYN | TCP_ACK, NULL, 0);
        c.rcv[DIR_C2S] = c.seq[DIR_S2C];
        if (connect) {
            tcp_segment(s, &c, DIR_C2S, t + c.rtt + 30000, TCP_ACK, NULL, 0);
            tcp_segment(s, &c, DIR_C2S, t + c.rtt + 60000, TCP_RST | TCP_ACK, NULL, 0);
        } else {
            tcp_segment(s, &c, DIR_C2S, t + c.rtt + 30000, TCP_RST, NULL, 0);
        }
    } else if (r < 0.7) { /* closed: RST; else filtered: no answer */
        c.seq[DIR_S2C] = 0;
        tcp_segment(s, &c, DIR_S2C, t + c.rtt, TCP_RST | TCP_ACK, NULL, 0);
    }
}

static void udp_probe(session_t *s, host_t *cli, host_t *dst, uint16_t port, uint64_t t, int open)
{
    uint16_t sport = (uint16_t)rng_range(&g_rng, 40000, 65000);
    uint8_t payload[16];
    rng_fill(&g_rng, payload, sizeof payload);
    size_t plen = port == 161 || port == 53 ? sizeof payload : 0;
    udp_datagram(s, cli, sport, dst, port, t, payload, plen);
    g_truth.udp_conversations++;
    uint64_t rtt = rng_range(&g_rng, 150000, 3000000);
    if (open) {
        udp_datagram(s, dst, port, cli, sport, t + rtt, payload, sizeof payload);
    } else if (unit() < 0.6) { /* port unreachable quoting the probe's headers */
        uint8_t quote[28] = {0x45, 0, 0, (uint8_t)(28 + plen)};
        quote[9] = 17;
        memcpy(quote + 12, cli->addr, 4), memcpy(quote + 16, dst->addr, 4);
        quote[20] = (uint8_t)(sport >> 8), quote[21] = (uint8_t)sport;
        quote[22] = (uint8_t)(port >> 8), quote[23] = (uint8_t)port;
        icmp_packet(s, dst, cli, t + rtt, 3, 3, 0, quote, sizeof quote);
    }
}

static void step_scan(plant_t *p, session_t *s, uint64_t t)
{
    int connect = !strncmp(p->style, "connect", 7), udp = !strncmp(p->style, "udp", 3);
    uint64_t i = p->done;
    if (p->kind == P_SCAN_VERTICAL) {
        uint16_t port = p->ports[i];
        int open = port == 22 || port == 80 || port == 443 || port == 53 || unit() < 0.005;
        if (udp)
            udp_probe(s, p->client, p->server, port, t, open);
        else
            tcp_probe(s, p->client, p->server, port, t, open, connect);
    } else {
        host_t *dst = &p->targets[i];
        int alive = (dst->addr[3] * 37 + 11) % 100 < 12;
        if (!strncmp(p->style, "ping", 4)) {
            uint8_t pay[32];
            rng_fill(&g_rng, pay, sizeof pay);
            uint32_t idseq = (uint32_t)(0x4d2u << 16 | (unsigned)(i + 1));
            icmp_packet(s, p->client, dst, t, 8, 0, idseq, pay, sizeof pay);
            if (alive)
                icmp_packet(s, dst, p->client, t + rng_range(&g_rng, 150000, 2000000), 0, 0, idseq,
                            pay, sizeof pay);
        } else {
            for (unsigned k = 0; k < p->nports; k++) {
                uint64_t at = t + k * 2000000ull;
                if (udp)
                    udp_probe(s, p->client, dst, p->ports[k], at, alive);
                else
                    tcp_probe(s, p->client, dst, p->ports[k], at, alive, connect);
            }
        }
    }
    if (!p->first_ts)
        p->first_ts = t;
    p->last_ts = t;
    p->done++;
    double gap = p->pace > 1 ? p->pace * range(0.8, 1.2) : p->pace * range(0.5, 1.5);
    uint64_t next = t + (uint64_t)(gap * 1e9) + 1000;
    p->next = p->done < p->count && next < p->end ? next : UINT64_MAX;
}

static void step_exfil(plant_t *p, session_t *s, uint64_t t)
{
    if (!p->first_ts)
        p->first_ts = t;
    p->last_ts = t;
    if (p->kind == P_EXFIL_TLS_LONG) {
        /* the whole connection in one session: rounds spread over count * pace */
        tls_session_sized(s, p->client, p->server, 443, p->name, t, p->size,
                          (uint64_t)p->count * 60, (unsigned)p->count,
                          (uint64_t)(p->pace * (double)p->count * 1e9));
        p->done = p->count;
        p->next = UINT64_MAX;
        return;
    }
    int put = !strncmp(p->style, "put", 3), chunked = strstr(p->style, "chunked") != NULL;
    uint64_t end =
        http_upload(s, p->client, p->server, t, (size_t)p->size, put ? "PUT" : "POST", chunked);
    p->done++;
    uint64_t next = end + (uint64_t)(p->pace * range(0.5, 1.5) * 1e9) + 1000000;
    p->next = p->done < p->count && next < p->end ? next : UINT64_MAX;
}

static const char *const CDN_NAMES[] = {"d1a2b3c4d5e6f7.cloudfront-bench.example",
                                        "e6858.dscx.akamaiedge-bench.example",
                                        "rr3---sn-ab5l6nr7.video-bench.example",
                                        "scontent-xx2-1.xx.fbcdn-bench.example",
                                        "img.shop-bench.example",
                                        "static.news-bench.example",
                                        "fonts.cdn-bench.example",
                                        "js.cdn-bench.example",
                                        "media.social-bench.example",
                                        "i.ytimg-bench.example"};

/* One member's activity; returns its next time. */
static uint64_t member_step(plant_t *p, unsigned m, session_t *s, uint64_t t)
{
    host_t *h = p->members[m];
    switch (p->kind) {
    case P_NTP_FLEET:
        ntp_exchange(s, h, p->server, t);
        break;
    case P_UPDATE_FLEET:
    case P_TELEMETRY_FLEET:
        tls_session_sized(s, h, p->server, 443, p->name, t,
                          p->kind == P_TELEMETRY_FLEET ? p->size + rng_range(&g_rng, 0, 200) : 350,
                          p->kind == P_TELEMETRY_FLEET ? 120 : p->size + rng_range(&g_rng, 0, 50),
                          1, 0);
        break;
    case P_KNOWN_POLLER:
        http_poll(s, h, p->server, t, "/", 0, 20);
        break;
    case P_MAIL_POLL:
        tls_session_sized(s, h, p->server, 993, p->name, t, 400 + rng_range(&g_rng, 0, 100),
                          p->size + (unit() < 0.2 ? (uint64_t)logrange(2000, 200000) : 0), 3,
                          2000000000ull);
        break;
    case P_BACKUP_FLEET:
        tls_session_sized(s, h, p->server, 443, p->name, t,
                          (uint64_t)((double)p->size * range(0.7, 1.3)), 20000, 40,
                          (uint64_t)range(300, 1200) * 1000000000ull);
        return UINT64_MAX;
    case P_CLOUD_SYNC:
        tls_session_sized(s, h, p->server, 443, p->name, t, (uint64_t)logrange(2e5, 15e6), 4000, 4,
                          (uint64_t)range(5, 60) * 1000000000ull);
        return t + (uint64_t)(rng_exp(&g_rng, (double)(p->end - p->t0) / 3e9) * 1e9);
    case P_VIDEO_CALL: {
        /* one minute of a call: 25 packets a second each way */
        uint16_t cp = (uint16_t)(50000 + m), sp = 3478;
        uint8_t pkt[1100];
        for (unsigned k = 0; k < 60 * 25; k++) {
            uint64_t at = t + k * 40000000ull + rng_range(&g_rng, 0, 3000000);
            size_t n = (size_t)rng_range(&g_rng, 700, 1100);
            rng_fill(&g_rng, pkt, n);
            udp_datagram(s, h, cp, p->server, sp, at, pkt, n);
            n = (size_t)rng_range(&g_rng, 700, 1100);
            udp_datagram(s, p->server, sp, h, cp, at + rng_range(&g_rng, 1000000, 20000000), pkt,
                         n);
        }
        p->member_done[m] += 60;
        if (p->member_done[m] >= (uint64_t)p->pace) { /* call over: the next one later */
            p->member_done[m] = 0;
            return t + (uint64_t)range(600, 3600) * 1000000000ull;
        }
        return t + 60000000000ull;
    }
    case P_CDN_BROWSING: {
        const char *sni = CDN_NAMES[rng_range(&g_rng, 0, 9)];
        char q[128];
        snprintf(q, sizeof q, "%s", sni);
        uint64_t at = dns_raw(s, h, q, 1, 4, 0, t);
        tls_session_sized(s, h, p->server, 443, sni, at + 1000000, 800,
                          (uint64_t)logrange(2000, 400000), (unsigned)rng_range(&g_rng, 1, 4),
                          (uint64_t)range(0.1, 20) * 1000000000ull);
        return t + (uint64_t)(rng_exp(&g_rng, 1200) * 1e9);
    }
    default:
        break;
    }
    double iv = p->period * (1 + p->jitter * (2 * unit() - 1));
    return t + (uint64_t)(iv * 1e9);
}

uint64_t plant_next(size_t i)
{
    plant_t *p = g_plants[i];
    if (!p->nmembers)
        return p->next;
    uint64_t best = UINT64_MAX;
    for (unsigned m = 0; m < p->nmembers; m++)
        if (p->member_next[m] < best)
            best = p->member_next[m];
    return best < p->end ? best : UINT64_MAX;
}

void plant_step(size_t i, session_t *s)
{
    plant_t *p = g_plants[i];
    uint64_t t = plant_next(i);
    if (p->nmembers) {
        unsigned m = 0;
        for (unsigned k = 1; k < p->nmembers; k++)
            if (p->member_next[k] < p->member_next[m])
                m = k;
        p->member_next[m] = member_step(p, m, s, t);
        return;
    }
    switch (p->kind) {
    case P_BEACON_HTTP:
    case P_BEACON_TLS:
    case P_BEACON_CDN:
        step_beacon(p, s, t);
        break;
    case P_TUNNEL_IODINE:
    case P_TUNNEL_DNSCAT2:
    case P_EXFIL_DNS:
        step_tunnel(p, s, t);
        break;
    case P_SCAN_VERTICAL:
    case P_SWEEP:
        step_scan(p, s, t);
        break;
    default:
        step_exfil(p, s, t);
        break;
    }
}

/* ---- truth ---- */

void plants_truth_json(bytes_t *b)
{
    bytes_printf(b, "  \"plants\": [");
    for (size_t i = 0; i < g_nplants; i++) {
        const plant_t *p = g_plants[i];
        char c[64], sv[64];
        bytes_printf(b,
                     "%s\n    {\"id\": %zu, \"kind\": \"%s\", \"class\": \"%s\", "
                     "\"malicious\": %s, \"detectors\": [",
                     i ? "," : "", i, KINDS[p->kind].name, KINDS[p->kind].cls,
                     KINDS[p->kind].malicious ? "true" : "false");
        const char *d = KINDS[p->kind].detectors;
        for (int first = 1; *d; first = 0) {
            const char *bar = strchr(d, '|');
            size_t n = bar ? (size_t)(bar - d) : strlen(d);
            bytes_printf(b, "%s\"%.*s\"", first ? "" : ", ", (int)n, d);
            d += n + (bar ? 1 : 0);
        }
        bytes_printf(b, "], \"hosts\": [");
        if (p->client) {
            host_str(p->client, c, sizeof c);
            bytes_printf(b, "\"%s\"", c);
            if (p->server && p->kind != P_SWEEP && p->kind != P_TUNNEL_IODINE &&
                p->kind != P_TUNNEL_DNSCAT2 && p->kind != P_EXFIL_DNS) {
                host_str(p->server, sv, sizeof sv);
                bytes_printf(b, ", \"%s\"", sv);
            }
        }
        bytes_printf(b, "], \"name\": ");
        json_str(b, p->name);
        bytes_printf(b, ", \"style\": ");
        json_str(b, p->style);
        bytes_printf(b,
                     ", \"members\": %u, \"period_s\": %.3f, \"jitter\": %.3f, \"active_s\": "
                     "%.0f, \"sleep_s\": %.0f, \"count\": %llu, \"done\": %llu, \"size\": %llu, "
                     "\"pace_s\": %.4f, \"qtype\": %u, \"first_ts\": %.6f, \"last_ts\": %.6f}",
                     p->nmembers, p->period, p->jitter, p->active, p->sleep,
                     (unsigned long long)p->count, (unsigned long long)p->done,
                     (unsigned long long)p->size, p->pace, p->qtype, p->first_ts / 1e9,
                     p->last_ts / 1e9);
    }
    bytes_printf(b, "\n  ]");
}
