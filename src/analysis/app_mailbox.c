/* app_mailbox.c — see app_mailbox.h.  POP3 and IMAP differ only in their
 * parser; the messages and logins they hand out are treated alike. */
#include "analysis/app_mailbox.h"

#include "analysis/frametimes.h"
#include "analysis/mailmsg.h"
#include "core/xalloc.h"
#include "proto/imap.h"
#include "proto/pop3.h"

#include <stdlib.h>

/* One protocol's parser behind the same callbacks. */
typedef struct mailbox_proto {
    const char *source; /* files.ndjson source */
    const char *cred;   /* credential proto */
    void *(*open)(void *ctx);
    void (*resume_in_tls)(void *session);   /* NULL: nothing to skip (IMAP has no greeting state) */
    bool (*uploading)(const void *session); /* NULL: the server sends every message */
    void (*data)(void *session, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
    void (*gap)(void *session, bool is_orig, uint64_t len);
    void (*close)(void *session);
} mailbox_proto_t;

typedef struct mailbox_state {
    const an_ctx_t *ctx;
    const mailbox_proto_t *proto;
    conn_t *c;
    void *session;
    mailmsg_t *msg;
    uint64_t nmsgs;
    frametimes_t times;
    ts_ns_t now;
    uint64_t frame; /* of the bytes being fed */
    bool claimed;
} mailbox_state_t;

static void claim(mailbox_state_t *s)
{
    if (!s->claimed)
        an_claim(s->ctx, s->c);
    s->claimed = true;
}

static void on_message_begin(void *ctx, unsigned msgno, bool partial)
{
    mailbox_state_t *s = ctx;
    (void)msgno;
    claim(s);
    mailmsg_free(s->msg);
    bool up = s->proto->uploading && s->proto->uploading(s->session); /* IMAP APPEND */
    s->msg = mailmsg_new(s->ctx, s->c, s->proto->source, up, ++s->nmsgs);
    if (partial) /* POP3 TOP, IMAP BODY[]<origin.count>: the head of the message only */
        mailmsg_set_partial(s->msg, "partial_fetch");
}

static void on_message_data(void *ctx, const uint8_t *p, size_t n, uint64_t frame)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_data(s->msg, p, n, frame, frametimes_get(&s->times, frame, s->now));
}

static void on_message_gap(void *ctx, uint64_t len)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_gap(s->msg, len);
}

static void on_message_end(void *ctx, bool complete)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_end(s->msg, complete);
    mailmsg_free(s->msg);
    s->msg = NULL;
}

static void on_credential(void *ctx, const proto_cred_t *pc)
{
    mailbox_state_t *s = ctx;
    claim(s);
    an_credential(s->ctx, s->c, s->proto->cred, pc, s->now, s->frame);
}

static void on_starttls(void *ctx)
{
    (void)ctx; /* the dispatcher hands the connection to TLS at the ClientHello */
}

static const mailbox_callbacks_t mailbox_cb = {on_message_begin, on_message_data, on_message_gap,
                                               on_message_end,   on_credential,   on_starttls};

static void *pop3_open(void *ctx)
{
    return pop3_session_new(&mailbox_cb, ctx);
}
static void pop3_data(void *ss, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    pop3_session_data(ss, is_orig, p, n, frame);
}
static void pop3_gap(void *ss, bool is_orig, uint64_t len)
{
    pop3_session_gap(ss, is_orig, len);
}
static void pop3_close(void *ss)
{
    pop3_session_free(ss);
}
static void pop3_resume_in_tls(void *ss)
{
    pop3_session_resume_in_tls(ss);
}
static void *imap_open(void *ctx)
{
    return imap_session_new(&mailbox_cb, ctx);
}
static void imap_data(void *ss, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    imap_session_data(ss, is_orig, p, n, frame);
}
static void imap_gap(void *ss, bool is_orig, uint64_t len)
{
    imap_session_gap(ss, is_orig, len);
}
static void imap_close(void *ss)
{
    imap_session_free(ss);
}
static bool imap_uploading(const void *ss)
{
    return imap_session_uploading(ss);
}

static const mailbox_proto_t pop3 = {"POP3", "pop3",    pop3_open, pop3_resume_in_tls,
                                     NULL,   pop3_data, pop3_gap,  pop3_close};
static const mailbox_proto_t imap = {"IMAP",         "imap",    imap_open, NULL,
                                     imap_uploading, imap_data, imap_gap,  imap_close};

static void *mailbox_new(const an_ctx_t *ctx, conn_t *c, const mailbox_proto_t *proto)
{
    mailbox_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->proto = proto;
    s->c = c;
    s->session = proto->open(s);
    if (ctx->starttls_from && proto->resume_in_tls) /* the decrypted rest after STLS/STARTTLS */
        proto->resume_in_tls(s->session);
    return s;
}

static void *pop3_new(const an_ctx_t *ctx, conn_t *c)
{
    return mailbox_new(ctx, c, &pop3);
}

static void *imap_new(const an_ctx_t *ctx, conn_t *c)
{
    return mailbox_new(ctx, c, &imap);
}

static void mailbox_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                         ts_ns_t ts)
{
    mailbox_state_t *s = state;
    s->now = ts;
    s->frame = frame;
    frametimes_add(&s->times, frame, ts);
    s->proto->data(s->session, is_orig, p, n, frame);
}

static void mailbox_gap(void *state, bool is_orig, uint64_t len)
{
    mailbox_state_t *s = state;
    s->proto->gap(s->session, is_orig, len);
}

static void mailbox_finish(void *state)
{
    mailbox_state_t *s = state;
    s->proto->close(s->session); /* ends an open message, reports pending logins */
    mailmsg_free(s->msg);
    free(s);
}

const analyser_ops_t app_pop3_ops = {pop3_new, mailbox_data,   mailbox_gap,
                                     NULL,     mailbox_finish, NULL};
const analyser_ops_t app_imap_ops = {imap_new, mailbox_data,   mailbox_gap,
                                     NULL,     mailbox_finish, NULL};

bool app_pop3_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    return an_port_in(ctx->self->ports, c->resp_p) || (!is_orig && pop3_detect(p, n));
}

bool app_imap_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    return an_port_in(ctx->self->ports, c->resp_p) || (!is_orig && imap_detect(p, n));
}
