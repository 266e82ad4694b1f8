/* ntlmssp.c — NTLM messages and their hashcat form; see ntlmssp.h. */
#include "ntlmssp.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "textline.h"
#include "transfer_decode.h"
#include "utf16.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

long ntlmssp_find(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    long at;
    while ((at = cursor_find(&c, 'N')) >= 0) {
        cursor_skip(&c, (size_t)at);
        cursor_t k = c;
        uint8_t sig[8];
        if (!cursor_copy(&k, sig, 8))
            return -1;
        if (memcmp(sig, signature, 8) == 0)
            return (long)cursor_offset(&c);
        cursor_skip(&c, 1);
    }
    return -1;
}

unsigned ntlmssp_type(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t sig[8];
    uint32_t type;
    if (!cursor_copy(&c, sig, 8) || memcmp(sig, signature, 8) != 0 || !cursor_u32le(&c, &type))
        return 0;
    return type >= 1 && type <= 3 ? type : 0;
}

/* A (length, max length, offset) field and the bytes it points to. */
static bool field(cursor_t *hdr, const uint8_t *msg, size_t n, cursor_t *out, bool *damaged)
{
    uint16_t len, max;
    uint32_t off;
    if (!cursor_u16le(hdr, &len) || !cursor_u16le(hdr, &max) || !cursor_u32le(hdr, &off))
        return false;
    cursor_t all = cursor_make(msg, n);
    *out = cursor_make(NULL, 0);
    if (!len)
        return true;
    if (!cursor_seek(&all, off) || !cursor_sub(&all, len, out)) {
        *damaged = true;
        *out = cursor_make(NULL, 0);
    }
    return true;
}

static char *name(cursor_t c, bool unicode)
{
    return utf16_to_utf8(c, unicode, NTLMSSP_MAX_NAME);
}

bool ntlmssp_parse_challenge(const uint8_t *p, size_t n, ntlm_challenge_t *out)
{
    memset(out, 0, sizeof *out);
    if (ntlmssp_type(p, n) != NTLMSSP_CHALLENGE)
        return false;
    cursor_t c = cursor_make(p, n), target;
    bool damaged = false;
    cursor_skip(&c, 12);
    if (!field(&c, p, n, &target, &damaged) || !cursor_u32le(&c, &out->flags) ||
        !cursor_copy(&c, out->server_challenge, 8))
        return false;
    if (cursor_left(&target))
        out->target = name(target, out->flags & NTLMSSP_FLAG_UNICODE);
    return true;
}

static uint8_t *copy(cursor_t c, size_t *len)
{
    *len = cursor_left(&c);
    if (!*len || *len > NTLMSSP_MAX_RESPONSE) {
        *len = 0;
        return NULL;
    }
    uint8_t *b = xmalloc(*len);
    cursor_copy(&c, b, *len);
    return b;
}

bool ntlmssp_parse_auth(const uint8_t *p, size_t n, ntlm_auth_t *out)
{
    memset(out, 0, sizeof *out);
    if (ntlmssp_type(p, n) != NTLMSSP_AUTHENTICATE)
        return false;
    cursor_t c = cursor_make(p, n), lm, nt, dom, user, host, key;
    cursor_skip(&c, 12);
    bool d = false;
    if (!field(&c, p, n, &lm, &d) || !field(&c, p, n, &nt, &d) || !field(&c, p, n, &dom, &d) ||
        !field(&c, p, n, &user, &d) || !field(&c, p, n, &host, &d) || !field(&c, p, n, &key, &d))
        return false;
    if (!cursor_u32le(&c, &out->flags))
        out->flags = NTLMSSP_FLAG_UNICODE; /* pre-NTLMv2 short form: assume Unicode */
    bool uni = out->flags & NTLMSSP_FLAG_UNICODE;
    out->user = name(user, uni);
    out->domain = name(dom, uni);
    out->host = name(host, uni);
    out->lm = copy(lm, &out->lm_len);
    out->nt = copy(nt, &out->nt_len);
    out->damaged = d;
    return true;
}

long ntlmssp_http_token(const char *value, uint8_t *out, size_t cap)
{
    if (!value)
        return -1;
    cursor_t c = cursor_make((const uint8_t *)value, strlen(value));
    text_skip_blanks(&c);
    if (!text_eat_ci(&c, "NTLM ") && !text_eat_ci(&c, "Negotiate "))
        return -1;
    cursor_t b64 = text_trim(c);
    long n = base64_decode(b64.p, cursor_left(&b64), out, cap);
    if (n <= 0)
        return -1;
    long at = ntlmssp_find(out, (size_t)n); /* Negotiate wraps it in SPNEGO */
    if (at < 0)
        return -1;
    memmove(out, out + at, (size_t)(n - at));
    return n - at;
}

void ntlm_challenge_free(ntlm_challenge_t *c)
{
    free(c->target);
    memset(c, 0, sizeof *c);
}

void ntlm_auth_free(ntlm_auth_t *a)
{
    free(a->user), free(a->domain), free(a->host), free(a->lm), free(a->nt);
    memset(a, 0, sizeof *a);
}

static void hex(buf_t *b, const uint8_t *p, size_t n)
{
    char *h = xmalloc(2 * n + 1);
    hex_lower(p, n, h);
    buf_append(b, h, 2 * n);
    free(h);
}

char *ntlm_hashcat(const ntlm_auth_t *a, const uint8_t server_challenge[8], const char **mechanism)
{
    if (!a->user || !*a->user || !a->nt_len)
        return NULL;
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s::%s:", a->user, a->domain ? a->domain : "");
    if (a->nt_len > 24) {
        *mechanism = "NetNTLMv2";
        hex(&b, server_challenge, 8);
        buf_append_byte(&b, ':');
        hex(&b, a->nt, 16);
        buf_append_byte(&b, ':');
        hex(&b, a->nt + 16, a->nt_len - 16);
    } else if (a->nt_len == 24) {
        *mechanism = "NetNTLMv1";
        if (a->lm_len == 24)
            hex(&b, a->lm, 24);
        buf_append_byte(&b, ':');
        hex(&b, a->nt, 24);
        buf_append_byte(&b, ':');
        hex(&b, server_challenge, 8);
    } else {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}
