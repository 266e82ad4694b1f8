/* fuzz_tls_records.c — the TLS record layer with keys.
 *
 * The first byte chooses the session (bits 0-3: a cipher suite from a fixed
 * list covering every bulk kind — GCM, CCM, CCM_8, ChaCha20-Poly1305, CBC
 * with HMAC-SHA1/256/384, 3DES, TLS 1.0 and 1.1 CBC, the TLS 1.3 suites;
 * bit 4: encrypt-then-MAC) and the mode (bit 5).  The rest is chunks of
 * [control][length:2][bytes]; control bit 0 is the direction.
 *
 *   raw mode:    the bytes are a record as on the wire (mostly failing
 *                authentication: the failure paths);
 *   sealed mode: the bytes are a plaintext that this target encrypts with
 *                the session's keys before handing it over (control bits
 *                1-2: TLS 1.3 key stage — handshake, application 0, 1, 2;
 *                bits 3-4: content type 20-23), so the fuzzer reaches what
 *                only authenticated records reach: TLS 1.3 inner types and
 *                padding, handshake message framing, Finished and KeyUpdate
 *                switching, and the decrypted-handshake parser of tls.c.
 *
 * The keys are fixed (a key log text below); the sealing here is written
 * from the RFCs independently of tls_decrypt.c's opening code, and serves as
 * an oracle: in TLS <= 1.2 every sealed record before a sealed
 * ChangeCipherSpec (renegotiation: new keys) must decrypt. */
#include "proto/keylog.h"
#include "proto/tls.h"
#include "proto/tls_decrypt.h"
#include "proto/tls_keysched.h"
#include "proto/tls_suites.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    uint16_t version, cipher;
} sessions[] = {
    {0x0303, 0xc02f}, {0x0303, 0xc030}, {0x0303, 0xcca8}, {0x0303, 0xc09c},
    {0x0303, 0xc0a0}, {0x0303, 0xc013}, {0x0303, 0xc027}, {0x0303, 0xc028},
    {0x0303, 0x000a}, {0x0301, 0x002f}, {0x0302, 0x0035}, {0x0304, 0x1301},
    {0x0304, 0x1302}, {0x0304, 0x1303}, {0x0304, 0x1304}, {0x0304, 0x1305},
};

#define CR32 "0101010101010101010101010101010101010101010101010101010101010101"
#define CR48 "0303030303030303030303030303030303030303030303030303030303030303"
#define X32(b) b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b
#define X48(b) X32(b) b b b b b b b b b b b b b b b b
/* 32-byte TLS 1.3 secrets for the SHA-256 suites (client random 01..),
 * 48-byte ones for TLS_AES_256_GCM_SHA384 (client random 03..). */
static const char keylog_text[] = "CLIENT_RANDOM " CR32 " " X48(
    "11") "\n"
          "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR32 " " X32(
              "21") "\n"
                    "SERVER_HANDSHAKE_TRAFFIC_SECRET " CR32 " " X32(
                        "22") "\n"
                              "CLIENT_TRAFFIC_SECRET_0 " CR32 " " X32(
                                  "23") "\n"
                                        "SERVER_TRAFFIC_SECRET_0 " CR32 " " X32(
                                            "24") "\n"
                                                  "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR48 " " X48(
                                                      "31") "\n"
                                                            "SERVER_HANDSHAKE_TRAFFIC_SECRET " CR48
                                                            " " X48(
                                                                "32") "\n"
                                                                      "CLIENT_TRAFFIC_SECRET_"
                                                                      "0 " CR48 " " X48(
                                                                          "33") "\n"
                                                                                "SERVER_TRAFFIC_"
                                                                                "SECRET_0 " CR48
                                                                                " " X48("34") "\n";

#define MAX_PLAIN 16384

typedef struct sealer {
    const tls_suite_t *suite;
    uint16_t version;
    bool etm;
    size_t hash_len;
    uint8_t key[2][4][32], iv[2][4][16], mac_key[2][48];
    uint64_t seq[2][4];
} sealer_t;

static tls_stream_t *handshake;

static void plain(void *ctx, int dir, uint8_t type, const uint8_t *p, size_t n)
{
    (void)ctx;
    if (type == 22)
        tls_handshake_plain(handshake, dir == 0, p, n);
}

static size_t mac_len(const tls_suite_t *s)
{
    return s->mac ? (size_t)EVP_MD_get_size(EVP_get_digestbyname(s->mac)) : 0;
}

static void keys12(sealer_t *z, const keylog_entry_t *e, const tls_params_t *p)
{
    const tls_suite_t *s = z->suite;
    size_t mac = mac_len(s), key = s->key_len;
    size_t iv = s->bulk == TLS_BULK_CBC      ? (size_t)EVP_CIPHER_get_block_size(s->cipher())
                : s->bulk == TLS_BULK_CHACHA ? 12
                                             : 4;
    uint8_t seed[64], block[192];
    memcpy(seed, p->server_random, 32);
    memcpy(seed + 32, p->client_random, 32);
    tls_prf(z->version >= 0x0303 ? s->prf : "MD5-SHA1", e->secret[KEYLOG_MASTER_SECRET].v, 48,
            "key expansion", seed, 64, block, 2 * (mac + key + iv));
    for (int d = 0; d < 2; d++) {
        memcpy(z->mac_key[d], block + d * mac, mac);
        memcpy(z->key[d][0], block + 2 * mac + d * key, key);
        memcpy(z->iv[d][0], block + 2 * mac + 2 * key + d * iv, iv);
    }
}

static void keys13(sealer_t *z, const keylog_entry_t *e)
{
    static const keylog_label_t labels[2][2] = {{KEYLOG_CLIENT_HANDSHAKE, KEYLOG_CLIENT_TRAFFIC_0},
                                                {KEYLOG_SERVER_HANDSHAKE, KEYLOG_SERVER_TRAFFIC_0}};
    const char *md = z->suite->prf;
    for (int d = 0; d < 2; d++) {
        uint8_t secret[48];
        for (int st = 0; st < 4; st++) {
            if (st < 2)
                memcpy(secret, e->secret[labels[d][st]].v, z->hash_len);
            else /* the next application secret (KeyUpdate) */
                tls13_expand_label(md, secret, z->hash_len, "traffic upd", NULL, 0, secret,
                                   z->hash_len);
            tls13_expand_label(md, secret, z->hash_len, "key", NULL, 0, z->key[d][st],
                               z->suite->key_len);
            tls13_expand_label(md, secret, z->hash_len, "iv", NULL, 0, z->iv[d][st], 12);
        }
    }
}

static void put_header(uint8_t *out, uint8_t type, uint16_t version, size_t len)
{
    out[0] = type;
    out[1] = (uint8_t)(version >> 8), out[2] = (uint8_t)version;
    out[3] = (uint8_t)(len >> 8), out[4] = (uint8_t)len;
}

static void seq_header(uint64_t seq, uint8_t type, uint16_t version, size_t len, uint8_t out[13])
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        out[i] = (uint8_t)seq;
    put_header(out + 8, type, version, len);
}

/* AEAD encrypt: ct and tag written to out. */
static void aead_seal(const tls_suite_t *s, const uint8_t *key, const uint8_t nonce[12],
                      const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t n, uint8_t *out)
{
    size_t taglen = tls_suite_tag_len(s);
    bool ccm = s->bulk == TLS_BULK_CCM || s->bulk == TLS_BULK_CCM8;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int k = 0;
    EVP_EncryptInit_ex(c, s->cipher(), NULL, NULL, NULL);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL);
    if (ccm)
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)taglen, NULL);
    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce);
    if (ccm)
        EVP_EncryptUpdate(c, NULL, &k, NULL, (int)n);
    EVP_EncryptUpdate(c, NULL, &k, aad, (int)aadlen);
    EVP_EncryptUpdate(c, out, &k, pt, (int)n);
    EVP_EncryptFinal_ex(c, out + k, &k);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, (int)taglen, out + n);
    EVP_CIPHER_CTX_free(c);
}

static void xor_seq(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12])
{
    memcpy(nonce, iv, 12);
    for (int i = 11; i >= 4; i--, seq >>= 8)
        nonce[i] ^= (uint8_t)seq;
}

static size_t seal13(sealer_t *z, int d, int st, uint8_t type, const uint8_t *pt, size_t n,
                     uint8_t *out)
{
    uint8_t inner[MAX_PLAIN + 1], nonce[12];
    memcpy(inner, pt, n);
    inner[n] = type;
    size_t len = n + 1 + tls_suite_tag_len(z->suite);
    put_header(out, 23, 0x0303, len);
    xor_seq(z->iv[d][st], z->seq[d][st]++, nonce);
    aead_seal(z->suite, z->key[d][st], nonce, out, 5, inner, n + 1, out + 5);
    return 5 + len;
}

static size_t seal12_aead(sealer_t *z, int d, uint8_t type, const uint8_t *pt, size_t n,
                          uint8_t *out)
{
    const tls_suite_t *s = z->suite;
    uint64_t seq = z->seq[d][0]++;
    uint8_t aad[13], nonce[12];
    seq_header(seq, type, z->version, n, aad);
    size_t explicit_len = s->bulk == TLS_BULK_CHACHA ? 0 : 8;
    if (s->bulk == TLS_BULK_CHACHA) {
        xor_seq(z->iv[d][0], seq, nonce);
    } else {
        memcpy(nonce, z->iv[d][0], 4);
        memcpy(nonce + 4, aad, 8); /* the sequence number as explicit nonce */
        memcpy(out + 5, aad, 8);
    }
    size_t len = explicit_len + n + tls_suite_tag_len(s);
    put_header(out, type, z->version, len);
    aead_seal(s, z->key[d][0], nonce, aad, 13, pt, n, out + 5 + explicit_len);
    return 5 + len;
}

static void hmac(sealer_t *z, int d, uint64_t seq, uint8_t type, const uint8_t *p, size_t n,
                 uint8_t *out)
{
    uint8_t *buf = malloc(13 + n);
    seq_header(seq, type, z->version, n, buf);
    memcpy(buf + 13, p, n);
    unsigned len = 0;
    HMAC(EVP_get_digestbyname(z->suite->mac), z->mac_key[d], (int)mac_len(z->suite), buf, 13 + n,
         out, &len);
    free(buf);
}

static size_t seal12_cbc(sealer_t *z, int d, uint8_t type, const uint8_t *pt, size_t n,
                         uint8_t *out)
{
    const tls_suite_t *s = z->suite;
    size_t bs = (size_t)EVP_CIPHER_get_block_size(s->cipher()), ml = mac_len(s);
    size_t ivlen = z->version >= 0x0302 ? bs : 0;
    uint64_t seq = z->seq[d][0]++;
    static uint8_t data[MAX_PLAIN + 256 + 64];
    memcpy(data, pt, n);
    size_t len = n;
    if (!z->etm) {
        hmac(z, d, seq, type, pt, n, data + len);
        len += ml;
    }
    size_t pad = bs - (len + 1) % bs;
    memset(data + len, (int)pad, pad + 1);
    len += pad + 1;
    uint8_t *iv = out + 5;
    if (ivlen)
        memset(iv, (int)(seq & 0xff), ivlen); /* any explicit IV will do */
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int k = 0;
    EVP_EncryptInit_ex(c, s->cipher(), NULL, z->key[d][0], ivlen ? iv : z->iv[d][0]);
    EVP_CIPHER_CTX_set_padding(c, 0);
    EVP_EncryptUpdate(c, out + 5 + ivlen, &k, data, (int)len);
    EVP_CIPHER_CTX_free(c);
    if (!ivlen) /* TLS 1.0 chains the IV */
        memcpy(z->iv[d][0], out + 5 + len - bs, bs);
    size_t total = ivlen + len;
    if (z->etm) {
        hmac(z, d, seq, type, out + 5, total, out + 5 + total);
        total += ml;
    }
    put_header(out, type, z->version, total);
    return 5 + total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static keylog_t *keys;
    if (!keys) {
        keys = keylog_new();
        keylog_add(keys, "fuzz", (const uint8_t *)keylog_text, sizeof keylog_text - 1);
    }
    if (size < 1)
        return 0;
    size_t which = data[0] & 0x0f;
    bool sealed = data[0] & 0x20;
    tls_params_t p = {.version = sessions[which].version,
                      .cipher = sessions[which].cipher,
                      .encrypt_then_mac = data[0] & 0x10};
    memset(p.client_random, p.cipher == 0x1302 ? 3 : 1, 32);
    memset(p.server_random, 2, 32);
    const keylog_entry_t *e = keylog_find(keys, p.client_random);
    tls_decrypt_status_t st;
    tls_decrypt_t *d = tls_decrypt_new(&p, e, &st);
    if (!d)
        abort(); /* every session of the table has its keys */
    sealer_t z = {.suite = tls_suite_find(p.cipher),
                  .version = p.version,
                  .etm = p.encrypt_then_mac && tls_suite_find(p.cipher)->bulk == TLS_BULK_CBC};
    z.hash_len = (size_t)EVP_MD_get_size(EVP_get_digestbyname(z.suite->prf));
    if (z.suite->tls13)
        keys13(&z, e);
    else
        keys12(&z, e, &p);
    handshake = tls_new();
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    tls_decrypt_record(d, 0, ccs, sizeof ccs, plain, NULL);
    tls_decrypt_record(d, 1, ccs, sizeof ccs, plain, NULL);
    static uint8_t rec[MAX_PLAIN + 512];
    bool renegotiated[2] = {false, false};
    size_t i = 1;
    while (i + 3 <= size) {
        uint8_t ctl = data[i];
        int dir = ctl & 1;
        size_t n = (size_t)data[i + 1] << 8 | data[i + 2];
        i += 3;
        if (n > size - i)
            n = size - i;
        if (!sealed) {
            tls_decrypt_record(d, dir, data + i, n, plain, NULL);
        } else {
            size_t k = n > MAX_PLAIN ? MAX_PLAIN : n;
            uint8_t type = (uint8_t)(20 + ((ctl >> 3) & 3));
            size_t len = z.suite->tls13 ? seal13(&z, dir, (ctl >> 1) & 3, type, data + i, k, rec)
                         : z.suite->bulk == TLS_BULK_CBC
                             ? seal12_cbc(&z, dir, type, data + i, k, rec)
                             : seal12_aead(&z, dir, type, data + i, k, rec);
            uint64_t before = tls_decrypt_stats(d, dir)->decrypted;
            tls_decrypt_record(d, dir, rec, len, plain, NULL);
            if (!z.suite->tls13 && !renegotiated[dir] &&
                tls_decrypt_stats(d, dir)->decrypted != before + 1)
                abort(); /* a record sealed with the session's keys did not open */
            renegotiated[dir] |= type == 20;
        }
        i += n;
    }
    for (int dir = 0; dir < 2; dir++) {
        const tls_dir_stats_t *s = tls_decrypt_stats(d, dir);
        if (s->decrypted + s->bad_auth + s->no_key + s->malformed != s->records)
            abort(); /* every record counted once */
    }
    tls_free(handshake);
    tls_decrypt_free(d);
    return 0;
}
