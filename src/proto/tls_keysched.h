/*
 * tls_keysched.h — the TLS key schedules the record decryption needs.
 *
 * The TLS 1.0-1.2 PRF (RFC 2246 5 / RFC 5246 5) that turns a master secret
 * into the key block, and TLS 1.3's HKDF-Expand-Label (RFC 8446 7.1) that
 * turns a traffic secret into a key, an IV, or the next traffic secret.  A
 * module of its own so the RFC test vectors can check it directly.  Pure.
 */
#ifndef PCAPCASE_TLS_KEYSCHED_H
#define PCAPCASE_TLS_KEYSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest seed accepted by tls_prf: a label and two randoms need < 100 bytes. */
#define TLS_PRF_MAX_SEED 256
/* Longest HKDF-Expand-Label output and context we need (a SHA-384 secret). */
#define TLS13_MAX_EXPAND 64

/* PRF(secret, label, seed) into out (outlen bytes).  md: an OpenSSL digest
 * name for TLS 1.2 ("SHA256", "SHA384"), or "MD5-SHA1" for TLS 1.0/1.1
 * (P_MD5 xor P_SHA1 over the two halves of the secret).  false when the
 * digest is unknown, the seed too long or OpenSSL fails. */
bool tls_prf(const char *md, const uint8_t *secret, size_t slen, const char *label,
             const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen);

/* HKDF-Expand-Label(secret, label, context, outlen) with digest md ("SHA256",
 * "SHA384"); the "tls13 " prefix is added here.  false on unknown digest,
 * outlen or clen past TLS13_MAX_EXPAND, or an OpenSSL failure. */
bool tls13_expand_label(const char *md, const uint8_t *secret, size_t slen, const char *label,
                        const uint8_t *context, size_t clen, uint8_t *out, size_t outlen);

#endif
