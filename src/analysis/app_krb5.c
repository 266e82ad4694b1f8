/* app_krb5.c — Kerberos AS-REQ pre-authentication as credentials; see app_krb5.h. */
#include "analysis/app_krb5.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "proto/krb5.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Longest TCP record gathered whole.  An AS-REQ with pre-authentication is
 * a few hundred bytes (a few KB with FAST armor); an answer is judged by its
 * first bytes (an AS-REP by its tag), so longer records are read only up to
 * this much and the rest is skipped: a peer costs at most this per
 * direction. */
#define KRB5_MAX_TCP_RECORD 16384

typedef struct krb5_dir {
    buf_t rec;     /* TCP: the record being gathered, its length in front */
    uint64_t skip; /* TCP: bytes of an overlong record still to skip */
    bool lost;     /* TCP: a gap broke the framing; nothing more is read */
} krb5_dir_t;

typedef struct krb5_state {
    const an_ctx_t *ctx;
    conn_t *c;
    bool tcp;
    krb5_dir_t dir[2];      /* [1]: the client's */
    krb5_preauth_t pending; /* the last AS-REQ not yet answered */
    bool has_pending;
    uint64_t frame; /* the pending AS-REQ's */
    ts_ns_t ts;
} krb5_state_t;

bool app_krb5_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return an_port_in(ctx->self->ports, c->resp_p);
}

static void *krb5_new(const an_ctx_t *ctx, conn_t *c)
{
    krb5_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    s->tcp = c->proto == IPPROTO_TCP;
    return s;
}

static const char *mechanism(int32_t etype)
{
    switch (etype) {
    case KRB5_ETYPE_RC4_HMAC:
        return "AS-REQ RC4-HMAC";
    case KRB5_ETYPE_AES128:
        return "AS-REQ AES128";
    case KRB5_ETYPE_AES256:
        return "AS-REQ AES256";
    default:
        return "AS-REQ";
    }
}

/* Report the pending pre-authentication with the outcome known so far. */
static void report(krb5_state_t *s, cred_outcome_t outcome)
{
    if (!s->has_pending)
        return;
    char *line = krb5_hashcat(&s->pending);
    proto_cred_t pc = {.mechanism = mechanism(s->pending.etype),
                       .user = s->pending.cname,
                       .domain = s->pending.realm,
                       .secret = line ? line : "",
                       .secret_is_hash = line != NULL,
                       .outcome = outcome};
    an_credential(s->ctx, s->c, "kerberos", &pc, s->ts, s->frame);
    free(line);
    krb5_preauth_free(&s->pending);
    s->has_pending = false;
}

/* One whole message (a datagram, or a TCP record with its length). */
static void message(krb5_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                    ts_ns_t ts)
{
    if (is_orig) {
        krb5_preauth_t a;
        if (!krb5_parse_as_req(p, n, &a))
            return;
        report(s, CRED_UNKNOWN); /* asked again without an answer */
        s->pending = a;
        s->has_pending = true;
        s->frame = frame;
        s->ts = ts;
        return;
    }
    int32_t code = 0;
    switch (krb5_parse_answer(p, n, &code)) {
    case KRB5_ANSWER_AS_REP:
        report(s, CRED_ACCEPTED);
        break;
    case KRB5_ANSWER_ERROR:
        report(s, code == KRB5_ERR_PREAUTH_FAILED || code == KRB5_ERR_BAD_INTEGRITY ? CRED_REJECTED
                                                                                    : CRED_UNKNOWN);
        break;
    default:
        break;
    }
}

/* The record's length (the first 4 bytes of d->rec; the top bit is
 * reserved, RFC 4120 7.2.2). */
static uint32_t record_len(const krb5_dir_t *d)
{
    const uint8_t *b = d->rec.data;
    return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) & 0x7fffffffu;
}

/* How many bytes of the record d->rec should hold before it is read: its
 * length field, then the record (or its first KRB5_MAX_TCP_RECORD bytes). */
static size_t record_want(const krb5_dir_t *d)
{
    if (d->rec.len < 4)
        return 4;
    uint32_t len = record_len(d);
    return 4 + (len < KRB5_MAX_TCP_RECORD ? len : KRB5_MAX_TCP_RECORD);
}

/* TCP: gather records from the stream; each whole one (or the first
 * KRB5_MAX_TCP_RECORD bytes of a longer one) is a message. */
static void stream(krb5_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts)
{
    krb5_dir_t *d = &s->dir[is_orig];
    cursor_t c = cursor_make(p, n), piece;
    while (!d->lost && !cursor_empty(&c)) {
        if (d->skip) {
            size_t k = d->skip < cursor_left(&c) ? (size_t)d->skip : cursor_left(&c);
            cursor_skip(&c, k);
            d->skip -= k;
            continue;
        }
        size_t k = record_want(d) - d->rec.len;
        if (k > cursor_left(&c))
            k = cursor_left(&c);
        if (!cursor_sub(&c, k, &piece))
            break;
        buf_append(&d->rec, piece.p, k);
        if (d->rec.len < 4 || d->rec.len < record_want(d))
            continue;
        message(s, is_orig, d->rec.data, d->rec.len, frame, ts);
        d->skip = record_len(d) - (d->rec.len - 4);
        buf_clear(&d->rec);
    }
}

static void krb5_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    krb5_state_t *s = state;
    if (s->tcp)
        stream(s, is_orig, p, n, frame, ts);
    else
        message(s, is_orig, p, n, frame, ts);
}

static void krb5_gap(void *state, bool is_orig, uint64_t len)
{
    krb5_state_t *s = state;
    (void)len;
    s->dir[is_orig].lost = true;
}

static void krb5_finish(void *state)
{
    krb5_state_t *s = state;
    report(s, CRED_UNKNOWN);
    buf_free(&s->dir[0].rec);
    buf_free(&s->dir[1].rec);
    free(s);
}

const analyser_ops_t app_krb5_ops = {krb5_new, krb5_data, krb5_gap, NULL, krb5_finish, NULL, NULL};
