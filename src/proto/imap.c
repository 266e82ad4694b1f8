/* imap.c — IMAP sessions; see imap.h. */
#include "imap.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "sasl.h"
#include "textline.h"

#include <stdlib.h>
#include <string.h>

enum kind { K_OTHER, K_LOGIN, K_AUTH, K_STARTTLS };

typedef struct pending {
    char tag[32];
    enum kind kind;
    cred_held_t login; /* LOGIN, AUTHENTICATE with its initial response */
} pending_t;

typedef struct client {
    line_reader_t lines;
    buf_t tok[IMAP_MAX_TOKENS];
    unsigned ntok;
    uint64_t literal_left; /* bytes of a literal still to come */
    uint64_t literal_size; /* ... of how many */
    bool literal_kept;     /* ... gathered into a token (small) or skipped */
    bool upload;           /* ... a message the client APPENDs, handed out */
    bool upload_open;      /* ... from its first byte (message_begin called) */
    bool in_auth;          /* SASL lines until the tagged answer */
} client_t;

typedef struct server {
    line_reader_t lines;
    uint64_t literal_left;
    bool message;         /* the literal being read is a message or a section of one */
    unsigned fetch_msgno; /* of the FETCH response being read */
} server_t;

struct imap_session {
    const mailbox_callbacks_t *cb;
    void *ctx;
    client_t c;
    server_t s;
    pending_t q[IMAP_MAX_PENDING];
    unsigned nq;
    char *user, *pass;
    sasl_t sasl;
    char login_tag[32];
    enum kind login_kind;
    bool login_open, tls;
    uint64_t frame;
};

bool imap_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    return text_starts_ci(&c, "* OK") || text_starts_ci(&c, "* PREAUTH");
}

imap_session_t *imap_session_new(const mailbox_callbacks_t *cb, void *ctx)
{
    imap_session_t *s = xcalloc(1, sizeof *s);
    s->cb = cb;
    s->ctx = ctx;
    line_reader_init(&s->c.lines, IMAP_MAX_LINE);
    line_reader_init(&s->s.lines, IMAP_MAX_LINE);
    return s;
}

bool imap_session_tls(const imap_session_t *s)
{
    return s->tls;
}

bool imap_session_uploading(const imap_session_t *s)
{
    return s->c.upload;
}

/* "{N}", "{N+}" or "~{N}" at the end of a line: N. */
static bool trailing_literal(cursor_t line, uint64_t *n, cursor_t *before)
{
    line = text_trim(line);
    if (!cursor_left(&line) || line.end[-1] != '}')
        return false;
    cursor_t k = line;
    long open = -1, at;
    while ((at = cursor_find(&k, '{')) >= 0) { /* the last '{' */
        open = (long)(k.p - line.p) + at;
        cursor_skip(&k, (size_t)at + 1);
    }
    if (open < 0)
        return false;
    k = line;
    /* "~{N}" is a literal8 (RFC 3516: BINARY's answer, any octets) */
    bool eight = open > 0 && line.p[open - 1] == '~';
    cursor_sub(&k, (size_t)open - (eight ? 1 : 0), before);
    cursor_skip(&k, eight ? 2 : 1);
    if (!text_uint(&k, UINT32_MAX, n))
        return false;
    text_eat_ci(&k, "+");
    return text_eq_ci(&k, "}");
}

/* ---- client ---- */

static void add_token(client_t *c, const uint8_t *p, size_t n)
{
    if (c->ntok < IMAP_MAX_TOKENS) {
        buf_clear(&c->tok[c->ntok]);
        buf_append(&c->tok[c->ntok], p, n);
    }
    c->ntok++;
}

/* Atoms and quoted strings of a line segment. */
static void tokenise(client_t *c, cursor_t seg)
{
    uint8_t b = 0;
    for (;;) {
        text_skip_blanks(&seg);
        if (!cursor_peek_u8(&seg, &b))
            return;
        if (b == '"') {
            buf_t q = BUF_INIT;
            cursor_skip(&seg, 1);
            while (cursor_u8(&seg, &b) && b != '"') {
                if (b == '\\' && !cursor_u8(&seg, &b))
                    break;
                buf_append_byte(&q, b);
            }
            add_token(c, q.data ? q.data : (const uint8_t *)"", q.len);
            buf_free(&q);
            continue;
        }
        cursor_t w;
        text_word(&seg, &w);
        add_token(c, w.p, cursor_left(&w));
    }
}

static bool tok_is(const client_t *c, unsigned i, const char *s)
{
    if (i >= c->ntok || i >= IMAP_MAX_TOKENS)
        return false;
    cursor_t t = cursor_make(c->tok[i].data, c->tok[i].len);
    return text_eq_ci(&t, s);
}

static char *tok_dup(const client_t *c, unsigned i)
{
    cursor_t t = cursor_make(c->tok[i].data, c->tok[i].len);
    return text_dup(&t, IMAP_MAX_CLIENT_LITERAL);
}

/* What the login just sent says, kept with its command (see pending_t). */
static void snapshot_login(imap_session_t *s, pending_t *p)
{
    if (!s->login_open)
        return;
    if (s->login_kind == K_LOGIN && s->user)
        cred_hold(&p->login, "LOGIN", s->user, s->pass, false);
    else if (s->login_kind == K_AUTH && s->sasl.complete && s->sasl.user)
        sasl_hold(&s->sasl, true, &p->login);
    else
        return; /* AUTHENTICATE with a challenge: read on, reported at its answer */
    s->login_open = false;
}

static void push(imap_session_t *s, enum kind k)
{
    pending_t p = {"", k, {0}};
    if (k == K_LOGIN || k == K_AUTH)
        snapshot_login(s, &p);
    if (s->nq == IMAP_MAX_PENDING || !s->c.ntok) {
        cred_release(&p.login, s->cb->credential, s->ctx, CRED_UNKNOWN); /* no room to wait */
        return;
    }
    size_t n = s->c.tok[0].len < sizeof p.tag - 1 ? s->c.tok[0].len : sizeof p.tag - 1;
    memcpy(p.tag, s->c.tok[0].data, n);
    p.tag[n] = 0;
    s->q[s->nq++] = p;
}

/* A whole client command (all its literals read). */
static void command(imap_session_t *s)
{
    client_t *c = &s->c;
    enum kind k = K_OTHER;
    if (tok_is(c, 1, "LOGIN") && c->ntok >= 4) {
        free(s->user), free(s->pass);
        s->user = tok_dup(c, 2);
        s->pass = tok_dup(c, 3);
        k = K_LOGIN;
    } else if (tok_is(c, 1, "AUTHENTICATE") && c->ntok >= 3) {
        sasl_free(&s->sasl);
        cursor_t mech = cursor_make(c->tok[2].data, c->tok[2].len);
        cursor_t ir =
            c->ntok >= 4 ? cursor_make(c->tok[3].data, c->tok[3].len) : cursor_make(NULL, 0);
        sasl_start(&s->sasl, mech, ir);
        c->in_auth = !s->sasl.complete;
        k = K_AUTH;
    } else if (tok_is(c, 1, "STARTTLS")) {
        k = K_STARTTLS;
    }
    if (k == K_LOGIN || k == K_AUTH) {
        s->login_open = true;
        s->login_kind = k;
    }
    push(s, k);
    c->ntok = 0;
}

static void client_line(imap_session_t *s, cursor_t line)
{
    client_t *c = &s->c;
    if (c->in_auth) {
        sasl_client_line(&s->sasl, line);
        if (s->sasl.complete || s->sasl.cancelled)
            c->in_auth = false;
        return;
    }
    uint64_t n;
    cursor_t before;
    if (trailing_literal(line, &n, &before)) {
        tokenise(c, before);
        c->literal_left = c->literal_size = n;
        /* APPEND mailbox [flags] [date] {N}: the literal is a message */
        c->upload = n && tok_is(c, 1, "APPEND") && c->ntok >= 3 && s->cb->message_begin;
        c->literal_kept = !c->upload && n <= IMAP_MAX_CLIENT_LITERAL && c->ntok < IMAP_MAX_TOKENS;
        if (c->literal_kept) {
            buf_clear(&c->tok[c->ntok]);
            c->ntok++;
        } else {
            add_token(c, (const uint8_t *)"", 0);
        }
        if (!n)
            return;
        return;
    }
    tokenise(c, line);
    command(s);
}

/* An APPEND's message starts with its first byte (a server may refuse the
 * command before the literal is sent) and ends with the literal. */
static void begin_upload(imap_session_t *s)
{
    if (s->c.upload && !s->c.upload_open) {
        s->c.upload_open = true;
        s->cb->message_begin(s->ctx, 0, false);
    }
}

static void end_upload(imap_session_t *s, bool complete)
{
    bool open = s->c.upload_open;
    s->c.upload = s->c.upload_open = false;
    if (open && s->cb->message_end)
        s->cb->message_end(s->ctx, complete);
}

static void client_bytes(imap_session_t *s, cursor_t *cur)
{
    client_t *c = &s->c;
    if (c->literal_left) {
        size_t n = cursor_left(cur) < c->literal_left ? cursor_left(cur) : (size_t)c->literal_left;
        const uint8_t *p = NULL;
        cursor_bytes(cur, n, &p);
        if (c->literal_kept && c->ntok && c->ntok <= IMAP_MAX_TOKENS)
            buf_append(&c->tok[c->ntok - 1], p, n);
        c->literal_left -= n;
        begin_upload(s);
        if (c->upload && n && s->cb->message_data)
            s->cb->message_data(s->ctx, p, n, s->frame);
        if (c->upload && !c->literal_left)
            end_upload(s, true);
        return;
    }
    cursor_t line;
    bool overlong;
    if (line_next(&c->lines, cur, &line, &overlong))
        client_line(s, line);
}

/* ---- server ---- */

/* An AUTHENTICATE read after its command (answered by a challenge),
 * reported at its answer; a LOGIN, whole when sent, is held with its command
 * (snapshot_login). */
static void report_login(imap_session_t *s, cred_outcome_t outcome)
{
    if (!s->login_open)
        return;
    s->login_open = false;
    if (s->login_kind == K_AUTH)
        sasl_report(&s->sasl, true, s->cb->credential, s->ctx, outcome);
}

/* A server refusing a command that waits to send a literal ("{N}": the
 * client sends it only after "+") answers with the command's tag: the
 * literal never comes, and an APPEND's message is dropped unseen. */
static void refused_literal(imap_session_t *s, cursor_t tag)
{
    client_t *c = &s->c;
    if (!c->literal_left || c->literal_left != c->literal_size || !c->ntok)
        return;
    cursor_t t = cursor_make(c->tok[0].data, c->tok[0].len);
    if (!cursor_left(&t) || cursor_left(&t) != cursor_left(&tag) ||
        memcmp(t.p, tag.p, cursor_left(&t)) != 0)
        return;
    c->literal_left = 0;
    c->ntok = 0;
    end_upload(s, false);
}

static void tagged(imap_session_t *s, cursor_t tag, cursor_t rest)
{
    cursor_t status;
    if (!text_word(&rest, &status))
        return;
    refused_literal(s, tag);
    bool ok = text_eq_ci(&status, "OK");
    for (unsigned i = 0; i < s->nq; i++) {
        if (!text_eq_ci(&tag, s->q[i].tag))
            continue;
        pending_t p = s->q[i];
        enum kind k = p.kind;
        memmove(s->q + i, s->q + i + 1, (s->nq - i - 1) * sizeof *s->q);
        s->nq--;
        if (k == K_LOGIN || k == K_AUTH) {
            s->c.in_auth = false;
            if (p.login.mechanism)
                cred_release(&p.login, s->cb->credential, s->ctx,
                             ok ? CRED_ACCEPTED : CRED_REJECTED);
            else
                report_login(s, ok ? CRED_ACCEPTED : CRED_REJECTED);
        } else if (k == K_STARTTLS && ok) {
            s->tls = true;
            if (s->cb->starttls)
                s->cb->starttls(s->ctx);
        }
        return;
    }
}

/* The FETCH item just before a literal: "BODY[2.MIME]", "RFC822",
 * "BODY[HEADER.FIELDS (FROM TO)]<0>" (a section may hold blanks and
 * parentheses, so the name is found from its brackets backwards).  An
 * empty cursor when the literal is not an item's value (a string inside
 * ENVELOPE, say). */
static cursor_t fetch_item(cursor_t before)
{
    before = text_trim(before);
    size_t n = cursor_left(&before), start = n;
    if (start && before.p[start - 1] == '>') /* <origin> of a partial fetch */
        while (start && before.p[start - 1] != '<')
            start--;
    if (start >= 2 && before.p[start - 1] == '<' && before.p[start - 2] == ']')
        start--;
    if (start && before.p[start - 1] == ']')
        while (start && before.p[start - 1] != '[')
            start--;
    while (start && before.p[start - 1] != ' ' && before.p[start - 1] != '(')
        start--;
    return cursor_make(before.p + start, n - start);
}

/* What the literal after a FETCH item is: a whole message (RFC822, BODY[],
 * BINARY[]), a section of one (BODY[2], BODY[HEADER], BINARY[1.2],
 * RFC822.HEADER, RFC822.TEXT), or neither. */
enum literal_kind { LIT_OTHER, LIT_MESSAGE, LIT_SECTION };

static enum literal_kind item_kind(cursor_t item)
{
    if (text_eq_ci(&item, "RFC822") || text_starts_ci(&item, "BODY[]") ||
        text_starts_ci(&item, "BODY.PEEK[]") || text_starts_ci(&item, "BINARY[]") ||
        text_starts_ci(&item, "BINARY.PEEK[]"))
        return LIT_MESSAGE;
    if (text_eq_ci(&item, "RFC822.HEADER") || text_eq_ci(&item, "RFC822.TEXT") ||
        text_starts_ci(&item, "BODY[") || text_starts_ci(&item, "BODY.PEEK[") ||
        text_starts_ci(&item, "BINARY[") || text_starts_ci(&item, "BINARY.PEEK["))
        return LIT_SECTION;
    return LIT_OTHER;
}

/* The text of a BODYSTRUCTURE (or its short form, BODY without a
 * section) in a FETCH response line, from its opening parenthesis to the
 * end of the line; quoted strings (an ENVELOPE's subject) are stepped over. */
static bool find_structure(cursor_t line, cursor_t *out)
{
    uint8_t b, prev = ' ';
    bool in_quote = false;
    while (cursor_peek_u8(&line, &b)) {
        if (in_quote) {
            if (b == '\\')
                cursor_skip(&line, 1);
            else if (b == '"')
                in_quote = false;
        } else if (b == '"') {
            in_quote = true;
        } else if (prev == ' ' || prev == '(') {
            size_t name = text_starts_ci(&line, "BODYSTRUCTURE (") ? 14
                          : text_starts_ci(&line, "BODY (")        ? 5
                                                                   : 0;
            if (name) { /* from the parenthesis on */
                *out = line;
                cursor_skip(out, name);
                return true;
            }
        }
        prev = b;
        cursor_skip(&line, 1);
    }
    return false;
}

static void server_line(imap_session_t *s, cursor_t line)
{
    uint64_t n;
    cursor_t before, k = line, star, no;
    uint64_t msgno;
    if (text_word(&k, &star) && text_eq_ci(&star, "*") && text_word(&k, &no) &&
        text_uint(&no, UINT32_MAX, &msgno) && text_word(&k, &star) && text_eq_ci(&star, "FETCH"))
        s->s.fetch_msgno = (unsigned)msgno; /* kept for the items after a literal */
    cursor_t structure;
    if (s->cb->structure && find_structure(line, &structure))
        s->cb->structure(s->ctx, s->s.fetch_msgno, structure.p, cursor_left(&structure));
    if (trailing_literal(line, &n, &before)) {
        cursor_t item = fetch_item(before);
        enum literal_kind kind = n ? item_kind(item) : LIT_OTHER;
        bool partial = cursor_find(&item, '<') >= 0;
        s->s.literal_left = n;
        s->s.message = false;
        if (kind == LIT_MESSAGE && s->cb->message_begin) {
            s->s.message = true;
            s->cb->message_begin(s->ctx, s->s.fetch_msgno, partial);
        } else if (kind == LIT_SECTION && s->cb->section_begin) {
            char name[IMAP_MAX_ITEM + 1];
            size_t len = cursor_left(&item) < IMAP_MAX_ITEM ? cursor_left(&item) : IMAP_MAX_ITEM;
            memcpy(name, item.p, len);
            name[len] = '\0';
            s->s.message = true;
            s->cb->section_begin(s->ctx, s->s.fetch_msgno, name, partial);
        }
        return;
    }
    cursor_t tag;
    k = line;
    if (!text_word(&k, &tag) || text_eq_ci(&tag, "*"))
        return;
    if (text_eq_ci(&tag, "+")) { /* a continuation: an AUTHENTICATE's challenge */
        if (s->c.in_auth)
            sasl_server_line(&s->sasl, k);
        return;
    }
    tagged(s, tag, k);
}

static void server_bytes(imap_session_t *s, cursor_t *cur)
{
    if (s->s.literal_left) {
        size_t n =
            cursor_left(cur) < s->s.literal_left ? cursor_left(cur) : (size_t)s->s.literal_left;
        const uint8_t *p = NULL;
        cursor_bytes(cur, n, &p);
        s->s.literal_left -= n;
        if (s->s.message && n && s->cb->message_data)
            s->cb->message_data(s->ctx, p, n, s->frame);
        if (!s->s.literal_left && s->s.message) {
            s->s.message = false;
            if (s->cb->message_end)
                s->cb->message_end(s->ctx, true);
        }
        return;
    }
    cursor_t line;
    bool overlong;
    if (line_next(&s->s.lines, cur, &line, &overlong))
        server_line(s, line);
}

void imap_session_data(imap_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    cursor_t c = cursor_make(p, n);
    s->frame = frame;
    while (!s->tls && !cursor_empty(&c)) {
        if (is_orig)
            client_bytes(s, &c);
        else
            server_bytes(s, &c);
    }
}

void imap_session_gap(imap_session_t *s, bool is_orig, uint64_t len)
{
    if (is_orig) {
        line_reader_reset(&s->c.lines);
        uint64_t in_lit = len < s->c.literal_left ? len : s->c.literal_left;
        s->c.literal_left -= in_lit;
        if (in_lit)
            begin_upload(s);
        if (s->c.upload && in_lit && s->cb->message_gap)
            s->cb->message_gap(s->ctx, in_lit);
        if (!s->c.literal_left)
            end_upload(s, false);
        return;
    }
    line_reader_reset(&s->s.lines);
    uint64_t in_lit = len < s->s.literal_left ? len : s->s.literal_left;
    s->s.literal_left -= in_lit;
    if (s->s.message && in_lit && s->cb->message_gap)
        s->cb->message_gap(s->ctx, in_lit);
    if (s->s.message && !s->s.literal_left) {
        s->s.message = false;
        if (s->cb->message_end)
            s->cb->message_end(s->ctx, false);
    }
}

void imap_session_free(imap_session_t *s)
{
    if (!s)
        return;
    if (s->s.message && s->cb->message_end)
        s->cb->message_end(s->ctx, false);
    end_upload(s, false);
    for (unsigned i = 0; i < s->nq; i++)
        cred_release(&s->q[i].login, s->cb->credential, s->ctx, CRED_UNKNOWN);
    report_login(s, CRED_UNKNOWN);
    line_reader_free(&s->c.lines);
    line_reader_free(&s->s.lines);
    for (int i = 0; i < IMAP_MAX_TOKENS; i++)
        buf_free(&s->c.tok[i]);
    sasl_free(&s->sasl);
    free(s->user), free(s->pass);
    free(s);
}
