/* test_http2.c — HTTP/2 frames, streams and HPACK: our h2c recording (prior
 * knowledge with concurrent streams, a server push, an Upgrade: h2c) and the
 * decrypted h2 sessions of the TLS recordings give back every served file
 * (SHA-256 from truth.json); hand-made frames check padding, CONTINUATION,
 * RST_STREAM, trailers, 1xx, a bad preface and the caps. */
#include "cu_main.h"
#include "lab_streams.h"
#include "proto/body.h"
#include "proto/dns.h"
#include "proto/doh.h"
#include "proto/http2.h"
#include "proto/keylog.h"
#include "proto/tls.h"
#include "proto/tls_decrypt.h"

#include <json-c/json.h>
#include <nghttp2/nghttp2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TXNS 64

/* What the callbacks saw of one transaction. */
typedef struct seen {
    uint32_t stream;
    bool pushed;
    char method[16], uri[128], host[64], ctype[64], req_ctype[64], cenc[16], weird[64];
    uint8_t body[512]; /* the response body's first bytes */
    int status;
    char req_incomplete[32], resp_incomplete[32];
    uint64_t resp_body;
    char sha256[65];       /* of the response body as it crossed the wire */
    char sha256_plain[65]; /* ... with gzip undone */
    int begins, ends;
} seen_t;

typedef struct body_state {
    EVP_MD_CTX *wire, *plain;
    body_decoder_t *dec;
} body_state_t;

typedef struct sink {
    seen_t t[MAX_TXNS];
    int n;
} sink_t;

static void plain_sink(void *ctx, const uint8_t *p, size_t n)
{
    EVP_DigestUpdate(ctx, p, n);
}

static void b_begin(void *ctx, http_txn_t *t, bool is_orig)
{
    (void)ctx;
    if (is_orig)
        return;
    body_state_t *b = calloc(1, sizeof *b);
    b->wire = EVP_MD_CTX_new();
    b->plain = EVP_MD_CTX_new();
    EVP_DigestInit_ex(b->wire, EVP_sha256(), NULL);
    EVP_DigestInit_ex(b->plain, EVP_sha256(), NULL);
    b->dec = body_decoder_new(body_coding_of(t->resp.cenc), 1 << 30, plain_sink, b->plain);
    t->user[1] = b;
}

static void b_data(void *ctx, http_txn_t *t, bool is_orig, const uint8_t *p, size_t n,
                   uint64_t frame, ts_ns_t ts)
{
    (void)frame, (void)ts;
    body_state_t *b = t->user[1];
    if (is_orig || !b)
        return;
    EVP_DigestUpdate(b->wire, p, n);
    body_decoder_feed(b->dec, p, n);
    sink_t *s = ctx;
    if (s->n < MAX_TXNS && t->resp.body_len <= sizeof s->t[0].body) /* counted before the call */
        memcpy(s->t[s->n].body + t->resp.body_len - n, p, n);
}

static void b_gap(void *ctx, http_txn_t *t, bool o, uint64_t l)
{
    (void)ctx, (void)t, (void)o, (void)l;
}

static void b_end(void *ctx, http_txn_t *t, bool is_orig)
{
    sink_t *s = ctx;
    (void)t;
    if (!is_orig && s->n < MAX_TXNS)
        s->t[s->n].ends++; /* counted on the slot txn_done will fill */
}

static void hex32(const uint8_t *md, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void t_done(void *ctx, http_txn_t *t)
{
    sink_t *s = ctx;
    body_state_t *b = t->user[1];
    if (s->n < MAX_TXNS) {
        seen_t *e = &s->t[s->n++];
        e->stream = t->stream_id;
        e->pushed = t->pushed;
        copy(e->method, sizeof e->method, t->method);
        copy(e->uri, sizeof e->uri, t->uri);
        copy(e->host, sizeof e->host, t->host);
        copy(e->ctype, sizeof e->ctype, t->resp.ctype);
        copy(e->req_ctype, sizeof e->req_ctype, t->req.ctype);
        copy(e->cenc, sizeof e->cenc, t->resp.cenc);
        copy(e->weird, sizeof e->weird, t->weird);
        copy(e->req_incomplete, sizeof e->req_incomplete, t->req.incomplete);
        copy(e->resp_incomplete, sizeof e->resp_incomplete, t->resp.incomplete);
        e->status = t->status;
        e->resp_body = t->resp.body_len;
        e->begins = b != NULL;
        if (b) {
            uint8_t md[32];
            body_decoder_finish(b->dec);
            EVP_DigestFinal_ex(b->wire, md, NULL);
            hex32(md, e->sha256);
            EVP_DigestFinal_ex(b->plain, md, NULL);
            hex32(md, e->sha256_plain);
        }
    }
    if (b) {
        EVP_MD_CTX_free(b->wire);
        EVP_MD_CTX_free(b->plain);
        body_decoder_free(b->dec);
        free(b);
    }
}

static const http_callbacks_t cb = {b_begin, b_data, b_gap, b_end, t_done};

static json_object *jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, k, &v);
    return v;
}

static json_object *truth(void)
{
    static json_object *t;
    if (!t)
        t = json_object_from_file(lab_rec("truth.json"));
    return t;
}

/* The served file at path: its SHA-256 (decoded) and as sent (brotli). */
static const char *file_sha(const char *path, bool wire)
{
    json_object *f = jget(jget(truth(), "files"), path);
    json_object *w = wire ? jget(f, "wire_sha256") : NULL;
    return json_object_get_string(w ? w : jget(f, "sha256"));
}

/* From truth.json: the sessions of a capture (alpn NULL: any), how many
 * paths they fetched, and how many of those start with prefix. */
static int truth_paths(const char *cap, const char *alpn, const char *prefix, int *sessions)
{
    json_object *all = jget(truth(), "sessions");
    int paths = 0;
    *sessions = 0;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *s = json_object_array_get_idx(all, i);
        if (strcmp(json_object_get_string(jget(s, "capture")), cap) ||
            (alpn && strcmp(json_object_get_string(jget(s, "alpn")), alpn)))
            continue;
        (*sessions)++;
        json_object *p = jget(s, "paths");
        for (size_t k = 0; k < json_object_array_length(p); k++)
            paths += !prefix || !strncmp(json_object_get_string(json_object_array_get_idx(p, k)),
                                         prefix, strlen(prefix));
    }
    return paths;
}

/* Every response with a body is one of the served files, byte for byte. */
static int check_bodies(const sink_t *s)
{
    int checked = 0;
    for (int i = 0; i < s->n; i++) {
        const seen_t *e = &s->t[i];
        if (!e->resp_body)
            continue;
        const char *want = file_sha(e->uri, false);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        CU_ASSERT_EQUAL(e->status, 200);
        if (!strcmp(e->cenc, "br")) { /* not decoded by body.h: the bytes sent */
            CU_ASSERT_STRING_EQUAL(e->sha256, file_sha(e->uri, true));
        } else {
            CU_ASSERT_STRING_EQUAL(e->sha256_plain, want);
        }
        CU_ASSERT_STRING_EQUAL(e->resp_incomplete, "");
        checked++;
    }
    return checked;
}

/* ---- h2c recording ------------------------------------------------------- */

typedef struct h2c_replay {
    h2_conn_t *h[LAB_MAX_CONNS];
    sink_t *sink;
    /* Upgrade: h2c: the HTTP/1.1 head of each direction is skipped by hand */
    size_t skip_head[LAB_MAX_CONNS][2];
    bool upgrade[LAB_MAX_CONNS], decided[LAB_MAX_CONNS];
    buf_t early[LAB_MAX_CONNS]; /* server bytes before the client's first (nghttpd talks first) */
    buf_t head[LAB_MAX_CONNS][2];
} h2c_replay_t;

static void h2c_segment(void *ctx, int conn, bool from_client, const uint8_t *p, size_t n)
{
    h2c_replay_t *r = ctx;
    int dir = from_client ? 0 : 1;
    if (!r->h[conn])
        r->h[conn] = h2_conn_new(&cb, r->sink);
    if (!r->decided[conn]) { /* the client's first bytes: the preface, or a request line */
        if (!from_client) {
            buf_append(&r->early[conn], p, n);
            return;
        }
        r->decided[conn] = true;
        r->upgrade[conn] = !h2_detect(p, n);
        if (r->early[conn].len) {
            buf_t e = r->early[conn];
            r->early[conn] = (buf_t)BUF_INIT;
            h2c_segment(ctx, conn, true, p, n);
            h2c_segment(ctx, conn, false, e.data, e.len);
            buf_free(&e);
            return;
        }
    }
    if (r->upgrade[conn] && r->skip_head[conn][dir] == 0) {
        buf_t *b = &r->head[conn][dir];
        buf_append(b, p, n);
        const char *end = strstr(buf_cstr(b), "\r\n\r\n");
        if (!end)
            return;
        size_t head = (size_t)(end - buf_cstr(b)) + 4;
        r->skip_head[conn][dir] = head;
        if (dir == 0) { /* the request that asked for the upgrade */
            http_txn_t *req = http_txn_new();
            req->method = strndup(buf_cstr(b), 3);
            req->uri = strdup("/hello.txt");
            req->req.has = true;
            h2_conn_upgraded(r->h[conn], req);
            http_txn_free(req);
        }
        h2_conn_data(r->h[conn], from_client, b->data + head, b->len - head, 1, 0);
        return;
    }
    h2_conn_data(r->h[conn], from_client, p, n, 1, 0);
}

static void h2c_recording_gives_every_file(void)
{
    h2c_replay_t *r = calloc(1, sizeof *r);
    sink_t *s = calloc(1, sizeof *s);
    r->sink = s;
    int nconn = lab_streams(lab_rec("h2c.pcap"), h2c_segment, r);
    CU_ASSERT_EQUAL_FATAL(nconn, 4);
    for (int i = 0; i < nconn; i++) {
        const h2_stats_t *st = h2_conn_stats(r->h[i]);
        CU_ASSERT_EQUAL(st->protocol_errors, 0);
        CU_ASSERT_EQUAL(st->hpack_errors, 0);
        if (st->damaged)
            fprintf(stderr, "conn %d: %s\n", i, st->damaged);
        h2_conn_free(r->h[i]);
        buf_free(&r->early[i]);
        buf_free(&r->head[i][0]);
        buf_free(&r->head[i][1]);
    }
    /* curl: hello; nghttp: 4 concurrent (+ big.bin in full mode); nghttp:
     * page.html + pushed blob; upgrade: hello */
    int sessions, want = truth_paths("h2c", NULL, NULL, &sessions);
    CU_ASSERT_EQUAL(sessions, 4);
    CU_ASSERT_EQUAL(s->n, want);
    CU_ASSERT_EQUAL(check_bodies(s), want);
    int pushed = 0, interleaved = 0, upgraded = 0;
    for (int i = 0; i < s->n; i++) {
        const seen_t *e = &s->t[i];
        CU_ASSERT_STRING_EQUAL(e->method, "GET");
        if (e->pushed) {
            pushed++;
            CU_ASSERT_STRING_EQUAL(e->uri, "/blob.bin");
            CU_ASSERT_EQUAL(e->stream % 2, 0);
        }
        interleaved += !strncmp(e->uri, "/multi/", 7);
        if (!e->host[0] && !e->pushed) { /* the upgraded request: copied from HTTP/1.1 */
            upgraded++;
            CU_ASSERT_EQUAL(e->stream, 1);
            CU_ASSERT_STRING_EQUAL(e->uri, "/hello.txt");
        }
    }
    CU_ASSERT_EQUAL(pushed, 1);
    CU_ASSERT_EQUAL(interleaved, truth_paths("h2c", NULL, "/multi/", &sessions));
    CU_ASSERT_EQUAL(interleaved, 4);
    CU_ASSERT_EQUAL(upgraded, 1);
    free(s);
    free(r);
}

/* ---- decrypted h2 sessions --------------------------------------------------- */

typedef struct tls_session {
    tls_stream_t *tls;
    tls_decrypt_t *dec;
    h2_conn_t *h2;
    bool tried;
} tls_session_t;

typedef struct tls_replay {
    keylog_t *keys;
    sink_t *sink;
    tls_session_t s[LAB_MAX_CONNS];
    int n, cur;
} tls_replay_t;

static void h2_plain(void *ctx, int dir, uint8_t type, const uint8_t *p, size_t n)
{
    tls_replay_t *r = ctx;
    tls_session_t *s = &r->s[r->cur];
    if (type == 23 && s->h2)
        h2_conn_data(s->h2, dir == 0, p, n, 1, 0);
    else if (type == 22)
        tls_handshake_plain(s->tls, dir == 0, p, n);
}

static void h2_record(void *ctx, bool is_client, const uint8_t *rec, size_t n)
{
    tls_replay_t *r = ctx;
    tls_session_t *s = &r->s[r->cur];
    const tls_info_t *in = tls_info(s->tls);
    if (!s->tried && in->server_hello) {
        tls_params_t p = {.version = in->server_version,
                          .cipher = in->cipher,
                          .encrypt_then_mac = in->encrypt_then_mac};
        memcpy(p.client_random, in->client_random, 32);
        memcpy(p.server_random, in->server_random, 32);
        tls_decrypt_status_t st;
        s->dec = tls_decrypt_new(&p, keylog_find(r->keys, in->client_random), &st);
        s->tried = true;
    }
    if (s->dec)
        tls_decrypt_record(s->dec, is_client ? 0 : 1, rec, n, h2_plain, r);
    /* ALPN h2 is known from the ServerHello (1.2) or EncryptedExtensions (1.3) */
    if (!s->h2 && in->alpn_chosen && !strcmp(in->alpn_chosen, "h2"))
        s->h2 = h2_conn_new(&cb, r->sink);
}

static void tls_segment(void *ctx, int conn, bool from_client, const uint8_t *p, size_t n)
{
    tls_replay_t *r = ctx;
    while (r->n <= conn) {
        r->s[r->n].tls = tls_new();
        tls_on_record(r->s[r->n].tls, h2_record, r);
        r->n++;
    }
    r->cur = conn;
    tls_data(r->s[conn].tls, from_client, p, n);
}

static sink_t *decrypt_capture(const char *cap, int *h2_sessions)
{
    char pcap[512], keys[512];
    snprintf(pcap, sizeof pcap, "%s.pcap", cap);
    snprintf(keys, sizeof keys, "%s.keys", cap);
    snprintf(pcap, sizeof pcap, "%s", lab_rec(pcap));
    snprintf(keys, sizeof keys, "%s", lab_rec(keys));
    size_t len = 0;
    uint8_t *text = lab_read_file(keys, &len);
    tls_replay_t *r = calloc(1, sizeof *r);
    r->keys = keylog_new();
    keylog_add(r->keys, keys, text, len);
    free(text);
    r->sink = calloc(1, sizeof *r->sink);
    CU_ASSERT_TRUE(lab_streams(pcap, tls_segment, r) > 0);
    *h2_sessions = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->s[i].h2) {
            CU_ASSERT_EQUAL(h2_conn_stats(r->s[i].h2)->protocol_errors, 0);
            (*h2_sessions)++;
        }
        h2_conn_free(r->s[i].h2);
        tls_decrypt_free(r->s[i].dec);
        tls_free(r->s[i].tls);
    }
    sink_t *s = r->sink;
    keylog_free(r->keys);
    free(r);
    return s;
}

static void decrypted_h2_sessions_give_every_file(void)
{
    /* tls13: 2 h2 sessions (one with 6 concurrent streams); tls12: 3; tls12cbc:
     * ECDHE-AES256-SHA384 EtM, ECDHE-AES256-SHA MtE, SHA384 MtE; tlsmore: DHE
     * AES-128-GCM, AES-128-CCM, TLS 1.3 AES-128-CCM — counts from truth.json */
    const char *caps[] = {"tls13", "tls12", "tls12cbc", "tlsmore"};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int sessions, want_sessions, want = truth_paths(caps[i], "h2", NULL, &want_sessions);
        sink_t *s = decrypt_capture(caps[i], &sessions);
        CU_ASSERT_TRUE(want_sessions >= 2);
        CU_ASSERT_EQUAL(sessions, want_sessions);
        CU_ASSERT_EQUAL(s->n, want);
        CU_ASSERT_EQUAL(check_bodies(s), want);
        for (int k = 0; k < s->n; k++) {
            CU_ASSERT_EQUAL(strncmp(s->t[k].host, "pcapcase.test:", 14), 0);
            CU_ASSERT_EQUAL(s->t[k].stream % 2, 1);
        }
        free(s);
    }
}

/* DNS over HTTPS on h2 (doh.pcap): curl --doh-url's POSTs (A and AAAA) and
 * our GET and POST; every answer is what the DoH server logged it sent. */
static void doh_over_h2_gives_queries_and_answers(void)
{
    int sessions;
    sink_t *s = decrypt_capture("doh", &sessions);
    json_object *doh = jget(truth(), "doh");
    int gets = 0, posts = 0;
    for (int i = 0; i < s->n; i++) {
        const seen_t *e = &s->t[i];
        if (!doh_is_dns_message(e->ctype))
            continue;
        char hexbody[2 * sizeof e->body + 1];
        for (size_t k = 0; k < e->resp_body && k < sizeof e->body; k++)
            sprintf(hexbody + 2 * k, "%02x", e->body[k]);
        bool logged = false;
        for (size_t k = 0; k < json_object_array_length(doh); k++)
            logged |= !strcmp(hexbody, json_object_get_string(jget(
                                           json_object_array_get_idx(doh, k), "response_hex")));
        CU_ASSERT_TRUE(logged);
        dns_msg_t m;
        CU_ASSERT_TRUE(dns_parse(e->body, e->resp_body, &m));
        if (!strcmp(e->method, "GET")) {
            uint8_t q[DOH_MAX_MESSAGE];
            size_t qlen = 0;
            CU_ASSERT_TRUE_FATAL(doh_query_from_uri(e->uri, q, sizeof q, &qlen));
            dns_msg_t qm;
            CU_ASSERT_TRUE(dns_parse(q, qlen, &qm));
            CU_ASSERT_STRING_EQUAL(qm.qname, "www.example.test");
            dns_msg_free(&qm);
            gets++;
        } else {
            CU_ASSERT_TRUE(doh_is_dns_message(e->req_ctype));
            posts++;
        }
        dns_msg_free(&m);
    }
    CU_ASSERT_EQUAL(gets, 1);  /* the other GET went over HTTP/1.1 */
    CU_ASSERT_EQUAL(posts, 3); /* curl's A and AAAA, our POST */
    free(s);
    CU_ASSERT_TRUE(doh_is_dns_message("Application/DNS-Message; charset=x"));
    CU_ASSERT_FALSE(doh_is_dns_message("application/dns-messages"));
    uint8_t q[4];
    size_t n = 0;
    CU_ASSERT_TRUE(doh_query_from_uri("/q?a=1&dns=AAEC", q, sizeof q, &n));
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(q[2], 2);
    CU_ASSERT_FALSE(doh_query_from_uri("/q?dns=AA*C", q, sizeof q, &n));
    CU_ASSERT_FALSE(doh_query_from_uri("/q?dns=AAECAAEC", q, sizeof q, &n)); /* 6 > 4 bytes */
    CU_ASSERT_FALSE(doh_query_from_uri("/q?x=AAEC", q, sizeof q, &n));
}

/* ---- hand-made frames ---------------------------------------------------------- */

typedef struct wire {
    buf_t b;
    nghttp2_hd_deflater *hpack;
} wire_t;

static void frame(wire_t *w, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *p, size_t n)
{
    uint8_t h[9] = {
        (uint8_t)(n >> 16),   (uint8_t)(n >> 8),    (uint8_t)n,          type,        flags,
        (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid};
    buf_append(&w->b, h, 9);
    buf_append(&w->b, p, n);
}

/* An HPACK block for the fields "name", "value", ... (NULL-terminated). */
static size_t block(wire_t *w, uint8_t *out, size_t cap, const char **fields)
{
    nghttp2_nv nv[16];
    size_t n = 0;
    for (; fields[2 * n]; n++)
        nv[n] =
            (nghttp2_nv){(uint8_t *)fields[2 * n], (uint8_t *)fields[2 * n + 1],
                         strlen(fields[2 * n]), strlen(fields[2 * n + 1]), NGHTTP2_NV_FLAG_NONE};
    ssize_t k = nghttp2_hd_deflate_hd(w->hpack, out, cap, nv, n);
    CU_ASSERT_TRUE(k > 0);
    return k > 0 ? (size_t)k : 0;
}

static void wire_init(wire_t *w, bool client)
{
    memset(w, 0, sizeof *w);
    nghttp2_hd_deflate_new(&w->hpack, 4096);
    if (client)
        buf_append(&w->b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
    frame(w, 4, 0, 0, NULL, 0); /* SETTINGS */
}

static void wire_free(wire_t *w)
{
    buf_free(&w->b);
    nghttp2_hd_deflate_del(w->hpack);
}

static void frames_padding_continuation_reset_trailers(void)
{
    wire_t c, s;
    wire_init(&c, true);
    wire_init(&s, false);
    uint8_t blk[512], pay[600];
    const char *get1[] = {":method", "GET",        ":path",  "/one", ":scheme",
                          "https",   ":authority", "x.test", NULL};
    const char *get3[] = {":method",    "POST",   ":path",        "/three",     ":scheme", "https",
                          ":authority", "x.test", "content-type", "text/plain", NULL};
    /* stream 1: HEADERS split into HEADERS + CONTINUATION, END_STREAM */
    size_t n = block(&c, blk, sizeof blk, get1);
    frame(&c, 1, 0x1, 1, blk, 5);
    frame(&c, 9, 0x4, 1, blk + 5, n - 5);
    /* stream 3: padded + priority HEADERS, then a padded DATA with END_STREAM */
    n = block(&c, blk, sizeof blk, get3);
    pay[0] = 3;            /* pad length */
    memset(pay + 1, 0, 5); /* priority */
    memcpy(pay + 6, blk, n);
    memset(pay + 6 + n, 0, 3); /* padding */
    frame(&c, 1, 0x4 | 0x8 | 0x20, 3, pay, 6 + n + 3);
    pay[0] = 4;
    memcpy(pay + 1, "body", 4);
    memset(pay + 5, 0, 4);
    frame(&c, 0, 0x1 | 0x8, 3, pay, 9);
    /* server: 103 (interim), then 200 with DATA on 1 and 3 interleaved, trailers on 1 */
    const char *early[] = {":status", "103", "link", "</x>", NULL};
    const char *ok[] = {":status", "200", "content-type", "application/octet-stream", NULL};
    const char *trailer[] = {"x-checksum", "abc", NULL};
    n = block(&s, blk, sizeof blk, early);
    frame(&s, 1, 0x4, 1, blk, n);
    n = block(&s, blk, sizeof blk, ok);
    frame(&s, 1, 0x4, 1, blk, n);
    n = block(&s, blk, sizeof blk, ok);
    frame(&s, 1, 0x4, 3, blk, n);
    frame(&s, 0, 0, 1, (const uint8_t *)"hel", 3);
    frame(&s, 0, 0, 3, (const uint8_t *)"AB", 2);
    frame(&s, 0, 0, 1, (const uint8_t *)"lo", 2);
    n = block(&s, blk, sizeof blk, trailer);
    frame(&s, 1, 0x4 | 0x1, 1, blk, n); /* trailers end stream 1 */
    const uint8_t cancel[4] = {0, 0, 0, 8};
    frame(&s, 3, 0, 3, cancel, 4); /* RST_STREAM(CANCEL) on 3 */
    const uint8_t goaway[8] = {0, 0, 0, 3, 0, 0, 0, 0};
    frame(&s, 7, 0, 0, goaway, 8);

    sink_t *out = calloc(1, sizeof *out);
    h2_conn_t *h = h2_conn_new(&cb, out);
    /* one byte at a time: nothing may depend on how the stream is cut */
    for (size_t i = 0; i < c.b.len; i++)
        h2_conn_data(h, true, c.b.data + i, 1, 1, 0);
    for (size_t i = 0; i < s.b.len; i++)
        h2_conn_data(h, false, s.b.data + i, 1, 2, 0);
    const h2_stats_t *st = h2_conn_stats(h);
    CU_ASSERT_EQUAL(st->protocol_errors, 0);
    CU_ASSERT_EQUAL(st->resets, 1);
    CU_ASSERT_EQUAL(st->goaways, 1);
    h2_conn_free(h);
    CU_ASSERT_EQUAL_FATAL(out->n, 2);
    const seen_t *one = &out->t[0], *three = &out->t[1];
    CU_ASSERT_EQUAL(one->stream, 1);
    CU_ASSERT_STRING_EQUAL(one->uri, "/one");
    CU_ASSERT_STRING_EQUAL(one->host, "x.test");
    CU_ASSERT_EQUAL(one->status, 200); /* the 103 was interim, the trailers applied nothing */
    CU_ASSERT_EQUAL(one->resp_body, 5);
    CU_ASSERT_STRING_EQUAL(one->ctype, "application/octet-stream");
    CU_ASSERT_EQUAL(three->stream, 3);
    CU_ASSERT_STRING_EQUAL(three->method, "POST");
    CU_ASSERT_EQUAL(three->resp_body, 2);
    CU_ASSERT_STRING_EQUAL(three->resp_incomplete, "rst_stream");
    CU_ASSERT_STRING_EQUAL(three->req_incomplete, ""); /* the request had ended */
    wire_free(&c);
    wire_free(&s);
    free(out);
}

static void frames_bad_preface_and_caps(void)
{
    sink_t *out = calloc(1, sizeof *out);
    h2_conn_t *h = h2_conn_new(&cb, out);
    h2_conn_data(h, true, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, 1, 0);
    CU_ASSERT_STRING_EQUAL(h2_conn_stats(h)->damaged, "http2.bad_preface");
    h2_conn_free(h);

    /* more concurrent streams than H2_MAX_STREAMS */
    wire_t c;
    wire_init(&c, true);
    uint8_t blk[256];
    const char *get[] = {":method", "GET", ":path", "/", ":scheme", "http", NULL};
    for (uint32_t i = 0; i < H2_MAX_STREAMS + 5; i++) {
        size_t n = block(&c, blk, sizeof blk, get);
        frame(&c, 1, 0x4 | 0x1, 2 * i + 1, blk, n);
    }
    /* a 2 MiB PING-type frame: skipped, not buffered */
    uint8_t big[9] = {0x20, 0, 0, 6, 0, 0, 0, 0, 0};
    buf_append(&c.b, big, 9);
    size_t before = c.b.len;
    buf_reserve(&c.b, 2u << 20);
    memset(c.b.data + before, 0, 2u << 20);
    c.b.len += 2u << 20;
    h = h2_conn_new(&cb, out);
    h2_conn_data(h, true, c.b.data, c.b.len, 1, 0);
    const h2_stats_t *st = h2_conn_stats(h);
    CU_ASSERT_EQUAL(st->limit_streams, 5);
    CU_ASSERT_EQUAL(st->limit_frame, 1);
    CU_ASSERT_EQUAL(st->streams, H2_MAX_STREAMS);
    CU_ASSERT_EQUAL(st->hpack_errors, 0);
    h2_conn_free(h);
    CU_ASSERT_EQUAL(out->n, MAX_TXNS); /* (the sink keeps the first 64) */
    CU_ASSERT_STRING_EQUAL(out->t[0].req_incomplete, "");
    CU_ASSERT_STRING_EQUAL(out->t[0].resp_incomplete, "connection_closed");
    wire_free(&c);

    /* a header list past H2_MAX_HEADER_LIST: decoded, not applied */
    wire_init(&c, true);
    static char huge[60000];
    memset(huge, 'a', sizeof huge - 1);
    const char *fat[] = {":method", "GET", ":path", "/fat", "x-a", huge, "x-b", huge, NULL};
    static uint8_t fblk[1 << 18];
    size_t n = block(&c, fblk, sizeof fblk, fat);
    frame(&c, 1, 0x4 | 0x1, 1, fblk, n);
    n = block(&c, blk, sizeof blk, get); /* the table still works afterwards */
    frame(&c, 1, 0x4 | 0x1, 3, blk, n);
    memset(out, 0, sizeof *out);
    h = h2_conn_new(&cb, out);
    h2_conn_data(h, true, c.b.data, c.b.len, 1, 0);
    CU_ASSERT_EQUAL(h2_conn_stats(h)->limit_headers, 1);
    CU_ASSERT_EQUAL(h2_conn_stats(h)->hpack_errors, 0);
    h2_conn_free(h);
    CU_ASSERT_EQUAL_FATAL(out->n, 2);
    CU_ASSERT_STRING_EQUAL(out->t[0].weird, "http2_header_list_too_long");
    CU_ASSERT_STRING_EQUAL(out->t[1].uri, "/");
    wire_free(&c);
    free(out);
}

static void detect_needs_the_preface(void)
{
    CU_ASSERT_TRUE(h2_detect((const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24));
    CU_ASSERT_TRUE(h2_detect((const uint8_t *)"PRI * HTTP/2.0\r\n", 16));
    CU_ASSERT_FALSE(h2_detect((const uint8_t *)"PRI * HTTP/2", 12));
    CU_ASSERT_FALSE(h2_detect((const uint8_t *)"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27));
}

static const cu_test_t tests[] = {
    {"h2c_recording_gives_every_file", h2c_recording_gives_every_file},
    {"decrypted_h2_sessions_give_every_file", decrypted_h2_sessions_give_every_file},
    {"doh_over_h2_gives_queries_and_answers", doh_over_h2_gives_queries_and_answers},
    {"frames_padding_continuation_reset_trailers", frames_padding_continuation_reset_trailers},
    {"frames_bad_preface_and_caps", frames_bad_preface_and_caps},
    {"detect_needs_the_preface", detect_needs_the_preface},
    {NULL, NULL}};

CU_MAIN("http2", tests)
