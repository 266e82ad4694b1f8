/* gen_tls.c — TLS 1.2 connections: a browser-like ClientHello (SNI, ALPN, a long cipher
 * list, and for most clients a TLS 1.3 offer the server declines), the server's flight with
 * a real certificate chain from certs/, the ECDHE key exchange, Finished, application data
 * records and a close_notify.
 *
 * TLS 1.2 rather than 1.3 because only then is the Certificate message in clear text, which
 * is what certificate extraction is benchmarked on.  The certificates are embedded at build
 * time (certs.h, made by the Makefile from the DER files in certs/).
 */
#include "gencap.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "certs.h"

typedef struct {
    const char *name;
    const unsigned char *der[2];
    size_t len[2];
    int ncerts;
    unsigned cipher; /* the suite the server picks: it has to match the key type */
    unsigned sigalg; /* ServerKeyExchange signature */
    size_t siglen;
} chain_t;

static chain_t CHAINS[3];
enum { NCHAINS = 3 };

static void chain_set(chain_t *c, const char *name, const unsigned char *d0, size_t l0,
                      const unsigned char *d1, size_t l1, unsigned cipher, unsigned sigalg,
                      size_t siglen)
{
    c->name = name;
    c->der[0] = d0, c->len[0] = l0;
    c->der[1] = d1, c->len[1] = l1;
    c->ncerts = d1 ? 2 : 1;
    c->cipher = cipher, c->sigalg = sigalg, c->siglen = siglen;
}

void tls_init(void)
{
    /* ECDHE-RSA-AES128-GCM-SHA256 with rsa_pkcs1_sha256 for the RSA leaves;
     * ECDHE-ECDSA-AES128-GCM-SHA256 with ecdsa_secp256r1_sha256 for the EC one. */
    chain_set(&CHAINS[0], "web", cert_web_der, sizeof cert_web_der, cert_ca_der, sizeof cert_ca_der,
              0xc02f, 0x0401, 256);
    chain_set(&CHAINS[1], "expired", cert_expired_der, sizeof cert_expired_der, cert_ca_der,
              sizeof cert_ca_der, 0xc02f, 0x0401, 256);
    chain_set(&CHAINS[2], "selfsigned", cert_selfsigned_der, sizeof cert_selfsigned_der, NULL, 0,
              0xc02b, 0x0403, 71);
}

int tls_chain_id(const char *server_name)
{
    if (!strcmp(server_name, "legacy.bench.example"))
        return 1;
    if (!strcmp(server_name, "selfsigned.bench.example"))
        return 2;
    return 0;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

void tls_truth_json(bytes_t *b)
{
    struct {
        const char *file;
        const unsigned char *der;
        size_t len;
    } certs[] = {
        {"ca.der", cert_ca_der, sizeof cert_ca_der},
        {"web.der", cert_web_der, sizeof cert_web_der},
        {"expired.der", cert_expired_der, sizeof cert_expired_der},
        {"selfsigned.der", cert_selfsigned_der, sizeof cert_selfsigned_der},
    };
    bytes_printf(b, "\"certificates\": [");
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++) {
        unsigned char md[32];
        char h[65];
        SHA256(certs[i].der, certs[i].len, md);
        hex(h, md, 32);
        bytes_printf(b, "%s\n      {\"file\": \"%s\", \"sha256\": \"%s\", \"der_bytes\": %zu}",
                     i ? "," : "", certs[i].file, h, certs[i].len);
    }
    bytes_printf(b, "\n    ],\n    \"handshakes_by_chain\": {");
    for (int i = 0; i < NCHAINS; i++)
        bytes_printf(b, "%s\"%s\": %llu", i ? ", " : "", CHAINS[i].name,
                     (unsigned long long)g_truth.tls_by_chain[i]);
    bytes_printf(b, "}");
}

/* ---- records ---- */

static void record(bytes_t *out, unsigned type, unsigned version, const bytes_t *body)
{
    bytes_u8(out, type);
    bytes_u16(out, version);
    bytes_u16(out, (unsigned)body->len);
    bytes_put(out, body->data, body->len);
}

static void handshake(bytes_t *out, unsigned type, const bytes_t *body)
{
    bytes_u8(out, type);
    bytes_u24(out, (unsigned)body->len);
    bytes_put(out, body->data, body->len);
}

static void put_random(bytes_t *b, size_t n)
{
    bytes_reserve(b, n);
    rng_fill(&g_rng, b->data + b->len, n);
    b->len += n;
}

/* Extension with a body built by the caller. */
static void ext(bytes_t *out, unsigned type, const bytes_t *body)
{
    bytes_u16(out, type);
    bytes_u16(out, (unsigned)body->len);
    bytes_put(out, body->data, body->len);
}

static void client_hello(bytes_t *rec, const char *sni, int modern)
{
    static const unsigned suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const unsigned sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                       0x0805, 0x0501, 0x0806, 0x0601};
    bytes_t ch = {0}, exts = {0}, e = {0}, hs = {0};
    bytes_u16(&ch, 0x0303);
    put_random(&ch, 32);
    bytes_u8(&ch, 32);
    put_random(&ch, 32);
    size_t first = modern ? 0 : 3; /* TLS 1.2-only clients do not list the 1.3 suites */
    bytes_u16(&ch, (unsigned)(2 * (sizeof suites / sizeof suites[0] - first)));
    for (size_t i = first; i < sizeof suites / sizeof suites[0]; i++)
        bytes_u16(&ch, suites[i]);
    bytes_u8(&ch, 1), bytes_u8(&ch, 0);

    size_t nl = strlen(sni);
    bytes_u16(&e, (unsigned)(nl + 3)), bytes_u8(&e, 0), bytes_u16(&e, (unsigned)nl),
        bytes_put(&e, sni, nl);
    ext(&exts, 0x0000, &e), e.len = 0;
    ext(&exts, 0x0017, &e);
    bytes_u8(&e, 0), ext(&exts, 0xff01, &e), e.len = 0;
    bytes_u16(&e, 6), bytes_u16(&e, 0x001d), bytes_u16(&e, 0x0017), bytes_u16(&e, 0x0018);
    ext(&exts, 0x000a, &e), e.len = 0;
    bytes_u8(&e, 1), bytes_u8(&e, 0), ext(&exts, 0x000b, &e), e.len = 0;
    ext(&exts, 0x0023, &e);
    bytes_u16(&e, 12), bytes_u8(&e, 2), bytes_put(&e, "h2", 2), bytes_u8(&e, 8),
        bytes_put(&e, "http/1.1", 8);
    ext(&exts, 0x0010, &e), e.len = 0;
    bytes_u8(&e, 1), bytes_u16(&e, 0), bytes_u16(&e, 0), ext(&exts, 0x0005, &e), e.len = 0;
    bytes_u16(&e, (unsigned)(2 * (sizeof sigalgs / sizeof sigalgs[0])));
    for (size_t i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++)
        bytes_u16(&e, sigalgs[i]);
    ext(&exts, 0x000d, &e), e.len = 0;
    if (modern) {
        bytes_u16(&e, 36), bytes_u16(&e, 0x001d), bytes_u16(&e, 32), put_random(&e, 32);
        ext(&exts, 0x0033, &e), e.len = 0;
        bytes_u8(&e, 1), bytes_u8(&e, 1), ext(&exts, 0x002d, &e), e.len = 0;
        bytes_u8(&e, 4), bytes_u16(&e, 0x0304), bytes_u16(&e, 0x0303);
        ext(&exts, 0x002b, &e), e.len = 0;
    }
    bytes_u16(&ch, (unsigned)exts.len);
    bytes_put(&ch, exts.data, exts.len);
    handshake(&hs, 1, &ch);
    record(rec, 22, 0x0301, &hs);
    bytes_free(&ch), bytes_free(&exts), bytes_free(&e), bytes_free(&hs);
}

static void server_flight(bytes_t *out, const chain_t *chain, int h2)
{
    bytes_t sh = {0}, exts = {0}, e = {0}, hs = {0}, msg = {0};
    bytes_u16(&sh, 0x0303);
    put_random(&sh, 32);
    bytes_u8(&sh, 32);
    put_random(&sh, 32);
    bytes_u16(&sh, chain->cipher);
    bytes_u8(&sh, 0);
    bytes_u8(&e, 0), ext(&exts, 0xff01, &e), e.len = 0;
    bytes_u8(&e, 1), bytes_u8(&e, 0), ext(&exts, 0x000b, &e), e.len = 0;
    const char *alpn = h2 ? "h2" : "http/1.1";
    size_t al = strlen(alpn);
    bytes_u16(&e, (unsigned)(al + 1)), bytes_u8(&e, (unsigned)al), bytes_put(&e, alpn, al);
    ext(&exts, 0x0010, &e), e.len = 0;
    ext(&exts, 0x0017, &e);
    ext(&exts, 0x0023, &e);
    bytes_u16(&sh, (unsigned)exts.len);
    bytes_put(&sh, exts.data, exts.len);
    handshake(&hs, 2, &sh);
    record(out, 22, 0x0303, &hs), hs.len = 0;

    size_t total = 0;
    for (int i = 0; i < chain->ncerts; i++)
        total += 3 + chain->len[i];
    bytes_u24(&msg, (unsigned)total);
    for (int i = 0; i < chain->ncerts; i++) {
        bytes_u24(&msg, (unsigned)chain->len[i]);
        bytes_put(&msg, chain->der[i], chain->len[i]);
    }
    handshake(&hs, 11, &msg), msg.len = 0;
    record(out, 22, 0x0303, &hs), hs.len = 0;

    bytes_u8(&msg, 3), bytes_u16(&msg, 0x001d), bytes_u8(&msg, 32), put_random(&msg, 32);
    bytes_u16(&msg, chain->sigalg), bytes_u16(&msg, (unsigned)chain->siglen);
    put_random(&msg, chain->siglen);
    handshake(&hs, 12, &msg), msg.len = 0;
    handshake(&hs, 14, &msg);
    record(out, 22, 0x0303, &hs);
    bytes_free(&sh), bytes_free(&exts), bytes_free(&e), bytes_free(&hs), bytes_free(&msg);
}

/* Encrypted records of a given content type whose plaintexts add up to n bytes. */
static void encrypted(bytes_t *out, unsigned type, size_t n)
{
    enum { MAX_PLAIN = 16384, GCM_OVERHEAD = 8 + 16 };
    do {
        size_t p = n > MAX_PLAIN ? MAX_PLAIN : n;
        bytes_u8(out, type), bytes_u16(out, 0x0303), bytes_u16(out, (unsigned)(p + GCM_OVERHEAD));
        put_random(out, p + GCM_OVERHEAD);
        n -= p;
    } while (n);
}

void tls_session(session_t *s, host_t *client, host_t *server, uint64_t t)
{
    if (rng_unit(&g_rng) < 0.5)
        t = dns_lookup(s, client, server, client->v6, t) + rng_range(&g_rng, 100000, 3000000);
    const chain_t *chain = &CHAINS[server->chain];
    g_truth.tls_by_chain[server->chain]++;
    g_truth.tls_handshakes++;
    truth_sni(server->name);
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, 443, t);
    tcp_handshake(s, &c);
    bytes_t m = {0};

    c.t += rng_range(&g_rng, 100000, 2000000);
    client_hello(&m, server->name, rng_unit(&g_rng) < 0.7);
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;

    c.t += c.rtt + rng_range(&g_rng, 300000, 5000000);
    server_flight(&m, chain, rng_unit(&g_rng) < 0.6);
    tcp_send(s, &c, DIR_S2C, m.data, m.len, 1), m.len = 0;

    c.t += rng_range(&g_rng, 200000, 3000000); /* client verifies the chain */
    bytes_u8(&m, 22), bytes_u16(&m, 0x0303), bytes_u16(&m, 37);
    bytes_u8(&m, 16), bytes_u24(&m, 33), bytes_u8(&m, 32), put_random(&m, 32);
    bytes_u8(&m, 20), bytes_u16(&m, 0x0303), bytes_u16(&m, 1), bytes_u8(&m, 1);
    encrypted(&m, 22, 16);
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;

    c.t += c.rtt + rng_range(&g_rng, 100000, 1000000);
    bytes_u8(&m, 22), bytes_u16(&m, 0x0303), bytes_u16(&m, 202);
    bytes_u8(&m, 4), bytes_u24(&m, 198), bytes_u32(&m, 7200), bytes_u16(&m, 192),
        put_random(&m, 192);
    bytes_u8(&m, 20), bytes_u16(&m, 0x0303), bytes_u16(&m, 1), bytes_u8(&m, 1);
    encrypted(&m, 22, 16);
    tcp_send(s, &c, DIR_S2C, m.data, m.len, 0), m.len = 0;

    unsigned nreq = (unsigned)rng_range(&g_rng, 1, 6);
    for (unsigned i = 0; i < nreq; i++) {
        c.t += rng_range(&g_rng, 20000, i ? 500000000 : 1000000);
        encrypted(&m, 23, rng_range(&g_rng, 200, 900));
        tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
        c.t += c.rtt + rng_range(&g_rng, 500000, 30000000);
        encrypted(&m, 23, rng_logu(&g_rng, 512, 1u << 20));
        tcp_send(s, &c, DIR_S2C, m.data, m.len, 1), m.len = 0;
    }
    c.t += rng_range(&g_rng, 5000000, 2000000000);
    encrypted(&m, 21, 2); /* close_notify */
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
    c.t += 20000;
    tcp_close(s, &c, DIR_C2S);
    bytes_free(&m);
}

/* A TLS connection to server with the SNI sni carrying app data of up bytes from the client
 * and down bytes from the server in rounds exchanges spread over span ns (the detection
 * scenarios: beacons behind a CDN, long uploads).  No DNS lookup, no truth body counts. */
void tls_session_sized(session_t *s, host_t *client, host_t *server, uint16_t port, const char *sni,
                       uint64_t t, uint64_t up, uint64_t down, unsigned rounds, uint64_t span)
{
    const chain_t *chain = &CHAINS[server->chain];
    g_truth.tls_handshakes++;
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, port, t);
    tcp_handshake(s, &c);
    bytes_t m = {0};
    c.t += rng_range(&g_rng, 100000, 2000000);
    client_hello(&m, sni, 1);
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
    c.t += c.rtt + rng_range(&g_rng, 300000, 5000000);
    server_flight(&m, chain, 0);
    tcp_send(s, &c, DIR_S2C, m.data, m.len, 1), m.len = 0;
    c.t += rng_range(&g_rng, 200000, 3000000);
    bytes_u8(&m, 22), bytes_u16(&m, 0x0303), bytes_u16(&m, 37);
    bytes_u8(&m, 16), bytes_u24(&m, 33), bytes_u8(&m, 32), put_random(&m, 32);
    bytes_u8(&m, 20), bytes_u16(&m, 0x0303), bytes_u16(&m, 1), bytes_u8(&m, 1);
    encrypted(&m, 22, 16);
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
    c.t += c.rtt + rng_range(&g_rng, 100000, 1000000);
    bytes_u8(&m, 20), bytes_u16(&m, 0x0303), bytes_u16(&m, 1), bytes_u8(&m, 1);
    encrypted(&m, 22, 16);
    tcp_send(s, &c, DIR_S2C, m.data, m.len, 0), m.len = 0;
    if (!rounds)
        rounds = 1;
    uint64_t start = c.t;
    for (unsigned i = 0; i < rounds; i++) {
        uint64_t at = start + span / rounds * i;
        if (c.t < at)
            c.t = at;
        c.t += rng_range(&g_rng, 20000, 1000000);
        encrypted(&m, 23, up / rounds + 1);
        tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
        c.t += c.rtt + rng_range(&g_rng, 500000, 20000000);
        encrypted(&m, 23, down / rounds + 1);
        tcp_send(s, &c, DIR_S2C, m.data, m.len, 1), m.len = 0;
    }
    c.t += rng_range(&g_rng, 5000000, 200000000);
    encrypted(&m, 21, 2);
    tcp_send(s, &c, DIR_C2S, m.data, m.len, 0), m.len = 0;
    c.t += 20000;
    tcp_close(s, &c, DIR_C2S);
    bytes_free(&m);
}
