/* app_smtp.c — see app_smtp.h. */
#include "analysis/app_smtp.h"

#include "analysis/frametimes.h"
#include "analysis/mailmsg.h"
#include "core/xalloc.h"
#include "proto/smtp.h"

#include <stdlib.h>
#include <string.h>

/* A message until its transaction's row: the row may come after the next
 * transaction's message when the client pipelined past the server's reply
 * (smtp.h), so one per transaction still awaiting replies, and the one
 * being sent. */
#define SMTP_HELD (SMTP_MAX_CLOSING + 1)

typedef struct held {
    uint64_t txn; /* smtp_txn_t id */
    mailmsg_t *msg;
} held_t;

typedef struct smtp_state {
    const an_ctx_t *ctx;
    conn_t *c;
    smtp_session_t *ss;
    held_t held[SMTP_HELD]; /* oldest first; the last one is being sent */
    unsigned nheld;
    uint64_t nmsgs;
    frametimes_t times;
    ts_ns_t now;
    uint64_t frame; /* of the bytes being fed */
    bool claimed;
    bool lost_noted; /* the client's framing was lost, and the damage table says so */
} smtp_state_t;

/* The connection is SMTP once the parser understood something of it. */
static void claim(smtp_state_t *s)
{
    if (!s->claimed)
        an_claim(s->ctx, s->c);
    s->claimed = true;
}

/* The message being sent (message data goes to the latest one). */
static mailmsg_t *current(const smtp_state_t *s)
{
    return s->nheld ? s->held[s->nheld - 1].msg : NULL;
}

static void held_drop(smtp_state_t *s, unsigned i)
{
    mailmsg_free(s->held[i].msg); /* ends it first: its files are reported */
    memmove(s->held + i, s->held + i + 1, (s->nheld - i - 1) * sizeof *s->held);
    s->nheld--;
}

static void on_message_begin(void *ctx, const smtp_txn_t *t)
{
    smtp_state_t *s = ctx;
    claim(s);
    /* a second message in one transaction replaces the first (as the
     * transaction's row names one); a full table drops its oldest */
    if (s->nheld && (s->held[s->nheld - 1].txn == t->id || s->nheld == SMTP_HELD))
        held_drop(s, s->held[s->nheld - 1].txn == t->id ? s->nheld - 1 : 0);
    s->held[s->nheld++] = (held_t){t->id, mailmsg_new(s->ctx, s->c, "SMTP", true, ++s->nmsgs)};
}

static void on_message_data(void *ctx, const uint8_t *p, size_t n, uint64_t frame)
{
    smtp_state_t *s = ctx;
    if (current(s))
        mailmsg_data(current(s), p, n, frame, frametimes_get(&s->times, frame, s->now));
}

static void on_message_gap(void *ctx, uint64_t len)
{
    smtp_state_t *s = ctx;
    if (current(s))
        mailmsg_gap(current(s), len);
}

static void on_message_wire(void *ctx, const uint8_t *p, size_t n)
{
    smtp_state_t *s = ctx;
    if (current(s))
        mailmsg_wire(current(s), p, n);
}

static void on_message_end(void *ctx, bool complete)
{
    smtp_state_t *s = ctx;
    if (current(s))
        mailmsg_end(current(s), complete);
}

static void on_txn(void *ctx, const smtp_txn_t *t)
{
    smtp_state_t *s = ctx;
    claim(s);
    smtp_record_t r = {.ts = frametimes_get(&s->times, t->first_frame, s->now),
                       .depth = t->depth,
                       .helo = t->helo,
                       .mailfrom = t->mailfrom,
                       .rcptto = t->rcptto,
                       .nrcpt = t->nrcpt,
                       .last_reply = t->last_reply,
                       .tls = t->tls || s->ctx->decrypted, /* implicit TLS too */
                       .decrypted = s->ctx->decrypted,
                       .first_frame = t->first_frame,
                       .last_frame = t->last_frame};
    an_conn_ident(s->c, &r.conn);
    unsigned i = 0;
    while (i < s->nheld && s->held[i].txn != t->id)
        i++;
    mailmsg_t *m = i < s->nheld ? s->held[i].msg : NULL;
    if (m && t->has_message) {
        mailmsg_end(m, false);
        r.hdr = mailmsg_headers(m);
        r.fuids = mailmsg_fuids(m, &r.nfuids);
        r.eml_fuid = mailmsg_fuid(m);
    }
    s->ctx->records->smtp(s->ctx->records->ctx, &r);
    if (t->capped) /* its row was written before the server's last reply */
        damage_note(s->ctx->damage, "limit.smtp_pipelined", t->first_frame);
    if (t->rcpt_dropped) /* recipients past SMTP_MAX_RCPT: not in its rcptto */
        damage_add(s->ctx->damage, "limit.smtp_rcpt", t->rcpt_dropped, t->first_frame);
    if (m)
        held_drop(s, i);
}

static void on_credential(void *ctx, const proto_cred_t *pc)
{
    smtp_state_t *s = ctx;
    an_credential(s->ctx, s->c, "smtp", pc, s->now, s->frame);
}

static void on_starttls(void *ctx)
{
    (void)ctx; /* the dispatcher hands the connection to TLS at the ClientHello */
}

static const smtp_callbacks_t smtp_cb = {on_message_begin, on_message_data, on_message_gap,
                                         on_message_end,   on_txn,          on_credential,
                                         on_starttls,      on_message_wire};

static void *smtp_new(const an_ctx_t *ctx, conn_t *c)
{
    smtp_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    s->ss = smtp_session_new(&smtp_cb, s);
    if (ctx->starttls_from) /* the decrypted rest of a STARTTLS session */
        smtp_session_resume_in_tls(s->ss);
    return s;
}

static void smtp_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    smtp_state_t *s = state;
    s->now = ts;
    s->frame = frame;
    frametimes_add(&s->times, frame, ts);
    smtp_session_data(s->ss, is_orig, p, n, frame);
    const char *lost = s->lost_noted ? NULL : smtp_session_lost(s->ss);
    if (lost) { /* the rest of the client's bytes are not followed: counted, not silent
                 * (a damage reason is kept by pointer: a static text) */
        damage_note(s->ctx->damage,
                    strcmp(lost, "bdat_size") == 0 ? "smtp.bdat_size" : "smtp.framing_lost", frame);
        s->lost_noted = true;
    }
}

static void smtp_gap(void *state, bool is_orig, uint64_t len)
{
    smtp_state_t *s = state;
    smtp_session_gap(s->ss, is_orig, len);
}

static void smtp_finish(void *state)
{
    smtp_state_t *s = state;
    smtp_session_free(s->ss); /* reports the open transactions */
    while (s->nheld)
        held_drop(s, 0);
    free(s);
}

const analyser_ops_t app_smtp_ops = {smtp_new, smtp_data, smtp_gap, NULL, smtp_finish, NULL, NULL};

bool app_smtp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    return an_port_in(ctx->self->ports, c->resp_p) || (is_orig && smtp_detect(p, n, true));
}
