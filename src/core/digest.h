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

/*
 * The hashes of a carved file: SHA-256 always, MD5 and SHA-1 when asked.
 *
 * Most bodies of a web capture repeat (the same script, image or page
 * fetched again), and MD5 and SHA-1 cost three times what SHA-256 does.  So
 * the first DIGEST_HOLD_MAX bytes are held instead of going through MD5 and
 * SHA-1 at once; when the body ends within them, its SHA-256 is looked up in
 * a memo of this thread's recent bodies and a repeated body takes the MD5
 * and SHA-1 computed for its first copy.  A longer body is hashed as it
 * streams.  The answers are the same either way: the memo only saves work.
 * SHA-256 is held too: a body that ends within the hold is first compared
 * byte for byte with this thread's recent bodies (bounded copies), and one
 * equal to an earlier body takes all its hashes without hashing.
 */
typedef struct digest_set {
    EVP_MD_CTX *md5, *sha1, *sha256; /* md5/sha1 NULL while held or not asked */
    bool want_md5, want_sha1;
    uint8_t *held; /* the body so far while it fits DIGEST_HOLD_MAX */
    size_t nheld, held_cap;
    bool streaming; /* past DIGEST_HOLD_MAX: the hashes run on every update */
} digest_set_t;

/* Bytes of a body held for the memo.  Bounded because a capture may hold
 * thousands of bodies in flight at once; 256 KiB covers most web objects
 * (the 1 GB benchmark's bodies average 115 kB). */
#define DIGEST_HOLD_MAX ((size_t)256 << 10)

void digest_set_init(digest_set_t *d, bool md5, bool sha1);
void digest_set_update(digest_set_t *d, const void *p, size_t n);
/* Hex into md5 (33 bytes), sha1 (41), sha256 (65): "" for a hash not
 * computed.  The contexts stay allocated until digest_set_free. */
void digest_set_final(digest_set_t *d, char *md5, char *sha1, char *sha256);
void digest_set_free(digest_set_t *d);

/* How many digest_set_final calls of this thread took MD5/SHA-1 from the
 * memo (for tests). */
uint64_t digest_memo_hits(void);
/* How many digest_set_final calls of this thread found the body itself
 * among the recent ones (no hashing at all; for tests). */
uint64_t digest_exact_hits(void);

#endif
