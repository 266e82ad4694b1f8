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

void digest_set_init(digest_set_t *d, bool md5, bool sha1)
{
    memset(d, 0, sizeof *d);
    d->want_md5 = md5;
    d->want_sha1 = sha1;
    d->sha256 = digest_new(EVP_sha256());
}

/* Past the hold: MD5 and SHA-1 catch up on what was held and stream on. */
static void start_streaming(digest_set_t *d)
{
    d->md5 = d->want_md5 ? digest_new(EVP_md5()) : NULL;
    d->sha1 = d->want_sha1 ? digest_new(EVP_sha1()) : NULL;
    for (int i = 0; i < 2; i++) {
        EVP_MD_CTX *c = i ? d->sha1 : d->md5;
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
    if (d->sha256)
        EVP_DigestUpdate(d->sha256, p, n);
    if (!d->want_md5 && !d->want_sha1)
        return;
    if (!d->streaming && d->nheld + n > DIGEST_HOLD_MAX)
        start_streaming(d);
    if (!d->streaming) {
        hold(d, p, n);
        return;
    }
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

void digest_set_final(digest_set_t *d, char *md5, char *sha1, char *sha256)
{
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    sha256[0] = 0;
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
