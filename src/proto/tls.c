/* tls.c — TLS handshake parsing, JA3/JA3S/JA4; see tls.h. */
#include "tls.h"

#include "core/cursor.h"
#include "core/digest.h"
#include "core/xalloc.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest record: 2^14 plaintext + 2048 expansion (RFC 5246 §6.2.3). */
#define TLS_MAX_RECORD (16384 + 2048)

/* RFC 5246 E.2: an SSLv2-compatible hello has a 2-byte header with the top
 * bit set, then msg_type 1 (CLIENT-HELLO). */
#define SSLV2_CLIENT_HELLO 1
/* The first ServerHello's random when it is a HelloRetryRequest (RFC 8446
 * 4.1.3: SHA-256 of "HelloRetryRequest"). */
static const uint8_t hello_retry_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

typedef struct dir {
    buf_t rec;         /* partial record */
    buf_t hs;          /* handshake bytes not yet parsed */
    buf_t hs_plain;    /* decrypted handshake bytes not yet parsed */
    uint64_t nrecords; /* complete records seen */
    size_t skipped;    /* body bytes of the current record passed over, not kept */
    bool dead;         /* lost sync or encrypted: ignore the rest */
} dir_t;

struct tls_stream {
    dir_t d[2]; /* 0 = client, 1 = server */
    tls_info_t info;
    tls_record_fn on_record;
    void *on_record_ctx;
};

static const struct {
    uint16_t id;
    const char *name;
} ciphers[] = {
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x003b, "TLS_RSA_WITH_NULL_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

const char *tls_cipher_name(uint16_t c)
{
    for (size_t i = 0; i < sizeof ciphers / sizeof ciphers[0]; i++)
        if (ciphers[i].id == c)
            return ciphers[i].name;
    return NULL;
}

const char *tls_version_name(uint16_t v, char out[24])
{
    switch (v) {
    case 0x0300:
        return "SSLv3";
    case 0x0301:
        return "TLSv10";
    case 0x0302:
        return "TLSv11";
    case 0x0303:
        return "TLSv12";
    case 0x0304:
        return "TLSv13";
    case 0xfeff:
        return "DTLSv10";
    case 0xfefd:
        return "DTLSv12";
    default:
        if ((v >> 8) == 0x7f) /* TLS 1.3 drafts, as Zeek names them */
            snprintf(out, 24, "TLSv13-draft%u", v & 0xff);
        else
            snprintf(out, 24, "unknown-%u", v);
        return out;
    }
}

/* An SSLv2-compatible ClientHello offering SSLv3 or TLS: 2-byte header with
 * the top bit set, CLIENT-HELLO, version 3.x, and room for its fixed fields. */
static bool sslv2_hello_detect(cursor_t c)
{
    uint16_t head;
    uint8_t type, major, minor;
    if (!cursor_u16be(&c, &head) || !cursor_u8(&c, &type) || !cursor_u8(&c, &major) ||
        !cursor_u8(&c, &minor))
        return false;
    return (head & 0x8000) && type == SSLV2_CLIENT_HELLO && major == 3 && minor <= 3 &&
           (head & 0x7fff) >= 9;
}

bool tls_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t type, major, minor;
    uint16_t len;
    if (sslv2_hello_detect(c))
        return true;
    if (!cursor_u8(&c, &type) || !cursor_u8(&c, &major) || !cursor_u8(&c, &minor) ||
        !cursor_u16be(&c, &len))
        return false;
    return type == 22 && major == 3 && minor <= 4 && len > 0 && len <= TLS_MAX_RECORD;
}

tls_stream_t *tls_new(void)
{
    return xcalloc(1, sizeof(tls_stream_t));
}

static bool grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void md5_hex(const char *s, char out[33])
{
    uint8_t d[16];
    unsigned n = 0;
    EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL);
    hex_lower(d, 16, out);
}

static void sha256_12(const char *s, char out[13])
{
    uint8_t d[32];
    unsigned n = 0;
    EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL);
    hex_lower(d, 6, out);
}

typedef struct list {
    uint16_t v[TLS_MAX_LIST];
    size_t n;
} list_t;

static void push(list_t *l, uint16_t v)
{
    if (l->n < TLS_MAX_LIST)
        l->v[l->n++] = v;
}

/* "a-b-c" of the non-GREASE values, in decimal (JA3) */
static void dash_list(buf_t *b, const list_t *l)
{
    bool first = true;
    for (size_t i = 0; i < l->n; i++) {
        if (grease(l->v[i]))
            continue;
        buf_printf(b, "%s%u", first ? "" : "-", l->v[i]);
        first = false;
    }
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* JA4 per FoxIO's specification (TCP: prefix 't'). */
static void ja4(tls_info_t *in, const list_t *cs, const list_t *ext, const list_t *sig,
                const list_t *versions, uint16_t legacy, bool has_sni, const char *alpn)
{
    uint16_t v = 0; /* highest supported_versions entry, else the legacy field */
    for (size_t i = 0; i < versions->n; i++)
        if (!grease(versions->v[i]) && versions->v[i] > v)
            v = versions->v[i];
    if (!v)
        v = legacy;
    const char *vs = v == 0x0304   ? "13"
                     : v == 0x0303 ? "12"
                     : v == 0x0302 ? "11"
                     : v == 0x0301 ? "10"
                     : v == 0x0300 ? "s3"
                                   : "00";
    list_t c = {{0}, 0}, e = {{0}, 0};
    for (size_t i = 0; i < cs->n; i++)
        if (!grease(cs->v[i]))
            push(&c, cs->v[i]);
    size_t next = 0;
    for (size_t i = 0; i < ext->n; i++)
        if (!grease(ext->v[i])) {
            next++;
            if (ext->v[i] != 0x0000 && ext->v[i] != 0x0010)
                push(&e, ext->v[i]);
        }
    char a0 = '0', a1 = '0';
    if (alpn && *alpn) {
        a0 = alpn[0];
        a1 = alpn[strlen(alpn) - 1];
    }
    char part_a[24];
    snprintf(part_a, sizeof part_a, "t%s%c%02zu%02zu%c%c", vs, has_sni ? 'd' : 'i',
             c.n > 99 ? 99 : c.n, next > 99 ? 99 : next, a0, a1);
    qsort(c.v, c.n, sizeof c.v[0], cmp_u16);
    qsort(e.v, e.n, sizeof e.v[0], cmp_u16);
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < c.n; i++)
        buf_printf(&b, "%s%04x", i ? "," : "", c.v[i]);
    char hb[13] = "000000000000", hc[13] = "000000000000";
    if (c.n)
        sha256_12(buf_cstr(&b), hb);
    buf_clear(&b);
    for (size_t i = 0; i < e.n; i++)
        buf_printf(&b, "%s%04x", i ? "," : "", e.v[i]);
    if (sig->n) {
        buf_append_byte(&b, '_');
        bool first = true;
        for (size_t i = 0; i < sig->n; i++) {
            if (grease(sig->v[i]))
                continue;
            buf_printf(&b, "%s%04x", first ? "" : ",", sig->v[i]);
            first = false;
        }
    }
    if (e.n || sig->n)
        sha256_12(buf_cstr(&b), hc);
    buf_free(&b);
    snprintf(in->ja4, sizeof in->ja4, "%s_%s_%s", part_a, hb, hc);
}

static char *alpn_list(cursor_t x, char **first)
{
    uint16_t l;
    cursor_t lst;
    buf_t b = BUF_INIT;
    if (cursor_u16be(&x, &l) && cursor_sub(&x, l, &lst)) {
        uint8_t pl;
        const uint8_t *pp;
        while (cursor_u8(&lst, &pl) && cursor_bytes(&lst, pl, &pp)) {
            if (b.len)
                buf_append_byte(&b, ',');
            if (first && !*first)
                *first = xstrndup((const char *)pp, pl);
            buf_append(&b, pp, pl);
        }
    }
    return b.len ? buf_steal(&b) : (buf_free(&b), NULL);
}

static void client_hello(tls_info_t *in, cursor_t c)
{
    uint16_t legacy, cl, el;
    uint8_t sl, ml;
    cursor_t cs, ex;
    if (!cursor_u16be(&c, &legacy) || !cursor_copy(&c, in->client_random, 32) ||
        !cursor_u8(&c, &sl) || !cursor_skip(&c, sl) || !cursor_u16be(&c, &cl) ||
        !cursor_sub(&c, cl, &cs) || !cursor_u8(&c, &ml) || !cursor_skip(&c, ml)) {
        in->damaged = "tls.bad_client_hello";
        return;
    }
    list_t ciphers_l = {{0}, 0}, exts = {{0}, 0}, groups = {{0}, 0}, pf = {{0}, 0}, sigs = {{0}, 0},
           vers = {{0}, 0};
    uint16_t v;
    while (cursor_u16be(&cs, &v))
        push(&ciphers_l, v);
    char *first_alpn = NULL;
    bool has_sni = false;
    if (cursor_u16be(&c, &el) && cursor_sub(&c, el, &ex)) {
        uint16_t et, elen;
        cursor_t x;
        while (cursor_u16be(&ex, &et) && cursor_u16be(&ex, &elen) && cursor_sub(&ex, elen, &x)) {
            push(&exts, et);
            if (et == 0) { /* server_name */
                uint16_t ll, nl;
                uint8_t nt;
                const uint8_t *name;
                if (cursor_u16be(&x, &ll) && cursor_u8(&x, &nt) && nt == 0 &&
                    cursor_u16be(&x, &nl) && cursor_bytes(&x, nl, &name) && !in->sni) {
                    in->sni = xstrndup((const char *)name, nl);
                    has_sni = true;
                }
            } else if (et == 16) {
                free(in->alpn_offered);
                in->alpn_offered = alpn_list(x, &first_alpn);
            } else if (et == 10 || et == 13) {
                uint16_t ll;
                cursor_t lst;
                if (cursor_u16be(&x, &ll) && cursor_sub(&x, ll, &lst))
                    while (cursor_u16be(&lst, &v))
                        push(et == 10 ? &groups : &sigs, v);
            } else if (et == 11) {
                uint8_t ll, f;
                if (cursor_u8(&x, &ll))
                    for (unsigned i = 0; i < ll && cursor_u8(&x, &f); i++)
                        push(&pf, f);
            } else if (et == 43) {
                uint8_t ll;
                if (cursor_u8(&x, &ll))
                    for (unsigned i = 0; i + 1 < ll && cursor_u16be(&x, &v); i += 2)
                        push(&vers, v);
            }
        }
    }
    in->client_hello = true;
    in->client_version = legacy;
    buf_t s = BUF_INIT;
    buf_printf(&s, "%u,", legacy);
    dash_list(&s, &ciphers_l);
    buf_append_byte(&s, ',');
    dash_list(&s, &exts);
    buf_append_byte(&s, ',');
    dash_list(&s, &groups);
    buf_append_byte(&s, ',');
    dash_list(&s, &pf);
    md5_hex(buf_cstr(&s), in->ja3);
    free(in->ja3_string);
    in->ja3_string = buf_steal(&s);
    ja4(in, &ciphers_l, &exts, &sigs, &vers, legacy, has_sni, first_alpn);
    free(first_alpn);
}

static void server_hello(tls_info_t *in, cursor_t c)
{
    uint16_t ver, cipher, el;
    uint8_t sl, comp;
    if (!cursor_u16be(&c, &ver) || !cursor_copy(&c, in->server_random, 32) || !cursor_u8(&c, &sl) ||
        !cursor_skip(&c, sl) || !cursor_u16be(&c, &cipher) || !cursor_u8(&c, &comp)) {
        in->damaged = "tls.bad_server_hello";
        return;
    }
    in->hello_retry = !memcmp(in->server_random, hello_retry_random, 32);
    in->server_hello = true;
    in->server_version = ver;
    in->cipher = cipher;
    list_t exts = {{0}, 0};
    cursor_t ex;
    if (cursor_u16be(&c, &el) && cursor_sub(&c, el, &ex)) {
        uint16_t et, elen, v;
        cursor_t x;
        while (cursor_u16be(&ex, &et) && cursor_u16be(&ex, &elen) && cursor_sub(&ex, elen, &x)) {
            push(&exts, et);
            if (et == 43 && cursor_u16be(&x, &v))
                in->server_version = v;
            else if (et == 16) {
                free(in->alpn_chosen);
                in->alpn_chosen = alpn_list(x, NULL);
            } else if (et == 22)
                in->encrypt_then_mac = true;
        }
    }
    in->tls13 = in->server_version == 0x0304;
    buf_t s = BUF_INIT;
    buf_printf(&s, "%u,%u,", ver, cipher);
    dash_list(&s, &exts);
    md5_hex(buf_cstr(&s), in->ja3s);
    buf_free(&s);
}

static void certificate(tls_info_t *in, cursor_t c, int side)
{
    uint32_t total, len;
    cursor_t lst;
    tls_der_t *chain = side ? in->chain : in->client_chain;
    size_t *n = side ? &in->nchain : &in->nclient_chain;
    if (in->tls13 || *n) /* 1.3: encrypted; keep the first chain */
        return;
    if (!cursor_u24be(&c, &total) || !cursor_sub(&c, total, &lst)) {
        in->damaged = "tls.bad_certificate_list";
        return;
    }
    const uint8_t *der;
    while (cursor_u24be(&lst, &len)) {
        if (!cursor_bytes(&lst, len, &der)) {
            in->damaged = "tls.certificate_past_message";
            return;
        }
        if (*n < TLS_MAX_CHAIN) {
            chain[*n].der = xmalloc(len ? len : 1);
            memcpy(chain[*n].der, der, len);
            chain[(*n)++].len = len;
        }
    }
}

/* TLS 1.3 Certificate (RFC 8446 4.4.2): a request context, then entries of
 * DER and per-certificate extensions. */
static void certificate13(tls_info_t *in, cursor_t c, int side)
{
    uint8_t ctx_len;
    uint32_t total, len;
    uint16_t ext_len;
    cursor_t lst;
    tls_der_t *chain = side ? in->chain : in->client_chain;
    size_t *n = side ? &in->nchain : &in->nclient_chain;
    if (*n)
        return;
    if (!cursor_u8(&c, &ctx_len) || !cursor_skip(&c, ctx_len) || !cursor_u24be(&c, &total) ||
        !cursor_sub(&c, total, &lst)) {
        in->damaged = "tls.bad_certificate_list";
        return;
    }
    const uint8_t *der;
    while (cursor_u24be(&lst, &len)) {
        if (!cursor_bytes(&lst, len, &der) || !cursor_u16be(&lst, &ext_len) ||
            !cursor_skip(&lst, ext_len)) {
            in->damaged = "tls.certificate_past_message";
            return;
        }
        if (*n < TLS_MAX_CHAIN) {
            chain[*n].der = xmalloc(len ? len : 1);
            memcpy(chain[*n].der, der, len);
            chain[(*n)++].len = len;
        }
    }
}

/* TLS 1.3 EncryptedExtensions: the server's ALPN choice lives here. */
static void encrypted_extensions(tls_info_t *in, cursor_t c)
{
    uint16_t el, et, elen;
    cursor_t ex, x;
    if (!cursor_u16be(&c, &el) || !cursor_sub(&c, el, &ex)) {
        in->damaged = "tls.bad_encrypted_extensions";
        return;
    }
    while (cursor_u16be(&ex, &et) && cursor_u16be(&ex, &elen) && cursor_sub(&ex, elen, &x))
        if (et == 16 && !in->alpn_chosen) {
            in->alpn_chosen = alpn_list(x, NULL);
            in->alpn_from_ee = in->alpn_chosen != NULL;
        }
}

/* RFC 5246 E.2 CLIENT-HELLO: cipher specs of 3 bytes (TLS suites have a
 * leading zero byte), a session id, and a challenge of 16-32 bytes that
 * becomes the client random, right-aligned and zero-padded. */
static void sslv2_client_hello(tls_info_t *in, cursor_t c)
{
    uint8_t type;
    uint16_t ver, specs_len, sid_len, chal_len;
    cursor_t specs;
    const uint8_t *challenge;
    if (!cursor_u8(&c, &type) || type != SSLV2_CLIENT_HELLO || !cursor_u16be(&c, &ver) ||
        !cursor_u16be(&c, &specs_len) || !cursor_u16be(&c, &sid_len) ||
        !cursor_u16be(&c, &chal_len) || specs_len % 3 || chal_len < 16 || chal_len > 32 ||
        !cursor_sub(&c, specs_len, &specs) || !cursor_skip(&c, sid_len) ||
        !cursor_bytes(&c, chal_len, &challenge)) {
        in->damaged = "tls.bad_sslv2_client_hello";
        return;
    }
    list_t suites = {{0}, 0}, none = {{0}, 0};
    uint8_t kind;
    uint16_t v;
    while (cursor_u8(&specs, &kind) && cursor_u16be(&specs, &v))
        if (kind == 0)
            push(&suites, v);
    in->client_hello = in->sslv2_hello = true;
    in->client_version = ver;
    memset(in->client_random, 0, 32);
    memcpy(in->client_random + 32 - chal_len, challenge, chal_len);
    buf_t s = BUF_INIT;
    buf_printf(&s, "%u,", ver);
    dash_list(&s, &suites);
    buf_append_str(&s, ",,,");
    md5_hex(buf_cstr(&s), in->ja3);
    free(in->ja3_string);
    in->ja3_string = buf_steal(&s);
    ja4(in, &suites, &none, &none, &none, ver, false, NULL);
}

/* Complete handshake messages at the front of b; decrypted: they came from
 * tls_handshake_plain (TLS 1.3 encrypted handshake). */
static void parse_messages(tls_stream_t *t, int side, buf_t *b, bool decrypted)
{
    dir_t *d = &t->d[side];
    cursor_t c = cursor_make(b->data, b->len);
    for (;;) {
        cursor_t save = c, body;
        uint8_t type;
        uint32_t len;
        if (!cursor_u8(&c, &type) || !cursor_u24be(&c, &len)) {
            c = save;
            break;
        }
        if (len > TLS_MAX_HANDSHAKE) {
            t->info.damaged = "tls.handshake_too_long";
            if (decrypted) { /* drop the decrypted stream, keep framing records */
                buf_clear(b);
                return;
            }
            d->dead = true;
            break;
        }
        if (!cursor_sub(&c, len, &body)) {
            c = save;
            break;
        }
        if (type == 1 && side == 0 && !t->info.client_hello)
            client_hello(&t->info, body);
        else if (type == 2 && side == 1 && !t->info.server_hello)
            server_hello(&t->info, body);
        else if (type == 8 && side == 1 && decrypted)
            encrypted_extensions(&t->info, body);
        else if (type == 11 && decrypted && t->info.tls13)
            certificate13(&t->info, body, side);
        else if (type == 11)
            certificate(&t->info, body, side);
    }
    buf_consume(b, cursor_offset(&c));
}

void tls_handshake_plain(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n)
{
    int side = is_client ? 0 : 1;
    buf_t *b = &t->d[side].hs_plain;
    t->info.decrypted_hs = true;
    if (b->len + n > TLS_MAX_HANDSHAKE) {
        t->info.damaged = "limit.tls_handshake_buffer";
        return;
    }
    buf_append(b, p, n);
    parse_messages(t, side, b, true);
}

static void record(tls_stream_t *t, int side, uint8_t type, const uint8_t *p, size_t n)
{
    dir_t *d = &t->d[side];
    if (type == 20 || type == 23) {
        t->info.ccs[side] = true;
        if (t->info.ccs[0] && t->info.ccs[1])
            t->info.established = true;
        if (type == 23 && t->info.tls13)
            t->info.established = true;
        return;
    }
    if (type != 22 || t->info.ccs[side])
        return; /* alerts; handshake after CCS is encrypted */
    if (d->hs.len + n > TLS_MAX_HANDSHAKE) {
        t->info.damaged = "limit.tls_handshake_buffer";
        d->dead = true;
        return;
    }
    buf_append(&d->hs, p, n);
    parse_messages(t, side, &d->hs, false);
}

/* The record header length of dir's next record: 2 for an SSLv2-compatible
 * ClientHello (only as the client's first record), else 5.  Needs 1 byte. */
static size_t header_len(const dir_t *d, int side)
{
    return side == 0 && d->nrecords == 0 && (d->rec.data[0] & 0x80) ? 2 : 5;
}

/* The header is complete: false (and the direction is dead) when it is not TLS. */
static bool header_ok(tls_stream_t *t, dir_t *d, size_t hl)
{
    const uint8_t *h = d->rec.data;
    if (hl == 5 && (h[0] < 20 || h[0] > 24 || h[1] != 3 || h[2] > 4)) {
        t->info.damaged = "tls.not_a_record";
        d->dead = true; /* not (or no longer) TLS in this direction */
        return false;
    }
    size_t rlen = hl == 2 ? ((size_t)(h[0] & 0x7f) << 8 | h[1]) : ((size_t)h[3] << 8 | h[4]);
    if (rlen > TLS_MAX_RECORD) {
        t->info.damaged = "tls.record_too_long";
        d->dead = true;
        return false;
    }
    return true;
}

static void record_done(tls_stream_t *t, int side, size_t hl)
{
    dir_t *d = &t->d[side];
    cursor_t body = cursor_make(d->rec.data + hl, d->rec.len - hl);
    if (hl == 2)
        sslv2_client_hello(&t->info, body);
    else
        record(t, side, d->rec.data[0], d->rec.data + hl, d->rec.len - hl);
    d->nrecords++;
    if (t->on_record)
        t->on_record(t->on_record_ctx, side == 0, d->rec.data, d->rec.len);
    buf_clear(&d->rec);
}

/* Is the body of a record of this type read?  Only a ClientHello in the
 * SSLv2 format, handshake records before ChangeCipherSpec and, with a record
 * callback (a key log), every record are.  Any other body (application
 * data, alerts, encrypted handshake; nearly all of a session's bytes) is
 * passed over rather than copied: record() looks only at its type. */
static bool body_read(const tls_stream_t *t, int side, size_t hl, uint8_t type)
{
    return t->on_record || hl == 2 || (type == 22 && !t->info.ccs[side]);
}

/* Move up to want - have bytes from in into b. */
static void fill(buf_t *b, size_t want, cursor_t *in)
{
    size_t k = want - b->len < cursor_left(in) ? want - b->len : cursor_left(in);
    const uint8_t *p;
    cursor_bytes(in, k, &p);
    buf_append(b, p, k);
}

void tls_data(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n)
{
    int side = is_client ? 0 : 1;
    dir_t *d = &t->d[side];
    cursor_t in = cursor_make(p, n);
    while (!cursor_empty(&in) && !d->dead) {
        if (!d->rec.len)
            fill(&d->rec, 1, &in);
        size_t hl = header_len(d, side);
        if (d->rec.len < hl) {
            fill(&d->rec, hl, &in);
            if (d->rec.len < hl || !header_ok(t, d, hl))
                return;
        }
        const uint8_t *h = d->rec.data;
        size_t rlen = hl == 2 ? ((size_t)(h[0] & 0x7f) << 8 | h[1]) : ((size_t)h[3] << 8 | h[4]);
        if (!body_read(t, side, hl, h[0])) {
            size_t k = rlen - d->skipped;
            if (k > cursor_left(&in))
                k = cursor_left(&in);
            cursor_skip(&in, k);
            d->skipped += k;
            if (d->skipped < rlen)
                return;
            d->skipped = 0;
            record_done(t, side, hl); /* the header alone */
            continue;
        }
        fill(&d->rec, hl + rlen, &in);
        if (d->rec.len == hl + rlen)
            record_done(t, side, hl);
    }
}

void tls_on_record(tls_stream_t *t, tls_record_fn fn, void *ctx)
{
    t->on_record = fn;
    t->on_record_ctx = ctx;
}

void tls_gap(tls_stream_t *t, bool is_client)
{
    t->d[is_client ? 0 : 1].dead = true;
}

const tls_info_t *tls_info(const tls_stream_t *t)
{
    return &t->info;
}

void tls_free(tls_stream_t *t)
{
    if (!t)
        return;
    for (int i = 0; i < 2; i++) {
        buf_free(&t->d[i].rec);
        buf_free(&t->d[i].hs);
        buf_free(&t->d[i].hs_plain);
    }
    for (size_t i = 0; i < t->info.nchain; i++)
        free(t->info.chain[i].der);
    for (size_t i = 0; i < t->info.nclient_chain; i++)
        free(t->info.client_chain[i].der);
    free(t->info.sni), free(t->info.alpn_offered), free(t->info.alpn_chosen);
    free(t->info.ja3_string);
    free(t);
}
