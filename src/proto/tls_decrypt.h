/*
 * tls_decrypt.h — the TLS record layer with the session's keys: records in,
 * authenticated plaintext out.
 *
 * Given what the clear-text handshake says (tls.h: version, cipher suite,
 * client and server random, encrypt-then-MAC) and the session's secrets from
 * a key log (keylog.h), it derives the record keys — TLS 1.0-1.2: the PRF
 * key block from the master secret (P_MD5 xor P_SHA1 before 1.2, the suite's
 * hash in 1.2); TLS 1.3: HKDF-Expand-Label "key"/"iv" from the handshake and
 * application traffic secrets, and "traffic upd" for every KeyUpdate — and
 * decrypts each record with OpenSSL's EVP: AES-GCM, AES-CCM, ChaCha20-Poly1305,
 * and AES/3DES-CBC with HMAC-SHA1/SHA256/SHA384 (MAC-then-encrypt, or
 * encrypt-then-MAC per RFC 7366; TLS 1.0's chained IVs too).
 *
 * Every record is authenticated (AEAD tag, or padding and MAC) before any of
 * its bytes are passed on; a record that does not authenticate is counted
 * (tls_dir_stats_t.bad_auth) and dropped, never handed out.  Keys are
 * followed through the TLS 1.3 stages (early data, handshake, application
 * secrets 0, 1, ...): the switch happens after the Finished / EndOfEarlyData /
 * KeyUpdate message that announces it, and when a record does not
 * authenticate with the current key the next stage's key is tried once, so a
 * key log with only the application secrets, or a KeyUpdate we did not see,
 * still decrypts what it can; records for which the key log has no key are
 * counted as no_key.
 *
 * Pure: bytes in, callbacks out; no files, no logs.  Record bytes are read
 * through core/cursor.h.  What is not supported (SSLv3, RC4 and other suites
 * not in the table, TLS 1.2 renegotiation's new keys) is reported, not
 * guessed at.
 */
#ifndef PCAPCASE_TLS_DECRYPT_H
#define PCAPCASE_TLS_DECRYPT_H

#include "proto/keylog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest TLSCiphertext fragment: 2^14 + 2048 (RFC 5246 6.2.3; TLS 1.3 allows
 * only 2^14 + 256, so this covers both). */
#define TLS_DECRYPT_MAX_FRAGMENT (16384 + 2048)

/* What the clear-text handshake negotiated. */
typedef struct tls_params {
    uint16_t version; /* 0x0301..0x0304: ServerHello (supported_versions for 1.3) */
    uint16_t cipher;  /* IANA cipher suite id */
    uint8_t client_random[32], server_random[32];
    bool encrypt_then_mac; /* RFC 7366 extension in the ServerHello (CBC suites) */
} tls_params_t;

typedef enum tls_decrypt_status {
    TLS_DECRYPT_READY,
    TLS_DECRYPT_NO_KEYS,             /* the key log has no usable secret for this session */
    TLS_DECRYPT_UNSUPPORTED_CIPHER,  /* the suite is not in our table (RC4, Camellia, ...) */
    TLS_DECRYPT_UNSUPPORTED_VERSION, /* SSLv3, DTLS, a TLS 1.3 draft */
} tls_decrypt_status_t;

/* Per direction (0 = client to server, 1 = server to client). */
typedef struct tls_dir_stats {
    uint64_t records;   /* encrypted (or unframeable) records handed in; each is
                           counted in exactly one of the next four */
    uint64_t decrypted; /* authenticated and passed on */
    uint64_t bad_auth;  /* did not authenticate (tag, MAC or padding): dropped */
    uint64_t no_key;    /* encrypted under a secret the key log lacks: dropped */
    uint64_t malformed; /* too short for the suite, too long, or no content type */
    uint64_t plaintext_bytes;
    uint32_t key_updates;          /* TLS 1.3 application keys changed (KeyUpdate) */
    uint32_t key_updates_inferred; /* ... of which found by trying the next key */
} tls_dir_stats_t;

/* Receives one record's plaintext: its content type (20 change_cipher_spec,
 * 21 alert, 22 handshake, 23 application_data; for TLS 1.3 the inner type)
 * and bytes (n may be 0).  dir: 0 client, 1 server. */
typedef void (*tls_plain_fn)(void *ctx, int dir, uint8_t content_type, const uint8_t *p, size_t n);

typedef struct tls_decrypt tls_decrypt_t;

/* A decryptor for one session, or NULL with *status saying why not (keys
 * may be NULL: no entry in the key log).  The secrets are copied; keys may
 * be freed afterwards.  Free with tls_decrypt_free(). */
tls_decrypt_t *tls_decrypt_new(const tls_params_t *params, const keylog_entry_t *keys,
                               tls_decrypt_status_t *status);
/* One whole record of direction dir as it was on the wire (5-byte header +
 * fragment, n bytes).  Records before encryption starts (TLS <= 1.2: before
 * that direction's ChangeCipherSpec; TLS 1.3: every record that is not
 * application_data) are clear text and ignored.  Authenticated plaintext
 * goes to fn(ctx, ...) before this returns. */
void tls_decrypt_record(tls_decrypt_t *d, int dir, const uint8_t *record, size_t n, tls_plain_fn fn,
                        void *ctx);
/* Bytes of direction dir were lost: its records can no longer be framed
 * or numbered; every later record of dir is dropped (counted as no_key). */
void tls_decrypt_lost(tls_decrypt_t *d, int dir);
const tls_dir_stats_t *tls_decrypt_stats(const tls_decrypt_t *d, int dir);
/* NULL-safe. */
void tls_decrypt_free(tls_decrypt_t *d);

/* "no keys", "unsupported cipher suite", ... (static). */
const char *tls_decrypt_status_name(tls_decrypt_status_t s);
/* Can we decrypt this suite (any version)? */
bool tls_decrypt_supports(uint16_t cipher);

#endif
