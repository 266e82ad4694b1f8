/* gen_https.c — the HTTP sessions over TLS, with their keys (gencap --https-keylog FILE).
 *
 * For the decryption benchmark: the same HTTP traffic as a plain run, carried in TLS 1.2
 * ECDHE-RSA-AES128-GCM-SHA256 records on port 443, and an NSS key log (one CLIENT_RANDOM
 * line per connection) that decrypts them.  Every random number TLS needs (hello randoms,
 * master secrets) comes from a PRNG of its own, so the HTTP bytes — drawn from g_rng in
 * the same order as without TLS — are identical to the plain run's: the benchmark compares
 * decrypted analysis with plain analysis of the same content.
 *
 * The handshake is the smallest one pcapcase and Wireshark accept: ClientHello (SNI),
 * ServerHello, then ChangeCipherSpec and an encrypted Finished each way (no certificate:
 * the keys come from the key log, not from the key exchange).
 */
#include "gencap.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE 0xc02f    /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
#define MAX_PLAIN 16384 /* a record's plaintext (RFC 5246 6.2.1) */
#define TLS12 0x0303

typedef struct tls_wrap {
    uint8_t key[2][16], salt[2][4]; /* per direction: client_write, server_write */
    uint64_t seq[2];
} tls_wrap_t;

static FILE *keylog;
static rng_t tls_rng;
/* With TLS the application bytes take more and other segments, and tcp_send draws from
 * g_rng per segment (ACK delays); so that g_rng's sequence — hence every later HTTP
 * object — stays the same as in the plain twin run, application sends draw from a PRNG
 * of their own in both runs (--https-keylog and --https-twin). */
static int split;
static rng_t send_rng;

void https_split_rng(uint64_t seed)
{
    split = 1;
    rng_seed(&send_rng, seed ^ 0x5e9d3c1bu);
}

void https_init(FILE *keylog_file, uint64_t seed)
{
    keylog = keylog_file;
    rng_seed(&tls_rng, seed ^ 0x7f4a7c15u);
    https_split_rng(seed);
}

static void send_apart(session_t *s, tcp_conn_t *c, int dir, const uint8_t *data, size_t len,
                       int ack_last)
{
    if (!split) {
        tcp_send(s, c, dir, data, len, ack_last);
        return;
    }
    rng_t save = g_rng;
    g_rng = send_rng;
    tcp_send(s, c, dir, data, len, ack_last);
    send_rng = g_rng;
    g_rng = save;
}

int https_enabled(void)
{
    return keylog != NULL;
}

static void draw(uint8_t *p, size_t n)
{
    rng_fill(&tls_rng, p, n);
}

/* P_SHA256(secret, label + seed) into out (RFC 5246 5). */
static void prf(const uint8_t *secret, size_t slen, const char *label, const uint8_t *seed,
                size_t seedlen, uint8_t *out, size_t outlen)
{
    uint8_t ls[128], a[32], in[32 + 128], block[32];
    unsigned n = 0;
    size_t llen = strlen(label);
    memcpy(ls, label, llen);
    memcpy(ls + llen, seed, seedlen);
    HMAC(EVP_sha256(), secret, (int)slen, ls, llen + seedlen, a, &n);
    for (size_t done = 0; done < outlen;) {
        memcpy(in, a, 32);
        memcpy(in + 32, ls, llen + seedlen);
        HMAC(EVP_sha256(), secret, (int)slen, in, 32 + llen + seedlen, block, &n);
        for (size_t i = 0; i < 32 && done < outlen; i++)
            out[done++] = block[i];
        HMAC(EVP_sha256(), secret, (int)slen, a, 32, a, &n);
    }
}

static void record_header(bytes_t *out, unsigned type, size_t len)
{
    bytes_u8(out, type);
    bytes_u16(out, TLS12);
    bytes_u16(out, (unsigned)len);
}

/* One AES-128-GCM record (RFC 5288): explicit nonce = the sequence number. */
static void seal(tls_wrap_t *w, int dir, unsigned type, const uint8_t *p, size_t n, bytes_t *out)
{
    uint64_t seq = w->seq[dir]++;
    uint8_t nonce[12], aad[13], tag[16];
    memcpy(nonce, w->salt[dir], 4);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = aad[i] = (uint8_t)(seq >> (56 - 8 * i));
    aad[8] = (uint8_t)type;
    aad[9] = TLS12 >> 8, aad[10] = TLS12 & 0xff;
    aad[11] = (uint8_t)(n >> 8), aad[12] = (uint8_t)n;
    record_header(out, type, 8 + n + 16);
    bytes_put(out, nonce + 4, 8);
    bytes_reserve(out, n);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int k = 0;
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, w->key[dir], nonce);
    EVP_EncryptUpdate(c, NULL, &k, aad, sizeof aad);
    EVP_EncryptUpdate(c, out->data + out->len, &k, p, (int)n);
    out->len += n;
    EVP_EncryptFinal_ex(c, tag, &k);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    bytes_put(out, tag, 16);
}

static void hello(bytes_t *out, int client, const uint8_t random[32], const char *sni)
{
    bytes_t body = {0}, exts = {0};
    bytes_u16(&body, TLS12);
    bytes_put(&body, random, 32);
    bytes_u8(&body, 0); /* no session id */
    if (client) {
        bytes_u16(&body, 2);
        bytes_u16(&body, SUITE);
        bytes_u8(&body, 1);
        bytes_u8(&body, 0); /* null compression */
        size_t nl = strlen(sni);
        bytes_u16(&exts, 0); /* server_name */
        bytes_u16(&exts, (unsigned)nl + 5);
        bytes_u16(&exts, (unsigned)nl + 3);
        bytes_u8(&exts, 0);
        bytes_u16(&exts, (unsigned)nl);
        bytes_put(&exts, sni, nl);
    } else {
        bytes_u16(&body, SUITE);
        bytes_u8(&body, 0);
    }
    bytes_u16(&body, (unsigned)exts.len);
    bytes_put(&body, exts.data, exts.len);
    record_header(out, 22, 4 + body.len);
    bytes_u8(out, client ? 1 : 2);
    bytes_u24(out, (unsigned)body.len);
    bytes_put(out, body.data, body.len);
    bytes_free(&body), bytes_free(&exts);
}

/* ChangeCipherSpec and an encrypted Finished from dir. */
static void finish_handshake(tls_wrap_t *w, int dir, bytes_t *out)
{
    static const uint8_t ccs[] = {20, TLS12 >> 8, TLS12 & 0xff, 0, 1, 1};
    uint8_t fin[16] = {20, 0, 0, 12};
    draw(fin + 4, 12);
    bytes_put(out, ccs, sizeof ccs);
    seal(w, dir, 22, fin, sizeof fin, out);
}

void https_begin(session_t *s, tcp_conn_t *c)
{
    tls_wrap_t *w = xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    uint8_t cr[32], sr[32], ms[48], seed[64], block[40];
    draw(cr, 32), draw(sr, 32), draw(ms, 48);
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    prf(ms, 48, "key expansion", seed, 64, block, sizeof block);
    memcpy(w->key[DIR_C2S], block, 16);
    memcpy(w->key[DIR_S2C], block + 16, 16);
    memcpy(w->salt[DIR_C2S], block + 32, 4);
    memcpy(w->salt[DIR_S2C], block + 36, 4);
    fprintf(keylog, "CLIENT_RANDOM ");
    for (int i = 0; i < 32; i++)
        fprintf(keylog, "%02x", cr[i]);
    fputc(' ', keylog);
    for (int i = 0; i < 48; i++)
        fprintf(keylog, "%02x", ms[i]);
    fputc('\n', keylog);
    bytes_t out = {0};
    hello(&out, 1, cr, c->h[DIR_S2C]->name);
    send_apart(s, c, DIR_C2S, out.data, out.len, 0);
    out.len = 0;
    c->t += c->rtt;
    hello(&out, 0, sr, NULL);
    finish_handshake(w, DIR_S2C, &out);
    send_apart(s, c, DIR_S2C, out.data, out.len, 0);
    out.len = 0;
    c->t += c->rtt;
    finish_handshake(w, DIR_C2S, &out);
    send_apart(s, c, DIR_C2S, out.data, out.len, 0);
    bytes_free(&out);
    c->tls = w;
}

void app_send(session_t *s, tcp_conn_t *c, int dir, const uint8_t *data, size_t len, int ack_last)
{
    tls_wrap_t *w = c->tls;
    if (!w) {
        send_apart(s, c, dir, data, len, ack_last);
        return;
    }
    bytes_t out = {0};
    for (size_t off = 0; off < len; off += MAX_PLAIN)
        seal(w, dir, 23, data + off, len - off < MAX_PLAIN ? len - off : MAX_PLAIN, &out);
    send_apart(s, c, dir, out.data, out.len, ack_last);
    bytes_free(&out);
}

void https_end(tcp_conn_t *c)
{
    free(c->tls);
    c->tls = NULL;
}
