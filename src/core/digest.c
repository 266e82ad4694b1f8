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

void digest_final_hex(EVP_MD_CTX *c, char *out)
{
    static const char h[] = "0123456789abcdef";
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    out[0] = 0;
    if (!c || !EVP_DigestFinal_ex(c, d, &n))
        return;
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = h[d[i] >> 4];
        out[2 * i + 1] = h[d[i] & 15];
    }
    out[2 * n] = 0;
}
