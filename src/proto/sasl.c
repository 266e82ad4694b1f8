/* sasl.c — SASL PLAIN, LOGIN, CRAM-MD5, NTLM, XOAUTH2 and OAUTHBEARER; see sasl.h. */
#include "sasl.h"

#include "core/xalloc.h"
#include "ntlmssp.h"
#include "textline.h"
#include "transfer_decode.h"

#include <stdlib.h>
#include <string.h>

/* base64 text to a NUL-terminated string (NULs kept inside: len says how
 * much); NULL when it does not decode. */
static uint8_t *decode_max(cursor_t b64, size_t max, size_t *len)
{
    b64 = text_trim(b64);
    if (cursor_left(&b64) > max)
        return NULL;
    uint8_t *out = xmalloc(max + 1);
    long n = base64_decode(b64.p, cursor_left(&b64), out, max);
    if (n < 0) {
        free(out);
        return NULL;
    }
    out[n] = 0;
    *len = (size_t)n;
    return out;
}

static uint8_t *decode(cursor_t b64, size_t *len)
{
    return decode_max(b64, SASL_MAX_MESSAGE * 2, len);
}

/* An NTLMSSP message of type `type` in base64 text: its bytes (caller
 * frees), or NULL. */
static uint8_t *ntlm_message(cursor_t b64, unsigned type, size_t *len)
{
    uint8_t *m = decode_max(b64, SASL_MAX_NTLM * 2, len);
    if (m && ntlmssp_type(m, *len) == type)
        return m;
    free(m);
    return NULL;
}

/* The client's AUTHENTICATE: with the server's challenge, the hashcat line. */
static void ntlm_authenticate(sasl_t *s, cursor_t b64)
{
    size_t n;
    uint8_t *m = ntlm_message(b64, NTLMSSP_AUTHENTICATE, &n);
    ntlm_auth_t a;
    if (!m || !ntlmssp_parse_auth(m, n, &a)) {
        free(m);
        return;
    }
    free(m);
    s->user = xstrdup(a.user);
    s->domain = xstrdup(a.domain);
    s->host = xstrdup(a.host);
    if (s->has_challenge)
        s->secret = ntlm_hashcat(&a, s->challenge, &s->ntlm_version);
    /* an anonymous login, or one whose challenge was not seen: no line */
    s->complete = s->secret != NULL;
    ntlm_auth_free(&a);
}

bool sasl_decode_plain(cursor_t b64, char **user, char **pass)
{
    size_t n;
    uint8_t *m = decode(b64, &n);
    if (!m)
        return false;
    cursor_t c = cursor_make(m, n), authz, authc;
    long z1 = cursor_find(&c, 0);
    bool ok = z1 >= 0 && cursor_sub(&c, (size_t)z1, &authz) && cursor_skip(&c, 1);
    long z2 = ok ? cursor_find(&c, 0) : -1;
    ok = ok && z2 >= 0 && cursor_sub(&c, (size_t)z2, &authc) && cursor_skip(&c, 1);
    if (ok) {
        *user = text_dup(cursor_empty(&authc) ? &authz : &authc, SASL_MAX_MESSAGE);
        *pass = text_dup(&c, SASL_MAX_MESSAGE);
    }
    free(m);
    return ok;
}

static char *decode_text(cursor_t b64)
{
    size_t n;
    uint8_t *m = decode(b64, &n);
    if (!m)
        return NULL;
    cursor_t c = cursor_make(m, n);
    char *s = text_dup(&c, SASL_MAX_MESSAGE);
    free(m);
    return s;
}

/* The value of key=value among the \x01-separated fields of m (a cursor
 * into m), or an empty cursor. */
static cursor_t oauth_field(cursor_t m, const char *key)
{
    size_t klen = strlen(key);
    while (!cursor_empty(&m)) {
        long end = cursor_find(&m, 0x01);
        cursor_t f = cursor_make(NULL, 0);
        cursor_sub(&m, end < 0 ? cursor_left(&m) : (size_t)end, &f);
        cursor_skip(&m, end < 0 ? 0 : 1);
        if (cursor_left(&f) > klen && memcmp(f.p, key, klen) == 0 && f.p[klen] == '=') {
            cursor_skip(&f, klen + 1);
            return f;
        }
    }
    return cursor_make(NULL, 0);
}

/* A gs2 saslname (RFC 5801): "=2C" is ",", "=3D" is "=". */
static char *saslname(cursor_t c)
{
    char *out = xmalloc(cursor_left(&c) + 1);
    size_t n = 0;
    uint8_t b;
    while (cursor_u8(&c, &b)) {
        if (b == '=' && cursor_left(&c) >= 2 &&
            (memcmp(c.p, "2C", 2) == 0 || memcmp(c.p, "3D", 2) == 0)) {
            b = c.p[0] == '2' ? ',' : '=';
            cursor_skip(&c, 2);
        }
        out[n++] = (char)b;
    }
    out[n] = 0;
    return out;
}

/* The authzid of an OAUTHBEARER gs2 header ("n,a=U," — or "y,a=U," or
 * "p=...,a=U,"): the field after the first comma that starts "a=". */
static cursor_t gs2_authzid(cursor_t gs2)
{
    long comma = cursor_find(&gs2, ',');
    if (comma < 0)
        return cursor_make(NULL, 0);
    cursor_skip(&gs2, (size_t)comma + 1);
    if (cursor_left(&gs2) < 2 || gs2.p[0] != 'a' || gs2.p[1] != '=')
        return cursor_make(NULL, 0);
    cursor_skip(&gs2, 2);
    long end = cursor_find(&gs2, ',');
    cursor_t a = cursor_make(NULL, 0);
    cursor_sub(&gs2, end < 0 ? cursor_left(&gs2) : (size_t)end, &a);
    return a;
}

/* XOAUTH2 ("user=U\x01auth=Bearer T\x01\x01") or OAUTHBEARER (RFC 7628:
 * "n,a=U,\x01host=H\x01port=P\x01auth=Bearer T\x01\x01"): the user and
 * the token, kept as "Bearer T" — an access token sent in clear is a
 * credential like a password. */
static void oauth(sasl_t *s, cursor_t b64)
{
    size_t n;
    uint8_t *m = decode_max(b64, SASL_MAX_NTLM * 2, &n);
    if (!m)
        return;
    cursor_t c = cursor_make(m, n), user;
    if (s->mech == SASL_XOAUTH2) {
        user = oauth_field(c, "user");
    } else { /* the gs2 header, up to the first \x01 */
        long end = cursor_find(&c, 0x01);
        cursor_t gs2 = cursor_make(NULL, 0);
        cursor_sub(&c, end < 0 ? cursor_left(&c) : (size_t)end, &gs2);
        user = gs2_authzid(gs2);
    }
    cursor_t auth = oauth_field(c, "auth");
    if (!cursor_empty(&auth)) {
        s->user = s->mech == SASL_XOAUTH2 ? text_dup(&user, SASL_MAX_MESSAGE) : saslname(user);
        s->secret = text_dup(&auth, SASL_MAX_NTLM);
        s->complete = true;
    }
    free(m);
}

/* One client message of the exchange (initial response or a line). */
static void message(sasl_t *s, cursor_t m)
{
    s->step++;
    switch (s->mech) {
    case SASL_PLAIN:
        if (s->step == 1)
            s->complete = sasl_decode_plain(m, &s->user, &s->secret);
        return;
    case SASL_LOGIN:
        if (s->step == 1)
            s->user = decode_text(m);
        else if (s->step == 2) {
            s->secret = decode_text(m);
            s->complete = s->user && s->secret;
        }
        return;
    case SASL_XOAUTH2:
    case SASL_OAUTHBEARER: /* the first message; after a refusal an empty one */
        if (s->step == 1)
            oauth(s, m);
        return;
    case SASL_NTLM: /* NEGOTIATE, then AUTHENTICATE (RFC 4954's exchange, MS-SMTPNTLM) */
        if (!s->user)
            ntlm_authenticate(s, m);
        return;
    case SASL_CRAM_MD5:
        if (s->step == 1) {
            char *resp = decode_text(m); /* "user hexdigest" */
            char *sp = resp ? strchr(resp, ' ') : NULL;
            if (sp) {
                s->user = xstrndup(resp, (size_t)(sp - resp));
                s->secret = resp;
                s->complete = true;
            } else {
                free(resp);
            }
        }
        return;
    default:
        return;
    }
}

void sasl_start(sasl_t *s, cursor_t mech, cursor_t initial)
{
    memset(s, 0, sizeof *s);
    s->mech = text_eq_ci(&mech, "PLAIN")         ? SASL_PLAIN
              : text_eq_ci(&mech, "LOGIN")       ? SASL_LOGIN
              : text_eq_ci(&mech, "CRAM-MD5")    ? SASL_CRAM_MD5
              : text_eq_ci(&mech, "NTLM")        ? SASL_NTLM
              : text_eq_ci(&mech, "XOAUTH2")     ? SASL_XOAUTH2
              : text_eq_ci(&mech, "OAUTHBEARER") ? SASL_OAUTHBEARER
                                                 : SASL_OTHER;
    initial = text_trim(initial);
    if (text_eq_ci(&initial, "="))
        initial = cursor_make(NULL, 0), s->step = 0;
    if (!cursor_empty(&initial))
        message(s, initial);
}

void sasl_client_line(sasl_t *s, cursor_t line)
{
    line = text_trim(line);
    if (text_eq_ci(&line, "*")) {
        s->cancelled = true;
        return;
    }
    message(s, line);
}

void sasl_server_line(sasl_t *s, cursor_t b64)
{
    if (s->mech != SASL_NTLM || s->user)
        return;
    size_t n;
    uint8_t *m = ntlm_message(b64, NTLMSSP_CHALLENGE, &n);
    ntlm_challenge_t ch;
    if (m && ntlmssp_parse_challenge(m, n, &ch)) {
        memcpy(s->challenge, ch.server_challenge, sizeof s->challenge);
        s->has_challenge = true;
        ntlm_challenge_free(&ch);
    }
    free(m);
}

const char *sasl_mech_label(const sasl_t *s, bool imap)
{
    if (s->mech == SASL_NTLM && s->ntlm_version)
        return s->ntlm_version; /* as over SMB and HTTP: the hashcat mode's name */
    switch (s->mech) {
    case SASL_PLAIN:
        return imap ? "AUTHENTICATE PLAIN" : "AUTH PLAIN";
    case SASL_LOGIN:
        return imap ? "AUTHENTICATE LOGIN" : "AUTH LOGIN";
    case SASL_CRAM_MD5:
        return imap ? "AUTHENTICATE CRAM-MD5" : "AUTH CRAM-MD5";
    case SASL_NTLM: /* its challenge was not seen: no hashcat line, no NetNTLM mode */
        return imap ? "AUTHENTICATE NTLM" : "AUTH NTLM";
    case SASL_XOAUTH2:
        return imap ? "AUTHENTICATE XOAUTH2" : "AUTH XOAUTH2";
    case SASL_OAUTHBEARER:
        return imap ? "AUTHENTICATE OAUTHBEARER" : "AUTH OAUTHBEARER";
    default:
        return imap ? "AUTHENTICATE" : "AUTH";
    }
}

static bool hashed(const sasl_t *s)
{
    return s->mech == SASL_CRAM_MD5 || (s->mech == SASL_NTLM && s->secret);
}

void sasl_hold(const sasl_t *s, bool imap, cred_held_t *h)
{
    if (s->mech == SASL_NTLM)
        cred_hold_ntlm(h, sasl_mech_label(s, imap), s->user, s->domain, s->host, s->secret);
    else
        cred_hold(h, sasl_mech_label(s, imap), s->user, s->secret, hashed(s));
}

void sasl_report(const sasl_t *s, bool imap, void (*report)(void *ctx, const proto_cred_t *c),
                 void *ctx, cred_outcome_t outcome)
{
    if (!report || !s->user)
        return;
    proto_cred_t c = {sasl_mech_label(s, imap),   s->user,   s->domain, s->host,
                      s->secret ? s->secret : "", hashed(s), outcome,   0};
    report(ctx, &c);
}

void sasl_free(sasl_t *s)
{
    free(s->user), free(s->secret), free(s->domain), free(s->host);
    memset(s, 0, sizeof *s);
}
