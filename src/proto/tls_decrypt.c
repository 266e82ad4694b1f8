/* tls_decrypt.c — the TLS record layer with keys; see tls_decrypt.h. */
#include "tls_decrypt.h"

#include "core/cursor.h"
#include "core/xalloc.h"
#include "tls_keysched.h"
#include "tls_suites.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Largest plaintext a record may carry: 2^14 (+1 for TLS 1.3's inner
 * content type); anything longer is a record_overflow, dropped. */
#define TLS_MAX_PLAINTEXT (16384 + 1)
/* TLS 1.3 handshake message types that end a key stage. */
#define HS_END_OF_EARLY_DATA 5
#define HS_FINISHED 20
#define HS_KEY_UPDATE 24

enum { CT_CHANGE_CIPHER_SPEC = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPLICATION_DATA = 23 };

/* Results of opening one record. */
enum { OPEN_BAD_AUTH = -1, OPEN_MALFORMED = -2, OPEN_NO_KEY = -3 };

typedef enum stage {
    ST_CLEAR,     /* nothing encrypted yet in this direction */
    ST_EARLY,     /* TLS 1.3 0-RTT (client) */
    ST_HANDSHAKE, /* TLS 1.3 handshake secrets */
    ST_APP,       /* application keys (TLS <= 1.2: the only stage) */
    ST_NO_KEYS,   /* keys we cannot know: lost bytes, TLS 1.2 renegotiation */
} stage_t;

/* The keys of one direction at one stage. */
typedef struct keyset {
    bool have;
    EVP_CIPHER_CTX *cipher;
    EVP_MAC_CTX *mac; /* CBC suites */
    uint8_t key[32];
    uint8_t iv[16]; /* AEAD: the fixed/implicit IV; TLS 1.0 CBC: the chained IV */
    uint64_t seq;
} keyset_t;

typedef struct dir {
    stage_t stage;
    keyset_t cur;
    uint8_t app_secret[KEYLOG_MAX_SECRET]; /* TLS 1.3: current application traffic secret */
    bool have_app_secret;
    /* TLS 1.3 handshake message framing in the decrypted stream */
    uint8_t hdr[4];
    unsigned hdr_have;
    uint32_t body_left;
    bool advance; /* a message that ends the stage completed in this record */
    uint8_t *plain;
    tls_dir_stats_t st;
} dir_t;

struct tls_decrypt {
    const tls_suite_t *suite;
    uint16_t version;
    bool etm;
    size_t hash_len; /* TLS 1.3 secret length */
    keylog_entry_t keys;
    dir_t d[2];
};

const char *tls_decrypt_status_name(tls_decrypt_status_t s)
{
    switch (s) {
    case TLS_DECRYPT_READY:
        return "ready";
    case TLS_DECRYPT_NO_KEYS:
        return "no keys";
    case TLS_DECRYPT_UNSUPPORTED_CIPHER:
        return "unsupported cipher suite";
    case TLS_DECRYPT_UNSUPPORTED_VERSION:
        return "unsupported version";
    }
    return "?";
}

bool tls_decrypt_supports(uint16_t cipher)
{
    return tls_suite_find(cipher) != NULL;
}

/* ---- keys ---------------------------------------------------------------- */

static void keyset_clear(keyset_t *k)
{
    EVP_CIPHER_CTX_free(k->cipher);
    EVP_MAC_CTX_free(k->mac);
    OPENSSL_cleanse(k, sizeof *k);
}

static bool is_ccm(const tls_suite_t *s)
{
    return s->bulk == TLS_BULK_CCM || s->bulk == TLS_BULK_CCM8;
}

/* Make k's OpenSSL contexts for key (and mac_key for CBC). */
static bool keyset_init(const tls_suite_t *s, keyset_t *k, const uint8_t *mac_key, size_t mac_len)
{
    k->cipher = EVP_CIPHER_CTX_new();
    if (!k->cipher)
        return false;
    /* CCM needs its tag before the key, so it is set up per record */
    if (!is_ccm(s) && !EVP_DecryptInit_ex(k->cipher, s->cipher(), NULL, k->key, NULL))
        return false;
    if (s->bulk == TLS_BULK_CBC) {
        EVP_CIPHER_CTX_set_padding(k->cipher, 0);
        EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        k->mac = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
        EVP_MAC_free(hmac);
        OSSL_PARAM p[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)s->mac, 0),
            OSSL_PARAM_construct_end()};
        if (!k->mac || !EVP_MAC_init(k->mac, mac_key, mac_len, p))
            return false;
    }
    k->have = true;
    return true;
}

static size_t mac_len_of(const tls_suite_t *s)
{
    if (!s->mac)
        return 0;
    const EVP_MD *md = EVP_get_digestbyname(s->mac);
    return md ? (size_t)EVP_MD_get_size(md) : 0;
}

/* TLS <= 1.2: both directions' keys from the master secret's key block. */
static bool keys12(tls_decrypt_t *t, const tls_params_t *p)
{
    const tls_suite_t *s = t->suite;
    size_t mac = mac_len_of(s), key = s->key_len;
    size_t iv = s->bulk == TLS_BULK_CBC      ? (size_t)EVP_CIPHER_get_block_size(s->cipher())
                : s->bulk == TLS_BULK_CHACHA ? 12
                                             : 4;
    uint8_t block[2 * (48 + 32 + 16)], seed[64];
    memcpy(seed, p->server_random, 32);
    memcpy(seed + 32, p->client_random, 32);
    const char *prf = t->version >= 0x0303 ? s->prf : "MD5-SHA1";
    const keylog_secret_t *ms = &t->keys.secret[KEYLOG_MASTER_SECRET];
    if (!tls_prf(prf, ms->v, ms->len, "key expansion", seed, sizeof seed, block,
                 2 * (mac + key + iv)))
        return false;
    for (int dir = 0; dir < 2; dir++) { /* client_write_*, then server_write_* */
        keyset_t *k = &t->d[dir].cur;
        memcpy(k->key, block + 2 * mac + dir * key, key);
        memcpy(k->iv, block + 2 * mac + 2 * key + dir * iv, iv);
        if (!keyset_init(s, k, block + dir * mac, mac))
            return false;
    }
    OPENSSL_cleanse(block, sizeof block);
    return true;
}

/* TLS 1.3: the record key and IV of one traffic secret. */
static bool keys13(const tls_decrypt_t *t, const uint8_t *secret, keyset_t *k)
{
    const char *md = t->suite->prf;
    return tls13_expand_label(md, secret, t->hash_len, "key", NULL, 0, k->key, t->suite->key_len) &&
           tls13_expand_label(md, secret, t->hash_len, "iv", NULL, 0, k->iv, 12) &&
           keyset_init(t->suite, k, NULL, 0);
}

/* The key log's secret for a TLS 1.3 stage and direction, or NULL. */
static const uint8_t *stage_secret(const tls_decrypt_t *t, int dir, stage_t st)
{
    keylog_label_t l;
    switch (st) {
    case ST_EARLY:
        if (dir != 0)
            return NULL;
        l = KEYLOG_CLIENT_EARLY;
        break;
    case ST_HANDSHAKE:
        l = dir ? KEYLOG_SERVER_HANDSHAKE : KEYLOG_CLIENT_HANDSHAKE;
        break;
    case ST_APP:
        l = dir ? KEYLOG_SERVER_TRAFFIC_0 : KEYLOG_CLIENT_TRAFFIC_0;
        break;
    default:
        return NULL;
    }
    const keylog_secret_t *s = &t->keys.secret[l];
    return s->len == t->hash_len ? s->v : NULL;
}

/* The keys that follow dir's current ones: the next stage's, or for the
 * application stage the next generation (KeyUpdate, RFC 8446 7.2).
 * next_secret receives the new application secret when there is one. */
static bool next_keys(const tls_decrypt_t *t, int dir, keyset_t *k, stage_t *st,
                      uint8_t next_secret[KEYLOG_MAX_SECRET])
{
    const dir_t *d = &t->d[dir];
    memset(k, 0, sizeof *k);
    if (d->stage == ST_APP) {
        *st = ST_APP;
        return d->have_app_secret &&
               tls13_expand_label(t->suite->prf, d->app_secret, t->hash_len, "traffic upd", NULL, 0,
                                  next_secret, t->hash_len) &&
               keys13(t, next_secret, k);
    }
    if (d->stage != ST_EARLY && d->stage != ST_HANDSHAKE)
        return false;
    *st = d->stage == ST_EARLY ? ST_HANDSHAKE : ST_APP;
    const uint8_t *secret = stage_secret(t, dir, *st);
    if (!secret)
        return false;
    memcpy(next_secret, secret, t->hash_len);
    return keys13(t, secret, k);
}

/* Make next (from next_keys) dir's current keys. */
static void adopt(tls_decrypt_t *t, dir_t *d, keyset_t *next, stage_t st, const uint8_t *secret)
{
    if (d->stage == ST_APP && st == ST_APP)
        d->st.key_updates++;
    keyset_clear(&d->cur);
    d->cur = *next;
    d->stage = st;
    d->hdr_have = 0, d->body_left = 0;
    if (st == ST_APP) {
        memcpy(d->app_secret, secret, t->hash_len);
        d->have_app_secret = true;
    }
}

/* Move dir to its next stage's keys; without them, records are counted as
 * no_key until one authenticates under a later key. */
static void advance(tls_decrypt_t *t, int dir)
{
    dir_t *d = &t->d[dir];
    keyset_t next;
    stage_t st;
    uint8_t secret[KEYLOG_MAX_SECRET];
    if (next_keys(t, dir, &next, &st, secret)) {
        adopt(t, d, &next, st, secret);
        return;
    }
    keyset_clear(&next);
    if (d->stage == ST_APP) { /* KeyUpdate without the current secret */
        d->stage = ST_NO_KEYS;
        keyset_clear(&d->cur);
        return;
    }
    stage_t to = d->stage == ST_EARLY ? ST_HANDSHAKE : ST_APP;
    keyset_clear(&d->cur);
    d->stage = to;
    d->hdr_have = 0, d->body_left = 0;
}

/* ---- opening one record ------------------------------------------------- */

static void seq_bytes(uint64_t seq, uint8_t out[8])
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        out[i] = (uint8_t)seq;
}

/* Decrypt and authenticate one AEAD payload; out receives ctlen bytes. */
static bool aead_open(const tls_suite_t *s, keyset_t *k, const uint8_t nonce[12],
                      const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t ctlen,
                      const uint8_t *tag, size_t taglen, uint8_t *out)
{
    EVP_CIPHER_CTX *c = k->cipher;
    int n = 0, fin = 0;
    if (is_ccm(s)) { /* tag, then key and nonce, then the total length, then AAD */
        return EVP_DecryptInit_ex(c, s->cipher(), NULL, NULL, NULL) &&
               EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
               EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)taglen, (void *)tag) &&
               EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) &&
               EVP_DecryptUpdate(c, NULL, &n, NULL, (int)ctlen) &&
               EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) &&
               EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) > 0;
    }
    return EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) &&
           EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) &&
           EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)taglen, (void *)tag) &&
           EVP_DecryptFinal_ex(c, out + n, &fin) > 0;
}

/* iv xor the sequence number, right-aligned (RFC 8446 5.3, RFC 7905). */
static void xor_nonce(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12])
{
    memcpy(nonce, iv, 12);
    for (int i = 11; i >= 4; i--, seq >>= 8)
        nonce[i] ^= (uint8_t)seq;
}

/* TLS 1.2 additional data: seq_num, type, version, length (RFC 5246 6.2.3.3). */
static void aad12(uint64_t seq, uint8_t type, uint16_t version, size_t len, uint8_t aad[13])
{
    seq_bytes(seq, aad);
    aad[8] = type;
    aad[9] = (uint8_t)(version >> 8), aad[10] = (uint8_t)version;
    aad[11] = (uint8_t)(len >> 8), aad[12] = (uint8_t)len;
}

static int open_aead12(const tls_suite_t *s, keyset_t *k, uint8_t type, uint16_t version,
                       cursor_t frag, uint8_t *out)
{
    size_t taglen = tls_suite_tag_len(s), explicit_len = s->bulk == TLS_BULK_CHACHA ? 0 : 8;
    if (cursor_left(&frag) < explicit_len + taglen)
        return OPEN_MALFORMED;
    size_t ctlen = cursor_left(&frag) - explicit_len - taglen;
    if (ctlen > TLS_MAX_PLAINTEXT - 1)
        return OPEN_MALFORMED;
    uint8_t nonce[12], aad[13];
    const uint8_t *explicit_nonce = NULL, *ct = NULL, *tag = NULL;
    if (!cursor_bytes(&frag, explicit_len, &explicit_nonce) || !cursor_bytes(&frag, ctlen, &ct) ||
        !cursor_bytes(&frag, taglen, &tag))
        return OPEN_MALFORMED;
    if (s->bulk == TLS_BULK_CHACHA) {
        xor_nonce(k->iv, k->seq, nonce);
    } else { /* 4-byte salt from the key block, 8 bytes from the record */
        memcpy(nonce, k->iv, 4);
        memcpy(nonce + 4, explicit_nonce, 8);
    }
    aad12(k->seq, type, version, ctlen, aad);
    if (!aead_open(s, k, nonce, aad, sizeof aad, ct, ctlen, tag, taglen, out))
        return OPEN_BAD_AUTH;
    return (int)ctlen;
}

/* HMAC(seq | type | version | length | data) == expected? */
static bool mac_ok(keyset_t *k, uint8_t type, uint16_t version, const uint8_t *data, size_t len,
                   const uint8_t *expected, size_t maclen)
{
    uint8_t head[13], got[EVP_MAX_MD_SIZE];
    size_t gotlen = 0;
    aad12(k->seq, type, version, len, head);
    return EVP_MAC_init(k->mac, NULL, 0, NULL) && EVP_MAC_update(k->mac, head, sizeof head) &&
           EVP_MAC_update(k->mac, data, len) && EVP_MAC_final(k->mac, got, &gotlen, sizeof got) &&
           gotlen == maclen && CRYPTO_memcmp(got, expected, maclen) == 0;
}

/* CBC padding: the last byte p and the p bytes before it all equal p.
 * Returns the padding length including the length byte, or 0 when bad. */
static size_t cbc_padding(const uint8_t *plain, size_t n)
{
    if (!n)
        return 0;
    size_t p = plain[n - 1];
    if (p + 1 > n)
        return 0;
    for (size_t i = n - 1 - p; i < n - 1; i++)
        if (plain[i] != p)
            return 0;
    return p + 1;
}

static int open_cbc(const tls_decrypt_t *t, keyset_t *k, uint8_t type, uint16_t version,
                    cursor_t frag, uint8_t *out)
{
    const tls_suite_t *s = t->suite;
    size_t bs = (size_t)EVP_CIPHER_get_block_size(s->cipher()), maclen = mac_len_of(s);
    size_t ivlen = version >= 0x0302 ? bs : 0, n = cursor_left(&frag);
    size_t enclen = t->etm ? n - (n < maclen ? n : maclen) : n; /* IV + ciphertext */
    if (n < ivlen + bs + (t->etm ? maclen : 0) || (enclen - ivlen) % bs ||
        enclen - ivlen > TLS_MAX_PLAINTEXT + 256 + maclen)
        return OPEN_MALFORMED;
    const uint8_t *enc = NULL, *tag = NULL, *iv = k->iv, *ct = NULL;
    cursor_t whole = frag;
    if (!cursor_bytes(&frag, enclen, &enc))
        return OPEN_MALFORMED;
    if (t->etm) { /* RFC 7366: MAC over IV + ciphertext, checked before decrypting */
        if (!cursor_bytes(&frag, maclen, &tag) ||
            !mac_ok(k, type, version, enc, enclen, tag, maclen))
            return OPEN_BAD_AUTH;
    }
    if ((ivlen && !cursor_bytes(&whole, ivlen, &iv)) || !cursor_bytes(&whole, enclen - ivlen, &ct))
        return OPEN_MALFORMED;
    size_t ctlen = enclen - ivlen;
    int n1 = 0;
    if (!EVP_DecryptInit_ex(k->cipher, NULL, NULL, NULL, iv) ||
        !EVP_DecryptUpdate(k->cipher, out, &n1, ct, (int)ctlen) || (size_t)n1 != ctlen)
        return OPEN_BAD_AUTH;
    if (!ivlen) /* TLS 1.0: the next record's IV is this one's last block */
        memcpy(k->iv, ct + ctlen - bs, bs);
    size_t pad = cbc_padding(out, ctlen);
    if (!pad)
        return OPEN_BAD_AUTH;
    if (t->etm)
        return (int)(ctlen - pad);
    if (ctlen - pad < maclen)
        return OPEN_BAD_AUTH;
    size_t plen = ctlen - pad - maclen;
    return mac_ok(k, type, version, out, plen, out + plen, maclen) ? (int)plen : OPEN_BAD_AUTH;
}

/* TLS 1.3: AEAD over the inner plaintext; *inner_type from its end. */
static int open13(const tls_decrypt_t *t, keyset_t *k, const uint8_t header[5], cursor_t frag,
                  uint8_t *out, uint8_t *inner_type)
{
    size_t taglen = tls_suite_tag_len(t->suite), n = cursor_left(&frag);
    if (n < taglen + 1 || n - taglen > TLS_MAX_PLAINTEXT + 255)
        return OPEN_MALFORMED;
    const uint8_t *ct = NULL, *tag = NULL;
    if (!cursor_bytes(&frag, n - taglen, &ct) || !cursor_bytes(&frag, taglen, &tag))
        return OPEN_MALFORMED;
    uint8_t nonce[12];
    xor_nonce(k->iv, k->seq, nonce);
    if (!aead_open(t->suite, k, nonce, header, 5, ct, n - taglen, tag, taglen, out))
        return OPEN_BAD_AUTH;
    size_t len = n - taglen;
    while (len && out[len - 1] == 0) /* zero padding, then the real content type */
        len--;
    if (!len || len - 1 > TLS_MAX_PLAINTEXT - 1)
        return OPEN_MALFORMED;
    *inner_type = out[len - 1];
    return (int)(len - 1);
}

/* ---- TLS 1.3 handshake message boundaries ------------------------------ */

/* Does a message that ends dir's key stage complete in these bytes? */
static void track_handshake(dir_t *d, const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    while (!cursor_empty(&c)) {
        if (d->hdr_have < 4) {
            cursor_u8(&c, &d->hdr[d->hdr_have++]);
            if (d->hdr_have < 4)
                continue;
            d->body_left = (uint32_t)d->hdr[1] << 16 | (uint32_t)d->hdr[2] << 8 | d->hdr[3];
        }
        size_t k = d->body_left < cursor_left(&c) ? d->body_left : cursor_left(&c);
        cursor_skip(&c, k);
        d->body_left -= (uint32_t)k;
        if (d->body_left)
            break;
        uint8_t type = d->hdr[0];
        d->hdr_have = 0;
        if ((d->stage == ST_EARLY && type == HS_END_OF_EARLY_DATA) ||
            (d->stage == ST_HANDSHAKE && type == HS_FINISHED) ||
            (d->stage == ST_APP && type == HS_KEY_UPDATE))
            d->advance = true;
    }
}

/* ---- records -------------------------------------------------------------- */

static void deliver(dir_t *d, int dir, uint8_t type, int len, tls_plain_fn fn, void *ctx)
{
    d->st.decrypted++;
    d->st.plaintext_bytes += (uint64_t)len;
    fn(ctx, dir, type, d->plain, (size_t)len);
}

static void count_failure(dir_t *d, int r)
{
    if (r == OPEN_MALFORMED)
        d->st.malformed++;
    else if (r == OPEN_NO_KEY)
        d->st.no_key++;
    else
        d->st.bad_auth++;
}

static void record12(tls_decrypt_t *t, int dir, uint8_t type, uint16_t version, cursor_t frag,
                     tls_plain_fn fn, void *ctx)
{
    dir_t *d = &t->d[dir];
    if (d->stage == ST_CLEAR) { /* clear text until this direction's ChangeCipherSpec */
        if (type == CT_CHANGE_CIPHER_SPEC)
            d->stage = ST_APP;
        return;
    }
    d->st.records++;
    if (d->stage != ST_APP) {
        d->st.no_key++;
        return;
    }
    int r = t->suite->bulk == TLS_BULK_CBC
                ? open_cbc(t, &d->cur, type, version, frag, d->plain)
                : open_aead12(t->suite, &d->cur, type, version, frag, d->plain);
    d->cur.seq++;
    if (r < 0) {
        count_failure(d, r);
        return;
    }
    if (type == CT_CHANGE_CIPHER_SPEC) /* renegotiation: new keys we do not know */
        d->stage = ST_NO_KEYS;
    deliver(d, dir, type, r, fn, ctx);
}

static void first_stage13(tls_decrypt_t *t, int dir)
{
    dir_t *d = &t->d[dir];
    d->stage = dir == 0 && stage_secret(t, 0, ST_EARLY) ? ST_EARLY : ST_HANDSHAKE;
    const uint8_t *secret = stage_secret(t, dir, d->stage);
    if (secret && !keys13(t, secret, &d->cur))
        keyset_clear(&d->cur);
}

/* Open with the current keys; when that fails, try the next keys once. */
static int open13_trying_next(tls_decrypt_t *t, int dir, const uint8_t header[5], cursor_t frag,
                              uint8_t *inner)
{
    dir_t *d = &t->d[dir];
    int r = d->cur.have ? open13(t, &d->cur, header, frag, d->plain, inner) : OPEN_NO_KEY;
    if (r >= 0 || r == OPEN_MALFORMED) {
        d->cur.seq++;
        return r;
    }
    keyset_t next;
    stage_t st;
    uint8_t secret[KEYLOG_MAX_SECRET];
    if (next_keys(t, dir, &next, &st, secret)) {
        int r2 = open13(t, &next, header, frag, d->plain, inner);
        if (r2 >= 0) {
            if (d->stage == ST_APP)
                d->st.key_updates_inferred++;
            adopt(t, d, &next, st, secret);
            d->cur.seq = 1;
            return r2;
        }
    }
    keyset_clear(&next);
    d->cur.seq++;
    return r;
}

static void record13(tls_decrypt_t *t, int dir, const uint8_t header[5], uint8_t type,
                     cursor_t frag, tls_plain_fn fn, void *ctx)
{
    dir_t *d = &t->d[dir];
    if (type != CT_APPLICATION_DATA) /* hellos, the compatibility CCS, clear alerts */
        return;
    d->st.records++;
    if (d->stage == ST_CLEAR)
        first_stage13(t, dir);
    if (d->stage == ST_NO_KEYS) {
        d->st.no_key++;
        return;
    }
    uint8_t inner = 0;
    int r = open13_trying_next(t, dir, header, frag, &inner);
    if (r < 0) {
        count_failure(d, r);
        return;
    }
    d->advance = false;
    if (inner == CT_HANDSHAKE)
        track_handshake(d, d->plain, (size_t)r);
    deliver(d, dir, inner, r, fn, ctx);
    if (d->advance)
        advance(t, dir);
}

void tls_decrypt_record(tls_decrypt_t *t, int dir, const uint8_t *record, size_t n, tls_plain_fn fn,
                        void *ctx)
{
    dir &= 1;
    cursor_t c = cursor_make(record, n), frag;
    const uint8_t *header = NULL;
    uint8_t type = 0;
    uint16_t version = 0, len = 0;
    cursor_t h = cursor_make(NULL, 0);
    if (cursor_bytes(&c, 5, &header))
        h = cursor_make(header, 5);
    if (!cursor_u8(&h, &type) || !cursor_u16be(&h, &version) || !cursor_u16be(&h, &len) ||
        len > TLS_DECRYPT_MAX_FRAGMENT || !cursor_sub(&c, len, &frag) || !cursor_empty(&c)) {
        t->d[dir].st.records++; /* not a record as framed: counted, dropped */
        t->d[dir].st.malformed++;
        return;
    }
    if (t->suite->tls13)
        record13(t, dir, header, type, frag, fn, ctx);
    else
        record12(t, dir, type, version, frag, fn, ctx);
}

void tls_decrypt_lost(tls_decrypt_t *t, int dir)
{
    dir_t *d = &t->d[dir & 1];
    keyset_clear(&d->cur);
    d->stage = ST_NO_KEYS;
}

const tls_dir_stats_t *tls_decrypt_stats(const tls_decrypt_t *t, int dir)
{
    return &t->d[dir & 1].st;
}

static bool usable_version(uint16_t v, const tls_suite_t *s)
{
    if (s->tls13)
        return v == 0x0304;
    if (s->bulk == TLS_BULK_CBC)
        return v >= 0x0301 && v <= 0x0303;
    return v == 0x0303; /* AEAD suites exist from TLS 1.2 on */
}

static bool have_any_secret(const tls_decrypt_t *t)
{
    if (!t->suite->tls13)
        return t->keys.secret[KEYLOG_MASTER_SECRET].len == 48;
    for (int l = KEYLOG_CLIENT_EARLY; l < KEYLOG_NLABELS; l++)
        if (t->keys.secret[l].len == t->hash_len)
            return true;
    return false;
}

tls_decrypt_t *tls_decrypt_new(const tls_params_t *params, const keylog_entry_t *keys,
                               tls_decrypt_status_t *status)
{
    const tls_suite_t *s = tls_suite_find(params->cipher);
    if (!s) {
        *status = TLS_DECRYPT_UNSUPPORTED_CIPHER;
        return NULL;
    }
    if (!usable_version(params->version, s)) {
        *status = TLS_DECRYPT_UNSUPPORTED_VERSION;
        return NULL;
    }
    if (!keys) {
        *status = TLS_DECRYPT_NO_KEYS;
        return NULL;
    }
    tls_decrypt_t *t = xcalloc(1, sizeof *t);
    t->suite = s;
    t->version = params->version;
    t->etm = params->encrypt_then_mac && s->bulk == TLS_BULK_CBC;
    t->hash_len = (size_t)EVP_MD_get_size(EVP_get_digestbyname(s->prf));
    t->keys = *keys;
    if (!have_any_secret(t) || (!s->tls13 && !keys12(t, params))) {
        tls_decrypt_free(t);
        *status = TLS_DECRYPT_NO_KEYS;
        return NULL;
    }
    for (int dir = 0; dir < 2; dir++)
        t->d[dir].plain = xmalloc(TLS_DECRYPT_MAX_FRAGMENT);
    *status = TLS_DECRYPT_READY;
    return t;
}

void tls_decrypt_free(tls_decrypt_t *t)
{
    if (!t)
        return;
    for (int dir = 0; dir < 2; dir++) {
        keyset_clear(&t->d[dir].cur);
        free(t->d[dir].plain);
        OPENSSL_cleanse(t->d[dir].app_secret, sizeof t->d[dir].app_secret);
    }
    OPENSSL_cleanse(&t->keys, sizeof t->keys);
    free(t);
}
