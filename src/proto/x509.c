/* x509.c — certificate fields through OpenSSL; see x509.h. */
#include "x509.h"

#include "core/digest.h"
#include "core/xalloc.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void hexdigest(const EVP_MD *md, const uint8_t *p, size_t n, char *out)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned l = 0;
    EVP_Digest(p, n, d, &l, md, NULL);
    hex_lower(d, l, out);
}

static char *name_text(const X509_NAME *n)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return xstrdup("");
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
    char *p;
    long len = BIO_get_mem_data(b, &p);
    char *s = xstrndup(p, len > 0 ? (size_t)len : 0);
    BIO_free(b);
    return s;
}

static int64_t asn1_epoch(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return 0;
    return (int64_t)timegm(&tm);
}

static void sans(X509 *c, x509_info_t *x)
{
    GENERAL_NAMES *g = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
    if (!g)
        return;
    for (int i = 0; i < sk_GENERAL_NAME_num(g); i++) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
        if (n->type == GEN_DNS && x->nsan_dns < X509_MAX_SANS) {
            const ASN1_IA5STRING *s = n->d.dNSName;
            x->san_dns[x->nsan_dns++] = xstrndup((const char *)s->data, (size_t)s->length);
        } else if (n->type == GEN_IPADD && x->nsan_ip < X509_MAX_SANS) {
            char buf[INET6_ADDRSTRLEN] = "";
            const ASN1_OCTET_STRING *s = n->d.iPAddress;
            if (s->length == 4)
                inet_ntop(AF_INET, s->data, buf, sizeof buf);
            else if (s->length == 16)
                inet_ntop(AF_INET6, s->data, buf, sizeof buf);
            if (buf[0])
                x->san_ip[x->nsan_ip++] = xstrdup(buf);
        }
    }
    GENERAL_NAMES_free(g);
}

static void key_info(X509 *c, x509_info_t *x)
{
    EVP_PKEY *k = X509_get0_pubkey(c);
    if (!k)
        return;
    int id = EVP_PKEY_base_id(k);
    x->key_type = xstrdup(id == EVP_PKEY_RSA       ? "rsa"
                          : id == EVP_PKEY_EC      ? "ecdsa"
                          : id == EVP_PKEY_DSA     ? "dsa"
                          : id == EVP_PKEY_ED25519 ? "ed25519"
                                                   : "unknown");
    x->key_length = EVP_PKEY_bits(k);
    char cname[80];
    size_t cl = 0;
    if (id == EVP_PKEY_EC &&
        EVP_PKEY_get_utf8_string_param(k, "group", cname, sizeof cname, &cl) == 1)
        x->curve = xstrdup(cname);
    const X509_PUBKEY *pk = X509_get_X509_PUBKEY(c);
    ASN1_OBJECT *alg = NULL;
    if (pk && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, (X509_PUBKEY *)pk) && alg)
        x->key_alg = xstrdup(OBJ_nid2ln(OBJ_obj2nid(alg)));
}

bool x509_parse(const uint8_t *der, size_t len, x509_info_t *x, const char **err)
{
    memset(x, 0, sizeof *x);
    x->ca = -1;
    x->path_len = -1;
    if (len > X509_MAX_DER) {
        *err = "x509.too_large";
        return false;
    }
    const unsigned char *p = der;
    X509 *c = d2i_X509(NULL, &p, (long)len);
    if (!c) {
        *err = "x509.not_a_certificate";
        return false;
    }
    hexdigest(EVP_sha256(), der, len, x->sha256);
    hexdigest(EVP_sha1(), der, len, x->sha1);
    x->version = X509_get_version(c) + 1;
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    x->serial = xstrdup(hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    x->subject = name_text(X509_get_subject_name(c));
    x->issuer = name_text(X509_get_issuer_name(c));
    char cn[256];
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn) > 0)
        x->cn = xstrdup(cn);
    x->not_before = asn1_epoch(X509_get0_notBefore(c));
    x->not_after = asn1_epoch(X509_get0_notAfter(c));
    x->sig_alg = xstrdup(OBJ_nid2ln(X509_get_signature_nid(c)));
    key_info(c, x);
    sans(c, x);
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(c, NID_basic_constraints, NULL, NULL);
    if (bc) {
        x->ca = bc->ca ? 1 : 0;
        if (bc->pathlen)
            x->path_len = ASN1_INTEGER_get(bc->pathlen);
        BASIC_CONSTRAINTS_free(bc);
    }
    EVP_PKEY *k = X509_get0_pubkey(c);
    x->self_signed = X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) == 0 && k &&
                     X509_verify(c, k) == 1;
    X509_free(c);
    return true;
}

static bool match_one(const char *pattern, const char *name)
{
    if (strncmp(pattern, "*.", 2) == 0) {
        const char *dot = strchr(name, '.');
        return dot && strcasecmp(pattern + 1, dot) == 0;
    }
    return strcasecmp(pattern, name) == 0;
}

bool x509_matches_name(const x509_info_t *x, const char *name)
{
    for (size_t i = 0; i < x->nsan_dns; i++)
        if (match_one(x->san_dns[i], name))
            return true;
    return x->nsan_dns == 0 && x->cn && match_one(x->cn, name);
}

void x509_info_free(x509_info_t *x)
{
    free(x->serial), free(x->subject), free(x->issuer), free(x->cn);
    free(x->key_alg), free(x->sig_alg), free(x->key_type), free(x->curve);
    for (size_t i = 0; i < x->nsan_dns; i++)
        free(x->san_dns[i]);
    for (size_t i = 0; i < x->nsan_ip; i++)
        free(x->san_ip[i]);
    memset(x, 0, sizeof *x);
}
