/* tls_keysched.c — TLS PRF and HKDF-Expand-Label; see tls_keysched.h. */
#include "tls_keysched.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

/* P_hash(secret, seed) of RFC 5246 5, XORed into out when xor is true (the
 * TLS 1.0 PRF combines two of them). */
static bool p_hash(const EVP_MD *md, const uint8_t *secret, size_t slen, const uint8_t *seed,
                   size_t seedlen, uint8_t *out, size_t outlen, bool xor)
{
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE], in[EVP_MAX_MD_SIZE + TLS_PRF_MAX_SEED];
    unsigned alen = 0, blen = 0;
    if (!HMAC(md, secret, (int)slen, seed, seedlen, a, &alen)) /* A(1) */
        return false;
    for (size_t done = 0; done < outlen;) {
        memcpy(in, a, alen);
        memcpy(in + alen, seed, seedlen);
        if (!HMAC(md, secret, (int)slen, in, alen + seedlen, block, &blen))
            return false;
        for (size_t i = 0; i < blen && done < outlen; i++, done++)
            out[done] = xor? out[done] ^ block[i] : block[i];
        if (!HMAC(md, secret, (int)slen, a, alen, a, &alen)) /* A(i+1) */
            return false;
    }
    return true;
}

bool tls_prf(const char *md, const uint8_t *secret, size_t slen, const char *label,
             const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
    uint8_t full[TLS_PRF_MAX_SEED];
    size_t llen = strlen(label);
    if (llen + seedlen > sizeof full)
        return false;
    memcpy(full, label, llen);
    memcpy(full + llen, seed, seedlen);
    size_t flen = llen + seedlen;
    if (!strcmp(md, "MD5-SHA1")) { /* RFC 2246 5: halves may share a middle byte */
        size_t half = (slen + 1) / 2;
        return p_hash(EVP_md5(), secret, half, full, flen, out, outlen, false) &&
               p_hash(EVP_sha1(), secret + (slen - half), half, full, flen, out, outlen, true);
    }
    const EVP_MD *m = EVP_get_digestbyname(md);
    return m && p_hash(m, secret, slen, full, flen, out, outlen, false);
}

bool tls13_expand_label(const char *md, const uint8_t *secret, size_t slen, const char *label,
                        const uint8_t *context, size_t clen, uint8_t *out, size_t outlen)
{
    const EVP_MD *m = EVP_get_digestbyname(md);
    size_t llen = 6 + strlen(label);
    if (!m || outlen > TLS13_MAX_EXPAND || clen > TLS13_MAX_EXPAND || llen > 255)
        return false;
    /* HkdfLabel: uint16 length, opaque label<7..255>, opaque context<0..255> */
    uint8_t info[2 + 1 + 255 + 1 + TLS13_MAX_EXPAND + 1];
    size_t n = 0;
    info[n++] = (uint8_t)(outlen >> 8);
    info[n++] = (uint8_t)outlen;
    info[n++] = (uint8_t)llen;
    memcpy(info + n, "tls13 ", 6);
    memcpy(info + n + 6, label, llen - 6);
    n += llen;
    info[n++] = (uint8_t)clen;
    if (clen)
        memcpy(info + n, context, clen);
    n += clen;
    /* HKDF-Expand: T(i) = HMAC(secret, T(i-1) | info | i) */
    uint8_t t[EVP_MAX_MD_SIZE], in[EVP_MAX_MD_SIZE + sizeof info];
    unsigned tlen = 0;
    for (size_t done = 0, i = 1; done < outlen; i++) {
        size_t inlen = 0;
        memcpy(in, t, tlen);
        inlen += tlen;
        memcpy(in + inlen, info, n);
        inlen += n;
        in[inlen++] = (uint8_t)i;
        if (!HMAC(m, secret, (int)slen, in, inlen, t, &tlen))
            return false;
        size_t k = outlen - done < tlen ? outlen - done : tlen;
        memcpy(out + done, t, k);
        done += k;
    }
    return true;
}
