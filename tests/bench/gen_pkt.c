/* gen_pkt.c — the generator's plumbing: PRNG, buffers, sessions, and the frames themselves.
 *
 * Frames are Ethernet II + IPv4/IPv6 + TCP/UDP with correct lengths and checksums.  The
 * capture point is on the client LAN, so a server's packets arrive one RTT after the
 * client's packet that caused them, while the client answers within microseconds.
 */
#include "gencap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG ---- */

rng_t g_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_range(rng_t *r, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = hi - lo + 1;
    return span == 0 ? rng_next(r) : lo + rng_next(r) % span;
}

double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_exp(rng_t *r, double mean)
{
    return -mean * log(1.0 - rng_unit(r));
}

uint64_t rng_logu(rng_t *r, uint64_t lo, uint64_t hi)
{
    double l = log((double)lo), h = log((double)hi);
    uint64_t v = (uint64_t)exp(l + (h - l) * rng_unit(r));
    return v < lo ? lo : v > hi ? hi : v;
}

void rng_fill(rng_t *r, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len >= 8) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, 8);
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, len);
    }
}

/* ---- memory ---- */

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "gencap: out of memory (%zu bytes)\n", n);
        exit(4);
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "gencap: out of memory (%zu bytes)\n", n);
        exit(4);
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void bytes_reserve(bytes_t *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void bytes_put(bytes_t *b, const void *p, size_t n)
{
    bytes_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void bytes_printf(bytes_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    bytes_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bytes_u8(bytes_t *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    bytes_put(b, &x, 1);
}

void bytes_u16(bytes_t *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    bytes_put(b, x, 2);
}

void bytes_u24(bytes_t *b, unsigned v)
{
    uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    bytes_put(b, x, 3);
}

void bytes_u32(bytes_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    bytes_put(b, x, 4);
}

void bytes_free(bytes_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- hosts ---- */

const uint8_t g_gateway_mac[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};

/* Linux's default ephemeral range. */
enum { EPHEMERAL_LO = 32768, EPHEMERAL_HI = 60999 };

uint16_t host_port(host_t *h)
{
    if (h->next_port < EPHEMERAL_LO || h->next_port > EPHEMERAL_HI)
        h->next_port = (uint16_t)rng_range(&g_rng, EPHEMERAL_LO, EPHEMERAL_HI);
    uint16_t p = h->next_port;
    h->next_port = (uint16_t)(p == EPHEMERAL_HI ? EPHEMERAL_LO : p + 1);
    return p;
}

void host_str(const host_t *h, char *out, size_t outlen)
{
    if (!h->v6) {
        snprintf(out, outlen, "%u.%u.%u.%u", h->addr[0], h->addr[1], h->addr[2], h->addr[3]);
        return;
    }
    /* Our v6 addresses are 2001:db8:X:Y::Z style; print the full form compressed at the
     * longest run of zero groups, like inet_ntop. */
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)h->addr[2 * i] << 8 | h->addr[2 * i + 1];
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > bestlen && j - i >= 2)
            best = i, bestlen = j - i;
        i = j;
    }
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < 8 && n < outlen; i++) {
        if (i == best) {
            n += (size_t)snprintf(out + n, outlen - n, "::");
            i += bestlen - 1;
            continue;
        }
        n += (size_t)snprintf(out + n, outlen - n, "%s%x", (i && i != best + bestlen) ? ":" : "",
                              g[i]);
    }
}

/* ---- sessions ---- */

static uint64_t g_session_ids;

session_t *session_new(void)
{
    session_t *s = xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->id = g_session_ids++;
    return s;
}

void session_free(session_t *s)
{
    if (!s)
        return;
    bytes_free(&s->buf);
    free(s->pk);
    free(s);
}

uint8_t *session_frame(session_t *s, uint64_t ts, size_t len)
{
    if (s->npk == s->cappk) {
        s->cappk = s->cappk ? s->cappk * 2 : 64;
        s->pk = xrealloc(s->pk, s->cappk * sizeof *s->pk);
    }
    bytes_reserve(&s->buf, len);
    pkt_ref_t *r = &s->pk[s->npk];
    r->ts = ts;
    r->off = s->buf.len;
    r->len = (uint32_t)len;
    r->order = (uint32_t)s->npk;
    s->npk++;
    uint8_t *p = s->buf.data + s->buf.len;
    s->buf.len += len;
    return p;
}

static int pkt_cmp(const void *a, const void *b)
{
    const pkt_ref_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

void session_finish(session_t *s)
{
    qsort(s->pk, s->npk, sizeof *s->pk, pkt_cmp);
    s->next = 0;
}

uint64_t session_file_bytes(const session_t *s)
{
    return s->buf.len + 16 * (uint64_t)s->npk;
}

/* ---- checksums (RFC 1071, summed in host order, which gives the right bytes) ---- */

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        sum += (v & 0xffffffffu) + (v >> 32);
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        sum += v;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        sum += v;
        p += 2;
        n -= 2;
    }
    if (n) {
        uint16_t v = 0;
        memcpy(&v, p, 1);
        sum += v;
    }
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static inline void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Ethernet + IP header for an L4 payload of l4len bytes; returns the L4 start.  The L4
 * checksum is filled by l4_checksum once the L4 bytes are in place. */
static uint8_t *frame_ip(session_t *s, host_t *src, const host_t *dst, uint64_t ts, int proto,
                         size_t l4len, uint32_t flowlabel)
{
    size_t iplen = src->v6 ? 40 : 20;
    uint8_t *f = session_frame(s, ts, 14 + iplen + l4len);
    memcpy(f, dst->mac, 6);
    memcpy(f + 6, src->mac, 6);
    put16(f + 12, src->v6 ? 0x86dd : 0x0800);
    uint8_t *ip = f + 14;
    if (!src->v6) {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (unsigned)(20 + l4len));
        put16(ip + 4, src->ip_id++);
        put16(ip + 6, 0x4000); /* DF */
        ip[8] = src->ttl;
        ip[9] = (uint8_t)proto;
        ip[10] = ip[11] = 0;
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        uint16_t ck = csum_fold(csum_add(0, ip, 20));
        memcpy(ip + 10, &ck, 2);
    } else {
        put32(ip, 0x60000000u | (flowlabel & 0xfffff));
        put16(ip + 4, (unsigned)l4len);
        ip[6] = (uint8_t)proto;
        ip[7] = src->ttl;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
    }
    return ip + iplen;
}

static void l4_checksum(const host_t *src, const host_t *dst, int proto, uint8_t *l4, size_t l4len,
                        size_t ck_off)
{
    uint8_t ph[40];
    size_t phlen;
    if (!src->v6) {
        memcpy(ph, src->addr, 4);
        memcpy(ph + 4, dst->addr, 4);
        ph[8] = 0;
        ph[9] = (uint8_t)proto;
        put16(ph + 10, (unsigned)l4len);
        phlen = 12;
    } else {
        memcpy(ph, src->addr, 16);
        memcpy(ph + 16, dst->addr, 16);
        put32(ph + 32, (uint32_t)l4len);
        ph[36] = ph[37] = ph[38] = 0;
        ph[39] = (uint8_t)proto;
        phlen = 40;
    }
    l4[ck_off] = l4[ck_off + 1] = 0;
    uint16_t ck = csum_fold(csum_add(csum_add(0, ph, phlen), l4, l4len));
    if (proto == 17 && ck == 0)
        ck = 0xffff;
    memcpy(l4 + ck_off, &ck, 2);
}

/* ---- TCP ---- */

/* Receive buffers the window fields advertise; Linux autotuning grows them as data arrives,
 * up to the cap. */
enum { CLIENT_RWND = 3 << 20, SERVER_RWND = 1 << 20, RWND_GROWTH_CAP = 6 << 20 };

void tcp_conn_init(tcp_conn_t *c, host_t *client, uint16_t cport, host_t *server, uint16_t sport,
                   uint64_t t)
{
    memset(c, 0, sizeof *c);
    c->h[DIR_C2S] = client;
    c->h[DIR_S2C] = server;
    c->port[DIR_C2S] = cport;
    c->port[DIR_S2C] = sport;
    for (int d = 0; d < 2; d++) {
        c->isn[d] = (uint32_t)rng_next(&g_rng);
        c->seq[d] = c->isn[d];
    }
    c->wscale[DIR_C2S] = 7;
    c->wscale[DIR_S2C] = (uint8_t)(rng_range(&g_rng, 0, 3) == 0 ? 9 : 7);
    c->rwnd[DIR_C2S] = CLIENT_RWND;
    c->rwnd[DIR_S2C] = SERVER_RWND;
    c->rtt = (uint64_t)rng_logu(&g_rng, 2000, 150000) * 1000; /* 2 .. 150 ms */
    c->mss = client->v6 ? 1428 : 1448;
    /* Server rate 20 .. 400 Mbit/s, client upload 5 .. 100 Mbit/s. */
    double srate = (double)rng_logu(&g_rng, 20, 400) * 1e6,
           crate = (double)rng_logu(&g_rng, 5, 100) * 1e6;
    c->gap[DIR_S2C] = (uint64_t)(c->mss * 8 / srate * 1e9);
    c->gap[DIR_C2S] = (uint64_t)(c->mss * 8 / crate * 1e9);
    /* Never more in flight than 80 % of the receiver's window: a faster sender would be
     * stalled by the window, and tshark would flag "window full". */
    for (int d = 0; d < 2; d++) {
        uint64_t min_gap = c->rtt * c->mss / (c->rwnd[!d] * 8 / 10);
        if (c->gap[d] < min_gap)
            c->gap[d] = min_gap;
    }
    c->flowlabel = (uint32_t)rng_next(&g_rng) & 0xfffff;
    c->t = t;
}

static uint32_t tsval(const host_t *h, uint64_t ts)
{
    return h->tsval_base + (uint32_t)(ts / 1000000);
}

void tcp_segment_sack(session_t *s, tcp_conn_t *c, int dir, uint64_t ts, unsigned flags,
                      const uint8_t *data, size_t len, const uint32_t *sack, int nsack)
{
    host_t *src = c->h[dir], *dst = c->h[!dir];
    if (ts < c->last[dir])
        ts = c->last[dir];
    c->last[dir] = ts;
    uint8_t opt[40];
    size_t olen = 0;
    int syn = (flags & TCP_SYN) != 0;
    if (syn && c->syn_opts_nmap) {
        opt[olen++] = 2, opt[olen++] = 4;
        put16(opt + olen, 1460);
        olen += 2;
    } else if (syn) {
        opt[olen++] = 2, opt[olen++] = 4;
        put16(opt + olen, src->v6 ? 1440 : 1460);
        olen += 2;
        opt[olen++] = 4, opt[olen++] = 2; /* SACK permitted */
        opt[olen++] = 8, opt[olen++] = 10;
        put32(opt + olen, tsval(src, ts));
        put32(opt + olen + 4, (flags & TCP_ACK) ? tsval(dst, ts - c->rtt / 2) : 0);
        olen += 8;
        opt[olen++] = 1; /* NOP */
        opt[olen++] = 3, opt[olen++] = 3, opt[olen++] = c->wscale[dir];
    } else if (!c->no_ts) {
        opt[olen++] = 1, opt[olen++] = 1;
        opt[olen++] = 8, opt[olen++] = 10;
        put32(opt + olen, tsval(src, ts));
        put32(opt + olen + 4, tsval(dst, ts > c->rtt / 2 ? ts - c->rtt / 2 : ts));
        olen += 8;
    }
    if (nsack > 0) {
        opt[olen++] = 1, opt[olen++] = 1;
        opt[olen++] = 5, opt[olen++] = (uint8_t)(2 + 8 * nsack);
        for (int i = 0; i < 2 * nsack; i++, olen += 4)
            put32(opt + olen, sack[i]);
    }
    size_t thl = 20 + olen, l4len = thl + len;
    uint8_t *tcp = frame_ip(s, src, dst, ts, 6, l4len, c->flowlabel);
    put16(tcp, c->port[dir]);
    put16(tcp + 2, c->port[!dir]);
    put32(tcp + 4, c->seq[dir]);
    put32(tcp + 8, (flags & TCP_ACK) ? c->rcv[dir] : 0);
    tcp[12] = (uint8_t)((thl / 4) << 4);
    tcp[13] = (uint8_t)flags;
    unsigned win;
    if (flags & TCP_RST)
        win = 0;
    else if (syn && c->syn_opts_nmap && dir == DIR_C2S)
        win = 1024;
    else if (syn)
        win = dir == DIR_C2S ? 64240 : 65160;
    else {
        uint64_t grow = c->rcvd[dir] < RWND_GROWTH_CAP ? c->rcvd[dir] : RWND_GROWTH_CAP;
        uint64_t w = (c->rwnd[dir] + grow) >> c->wscale[dir];
        win = w > 65535 ? 65535 : (unsigned)w;
    }
    put16(tcp + 14, win);
    put16(tcp + 18, 0);
    memcpy(tcp + 20, opt, olen);
    if (len)
        memcpy(tcp + thl, data, len);
    l4_checksum(src, dst, 6, tcp, l4len, 16);
    c->seq[dir] += (uint32_t)len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

void tcp_segment(session_t *s, tcp_conn_t *c, int dir, uint64_t ts, unsigned flags,
                 const uint8_t *data, size_t len)
{
    tcp_segment_sack(s, c, dir, ts, flags, data, len, NULL, 0);
}

/* How long a client's stack takes to answer (delayed ACKs aside). */
static uint64_t stack_delay(void)
{
    return rng_range(&g_rng, 8000, 60000);
}

void tcp_handshake(session_t *s, tcp_conn_t *c)
{
    tcp_segment(s, c, DIR_C2S, c->t, TCP_SYN, NULL, 0);
    c->rcv[DIR_S2C] = c->seq[DIR_C2S];
    uint64_t t = c->t + c->rtt;
    tcp_segment(s, c, DIR_S2C, t, TCP_SYN | TCP_ACK, NULL, 0);
    c->rcv[DIR_C2S] = c->seq[DIR_S2C];
    t += stack_delay();
    tcp_segment(s, c, DIR_C2S, t, TCP_ACK, NULL, 0);
    c->t = t;
    g_truth.tcp_handshakes++;
    g_truth.tcp_conversations++;
    if (c->h[0]->v6)
        g_truth.tcp_ipv6++;
}

void tcp_send(session_t *s, tcp_conn_t *c, int dir, const uint8_t *data, size_t len, int ack_last)
{
    c->rcv[dir] = c->seq[!dir];
    uint64_t t = c->t, last = t;
    size_t nseg = (len + c->mss - 1) / c->mss;
    for (size_t i = 0; i < nseg; i++) {
        size_t off = i * c->mss, n = len - off < c->mss ? len - off : c->mss;
        uint64_t ts = t + i * c->gap[dir];
        int final = i + 1 == nseg;
        tcp_segment(s, c, dir, ts, TCP_ACK | (final ? TCP_PSH : 0), data + off, n);
        c->rcvd[!dir] += n;
        last = ts;
        if ((i & 1) || (final && ack_last)) {
            /* The receiver's ACK: at once from the client, a round trip later from the
             * server. */
            uint64_t ats = ts + stack_delay() + (dir == DIR_C2S ? c->rtt : 0);
            c->rcv[!dir] = c->seq[dir];
            tcp_segment(s, c, !dir, ats, TCP_ACK, NULL, 0);
        }
    }
    c->t = last;
}

void tcp_close(session_t *s, tcp_conn_t *c, int first)
{
    uint64_t t = c->t;
    c->rcv[first] = c->seq[!first];
    tcp_segment(s, c, first, t, TCP_FIN | TCP_ACK, NULL, 0);
    /* A FIN from the client reaches the server and the answer comes back after one RTT; a
     * FIN from the server is answered by the client's stack at once. */
    t += first == DIR_C2S ? c->rtt : stack_delay();
    c->rcv[!first] = c->seq[first];
    tcp_segment(s, c, !first, t, TCP_FIN | TCP_ACK, NULL, 0);
    t += first == DIR_C2S ? stack_delay() : c->rtt;
    c->rcv[first] = c->seq[!first];
    tcp_segment(s, c, first, t, TCP_ACK, NULL, 0);
    c->t = t;
    g_truth.tcp_fin_closed++;
}

/* ---- UDP ---- */

void udp_datagram(session_t *s, host_t *src, uint16_t sport, host_t *dst, uint16_t dport,
                  uint64_t ts, const uint8_t *data, size_t len)
{
    size_t l4len = 8 + len;
    uint8_t *u = frame_ip(s, src, dst, ts, 17, l4len, 0);
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (unsigned)l4len);
    memcpy(u + 8, data, len);
    l4_checksum(src, dst, 17, u, l4len, 6);
}

/* ---- ICMP (IPv4) ---- */

void icmp_packet(session_t *s, host_t *src, host_t *dst, uint64_t ts, unsigned type, unsigned code,
                 uint32_t rest, const uint8_t *data, size_t len)
{
    size_t l4len = 8 + len;
    uint8_t *p = frame_ip(s, src, dst, ts, 1, l4len, 0);
    p[0] = (uint8_t)type, p[1] = (uint8_t)code, p[2] = p[3] = 0;
    put32(p + 4, rest);
    memcpy(p + 8, data, len);
    uint16_t ck = csum_fold(csum_add(0, p, l4len));
    memcpy(p + 2, &ck, 2);
}
