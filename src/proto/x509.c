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

/* A name as RFC 2253 text; "" (and the flaw) when it has no entries. */
static char *name_text(const X509_NAME *n, x509_info_t *x, unsigned empty_flaw)
{
    if (!n || X509_NAME_entry_count(n) == 0) {
        x->flaws |= empty_flaw;
        return xstrdup("");
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return xstrdup("");
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
    char *p = NULL;
    long len = BIO_get_mem_data(b, &p);
    char *s = p && len > 0 ? xstrndup(p, (size_t)len) : xstrdup("");
    BIO_free(b);
    return s;
}

/* OpenSSL's long name of an algorithm, or its dotted OID when OpenSSL does
 * not know it (as Zeek prints it, via i2a_ASN1_OBJECT); NULL if unreadable. */
static char *object_text(const ASN1_OBJECT *o)
{
    char buf[128];
    if (!o || OBJ_obj2txt(buf, sizeof buf, o, 0) <= 0)
        return NULL;
    return xstrdup(buf);
}

/* Epoch seconds of t into *out; false when it is not a readable time. */
static bool asn1_epoch(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static void serial(X509 *c, x509_info_t *x)
{
    const ASN1_INTEGER *i = X509_get0_serialNumber(c);
    BIGNUM *bn = i ? ASN1_INTEGER_to_BN(i, NULL) : NULL;
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex)
        x->serial = xstrdup(hex);
    else
        x->flaws |= X509_FLAW_SERIAL;
    if (bn && BN_is_negative(bn))
        x->flaws |= X509_FLAW_SERIAL_NEGATIVE;
    OPENSSL_free(hex);
    BN_free(bn);
}

/* An extension's parsed form; flaw when present (once or more) but not
 * readable.  NULL when absent or unreadable. */
static void *extension(X509 *c, int nid, x509_info_t *x, unsigned flaw)
{
    int crit = -1;
    void *e = X509_get_ext_d2i(c, nid, &crit, NULL);
    if (!e && crit != -1)
        x->flaws |= flaw;
    return e;
}

static void san_one(const GENERAL_NAME *n, x509_info_t *x)
{
    if (n->type == GEN_DNS) {
        if (x->nsan_dns == X509_MAX_SANS) {
            x->flaws |= X509_FLAW_SAN_LIMIT;
            return;
        }
        const ASN1_IA5STRING *s = n->d.dNSName;
        x->san_dns[x->nsan_dns++] =
            s && s->data ? xstrndup((const char *)s->data, (size_t)s->length) : xstrdup("");
    } else if (n->type == GEN_IPADD) {
        char buf[INET6_ADDRSTRLEN] = "";
        const ASN1_OCTET_STRING *s = n->d.iPAddress;
        if (s && s->data && s->length == 4)
            inet_ntop(AF_INET, s->data, buf, sizeof buf);
        else if (s && s->data && s->length == 16)
            inet_ntop(AF_INET6, s->data, buf, sizeof buf);
        if (!buf[0])
            x->flaws |= X509_FLAW_SAN_IP;
        else if (x->nsan_ip == X509_MAX_SANS)
            x->flaws |= X509_FLAW_SAN_LIMIT;
        else
            x->san_ip[x->nsan_ip++] = xstrdup(buf);
    }
}

static void sans(X509 *c, x509_info_t *x)
{
    GENERAL_NAMES *g = extension(c, NID_subject_alt_name, x, X509_FLAW_SAN);
    if (!g)
        return;
    for (int i = 0; i < sk_GENERAL_NAME_num(g); i++)
        san_one(sk_GENERAL_NAME_value(g, i), x);
    GENERAL_NAMES_free(g);
}

static void key_info(X509 *c, x509_info_t *x)
{
    X509_PUBKEY *pk = X509_get_X509_PUBKEY(c);
    ASN1_OBJECT *alg = NULL;
    if (pk && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pk))
        x->key_alg = object_text(alg);
    EVP_PKEY *k = X509_get0_pubkey(c);
    if (!k) {
        x->flaws |= X509_FLAW_KEY;
        return;
    }
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
}

static void validity(X509 *c, x509_info_t *x)
{
    if (!asn1_epoch(X509_get0_notBefore(c), &x->not_before))
        x->flaws |= X509_FLAW_NOT_BEFORE;
    if (!asn1_epoch(X509_get0_notAfter(c), &x->not_after))
        x->flaws |= X509_FLAW_NOT_AFTER;
}

static void basic_constraints(X509 *c, x509_info_t *x)
{
    BASIC_CONSTRAINTS *bc = extension(c, NID_basic_constraints, x, X509_FLAW_BASIC_CONSTRAINTS);
    if (!bc)
        return;
    x->ca = bc->ca ? 1 : 0;
    if (bc->pathlen)
        x->path_len = ASN1_INTEGER_get(bc->pathlen);
    BASIC_CONSTRAINTS_free(bc);
}

bool x509_parse(const uint8_t *der, size_t len, x509_info_t *x, const char **err)
{
    memset(x, 0, sizeof *x);
    x->ca = -1;
    x->path_len = -1;
    hexdigest(EVP_sha256(), der, len, x->sha256);
    hexdigest(EVP_sha1(), der, len, x->sha1);
    if (len > X509_MAX_DER) {
        x->flaws = X509_FLAW_TOO_LARGE;
        *err = "x509.too_large";
        return false;
    }
    const unsigned char *p = der;
    X509 *c = d2i_X509(NULL, &p, (long)len);
    if (!c) {
        x->flaws = X509_FLAW_UNREADABLE;
        *err = "x509.not_a_certificate";
        return false;
    }
    x->version = X509_get_version(c) + 1;
    serial(c, x);
    x->subject = name_text(X509_get_subject_name(c), x, X509_FLAW_SUBJECT_EMPTY);
    x->issuer = name_text(X509_get_issuer_name(c), x, X509_FLAW_ISSUER_EMPTY);
    char cn[256];
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn) > 0)
        x->cn = xstrdup(cn);
    validity(c, x);
    const X509_ALGOR *sig = NULL;
    X509_get0_signature(NULL, &sig, c);
    const ASN1_OBJECT *sig_oid = NULL;
    if (sig)
        X509_ALGOR_get0(&sig_oid, NULL, NULL, sig);
    x->sig_alg = object_text(sig_oid);
    key_info(c, x);
    sans(c, x);
    basic_constraints(c, x);
    EVP_PKEY *k = X509_get0_pubkey(c);
    x->self_signed = X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) == 0 && k &&
                     X509_verify(c, k) == 1;
    X509_free(c);
    return true;
}

static const struct {
    unsigned flaw;
    const char *text;
} flaw_texts[] = {
    {X509_FLAW_UNREADABLE, "not a certificate OpenSSL can read"},
    {X509_FLAW_TOO_LARGE, "larger than the 64 KiB parsed"},
    {X509_FLAW_SERIAL, "serial unreadable"},
    {X509_FLAW_SERIAL_NEGATIVE, "serial negative"},
    {X509_FLAW_SUBJECT_EMPTY, "subject empty"},
    {X509_FLAW_ISSUER_EMPTY, "issuer empty"},
    {X509_FLAW_NOT_BEFORE, "not_valid_before unreadable"},
    {X509_FLAW_NOT_AFTER, "not_valid_after unreadable"},
    {X509_FLAW_KEY, "public key not decoded"},
    {X509_FLAW_SAN, "subjectAltName unreadable"},
    {X509_FLAW_SAN_IP, "san.ip entry malformed"},
    {X509_FLAW_SAN_LIMIT, "more than 64 SANs of a kind (rest not listed)"},
    {X509_FLAW_BASIC_CONSTRAINTS, "basicConstraints unreadable"},
};

const char *x509_flaws_text(unsigned flaws, char *out, size_t size)
{
    size_t at = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof flaw_texts / sizeof *flaw_texts; i++) {
        if (!(flaws & flaw_texts[i].flaw) || at >= size)
            continue;
        int n = snprintf(out + at, size - at, "%s%s", at ? "; " : "", flaw_texts[i].text);
        if (n > 0)
            at += (size_t)n;
    }
    return out;
}

bool x509_expired_at(const x509_info_t *x, int64_t now)
{
    if (x->flaws & (X509_FLAW_UNREADABLE | X509_FLAW_TOO_LARGE))
        return false;
    bool after = !(x->flaws & X509_FLAW_NOT_AFTER) && now > x->not_after;
    bool before = !(x->flaws & X509_FLAW_NOT_BEFORE) && now < x->not_before;
    return after || before;
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

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void x509_info_copy(x509_info_t *dst, const x509_info_t *src)
{
    *dst = *src;
    dst->serial = dup_or_null(src->serial);
    dst->subject = dup_or_null(src->subject);
    dst->issuer = dup_or_null(src->issuer);
    dst->cn = dup_or_null(src->cn);
    dst->key_alg = dup_or_null(src->key_alg);
    dst->sig_alg = dup_or_null(src->sig_alg);
    dst->key_type = dup_or_null(src->key_type);
    dst->curve = dup_or_null(src->curve);
    for (size_t i = 0; i < src->nsan_dns; i++)
        dst->san_dns[i] = xstrdup(src->san_dns[i]);
    for (size_t i = 0; i < src->nsan_ip; i++)
        dst->san_ip[i] = xstrdup(src->san_ip[i]);
}

/* ---- the parse cache ---- */

typedef struct cached {
    uint8_t key[32]; /* SHA-256 of the DER */
    x509_info_t x;
    bool ok;
    const char *err;
} cached_t;

struct x509_cache {
    cached_t *v; /* open addressing on key, X509_CACHE_SLOTS */
    bool *used;
    size_t n;
};

x509_cache_t *x509_cache_new(void)
{
    x509_cache_t *c = xcalloc(1, sizeof *c);
    c->v = xcalloc(X509_CACHE_SLOTS, sizeof *c->v);
    c->used = xcalloc(X509_CACHE_SLOTS, sizeof *c->used);
    return c;
}

static void cache_clear(x509_cache_t *c)
{
    for (size_t i = 0; i < X509_CACHE_SLOTS; i++)
        if (c->used[i]) {
            x509_info_free(&c->v[i].x);
            c->used[i] = false;
        }
    c->n = 0;
}

void x509_cache_free(x509_cache_t *c)
{
    if (!c)
        return;
    cache_clear(c);
    free(c->v);
    free(c->used);
    free(c);
}

bool x509_parse_cached(x509_cache_t *c, const uint8_t *der, size_t len, x509_info_t *out,
                       const char **err)
{
    if (!c)
        return x509_parse(der, len, out, err);
    uint8_t key[32];
    unsigned klen = 0;
    EVP_Digest(der, len, key, &klen, EVP_sha256(), NULL);
    size_t i;
    memcpy(&i, key, sizeof i);
    for (i &= X509_CACHE_SLOTS - 1; c->used[i]; i = (i + 1) & (X509_CACHE_SLOTS - 1))
        if (memcmp(c->v[i].key, key, sizeof key) == 0) {
            x509_info_copy(out, &c->v[i].x);
            *err = c->v[i].err;
            return c->v[i].ok;
        }
    bool ok = x509_parse(der, len, out, err);
    if (c->n >= X509_CACHE_SLOTS / 2) { /* full: start again (the parse is what it saves) */
        cache_clear(c);
        memcpy(&i, key, sizeof i);
        i &= X509_CACHE_SLOTS - 1;
    }
    cached_t *e = &c->v[i];
    memcpy(e->key, key, sizeof key);
    x509_info_copy(&e->x, out);
    e->ok = ok;
    e->err = ok ? NULL : *err;
    c->used[i] = true;
    c->n++;
    return ok;
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
