/*
 * tls_suites.h — what the record decryption needs to know about a cipher
 * suite: the bulk cipher and how records carry it (AEAD nonce style or CBC
 * with an HMAC), key and MAC sizes, and the hash of the PRF / HKDF.
 *
 * One table (tls_suites.c) so that adding a suite is one line.  Suites not
 * in it (RC4, Camellia, ARIA, NULL, export, PSK variants nobody uses) are
 * reported by the decryptor as unsupported, never guessed.
 */
#ifndef PCAPCASE_TLS_SUITES_H
#define PCAPCASE_TLS_SUITES_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum tls_bulk {
    TLS_BULK_GCM,    /* AES-GCM: TLS 1.2 4-byte fixed + 8-byte explicit nonce */
    TLS_BULK_CCM,    /* AES-CCM, 16-byte tag; nonce as GCM */
    TLS_BULK_CCM8,   /* AES-CCM, 8-byte tag */
    TLS_BULK_CHACHA, /* ChaCha20-Poly1305: 12-byte IV xor sequence number (RFC 7905) */
    TLS_BULK_CBC,    /* block cipher in CBC mode with an HMAC */
} tls_bulk_t;

typedef struct tls_suite {
    uint16_t id;
    tls_bulk_t bulk;
    const EVP_CIPHER *(*cipher)(void);
    uint8_t key_len;
    const char *mac; /* CBC: the HMAC's digest ("SHA1", "SHA256", "SHA384"); NULL for AEAD */
    const char *prf; /* TLS 1.2 PRF / TLS 1.3 HKDF digest: "SHA256" or "SHA384" */
    bool tls13;      /* a TLS 1.3 suite (0x13xx) */
} tls_suite_t;

/* The suite with this IANA id, or NULL when we cannot decrypt it. */
const tls_suite_t *tls_suite_find(uint16_t id);
/* The AEAD tag length (16, or 8 for CCM_8); 0 for CBC. */
unsigned tls_suite_tag_len(const tls_suite_t *s);

#endif
