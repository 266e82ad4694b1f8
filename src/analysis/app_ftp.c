/* app_ftp.c — see app_ftp.h.
 *
 * The capture's FTP registry (an_shared_t.ftp) holds every data channel a
 * control connection announced, in announcement order, until the capture
 * ends: the data connection that uses one may come and go before or after
 * the transfer that names it.  Channels are matched to data connections by
 * the responder's address and port — the announced address, or the control
 * connection's peer, since a server behind NAT announces its inside address
 * (Zeek's cwd-navigation trace) — the oldest unclaimed channel first. */
#include "analysis/app_ftp.h"

#include "analysis/carve.h"
#include "analysis/frametimes.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "flow/flowhash.h"
#include "proto/ftp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Data channels kept per capture: a session announces one per transfer
 * (Zeek's cwd-navigation trace: 688); a hostile server repeating PASV must
 * not grow memory without bound.  Beyond it announcements are dropped and
 * noted ("limit.ftp_data_channels"). */
#define FTP_MAX_CHANNELS 65536

/* Unclaimed channels are also kept in buckets by announced port and the
 * control connection's pair of hosts, so that matching a new connection
 * (asked for every TCP connection no earlier analyser took, and for every
 * TLS connection that was not decrypted) looks at the waiting channels of
 * its port between its two hosts only, not at all of them; a channel
 * leaves its bucket when its data connection takes it (16,000 transfers of
 * one session to one passive port each looked at all the channels before
 * it).  1,024 buckets of 16 bytes. */
#define FTP_PORT_BUCKETS 1024

typedef struct ftp_channel {
    struct ftp_channel *next;
    struct ftp_channel *port_next;  /* the next in its bucket, while unclaimed */
    size_t bucket;                  /* bucket_of() its port and control hosts */
    struct ftp_channel *owner_next; /* the owner's next (ftp_state_t.mine) */
    ftp_data_channel_t dc;
    ipaddr_t resp, alt; /* the data connection's responder: announced, or the control peer */
    conn_ident_t ctl;
    const void *owner; /* the control connection's state while it lives */
    /* the transfer that used it */
    char *command, *name;
    bool named;
    /* the data connection */
    bool claimed, done, reported;
    conn_ident_t data;
    char fuid[UID_LEN];
    bool is_orig;   /* the data connection's originator sent the file */
    bool fin[2];    /* the data connection's originator, responder closed it (FIN) */
    unsigned reply; /* the transfer's final reply (226), 0 until it comes */
    bool decrypted; /* carried in TLS (PROT P), decrypted with the key log */
    /* A transfer that started (its name known) but whose bytes were not
     * read: why ("tls_not_decrypted": its data connection was TLS without
     * the session's keys; "data_connection_not_seen": none matched it in the
     * capture; "data_connection_not_closed": its data connection carried no
     * byte, the sender never closed it and no final reply came;
     * "transfer_failed": it carried no byte and the final reply was not
     * 2xx), NULL otherwise.  Reported as a files row without bytes: the note. */
    const char *unread;
    unsigned seq;     /* the control connection's n-th channel (a note's fuid) */
    ts_ns_t named_ts; /* when the transfer started (its 150, or its final reply) */
    uint64_t named_frame;
    uint64_t rest; /* REST offset: the bytes carried start there in the file */
    carve_t cv;    /* the finished file, until reported */
} ftp_channel_t;

struct ftp_registry {
    /* the capture's sink and damage table: every context of the capture
     * shares them, and the one that made the registry may be an inner
     * stream's (FTP in a CONNECT tunnel), freed before the capture ends */
    const record_sink_t *records;
    damage_t *damage;
    ftp_channel_t *head, **tail;
    ftp_channel_t *bucket[FTP_PORT_BUCKETS], **bucket_tail[FTP_PORT_BUCKETS]; /* by port */
    size_t n, unclaimed;
    bool full_noted;
};
typedef struct ftp_registry ftp_registry_t;

typedef struct ftp_state {
    const an_ctx_t *ctx;
    conn_t *c;
    conn_ident_t id;
    ftp_registry_t *reg;
    ftp_conn_t *fc;
    ftp_channel_t *last; /* announced, not yet used by a transfer */
    ftp_channel_t *xfer; /* used by the transfer waiting for its final reply */
    frametimes_t times;  /* of the client's segments, for the commands' rows */
    ts_ns_t now;
    uint64_t frame;
    bool claimed;
    proto_cred_t cred; /* the login the parser just reported (strings borrowed) */
    bool has_cred;
    uint64_t rest;                    /* a REST the server accepted (350), for the next transfer */
    unsigned channels;                /* announced so far */
    ftp_channel_t *mine, **mine_tail; /* announced on this connection, in order */
} ftp_state_t;

/* Zeek's FTP::guest_ids: their passwords (e-mail addresses) are logged. */
static bool is_guest(const char *user)
{
    static const char *const guests[] = {"anonymous", "ftp", "ftpuser", "guest", NULL};
    for (int i = 0; user && guests[i]; i++)
        if (strcasecmp(user, guests[i]) == 0)
            return true;
    return false;
}

static bool in_list(const char *cmd, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(cmd, *list) == 0)
            return true;
    return false;
}

/* Zeek's FTP::logged_commands. */
static bool is_logged(const char *cmd)
{
    static const char *const v[] = {"APPE", "DELE", "RETR", "STOR", "STOU", "ACCT",
                                    "PORT", "PASV", "EPRT", "EPSV", NULL};
    return in_list(cmd, v);
}

/* Commands that move a file (Zeek's FTP::file_cmds): their arg is a URL. */
static bool is_file_cmd(const char *cmd)
{
    static const char *const v[] = {"RETR", "STOR", "STOU", "APPE", NULL};
    return in_list(cmd, v);
}

/* Commands whose file the client sends. */
static bool is_upload(const char *cmd)
{
    static const char *const v[] = {"STOR", "STOU", "APPE", NULL};
    return in_list(cmd, v);
}

/* Commands that use a data channel. */
static bool is_transfer(const char *cmd)
{
    static const char *const v[] = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD", NULL};
    return in_list(cmd, v);
}

/* ---- the registry ---- */

static ftp_registry_t *registry(const an_ctx_t *ctx)
{
    if (!ctx->shared->ftp) {
        ftp_registry_t *r = xcalloc(1, sizeof *r);
        r->records = ctx->records;
        r->damage = ctx->damage;
        r->tail = &r->head;
        ctx->shared->ftp = r;
    }
    return ctx->shared->ftp;
}

/* A transfer after REST N (a resumed download or upload) carries the file
 * from offset N: the file is partial, its first N bytes missing, and the
 * carve's own holes move up by N. */
static void resumed_at(const ftp_channel_t *ch, file_record_t *f, file_range_t *ranges)
{
    size_t n = 0;
    ranges[n++] = (file_range_t){0, ch->rest};
    for (size_t i = 0; i < ch->cv.nranges && n < CARVE_MAX_RANGES; i++)
        ranges[n++] =
            (file_range_t){ch->cv.ranges[i].start + ch->rest, ch->cv.ranges[i].end + ch->rest};
    f->missing_ranges = ranges;
    f->nmissing_ranges = n;
    f->missing_bytes += ch->rest;
    f->truncated = true;
    if (!f->truncated_reason)
        f->truncated_reason = "resumed";
}

/* Does the data connection's originator send the transfer's file?  In
 * passive mode the client connects, and sends an upload's file; in active
 * mode the server connects, and sends a download's. */
static bool data_orig_sends(const ftp_channel_t *ch)
{
    bool client_sent = ch->command && is_upload(ch->command);
    return ch->dc.passive ? client_sent : !client_sent;
}

/* The files row of a transfer whose bytes were not read: no digest, no
 * artifact, truncated with the reason — so every transfer that started
 * leaves a row saying what became of its bytes. */
static void report_unread(ftp_registry_t *r, ftp_channel_t *ch)
{
    file_record_t f = {.ts = ch->named_ts,
                       .source = "FTP",
                       .filename = ch->name,
                       .total_bytes = -1,
                       .md5 = "",
                       .sha1 = "",
                       .sha256 = "",
                       .truncated = true,
                       .truncated_reason = ch->unread,
                       .first_frame = ch->named_frame,
                       .last_frame = ch->named_frame};
    f.conn = ch->claimed ? ch->data : ch->ctl;
    /* the row's connection is the control one (its client the originator)
     * or the data one, whose originator is the server in active mode */
    bool client_sent = ch->command && is_upload(ch->command);
    f.is_orig = ch->claimed ? data_orig_sends(ch) : client_sent;
    memcpy(f.fuid, ch->fuid, sizeof f.fuid);
    r->records->file(r->records->ctx, &f);
}

/* A named transfer whose data connection (seen) carried no byte. */
static bool carried_nothing(const ftp_channel_t *ch)
{
    return ch->named && ch->claimed && !ch->unread && !ch->cv.seen && !ch->cv.missing;
}

/* Such a transfer is an empty file when the server's final reply said it
 * completed (2xx), or, when no reply came (the control connection or the
 * capture ended first), when the side that sends the file closed the data
 * connection (FIN: the end of file in FTP's stream mode, RFC 959 3.4.1).
 * Otherwise the file may have been about to come: a row without bytes.
 * True for an empty file (its row says who sent it). */
static bool empty_is_whole(ftp_channel_t *ch)
{
    if (!carried_nothing(ch))
        return false;
    ch->is_orig = data_orig_sends(ch);
    if (ch->reply)
        ch->unread = ch->reply / 100 == 2 ? NULL : "transfer_failed";
    else if (!ch->fin[ch->is_orig ? 0 : 1])
        ch->unread = "data_connection_not_closed";
    return !ch->unread;
}

/* Report a channel's file once its data is done: named by the transfer, or
 * nameless when the control connection ended without naming it (then not
 * when it carried nothing: no file was named, none was sent). */
static void report_file(ftp_registry_t *r, ftp_channel_t *ch)
{
    if (ch->reported || !ch->done || (!ch->named && ch->owner))
        return;
    if (carried_nothing(ch) && !ch->reply && ch->owner)
        return; /* empty: whole or not, the final reply will say */
    ch->reported = true;
    bool empty = empty_is_whole(ch);
    if (ch->unread && ch->named) {
        report_unread(r, ch);
    } else if (ch->cv.seen || ch->cv.missing || empty) {
        file_record_t f = {0};
        file_range_t ranges[CARVE_MAX_RANGES];
        if (empty)
            carve_type_empty(&ch->cv);
        carve_record(&ch->cv, &f);
        if (ch->rest)
            resumed_at(ch, &f, ranges);
        f.conn = ch->data;
        memcpy(f.fuid, ch->fuid, sizeof f.fuid);
        f.source = "FTP";
        f.filename = ch->name;
        f.is_orig = ch->is_orig;
        f.decrypted = ch->decrypted;
        r->records->file(r->records->ctx, &f);
    }
    carve_free(&ch->cv);
}

/* Is one of the control connection's two hosts at a? */
static bool ctl_host(const ftp_channel_t *ch, const ipaddr_t *a)
{
    return ipaddr_eq(&ch->ctl.orig, a) || ipaddr_eq(&ch->ctl.resp, a);
}

/* The data connection goes to the announced port, at the announced address
 * or the control connection's server (passive) or client (active) — a
 * server behind NAT announces its private address — and between the two
 * hosts of the control connection (never a third host: FXP transfers
 * between two servers are not followed).  Keeping to one pair of hosts is
 * also what lets the workers of --jobs see a control connection and its data
 * connections together (flow/flowhash.h). */
static bool channel_matches(const ftp_channel_t *ch, const conn_t *c)
{
    return !ch->claimed && ch->dc.port == c->resp_p &&
           (ipaddr_eq(&ch->resp, &c->resp) || ipaddr_eq(&ch->alt, &c->resp)) &&
           ctl_host(ch, &c->orig) && ctl_host(ch, &c->resp);
}

/* The bucket of a data connection to port between hosts a and b (either
 * order), and of the channels announced for it. */
static size_t bucket_of(uint16_t port, const ipaddr_t *a, const ipaddr_t *b)
{
    return (flow_pair_hash(a, b) ^ (uint32_t)port * 0x9E3779B1u) % FTP_PORT_BUCKETS;
}

static ftp_channel_t *find_channel(const ftp_registry_t *r, const conn_t *c)
{
    if (!r || !r->unclaimed)
        return NULL;
    for (ftp_channel_t *ch = r->bucket[bucket_of(c->resp_p, &c->orig, &c->resp)]; ch;
         ch = ch->port_next)
        if (channel_matches(ch, c))
            return ch;
    return NULL;
}

/* A data connection took ch: out of its bucket. */
static void claim_channel(ftp_registry_t *r, ftp_channel_t *ch)
{
    ch->claimed = true;
    r->unclaimed--;
    ftp_channel_t **pp = &r->bucket[ch->bucket];
    while (*pp != ch)
        pp = &(*pp)->port_next;
    *pp = ch->port_next;
    if (r->bucket_tail[ch->bucket] == &ch->port_next)
        r->bucket_tail[ch->bucket] = pp;
    ch->port_next = NULL;
}

/* ---- the control connection ---- */

static void on_expect(void *ctx, const ftp_data_channel_t *d)
{
    ftp_state_t *s = ctx;
    ftp_registry_t *r = s->reg;
    if (r->n >= FTP_MAX_CHANNELS) {
        if (!r->full_noted)
            damage_note(r->damage, "limit.ftp_data_channels", s->frame);
        r->full_noted = true;
        return;
    }
    ftp_channel_t *ch = xcalloc(1, sizeof *ch);
    ch->dc = *d;
    ch->ctl = s->id;
    ch->owner = s;
    ch->seq = ++s->channels;
    /* passive: the client connects to the server; active: the reverse */
    ch->alt = d->passive ? s->id.resp : s->id.orig;
    ch->resp = d->has_addr ? d->addr : ch->alt;
    *r->tail = ch;
    r->tail = &ch->next;
    size_t b = ch->bucket = bucket_of(d->port, &s->id.orig, &s->id.resp);
    *(r->bucket_tail[b] ? r->bucket_tail[b] : &r->bucket[b]) = ch;
    r->bucket_tail[b] = &ch->port_next;
    *(s->mine_tail ? s->mine_tail : &s->mine) = ch;
    s->mine_tail = &ch->owner_next;
    r->n++;
    r->unclaimed++;
    s->last = ch;
}

/* A transfer uses the channel announced last. */
static void name_channel(ftp_state_t *s, const char *command, const char *arg)
{
    ftp_channel_t *ch = s->last;
    if (!ch || ch->named)
        return;
    ch->named = true;
    ch->command = xstrdup(command);
    ch->name = is_file_cmd(command) && arg[0] ? xstrdup(arg) : NULL;
    ch->rest = is_file_cmd(command) ? s->rest : 0;
    s->rest = 0; /* REST applies to the transfer that follows it only */
    ch->named_ts = s->now;
    ch->named_frame = s->frame;
    s->xfer = ch;
    s->last = NULL;
    report_file(s->reg, ch);
}

static void on_transfer(void *ctx, const char *command, const char *arg, int64_t size)
{
    (void)size;
    name_channel(ctx, command, arg);
}

static void on_credential(void *ctx, const proto_cred_t *c)
{
    ftp_state_t *s = ctx;
    s->cred = *c;
    s->has_cred = true;
}

static void on_starttls(void *ctx)
{
    (void)ctx; /* the dispatcher hands the connection to TLS at the ClientHello;
                * with the session's keys a new state reads on inside it */
}

/* Zeek's build_url_ftp: ftp://host/path, the path from cwd and arg. */
static char *file_url(const ftp_state_t *s, const ftp_txn_t *t)
{
    char a[IPADDR_STRLEN];
    ipaddr_str(&s->id.resp, a);
    char *path = ftp_build_path(t->cwd ? t->cwd : ".", t->arg);
    bool v6 = strchr(a, ':') != NULL;
    char *url = xasprintf("ftp://%s%s%s%s%s", v6 ? "[" : "", a, v6 ? "]" : "",
                          path[0] == '/' ? "" : "/", path);
    free(path);
    return url;
}

/* The credential record of a login (the password is never kept). */
static void report_login(ftp_state_t *s, const ftp_txn_t *t, ts_ns_t ts)
{
    if (!s->has_cred)
        return;
    s->has_cred = false;
    an_credential(s->ctx, s->c, "ftp", &s->cred, ts, t->cmd_frame);
}

static void on_txn(void *ctx, const ftp_txn_t *t)
{
    ftp_state_t *s = ctx;
    if (t->reply_code && !s->claimed) {
        s->claimed = true;
        an_claim(s->ctx, s->c);
    }
    ts_ns_t ts = frametimes_get(&s->times, t->cmd_frame, s->now);
    report_login(s, t, ts);
    if (strcmp(t->command, "REST") == 0)
        s->rest = t->reply_code == 350 ? strtoull(t->arg, NULL, 10) : 0;
    ftp_channel_t *ch = NULL;
    if (is_transfer(t->command)) {
        if (!s->xfer && t->reply_code / 100 == 2) /* no preliminary reply came */
            name_channel(s, t->command, t->arg);
        ch = s->xfer;
        s->xfer = NULL;
    }
    if (ch) { /* an empty transfer's row waited for this reply */
        ch->reply = t->reply_code;
        report_file(s->reg, ch);
    }
    if (!is_logged(t->command))
        return;
    char *url = is_file_cmd(t->command) && t->arg[0] ? file_url(s, t) : NULL;
    ftp_record_t r = {.conn = s->id,
                      .ts = ts,
                      .user = t->user ? t->user : "<unknown>",
                      .password = t->password && !is_guest(t->user) ? "<hidden>" : t->password,
                      .command = t->command,
                      .arg = url ? url : t->arg,
                      .mime_type = ch && ch->done && ch->cv.type.mime[0] ? ch->cv.type.mime : NULL,
                      .file_size = t->file_size,
                      .reply_code = t->reply_code,
                      .reply_msg = t->reply_msg,
                      .has_data_channel = t->has_data_channel,
                      .passive = t->data.passive,
                      .dc_resp_p = t->data.port,
                      .fuid = ch && ch->claimed ? ch->fuid : NULL,
                      .decrypted = s->ctx->decrypted,
                      .cmd_frame = t->cmd_frame,
                      .reply_frame = t->reply_frame};
    if (t->has_data_channel) {
        r.dc_orig = t->data.passive ? s->id.orig : s->id.resp;
        r.dc_resp = t->data.has_addr ? t->data.addr : s->id.resp;
    }
    s->ctx->records->ftp(s->ctx->records->ctx, &r);
    free(url);
}

static const ftp_callbacks_t ftp_cb = {on_txn, on_expect, on_transfer, on_credential, on_starttls};

static void *ftp_new(const an_ctx_t *ctx, conn_t *c)
{
    ftp_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    an_conn_ident(c, &s->id);
    s->reg = registry(ctx);
    s->fc = ftp_conn_new(&ftp_cb, s);
    if (ctx->starttls_from) /* the decrypted rest of a session after AUTH TLS */
        ftp_conn_resume_in_tls(s->fc);
    return s;
}

static void ftp_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    ftp_state_t *s = state;
    s->now = ts;
    s->frame = frame;
    if (is_orig)
        frametimes_add(&s->times, frame, ts);
    ftp_conn_data(s->fc, is_orig, p, n, frame);
}

static void ftp_gap(void *state, bool is_orig, uint64_t len)
{
    ftp_state_t *s = state;
    ftp_conn_gap(s->fc, is_orig, len);
}

/* Lines cut, commands dropped and reply lines without a code are noted. */
static void note_parser_limits(ftp_state_t *s)
{
    if (ftp_conn_overlong(s->fc))
        damage_note(s->ctx->damage, "limit.ftp_line", s->c->first_frame);
    if (ftp_conn_dropped(s->fc))
        damage_note(s->ctx->damage, "limit.ftp_pending_commands", s->c->first_frame);
}

static void ftp_finish(void *state)
{
    ftp_state_t *s = state;
    note_parser_limits(s);
    ftp_conn_free(s->fc); /* reports the commands still waiting */
    for (ftp_channel_t *ch = s->mine; ch; ch = ch->owner_next) {
        ch->owner = NULL;
        report_file(s->reg, ch);
    }
    free(s);
}

/* Files whose data connection finished after its control connection were
 * reported then; what is left never finished naming (nothing) — free. */
static void ftp_capture_end(const an_ctx_t *ctx)
{
    ftp_registry_t *r = ctx->shared->ftp;
    if (!r)
        return;
    for (ftp_channel_t *ch = r->head, *next; ch; ch = next) {
        next = ch->next;
        ch->owner = NULL;
        if (ch->named && !ch->claimed) { /* its data connection never came */
            ch->unread = "data_connection_not_seen";
            ch->done = true;
            carve_fuid(ch->ctl.uid, ch->seq, ch->fuid);
        }
        report_file(r, ch);
        carve_free(&ch->cv);
        free(ch->command);
        free(ch->name);
        free(ch);
    }
    free(r);
    ctx->shared->ftp = NULL;
}

const analyser_ops_t app_ftp_ops = {ftp_new,    ftp_data,        ftp_gap, NULL,
                                    ftp_finish, ftp_capture_end, NULL};

/* The table's unread hook (analyser.h): c, taken by another analyser,
 * could not be read; if it is an announced channel, its transfer says why. */
static void data_unread(const an_ctx_t *ctx, const conn_t *c, const char *why)
{
    ftp_registry_t *r = ctx->shared->ftp;
    ftp_channel_t *ch = find_channel(r, c);
    if (!ch)
        return;
    claim_channel(r, ch);
    an_conn_ident(c, &ch->data);
    carve_fuid(c->uid, 0, ch->fuid);
    ch->unread = why;
    ch->done = true;
    report_file(r, ch);
}

/* ---- a data connection ---- */

typedef struct ftp_data_state {
    const an_ctx_t *ctx;
    const conn_t *c;
    ftp_channel_t *ch; /* NULL: the channel was taken meanwhile (never: detect saw it) */
    carve_t cv;
    int dir; /* the side that sends the file: -1 until its first byte, 0 orig, 1 resp */
    uint64_t other_bytes;
    bool ended; /* the file is complete: its sender closed (FIN) */
} ftp_data_state_t;

bool app_ftp_data_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                         size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return find_channel(ctx->shared->ftp, c) != NULL;
}

static void *data_new(const an_ctx_t *ctx, conn_t *c)
{
    ftp_data_state_t *d = xcalloc(1, sizeof *d);
    ftp_registry_t *r = ctx->shared->ftp;
    d->ctx = ctx;
    d->c = c;
    d->dir = -1;
    d->ch = find_channel(r, c);
    if (d->ch) {
        claim_channel(r, d->ch);
        d->ch->decrypted = ctx->decrypted;
        an_conn_ident(c, &d->ch->data);
        carve_fuid(c->uid, 0, d->ch->fuid);
        an_claim(ctx, c);
    }
    carve_begin(&d->cv, ctx);
    return d;
}

static void data_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    ftp_data_state_t *d = state;
    if (d->dir < 0)
        d->dir = is_orig ? 0 : 1;
    if (d->dir == (is_orig ? 0 : 1) && !d->ended)
        carve_data(&d->cv, p, n, frame, ts);
    else
        d->other_bytes += n;
}

static void data_gap(void *state, bool is_orig, uint64_t len)
{
    ftp_data_state_t *d = state;
    if ((d->dir < 0 || d->dir == (is_orig ? 0 : 1)) && !d->ended)
        carve_gap(&d->cv, len);
}

/* The file is complete — its sender closed the stream, or the connection
 * finished — and goes to its channel (the FTP row of a reply after it gets
 * its mime_type, as in Zeek). */
static void data_complete(ftp_data_state_t *d)
{
    if (d->ended)
        return;
    d->ended = true;
    if (d->ch && d->ch->rest && !d->cv.truncated_reason)
        d->cv.truncated_reason = "resumed"; /* kept as .partial (resumed_at) */
    if (!d->cv.seen && !d->cv.missing) {    /* nothing came: the data connection's times */
        d->cv.first_ts = d->c->first_ts;
        d->cv.last_ts = d->c->last_ts;
        d->cv.first_frame = d->c->first_frame;
        d->cv.last_frame = d->c->last_frame;
    }
    carve_end(&d->cv);
    if (d->other_bytes)
        damage_note(d->ctx->damage, "anomaly.ftp_data_both_directions", d->cv.first_frame);
    if (d->ch) {
        d->ch->cv = d->cv; /* the channel owns the carve now */
        d->ch->done = true;
        d->ch->is_orig = d->dir == 0;
        d->ch->fin[0] = d->c->ep[0].saw_fin;
        d->ch->fin[1] = d->c->ep[1].saw_fin;
        report_file(d->ctx->shared->ftp, d->ch);
    } else {
        carve_free(&d->cv);
    }
}

static void data_end(void *state, bool is_orig)
{
    ftp_data_state_t *d = state;
    if (d->dir == (is_orig ? 0 : 1))
        data_complete(d);
}

static void data_finish(void *state)
{
    data_complete(state);
    free(state);
}

const analyser_ops_t app_ftp_data_ops = {data_new,    data_data, data_gap,   data_end,
                                         data_finish, NULL,      data_unread};
