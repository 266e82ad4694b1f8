/* app_http.c — see app_http.h. */
#include "app_http.h"

#include "core/digest.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "write/artwriter.h"
#include "core/fsutil.h"
#include "core/logfmt.h"
#include "proto/body.h"
#include "proto/http.h"
#include "proto/mime.h"

#include <openssl/evp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Decoded bodies are kept in memory up to this size and only written when
 * their SHA-256 is not yet in artifacts/: most bodies in real traffic repeat
 * (logos, scripts), and writing then deleting a temporary file per body made
 * the file system, not the analysis, the bottleneck.  Larger bodies spill to
 * a temporary file as they arrive. */
#define ARTIFACT_MEM_MAX (1u << 20)

typedef struct body_state {
    http_state_t *s;
    buf_t mem; /* the decoded body while it is small (carving only) */
    bool carve;
    digest_set_t hash; /* of the decoded body */
    EVP_MD_CTX *enc;   /* SHA-256 of the body as sent, when it was encoded */
    body_decoder_t *dec;
    atomic_file_t spill; /* the decoded body once it outgrew mem (spill.f set) */
    uint8_t sniff[MIME_SNIFF_BYTES];
    size_t nsniff;
    uint64_t missing;
    uint64_t first_frame, last_frame;
    ts_ns_t first_ts, last_ts;
    const char *stopped;
    bool write_failed;
    /* results, for the http row */
    char fuid[20];
    const char *mime;
    bool logged;
} body_state_t;

struct http_state {
    const analysis_opts_t *opts;
    capture_result_t *res;
    conn_t *c;
    http_conn_t *hc;
    char *host;
};

static void make_fuid(const conn_t *c, unsigned depth, bool is_orig, char out[20])
{
    uint64_t parts[2] = {hash_fnv1a(c->uid, strlen(c->uid), 0), (uint64_t)depth << 1 | is_orig};
    uint64_t h1 = hash_fnv1a(parts, sizeof parts, 0);
    zeek_id('F', h1, hash_fnv1a(&h1, 8, 0x51ed27), out);
}

/* decoded bytes: hash, sniff, write */
static void decoded(void *ctx, const uint8_t *p, size_t n)
{
    body_state_t *b = ctx;
    digest_set_update(&b->hash, p, n);
    mime_collect(b->sniff, &b->nsniff, p, n);
    if (!b->carve || b->write_failed)
        return;
    if (!b->spill.f && b->mem.len + n <= ARTIFACT_MEM_MAX) {
        buf_append(&b->mem, p, n);
        return;
    }
    if (!b->spill.f) { /* spill to a temporary file, named when the hash is known */
        char *tmp = xasprintf("%s/artifacts/.partial", b->s->opts->case_dir);
        int rc = atomic_open(&b->spill, tmp);
        free(tmp);
        if (rc != 0) {
            b->write_failed = true;
            return;
        }
        if (b->mem.len && fwrite(b->mem.data, 1, b->mem.len, b->spill.f) != b->mem.len)
            b->write_failed = true;
        buf_free(&b->mem);
    }
    if (!b->write_failed && fwrite(p, 1, n, b->spill.f) != n)
        b->write_failed = true;
    if (b->write_failed) /* the run ends with it (core/fsutil.h) */
        fs_note_failure(b->spill.path, "write", errno);
}

static void on_body_begin(void *ctx, http_txn_t *t, bool is_orig)
{
    http_state_t *s = ctx;
    body_state_t *b = xcalloc(1, sizeof *b);
    b->s = s;
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    body_coding_t coding = body_coding_of(m->cenc);
    digest_set_init(&b->hash, s->opts->hashes & HASH_MD5, s->opts->hashes & HASH_SHA1);
    if (coding != BODY_IDENTITY)
        b->enc = digest_new(EVP_sha256());
    b->dec = body_decoder_new(coding, s->opts->max_body, decoded, b);
    b->carve = s->opts->carve && s->opts->case_dir;
    make_fuid(s->c, t->depth, is_orig, b->fuid);
    t->user[is_orig ? 0 : 1] = b;
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
    body_decoder_feed(b->dec, p, n);
}

static void on_body_gap(void *ctx, http_txn_t *t, bool is_orig, uint64_t len)
{
    (void)ctx;
    body_state_t *b = t->user[is_orig ? 0 : 1];
    if (!b)
        return;
    b->missing += len;
    /* compressed data cannot be decoded across a hole */
    if (b->enc && !b->stopped)
        b->stopped = "gap_in_encoded_body";
}

/* Put the finished body at artifacts/<sha256>, unless it is already there. */
static void store(body_state_t *b, const char *sha256)
{
    if (!b->carve)
        return;
    char *final = xasprintf("%s/artifacts/%s", b->s->opts->case_dir, sha256);
    bool ok = !b->write_failed;
    if (b->spill.f) {
        if (ok)
            ok = atomic_commit_once(&b->spill, final) == 0;
        else
            atomic_abort(&b->spill);
    } else if (ok) { /* written (unless already there) on the writer thread */
        size_t len = b->mem.len;
        uint8_t *data = (uint8_t *)buf_steal(&b->mem);
        artwriter_put(final, data ? data : xcalloc(1, 1), len, &b->s->res->damage, b->first_frame);
        return;
    }
    buf_free(&b->mem);
    if (!ok)
        damage_note(&b->s->res->damage, "limit.artifact_write_failed", b->first_frame);
    free(final);
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

/* A complete, unencoded part of a 206 response: remember it for assembly. */
static void note_range(http_state_t *s, const http_txn_t *t, const body_state_t *b,
                       const char *sha256, uint64_t seen)
{
    uint64_t a = 0, e = 0, total = 0;
    char *boundary = multipart_boundary(t->resp.ctype);
    if (!boundary && (!http_parse_content_range(t->resp.crange, &a, &e, &total) ||
                      seen != e - a + 1 || total > s->opts->max_body))
        return;
    char *url = url_of(t);
    if (!url) {
        free(boundary);
        return;
    }
    range_rec_t *r = capture_range_add(s->res);
    r->ts = b->first_ts;
    r->url = url;
    r->boundary = boundary;
    r->start = a, r->end = e, r->total = total;
    memcpy(r->sha256, sha256, sizeof r->sha256);
    memcpy(r->fuid, b->fuid, sizeof r->fuid);
    memcpy(r->uid, s->c->uid, sizeof r->uid);
    r->orig = s->c->orig, r->resp = s->c->resp;
    r->orig_p = s->c->orig_p, r->resp_p = s->c->resp_p;
    r->first_frame = b->first_frame, r->last_frame = b->last_frame;
}

static void on_body_end(void *ctx, http_txn_t *t, bool is_orig)
{
    http_state_t *s = ctx;
    body_state_t *b = t->user[is_orig ? 0 : 1];
    if (!b || b->logged)
        return;
    b->logged = true;
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    const char *why = body_decoder_finish(b->dec);
    if (!why)
        why = b->stopped;
    if (!why)
        why = m->incomplete;
    uint64_t seen = body_decoder_out(b->dec);
    char md5[33], sha1[41], sha256[65], enc[65];
    digest_set_final(&b->hash, md5, sha1, sha256);
    digest_final_hex(b->enc, enc);
    b->mime = mime_sniff(b->sniff, b->nsniff);
    if (seen == 0) {
        atomic_abort(&b->spill);
        buf_free(&b->mem);
        b->fuid[0] = 0; /* no file: nothing to point at */
        return;
    }
    store(b, sha256);
    capture_result_t *res = s->res;
    const conn_t *c = s->c;
    int digits = res->ts_digits ? res->ts_digits : 6;
    buf_t row = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", b->first_ts, digits);
    jw_kv_str(&w, "fuid", b->fuid);
    jw_kv_str(&w, "uid", c->uid);
    lf_conn_id(&w, &c->orig, c->orig_p, &c->resp, c->resp_p);
    jw_kv_str(&w, "source", "HTTP");
    if (b->mime)
        jw_kv_str(&w, "mime_type", b->mime);
    if (m->ctype)
        jw_kv_str(&w, "declared_mime_type", m->ctype);
    char *fname = http_suggest_filename(m->cdisp, t->uri);
    if (fname)
        jw_kv_str(&w, "filename", fname);
    free(fname);
    lf_duration(&w, "duration", b->last_ts - b->first_ts, digits);
    jw_kv_bool(&w, "is_orig", is_orig);
    jw_kv_uint(&w, "seen_bytes", seen);
    if (m->clen >= 0 && !b->enc)
        jw_kv_int(&w, "total_bytes", m->clen);
    jw_kv_uint(&w, "missing_bytes", b->missing);
    if (md5[0])
        jw_kv_str(&w, "md5", md5);
    if (sha1[0])
        jw_kv_str(&w, "sha1", sha1);
    jw_kv_str(&w, "sha256", sha256);
    if (s->opts->carve && s->opts->case_dir) {
        char *rel = xasprintf("artifacts/%s", sha256);
        jw_kv_str(&w, "extracted", rel);
        free(rel);
    }
    char *url = url_of(t);
    if (url)
        jw_kv_str(&w, "url", url);
    if (m->cenc)
        jw_kv_str(&w, "content_encoding", m->cenc);
    if (enc[0])
        jw_kv_str(&w, "encoded_sha256", enc);
    if (m->crange)
        jw_kv_str(&w, "content_range", m->crange);
    const char *note = body_decoder_note(b->dec);
    if (note)
        jw_kv_str(&w, "decoding_note", note);
    if (body_decoder_trailing(b->dec))
        jw_kv_uint(&w, "trailing_bytes", body_decoder_trailing(b->dec));
    jw_kv_bool(&w, "truncated", why != NULL || b->missing > 0);
    if (why)
        jw_kv_str(&w, "truncated_reason", why);
    jw_kv_str(&w, "pcap", res->name);
    jw_kv_uint(&w, "first_frame", b->first_frame);
    jw_kv_uint(&w, "last_frame", b->last_frame);
    jw_obj_end(&w);
    logstore_add(&res->logs[LOG_FILES], b->first_ts, (const char *)row.data, row.len);
    buf_free(&row);
    if (!is_orig && t->status == 206 && !why && !b->missing && !b->enc && b->carve &&
        !b->write_failed)
        note_range(s, t, b, sha256, seen);
    if (why && (strcmp(why, "max_body") == 0 || strcmp(why, "decompression_ratio") == 0))
        damage_note(&res->damage,
                    strcmp(why, "max_body") == 0 ? "limit.http_max_body"
                                                 : "limit.http_decompression_ratio",
                    b->first_frame);
    if (!is_orig && mime_suspicious_mismatch(m->ctype, b->mime)) {
        mime_rec_t *mr = capture_mime_add(res);
        mr->ts = b->first_ts;
        mr->client = c->orig, mr->server = c->resp;
        mr->url = url;
        url = NULL;
        mr->declared = xstrdup(m->ctype);
        mr->sniffed = xstrdup(b->mime);
        mr->sha256 = xstrdup(sha256);
        mr->frame = b->first_frame;
        memcpy(mr->uid, c->uid, sizeof mr->uid);
    }
    free(url);
}

static void body_free(body_state_t *b)
{
    if (!b)
        return;
    atomic_abort(&b->spill);
    buf_free(&b->mem);
    digest_set_free(&b->hash);
    EVP_MD_CTX_free(b->enc);
    body_decoder_free(b->dec);
    free(b);
}

static void http_row(http_state_t *s, http_txn_t *t)
{
    capture_result_t *res = s->res;
    const conn_t *c = s->c;
    int digits = res->ts_digits ? res->ts_digits : 6;
    ts_ns_t ts = t->req.has ? t->req.ts : t->resp.ts;
    body_state_t *rb = t->user[0], *sb = t->user[1];
    buf_t row = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", ts, digits);
    jw_kv_str(&w, "uid", c->uid);
    lf_conn_id(&w, &c->orig, c->orig_p, &c->resp, c->resp_p);
    jw_kv_uint(&w, "trans_depth", t->depth);
    if (t->method)
        jw_kv_str(&w, "method", t->method);
    if (t->host)
        jw_kv_str(&w, "host", t->host);
    if (t->uri)
        jw_kv_str(&w, "uri", t->uri);
    if (t->referrer)
        jw_kv_str(&w, "referrer", t->referrer);
    if (t->version)
        jw_kv_str(&w, "version", t->version);
    if (t->user_agent)
        jw_kv_str(&w, "user_agent", t->user_agent);
    jw_kv_uint(&w, "request_body_len", rb ? body_decoder_out(rb->dec) : 0);
    jw_kv_uint(&w, "response_body_len", sb ? body_decoder_out(sb->dec) : 0);
    if (t->status) {
        jw_kv_int(&w, "status_code", t->status);
        jw_kv_str(&w, "status_msg", t->status_msg);
    }
    if (t->username)
        jw_kv_str(&w, "username", t->username);
    if (rb && rb->fuid[0]) {
        jw_key(&w, "orig_fuids");
        jw_arr_begin(&w);
        jw_str(&w, rb->fuid);
        jw_arr_end(&w);
    }
    if (sb && sb->fuid[0]) {
        jw_key(&w, "resp_fuids");
        jw_arr_begin(&w);
        jw_str(&w, sb->fuid);
        jw_arr_end(&w);
        if (sb->mime) {
            jw_key(&w, "resp_mime_types");
            jw_arr_begin(&w);
            jw_str(&w, sb->mime);
            jw_arr_end(&w);
        }
    }
    jw_kv_str(&w, "pcap", res->name);
    if (t->req.has)
        jw_kv_uint(&w, "request_frame", t->req.first_frame);
    if (t->resp.has)
        jw_kv_uint(&w, "response_frame", t->resp.first_frame);
    if (t->weird)
        jw_kv_str(&w, "weird", t->weird);
    jw_obj_end(&w);
    logstore_add(&res->logs[LOG_HTTP], ts, (const char *)row.data, row.len);
    buf_free(&row);
    if (t->username) {
        cred_rec_t *cr = capture_cred_add(res);
        cr->ts = ts;
        cr->client = c->orig, cr->server = c->resp, cr->server_p = c->resp_p;
        cr->proto = "http-basic";
        cr->username = xstrdup(t->username);
        cr->has_password = t->has_password;
        cr->frame = t->req.first_frame;
        memcpy(cr->uid, c->uid, sizeof cr->uid);
    }
}

static void on_txn_done(void *ctx, http_txn_t *t)
{
    http_state_t *s = ctx;
    /* bodies not ended by framing (connection ended) are logged now */
    on_body_end(ctx, t, true);
    on_body_end(ctx, t, false);
    if (!s->host && t->host)
        s->host = xstrdup(t->host);
    http_row(s, t);
    body_free(t->user[0]);
    body_free(t->user[1]);
    t->user[0] = t->user[1] = NULL;
}

static const http_callbacks_t callbacks = {on_body_begin, on_body_data, on_body_gap, on_body_end,
                                           on_txn_done};

http_state_t *app_http_new(const analysis_opts_t *opts, capture_result_t *res, conn_t *c)
{
    http_state_t *s = xcalloc(1, sizeof *s);
    s->opts = opts;
    s->res = res;
    s->c = c;
    s->hc = http_conn_new(&callbacks, s);
    c->service = "http";
    return s;
}

void app_http_data(http_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts)
{
    http_conn_data(s->hc, is_orig, p, n, frame, ts);
}

void app_http_gap(http_state_t *s, bool is_orig, uint64_t len)
{
    http_conn_gap(s->hc, is_orig, len);
}

void app_http_end(http_state_t *s, bool is_orig)
{
    http_conn_end(s->hc, is_orig);
}

char *app_http_free(http_state_t *s)
{
    if (!s)
        return NULL;
    http_conn_free(s->hc);
    char *host = s->host;
    free(s);
    return host;
}
