/*
 * proto_replay.c — run one of the pure protocol parsers of src/proto/ over a
 * recorded conversation and print what it reports, one JSON object a line.
 *
 * Why: the parsers are tested against real traffic (our recordings, the
 * corpus, tshark's and Zeek's answers) before and independently of the
 * analysers that will wire them into `pcapcase analyze`.  tests/e2e/protoreplay.py
 * turns a capture into the input below with tshark's "follow" output.
 *
 *   proto_replay PROTO < CONVERSATION
 *   PROTO: ftp | smtp | pop3 | imap | smb | tftp | krb5 | ntlm-http
 *   CONVERSATION lines: "> HEX" bytes from the client, "< HEX" from the
 *   server, "G> N" / "G< N" N bytes missing; for tftp each line is one
 *   datagram of the transfer, for krb5 one Kerberos message, for ntlm-http
 *   one Authorization ("> ") or WWW-Authenticate ("< ") header value.
 *
 * Messages (SMTP/POP3/IMAP) are run through the Internet message parser:
 * the message's SHA-256 and size, its headers, and each part's SHA-256,
 * size and name are printed.  SMB files are assembled with fileasm and
 * printed at close with their SHA-256 when whole, else their missing ranges.
 */
#include "core/buf.h"
#include "core/digest.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "proto/fileasm.h"
#include "proto/ftp.h"
#include "proto/imap.h"
#include "proto/imf.h"
#include "proto/krb5.h"
#include "proto/ntlmssp.h"
#include "proto/pop3.h"
#include "proto/smb.h"
#include "proto/smtp.h"
#include "proto/tftp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void emit(buf_t *b)
{
    fwrite(b->data, 1, b->len, stdout);
    fputc('\n', stdout);
    buf_free(b);
}

/* The bytes of a conversation line, "> hex" (the client's) or "< hex" (the
 * server's), in a new buffer the caller frees, and their count in *n; NULL
 * for any other line. */
static uint8_t *line_bytes(const char *line, size_t *n)
{
    if (line[0] != '>' && line[0] != '<')
        return NULL;
    *n = strcspn(line + 2, "\r\n") / 2;
    uint8_t *p = xmalloc(*n + 1);
    for (size_t i = 0; i < *n; i++)
        sscanf(line + 2 + 2 * i, "%2hhx", &p[i]);
    return p;
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    digest_set_t d;
    char md5[33], sha1[41];
    digest_set_init(&d, false, false);
    digest_set_update(&d, p, n);
    digest_set_final(&d, md5, sha1, out);
    digest_set_free(&d);
}

static void credential(void *ctx, const proto_cred_t *c)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "credential");
    jw_kv_str(&w, "mechanism", c->mechanism);
    jw_kv_str(&w, "user", c->user);
    jw_kv_str(&w, "domain", c->domain);
    jw_kv_str(&w, "host", c->host);
    jw_kv_str(&w, "secret", c->secret);
    jw_kv_bool(&w, "secret_is_hash", c->secret_is_hash);
    jw_kv_str(&w, "outcome",
              c->outcome == CRED_ACCEPTED   ? "accepted"
              : c->outcome == CRED_REJECTED ? "rejected"
                                            : "unknown");
    jw_obj_end(&w);
    emit(&b);
}

static void simple(const char *ev)
{
    printf("{\"ev\":\"%s\"}\n", ev);
}
static void starttls(void *ctx)
{
    simple("starttls");
}

/* ---- messages: whole and by MIME part ---- */

typedef struct message {
    buf_t raw;
    buf_t part; /* decoded bytes of the open part */
    bool open, partial;
    bool dotted; /* ended by "." (SMTP DATA, POP3) */
    unsigned msgno;
    uint64_t gap;
} message_t;

static void part_data(void *ctx, const imf_part_t *p, const uint8_t *d, size_t n)
{
    buf_append(&((message_t *)ctx)->part, d, n);
}

static void part_end(void *ctx, const imf_part_t *p)
{
    message_t *m = ctx;
    char h[65];
    sha256_hex(m->part.data, m->part.len, h);
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "part");
    jw_kv_uint(&w, "index", p->index);
    jw_kv_uint(&w, "depth", p->depth);
    jw_kv_str(&w, "media_type", p->media_type);
    jw_kv_str(&w, "filename", p->filename);
    jw_kv_str(&w, "disposition", p->disposition);
    jw_kv_str(&w, "coding", transfer_coding_name(p->coding));
    jw_kv_uint(&w, "decoded_bytes", p->decoded_bytes);
    jw_kv_uint(&w, "missing", p->missing);
    jw_kv_bool(&w, "unterminated", p->unterminated);
    jw_kv_str(&w, "sha256", h);
    jw_obj_end(&w);
    emit(&b);
    buf_clear(&m->part);
}

static void headers_out(const imf_headers_t *h, jsonw_t *w)
{
    jw_kv_str(w, "from", h->from);
    jw_kv_str(w, "to", h->to);
    jw_kv_str(w, "cc", h->cc);
    jw_kv_str(w, "reply_to", h->reply_to);
    jw_kv_str(w, "subject", h->subject);
    jw_kv_str(w, "date", h->date);
    jw_kv_str(w, "msg_id", h->message_id);
    jw_kv_str(w, "in_reply_to", h->in_reply_to);
    jw_kv_str(w, "x_originating_ip", h->x_originating_ip);
    jw_kv_str(w, "user_agent", h->user_agent);
    jw_kv_str(w, "first_received", h->received[0]);
    jw_kv_str(w, "second_received", h->received[1]);
}

static const imf_callbacks_t imf_cb = {NULL, NULL, part_data, part_end};

static void message_begin(message_t *m, unsigned msgno, bool partial)
{
    buf_clear(&m->raw);
    m->open = true;
    m->partial = partial;
    m->dotted = false;
    m->msgno = msgno;
    m->gap = 0;
}

static void message_end(message_t *m, bool complete)
{
    if (!m->open)
        return;
    m->open = false;
    imf_t *p = imf_new(&imf_cb, m);
    imf_feed(p, m->raw.data, m->raw.len);
    imf_end(p);
    char h[65];
    sha256_hex(m->raw.data, m->raw.len, h);
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "message");
    jw_kv_uint(&w, "msgno", m->msgno);
    jw_kv_bool(&w, "complete", complete);
    jw_kv_bool(&w, "partial", m->partial);
    jw_kv_uint(&w, "missing", m->gap);
    jw_kv_uint(&w, "bytes", m->raw.len);
    jw_kv_str(&w, "sha256", h);
    size_t eml = m->raw.len;
    if (complete && m->dotted && eml >= 2 && m->raw.data[eml - 2] == '\r' &&
        m->raw.data[eml - 1] == '\n')
        eml -= 2;
    sha256_hex(m->raw.data, eml, h);
    jw_kv_str(&w, "eml", h);
    headers_out(imf_headers(p), &w);
    jw_obj_end(&w);
    emit(&b);
    imf_free(p);
}

static message_t msg;

static void m_data(void *ctx, const uint8_t *p, size_t n, uint64_t frame)
{
    buf_append(&msg.raw, p, n);
}
static void m_gap(void *ctx, uint64_t len)
{
    msg.gap += len;
}
static void m_end(void *ctx, bool complete)
{
    message_end(&msg, complete);
}
static void m_begin_numbered(void *ctx, unsigned msgno, bool partial)
{
    message_begin(&msg, msgno, partial);
    msg.dotted = ctx != NULL; /* POP3 is opened with a ctx, IMAP without */
}

/* ---- SMTP ---- */

static void smtp_begin(void *ctx, const smtp_txn_t *t)
{
    message_begin(&msg, t->depth, false);
    msg.dotted = true;
}

static void smtp_txn(void *ctx, const smtp_txn_t *t)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "smtp");
    jw_kv_uint(&w, "trans_depth", t->depth);
    jw_kv_str(&w, "helo", t->helo);
    jw_kv_str(&w, "mailfrom", t->mailfrom);
    jw_key(&w, "rcptto");
    jw_arr_begin(&w);
    for (unsigned i = 0; i < t->nrcpt; i++)
        jw_str(&w, t->rcptto[i]);
    jw_arr_end(&w);
    jw_kv_str(&w, "last_reply", t->last_reply);
    jw_kv_bool(&w, "has_message", t->has_message);
    jw_kv_bool(&w, "tls", t->tls);
    jw_obj_end(&w);
    emit(&b);
}

/* ---- FTP ---- */

static void ftp_txn(void *ctx, const ftp_txn_t *t)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    char a[IPADDR_STRLEN];
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "ftp");
    jw_kv_str(&w, "user", t->user);
    jw_kv_str(&w, "password", t->password);
    jw_kv_str(&w, "command", t->command);
    jw_kv_str(&w, "arg", t->arg);
    jw_kv_str(&w, "cwd", t->cwd);
    jw_kv_uint(&w, "reply_code", t->reply_code);
    jw_kv_str(&w, "reply_msg", t->reply_msg);
    jw_kv_int(&w, "file_size", t->file_size);
    if (t->has_data_channel) {
        jw_kv_bool(&w, "data_channel.passive", t->data.passive);
        jw_kv_str(&w, "data_channel.addr", t->data.has_addr ? ipaddr_str(&t->data.addr, a) : NULL);
        jw_kv_uint(&w, "data_channel.port", t->data.port);
    }
    jw_obj_end(&w);
    emit(&b);
}

/* ---- SMB ---- */

typedef struct smb_file_state {
    uint64_t key;
    fileasm_t fa;
    buf_t data;
} smb_file_state_t;

static smb_file_state_t **files; /* each on its own: fileasm keeps &data */
static size_t nfiles;

static smb_file_state_t *file_of(const smb_file_t *f)
{
    for (size_t i = 0; i < nfiles; i++)
        if (files[i]->key == f->key)
            return files[i];
    return NULL;
}

static void *smb_open(void *ctx, const smb_file_t *f, uint64_t frame)
{
    files = xreallocarray(files, nfiles + 1, sizeof *files);
    smb_file_state_t *s = files[nfiles++] = xcalloc(1, sizeof *s);
    s->key = f->key;
    return s;
}

static void smb_piece(void *ctx, const smb_file_t *f, uint64_t off, const uint8_t *p, size_t n,
                      uint64_t frame)
{
    smb_file_state_t *s = file_of(f);
    if (!s)
        return;
    if (!s->fa.write)
        fileasm_init(&s->fa, fileasm_buffer_write, &s->data);
    fileasm_add(&s->fa, off, p, n);
}

static void smb_close(void *ctx, const smb_file_t *f, uint64_t frame)
{
    smb_file_state_t *s = file_of(f);
    if (!s)
        return;
    if (!s->fa.write)
        fileasm_init(&s->fa, NULL, NULL);
    fileasm_set_size(&s->fa, f->size);
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "smb_file");
    jw_kv_str(&w, "path", f->share);
    jw_kv_str(&w, "name", f->name);
    jw_kv_uint(&w, "size", f->size);
    jw_kv_uint(&w, "seen_bytes", fileasm_covered(&s->fa));
    jw_kv_bool(&w, "is_pipe", f->is_pipe);
    jw_kv_bool(&w, "closed", frame != 0);
    if (fileasm_complete(&s->fa)) {
        char h[65];
        sha256_hex(s->data.data, (size_t)f->size, h);
        jw_kv_str(&w, "sha256", h);
    } else {
        file_range_t r[8];
        uint64_t missing;
        size_t k = fileasm_missing(&s->fa, r, 8, &missing);
        jw_kv_uint(&w, "missing_bytes", missing);
        jw_key(&w, "missing");
        jw_arr_begin(&w);
        for (size_t i = 0; i < k && i < 8; i++) {
            jw_arr_begin(&w);
            jw_uint(&w, r[i].start);
            jw_uint(&w, r[i].end);
            jw_arr_end(&w);
        }
        jw_arr_end(&w);
    }
    jw_obj_end(&w);
    emit(&b);
    fileasm_free(&s->fa);
    buf_free(&s->data);
    for (size_t i = 0; i < nfiles; i++)
        if (files[i] == s)
            files[i] = files[--nfiles];
    free(s);
}

/* ---- TFTP ---- */

static void tftp_run(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    tftp_transfer_t t;
    buf_t data = BUF_INIT;
    char *name = NULL;
    bool started = false;
    fileasm_t fa;
    fileasm_init(&fa, fileasm_buffer_write, &data);
    while (getline(&line, &cap, in) > 0) {
        size_t hl;
        uint8_t *p = line_bytes(line, &hl);
        if (!p)
            continue;
        tftp_packet_t pk;
        if (tftp_parse(p, hl, &pk)) {
            if ((pk.opcode == TFTP_RRQ || pk.opcode == TFTP_WRQ) && !started) {
                free(name);
                name = xstrdup(pk.filename);
                tftp_transfer_init(&t, pk.blksize);
                started = true;
            } else if (pk.opcode == TFTP_OACK && started && pk.blksize) {
                tftp_transfer_init(&t, pk.blksize);
            } else if (pk.opcode == TFTP_DATA && started) {
                uint64_t off;
                if (tftp_transfer_block(&t, pk.block, pk.len, &off))
                    fileasm_add(&fa, off, pk.data, pk.len);
            }
        }
        tftp_packet_free(&pk);
        free(p);
    }
    if (started) {
        fileasm_set_size(&fa, fa.max_end);
        char h[65];
        sha256_hex(data.data, data.len, h);
        printf("{\"ev\":\"tftp_file\",\"name\":\"%s\",\"bytes\":%llu,\"done\":%s,"
               "\"skipped\":%llu,\"sha256\":\"%s\"}\n",
               name, (unsigned long long)t.bytes, t.done ? "true" : "false",
               (unsigned long long)t.skipped, t.done && !t.skipped ? h : "");
    }
    fileasm_free(&fa);
    buf_free(&data);
    free(name);
    free(line);
}

/* ---- Kerberos ---- */

static void krb5_run(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) > 0) {
        size_t hl;
        uint8_t *p = line_bytes(line, &hl);
        if (!p)
            continue;
        krb5_preauth_t a;
        if (krb5_parse_as_req(p, hl, &a)) {
            char *hc = krb5_hashcat(&a);
            buf_t b = BUF_INIT;
            jsonw_t w;
            jw_init(&w, &b, false);
            jw_obj_begin(&w);
            jw_kv_str(&w, "ev", "krb5_preauth");
            jw_kv_str(&w, "cname", a.cname);
            jw_kv_str(&w, "realm", a.realm);
            jw_kv_int(&w, "etype", a.etype);
            jw_kv_str(&w, "hashcat", hc);
            jw_obj_end(&w);
            emit(&b);
            free(hc);
            krb5_preauth_free(&a);
        }
        free(p);
    }
    free(line);
}

/* ---- NTLM over HTTP: "< value" WWW-Authenticate, "> value" Authorization ---- */

static void ntlm_http_run(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    uint8_t tok[8192];
    ntlm_challenge_t ch;
    bool have = false;
    while (getline(&line, &cap, in) > 0) {
        line[strcspn(line, "\r\n")] = 0;
        if ((line[0] != '>' && line[0] != '<') || !line[1])
            continue;
        long n = ntlmssp_http_token(line + 2, tok, sizeof tok);
        if (n < 0)
            continue;
        if (line[0] == '<' && ntlmssp_type(tok, (size_t)n) == NTLMSSP_CHALLENGE) {
            if (have)
                ntlm_challenge_free(&ch);
            have = ntlmssp_parse_challenge(tok, (size_t)n, &ch);
            continue;
        }
        ntlm_auth_t a;
        if (line[0] == '>' && have && ntlmssp_parse_auth(tok, (size_t)n, &a)) {
            const char *mech = NULL;
            char *hc = ntlm_hashcat(&a, ch.server_challenge, &mech);
            proto_cred_t c = {mech, a.user, a.domain, a.host, hc ? hc : "", true, CRED_UNKNOWN, 0};
            credential(NULL, &c);
            free(hc);
            ntlm_auth_free(&a);
        }
    }
    if (have)
        ntlm_challenge_free(&ch);
    free(line);
}

/* An SMB1 delete or rename by path. */
static void smb_path(void *ctx, const smb_path_action_t *a, uint64_t frame)
{
    (void)ctx;
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "ev", "smb_path");
    jw_kv_str(&w, "action", a->kind == SMB_PATH_RENAME ? "rename" : "delete");
    jw_kv_str(&w, "path", a->share);
    jw_kv_str(&w, "name", a->name);
    if (a->new_name)
        jw_kv_str(&w, "new_name", a->new_name);
    jw_kv_bool(&w, "is_dir", a->is_dir);
    jw_kv_uint(&w, "request_frame", a->request_frame);
    jw_kv_uint(&w, "frame", frame);
    jw_obj_end(&w);
    emit(&b);
}

/* ---- the driver ---- */

typedef struct driver {
    void *(*open)(void);
    void (*data)(void *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
    void (*gap)(void *s, bool is_orig, uint64_t len);
    void (*close)(void *s);
} driver_t;

static const ftp_callbacks_t ftp_cb = {ftp_txn, NULL, NULL, credential, starttls};
static const smtp_callbacks_t smtp_cb = {smtp_begin, m_data,     m_gap,    m_end,
                                         smtp_txn,   credential, starttls, NULL};
/* Sections fetched alone (IMAP BODY[2], ...) are not messages: skipped. */
static const mailbox_callbacks_t mailbox_cb = {m_begin_numbered, m_data, m_gap, m_end, credential,
                                               starttls,         NULL,   NULL,  NULL};
static const smb_callbacks_t smb_cb = {smb_open,   smb_piece, smb_piece, smb_close,
                                       credential, NULL,      smb_path};

static void *ftp_open(void)
{
    return ftp_conn_new(&ftp_cb, NULL);
}
static void *smtp_open(void)
{
    return smtp_session_new(&smtp_cb, NULL);
}
static void *pop3_open(void)
{
    return pop3_session_new(&mailbox_cb, &msg);
}
static void *imap_open(void)
{
    return imap_session_new(&mailbox_cb, NULL);
}
static void *smb_open_conn(void)
{
    return smb_conn_new(&smb_cb, NULL, NULL);
}
static void smb_close_conn(void *s)
{
    const smb_stats_t *st = smb_conn_stats(s);
    printf("{\"ev\":\"smb_stats\",\"messages\":%llu,\"pdus\":%llu,\"malformed\":%llu,"
           "\"unmatched\":%llu,\"unknown_file\":%llu,\"encrypted\":%llu}\n",
           (unsigned long long)st->messages, (unsigned long long)st->pdus,
           (unsigned long long)st->malformed, (unsigned long long)st->unmatched,
           (unsigned long long)st->unknown_file, (unsigned long long)st->encrypted);
    smb_conn_free(s);
}

#define D(open, data, gap, close)                                                                  \
    {                                                                                              \
        open, (void (*)(void *, bool, const uint8_t *, size_t, uint64_t))data,                     \
            (void (*)(void *, bool, uint64_t))gap, (void (*)(void *))close                         \
    }

static const struct {
    const char *name;
    driver_t d;
} drivers[] = {
    {"ftp", D(ftp_open, ftp_conn_data, ftp_conn_gap, ftp_conn_free)},
    {"smtp", D(smtp_open, smtp_session_data, smtp_session_gap, smtp_session_free)},
    {"pop3", D(pop3_open, pop3_session_data, pop3_session_gap, pop3_session_free)},
    {"imap", D(imap_open, imap_session_data, imap_session_gap, imap_session_free)},
    {"smb", D(smb_open_conn, smb_conn_data, smb_conn_gap, smb_close_conn)},
};

/* Protocols replayed by a function of their own rather than a driver. */
static const struct {
    const char *name;
    void (*run)(FILE *in);
} runners[] = {{"tftp", tftp_run}, {"krb5", krb5_run}, {"ntlm-http", ntlm_http_run}};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr,
                "usage: proto_replay ftp|smtp|pop3|imap|smb|tftp|krb5|ntlm-http < conversation\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof runners / sizeof *runners; i++)
        if (strcmp(argv[1], runners[i].name) == 0) {
            runners[i].run(stdin);
            return 0;
        }
    const driver_t *d = NULL;
    for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++)
        if (strcmp(argv[1], drivers[i].name) == 0)
            d = &drivers[i].d;
    if (!d) {
        fprintf(stderr, "proto_replay: unknown protocol %s\n", argv[1]);
        return 2;
    }
    void *s = d->open();
    char *line = NULL;
    size_t cap = 0;
    uint64_t frame = 0;
    while (getline(&line, &cap, stdin) > 0) {
        frame++;
        if (line[0] == 'G') {
            d->gap(s, line[1] == '>', strtoull(line + 3, NULL, 10));
            continue;
        }
        size_t hl;
        uint8_t *p = line_bytes(line, &hl);
        if (!p)
            continue;
        d->data(s, line[0] == '>', p, hl, frame);
        free(p);
    }
    d->close(s);
    message_end(&msg, false);
    buf_free(&msg.raw);
    buf_free(&msg.part);
    free(line);
    free(files);
    return 0;
}
