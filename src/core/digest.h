/*
 * digest.h — streaming hashes (OpenSSL EVP) with hex output, shared by the
 * HTTP carver and the 206 assembler.
 */
#ifndef PCAPCASE_DIGEST_H
#define PCAPCASE_DIGEST_H

#include <openssl/evp.h>

/* A context started with md, or NULL when OpenSSL cannot make one. */
EVP_MD_CTX *digest_new(const EVP_MD *md);
/* Finish c into lower-case hex in out (2 * EVP_MAX_MD_SIZE + 1 bytes); ""
 * when c is NULL.  c is not freed. */
void digest_final_hex(EVP_MD_CTX *c, char *out);

#endif
