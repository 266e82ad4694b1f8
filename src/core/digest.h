/*
 * digest.h — streaming hashes (OpenSSL EVP) with hex output, shared by the
 * HTTP carver and the 206 assembler; the one hex encoder of every digest.
 */
#ifndef PCAPCASE_DIGEST_H
#define PCAPCASE_DIGEST_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* n bytes as lower-case hex into out (2n + 1 bytes, NUL-terminated). */
void hex_lower(const uint8_t *p, size_t n, char *out);

/* A context started with md, or NULL when OpenSSL cannot make one. */
EVP_MD_CTX *digest_new(const EVP_MD *md);
/* Finish c into lower-case hex in out (2 * EVP_MAX_MD_SIZE + 1 bytes); ""
 * when c is NULL.  c is not freed. */
void digest_final_hex(EVP_MD_CTX *c, char *out);

/* The hashes of a carved file: SHA-256 always, MD5 and SHA-1 when asked. */
typedef struct digest_set {
    EVP_MD_CTX *md5, *sha1, *sha256;
} digest_set_t;

void digest_set_init(digest_set_t *d, bool md5, bool sha1);
void digest_set_update(digest_set_t *d, const void *p, size_t n);
/* Hex into md5 (33 bytes), sha1 (41), sha256 (65): "" for a hash not
 * computed.  The contexts stay allocated until digest_set_free. */
void digest_set_final(digest_set_t *d, char *md5, char *sha1, char *sha256);
void digest_set_free(digest_set_t *d);

#endif
