/* digest.c — see digest.h. */
#include "core/digest.h"

#include <stdint.h>

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

void digest_set_init(digest_set_t *d, bool md5, bool sha1)
{
    d->md5 = md5 ? digest_new(EVP_md5()) : NULL;
    d->sha1 = sha1 ? digest_new(EVP_sha1()) : NULL;
    d->sha256 = digest_new(EVP_sha256());
}

void digest_set_update(digest_set_t *d, const void *p, size_t n)
{
    EVP_MD_CTX *const all[3] = {d->md5, d->sha1, d->sha256};
    for (int i = 0; i < 3; i++)
        if (all[i])
            EVP_DigestUpdate(all[i], p, n);
}

void digest_set_final(digest_set_t *d, char *md5, char *sha1, char *sha256)
{
    digest_final_hex(d->md5, md5);
    digest_final_hex(d->sha1, sha1);
    digest_final_hex(d->sha256, sha256);
}

void digest_set_free(digest_set_t *d)
{
    EVP_MD_CTX_free(d->md5);
    EVP_MD_CTX_free(d->sha1);
    EVP_MD_CTX_free(d->sha256);
    d->md5 = d->sha1 = d->sha256 = NULL;
}
