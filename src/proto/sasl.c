/* sasl.c — SASL PLAIN, LOGIN and CRAM-MD5 from the client's lines; see sasl.h. */
#include "sasl.h"

#include "core/xalloc.h"
#include "textline.h"
#include "transfer_decode.h"

#include <stdlib.h>
#include <string.h>

/* base64 text to a NUL-terminated string (NULs kept inside: len says how
 * much); NULL when it does not decode. */
static uint8_t *decode(cursor_t b64, size_t *len)
{
    b64 = text_trim(b64);
    if (cursor_left(&b64) > SASL_MAX_MESSAGE * 2)
        return NULL;
    uint8_t *out = xmalloc(SASL_MAX_MESSAGE * 2 + 1);
    long n = base64_decode(b64.p, cursor_left(&b64), out, SASL_MAX_MESSAGE * 2);
    if (n < 0) {
        free(out);
        return NULL;
    }
    out[n] = 0;
    *len = (size_t)n;
    return out;
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
    s->mech = text_eq_ci(&mech, "PLAIN")      ? SASL_PLAIN
              : text_eq_ci(&mech, "LOGIN")    ? SASL_LOGIN
              : text_eq_ci(&mech, "CRAM-MD5") ? SASL_CRAM_MD5
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

const char *sasl_mech_label(const sasl_t *s, bool imap)
{
    switch (s->mech) {
    case SASL_PLAIN:
        return imap ? "AUTHENTICATE PLAIN" : "AUTH PLAIN";
    case SASL_LOGIN:
        return imap ? "AUTHENTICATE LOGIN" : "AUTH LOGIN";
    case SASL_CRAM_MD5:
        return imap ? "AUTHENTICATE CRAM-MD5" : "AUTH CRAM-MD5";
    default:
        return imap ? "AUTHENTICATE" : "AUTH";
    }
}

void sasl_hold(const sasl_t *s, bool imap, cred_held_t *h)
{
    cred_hold(h, sasl_mech_label(s, imap), s->user, s->secret, s->mech == SASL_CRAM_MD5);
}

void sasl_report(const sasl_t *s, bool imap, void (*report)(void *ctx, const proto_cred_t *c),
                 void *ctx, cred_outcome_t outcome)
{
    if (!report || !s->user)
        return;
    proto_cred_t c = {sasl_mech_label(s, imap), s->user, NULL, NULL, s->secret ? s->secret : "",
                      s->mech == SASL_CRAM_MD5, outcome};
    report(ctx, &c);
}

void sasl_free(sasl_t *s)
{
    free(s->user), free(s->secret);
    memset(s, 0, sizeof *s);
}
