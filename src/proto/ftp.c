/* ftp.c — FTP control connection; see ftp.h. */
#include "ftp.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "textline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending {
    char *cmd, *arg;
    uint64_t frame;
    bool transfer;
    int64_t size;
} pending_t;

struct ftp_conn {
    const ftp_callbacks_t *cb;
    void *ctx;
    line_reader_t lines[2];       /* 0 = commands, 1 = replies */
    pending_t q[FTP_MAX_PENDING]; /* commands in order */
    unsigned nq;
    char *user, *password, *cwd;
    char *size_path; /* argument of the last SIZE command answered 213 */
    int64_t size_value;
    /* the reply being read (multi-line replies end with "NNN ") */
    unsigned code;
    bool in_multiline;
    bool greeted, tls, user_reported;
    bool in_tls;    /* reading the decrypted rest after AUTH TLS (tls: stop reading) */
    bool after_gap; /* a gap may have eaten a reply: realign on the next ones */
    unsigned overlong, dropped, uncoded;
};

ftp_conn_t *ftp_conn_new(const ftp_callbacks_t *cb, void *ctx)
{
    ftp_conn_t *f = xcalloc(1, sizeof *f);
    f->cb = cb;
    f->ctx = ctx;
    line_reader_init(&f->lines[0], FTP_MAX_LINE);
    line_reader_init(&f->lines[1], FTP_MAX_LINE);
    f->cwd = xstrdup(".");
    f->size_value = -1;
    return f;
}

void ftp_conn_resume_in_tls(ftp_conn_t *f)
{
    f->greeted = true;
    f->in_tls = true;
}

unsigned ftp_conn_overlong(const ftp_conn_t *f)
{
    return f->overlong;
}
unsigned ftp_conn_dropped(const ftp_conn_t *f)
{
    return f->dropped;
}
unsigned ftp_conn_uncoded(const ftp_conn_t *f)
{
    return f->uncoded;
}

bool ftp_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint64_t code;
    uint8_t sep = 0;
    return text_uint(&c, 999, &code) && code == 220 && cursor_u8(&c, &sep) &&
           (sep == ' ' || sep == '-');
}

/* ---- address parsers ---- */

/* Six numbers 0..255 separated by commas, at c. */
static bool six_numbers(cursor_t *c, uint64_t v[6])
{
    cursor_t k = *c;
    for (int i = 0; i < 6; i++) {
        text_skip_blanks(&k);
        if (!text_uint(&k, 255, &v[i]))
            return false;
        text_skip_blanks(&k);
        if (i < 5 && !text_eat_ci(&k, ","))
            return false;
    }
    *c = k;
    return true;
}

bool ftp_parse_port(const uint8_t *p, size_t n, ipaddr_t *addr, uint16_t *port)
{
    cursor_t c = cursor_make(p, n);
    uint64_t v[6];
    while (!cursor_empty(&c)) {
        uint8_t b = 0;
        cursor_peek_u8(&c, &b);
        if (b >= '0' && b <= '9' && six_numbers(&c, v)) {
            memset(addr, 0, sizeof *addr);
            addr->family = 4;
            for (int i = 0; i < 4; i++)
                addr->a[i] = (uint8_t)v[i];
            *port = (uint16_t)(v[4] << 8 | v[5]);
            return true;
        }
        /* skip this run of digits (or this byte) and look further */
        uint64_t skip;
        if (!text_uint(&c, UINT64_MAX, &skip))
            cursor_skip(&c, 1);
    }
    return false;
}

/* The next field of an EPRT/EPSV argument up to delimiter d. */
static bool delimited(cursor_t *c, uint8_t d, cursor_t *field)
{
    long at = cursor_find(c, d);
    if (at < 0)
        return false;
    cursor_sub(c, (size_t)at, field);
    cursor_skip(c, 1);
    return true;
}

bool ftp_parse_eprt(const uint8_t *p, size_t n, ipaddr_t *addr, uint16_t *port)
{
    cursor_t c = text_trim(cursor_make(p, n)), proto, host, portf;
    uint8_t d = 0;
    uint64_t af, pv;
    if (!cursor_u8(&c, &d) || d < 33 || d > 126 || !delimited(&c, d, &proto) ||
        !delimited(&c, d, &host) || !delimited(&c, d, &portf))
        return false;
    if (!text_uint(&proto, 2, &af) || !cursor_empty(&proto) || (af != 1 && af != 2))
        return false;
    if (!text_uint(&portf, 65535, &pv) || !cursor_empty(&portf))
        return false;
    char *text = text_dup(&host, IPADDR_STRLEN);
    bool ok = ipaddr_parse(text, addr) && addr->family == (af == 1 ? 4 : 6);
    free(text);
    if (ok)
        *port = (uint16_t)pv;
    return ok;
}

bool ftp_parse_epsv(const uint8_t *p, size_t n, uint16_t *port)
{
    cursor_t c = cursor_make(p, n), f1, f2, portf;
    long open = cursor_find(&c, '(');
    uint8_t d = 0;
    uint64_t pv;
    if (open < 0 || !cursor_skip(&c, (size_t)open + 1) || !cursor_u8(&c, &d) ||
        !delimited(&c, d, &f1) || !delimited(&c, d, &f2) || !delimited(&c, d, &portf))
        return false;
    if (!text_uint(&portf, 65535, &pv) || !cursor_empty(&portf) || !pv)
        return false;
    *port = (uint16_t)pv;
    return true;
}

int64_t ftp_parse_size_note(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    long open;
    while ((open = cursor_find(&c, '(')) >= 0) {
        cursor_skip(&c, (size_t)open + 1);
        cursor_t k = c;
        uint64_t v;
        if (text_uint(&k, INT64_MAX, &v)) {
            text_skip_blanks(&k);
            if (text_eat_ci(&k, "bytes"))
                return (int64_t)v;
        }
    }
    return -1;
}

char *ftp_parse_stou_name(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    text_skip_blanks(&c);
    if (!text_eat_ci(&c, "FILE:"))
        return NULL;
    text_skip_blanks(&c);
    cursor_t name;
    if (!text_word(&c, &name) || !cursor_left(&name))
        return NULL;
    return text_dup(&name, FTP_MAX_LINE);
}

/* ---- the connection ---- */

static char *upper_dup(const cursor_t *c)
{
    char *s = text_dup(c, 32);
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return s;
}

/* cwd after "CWD arg" (or CDUP: arg ".."), lexically, as Zeek's
 * build_path_compressed does: absolute arguments replace, relative ones
 * append, "." and "x/.." segments collapse. */
char *ftp_build_path(const char *cwd, const char *arg)
{
    buf_t b = BUF_INIT;
    if (arg[0] != '/') {
        buf_append_str(&b, cwd);
        buf_append_byte(&b, '/');
    }
    buf_append_str(&b, arg);
    /* split into segments and rebuild */
    char *s = buf_steal(&b), *save = NULL;
    bool absolute = s[0] == '/';
    char **seg = xcalloc(strlen(s) / 2 + 2, sizeof *seg);
    size_t nseg = 0;
    for (char *t = strtok_r(s, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0 && (nseg || absolute))
            continue;
        if (strcmp(t, "..") == 0 && nseg && strcmp(seg[nseg - 1], "..") != 0 &&
            strcmp(seg[nseg - 1], ".") != 0) {
            nseg--;
            continue;
        }
        seg[nseg++] = t;
    }
    buf_t out = BUF_INIT;
    if (absolute)
        buf_append_byte(&out, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            buf_append_byte(&out, '/');
        buf_append_str(&out, seg[i]);
    }
    if (!out.len)
        buf_append_str(&out, absolute ? "/" : ".");
    free(seg);
    free(s);
    return buf_steal(&out);
}

static bool is_transfer(const char *cmd)
{
    static const char *const v[] = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD", NULL};
    for (int i = 0; v[i]; i++)
        if (strcmp(cmd, v[i]) == 0)
            return true;
    return false;
}

static void pending_free(pending_t *p)
{
    free(p->cmd), free(p->arg);
    memset(p, 0, sizeof *p);
}

static void report_login(ftp_conn_t *f, unsigned code)
{
    if (!f->cb->credential || !f->user)
        return;
    proto_cred_t c = {"USER/PASS",
                      f->user,
                      NULL,
                      NULL,
                      f->password ? f->password : "",
                      false,
                      code / 100 == 2 ? CRED_ACCEPTED
                      : code          ? CRED_REJECTED
                                      : CRED_UNKNOWN,
                      0};
    f->cb->credential(f->ctx, &c);
}

/* Data channel of an accepted PORT/EPRT/PASV/EPSV, from the command or reply. */
static bool data_channel(const pending_t *p, unsigned code, cursor_t msg, ftp_data_channel_t *d)
{
    memset(d, 0, sizeof *d);
    const uint8_t *a = (const uint8_t *)p->arg;
    size_t al = strlen(p->arg);
    if (strcmp(p->cmd, "PORT") == 0 && code / 100 == 2)
        return (d->has_addr = ftp_parse_port(a, al, &d->addr, &d->port));
    if (strcmp(p->cmd, "EPRT") == 0 && code / 100 == 2)
        return (d->has_addr = ftp_parse_eprt(a, al, &d->addr, &d->port));
    d->passive = true;
    if (strcmp(p->cmd, "PASV") == 0 && code == 227)
        return (d->has_addr = ftp_parse_port(msg.p, cursor_left(&msg), &d->addr, &d->port));
    if (strcmp(p->cmd, "EPSV") == 0 && code == 229)
        return ftp_parse_epsv(msg.p, cursor_left(&msg), &d->port);
    return false;
}

/* The directory a 257 reply to PWD names: the text between its first two
 * double quotes (RFC 959 appendix II), as Zeek's extract_path takes it. */
static char *quoted_path(cursor_t msg)
{
    uint8_t b;
    while (cursor_u8(&msg, &b) && b != '"')
        ;
    cursor_t start = msg, path;
    size_t n = 0;
    while (cursor_u8(&msg, &b)) {
        if (b == '"')
            return n && cursor_sub(&start, n, &path) ? text_dup(&path, FTP_MAX_LINE) : NULL;
        n++;
    }
    return NULL;
}

/* What a command's final reply changes: the working directory, the size a
 * SIZE reply announced, TLS after AUTH. */
static void apply(ftp_conn_t *f, const pending_t *p, unsigned code, cursor_t msg)
{
    char *pwd;
    if (code == 257 && (strcmp(p->cmd, "PWD") == 0 || strcmp(p->cmd, "XPWD") == 0) &&
        (pwd = quoted_path(msg))) {
        free(f->cwd);
        f->cwd = pwd;
    } else if (code / 100 == 2 && (strcmp(p->cmd, "CWD") == 0 || strcmp(p->cmd, "CDUP") == 0)) {
        char *cwd = ftp_build_path(f->cwd, strcmp(p->cmd, "CDUP") == 0 ? ".." : p->arg);
        free(f->cwd);
        f->cwd = cwd;
    } else if (strcmp(p->cmd, "SIZE") == 0 && code == 213) {
        cursor_t k = text_trim(msg);
        uint64_t v;
        if (text_uint(&k, INT64_MAX, &v)) {
            free(f->size_path);
            f->size_path = xstrdup(p->arg);
            f->size_value = (int64_t)v;
        }
    } else if (strcmp(p->cmd, "AUTH") == 0 && code == 234 && !f->tls && !f->in_tls) {
        f->tls = true;
        if (f->cb->starttls)
            f->cb->starttls(f->ctx);
    }
}

static void finish(ftp_conn_t *f, pending_t *p, unsigned code, cursor_t msg, uint64_t frame)
{
    ftp_txn_t t = {0};
    t.command = p->cmd;
    t.arg = p->arg;
    t.cwd = f->cwd; /* replies come in order: earlier CWDs are in effect */
    t.user = f->user;
    t.password = f->password;
    t.reply_code = code;
    char *m = text_dup(&msg, FTP_MAX_REPLY);
    t.reply_msg = m;
    t.file_size = p->size;
    t.transfer = p->transfer;
    t.cmd_frame = p->frame;
    t.reply_frame = frame;
    if (code && data_channel(p, code, msg, &t.data)) {
        t.has_data_channel = true;
        if (f->cb->expect)
            f->cb->expect(f->ctx, &t.data);
    }
    if (strcmp(p->cmd, "PASS") == 0)
        report_login(f, code);
    if (f->cb->txn)
        f->cb->txn(f->ctx, &t);
    free(m);
    apply(f, p, code, msg);
}

/* Success codes a command's final reply may carry (RFC 959 5.4); NULL for
 * commands not listed (any code fits).  Error replies (4xx, 5xx) fit every
 * command.  Used only to realign replies with commands after a gap. */
static bool reply_fits(const char *cmd, unsigned code)
{
    static const struct {
        const char *cmd;
        unsigned codes[3];
    } table[] = {
        {"PASV", {227}},      {"EPSV", {229}},      {"PORT", {200}},      {"EPRT", {200}},
        {"TYPE", {200}},      {"CWD", {250, 200}},  {"CDUP", {250, 200}}, {"PWD", {257}},
        {"SIZE", {213}},      {"MDTM", {213}},      {"SYST", {215}},      {"USER", {230, 331, 332}},
        {"PASS", {230, 202}}, {"RETR", {226, 250}}, {"STOR", {226, 250}}, {"APPE", {226, 250}},
        {"LIST", {226, 250}}, {"NLST", {226, 250}}, {"QUIT", {221}},      {"NOOP", {200}},
        {"MKD", {257}},       {"DELE", {250}},      {"RNFR", {350}},      {"RNTO", {250}},
    };
    if (code >= 400)
        return true;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(cmd, table[i].cmd) == 0) {
            for (int k = 0; k < 3 && table[i].codes[k]; k++)
                if (table[i].codes[k] == code)
                    return true;
            return false;
        }
    return true;
}

/* After a gap a reply may have been lost: drop waiting commands (reported
 * unanswered) while the reply fits the next command but not the oldest. */
static void realign(ftp_conn_t *f, unsigned code)
{
    while (f->nq > 1 && !reply_fits(f->q[0].cmd, code) && reply_fits(f->q[1].cmd, code)) {
        finish(f, &f->q[0], 0, cursor_make(NULL, 0), 0);
        pending_free(&f->q[0]);
        memmove(f->q, f->q + 1, (f->nq - 1) * sizeof *f->q);
        memset(&f->q[--f->nq], 0, sizeof *f->q);
    }
    if (f->nq && reply_fits(f->q[0].cmd, code))
        f->after_gap = false;
}

/* A complete reply (code and its text, multi-line joined by spaces). */
static void reply(ftp_conn_t *f, unsigned code, cursor_t msg, uint64_t frame)
{
    if (!f->greeted && (code == 220 || !f->nq)) { /* clients may talk before the greeting */
        f->greeted = true;
        pending_t g = {xstrdup("<init>"), xstrdup(""), frame, false, -1};
        finish(f, &g, code, msg, frame);
        pending_free(&g);
        return;
    }
    f->greeted = true;
    if (!f->nq)
        return; /* unsolicited (421 timeouts, extra lines) */
    if (f->after_gap && code >= 200)
        realign(f, code);
    pending_t *p = &f->q[0];
    if (code >= 100 && code < 200) {
        if (is_transfer(p->cmd) && !p->transfer) {
            p->transfer = true;
            char *stou = strcmp(p->cmd, "STOU") == 0 && !p->arg[0]
                             ? ftp_parse_stou_name(msg.p, cursor_left(&msg))
                             : NULL;
            if (stou) /* the transfer names the file the server made */
                free(p->arg), p->arg = stou;
            int64_t size = ftp_parse_size_note(msg.p, cursor_left(&msg));
            if (size < 0 && f->size_path && strcmp(f->size_path, p->arg) == 0)
                size = f->size_value;
            p->size = size;
            if (f->cb->transfer)
                f->cb->transfer(f->ctx, p->cmd, p->arg, size);
        }
        return;
    }
    finish(f, p, code, msg, frame);
    pending_free(p);
    memmove(f->q, f->q + 1, (f->nq - 1) * sizeof *f->q);
    memset(&f->q[--f->nq], 0, sizeof *f->q);
}

static void command_line(ftp_conn_t *f, cursor_t line, uint64_t frame)
{
    cursor_t verb;
    line = text_trim(line);
    if (!text_word(&line, &verb))
        return;
    text_skip_blanks(&line);
    if (f->nq == FTP_MAX_PENDING) {
        f->dropped++;
        return;
    }
    pending_t *p = &f->q[f->nq++];
    p->cmd = upper_dup(&verb);
    p->arg = text_dup(&line, FTP_MAX_LINE);
    p->frame = frame;
    p->size = -1;
    if (strcmp(p->cmd, "USER") == 0) {
        free(f->user), free(f->password);
        f->user = xstrdup(p->arg);
        f->password = NULL;
    } else if (strcmp(p->cmd, "PASS") == 0) {
        free(f->password);
        f->password = xstrdup(p->arg);
    }
}

/* One reply line: "NNN text" ends a reply, "NNN-text" starts a multi-line
 * one that ends at a line "NNN text" with the same code; lines between are
 * its continuation.  The text reported is that of the final line, as in
 * Zeek's ftp.log. */
static void reply_line(ftp_conn_t *f, cursor_t line, uint64_t frame)
{
    cursor_t k = line;
    uint64_t code = 0;
    uint8_t sep = ' ';
    bool coded = cursor_left(&k) >= 3 && text_uint(&k, 999, &code) && code >= 100 &&
                 cursor_offset(&k) - cursor_offset(&line) == 3;
    if (coded)
        cursor_peek_u8(&k, &sep);
    if (f->in_multiline && !(coded && code == f->code && sep != '-'))
        return; /* a continuation line */
    if (!coded) {
        f->uncoded++;
        return;
    }
    if (sep == '-' && !f->in_multiline) {
        f->in_multiline = true;
        f->code = (unsigned)code;
        return;
    }
    f->in_multiline = false;
    if (sep == ' ' || sep == '-')
        cursor_skip(&k, 1);
    reply(f, (unsigned)code, text_trim(k), frame);
}

void ftp_conn_data(ftp_conn_t *f, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    if (f->tls)
        return;
    cursor_t c = cursor_make(p, n), line;
    bool overlong;
    while (!f->tls && line_next(&f->lines[is_orig ? 0 : 1], &c, &line, &overlong)) {
        if (overlong)
            f->overlong++;
        if (is_orig)
            command_line(f, line, frame);
        else
            reply_line(f, line, frame);
    }
}

void ftp_conn_gap(ftp_conn_t *f, bool is_orig, uint64_t len)
{
    line_reader_reset(&f->lines[is_orig ? 0 : 1]);
    if (!is_orig)
        f->in_multiline = false;
    f->after_gap = true;
}

void ftp_conn_free(ftp_conn_t *f)
{
    if (!f)
        return;
    for (unsigned i = 0; i < f->nq; i++) {
        finish(f, &f->q[i], 0, cursor_make(NULL, 0), 0);
        pending_free(&f->q[i]);
    }
    line_reader_free(&f->lines[0]);
    line_reader_free(&f->lines[1]);
    free(f->user), free(f->password), free(f->cwd), free(f->size_path);
    free(f);
}
