/* tls_suites.c — the cipher suites we can decrypt; see tls_suites.h. */
#include "tls_suites.h"

#include <stddef.h>

#define GCM(id, c, k, prf)                                                                         \
    {                                                                                              \
        id, TLS_BULK_GCM, c, k, NULL, prf, false                                                   \
    }
#define CCM(id, c, k)                                                                              \
    {                                                                                              \
        id, TLS_BULK_CCM, c, k, NULL, "SHA256", false                                              \
    }
#define CCM8(id, c, k)                                                                             \
    {                                                                                              \
        id, TLS_BULK_CCM8, c, k, NULL, "SHA256", false                                             \
    }
#define CHACHA(id)                                                                                 \
    {                                                                                              \
        id, TLS_BULK_CHACHA, EVP_chacha20_poly1305, 32, NULL, "SHA256", false                      \
    }
#define CBC(id, c, k, mac, prf)                                                                    \
    {                                                                                              \
        id, TLS_BULK_CBC, c, k, mac, prf, false                                                    \
    }

static const tls_suite_t suites[] = {
    /* TLS 1.3 (RFC 8446 B.4) */
    {0x1301, TLS_BULK_GCM, EVP_aes_128_gcm, 16, NULL, "SHA256", true},
    {0x1302, TLS_BULK_GCM, EVP_aes_256_gcm, 32, NULL, "SHA384", true},
    {0x1303, TLS_BULK_CHACHA, EVP_chacha20_poly1305, 32, NULL, "SHA256", true},
    {0x1304, TLS_BULK_CCM, EVP_aes_128_ccm, 16, NULL, "SHA256", true},
    {0x1305, TLS_BULK_CCM8, EVP_aes_128_ccm, 16, NULL, "SHA256", true},
    /* AES-GCM (RFC 5288, 5289) */
    GCM(0x009c, EVP_aes_128_gcm, 16, "SHA256"), /* RSA */
    GCM(0x009d, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0x009e, EVP_aes_128_gcm, 16, "SHA256"), /* DHE_RSA */
    GCM(0x009f, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0x00a2, EVP_aes_128_gcm, 16, "SHA256"), /* DHE_DSS */
    GCM(0x00a3, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0xc02b, EVP_aes_128_gcm, 16, "SHA256"), /* ECDHE_ECDSA */
    GCM(0xc02c, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0xc02d, EVP_aes_128_gcm, 16, "SHA256"), /* ECDH_ECDSA */
    GCM(0xc02e, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0xc02f, EVP_aes_128_gcm, 16, "SHA256"), /* ECDHE_RSA */
    GCM(0xc030, EVP_aes_256_gcm, 32, "SHA384"),
    GCM(0xc031, EVP_aes_128_gcm, 16, "SHA256"), /* ECDH_RSA */
    GCM(0xc032, EVP_aes_256_gcm, 32, "SHA384"),
    /* ChaCha20-Poly1305 (RFC 7905) */
    CHACHA(0xcca8), /* ECDHE_RSA */
    CHACHA(0xcca9), /* ECDHE_ECDSA */
    CHACHA(0xccaa), /* DHE_RSA */
    /* AES-CCM (RFC 6655, 7251) */
    CCM(0xc09c, EVP_aes_128_ccm, 16), /* RSA */
    CCM(0xc09d, EVP_aes_256_ccm, 32),
    CCM(0xc09e, EVP_aes_128_ccm, 16), /* DHE_RSA */
    CCM(0xc09f, EVP_aes_256_ccm, 32),
    CCM8(0xc0a0, EVP_aes_128_ccm, 16), /* RSA, 8-byte tag */
    CCM8(0xc0a1, EVP_aes_256_ccm, 32),
    CCM8(0xc0a2, EVP_aes_128_ccm, 16), /* DHE_RSA, 8-byte tag */
    CCM8(0xc0a3, EVP_aes_256_ccm, 32),
    CCM(0xc0ac, EVP_aes_128_ccm, 16), /* ECDHE_ECDSA */
    CCM(0xc0ad, EVP_aes_256_ccm, 32),
    CCM8(0xc0ae, EVP_aes_128_ccm, 16), /* ECDHE_ECDSA, 8-byte tag */
    CCM8(0xc0af, EVP_aes_256_ccm, 32),
    /* AES-CBC with HMAC-SHA1 (RFC 3268, 4492) */
    CBC(0x002f, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* RSA */
    CBC(0x0035, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0x0032, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* DHE_DSS */
    CBC(0x0038, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0x0033, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* DHE_RSA */
    CBC(0x0039, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0xc004, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* ECDH_ECDSA */
    CBC(0xc005, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0xc009, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* ECDHE_ECDSA */
    CBC(0xc00a, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0xc00e, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* ECDH_RSA */
    CBC(0xc00f, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    CBC(0xc013, EVP_aes_128_cbc, 16, "SHA1", "SHA256"), /* ECDHE_RSA */
    CBC(0xc014, EVP_aes_256_cbc, 32, "SHA1", "SHA256"),
    /* AES-CBC with HMAC-SHA256 / SHA384 (RFC 5246, 5289) */
    CBC(0x003c, EVP_aes_128_cbc, 16, "SHA256", "SHA256"), /* RSA */
    CBC(0x003d, EVP_aes_256_cbc, 32, "SHA256", "SHA256"),
    CBC(0x0040, EVP_aes_128_cbc, 16, "SHA256", "SHA256"), /* DHE_DSS */
    CBC(0x006a, EVP_aes_256_cbc, 32, "SHA256", "SHA256"),
    CBC(0x0067, EVP_aes_128_cbc, 16, "SHA256", "SHA256"), /* DHE_RSA */
    CBC(0x006b, EVP_aes_256_cbc, 32, "SHA256", "SHA256"),
    CBC(0xc023, EVP_aes_128_cbc, 16, "SHA256", "SHA256"), /* ECDHE_ECDSA */
    CBC(0xc024, EVP_aes_256_cbc, 32, "SHA384", "SHA384"),
    CBC(0xc027, EVP_aes_128_cbc, 16, "SHA256", "SHA256"), /* ECDHE_RSA */
    CBC(0xc028, EVP_aes_256_cbc, 32, "SHA384", "SHA384"),
    /* 3DES-EDE-CBC with HMAC-SHA1 (still in old malware and appliances) */
    CBC(0x000a, EVP_des_ede3_cbc, 24, "SHA1", "SHA256"), /* RSA */
    CBC(0x0013, EVP_des_ede3_cbc, 24, "SHA1", "SHA256"), /* DHE_DSS */
    CBC(0x0016, EVP_des_ede3_cbc, 24, "SHA1", "SHA256"), /* DHE_RSA */
    CBC(0xc008, EVP_des_ede3_cbc, 24, "SHA1", "SHA256"), /* ECDHE_ECDSA */
    CBC(0xc012, EVP_des_ede3_cbc, 24, "SHA1", "SHA256"), /* ECDHE_RSA */
};

const tls_suite_t *tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

unsigned tls_suite_tag_len(const tls_suite_t *s)
{
    switch (s->bulk) {
    case TLS_BULK_CBC:
        return 0;
    case TLS_BULK_CCM8:
        return 8;
    default:
        return 16;
    }
}
