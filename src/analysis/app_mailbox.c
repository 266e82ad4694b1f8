/* app_mailbox.c — see app_mailbox.h.  POP3 and IMAP differ only in their
 * parser; the messages and logins they hand out are treated alike. */
#include "analysis/app_mailbox.h"

#include "analysis/frametimes.h"
#include "analysis/mailmsg.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "proto/imap.h"
#include "proto/imap_body.h"
#include "proto/pop3.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One protocol's parser behind the same callbacks. */
typedef struct mailbox_proto {
    const char *source; /* files.ndjson source */
    const char *cred;   /* credential proto */
    void *(*open)(void *ctx);
    /* NULL: nothing to skip (IMAP has no greeting state); carried: what
     * carry() left before STARTTLS, or NULL */
    void (*resume_in_tls)(void *session, const char *carried);
    /* NULL: nothing to keep across STARTTLS (POP3: the APOP challenge) */
    const char *(*carry)(const void *session);
    bool (*uploading)(const void *session); /* NULL: the server sends every message */
    void (*data)(void *session, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
    void (*gap)(void *session, bool is_orig, uint64_t len);
    void (*close)(void *session);
} mailbox_proto_t;

/* IMAP header blocks fetched alone, kept to read the sections they
 * describe when those are fetched later in the session (BODY[2.MIME] then
 * BODY[2]).  A client fetches a part's header block just before the part;
 * a few recent ones per session suffice, each capped (a part's header
 * block is a few lines; imf caps a message's at IMF_MAX_HEADER_BYTES).
 * A BODYSTRUCTURE fills them too, one made-up block per leaf part (its
 * type, name and transfer encoding), for clients that fetch parts by
 * number without their header block; a block fetched for real replaces
 * a made-up one. */
#define MAILBOX_HEADER_SLOTS 32
#define MAILBOX_HEADER_MAX (16 * 1024)

typedef struct header_block {
    unsigned msgno;
    char *key; /* the section it describes: "2" for 2.MIME, "" for HEADER, "2.TEXT" for 2.HEADER */
    buf_t bytes;
    bool cut;     /* longer than MAILBOX_HEADER_MAX: not used */
    bool made_up; /* from BODYSTRUCTURE */
} header_block_t;

typedef struct mailbox_state {
    const an_ctx_t *ctx;
    const mailbox_proto_t *proto;
    conn_t *c;
    void *session;
    mailmsg_t *msg;
    header_block_t blocks[MAILBOX_HEADER_SLOTS];
    unsigned next_block;
    header_block_t *filling; /* the block the section being read fills, NULL when none */
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
    s->filling = NULL;
    bool up = s->proto->uploading && s->proto->uploading(s->session); /* IMAP APPEND */
    s->msg = mailmsg_new(s->ctx, s->c, s->proto->source, up, ++s->nmsgs);
    if (partial) /* POP3 TOP, IMAP BODY[]<origin.count>: the head of the message only */
        mailmsg_set_partial(s->msg, "partial_fetch");
}

/* An IMAP section's item split: its section ("2.MIME" of "BODY[2.MIME]<0>",
 * "TEXT" of "RFC822.TEXT"), and whether the server decoded it (BINARY). */
static char *section_of(const char *item, bool *binary)
{
    *binary = strncasecmp(item, "BINARY", 6) == 0;
    if (strcasecmp(item, "RFC822.HEADER") == 0)
        return xstrdup("HEADER");
    if (strcasecmp(item, "RFC822.TEXT") == 0)
        return xstrdup("TEXT");
    const char *open = strchr(item, '['), *close = open ? strrchr(open, ']') : NULL;
    return open && close ? xstrndup(open + 1, (size_t)(close - open - 1)) : xstrdup("");
}

/* The key of the content a header section describes ("2" for "2.MIME",
 * "" for "HEADER", "2.TEXT" for "2.HEADER"); NULL when sec is no complete
 * header block (HEADER.FIELDS lists only some fields). */
static char *described_by(const char *sec)
{
    size_t n = strlen(sec);
    if (strcasecmp(sec, "HEADER") == 0)
        return xstrdup("");
    if (n > 5 && strcasecmp(sec + n - 5, ".MIME") == 0)
        return xstrndup(sec, n - 5);
    if (n > 7 && strcasecmp(sec + n - 7, ".HEADER") == 0) {
        char *key = xasprintf("%.*s.TEXT", (int)(n - 7), sec);
        return key;
    }
    return NULL;
}

/* The content key of a section ("2", "" for TEXT, "2.TEXT"), NULL for a
 * header section. */
static char *content_key(const char *sec)
{
    if (strcasecmp(sec, "TEXT") == 0)
        return xstrdup("");
    if (strncasecmp(sec, "HEADER", 6) == 0 || strcasestr(sec, ".HEADER") ||
        strcasestr(sec, ".MIME"))
        return NULL;
    return xstrdup(sec);
}

static header_block_t *find_block(mailbox_state_t *s, unsigned msgno, const char *key)
{
    for (unsigned i = 0; i < MAILBOX_HEADER_SLOTS; i++) {
        header_block_t *b = &s->blocks[i];
        if (b->key && !b->cut && b->msgno == msgno && strcasecmp(b->key, key) == 0)
            return b;
    }
    return NULL;
}

static void drop_block(header_block_t *b)
{
    free(b->key);
    b->key = NULL;
    buf_free(&b->bytes);
    b->cut = false;
    b->made_up = false;
}

/* The slot for message msgno's block key: the one it has, else the oldest. */
static header_block_t *take_block(mailbox_state_t *s, unsigned msgno, const char *key)
{
    header_block_t *b = find_block(s, msgno, key);
    if (!b) {
        b = &s->blocks[s->next_block];
        s->next_block = (s->next_block + 1) % MAILBOX_HEADER_SLOTS;
    }
    drop_block(b);
    b->msgno = msgno;
    b->key = xstrdup(key);
    return b;
}

/* value quoted for a header parameter (or as sent, RFC 2231 form). */
static void add_param(buf_t *b, const char *name, const char *value, bool extended)
{
    if (extended) {
        buf_printf(b, "; %s*=%s", name, value);
        return;
    }
    buf_printf(b, "; %s=\"", name);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_append_byte(b, '\\');
        buf_append_byte(b, (uint8_t)*p);
    }
    buf_append_byte(b, '"');
}

typedef struct structure_ctx {
    mailbox_state_t *s;
    unsigned msgno;
} structure_ctx_t;

static void on_structure_part(void *ctx, const imap_part_t *p)
{
    structure_ctx_t *sc = ctx;
    header_block_t *real = find_block(sc->s, sc->msgno, p->section);
    if (real && !real->made_up)
        return;
    header_block_t *b = take_block(sc->s, sc->msgno, p->section);
    b->made_up = true;
    buf_printf(&b->bytes, "Content-Type: %s/%s", p->type[0] ? p->type : "text",
               p->subtype[0] ? p->subtype : "plain");
    if (p->filename[0])
        add_param(&b->bytes, "name", p->filename, p->filename_extended);
    buf_append_str(&b->bytes, "\r\n");
    if (p->encoding[0])
        buf_printf(&b->bytes, "Content-Transfer-Encoding: %s\r\n", p->encoding);
    buf_append_str(&b->bytes, "\r\n");
}

static void on_structure(void *ctx, unsigned msgno, const uint8_t *p, size_t n)
{
    mailbox_state_t *s = ctx;
    structure_ctx_t sc = {s, msgno};
    imap_bodystructure(p, n, on_structure_part, &sc);
}

static void on_section_begin(void *ctx, unsigned msgno, const char *item, bool partial)
{
    mailbox_state_t *s = ctx;
    claim(s);
    mailmsg_free(s->msg);
    s->filling = NULL;
    bool binary;
    char *sec = section_of(item, &binary);
    char *key = described_by(sec);
    const header_block_t *hb = NULL;
    if (key && !partial) /* a header block: kept for the content fetched after it */
        s->filling = take_block(s, msgno, key);
    else if (!key && !binary && !partial) { /* content: decoded when its headers came */
        char *ck = content_key(sec);
        hb = ck ? find_block(s, msgno, ck) : NULL;
        free(ck);
    }
    free(key);
    free(sec);
    s->msg = mailmsg_new_section(s->ctx, s->c, s->proto->source, ++s->nmsgs, item,
                                 hb ? hb->bytes.data : NULL, hb ? hb->bytes.len : 0);
    if (partial)
        mailmsg_set_partial(s->msg, "partial_fetch");
}

static void on_message_data(void *ctx, const uint8_t *p, size_t n, uint64_t frame)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_data(s->msg, p, n, frame, frametimes_get(&s->times, frame, s->now));
    if (s->filling) {
        if (s->filling->bytes.len + n > MAILBOX_HEADER_MAX)
            s->filling->cut = true;
        else
            buf_append(&s->filling->bytes, p, n);
    }
}

static void on_message_wire(void *ctx, const uint8_t *p, size_t n)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_wire(s->msg, p, n);
}

static void on_message_gap(void *ctx, uint64_t len)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_gap(s->msg, len);
    if (s->filling) /* a header block with a hole describes nothing reliably */
        s->filling->cut = true;
}

static void on_message_end(void *ctx, bool complete)
{
    mailbox_state_t *s = ctx;
    if (s->msg)
        mailmsg_end(s->msg, complete);
    mailmsg_free(s->msg);
    s->msg = NULL;
    if (s->filling && !complete)
        s->filling->cut = true;
    s->filling = NULL;
}

static void on_credential(void *ctx, const proto_cred_t *pc)
{
    mailbox_state_t *s = ctx;
    claim(s);
    an_credential(s->ctx, s->c, s->proto->cred, pc, s->now, s->frame);
}

/* The dispatcher hands the connection to TLS at the ClientHello; what the
 * session resumed inside it needs from here is left with the connection. */
static void on_starttls(void *ctx)
{
    mailbox_state_t *s = ctx;
    if (s->proto->carry)
        an_starttls_carry_set(s->c, s->proto->carry(s->session));
}

static const mailbox_callbacks_t mailbox_cb = {on_message_begin, on_message_data, on_message_gap,
                                               on_message_end,   on_credential,   on_starttls,
                                               on_section_begin, on_structure,    on_message_wire};

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
static void pop3_resume_in_tls(void *ss, const char *carried)
{
    pop3_session_resume_in_tls(ss, carried);
}
static const char *pop3_carry(const void *ss)
{
    return pop3_session_timestamp(ss);
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

static const mailbox_proto_t pop3 = {.source = "POP3",
                                     .cred = "pop3",
                                     .open = pop3_open,
                                     .resume_in_tls = pop3_resume_in_tls,
                                     .carry = pop3_carry,
                                     .data = pop3_data,
                                     .gap = pop3_gap,
                                     .close = pop3_close};
static const mailbox_proto_t imap = {.source = "IMAP",
                                     .cred = "imap",
                                     .open = imap_open,
                                     .uploading = imap_uploading,
                                     .data = imap_data,
                                     .gap = imap_gap,
                                     .close = imap_close};

static void *mailbox_new(const an_ctx_t *ctx, conn_t *c, const mailbox_proto_t *proto)
{
    mailbox_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->proto = proto;
    s->c = c;
    s->session = proto->open(s);
    if (ctx->starttls_from && proto->resume_in_tls) /* the decrypted rest after STLS/STARTTLS */
        proto->resume_in_tls(s->session, an_starttls_carry(c));
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
    for (unsigned i = 0; i < MAILBOX_HEADER_SLOTS; i++)
        drop_block(&s->blocks[i]);
    free(s);
}

const analyser_ops_t app_pop3_ops = {pop3_new,       mailbox_data, mailbox_gap, NULL,
                                     mailbox_finish, NULL,         NULL};
const analyser_ops_t app_imap_ops = {imap_new,       mailbox_data, mailbox_gap, NULL,
                                     mailbox_finish, NULL,         NULL};

bool app_pop3_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    return an_port_in(ctx->self->ports, c->resp_p) || (!is_orig && pop3_detect(p, n));
}

bool app_imap_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    return an_port_in(ctx->self->ports, c->resp_p) || (!is_orig && imap_detect(p, n));
}
