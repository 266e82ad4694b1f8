/* krb5.c — Kerberos AS-REQ pre-authentication; see krb5.h. */
#include "krb5.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "imf_field.h"

#include <stdlib.h>
#include <string.h>

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02
#define DER_OCTET_STRING 0x04
#define DER_GENERAL_STRING 0x1b
#define KRB5_AS_REQ 0x6a    /* [APPLICATION 10], constructed */
#define KRB5_AS_REP 0x6b    /* [APPLICATION 11] */
#define KRB5_KRB_ERROR 0x7e /* [APPLICATION 30] */
#define KRB5_PA_ENC_TIMESTAMP 2
#define CONTEXT(n) (0xa0 | (n)) /* [n], constructed */

/* One tag-length-value with a low tag number; the value as a cursor. */
static bool der_tlv(cursor_t *c, uint8_t *tag, cursor_t *val)
{
    cursor_t k = *c;
    uint8_t t, l0, b;
    if (!cursor_u8(&k, &t) || (t & 0x1f) == 0x1f || !cursor_u8(&k, &l0))
        return false;
    size_t len = l0;
    if (l0 & 0x80) {
        unsigned nb = l0 & 0x7f;
        if (nb == 0 || nb > 4)
            return false;
        len = 0;
        for (unsigned i = 0; i < nb; i++) {
            if (!cursor_u8(&k, &b))
                return false;
            len = len << 8 | b;
        }
    }
    if (!cursor_sub(&k, len, val))
        return false;
    *tag = t;
    *c = k;
    return true;
}

/* The value of the element tagged `want` among c's elements (skipping
 * others), or false. */
static bool der_find(cursor_t c, uint8_t want, cursor_t *val)
{
    uint8_t tag;
    cursor_t v;
    while (der_tlv(&c, &tag, &v))
        if (tag == want) {
            *val = v;
            return true;
        }
    return false;
}

/* Unwrap one element of the expected tag. */
static bool der_expect(cursor_t c, uint8_t want, cursor_t *val)
{
    uint8_t tag;
    return der_tlv(&c, &tag, val) && tag == want;
}

static bool der_int(cursor_t c, int32_t *v)
{
    cursor_t i;
    uint8_t b;
    if (!der_expect(c, DER_INTEGER, &i) || cursor_empty(&i) || cursor_left(&i) > 4)
        return false;
    int64_t x = 0;
    bool first = true;
    while (cursor_u8(&i, &b)) {
        x = first ? (int8_t)b : x * 256 + b;
        first = false;
    }
    *v = (int32_t)x;
    return true;
}

static char *der_string(cursor_t c)
{
    cursor_t s;
    if (!der_expect(c, DER_GENERAL_STRING, &s))
        return NULL;
    if (cursor_left(&s) > KRB5_MAX_NAME)
        s.end = s.p + KRB5_MAX_NAME;
    return imf_clean_text(s.p, cursor_left(&s));
}

/* PrincipalName: name-string [1] SEQUENCE OF GeneralString, joined by '/'. */
static char *principal(cursor_t c)
{
    cursor_t seq, names, strings;
    if (!der_expect(c, DER_SEQUENCE, &seq) || !der_find(seq, CONTEXT(1), &names) ||
        !der_expect(names, DER_SEQUENCE, &strings))
        return NULL;
    buf_t b = BUF_INIT;
    uint8_t tag;
    cursor_t s;
    while (der_tlv(&strings, &tag, &s) && tag == DER_GENERAL_STRING && b.len < KRB5_MAX_NAME) {
        char *part = imf_clean_text(s.p, cursor_left(&s));
        if (b.len)
            buf_append_byte(&b, '/');
        buf_append_str(&b, part);
        free(part);
    }
    buf_append(&b, "", 0);
    return buf_steal(&b);
}

/* The PA-ENC-TIMESTAMP's EncryptedData among the padata. */
static bool enc_timestamp(cursor_t padata, krb5_preauth_t *out)
{
    cursor_t list, pa;
    uint8_t tag;
    if (!der_expect(padata, DER_SEQUENCE, &list))
        return false;
    while (der_tlv(&list, &tag, &pa)) {
        cursor_t type_c, value_c, value, enc, etype_c, cipher_c, cipher;
        int32_t type;
        if (tag != DER_SEQUENCE || !der_find(pa, CONTEXT(1), &type_c) || !der_int(type_c, &type) ||
            type != KRB5_PA_ENC_TIMESTAMP || !der_find(pa, CONTEXT(2), &value_c) ||
            !der_expect(value_c, DER_OCTET_STRING, &value) ||
            !der_expect(value, DER_SEQUENCE, &enc) || !der_find(enc, CONTEXT(0), &etype_c) ||
            !der_int(etype_c, &out->etype) || !der_find(enc, CONTEXT(2), &cipher_c) ||
            !der_expect(cipher_c, DER_OCTET_STRING, &cipher) ||
            cursor_left(&cipher) > KRB5_MAX_CIPHER)
            continue;
        out->cipher_len = cursor_left(&cipher);
        cursor_copy(&cipher, out->cipher, out->cipher_len);
        return true;
    }
    return false;
}

/* The message itself: past a TCP record's 4-byte length when the first
 * byte is not the message's tag. */
static cursor_t message_of(const uint8_t *p, size_t n, uint8_t tag)
{
    cursor_t c = cursor_make(p, n);
    uint8_t first;
    if (cursor_peek_u8(&c, &first) && first != tag)
        cursor_skip(&c, 4);
    return c;
}

krb5_answer_t krb5_parse_answer(const uint8_t *p, size_t n, int32_t *error_code)
{
    uint8_t first;
    cursor_t c = cursor_make(p, n), err, seq, code;
    if (cursor_peek_u8(&c, &first) && first != KRB5_AS_REP && first != KRB5_KRB_ERROR)
        cursor_skip(&c, 4);
    if (!cursor_peek_u8(&c, &first))
        return KRB5_ANSWER_OTHER;
    if (first == KRB5_AS_REP)
        return KRB5_ANSWER_AS_REP;
    if (der_expect(c, KRB5_KRB_ERROR, &err) && der_expect(err, DER_SEQUENCE, &seq) &&
        der_find(seq, CONTEXT(6), &code) && der_int(code, error_code))
        return KRB5_ANSWER_ERROR;
    return KRB5_ANSWER_OTHER;
}

bool krb5_parse_as_req(const uint8_t *p, size_t n, krb5_preauth_t *out)
{
    memset(out, 0, sizeof *out);
    cursor_t c = message_of(p, n, KRB5_AS_REQ), req, kdc, padata, body_c, body, cname_c, realm_c;
    if (!der_expect(c, KRB5_AS_REQ, &req) || !der_expect(req, DER_SEQUENCE, &kdc) ||
        !der_find(kdc, CONTEXT(3), &padata) || !der_find(kdc, CONTEXT(4), &body_c) ||
        !der_expect(body_c, DER_SEQUENCE, &body))
        return false;
    if (!enc_timestamp(padata, out))
        return false;
    if (der_find(body, CONTEXT(1), &cname_c))
        out->cname = principal(cname_c);
    if (der_find(body, CONTEXT(2), &realm_c))
        out->realm = der_string(realm_c);
    if (!out->cname || !out->realm) {
        krb5_preauth_free(out);
        return false;
    }
    return true;
}

void krb5_preauth_free(krb5_preauth_t *a)
{
    free(a->cname), free(a->realm);
    memset(a, 0, sizeof *a);
}

static void hex(buf_t *b, const uint8_t *p, size_t n)
{
    char h[2 * KRB5_MAX_CIPHER + 1];
    hex_lower(p, n, h);
    buf_append(b, h, 2 * n);
}

char *krb5_hashcat(const krb5_preauth_t *a)
{
    buf_t b = BUF_INIT;
    if (a->etype == KRB5_ETYPE_RC4_HMAC && a->cipher_len > 16) {
        /* on the wire: checksum (16) then the encrypted timestamp; hashcat
         * wants them the other way round */
        buf_printf(&b, "$krb5pa$23$%s$%s$%s%s$", a->cname, a->realm, a->realm, a->cname);
        hex(&b, a->cipher + 16, a->cipher_len - 16);
        hex(&b, a->cipher, 16);
    } else if (a->etype == KRB5_ETYPE_AES128 || a->etype == KRB5_ETYPE_AES256) {
        buf_printf(&b, "$krb5pa$%d$%s$%s$", a->etype, a->cname, a->realm);
        hex(&b, a->cipher, a->cipher_len);
    } else {
        return NULL;
    }
    return buf_steal(&b);
}
