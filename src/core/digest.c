/* digest.c — see digest.h. */
#include "core/digest.h"

#include "core/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

EVP_MD_CTX *digest_new(const EVP_MD *md)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && !EVP_DigestInit_ex(c, md, NULL)) {
        EVP_MD_CTX_free(c);
        c = NULL;
    }
    return c;
}

void hex_lower(const uint8_t *p, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[p[i] >> 4];
        out[2 * i + 1] = h[p[i] & 15];
    }
    out[2 * n] = 0;
}

void digest_final_hex(EVP_MD_CTX *c, char *out)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    out[0] = 0;
    if (!c || !EVP_DigestFinal_ex(c, d, &n))
        return;
    hex_lower(d, n, out);
}

/* The memo of recent bodies' MD5 and SHA-1 by SHA-256: one per thread
 * (created on first use, freed when the thread ends), direct-mapped on the
 * SHA-256's first bytes; a collision replaces the older entry. */
#define MEMO_SLOTS 4096 /* ~430 kB a thread: the distinct bodies of a busy site */

typedef struct memo_entry {
    uint8_t sha256[32];
    char md5[33], sha1[41]; /* "" when not computed for that body */
    bool used;
} memo_entry_t;

typedef struct memo {
    memo_entry_t slot[MEMO_SLOTS];
    uint64_t hits;
} memo_t;

static _Thread_local memo_t *tl_memo;
static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_make_key(void)
{
    (void)pthread_key_create(&memo_key, free);
}

static memo_t *memo_get(void)
{
    if (!tl_memo) {
        (void)pthread_once(&memo_once, memo_make_key);
        tl_memo = xcalloc(1, sizeof *tl_memo);
        (void)pthread_setspecific(memo_key, tl_memo); /* freed at thread exit */
    }
    return tl_memo;
}

uint64_t digest_memo_hits(void)
{
    return tl_memo ? tl_memo->hits : 0;
}

/* The bodies themselves, per thread, for the commonest case of all: the
 * same object served again.  A held body that ends is looked up by its
 * length and a fingerprint of a few of its bytes, and compared byte for
 * byte with the kept copy; when equal it takes all its hashes from it,
 * SHA-256 included, without hashing anything.  memcmp runs an order of
 * magnitude faster than SHA-256, and bro.org x 200 carries each of its 30
 * distinct bodies 200 times.  Copies are bounded (EXACT_BYTES a thread;
 * direct-mapped, a newcomer replaces the slot's body). */
#define EXACT_SLOTS 1024
#define EXACT_BYTES ((size_t)16 << 20)

typedef struct exact_entry {
    uint8_t *bytes; /* NULL: empty slot */
    size_t len;
    uint64_t print;
    uint8_t sha256[32];
    char md5[33], sha1[41]; /* "" when not computed */
} exact_entry_t;

typedef struct exact {
    exact_entry_t slot[EXACT_SLOTS];
    size_t bytes;
    uint64_t hits;
} exact_t;

static _Thread_local exact_t *tl_exact;
static pthread_key_t exact_key;
static pthread_once_t exact_once = PTHREAD_ONCE_INIT;

static void exact_free(void *p)
{
    exact_t *x = p;
    for (size_t i = 0; x && i < EXACT_SLOTS; i++)
        free(x->slot[i].bytes);
    free(x);
}

static void exact_make_key(void)
{
    (void)pthread_key_create(&exact_key, exact_free);
}

static exact_t *exact_get(void)
{
    if (!tl_exact) {
        (void)pthread_once(&exact_once, exact_make_key);
        tl_exact = xcalloc(1, sizeof *tl_exact);
        (void)pthread_setspecific(exact_key, tl_exact); /* freed at thread exit */
    }
    return tl_exact;
}

uint64_t digest_exact_hits(void)
{
    return tl_exact ? tl_exact->hits : 0;
}

/* Length and 16 sampled 8-byte words (FNV-1a): cheap, and bodies that
 * differ only elsewhere are told apart by the comparison. */
static uint64_t fingerprint(const uint8_t *p, size_t n)
{
    uint64_t h = 14695981039346656037ull ^ n;
    for (unsigned k = 0; k < 16 && n; k++) {
        size_t at = n <= 8 ? 0 : (n - 8) / 15 * k;
        size_t w = n < 8 ? n : 8;
        for (size_t i = 0; i < w; i++)
            h = (h ^ p[at + i]) * 1099511628211ull;
    }
    return h;
}

void digest_set_init(digest_set_t *d, bool md5, bool sha1)
{
    memset(d, 0, sizeof *d);
    d->want_md5 = md5;
    d->want_sha1 = sha1;
    d->sha256 = digest_new(EVP_sha256());
}

/* Past the hold: the hashes catch up on what was held and stream on. */
static void start_streaming(digest_set_t *d)
{
    d->md5 = d->want_md5 ? digest_new(EVP_md5()) : NULL;
    d->sha1 = d->want_sha1 ? digest_new(EVP_sha1()) : NULL;
    for (int i = 0; i < 3; i++) {
        EVP_MD_CTX *c = i == 0 ? d->sha256 : i == 1 ? d->md5 : d->sha1;
        if (c && d->nheld)
            EVP_DigestUpdate(c, d->held, d->nheld);
    }
    free(d->held);
    d->held = NULL;
    d->nheld = d->held_cap = 0;
    d->streaming = true;
}

static void hold(digest_set_t *d, const void *p, size_t n)
{
    if (d->nheld + n > d->held_cap) {
        size_t cap = d->held_cap ? d->held_cap : 4096;
        while (cap < d->nheld + n)
            cap *= 2;
        d->held = xrealloc(d->held, cap > DIGEST_HOLD_MAX ? DIGEST_HOLD_MAX : cap);
        d->held_cap = cap > DIGEST_HOLD_MAX ? DIGEST_HOLD_MAX : cap;
    }
    memcpy(d->held + d->nheld, p, n);
    d->nheld += n;
}

void digest_set_update(digest_set_t *d, const void *p, size_t n)
{
    if (!n) /* nothing to hash (callers may pass NULL with it) */
        return;
    if (!d->streaming && d->nheld + n > DIGEST_HOLD_MAX)
        start_streaming(d);
    if (!d->streaming) {
        hold(d, p, n);
        return;
    }
    if (d->sha256)
        EVP_DigestUpdate(d->sha256, p, n);
    if (d->md5)
        EVP_DigestUpdate(d->md5, p, n);
    if (d->sha1)
        EVP_DigestUpdate(d->sha1, p, n);
}

/* One-shot hex digest of the held bytes. */
static void held_hex(const digest_set_t *d, const EVP_MD *md, char *out)
{
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    out[0] = 0;
    if (EVP_Digest(d->nheld ? d->held : (const uint8_t *)"", d->nheld, dg, &n, md, NULL))
        hex_lower(dg, n, out);
}

/* MD5 and SHA-1 of a held body: from the memo when this SHA-256 was seen. */
static void held_final(digest_set_t *d, const uint8_t sha256[32], char *md5, char *sha1)
{
    memo_t *m = memo_get();
    uint32_t i = ((uint32_t)sha256[0] << 8 | sha256[1]) % MEMO_SLOTS;
    memo_entry_t *e = &m->slot[i];
    bool hit = e->used && memcmp(e->sha256, sha256, 32) == 0 && (!d->want_md5 || e->md5[0]) &&
               (!d->want_sha1 || e->sha1[0]);
    if (hit) {
        m->hits++;
    } else {
        memset(e, 0, sizeof *e);
        memcpy(e->sha256, sha256, 32);
        e->used = true;
        if (d->want_md5)
            held_hex(d, EVP_md5(), e->md5);
        if (d->want_sha1)
            held_hex(d, EVP_sha1(), e->sha1);
    }
    strcpy(md5, d->want_md5 ? e->md5 : "");
    strcpy(sha1, d->want_sha1 ? e->sha1 : "");
}

/* A held body seen before, byte for byte: its hashes from the copy kept
 * (computing those asked for that the copy lacks).  Else NULL, and *slot
 * is where it goes. */
static exact_entry_t *exact_find(digest_set_t *d, exact_t *x, uint64_t print, exact_entry_t **slot)
{
    exact_entry_t *e = &x->slot[print % EXACT_SLOTS];
    *slot = e;
    if (!e->bytes || e->len != d->nheld || e->print != print ||
        memcmp(e->bytes, d->held, d->nheld) != 0)
        return NULL;
    if (d->want_md5 && !e->md5[0])
        held_hex(d, EVP_md5(), e->md5);
    if (d->want_sha1 && !e->sha1[0])
        held_hex(d, EVP_sha1(), e->sha1);
    x->hits++;
    return e;
}

/* Keep a held body and its hashes in slot e (within EXACT_BYTES). */
static void exact_keep(digest_set_t *d, exact_t *x, exact_entry_t *e, uint64_t print,
                       const uint8_t sha256[32], const char *md5, const char *sha1)
{
    size_t freed = e->bytes ? e->len : 0;
    if (!d->nheld || x->bytes - freed + d->nheld > EXACT_BYTES)
        return;
    free(e->bytes);
    x->bytes = x->bytes - freed + d->nheld;
    e->bytes = xmalloc(d->nheld);
    memcpy(e->bytes, d->held, d->nheld);
    e->len = d->nheld;
    e->print = print;
    memcpy(e->sha256, sha256, 32);
    snprintf(e->md5, sizeof e->md5, "%s", md5);
    snprintf(e->sha1, sizeof e->sha1, "%s", sha1);
}

void digest_set_final(digest_set_t *d, char *md5, char *sha1, char *sha256)
{
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    sha256[0] = md5[0] = sha1[0] = 0;
    if (!d->streaming && d->sha256) { /* held whole: seen before, or hashed in one go */
        exact_t *x = exact_get();
        uint64_t print = fingerprint(d->held, d->nheld);
        exact_entry_t *slot, *e = exact_find(d, x, print, &slot);
        if (e) {
            hex_lower(e->sha256, 32, sha256);
            strcpy(md5, d->want_md5 ? e->md5 : "");
            strcpy(sha1, d->want_sha1 ? e->sha1 : "");
            return;
        }
        if (!EVP_Digest(d->nheld ? d->held : (const uint8_t *)"", d->nheld, dg, &n, EVP_sha256(),
                        NULL) ||
            n != 32)
            return;
        hex_lower(dg, n, sha256);
        if (d->want_md5 || d->want_sha1)
            held_final(d, dg, md5, sha1);
        exact_keep(d, x, slot, print, dg, md5, sha1);
        return;
    }
    bool have256 = d->sha256 && EVP_DigestFinal_ex(d->sha256, dg, &n) && n == 32;
    if (have256)
        hex_lower(dg, n, sha256);
    if (!d->streaming && (d->want_md5 || d->want_sha1) && have256) {
        held_final(d, dg, md5, sha1);
        return;
    }
    if (!d->streaming && (d->want_md5 || d->want_sha1))
        start_streaming(d); /* no SHA-256 to look up: hash what was held */
    digest_final_hex(d->md5, md5);
    digest_final_hex(d->sha1, sha1);
}

void digest_set_free(digest_set_t *d)
{
    EVP_MD_CTX_free(d->md5);
    EVP_MD_CTX_free(d->sha1);
    EVP_MD_CTX_free(d->sha256);
    free(d->held);
    d->md5 = d->sha1 = d->sha256 = NULL;
    d->held = NULL;
    d->nheld = d->held_cap = 0;
}
