/* smtp.c — SMTP sessions; see smtp.h. */
#include "smtp.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "dotdata.h"
#include "imf_field.h"
#include "sasl.h"
#include "textline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum client_state {
    C_CMD,  /* command lines */
    C_DATA, /* DATA: dot-stuffed message until "." */
    C_BDAT, /* BDAT: bdat_left raw bytes */
    C_AUTH, /* SASL lines until the server's final reply */
    C_STOP, /* TLS, or lost: nothing more is parsed */
};

enum verb {
    V_OTHER,
    V_HELO,
    V_MAIL,
    V_RCPT,
    V_DATA,
    V_DATA_END,
    V_BDAT,
    V_RSET,
    V_QUIT,
    V_STARTTLS,
    V_AUTH
};

typedef struct pending {
    enum verb verb;
    bool last;   /* BDAT ... LAST */
    uint64_t id; /* the transaction the command belongs to, 0: none */
} pending_t;

/* A transaction as the client's commands build it. */
typedef struct txn {
    uint64_t id;
    unsigned depth;
    char *mailfrom, *last_reply;
    char **rcpt;
    unsigned nrcpt, rcpt_dropped;
    bool has_message, message_complete;
    unsigned waiting; /* its commands still unanswered */
    bool capped;      /* reported early: SMTP_MAX_CLOSING others were waiting */
    uint64_t first_frame, last_frame;
} txn_t;

struct smtp_session {
    const smtp_callbacks_t *cb;
    void *ctx;
    line_reader_t lines[2];
    enum client_state cs;
    dotdata_t dot;
    uint64_t bdat_left;
    bool bdat_last;
    pending_t q[SMTP_MAX_PENDING];
    unsigned nq, dropped;
    /* the transaction the client's commands build, and those it ended
     * that await replies (oldest first) */
    txn_t cur;
    bool in_txn, in_message, data_bytes;
    txn_t closing[SMTP_MAX_CLOSING];
    unsigned nclosing;
    uint64_t ids;
    unsigned messages; /* answered by the server */
    unsigned capped;   /* messages of capped transactions still unanswered */
    char *helo;
    uint64_t frame;
    /* the reply being read */
    unsigned rcode;
    bool rmulti;
    /* login */
    sasl_t sasl;
    bool auth_open; /* a SASL exchange awaits the server's verdict */
    bool tls, greeted;
    bool in_tls; /* resumed inside TLS after STARTTLS: transactions are tls */
    const char *lost;
};

bool smtp_detect(const uint8_t *p, size_t n, bool is_orig)
{
    cursor_t c = cursor_make(p, n);
    if (is_orig)
        return text_starts_ci(&c, "EHLO ") || text_starts_ci(&c, "HELO ");
    uint64_t code;
    uint8_t sep = 0;
    return text_uint(&c, 999, &code) && code == 220 && cursor_u8(&c, &sep) &&
           (sep == ' ' || sep == '-');
}

smtp_session_t *smtp_session_new(const smtp_callbacks_t *cb, void *ctx)
{
    smtp_session_t *s = xcalloc(1, sizeof *s);
    s->cb = cb;
    s->ctx = ctx;
    line_reader_init(&s->lines[0], SMTP_MAX_LINE);
    line_reader_init(&s->lines[1], SMTP_MAX_LINE);
    return s;
}

void smtp_session_resume_in_tls(smtp_session_t *s)
{
    s->greeted = true;
    s->in_tls = true;
}

bool smtp_session_tls(const smtp_session_t *s)
{
    return s->tls;
}
const char *smtp_session_lost(const smtp_session_t *s)
{
    return s->lost;
}

/* ---- transactions ---- */

static smtp_txn_t txn_view(const smtp_session_t *s, const txn_t *t)
{
    return (smtp_txn_t){t->id,
                        t->depth,
                        s->helo,
                        t->mailfrom,
                        (const char *const *)t->rcpt,
                        t->nrcpt,
                        t->rcpt_dropped,
                        t->last_reply,
                        t->has_message,
                        t->message_complete,
                        s->tls || s->in_tls,
                        t->first_frame,
                        t->last_frame,
                        t->capped};
}

static void txn_free(txn_t *t)
{
    free(t->mailfrom), free(t->last_reply);
    for (unsigned i = 0; i < t->nrcpt; i++)
        free(t->rcpt[i]);
    free(t->rcpt);
    *t = (txn_t){0};
}

/* Report t and free it. */
static void txn_emit(smtp_session_t *s, txn_t *t)
{
    smtp_txn_t v = txn_view(s, t);
    if (s->cb->txn)
        s->cb->txn(s->ctx, &v);
    txn_free(t);
}

/* Report the oldest ended transaction still awaiting replies. */
static void closing_emit_first(smtp_session_t *s)
{
    txn_emit(s, &s->closing[0]);
    memmove(s->closing, s->closing + 1, (s->nclosing - 1) * sizeof *s->closing);
    s->nclosing--;
}

/* Report the ended transactions, oldest first, that have all their
 * replies. */
static void closing_flush(smtp_session_t *s)
{
    while (s->nclosing && !s->closing[0].waiting)
        closing_emit_first(s);
}

/* The transaction being built is over: reported now, or once the server
 * answered its commands (the client pipelined past it; the server's side
 * is in the capture: it has spoken). */
static void txn_report(smtp_session_t *s)
{
    if (!s->in_txn)
        return;
    s->in_txn = false;
    closing_flush(s);
    if (!s->cur.waiting || !s->greeted) {
        while (s->nclosing) /* older ones first: their replies were lost */
            closing_emit_first(s);
        txn_emit(s, &s->cur);
        return;
    }
    if (s->nclosing == SMTP_MAX_CLOSING) {
        s->closing[0].capped = s->closing[0].waiting != 0;
        s->capped += s->closing[0].capped && s->closing[0].has_message;
        closing_emit_first(s);
    }
    s->closing[s->nclosing++] = s->cur;
    s->cur = (txn_t){0};
}

/* The transaction a reply answers for: the one its command belonged to,
 * else (a reply without a command) the one being built, or NULL. */
static txn_t *txn_of(smtp_session_t *s, uint64_t id)
{
    if (s->in_txn && (!id || s->cur.id == id))
        return &s->cur;
    for (unsigned i = 0; id && i < s->nclosing; i++)
        if (s->closing[i].id == id)
            return &s->closing[i];
    return NULL;
}

/* A transaction starts with MAIL, or with data/RCPT when MAIL was missed. */
static void txn_open(smtp_session_t *s)
{
    if (s->in_txn)
        return;
    s->in_txn = true;
    s->cur = (txn_t){0};
    s->cur.id = ++s->ids;
    /* Zeek's trans_depth: messages answered so far, and those sent before
     * it whose answer is still to come, plus one */
    unsigned awaited = s->capped;
    for (unsigned i = 0; i < s->nclosing; i++)
        awaited += s->closing[i].has_message;
    s->cur.depth = s->messages + awaited + 1;
    s->cur.first_frame = s->frame;
}

static void message_begin(smtp_session_t *s)
{
    txn_open(s);
    if (s->in_message)
        return;
    s->in_message = s->cur.has_message = true;
    s->cur.message_complete = false;
    if (s->cb->message_begin) {
        txn_t t = s->cur;
        t.last_reply = NULL;
        t.last_frame = s->frame;
        smtp_txn_t v = txn_view(s, &t);
        v.message_complete = false;
        s->cb->message_begin(s->ctx, &v);
    }
}

static void message_end(smtp_session_t *s, bool complete)
{
    if (!s->in_message)
        return;
    s->in_message = false;
    s->cur.message_complete = complete;
    s->cur.last_frame = s->frame;
    if (s->cb->message_end)
        s->cb->message_end(s->ctx, complete);
}

static void message_sink(void *ctx, const uint8_t *p, size_t n)
{
    smtp_session_t *s = ctx;
    message_begin(s);
    s->data_bytes = true;
    if (s->cb->message_data)
        s->cb->message_data(s->ctx, p, n, s->frame);
}

static void wire_sink(void *ctx, const uint8_t *p, size_t n)
{
    smtp_session_t *s = ctx;
    message_begin(s);
    s->cb->message_wire(s->ctx, p, n);
}

/* ---- commands ---- */

/* Queue a command for its reply; it belongs to the transaction being
 * built, if any. */
static void push(smtp_session_t *s, enum verb v, bool last)
{
    if (s->nq == SMTP_MAX_PENDING) {
        s->dropped++;
        return;
    }
    uint64_t id = s->in_txn ? s->cur.id : 0;
    if (id)
        s->cur.waiting++;
    s->q[s->nq++] = (pending_t){v, last, id};
}

static enum verb verb_of(const cursor_t *w)
{
    static const struct {
        const char *name;
        enum verb v;
    } verbs[] = {{"HELO", V_HELO},         {"EHLO", V_HELO}, {"MAIL", V_MAIL}, {"RCPT", V_RCPT},
                 {"DATA", V_DATA},         {"BDAT", V_BDAT}, {"RSET", V_RSET}, {"QUIT", V_QUIT},
                 {"STARTTLS", V_STARTTLS}, {"AUTH", V_AUTH}};
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (text_eq_ci(w, verbs[i].name))
            return verbs[i].v;
    return V_OTHER;
}

/* "FROM:<a@b> SIZE=1" or "TO:<a@b>": the address. */
static char *path_arg(cursor_t arg, const char *keyword)
{
    text_skip_blanks(&arg);
    if (!text_eat_ci(&arg, keyword))
        return NULL;
    text_skip_blanks(&arg);
    long lt = cursor_find(&arg, '<');
    if (lt < 0) { /* no brackets: the first word */
        cursor_t w;
        return text_word(&arg, &w) ? imf_clean_text(w.p, cursor_left(&w)) : NULL;
    }
    cursor_skip(&arg, (size_t)lt + 1);
    long gt = cursor_find(&arg, '>');
    if (gt >= 0)
        arg.end = arg.p + gt;
    return imf_clean_text(arg.p, cursor_left(&arg));
}

static void bdat(smtp_session_t *s, cursor_t arg)
{
    uint64_t size;
    cursor_t w;
    text_skip_blanks(&arg);
    if (!text_uint(&arg, SMTP_MAX_BDAT_CHUNK, &size)) {
        /* the client's framing is lost: its bytes are no longer followed,
         * the server's replies still are */
        push(s, V_BDAT, false);
        s->lost = "bdat_size";
        s->cs = C_STOP;
        message_end(s, false);
        return;
    }
    bool last = text_word(&arg, &w) && text_eq_ci(&w, "LAST");
    message_begin(s);
    push(s, V_BDAT, last);
    s->bdat_left = size;
    s->bdat_last = last;
    s->cs = C_BDAT;
    if (!size) {
        s->cs = C_CMD;
        if (last)
            message_end(s, true);
    }
}

static void command(smtp_session_t *s, cursor_t line)
{
    cursor_t w, arg;
    line = text_trim(line);
    if (!text_word(&line, &w))
        return;
    arg = line;
    text_skip_blanks(&arg);
    enum verb v = verb_of(&w);
    switch (v) {
    case V_HELO:
        free(s->helo);
        s->helo = imf_clean_text(arg.p, cursor_left(&arg));
        break;
    case V_MAIL:
        txn_report(s);
        txn_open(s);
        free(s->cur.mailfrom);
        s->cur.mailfrom = path_arg(arg, "FROM:");
        break;
    case V_RCPT: {
        txn_open(s);
        char *a = path_arg(arg, "TO:");
        txn_t *t = &s->cur;
        if (a && t->nrcpt < SMTP_MAX_RCPT) {
            if (!(t->nrcpt & (t->nrcpt - 1))) /* 0, 1, 2, 4, ...: grow */
                t->rcpt = xreallocarray(t->rcpt, t->nrcpt ? 2 * t->nrcpt : 1, sizeof *t->rcpt);
            t->rcpt[t->nrcpt++] = a;
        } else if (a) {
            free(a), t->rcpt_dropped++;
        }
        break;
    }
    case V_DATA:
        s->cs = C_DATA;
        s->data_bytes = false;
        dotdata_init(&s->dot, message_sink, s);
        if (s->cb->message_wire)
            dotdata_set_wire(&s->dot, wire_sink);
        break;
    case V_BDAT:
        bdat(s, arg);
        return;
    case V_RSET:
    case V_QUIT:
        txn_report(s);
        break;
    case V_AUTH: {
        cursor_t mech;
        sasl_free(&s->sasl);
        if (!text_word(&arg, &mech))
            break;
        sasl_start(&s->sasl, mech, text_trim(arg));
        s->auth_open = true;
        s->cs = s->sasl.complete ? C_CMD : C_AUTH;
        break;
    }
    default:
        break;
    }
    push(s, v, false);
}

static void report_credential(smtp_session_t *s, cred_outcome_t outcome)
{
    if (!s->auth_open)
        return;
    s->auth_open = false;
    sasl_report(&s->sasl, false, s->cb->credential, s->ctx, outcome);
    sasl_free(&s->sasl);
}

/* ---- replies ---- */

static void pop(smtp_session_t *s)
{
    memmove(s->q, s->q + 1, (s->nq - 1) * sizeof *s->q);
    s->nq--;
}

/* The command at the head of the queue has its reply (t: the transaction
 * the reply went to); final: the reply to a message (after DATA's dot or
 * BDAT LAST), which ends its transaction. */
static void answered(smtp_session_t *s, txn_t *t, bool final)
{
    uint64_t id = s->q[0].id; /* 0: the command came outside a transaction */
    pop(s);
    if (!t)
        return;
    if (id == t->id && t->waiting)
        t->waiting--;
    if (final)
        t->waiting = 0; /* anything pipelined behind it is the next one's */
    if (t != &s->cur)
        closing_flush(s);
    else if (final)
        txn_report(s);
}

static void reply(smtp_session_t *s, unsigned code, cursor_t text)
{
    if (!s->greeted && (code == 220 || !s->nq)) { /* clients may talk before the greeting */
        s->greeted = true;
        return;
    }
    s->greeted = true;
    if (s->nq && s->q[0].verb == V_STARTTLS && code == 220)
        txn_open(s); /* a TLS session is logged as such, with this reply, as Zeek does */
    txn_t *t = txn_of(s, s->nq ? s->q[0].id : 0);
    if (t) {
        free(t->last_reply);
        char *r = imf_clean_text(text.p, cursor_left(&text));
        t->last_reply = xasprintf("%u %s", code, r);
        free(r);
    }
    if (!s->nq)
        return;
    pending_t *p = &s->q[0];
    bool final = false;
    switch (p->verb) {
    case V_AUTH:
        if (code == 334) { /* a SASL challenge: the exchange goes on */
            sasl_server_line(&s->sasl, text);
            return;
        }
        report_credential(s, code / 100 == 2 ? CRED_ACCEPTED : CRED_REJECTED);
        if (s->cs == C_AUTH)
            s->cs = C_CMD;
        break;
    case V_DATA:
        if (code == 354) {
            p->verb = V_DATA_END; /* the next reply answers the data */
            return;
        }
        if (s->cs == C_DATA && !s->data_bytes)
            s->cs = C_CMD; /* refused before any data: the client goes on with commands */
        break;
    case V_DATA_END:
        final = true;
        break;
    case V_BDAT:
        final = p->last;
        break;
    case V_STARTTLS:
        if (code == 220) {
            s->tls = true;
            s->cs = C_STOP;
            if (s->cb->starttls)
                s->cb->starttls(s->ctx);
        }
        break;
    default:
        break;
    }
    if (final) {
        s->messages++; /* accepted or refused: Zeek counts both */
        if (!t && s->capped)
            s->capped--; /* the answer to a capped transaction's message */
    }
    answered(s, t, final);
}

static void reply_line(smtp_session_t *s, cursor_t line)
{
    cursor_t k = line;
    uint64_t code;
    uint8_t sep = ' ';
    if (!text_uint(&k, 999, &code) || cursor_offset(&k) - cursor_offset(&line) != 3)
        return;
    cursor_peek_u8(&k, &sep);
    if (sep == '-') {
        s->rmulti = true;
        s->rcode = (unsigned)code;
        return;
    }
    s->rmulti = false;
    if (sep == ' ')
        cursor_skip(&k, 1);
    reply(s, (unsigned)code, text_trim(k));
}

/* ---- feeding ---- */

static void client_bytes(smtp_session_t *s, cursor_t *c)
{
    const uint8_t *p = NULL;
    cursor_t line;
    bool overlong;
    switch (s->cs) {
    case C_DATA: {
        size_t used = dotdata_feed(&s->dot, c->p, cursor_left(c));
        cursor_skip(c, used);
        if (dotdata_done(&s->dot)) {
            message_begin(s); /* an empty message is still a message */
            message_end(s, true);
            s->cs = C_CMD;
        }
        return;
    }
    case C_BDAT: {
        size_t n = cursor_left(c) < s->bdat_left ? cursor_left(c) : (size_t)s->bdat_left;
        cursor_bytes(c, n, &p);
        s->bdat_left -= n;
        if (n && s->cb->message_data)
            s->cb->message_data(s->ctx, p, n, s->frame);
        if (n && s->cb->message_wire) /* BDAT chunks are sent as they are */
            s->cb->message_wire(s->ctx, p, n);
        if (!s->bdat_left) {
            s->cs = C_CMD;
            if (s->bdat_last)
                message_end(s, true);
        }
        return;
    }
    case C_AUTH:
        if (line_next(&s->lines[0], c, &line, &overlong)) {
            cursor_t k = line, w;
            if (s->sasl.step && text_word(&k, &w) && verb_of(&w) != V_OTHER) {
                s->cs = C_CMD; /* the exchange ended unseen (one side only) */
                command(s, line);
                return;
            }
            sasl_client_line(&s->sasl, line);
            if (s->sasl.complete || s->sasl.cancelled)
                s->cs = C_CMD;
        }
        return;
    case C_CMD:
        if (line_next(&s->lines[0], c, &line, &overlong))
            command(s, line);
        return;
    case C_STOP:
        cursor_skip(c, cursor_left(c));
        return;
    }
}

void smtp_session_data(smtp_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    cursor_t c = cursor_make(p, n), line;
    bool overlong;
    s->frame = frame;
    if (s->tls || (is_orig && s->cs == C_STOP))
        return;
    if (is_orig) {
        while (!cursor_empty(&c) && s->cs != C_STOP)
            client_bytes(s, &c);
        return;
    }
    while (!s->tls && line_next(&s->lines[1], &c, &line, &overlong))
        reply_line(s, line);
}

void smtp_session_gap(smtp_session_t *s, bool is_orig, uint64_t len)
{
    line_reader_reset(&s->lines[is_orig ? 0 : 1]);
    if (!is_orig || s->cs == C_STOP)
        return;
    if (s->cs == C_DATA) {
        dotdata_gap(&s->dot);
        if (s->cb->message_gap)
            s->cb->message_gap(s->ctx, len);
    } else if (s->cs == C_BDAT) {
        uint64_t in_chunk = len < s->bdat_left ? len : s->bdat_left;
        s->bdat_left -= in_chunk;
        if (s->cb->message_gap)
            s->cb->message_gap(s->ctx, in_chunk);
        if (!s->bdat_left) {
            s->cs = C_CMD;
            if (s->bdat_last)
                message_end(s, false);
        }
    }
}

void smtp_session_free(smtp_session_t *s)
{
    if (!s)
        return;
    if (s->cs == C_DATA)
        dotdata_flush(&s->dot);
    message_end(s, false);
    report_credential(s, CRED_UNKNOWN);
    while (s->nclosing) /* their last replies are not in the capture */
        closing_emit_first(s);
    if (s->in_txn) {
        s->in_txn = false;
        txn_emit(s, &s->cur);
    }
    line_reader_free(&s->lines[0]);
    line_reader_free(&s->lines[1]);
    free(s->helo);
    free(s);
}
