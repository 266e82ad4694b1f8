/* pop3.c — POP3 sessions; see pop3.h. */
#include "pop3.h"

#include "core/cursor.h"
#include "core/xalloc.h"
#include "dotdata.h"
#include "sasl.h"
#include "textline.h"

#include <stdlib.h>
#include <string.h>

enum verb {
    P_OTHER,
    P_USER,
    P_PASS,
    P_APOP,
    P_AUTH,
    P_STLS,
    P_RETR,
    P_TOP,
    P_LIST,
    P_UIDL,
    P_CAPA
};

typedef struct pending {
    enum verb verb;
    bool has_arg;
    unsigned msgno;
    cred_held_t login; /* PASS, APOP, AUTH with its initial response */
} pending_t;

enum server_state { S_STATUS, S_MULTI, S_STOP };

struct pop3_session {
    const mailbox_callbacks_t *cb;
    void *ctx;
    line_reader_t lines[2];
    pending_t q[POP3_MAX_PENDING];
    unsigned nq;
    enum server_state ss;
    dotdata_t dot;
    bool message; /* the multi-line answer is a message */
    bool greeted, tls, in_auth;
    char *timestamp; /* the greeting's <...> for APOP */
    char *user, *pass, *apop_digest;
    sasl_t sasl;
    bool login_open; /* PASS/APOP/AUTH sent, answer not yet seen */
    const char *login_mech;
    uint64_t frame;
};

bool pop3_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    return text_starts_ci(&c, "+OK");
}

pop3_session_t *pop3_session_new(const mailbox_callbacks_t *cb, void *ctx)
{
    pop3_session_t *s = xcalloc(1, sizeof *s);
    s->cb = cb;
    s->ctx = ctx;
    line_reader_init(&s->lines[0], POP3_MAX_LINE);
    line_reader_init(&s->lines[1], POP3_MAX_LINE);
    return s;
}

void pop3_session_resume_in_tls(pop3_session_t *s, const char *timestamp)
{
    s->greeted = true;
    free(s->timestamp);
    s->timestamp = timestamp ? xstrdup(timestamp) : NULL;
}

const char *pop3_session_timestamp(const pop3_session_t *s)
{
    return s->timestamp;
}

bool pop3_session_tls(const pop3_session_t *s)
{
    return s->tls;
}

/* A login read after its command (AUTH answered by a challenge), or one
 * that could not be read whole, reported at its answer; USER/PASS and APOP
 * logins, whole when sent, are held with their command (snapshot_login). */
static void report_login(pop3_session_t *s, cred_outcome_t outcome)
{
    if (!s->login_open)
        return;
    s->login_open = false;
    sasl_report(&s->sasl, false, s->cb->credential, s->ctx, outcome);
}

/* What the login just sent says, kept with its command (see pending_t). */
static void snapshot_login(pop3_session_t *s, pending_t *p)
{
    if (!s->login_open)
        return;
    if (strcmp(s->login_mech, "USER/PASS") == 0 && s->user) {
        cred_hold(&p->login, "USER/PASS", s->user, s->pass, false);
    } else if (strcmp(s->login_mech, "APOP") == 0 && s->user) {
        char *sec = xasprintf("%s %s", s->timestamp ? s->timestamp : "",
                              s->apop_digest ? s->apop_digest : "");
        cred_hold(&p->login, "APOP", s->user, sec, true);
        free(sec);
    } else if (s->sasl.complete && s->sasl.user) {
        sasl_hold(&s->sasl, false, &p->login);
    } else {
        return; /* AUTH with a challenge: read on, reported at its answer (as is
                   a PASS without USER: nothing, unless an AUTH left a user) */
    }
    s->login_open = false;
}

static enum verb verb_of(const cursor_t *w)
{
    static const struct {
        const char *name;
        enum verb v;
    } verbs[] = {{"USER", P_USER}, {"PASS", P_PASS}, {"APOP", P_APOP}, {"AUTH", P_AUTH},
                 {"STLS", P_STLS}, {"RETR", P_RETR}, {"TOP", P_TOP},   {"LIST", P_LIST},
                 {"UIDL", P_UIDL}, {"CAPA", P_CAPA}};
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (text_eq_ci(w, verbs[i].name))
            return verbs[i].v;
    return P_OTHER;
}

static void command(pop3_session_t *s, cursor_t line)
{
    cursor_t w, a1, a2;
    line = text_trim(line);
    if (!text_word(&line, &w))
        return;
    cursor_t rest = text_trim(line);
    enum verb v = verb_of(&w);
    bool has1 = text_word(&line, &a1), has2 = text_word(&line, &a2);
    uint64_t no = 0;
    cursor_t k = a1;
    if (has1 && !text_uint(&k, UINT32_MAX, &no))
        no = 0;
    switch (v) {
    case P_USER:
        free(s->user);
        s->user = text_dup(&rest, POP3_MAX_LINE);
        break;
    case P_PASS:
        free(s->pass);
        s->pass = text_dup(&rest, POP3_MAX_LINE); /* passwords may hold blanks */
        s->login_open = true;
        s->login_mech = "USER/PASS";
        break;
    case P_APOP:
        if (has1 && has2) {
            free(s->user), free(s->apop_digest);
            s->user = text_dup(&a1, POP3_MAX_LINE);
            s->apop_digest = text_dup(&a2, 64);
            s->login_open = true;
            s->login_mech = "APOP";
        }
        break;
    case P_AUTH:
        if (has1) {
            sasl_free(&s->sasl);
            sasl_start(&s->sasl, a1, has2 ? a2 : cursor_make(NULL, 0));
            s->in_auth = !s->sasl.complete;
            s->login_open = true;
            s->login_mech = "AUTH";
        }
        break;
    default:
        break;
    }
    pending_t p = {v, has1, (unsigned)no, {0}};
    if (v == P_PASS || v == P_APOP || v == P_AUTH)
        snapshot_login(s, &p);
    if (s->nq < POP3_MAX_PENDING)
        s->q[s->nq++] = p;
    else
        cred_release(&p.login, s->cb->credential, s->ctx, CRED_UNKNOWN); /* no room to wait */
}

static bool multi_line(const pending_t *p)
{
    return p->verb == P_RETR || p->verb == P_TOP || p->verb == P_CAPA ||
           ((p->verb == P_LIST || p->verb == P_UIDL || p->verb == P_AUTH) && !p->has_arg);
}

static void message_sink(void *ctx, const uint8_t *p, size_t n)
{
    pop3_session_t *s = ctx;
    if (s->message && s->cb->message_data)
        s->cb->message_data(s->ctx, p, n, s->frame);
}

static void wire_sink(void *ctx, const uint8_t *p, size_t n)
{
    pop3_session_t *s = ctx;
    if (s->message)
        s->cb->message_wire(s->ctx, p, n);
}

static void greeting(pop3_session_t *s, cursor_t line)
{
    s->greeted = true;
    long lt = cursor_find(&line, '<');
    if (lt < 0)
        return;
    cursor_skip(&line, (size_t)lt);
    long gt = cursor_find(&line, '>');
    if (gt > 0) {
        line.end = line.p + gt + 1;
        s->timestamp = text_dup(&line, 256);
    }
}

static void status(pop3_session_t *s, cursor_t line)
{
    bool ok = text_starts_ci(&line, "+OK"), err = text_starts_ci(&line, "-ERR");
    if (!s->greeted && !s->nq) {
        if (ok)
            greeting(s, line);
        return;
    }
    if (text_starts_ci(&line, "+ ") || text_eq_ci(&line, "+")) { /* SASL challenge */
        cursor_t b64 = line;
        cursor_skip(&b64, 1);
        if (s->in_auth)
            sasl_server_line(&s->sasl, b64);
        return;
    }
    if ((!ok && !err) || !s->nq)
        return;
    pending_t p = s->q[0];
    memmove(s->q, s->q + 1, (s->nq - 1) * sizeof *s->q);
    s->nq--;
    if (p.verb == P_PASS || p.verb == P_APOP || p.verb == P_AUTH) {
        s->in_auth = false;
        if (p.login.mechanism)
            cred_release(&p.login, s->cb->credential, s->ctx, ok ? CRED_ACCEPTED : CRED_REJECTED);
        else
            report_login(s, ok ? CRED_ACCEPTED : CRED_REJECTED);
    }
    if (ok && p.verb == P_STLS) {
        s->tls = true;
        s->ss = S_STOP;
        if (s->cb->starttls)
            s->cb->starttls(s->ctx);
        return;
    }
    if (ok && multi_line(&p)) {
        s->ss = S_MULTI;
        s->message = p.verb == P_RETR || p.verb == P_TOP;
        dotdata_init(&s->dot, message_sink, s);
        if (s->message && s->cb->message_wire)
            dotdata_set_wire(&s->dot, wire_sink);
        if (s->message && s->cb->message_begin)
            s->cb->message_begin(s->ctx, p.msgno, p.verb == P_TOP);
    }
}

static void end_multi(pop3_session_t *s, bool complete)
{
    if (s->ss != S_MULTI)
        return;
    dotdata_flush(&s->dot);
    if (s->message && s->cb->message_end)
        s->cb->message_end(s->ctx, complete);
    s->message = false;
    s->ss = S_STATUS;
}

/* A listing (LIST, UIDL, CAPA, bare AUTH) is read line by line: only its
 * closing "." matters.  A status line while a later command waits for its
 * answer ends a listing whose server left out the "."
 * (pop3/bad-list-retr-crafted.pcap): "+OK" or "-ERR" cannot begin a
 * listing line ("N size", "N uid", a capability or mechanism name), and the
 * status answers the next command.  Message bodies (RETR, TOP) go through
 * the dot-stuffing reader instead: a message line may well read "+OK". */
static void listing_line(pop3_session_t *s, cursor_t line)
{
    if (text_eq_ci(&line, ".")) {
        end_multi(s, true);
    } else if (s->nq && (text_starts_ci(&line, "+OK") || text_starts_ci(&line, "-ERR"))) {
        end_multi(s, false);
        status(s, line);
    }
}

static void server_bytes(pop3_session_t *s, cursor_t *c)
{
    cursor_t line;
    bool overlong;
    if (s->ss == S_MULTI && s->message) {
        size_t used = dotdata_feed(&s->dot, c->p, cursor_left(c));
        cursor_skip(c, used);
        if (dotdata_done(&s->dot))
            end_multi(s, true);
        return;
    }
    if (!line_next(&s->lines[1], c, &line, &overlong))
        return;
    if (s->ss == S_MULTI)
        listing_line(s, line);
    else
        status(s, line);
}

void pop3_session_data(pop3_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    cursor_t c = cursor_make(p, n), line;
    bool overlong;
    s->frame = frame;
    if (s->tls)
        return;
    if (!is_orig) {
        while (!cursor_empty(&c) && s->ss != S_STOP)
            server_bytes(s, &c);
        return;
    }
    while (!s->tls && line_next(&s->lines[0], &c, &line, &overlong)) {
        if (s->in_auth) {
            sasl_client_line(&s->sasl, line);
            if (s->sasl.complete || s->sasl.cancelled)
                s->in_auth = false;
        } else {
            command(s, line);
        }
    }
}

void pop3_session_gap(pop3_session_t *s, bool is_orig, uint64_t len)
{
    line_reader_reset(&s->lines[is_orig ? 0 : 1]);
    if (!is_orig && s->ss == S_MULTI) {
        dotdata_gap(&s->dot);
        if (s->message && s->cb->message_gap)
            s->cb->message_gap(s->ctx, len);
    }
}

void pop3_session_free(pop3_session_t *s)
{
    if (!s)
        return;
    end_multi(s, false);
    for (unsigned i = 0; i < s->nq; i++)
        cred_release(&s->q[i].login, s->cb->credential, s->ctx, CRED_UNKNOWN);
    report_login(s, CRED_UNKNOWN);
    line_reader_free(&s->lines[0]);
    line_reader_free(&s->lines[1]);
    sasl_free(&s->sasl);
    free(s->timestamp), free(s->user), free(s->pass), free(s->apop_digest);
    free(s);
}
