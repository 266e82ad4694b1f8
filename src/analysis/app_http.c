/* app_http.c — see app_http.h.
 *
 * A CONNECT answered 2xx ends HTTP on the connection: what follows, both
 * ways, is a new stream (TLS to the target, or plain HTTP, SMTP, ...) that
 * an inner stream of the analyser table reads as if it were a connection
 * of its own (analyser.h, "Tunnels").  Its records carry the connection's
 * uid.  The CONNECT's http row waits until the tunnel's protocol is known,
 * so it can say what the tunnel carried (tunnel), or that nothing could
 * read it. */
#include "analysis/app_http.h"

#include "analysis/mailmsg.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "analysis/http_doh.h"
#include "core/buf.h"
#include "proto/body.h"
#include "proto/doh.h"
#include "proto/filemagic.h"
#include "proto/formcreds.h"
#include "proto/http.h"
#include "proto/http2.h"
#include "proto/mime.h"
#include "proto/ntlmssp.h"

#include <openssl/evp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct http_state http_state_t;

/* Gaps listed per body on its files row.  A body torn by more holes than
 * that is hardly evidence of anything but the holes; the last range then
 * stretches to cover the rest (missing_bytes keeps the exact count). */
#define HTTP_MAX_MISSING_RANGES 32

typedef struct body_state {
    http_state_t *s;
    evidence_file_t *ev; /* the decoded body as evidence (carving only) */
    bool carve;
    digest_set_t hash;        /* of the decoded body */
    EVP_MD_CTX *enc;          /* SHA-256 of the body as sent, when it was encoded */
    evidence_file_t *wire_ev; /* the body as sent, when encoded (kept if decoding fails) */
    uint64_t wire_bytes;      /* bytes as sent seen (gaps excluded) */
    bool wire_capped;         /* more than --max-body as sent: not kept whole */
    bool wire_partial;        /* the bytes as sent are not all there */
    file_range_t gaps[HTTP_MAX_MISSING_RANGES]; /* wire offsets lost */
    size_t ngaps;
    body_decoder_t *dec;
    uint8_t *head; /* the first FILEMAGIC_BYTES decoded, to be typed */
    size_t nhead, head_cap;
    uint64_t missing;
    uint64_t first_frame, last_frame;
    ts_ns_t first_ts, last_ts;
    const char *stopped;
    bool write_failed;
    bool doh;         /* application/dns-message: the DNS message is kept in dns_msg */
    buf_t dns_msg;    /* at most DOH_MAX_MESSAGE bytes */
    bool dns_too_big; /* longer than any DNS message: not DNS */
    /* results, for the http row */
    char fuid[UID_LEN];
    filetype_t type;     /* libmagic's answers ("" when it could not tell) */
    const char *mime;    /* files row, mismatch finding: type.mime (the
                          * sniffer's without libmagic); NULL: none */
    const char *sniffed; /* the sniffer's type, for the http row (static) */
    bool logged;
    mailmsg_t *attached; /* a message/rfc822 body: the messages attached inside it */
} body_state_t;

/* The stream after a CONNECT answered 2xx, and the CONNECT's row, held
 * until the stream's protocol is known (or the connection ends). */
typedef struct tunnel {
    an_inner_t *in;    /* NULL: no tunnel */
    http_txn_t *held;  /* the CONNECT (http_txn_take), NULL once logged */
    http_record_t row; /* its row but the tunnel member */
    char orig_fuid[UID_LEN], resp_fuid[UID_LEN];
} tunnel_t;

/* One connection's HTTP: HTTP/1.x until (unless) it switches to HTTP/2
 * (an "Upgrade: h2c" answered 101) or to a tunnel (a CONNECT answered
 * 2xx); HTTP/2 from the start when the table chose the HTTP/2 line (the
 * client preface, or ALPN h2 inside TLS). */
struct http_state {
    const an_ctx_t *an;
    const analysis_opts_t *opts;
    conn_t *c;
    http_conn_t *hc; /* HTTP/1.x; NULL when HTTP/2 from the start */
    h2_conn_t *h2;   /* HTTP/2, or NULL */
    tunnel_t tun;
    /* NTLM: the server challenge of the last CHALLENGE on this connection,
     * from the origin server (401) and from a proxy (407): a login on the
     * connection answers it (NTLM authenticates the connection) */
    uint8_t ntlm_challenge[2][8];
    bool has_ntlm_challenge[2];
};

/* File ids from the connection's uid, the transaction and the direction;
 * inside a tunnel also its depth (trans_depth starts again at 1 there). */
static void make_fuid(const an_ctx_t *an, const conn_t *c, unsigned depth, bool is_orig,
                      char out[UID_LEN])
{
    uint64_t parts[2] = {hash_fnv1a(c->uid, strlen(c->uid), 0),
                         (uint64_t)an->tunnel << 48 | (uint64_t)depth << 1 | is_orig};
    uint64_t h1 = hash_fnv1a(parts, sizeof parts, 0);
    zeek_id('F', h1, hash_fnv1a(&h1, 8, 0x51ed27), out);
}

/* Keep the first FILEMAGIC_BYTES of the decoded body for typing, in a
 * buffer that grows with the body up to exactly that (most bodies are
 * small; a 64 KiB buffer each would be most of the memory of a busy
 * connection's bodies in flight). */
static void keep_head(body_state_t *b, const uint8_t *p, size_t n)
{
    size_t k = n < FILEMAGIC_BYTES - b->nhead ? n : FILEMAGIC_BYTES - b->nhead;
    if (!k)
        return;
    if (b->nhead + k > b->head_cap) {
        size_t cap = b->head_cap ? b->head_cap : 4096;
        while (cap < b->nhead + k)
            cap *= 2;
        b->head_cap = cap < FILEMAGIC_BYTES ? cap : FILEMAGIC_BYTES;
        b->head = xrealloc(b->head, b->head_cap);
    }
    memcpy(b->head + b->nhead, p, k);
    b->nhead += k;
}

/* decoded bytes: hash, keep the head for typing, keep */
static void decoded(void *ctx, const uint8_t *p, size_t n)
{
    body_state_t *b = ctx;
    digest_set_update(&b->hash, p, n);
    keep_head(b, p, n);
    if (b->doh && !b->dns_too_big) {
        if (b->dns_msg.len + n > DOH_MAX_MESSAGE)
            b->dns_too_big = true;
        else
            buf_append(&b->dns_msg, p, n);
    }
    if (b->attached)
        mailmsg_data(b->attached, p, n, b->last_frame, b->last_ts);
    if (b->ev && !b->write_failed && !b->s->an->evidence->write(b->ev, p, n))
        b->write_failed = true;
}

static void on_body_begin(void *ctx, http_txn_t *t, bool is_orig)
{
    http_state_t *s = ctx;
    body_state_t *b = xcalloc(1, sizeof *b);
    b->s = s;
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    bool coded = body_coding_of(m->cenc) != BODY_IDENTITY;
    digest_set_init(&b->hash, s->opts->hashes & HASH_MD5, s->opts->hashes & HASH_SHA1);
    if (coded)
        b->enc = digest_new(EVP_sha256());
    b->dec = body_decoder_for(m->cenc, s->opts->max_body, decoded, b);
    b->carve = s->opts->carve && s->an->evidence;
    b->doh = doh_is_dns_message(m->ctype);
    b->dns_msg = (buf_t)BUF_INIT;
    if (b->carve)
        b->ev = s->an->evidence->open(s->an->evidence->ctx);
    if (b->carve && coded)
        b->wire_ev = s->an->evidence->open(s->an->evidence->ctx);
    make_fuid(s->an, s->c, t->depth, is_orig, b->fuid);
    if (b->carve && m->ctype && strncasecmp(m->ctype, "message/rfc822", 14) == 0)
        b->attached = mailmsg_new_attached_only(s->an, s->c, "HTTP", is_orig,
                                                (uint64_t)t->depth << 1 | is_orig);
    t->user[is_orig ? 0 : 1] = b;
}

/* The body as sent, while it fits under --max-body. */
static void keep_wire_bytes(body_state_t *b, const uint8_t *p, size_t n)
{
    if (!b->wire_ev || b->wire_capped)
        return;
    if (b->wire_bytes + n > b->s->opts->max_body || !b->s->an->evidence->write(b->wire_ev, p, n))
        b->wire_capped = true;
}

/* len bytes lost at wire offset start: listed on the row. */
static void note_gap(body_state_t *b, uint64_t start, uint64_t len)
{
    if (b->ngaps && b->gaps[b->ngaps - 1].end == start) {
        b->gaps[b->ngaps - 1].end += len;
        return;
    }
    if (b->ngaps == HTTP_MAX_MISSING_RANGES) {
        b->gaps[b->ngaps - 1].end = start + len;
        return;
    }
    b->gaps[b->ngaps].start = start;
    b->gaps[b->ngaps].end = start + len;
    b->ngaps++;
}

static void on_body_data(void *ctx, http_txn_t *t, bool is_orig, const uint8_t *p, size_t n,
                         uint64_t frame, ts_ns_t ts)
{
    (void)ctx;
    body_state_t *b = t->user[is_orig ? 0 : 1];
    if (!b)
        return;
    if (!b->first_frame) {
        b->first_frame = frame;
        b->first_ts = ts;
    }
    b->last_frame = frame;
    b->last_ts = ts;
    if (b->enc)
        EVP_DigestUpdate(b->enc, p, n);
    keep_wire_bytes(b, p, n);
    b->wire_bytes += n;
    body_decoder_feed(b->dec, p, n);
}

static void on_body_gap(void *ctx, http_txn_t *t, bool is_orig, uint64_t len)
{
    (void)ctx;
    body_state_t *b = t->user[is_orig ? 0 : 1];
    if (!b)
        return;
    note_gap(b, b->wire_bytes + b->missing, len);
    b->missing += len;
    /* compressed data cannot be decoded across a hole: the decoder stops
     * there (and says so); identity bodies go on */
    body_decoder_gap(b->dec, len);
    if (b->enc && !b->stopped)
        b->stopped = "gap_in_encoded_body";
}

/* Keep the finished body as the evidence named sha256, or sha256.partial
 * when it is not the whole file (cut by a cap, a gap, the connection's end
 * or a decoding failure): the name must not claim a whole file. */
static void store(body_state_t *b, const char *sha256, bool partial)
{
    if (b->ev) {
        char name[80];
        snprintf(name, sizeof name, "%s%s", sha256, partial ? ".partial" : "");
        b->s->an->evidence->commit(b->ev, name, b->first_frame);
    }
    b->ev = NULL;
}

/* Drop the body's evidence (nothing to keep). */
static void drop(body_state_t *b)
{
    if (b->ev)
        b->s->an->evidence->abort(b->ev);
    b->ev = NULL;
}

/* Keep the body as sent (named enc) when its decoding failed, stayed
 * partial or gave nothing: the wire bytes are then the evidence.  Returns
 * whether it was kept. */
static bool store_wire(body_state_t *b, bool wanted, bool partial, const char *enc,
                       const char *sha256)
{
    evidence_file_t *w = b->wire_ev;
    b->wire_ev = NULL;
    if (!w)
        return false;
    /* the same bytes as the decoded file ("not_gzip"): one artifact */
    bool keep = wanted && !b->wire_capped && b->wire_bytes > 0 && strcmp(enc, sha256) != 0;
    if (keep) {
        char name[80];
        snprintf(name, sizeof name, "%s%s", enc, partial ? ".partial" : "");
        return b->s->an->evidence->commit(w, name, b->first_frame);
    }
    b->s->an->evidence->abort(w);
    return false;
}

static char *url_of(const http_txn_t *t)
{
    if (!t->uri)
        return NULL;
    if (strncmp(t->uri, "http://", 7) == 0 || strncmp(t->uri, "https://", 8) == 0)
        return xstrdup(t->uri);
    return xasprintf("http://%s%s", t->host ? t->host : "", t->uri);
}

/* The boundary of a multipart/byteranges Content-Type, or NULL. */
static char *multipart_boundary(const char *ctype)
{
    if (!ctype || strncasecmp(ctype, "multipart/byteranges", 20) != 0)
        return NULL;
    const char *b = strcasestr(ctype, "boundary=");
    if (!b)
        return NULL;
    b += 9;
    bool quoted = *b == '"';
    b += quoted;
    size_t n = 0;
    while (b[n] && n < 70 && (quoted ? b[n] != '"' : (b[n] != ';' && b[n] != ' ')))
        n++;
    return n ? xstrndup(b, n) : NULL;
}

/* A complete, unencoded part of a 206 response: report it for assembly. */
static void note_range(http_state_t *s, const http_txn_t *t, const body_state_t *b,
                       const char *sha256, const char *url, uint64_t seen)
{
    range_part_t r = {.ts = b->first_ts,
                      .url = url,
                      .sha256 = sha256,
                      .fuid = b->fuid,
                      .first_frame = b->first_frame,
                      .last_frame = b->last_frame};
    char *boundary = multipart_boundary(t->resp.ctype);
    if (!boundary && (!http_parse_content_range(t->resp.crange, &r.start, &r.end, &r.total) ||
                      seen != r.end - r.start + 1 || r.total > s->opts->max_body))
        return;
    if (url) {
        r.boundary = boundary;
        an_conn_ident(s->c, &r.conn);
        s->an->records->range_part(s->an->records->ctx, &r);
    }
    free(boundary);
}

/* Why the body is not whole (NULL when it is). */
static const char *cut_short(body_state_t *b, const http_msg_t *m)
{
    const char *why = body_decoder_finish(b->dec);
    if (!why)
        why = b->stopped;
    if (!why)
        why = m->incomplete;
    return why;
}

/* The files record of a finished body (its digests given). */
static void file_row(http_state_t *s, const http_txn_t *t, bool is_orig, body_state_t *b,
                     const char *why, const char *const hex[4], const char *url, bool wire_kept)
{
    const http_msg_t *m = is_orig ? &t->req : &t->resp;
    file_record_t f = {.ts = b->first_ts,
                       .has_duration = true,
                       .duration = b->last_ts - b->first_ts,
                       .source = "HTTP",
                       .mime = b->mime,
                       .description = b->type.desc[0] ? b->type.desc : NULL,
                       .declared_mime = m->ctype,
                       .is_orig = is_orig,
                       .seen_bytes = body_decoder_out(b->dec),
                       .total_bytes = m->clen >= 0 && !b->enc ? m->clen : -1,
                       .missing_bytes = b->missing,
                       .md5 = hex[0],
                       .sha1 = hex[1],
                       .sha256 = hex[2],
                       .extracted = b->carve && body_decoder_out(b->dec) > 0,
                       .partial = why != NULL || b->missing > 0,
                       .encoded_extracted = wire_kept,
                       .encoded_partial = b->wire_partial,
                       .decode_failed = b->enc && body_decoder_stopped(b->dec),
                       .decode_error_offset = body_decoder_stop_offset(b->dec),
                       .missing_ranges = b->gaps,
                       .nmissing_ranges = b->ngaps,
                       .url = url,
                       .content_encoding = m->cenc,
                       .encoded_sha256 = hex[3],
                       .content_range = m->crange,
                       .decoding_note = body_decoder_note(b->dec),
                       .trailing_bytes = body_decoder_trailing(b->dec),
                       .truncated = why != NULL || b->missing > 0,
                       .decrypted = s->an->decrypted,
                       .truncated_reason = why,
                       .first_frame = b->first_frame,
                       .last_frame = b->last_frame};
    an_conn_ident(s->c, &f.conn);
    memcpy(f.fuid, b->fuid, sizeof f.fuid);
    char *fname = http_suggest_filename(m->cdisp, t->uri);
    f.filename = fname;
    s->an->records->file(s->an->records->ctx, &f);
    free(fname);
}

/* What the decoded body is: libmagic's type and description (cached by
 * the body's SHA-256) for its files row, and the sniffer's type for the
 * http row's resp_mime_types, which agrees better with Zeek's http.log
 * (docs/dependencies.md).  Without libmagic (an_magic noted that as
 * damage), or with --quick-types, the sniffer's type serves both.  Nothing for an empty body. */
static void type_body(const http_state_t *s, body_state_t *b, const char *sha256)
{
    b->mime = b->sniffed = NULL;
    if (!b->nhead)
        return;
    b->sniffed = mime_sniff(b->head, b->nhead < MIME_SNIFF_BYTES ? b->nhead : MIME_SNIFF_BYTES);
    filemagic_t *m = s->opts->quick_types ? NULL : an_magic(s->an, b->first_frame);
    if (!m) {
        b->mime = b->sniffed;
        return;
    }
    filemagic_type(m, sha256, b->head, b->nhead, &b->type);
    b->mime = b->type.mime[0] ? b->type.mime : NULL;
}

static void on_body_end(void *ctx, http_txn_t *t, bool is_orig)
{
    http_state_t *s = ctx;
    body_state_t *b = t->user[is_orig ? 0 : 1];
    if (!b || b->logged)
        return;
    b->logged = true;
    if (b->attached) {
        mailmsg_end(b->attached, true);
        mailmsg_free(b->attached);
        b->attached = NULL;
    }
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    const char *why = cut_short(b, m);
    uint64_t seen = body_decoder_out(b->dec);
    char md5[33], sha1[41], sha256[65], enc[65];
    digest_set_final(&b->hash, md5, sha1, sha256);
    digest_final_hex(b->enc, enc);
    type_body(s, b, sha256);
    bool failed = b->enc && (body_decoder_stopped(b->dec) || body_decoder_undecoded(b->dec));
    b->wire_partial = b->missing > 0 || m->incomplete != NULL;
    bool wire_kept = store_wire(b, failed || seen == 0 || b->missing, b->wire_partial, enc, sha256);
    if (seen == 0 && b->wire_bytes == 0 && b->missing == 0) {
        drop(b);
        b->fuid[0] = 0; /* no file: nothing to point at */
        return;
    }
    if (seen == 0) { /* bytes on the wire but nothing decoded: the row says so */
        drop(b);
        md5[0] = sha1[0] = sha256[0] = 0;
    } else {
        store(b, sha256, why != NULL || b->missing > 0);
    }
    char *url = url_of(t);
    const char *const hex[4] = {md5, sha1, sha256, enc};
    file_row(s, t, is_orig, b, why, hex, url, wire_kept);
    if (!is_orig && t->status == 206 && !why && !b->missing && !b->enc && b->carve &&
        !b->write_failed)
        note_range(s, t, b, sha256, url, seen);
    if (why && (strcmp(why, "max_body") == 0 || strcmp(why, "decompression_ratio") == 0))
        damage_note(s->an->damage,
                    strcmp(why, "max_body") == 0 ? "limit.http_max_body"
                                                 : "limit.http_decompression_ratio",
                    b->first_frame);
    if (!is_orig && mime_suspicious_mismatch(m->ctype, b->mime)) {
        mime_mismatch_t mm = {.ts = b->first_ts,
                              .url = url,
                              .declared = m->ctype,
                              .sniffed = b->mime,
                              .sha256 = sha256,
                              .frame = b->first_frame};
        an_conn_ident(s->c, &mm.conn);
        s->an->records->mime_mismatch(s->an->records->ctx, &mm);
    }
    free(url);
}

static void body_free(body_state_t *b)
{
    if (!b)
        return;
    drop(b);
    mailmsg_free(b->attached);
    if (b->wire_ev)
        b->s->an->evidence->abort(b->wire_ev);
    digest_set_free(&b->hash);
    buf_free(&b->dns_msg);
    free(b->head);
    EVP_MD_CTX_free(b->enc);
    body_decoder_free(b->dec);
    free(b);
}

/* The http record of a finished transaction. */
static http_record_t record_of(const http_state_t *s, const http_txn_t *t)
{
    body_state_t *rb = t->user[0], *sb = t->user[1];
    http_record_t h = {.ts = t->req.has ? t->req.ts : t->resp.ts,
                       .txn = t,
                       .request_body_len = rb ? body_decoder_out(rb->dec) : 0,
                       .response_body_len = sb ? body_decoder_out(sb->dec) : 0,
                       .orig_fuid = rb && rb->fuid[0] ? rb->fuid : NULL,
                       .resp_fuid = sb && sb->fuid[0] ? sb->fuid : NULL,
                       .resp_mime = sb ? sb->sniffed : NULL,
                       .decrypted = s->an->decrypted};
    an_conn_ident(s->c, &h.conn);
    return h;
}

/* The server's verdict on a login of t: refused is the status asking for
 * credentials again (401 from the server, 407 from a proxy), any other
 * answer took them; NULL when no answer was seen. */
static const char *login_outcome(const http_txn_t *t, bool proxy)
{
    return !t->status ? NULL : t->status == (proxy ? 407 : 401) ? "rejected" : "accepted";
}

/* An NTLM login (AUTHENTICATE) in t's request: a hashcat line when the
 * connection saw the challenge it answers, then whatever challenge t's
 * response carries kept for the next one. */
static void ntlm_login(http_state_t *s, const http_txn_t *t, const http_record_t *h)
{
    ntlm_auth_t a;
    int who = t->ntlm_proxy;
    if (t->ntlm_auth && ntlmssp_parse_auth(t->ntlm_auth, t->ntlm_auth_len, &a)) {
        const char *mech = NULL;
        char *line =
            s->has_ntlm_challenge[who] ? ntlm_hashcat(&a, s->ntlm_challenge[who], &mech) : NULL;
        if (line) { /* not an anonymous login, nor one whose challenge was not seen */
            credential_t cr = {.conn = h->conn,
                               .ts = h->ts,
                               .proto = "http",
                               .username = a.user,
                               .has_password = true,
                               .frame = t->req.first_frame,
                               .mechanism = mech,
                               .domain = a.domain,
                               .host = a.host,
                               .secret = line,
                               .hashed = true,
                               .outcome = login_outcome(t, who),
                               .decrypted = s->an->decrypted};
            s->an->records->credential(s->an->records->ctx, &cr);
        }
        free(line);
        ntlm_auth_free(&a);
    }
    if (t->has_ntlm_challenge) {
        who = t->status == 407;
        memcpy(s->ntlm_challenge[who], t->ntlm_challenge, sizeof t->ntlm_challenge);
        s->has_ntlm_challenge[who] = true;
    }
}

/* A Basic login of t's request (to the server, or to a proxy). */
static void basic_login(const http_state_t *s, const http_record_t *h, const char *mechanism,
                        const char *user, bool has_password, const char *password, bool proxy)
{
    credential_t cr = {.conn = h->conn,
                       .ts = h->ts,
                       .proto = "http-basic",
                       .username = user,
                       .has_password = has_password,
                       .frame = h->txn->req.first_frame,
                       .mechanism = mechanism,
                       .secret = password,
                       .outcome = login_outcome(h->txn, proxy),
                       .decrypted = s->an->decrypted};
    s->an->records->credential(s->an->records->ctx, &cr);
}

/* A login in the HTML form h's request posted (an urlencoded body with a
 * password field, formcreds.h), whole in the head kept for typing (a form
 * is small; FORMCREDS_MAX_BODY is that head's size).  No outcome: the
 * answer to a form does not say whether the login worked (a 200 page may
 * say "wrong password", a redirect may lead back to the form). */
static void form_login(const http_state_t *s, const http_record_t *h)
{
    const http_txn_t *t = h->txn;
    const body_state_t *b = t->user[0];
    const char *ct = t->req.ctype;
    if (!b || !b->nhead || !ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
        body_decoder_out(b->dec) != b->nhead || b->nhead > FORMCREDS_MAX_BODY)
        return;
    char *user = NULL, *password = NULL, *field = NULL;
    if (!formcreds_find(b->head, b->nhead, &user, &password, &field))
        return;
    credential_t cr = {.conn = h->conn,
                       .ts = h->ts,
                       .proto = "http-form",
                       .username = user ? user : "",
                       .has_password = password && password[0],
                       .frame = t->req.first_frame,
                       .mechanism = "Form POST",
                       .secret = password,
                       .decrypted = s->an->decrypted};
    s->an->records->credential(s->an->records->ctx, &cr);
    free(user), free(password), free(field);
}

/* Report the row h, and the credentials its transaction carried. */
static void report_row(http_state_t *s, const http_record_t *h)
{
    const http_txn_t *t = h->txn;
    s->an->records->http(s->an->records->ctx, h);
    form_login(s, h);
    if (t->proxy_username)
        basic_login(s, h, "Proxy Basic", t->proxy_username, t->proxy_has_password,
                    t->proxy_password, true);
    ntlm_login(s, t, h);
    if (t->username)
        basic_login(s, h, "Basic", t->username, t->has_password, t->password, false);
}

static void http_row(http_state_t *s, http_txn_t *t)
{
    http_record_t h = record_of(s, t);
    report_row(s, &h);
}

static const http_callbacks_t callbacks;

/* A DoH message body as http_doh.h takes it (empty when it is none). */
static doh_body_t doh_body(const body_state_t *b)
{
    if (!b || !b->doh || b->dns_too_big)
        return (doh_body_t){0};
    return (doh_body_t){b->dns_msg.data, b->dns_msg.len, b->first_frame, b->first_ts};
}

/* DNS over HTTPS: an application/dns-message body either way. */
static void doh(const http_state_t *s, const http_txn_t *t)
{
    const body_state_t *rb = t->user[0], *sb = t->user[1];
    if ((rb && rb->doh) || (sb && sb->doh)) {
        doh_body_t q = doh_body(rb), r = doh_body(sb);
        http_doh_exchange(s->an, s->c, t, &q, &r);
    }
}

/* Is this the 101 answer to "Upgrade: h2c"?  Then the rest is HTTP/2. */
static bool upgraded_to_h2c(const http_txn_t *t)
{
    return t->status == 101 && t->upgrade && strcasecmp(t->upgrade, "h2c") == 0;
}

/* Is this a CONNECT answered 2xx?  Then the rest is a tunnel (http.c
 * hands it to switched()). */
static bool tunnel_opened(const http_txn_t *t)
{
    return t->method && strcmp(t->method, "CONNECT") == 0 && t->status / 100 == 2;
}

/* The port of a CONNECT's authority ("host:port", "[v6]:port"), 0 when it
 * names none. */
static uint16_t target_port(const char *authority)
{
    const char *colon = authority ? strrchr(authority, ':') : NULL;
    if (!colon || strchr(colon, ']'))
        return 0;
    unsigned long port = 0;
    const char *d = colon + 1;
    for (; *d >= '0' && *d <= '9' && port <= 65535; d++)
        port = port * 10 + (unsigned long)(*d - '0');
    return d > colon + 1 && !*d && port > 0 && port <= 65535 ? (uint16_t)port : 0;
}

/* Open the tunnel after CONNECT t and make its row, to be held once its
 * bodies are freed (hold_txn): their ids are copied. */
static void open_tunnel(http_state_t *s, const http_txn_t *t)
{
    tunnel_t *tun = &s->tun;
    tun->in = an_inner_new_tunnel(s->an, s->c, target_port(t->uri));
    tun->row = record_of(s, t);
    if (tun->row.orig_fuid)
        tun->row.orig_fuid = memcpy(tun->orig_fuid, tun->row.orig_fuid, UID_LEN);
    if (tun->row.resp_fuid)
        tun->row.resp_fuid = memcpy(tun->resp_fuid, tun->row.resp_fuid, UID_LEN);
}

/* Keep the CONNECT t (its bodies freed) for its row. */
static void hold_txn(http_state_t *s, http_txn_t *t)
{
    s->tun.held = http_txn_take(t);
    s->tun.row.txn = s->tun.held;
}

/* Log the held CONNECT row, saying what its tunnel carried. */
static void log_tunnel_row(http_state_t *s)
{
    tunnel_t *tun = &s->tun;
    if (!tun->held)
        return;
    const char *inner = an_inner_name(tun->in);
    tun->row.tunnel = inner ? inner : an_inner_unread(tun->in) ? "unknown" : "none";
    if (!inner && an_inner_unread(tun->in))
        http_txn_weird(tun->held, "connect_tunnel_unidentified");
    report_row(s, &tun->row);
    http_txn_free(tun->held);
    tun->held = NULL;
}

static void on_txn_done(void *ctx, http_txn_t *t)
{
    http_state_t *s = ctx;
    if (s->hc && !s->h2 && upgraded_to_h2c(t)) {
        s->h2 = h2_conn_new(&callbacks, s);
        h2_conn_upgraded(s->h2, t);
    }
    /* bodies not ended by framing (connection ended) are logged now */
    on_body_end(ctx, t, true);
    on_body_end(ctx, t, false);
    if (t->host)
        an_name_hint(s->c, t->host);
    if (t->weird && strcmp(t->weird, "too_many_pending_requests") == 0)
        damage_note(s->an->damage, "limit.http_pending", t->req.first_frame);
    bool tunnel = s->hc && !s->h2 && !s->tun.in && tunnel_opened(t);
    if (tunnel)
        open_tunnel(s, t);
    else
        http_row(s, t);
    doh(s, t);
    body_free(t->user[0]);
    body_free(t->user[1]);
    t->user[0] = t->user[1] = NULL;
    if (tunnel)
        hold_txn(s, t);
}

static const http_callbacks_t callbacks = {on_body_begin, on_body_data, on_body_gap, on_body_end,
                                           on_txn_done};

/* The bytes after a 101 or CONNECT: HTTP/2 after an h2c upgrade, the
 * tunnel after a CONNECT, else another protocol we do not read (after a
 * 101 to a protocol but h2c: dropped). */
static void switched(void *ctx, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    http_state_t *s = ctx;
    if (s->h2) {
        h2_conn_data(s->h2, is_orig, p, n, frame, ts);
    } else if (s->tun.in) {
        an_inner_data(s->tun.in, is_orig, p, n, frame, ts);
        if (an_inner_name(s->tun.in))
            log_tunnel_row(s);
    }
}

static http_state_t *state_new(const an_ctx_t *an, conn_t *c)
{
    http_state_t *s = xcalloc(1, sizeof *s);
    s->an = an;
    s->opts = an->opts;
    s->c = c;
    an_claim(an, c);
    return s;
}

static void *http_new(const an_ctx_t *an, conn_t *c)
{
    http_state_t *s = state_new(an, c);
    s->hc = http_conn_new(&callbacks, s);
    http_conn_on_switch(s->hc, switched, s);
    return s;
}

static void *http2_new(const an_ctx_t *an, conn_t *c)
{
    http_state_t *s = state_new(an, c);
    s->h2 = h2_conn_new(&callbacks, s);
    return s;
}

/* HTTP/1.x hands the bytes after an upgrade to switched(); HTTP/2 from the
 * start gets them all. */
static void http_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    http_state_t *s = state;
    if (s->hc)
        http_conn_data(s->hc, is_orig, p, n, frame, ts);
    else
        h2_conn_data(s->h2, is_orig, p, n, frame, ts);
}

static void http_gap(void *state, bool is_orig, uint64_t len)
{
    http_state_t *s = state;
    if (s->h2)
        h2_conn_gap(s->h2, is_orig, len);
    else if (s->tun.in)
        an_inner_gap(s->tun.in, is_orig, len);
    else
        http_conn_gap(s->hc, is_orig, len);
}

static void http_end(void *state, bool is_orig)
{
    http_state_t *s = state;
    if (s->h2)
        h2_conn_end(s->h2, is_orig);
    else if (s->tun.in)
        an_inner_end(s->tun.in, is_orig);
    else
        http_conn_end(s->hc, is_orig);
}

/* What HTTP/2 could not read goes to the capture's damage table. */
static void h2_damage(const http_state_t *s, const h2_stats_t *st)
{
    damage_t *d = s->an->damage;
    uint64_t frame = s->c->first_frame;
    if (st->damaged)
        damage_note(d, st->damaged, frame);
    if (st->limit_streams)
        damage_note(d, "limit.http2_streams", frame);
    if (st->limit_frame)
        damage_note(d, "limit.http2_frame_buffer", frame);
    if (st->limit_headers)
        damage_note(d, "limit.http2_header_list", frame);
}

/* Flush the last transactions and free. */
static void http_finish(void *state)
{
    http_state_t *s = state;
    http_conn_free(s->hc); /* an upgraded connection: its 101 was reported already */
    log_tunnel_row(s);     /* a tunnel no analyser took: "unknown" or "none" */
    an_inner_finish(s->tun.in);
    if (s->h2) {
        h2_damage(s, h2_conn_stats(s->h2));
        h2_conn_free(s->h2);
    }
    free(s);
}

const analyser_ops_t app_http_ops = {http_new,    http_data, http_gap, http_end,
                                     http_finish, NULL,      NULL};
const analyser_ops_t app_http2_ops = {http2_new,   http_data, http_gap, http_end,
                                      http_finish, NULL,      NULL};

bool app_http2_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                      size_t n)
{
    (void)ctx, (void)c;
    return is_orig ? h2_detect(p, n) : h2_detect_server(p, n);
}

bool app_http_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)ctx, (void)c;
    return http_detect(p, n, is_orig);
}
