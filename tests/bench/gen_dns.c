/* gen_dns.c — UDP traffic: DNS transactions against the LAN's resolver (A, AAAA, CNAME
 * chains to a CDN, NXDOMAIN with the zone's SOA), NTP polls, and syslog messages.
 *
 * Every DNS query comes from a fresh source port (as stub resolvers do), so each one is its
 * own UDP conversation in tshark's conversation table.
 */
#include "gencap.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

host_t *g_resolver, *g_resolver6;

/* Appends name in DNS label form; returns its offset in the message. */
static size_t put_name(bytes_t *m, const char *name)
{
    size_t at = m->len;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        bytes_u8(m, (unsigned)n);
        bytes_put(m, name, n);
        name += n + (dot ? 1 : 0);
    }
    bytes_u8(m, 0);
    return at;
}

static void put_header(bytes_t *m, unsigned id, unsigned flags, unsigned an, unsigned ns)
{
    bytes_u16(m, id), bytes_u16(m, flags), bytes_u16(m, 1), bytes_u16(m, an), bytes_u16(m, ns);
    bytes_u16(m, 0);
}

/* A resource record whose owner name is a compression pointer. */
static void put_rr_head(bytes_t *m, size_t name_off, unsigned type, uint32_t ttl, size_t rdlen)
{
    bytes_u16(m, 0xc000 | (unsigned)name_off);
    bytes_u16(m, type), bytes_u16(m, 1), bytes_u32(m, ttl), bytes_u16(m, (unsigned)rdlen);
}

typedef enum { Q_ADDR, Q_CNAME, Q_NXDOMAIN } qkind_t;

/* One query and its answer.  For Q_ADDR and Q_CNAME, target's address is the answer. */
static uint64_t dns_transaction(session_t *s, host_t *client, const char *qname, unsigned qtype,
                                qkind_t kind, const char *cname, const host_t *target, uint64_t t)
{
    host_t *res = client->v6 ? g_resolver6 : g_resolver;
    uint16_t sport = host_port(client);
    unsigned id = (unsigned)rng_range(&g_rng, 0, 0xffff);
    bytes_t q = {0}, r = {0};
    put_header(&q, id, 0x0100, 0, 0);
    put_name(&q, qname);
    bytes_u16(&q, qtype), bytes_u16(&q, 1);
    udp_datagram(s, client, sport, res, 53, t, q.data, q.len);
    g_truth.dns_queries++;
    g_truth.udp_conversations++;
    if (qtype == 28)
        g_truth.dns_aaaa++;
    else
        g_truth.dns_a++;

    int nx = kind == Q_NXDOMAIN;
    put_header(&r, id, 0x8180 | (nx ? 3 : 0), nx ? 0 : kind == Q_CNAME ? 2 : 1, nx ? 1 : 0);
    size_t qoff = put_name(&r, qname);
    bytes_u16(&r, qtype), bytes_u16(&r, 1);
    size_t owner = qoff;
    uint32_t ttl = (uint32_t)rng_range(&g_rng, 30, 3600);
    if (kind == Q_CNAME) {
        bytes_t rd = {0};
        put_name(&rd, cname);
        put_rr_head(&r, owner, 5, ttl, rd.len);
        owner = r.len;
        bytes_put(&r, rd.data, rd.len);
        bytes_free(&rd);
        g_truth.dns_cname_answers++;
    }
    if (nx) {
        /* The SOA of the zone ("example"): the last label of the question. */
        size_t zone = qoff + strlen(qname) + 1 - strlen("example") - 1;
        bytes_t rd = {0};
        put_name(&rd, "ns1.example");
        put_name(&rd, "hostmaster.example");
        bytes_u32(&rd, 2023111401), bytes_u32(&rd, 7200), bytes_u32(&rd, 900);
        bytes_u32(&rd, 1209600), bytes_u32(&rd, 300);
        put_rr_head(&r, zone, 6, 300, rd.len);
        bytes_put(&r, rd.data, rd.len);
        bytes_free(&rd);
        g_truth.dns_nxdomain++;
    } else if (qtype == 28) {
        put_rr_head(&r, owner, 28, ttl, 16);
        bytes_put(&r, target->addr, 16);
    } else {
        put_rr_head(&r, owner, 1, ttl, 4);
        bytes_put(&r, target->addr, 4);
    }
    t += rng_logu(&g_rng, 300000, 60000000); /* 0.3 .. 60 ms: cached or recursed */
    udp_datagram(s, res, 53, client, sport, t, r.data, r.len);
    g_truth.dns_responses++;
    bytes_free(&q), bytes_free(&r);
    return t;
}

uint64_t dns_lookup(session_t *s, host_t *client, host_t *target, int want_v6, uint64_t t)
{
    return dns_transaction(s, client, target->name, want_v6 ? 28 : 1, Q_ADDR, NULL, target, t);
}

static const char *const NX_WORDS[] = {"wwww",    "mial",       "updaet",  "intranet", "wpad",
                                       "printer", "fileserver", "vpn-old", "cdn-test", "staging"};

void dns_session(session_t *s, host_t *client, uint64_t t)
{
    unsigned n = (unsigned)rng_range(&g_rng, 1, 3);
    for (unsigned i = 0; i < n; i++) {
        double r = rng_unit(&g_rng);
        host_t *srv = pick_server();
        if (r < 0.55) {
            host_t *target = find_server(srv->name, 0);
            t = dns_transaction(s, client, target->name, 1, Q_ADDR, NULL, target, t);
        } else if (r < 0.8) {
            host_t *target = find_server(srv->name, 1);
            t = dns_transaction(s, client, target->name, 28, Q_ADDR, NULL, target, t);
        } else if (r < 0.92) {
            char qname[128], cname[128];
            snprintf(qname, sizeof qname, "static.%s", srv->name);
            snprintf(cname, sizeof cname, "e%u.cdn.example", (unsigned)rng_range(&g_rng, 1, 40));
            host_t *edge = find_server("img.cdn.example", 0);
            t = dns_transaction(s, client, qname, 1, Q_CNAME, cname, edge, t);
        } else {
            char qname[128];
            snprintf(qname, sizeof qname, "%s%u.bench.example",
                     NX_WORDS[rng_range(&g_rng, 0, sizeof NX_WORDS / sizeof NX_WORDS[0] - 1)],
                     (unsigned)rng_range(&g_rng, 1, 99));
            t = dns_transaction(s, client, qname, 1, Q_NXDOMAIN, NULL, NULL, t);
        }
        t += rng_range(&g_rng, 1000000, 500000000);
    }
}

/* ---- NTP ---- */

/* NTP's 64-bit timestamp (seconds since 1900 and a binary fraction) for ts. */
static void put_ntp_ts(bytes_t *b, uint64_t ts)
{
    uint64_t sec = ts / 1000000000u + 2208988800u;
    uint64_t frac = ((ts % 1000000000u) << 32) / 1000000000u;
    bytes_u32(b, (uint32_t)sec);
    bytes_u32(b, (uint32_t)frac);
}

void ntp_exchange(session_t *s, host_t *client, host_t *server, uint64_t t)
{
    bytes_t q = {0}, r = {0};
    bytes_u8(&q, 0x23), bytes_u8(&q, 0), bytes_u8(&q, 6), bytes_u8(&q, 0xe9);
    bytes_u32(&q, 0), bytes_u32(&q, 0), bytes_u32(&q, 0);
    put_ntp_ts(&q, 0), put_ntp_ts(&q, 0), put_ntp_ts(&q, 0);
    put_ntp_ts(&q, t); /* transmit time; the other stamps of a client request are zero */
    udp_datagram(s, client, 123, server, 123, t, q.data, q.len);
    uint64_t rtt = rng_range(&g_rng, 5000000, 40000000);
    bytes_u8(&r, 0x24), bytes_u8(&r, 2), bytes_u8(&r, 6), bytes_u8(&r, 0xe8);
    bytes_u32(&r, 0x00000123), bytes_u32(&r, 0x00000456);
    bytes_put(&r, "\xc0\x00\x02\x7b", 4);
    put_ntp_ts(&r, t - 600000000000ull);
    bytes_put(&r, q.data + 40, 8); /* origin = client's transmit */
    put_ntp_ts(&r, t + rtt / 2);
    put_ntp_ts(&r, t + rtt / 2 + 20000);
    udp_datagram(s, server, 123, client, 123, t + rtt, r.data, r.len);
    g_truth.ntp_exchanges++;
    bytes_free(&q), bytes_free(&r);
}

/* ---- syslog ---- */

void syslog_message(session_t *s, host_t *sender, host_t *collector, uint64_t t)
{
    static const char *const apps[] = {"sshd", "CRON", "kernel", "systemd", "dhclient", "nginx"};
    time_t sec = (time_t)(t / 1000000000u);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    char host[32];
    snprintf(host, sizeof host, "srv-%u", sender->addr[3]);
    bytes_t m = {0};
    unsigned app = (unsigned)rng_range(&g_rng, 0, 5);
    bytes_printf(&m,
                 "<%u>%s %s %s[%u]: ", 8 * (app == 1 ? 9 : 3) + (unsigned)rng_range(&g_rng, 3, 6),
                 stamp, host, apps[app], (unsigned)rng_range(&g_rng, 100, 32000));
    static const char *const msgs[] = {
        "Accepted publickey for backup from 10.1.2.17 port 50122 ssh2",
        "(root) CMD (run-parts /etc/cron.hourly)",
        "eth0: link up, 1000Mbps, full-duplex",
        "Started Daily apt download activities.",
        "DHCPACK of 10.1.0.77 from 10.1.0.1",
        "upstream timed out (110: Connection timed out) while reading response header",
    };
    bytes_printf(&m, "%s", msgs[app]);
    udp_datagram(s, sender, 514, collector, 514, t, m.data, m.len);
    g_truth.syslog_messages++;
    bytes_free(&m);
}

/* One query for qname of type qtype from client to the resolver and its answer carrying
 * rdlen bytes of data in a record of that type (A: an address; TXT, NULL, CNAME, MX: data
 * the way tunnels send it), or NXDOMAIN when nx.  Returns when the answer was seen. */
uint64_t dns_raw(session_t *s, host_t *client, const char *qname, unsigned qtype, size_t rdlen,
                 int nx, uint64_t t)
{
    host_t *res = g_resolver;
    uint16_t sport = host_port(client);
    unsigned id = (unsigned)rng_range(&g_rng, 0, 0xffff);
    bytes_t q = {0}, r = {0}, rd = {0};
    put_header(&q, id, 0x0100, 0, 0);
    put_name(&q, qname);
    bytes_u16(&q, qtype), bytes_u16(&q, 1);
    udp_datagram(s, client, sport, res, 53, t, q.data, q.len);
    g_truth.dns_queries++;
    put_header(&r, id, 0x8180 | (nx ? 3 : 0), nx ? 0 : 1, 0);
    size_t qoff = put_name(&r, qname);
    bytes_u16(&r, qtype), bytes_u16(&r, 1);
    if (!nx) {
        static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
        if (qtype == 1) {
            bytes_u8(&rd, 10), bytes_u8(&rd, (unsigned)rng_range(&g_rng, 0, 255));
            bytes_u8(&rd, (unsigned)rng_range(&g_rng, 0, 255));
            bytes_u8(&rd, (unsigned)rng_range(&g_rng, 1, 254));
        } else if (qtype == 16) { /* TXT: one or more strings of up to 255 */
            for (size_t left = rdlen ? rdlen : 1; left;) {
                size_t n = left > 255 ? 255 : left;
                bytes_u8(&rd, (unsigned)n);
                for (size_t i = 0; i < n; i++)
                    bytes_u8(&rd, (unsigned)b32[rng_range(&g_rng, 0, 31)]);
                left -= n;
            }
        } else if (qtype == 5 || qtype == 15) { /* CNAME, MX: an encoded name */
            if (qtype == 15)
                bytes_u16(&rd, 10);
            size_t n = rdlen > 60 ? 60 : rdlen ? rdlen : 1;
            bytes_u8(&rd, (unsigned)n);
            for (size_t i = 0; i < n; i++)
                bytes_u8(&rd, (unsigned)b32[rng_range(&g_rng, 0, 31)]);
            bytes_u16(&rd, 0xc000 | (unsigned)(qoff + 1 + (uint8_t)r.data[qoff]));
        } else { /* NULL and others: raw bytes */
            size_t n = rdlen ? rdlen : 1;
            bytes_reserve(&rd, n);
            rng_fill(&g_rng, rd.data + rd.len, n);
            rd.len += n;
        }
        put_rr_head(&r, qoff, qtype, 0, rd.len);
        bytes_put(&r, rd.data, rd.len);
    }
    t += rng_logu(&g_rng, 2000000, 80000000); /* not cached: always recursed */
    udp_datagram(s, res, 53, client, sport, t, r.data, r.len);
    g_truth.dns_responses++;
    bytes_free(&q), bytes_free(&r), bytes_free(&rd);
    return t;
}
