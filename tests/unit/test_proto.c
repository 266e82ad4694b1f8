/* test_proto.c — the application parsers on hostile input: a DNS name
 * compression loop, pointers forward (legal, noted), any opcode, an HTTP
 * gap where no message is open, a TLS certificate whose length
 * runs past its record, a 1-byte record, a chunk size of 2^64, a gzip bomb. */
#include "cu_main.h"
#include "proto/x509.h"
#include "proto/body.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "proto/dns.h"
#include "proto/dnsname.h"
#include "proto/filemagic.h"
#include "proto/http.h"
#include "proto/localnames.h"
#include "proto/mime.h"
#include "proto/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void dns_compression_loop_is_damage(void)
{
    /* header, then a question whose name is a pointer to itself (offset 12) */
    const uint8_t msg[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
    dns_msg_t m;
    CU_ASSERT_TRUE(dns_parse(msg, sizeof msg, &m));
    CU_ASSERT_PTR_NOT_NULL(m.error);
    CU_ASSERT_STRING_EQUAL(m.error, "dns.compression_loop");
    CU_ASSERT_PTR_NULL(m.qname);
    CU_ASSERT_PTR_NULL(m.weird); /* a loop is damage, not also a forward pointer */
    dns_msg_free(&m);
    /* two pointers that point at each other: 12 -> 18 -> 12 */
    const uint8_t two[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0,   0,    0,
                           0,    0xC0, 18,   0,    1, 0, 1, 1, 'b', 0xC0, 12};
    CU_ASSERT_TRUE(dns_parse(two, sizeof two, &m));
    CU_ASSERT_PTR_NOT_NULL(m.error);
    CU_ASSERT_STRING_EQUAL(m.error, "dns.compression_loop");
    dns_msg_free(&m);
}

static void dns_forward_pointer_is_read_and_noted(void)
{
    /* the question's name points forward, at "a" stored after it (offset
     * 18): legal (only loops are not), read, and named as a weird */
    const uint8_t fwd[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0,   0, 0,
                           0,    0xC0, 18,   0,    1, 0, 1, 1, 'a', 0};
    dns_msg_t m;
    CU_ASSERT_TRUE(dns_parse(fwd, sizeof fwd, &m));
    CU_ASSERT_PTR_NULL(m.error);
    CU_ASSERT_STRING_EQUAL(m.qname, "a");
    CU_ASSERT_EQUAL(m.qtype, 1);
    CU_ASSERT_STRING_EQUAL(m.weird, "forward_compression_pointer");
    dns_msg_free(&m);
}

static void dns_any_opcode_is_a_message(void)
{
    /* opcode 9 (unassigned) and 1 (inverse query, RFC 3425 obsolete) */
    uint8_t msg[] = {0, 9, 9 << 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1};
    CU_ASSERT_TRUE(dns_looks_like(msg, sizeof msg));
    dns_msg_t m;
    CU_ASSERT_TRUE(dns_parse(msg, sizeof msg, &m));
    CU_ASSERT_EQUAL(m.opcode, 9);
    CU_ASSERT_STRING_EQUAL(m.weird, "unassigned_opcode");
    CU_ASSERT_STRING_EQUAL(m.qname, "x");
    dns_msg_free(&m);
    /* an inverse query: no question, the address asked about as an answer;
     * its root owner does not become the query name (as for mDNS) */
    const uint8_t iq[] = {0x87, 0xee, 0x09, 0x00, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                          1,    0,    1,    0,    0, 0, 9, 0, 4, 4, 3, 2, 1};
    CU_ASSERT_TRUE(dns_parse(iq, sizeof iq, &m));
    CU_ASSERT_PTR_NULL(m.error);
    CU_ASSERT_EQUAL(m.opcode, 1);
    CU_ASSERT_STRING_EQUAL(m.weird, "obsolete_inverse_query");
    CU_ASSERT_PTR_NULL(m.qname);
    CU_ASSERT_EQUAL(m.nanswers, 1);
    dns_msg_free(&m);
}

static const char *collect_label(void *ctx, const uint8_t *label, size_t len)
{
    buf_t *b = ctx;
    buf_printf(b, "[%.*s]", (int)len, (const char *)label);
    return NULL;
}

static void dns_name_reader_guards(void)
{
    buf_t b = BUF_INIT;
    dns_name_reader_t r = {.label = collect_label, .ctx = &b};
    /* a partial name (no root label) only where allowed, as in DHCP's FQDN */
    const uint8_t partial[] = {4, 'h', 'o', 's', 't', 3, 'l', 'a', 'n'};
    cursor_t c = cursor_make(partial, sizeof partial);
    CU_ASSERT_FALSE(dns_name_read(&c, &r));
    CU_ASSERT_STRING_EQUAL(r.err, "dns.truncated_name");
    buf_clear(&b);
    r.partial_ok = true;
    c = cursor_make(partial, sizeof partial);
    CU_ASSERT_TRUE(dns_name_read(&c, &r));
    CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "[host][lan]");
    /* a pointer where there is no message to point into */
    const uint8_t ptr[] = {1, 'a', 0xC0, 0};
    c = cursor_make(ptr, sizeof ptr);
    CU_ASSERT_FALSE(dns_name_read(&c, &r));
    CU_ASSERT_STRING_EQUAL(r.err, "dns.compression_not_allowed");
    /* 65 pointers in a chain, each to the next, no loop: too many jumps */
    uint8_t chain[2 * 66 + 1];
    for (int i = 0; i < 66; i++)
        chain[2 * i] = 0xC0, chain[2 * i + 1] = (uint8_t)(2 * i + 2);
    chain[2 * 66] = 0;
    cursor_t whole = cursor_make(chain, sizeof chain);
    r.msg = &whole;
    c = whole;
    CU_ASSERT_FALSE(dns_name_read(&c, &r));
    CU_ASSERT_STRING_EQUAL(r.err, "dns.compression_loop");
    /* after a pointer the cursor is past the pointer, not past the target */
    const uint8_t back[] = {1, 'a', 0, 1, 'b', 0xC0, 0, 0xEE};
    whole = cursor_make(back, sizeof back);
    r.msg = &whole;
    c = whole;
    cursor_skip(&c, 3);
    buf_clear(&b);
    CU_ASSERT_TRUE(dns_name_read(&c, &r));
    CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "[b][a]");
    CU_ASSERT_EQUAL(cursor_offset(&c), 7);
    CU_ASSERT_FALSE(r.forward);
    buf_free(&b);
}

static void dns_answers_render_like_zeek(void)
{
    /* response for a.b with one A answer 1.2.3.4 (name by pointer) and a TXT */
    const uint8_t msg[] = {0, 7,    0x81, 0x80, 0,  1, 0, 2, 0, 0, 0, 0, 1,  'A', 1,   'b', 0, 0,
                           1, 0,    1,    0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0,   4,   1,   2, 3,
                           4, 0xC0, 12,   0,    16, 0, 1, 0, 0, 0, 5, 0, 3,  2,   'h', 'i'};
    dns_msg_t m;
    CU_ASSERT_TRUE(dns_parse(msg, sizeof msg, &m));
    CU_ASSERT_PTR_NULL(m.error);
    CU_ASSERT_STRING_EQUAL(m.qname, "a.b"); /* lower-cased, as Zeek logs it */
    CU_ASSERT_EQUAL(m.nanswers, 2);
    CU_ASSERT_STRING_EQUAL(m.answers[0].text, "1.2.3.4");
    CU_ASSERT_EQUAL(m.answers[0].ttl, 60);
    CU_ASSERT_STRING_EQUAL(m.answers[1].text, "TXT 2 hi");
    dns_msg_free(&m);
}

static void tls_certificate_past_its_record_is_damage(void)
{
    /* handshake record holding a Certificate message that claims 0x10000
     * bytes of certificates inside a 10-byte body */
    const uint8_t rec[] = {22, 3, 3, 0, 14, 11, 0, 0, 10, 0x01, 0x00, 0x00, 0, 0, 5, 1, 2, 3, 4};
    tls_stream_t *t = tls_new();
    tls_data(t, false, rec, sizeof rec);
    const tls_info_t *in = tls_info(t);
    CU_ASSERT_EQUAL(in->nchain, 0);
    CU_ASSERT_PTR_NOT_NULL(in->damaged);
    tls_free(t);
    /* a 1-byte record and a record header that lies about its type */
    const uint8_t tiny[] = {22, 3, 1, 0, 1, 1};
    t = tls_new();
    tls_data(t, true, tiny, sizeof tiny);
    CU_ASSERT_FALSE(tls_info(t)->client_hello);
    tls_free(t);
    const uint8_t bogus[] = {99, 3, 3, 0, 1, 0};
    t = tls_new();
    tls_data(t, true, bogus, sizeof bogus);
    CU_ASSERT_STRING_EQUAL(tls_info(t)->damaged, "tls.not_a_record");
    tls_free(t);
}

static size_t tls_rec_bytes, tls_recs;
static void count_record(void *ctx, bool is_client, const uint8_t *rec, size_t n)
{
    (void)ctx, (void)is_client, (void)rec;
    tls_rec_bytes += n;
    tls_recs++;
}

/* Feed one direction's bytes to t in pieces of step bytes. */
static void tls_feed(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n, size_t step)
{
    for (size_t off = 0; off < n; off += step)
        tls_data(t, is_client, p + off, n - off < step ? n - off : step);
}

static void tls_bodies_passed_over_keep_the_framing(void)
{
    /* each side: ChangeCipherSpec, an encrypted Finished (handshake after
     * CCS), two application data records of 300 and 17,000 bytes (the
     * largest a TLS 1.2 ciphertext may be is 18,432), an alert; then 5 bytes
     * that are no record header.  Without a record callback the bodies are
     * passed over, in whatever pieces they come; the records around them
     * must still be found where they start. */
    static uint8_t side[5 + 1 + 5 + 40 + 5 + 300 + 5 + 17000 + 5 + 2 + 5];
    size_t n = 0;
    const struct {
        uint8_t type;
        size_t len;
    } recs[] = {{20, 1}, {22, 40}, {23, 300}, {23, 17000}, {21, 2}};
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        side[n++] = recs[i].type, side[n++] = 3, side[n++] = 3;
        side[n++] = (uint8_t)(recs[i].len >> 8), side[n++] = (uint8_t)recs[i].len;
        memset(side + n, 0xA5, recs[i].len); /* would be a bogus header if read as one */
        n += recs[i].len;
    }
    const uint8_t bogus[] = {99, 3, 3, 0, 1};
    memcpy(side + n, bogus, sizeof bogus);
    n += sizeof bogus;
    CU_ASSERT_EQUAL_FATAL(n, sizeof side);
    const size_t steps[] = {1, 7, 1460, sizeof side};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        for (int cb = 0; cb < 2; cb++) {
            tls_stream_t *t = tls_new();
            tls_rec_bytes = tls_recs = 0;
            if (cb)
                tls_on_record(t, count_record, NULL);
            /* all but the bogus header: whole records, nothing amiss */
            tls_feed(t, true, side, n - sizeof bogus, steps[k]);
            tls_feed(t, false, side, n - sizeof bogus, steps[k]);
            CU_ASSERT_TRUE(tls_info(t)->established);
            CU_ASSERT_PTR_NULL(tls_info(t)->damaged);
            /* a record callback still gets every record whole, header and body */
            CU_ASSERT_EQUAL(tls_recs, cb ? 10 : 0);
            CU_ASSERT_EQUAL(tls_rec_bytes, cb ? 2 * (n - sizeof bogus) : 0);
            /* the next record header is read where the alert ends */
            tls_feed(t, true, bogus, sizeof bogus, steps[k]);
            CU_ASSERT_STRING_EQUAL(tls_info(t)->damaged, "tls.not_a_record");
            tls_free(t);
        }
    }
}

static int txns;
static uint64_t body;
static void b_begin(void *c, http_txn_t *t, bool o)
{
    (void)c, (void)t, (void)o;
}
static void b_data(void *c, http_txn_t *t, bool o, const uint8_t *p, size_t n, uint64_t f,
                   ts_ns_t ts)
{
    (void)c, (void)t, (void)o, (void)p, (void)f, (void)ts;
    body += n;
}
static void b_gap(void *c, http_txn_t *t, bool o, uint64_t l)
{
    (void)c, (void)t, (void)o, (void)l;
}
static void b_end(void *c, http_txn_t *t, bool o)
{
    (void)c, (void)t, (void)o;
}
static void t_done(void *c, http_txn_t *t)
{
    (void)c, (void)t, txns++;
}
static const http_callbacks_t cb = {b_begin, b_data, b_gap, b_end, t_done};

static void http_chunk_size_overflow_stops_the_body(void)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "10000000000000000\r\nAAAA";
    txns = 0, body = 0;
    http_conn_t *h = http_conn_new(&cb, NULL);
    http_conn_data(h, true, (const uint8_t *)req, strlen(req), 1, 0);
    http_conn_data(h, false, (const uint8_t *)resp, strlen(resp), 2, 0);
    http_conn_free(h);
    CU_ASSERT_EQUAL(txns, 1);
    CU_ASSERT_EQUAL(body, 0);
}

static void http_split_at_every_byte_gives_the_same_body(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    static const char req[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    txns = 0, body = 0;
    http_conn_t *h = http_conn_new(&cb, NULL);
    for (size_t i = 0; i < strlen(req); i++)
        http_conn_data(h, true, (const uint8_t *)req + i, 1, 1, 0);
    for (size_t i = 0; i < strlen(resp); i++)
        http_conn_data(h, false, (const uint8_t *)resp + i, 1, 2, 0);
    http_conn_free(h);
    CU_ASSERT_EQUAL(txns, 1);
    CU_ASSERT_EQUAL(body, 11);
}

/* More requests pipelined than HTTP_MAX_PENDING before any response: the
 * oldest are reported unanswered ("too_many_pending_requests"), and the
 * responses that answer them must not be paired with the requests still
 * waiting (each response body names its request: "/7" gets "7").  Before,
 * response 1 went to request 51: URLs with other requests' bodies. */
static int pipe_given_up, pipe_orphans, pipe_paired, pipe_mispaired;
static void p_data(void *c, http_txn_t *t, bool o, const uint8_t *p, size_t n, uint64_t f,
                   ts_ns_t ts)
{
    (void)c, (void)f, (void)ts;
    if (o)
        return;
    buf_t *b = t->user[1];
    if (!b)
        t->user[1] = b = xcalloc(1, sizeof *b);
    buf_append(b, p, n);
}
static void p_done(void *c, http_txn_t *t)
{
    (void)c;
    buf_t *b = t->user[1];
    const char *w = t->weird ? t->weird : "";
    if (strcmp(w, "too_many_pending_requests") == 0 && t->uri && !t->status)
        pipe_given_up++;
    else if (strcmp(w, "response_to_request_given_up") == 0 && !t->uri && t->status == 200)
        pipe_orphans++;
    else if (t->uri && b && strlen(t->uri) == b->len + 1 &&
             memcmp(t->uri + 1, b->data, b->len) == 0)
        pipe_paired++;
    else
        pipe_mispaired++;
    if (b)
        buf_free(b), free(b);
    t->user[1] = NULL;
}
static const http_callbacks_t cb_pipe = {b_begin, p_data, b_gap, b_end, p_done};

static void http_pipelined_past_the_pending_cap(void)
{
    enum { N = HTTP_MAX_PENDING + 50 };
    buf_t req = BUF_INIT, resp = BUF_INIT;
    for (int i = 0; i < N; i++) {
        char text[16];
        int n = snprintf(text, sizeof text, "%d", i);
        buf_printf(&req, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
        buf_printf(&resp, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", n, text);
    }
    pipe_given_up = pipe_orphans = pipe_paired = pipe_mispaired = 0;
    http_conn_t *h = http_conn_new(&cb_pipe, NULL);
    http_conn_data(h, true, req.data, req.len, 1, 0);
    http_conn_data(h, false, resp.data, resp.len, 2, 0);
    http_conn_free(h);
    CU_ASSERT_EQUAL(pipe_given_up, 50);
    CU_ASSERT_EQUAL(pipe_orphans, 50);
    CU_ASSERT_EQUAL(pipe_paired, HTTP_MAX_PENDING);
    CU_ASSERT_EQUAL(pipe_mispaired, 0);
    buf_free(&req), buf_free(&resp);
}

/* The last transaction reported, kept to look at (method, uri, status). */
static char last_uri[64];
static int last_status;
static void t_done_keep(void *c, http_txn_t *t)
{
    (void)c;
    txns++;
    snprintf(last_uri, sizeof last_uri, "%s %s", t->method ? t->method : "-",
             t->uri ? t->uri : "-");
    last_status = t->status;
}
static const http_callbacks_t cb_keep = {b_begin, b_data, b_gap, b_end, t_done_keep};

static void http_gap_after_the_transaction_completed(void)
{
    /* A response before the request body ended completes the transaction
     * (issue 24.6: a gap then, where no message is open any more, was a NULL
     * dereference).  The rest of the body, a gap in it, and a chunked one,
     * are framed and skipped; the next request is found where it starts. */
    static const char req[] = "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n";
    static const char resp[] = "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n";
    static const char next[] = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    static uint8_t part[100];
    memset(part, 'u', sizeof part);
    txns = 0, body = 0;
    http_conn_t *h = http_conn_new(&cb_keep, NULL);
    http_conn_data(h, true, (const uint8_t *)req, strlen(req), 1, 0);
    http_conn_data(h, true, part, sizeof part, 1, 0);
    http_conn_data(h, false, (const uint8_t *)resp, strlen(resp), 2, 0);
    CU_ASSERT_EQUAL(txns, 1);
    CU_ASSERT_STRING_EQUAL(last_uri, "POST /up");
    http_conn_gap(h, true, 100); /* no message open for it */
    http_conn_data(h, true, part, sizeof part, 3, 0);
    http_conn_data(h, true, (const uint8_t *)next, strlen(next), 4, 0);
    http_conn_data(h, false, (const uint8_t *)ok, strlen(ok), 5, 0);
    CU_ASSERT_EQUAL(txns, 2);
    CU_ASSERT_STRING_EQUAL(last_uri, "GET /next");
    CU_ASSERT_EQUAL(last_status, 200);
    CU_ASSERT_EQUAL(body, 100 + 2); /* the first part and "hi"; nothing after the 413 */
    http_conn_free(h);
    /* the same with a chunked request body: chunk lines, a gap, the end */
    static const char creq[] = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
    static const char crest[] = "cde\r\n0\r\n\r\nGET /after HTTP/1.1\r\n\r\n";
    txns = 0, body = 0;
    h = http_conn_new(&cb_keep, NULL);
    http_conn_data(h, true, (const uint8_t *)creq, strlen(creq), 1, 0);
    http_conn_data(h, false, (const uint8_t *)resp, strlen(resp), 2, 0);
    http_conn_gap(h, true, 1);
    http_conn_data(h, true, (const uint8_t *)crest, strlen(crest), 3, 0);
    http_conn_free(h);
    CU_ASSERT_EQUAL(txns, 2);
    CU_ASSERT_STRING_EQUAL(last_uri, "GET /after");
}

/* What a CONNECT's tunnel got, in order: direction letter and bytes. */
static char tunnelled[256];
static void on_switch(void *c, bool is_orig, const uint8_t *p, size_t n, uint64_t f, ts_ns_t ts)
{
    (void)c, (void)f, (void)ts;
    size_t k = strlen(tunnelled);
    snprintf(tunnelled + k, sizeof tunnelled - k, "%c:%.*s|", is_orig ? 'c' : 's', (int)n,
             (const char *)p);
}

static void http_connect_holds_early_client_bytes(void)
{
    /* A client that sends its first tunnelled bytes with the CONNECT: they
     * are the tunnel's first bytes once answered 200 (before the server's
     * bytes in the answer's segment); HTTP again when the proxy refuses. */
    static const char req[] = "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nHELLO";
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\nWORLD";
    tunnelled[0] = 0, txns = 0;
    http_conn_t *h = http_conn_new(&cb_keep, NULL);
    http_conn_on_switch(h, on_switch, NULL);
    http_conn_data(h, true, (const uint8_t *)req, strlen(req), 1, 0);
    CU_ASSERT_EQUAL(txns, 0);
    http_conn_data(h, false, (const uint8_t *)ok, strlen(ok), 2, 0);
    http_conn_data(h, true, (const uint8_t *)"MORE", 4, 3, 0);
    CU_ASSERT_EQUAL(txns, 1);
    CU_ASSERT_STRING_EQUAL(last_uri, "CONNECT h:443");
    CU_ASSERT_STRING_EQUAL(tunnelled, "c:HELLO|s:WORLD|c:MORE|");
    http_conn_free(h);

    static const char ask[] = "CONNECT h:443 HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    static const char no[] = "HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\nno!"
                             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    tunnelled[0] = 0, txns = 0, body = 0;
    h = http_conn_new(&cb_keep, NULL);
    http_conn_on_switch(h, on_switch, NULL);
    http_conn_data(h, true, (const uint8_t *)ask, strlen(ask), 1, 0);
    http_conn_data(h, false, (const uint8_t *)no, strlen(no), 2, 0);
    CU_ASSERT_EQUAL(txns, 2);
    CU_ASSERT_STRING_EQUAL(last_uri, "GET /x");
    CU_ASSERT_EQUAL(last_status, 200);
    CU_ASSERT_EQUAL(body, 3 + 2);
    CU_ASSERT_STRING_EQUAL(tunnelled, "");
    http_conn_free(h);
}

static uint64_t decoded;
static void sink(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx, (void)p, decoded += n;
}

static void gzip_bomb_stops_at_the_ratio_cap(void)
{
    /* 200 MB of zeros compress to ~200 kB: ratio ~1000:1 */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    static uint8_t zeros[1 << 20], out[1 << 20];
    size_t total_in = 0, gz_len = 0;
    uint8_t *gz = malloc(1 << 22);
    for (int i = 0; i < 200; i++) {
        zs.next_in = zeros, zs.avail_in = sizeof zeros;
        do {
            zs.next_out = out, zs.avail_out = sizeof out;
            deflate(&zs, i == 199 ? Z_FINISH : Z_NO_FLUSH);
            size_t k = sizeof out - zs.avail_out;
            memcpy(gz + gz_len, out, k);
            gz_len += k;
        } while (zs.avail_out == 0);
        total_in += sizeof zeros;
    }
    deflateEnd(&zs);
    decoded = 0;
    body_decoder_t *d = body_decoder_new(BODY_GZIP, 256u << 20, sink, NULL);
    body_decoder_feed(d, gz, gz_len);
    const char *why = body_decoder_finish(d);
    CU_ASSERT_PTR_NOT_NULL(why);
    if (why)
        CU_ASSERT_STRING_EQUAL(why, "decompression_ratio");
    CU_ASSERT_TRUE(decoded < 64u << 20); /* stopped long before 200 MB */
    body_decoder_free(d);
    /* and a normal gzip body decodes whole */
    decoded = 0;
    d = body_decoder_new(BODY_GZIP, 1u << 20, sink, NULL);
    body_decoder_feed(d, gz, 100); /* a truncated stream says so */
    CU_ASSERT_STRING_EQUAL(body_decoder_finish(d), "gzip_truncated");
    body_decoder_free(d);
    free(gz);
    (void)total_in;
}

/* Compress src with zlib using wbits (16+15 gzip, 15 zlib, -15 raw). */
static size_t zcompress(const uint8_t *src, size_t n, int wbits, uint8_t *dst, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *)src, zs.avail_in = (uInt)n;
    zs.next_out = dst, zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    size_t out = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static uint8_t got[4096];
static size_t got_len;
static void keep(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    if (got_len + n <= sizeof got)
        memcpy(got + got_len, p, n);
    got_len += n;
}

/* Decode enc fed in pieces of step bytes; returns the stop reason. */
static const char *decode_in_steps(body_coding_t coding, const uint8_t *enc, size_t n, size_t step,
                                   uint64_t *trailing, const char **note)
{
    got_len = 0;
    body_decoder_t *d = body_decoder_new(coding, 1u << 20, keep, NULL);
    for (size_t i = 0; i < n; i += step)
        body_decoder_feed(d, enc + i, n - i < step ? n - i : step);
    const char *why = body_decoder_finish(d);
    if (trailing)
        *trailing = body_decoder_trailing(d);
    if (note)
        *note = body_decoder_note(d);
    body_decoder_free(d);
    return why;
}

static void body_decoding_does_not_depend_on_how_input_is_split(void)
{
    static const char text[] = "The quick brown fox jumps over the lazy dog, again and again.";
    uint8_t enc[512];
    const int wbits[] = {16 + MAX_WBITS, MAX_WBITS, -MAX_WBITS};
    const body_coding_t codings[] = {BODY_GZIP, BODY_DEFLATE, BODY_DEFLATE};
    for (int w = 0; w < 3; w++) {
        size_t n = zcompress((const uint8_t *)text, strlen(text), wbits[w], enc, sizeof enc);
        for (size_t step = 1; step <= n; step = step * 2 + 1) {
            CU_ASSERT_PTR_NULL(decode_in_steps(codings[w], enc, n, step, NULL, NULL));
            CU_ASSERT_EQUAL(got_len, strlen(text));
            CU_ASSERT_EQUAL(memcmp(got, text, strlen(text)), 0);
        }
    }
}

static void gzip_members_are_concatenated_and_trailing_bytes_counted(void)
{
    uint8_t enc[1024];
    size_t n = zcompress((const uint8_t *)"first,", 6, 16 + MAX_WBITS, enc, sizeof enc);
    n += zcompress((const uint8_t *)"second", 6, 16 + MAX_WBITS, enc + n, sizeof enc - n);
    memcpy(enc + n, "\0\0\0junk", 7);
    uint64_t trailing = 0;
    CU_ASSERT_PTR_NULL(decode_in_steps(BODY_GZIP, enc, n + 7, 3, &trailing, NULL));
    CU_ASSERT_EQUAL(got_len, 12);
    CU_ASSERT_EQUAL(memcmp(got, "first,second", 12), 0);
    CU_ASSERT_EQUAL(trailing, 7);
}

static void mislabelled_gzip_body_passes_through_with_a_note(void)
{
    static const char plain[] = "<html>not compressed at all</html>";
    const char *note = NULL;
    CU_ASSERT_PTR_NULL(
        decode_in_steps(BODY_GZIP, (const uint8_t *)plain, strlen(plain), 5, NULL, &note));
    CU_ASSERT_EQUAL(got_len, strlen(plain));
    CU_ASSERT_PTR_NOT_NULL(note);
    if (note)
        CU_ASSERT_STRING_EQUAL(note, "not_gzip");
    CU_ASSERT_EQUAL(body_coding_of(" GZIP "), BODY_GZIP);
    CU_ASSERT_EQUAL(body_coding_of("identity"), BODY_IDENTITY);
    CU_ASSERT_EQUAL(body_coding_of("br"), BODY_BROTLI);
    CU_ASSERT_EQUAL(body_coding_of(" ZSTD"), BODY_ZSTD);
    CU_ASSERT_EQUAL(body_coding_of("compress"), BODY_UNSUPPORTED);
    CU_ASSERT_EQUAL(body_coding_of("gzip, br"), BODY_UNSUPPORTED);
}

/* "The quick brown fox ..." (FOX) as `brotli` and `zstd` (the command-line
 * tools, default levels) wrote it. */
static const char FOX[] = "The quick brown fox jumps over the lazy dog, again and again.";
static const uint8_t fox_br[] = {
    0xa1, 0xe0, 0x01, 0x80, 0x6a, 0xa4, 0x74, 0x33, 0x17, 0x81, 0x9c, 0x2c, 0xd5, 0xaf, 0x9b,
    0x96, 0x84, 0x68, 0x08, 0x9a, 0x82, 0x0a, 0x7b, 0x83, 0x0d, 0x38, 0x70, 0xc8, 0xd2, 0x61,
    0x1f, 0x48, 0x87, 0x0d, 0x38, 0x8f, 0x2d, 0x5e, 0x70, 0x91, 0xf5, 0x58, 0xbd, 0x42, 0xd4,
    0xb7, 0xb8, 0x44, 0x3b, 0xa8, 0xd3, 0xfe, 0xf0, 0x29, 0x6c, 0x42, 0x50, 0x01};
static const uint8_t fox_zst[] = {
    0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x3d, 0xe9, 0x01, 0x00, 0x54, 0x68, 0x65, 0x20, 0x71, 0x75,
    0x69, 0x63, 0x6b, 0x20, 0x62, 0x72, 0x6f, 0x77, 0x6e, 0x20, 0x66, 0x6f, 0x78, 0x20, 0x6a,
    0x75, 0x6d, 0x70, 0x73, 0x20, 0x6f, 0x76, 0x65, 0x72, 0x20, 0x74, 0x68, 0x65, 0x20, 0x6c,
    0x61, 0x7a, 0x79, 0x20, 0x64, 0x6f, 0x67, 0x2c, 0x20, 0x61, 0x67, 0x61, 0x69, 0x6e, 0x20,
    0x61, 0x6e, 0x64, 0x20, 0x61, 0x67, 0x61, 0x69, 0x6e, 0x2e, 0xd5, 0xa2, 0x52, 0xd1};

/* Decode enc as Content-Encoding ce, fed in pieces of step bytes. */
static const char *decode_stack(const char *ce, const uint8_t *enc, size_t n, size_t step,
                                uint64_t *trailing, const char **note, uint64_t *offset)
{
    got_len = 0;
    body_decoder_t *d = body_decoder_for(ce, 1u << 20, keep, NULL);
    for (size_t i = 0; i < n; i += step)
        body_decoder_feed(d, enc + i, n - i < step ? n - i : step);
    const char *why = body_decoder_finish(d);
    if (trailing)
        *trailing = body_decoder_trailing(d);
    if (note)
        *note = body_decoder_note(d);
    if (offset)
        *offset = body_decoder_stop_offset(d);
    body_decoder_free(d);
    return why;
}

static bool got_fox(void)
{
    return got_len == strlen(FOX) && memcmp(got, FOX, got_len) == 0;
}

static void brotli_and_zstd_decode_however_split(void)
{
    for (size_t step = 1; step <= sizeof fox_zst; step = step * 2 + 1) {
        CU_ASSERT_PTR_NULL(decode_stack("br", fox_br, sizeof fox_br, step, NULL, NULL, NULL));
        CU_ASSERT_TRUE(got_fox());
        CU_ASSERT_PTR_NULL(decode_stack("zstd", fox_zst, sizeof fox_zst, step, NULL, NULL, NULL));
        CU_ASSERT_TRUE(got_fox());
    }
    /* bytes after the brotli stream are trailing, two zstd frames are one body */
    uint8_t enc[256];
    memcpy(enc, fox_br, sizeof fox_br);
    memcpy(enc + sizeof fox_br, "junk", 4);
    uint64_t trailing = 0;
    CU_ASSERT_PTR_NULL(decode_stack("br", enc, sizeof fox_br + 4, 7, &trailing, NULL, NULL));
    CU_ASSERT_TRUE(got_fox());
    CU_ASSERT_EQUAL(trailing, 4);
    memcpy(enc, fox_zst, sizeof fox_zst);
    memcpy(enc + sizeof fox_zst, fox_zst, sizeof fox_zst);
    CU_ASSERT_PTR_NULL(decode_stack("zstd", enc, 2 * sizeof fox_zst, 5, NULL, NULL, NULL));
    CU_ASSERT_EQUAL(got_len, 2 * strlen(FOX));
    /* cut short, or damaged: the reason and where */
    uint64_t at = 0;
    CU_ASSERT_STRING_EQUAL(decode_stack("br", fox_br, 30, 4, NULL, NULL, NULL), "br_truncated");
    CU_ASSERT_STRING_EQUAL(decode_stack("zstd", fox_zst, 30, 4, NULL, NULL, NULL),
                           "zstd_truncated");
    memcpy(enc, fox_zst, sizeof fox_zst);
    enc[0] ^= 0xff;
    CU_ASSERT_STRING_EQUAL(decode_stack("zstd", enc, sizeof fox_zst, 8, NULL, NULL, &at),
                           "zstd_corrupt");
    CU_ASSERT_TRUE(at <= 8);
    const char *plain = "<html>not brotli</html>";
    CU_ASSERT_STRING_EQUAL(
        decode_stack("br", (const uint8_t *)plain, strlen(plain), 4, NULL, NULL, NULL),
        "br_corrupt");
}

static void coding_stacks_are_undone_last_first(void)
{
    uint8_t once[512], twice[512];
    size_t n1 = zcompress((const uint8_t *)FOX, strlen(FOX), 16 + MAX_WBITS, once, sizeof once);
    size_t n2 = zcompress(once, n1, 16 + MAX_WBITS, twice, sizeof twice);
    for (size_t step = 1; step <= n2; step = step * 2 + 1) {
        CU_ASSERT_PTR_NULL(decode_stack("gzip, gzip", twice, n2, step, NULL, NULL, NULL));
        CU_ASSERT_TRUE(got_fox());
    }
    /* br applied first, then raw deflate: deflate is undone first */
    n2 = zcompress(fox_br, sizeof fox_br, -MAX_WBITS, twice, sizeof twice);
    CU_ASSERT_PTR_NULL(decode_stack("br,deflate", twice, n2, 3, NULL, NULL, NULL));
    CU_ASSERT_TRUE(got_fox());
    CU_ASSERT_PTR_NULL(
        decode_stack(" identity , BR , , deflate ", twice, n2, 64, NULL, NULL, NULL));
    CU_ASSERT_TRUE(got_fox());
    /* an unknown coding: what was applied after it is undone, the rest kept */
    const char *note = NULL;
    n1 = zcompress((const uint8_t *)FOX, strlen(FOX), MAX_WBITS, once, sizeof once);
    CU_ASSERT_PTR_NULL(decode_stack("x-magic, gzip", once, n1, 5, NULL, &note, NULL));
    CU_ASSERT_TRUE(got_fox());
    CU_ASSERT_STRING_EQUAL(note, "unknown_coding");
    /* one damaged byte in the middle of the outer stream: stops there */
    n2 = zcompress(once, n1, 16 + MAX_WBITS, twice, sizeof twice);
    twice[12] ^= 0x55;
    uint64_t at = 0;
    const char *why = decode_stack("deflate, gzip", twice, n2, 1, NULL, NULL, &at);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_TRUE(at >= 10 && at <= n2);
}

static void content_disagreeing_with_its_label_is_judged(void)
{
    static const uint8_t exe[] = "MZ\x90\x00\x03\x00\x00\x00", zip[] = "PK\x03\x04\x14\x00",
                         png[] = "\x89PNG\r\n\x1a\n\x00", pdf[] = "%PDF-1.7\n";
    CU_ASSERT_STRING_EQUAL(mime_sniff(exe, sizeof exe - 1), "application/x-dosexec");
    CU_ASSERT_STRING_EQUAL(mime_sniff(zip, sizeof zip - 1), "application/zip");
    CU_ASSERT_STRING_EQUAL(mime_sniff(pdf, sizeof pdf - 1), "application/pdf");
    /* an executable is suspicious under any label but a download's */
    CU_ASSERT_TRUE(mime_suspicious_mismatch("image/jpeg", "application/x-dosexec"));
    CU_ASSERT_TRUE(mime_suspicious_mismatch("text/plain; charset=utf-8", "application/x-dosexec"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/octet-stream", "application/x-dosexec"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/x-msdownload", "application/x-dosexec"));
    /* archives and documents dressed as passive content */
    CU_ASSERT_TRUE(mime_suspicious_mismatch("image/gif", "application/zip"));
    CU_ASSERT_TRUE(mime_suspicious_mismatch("application/javascript", "application/pdf"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/zip", "application/zip"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/java-archive", "application/zip"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("text/rtf", "text/rtf"));
    /* harmless disagreements are not findings */
    CU_ASSERT_STRING_EQUAL(mime_sniff(png, sizeof png - 1), "image/png");
    CU_ASSERT_FALSE(mime_suspicious_mismatch("image/jpeg", "image/png"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/octet-stream", "image/png"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch(NULL, "application/zip"));
    /* libmagic's names for the same content */
    CU_ASSERT_TRUE(
        mime_suspicious_mismatch("image/jpeg", "application/vnd.microsoft.portable-executable"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("application/octet-stream",
                                             "application/vnd.microsoft.portable-executable"));
    CU_ASSERT_TRUE(mime_suspicious_mismatch("image/gif", "application/msword"));
    CU_ASSERT_TRUE(mime_suspicious_mismatch(
        "text/plain", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    CU_ASSERT_FALSE(mime_suspicious_mismatch("text/plain", "application/vnd.openxmlformats"));
}

/* libmagic types a body once per SHA-256; the sniffer's type stands only
 * for strong binary signatures, where libmagic is asked for the
 * description alone; text always goes to libmagic. */
static void file_types_are_cached_by_content(void)
{
    char err[256];
    filemagic_t *m = filemagic_open(err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    static const char js[] = "'use strict';\nfunction greet(name) { return 'hello ' + name; }\n";
    const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
    filetype_t t = {{0}, {0}};
    CU_ASSERT_TRUE(filemagic_type(m, h1, (const uint8_t *)js, sizeof js - 1, &t));
    CU_ASSERT_STRING_EQUAL(t.mime, "application/javascript"); /* the sniffer: text/plain */
    CU_ASSERT_STRING_EQUAL(t.desc, "JavaScript source, ASCII text");
    filemagic_stats_t st = filemagic_stats(m);
    CU_ASSERT_EQUAL(st.magic_runs, 1); /* the description implies the type */
    /* the same body again: from the cache, libmagic not asked */
    filetype_t again = {{0}, {0}};
    filemagic_type(m, h1, (const uint8_t *)js, sizeof js - 1, &again);
    CU_ASSERT_STRING_EQUAL(again.mime, t.mime);
    CU_ASSERT_STRING_EQUAL(again.desc, t.desc);
    st = filemagic_stats(m);
    CU_ASSERT_EQUAL(st.asked, 2);
    CU_ASSERT_EQUAL(st.cached, 1);
    CU_ASSERT_EQUAL(st.magic_runs, 1);
    /* no SHA-256: not cached */
    filemagic_type(m, NULL, (const uint8_t *)js, sizeof js - 1, &again);
    CU_ASSERT_EQUAL(filemagic_stats(m).magic_runs, 2);
    /* a PNG: the sniffer's type, libmagic's description (one run) */
    static const uint8_t png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10"
                                 "\x00\x00\x00\x08\x08\x02\x00\x00\x00";
    filemagic_type(m, "2222222222222222222222222222222222222222222222222222222222222222", png,
                   sizeof png - 1, &t);
    CU_ASSERT_STRING_EQUAL(t.mime, "image/png");
    CU_ASSERT_STRING_EQUAL(t.desc, "PNG image data, 16 x 8, 8-bit/color RGB, non-interlaced");
    st = filemagic_stats(m);
    CU_ASSERT_EQUAL(st.sniffed, 1);
    CU_ASSERT_EQUAL(st.magic_runs, 3);
    /* C source: its description implies no type, libmagic is asked for it */
    static const char c_src[] = "#include <stdio.h>\nint main(void)\n{\n    printf(\"hi\\n\");\n"
                                "    return 0;\n}\n";
    filemagic_type(m, NULL, (const uint8_t *)c_src, sizeof c_src - 1, &t);
    CU_ASSERT_STRING_EQUAL(t.mime, "text/x-c");
    CU_ASSERT_STRING_EQUAL(t.desc, "C source, ASCII text");
    CU_ASSERT_EQUAL(filemagic_stats(m).magic_runs, 5);
    filemagic_close(m);
}

/* RFC 1002 first-level encoding of a 15-character name plus suffix. */
static size_t nb_encode(uint8_t *out, const char *name, uint8_t suffix)
{
    uint8_t raw[16];
    memset(raw, ' ', 15);
    memcpy(raw, name, strlen(name));
    raw[15] = suffix;
    out[0] = 32;
    for (int i = 0; i < 16; i++) {
        out[1 + 2 * i] = (uint8_t)('A' + (raw[i] >> 4));
        out[2 + 2 * i] = (uint8_t)('A' + (raw[i] & 15));
    }
    out[33] = 0;
    return 34;
}

static void netbios_names_from_registrations_and_answers(void)
{
    /* name registration request: question + additional NB record */
    uint8_t m[128];
    size_t n = 0;
    static const uint8_t hdr[] = {0x12, 0x34, 0x29, 0x10, 0, 1, 0, 0, 0, 0, 0, 1};
    memcpy(m, hdr, sizeof hdr);
    n = sizeof hdr;
    n += nb_encode(m + n, "WORKSTATION7", 0x00);
    static const uint8_t q[] = {0, 0x20, 0, 1};
    memcpy(m + n, q, 4);
    n += 4;
    static const uint8_t rr[] = {0xC0, 0x0C, 0, 0x20, 0,    1,  0, 0x04, 0x93,
                                 0xE0, 0,    6, 0x00, 0x00, 10, 0, 0,    42};
    memcpy(m + n, rr, sizeof rr);
    n += sizeof rr;
    localname_t v[NBNS_MAX_NAMES];
    CU_ASSERT_EQUAL_FATAL(nbns_names(m, n, v, NBNS_MAX_NAMES), 1);
    CU_ASSERT_STRING_EQUAL(v[0].name, "WORKSTATION7");
    CU_ASSERT_EQUAL(v[0].addr[0], 10);
    CU_ASSERT_EQUAL(v[0].addr[3], 42);
    /* every truncation is refused or read partly, never past the end */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, m, cut);
        CU_ASSERT_TRUE(nbns_names(t, cut, v, NBNS_MAX_NAMES) <= 1);
        free(t);
    }
    /* the same record as a group name is not a host's name */
    m[n - 6] = 0x80;
    CU_ASSERT_EQUAL(nbns_names(m, n, v, NBNS_MAX_NAMES), 0);
    /* a query (not an answer) names nobody; nor does a negative response */
    static const uint8_t query[] = {0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(m, query, sizeof query);
    CU_ASSERT_EQUAL(nbns_names(m, n, v, NBNS_MAX_NAMES), 0);
    /* positive query response: the answer carries its own name, two addresses */
    static const uint8_t rhdr[] = {0x12, 0x34, 0x85, 0x00, 0, 0, 0, 1, 0, 0, 0, 0};
    memcpy(m, rhdr, sizeof rhdr);
    n = sizeof rhdr;
    n += nb_encode(m + n, "FILESRV", 0x20);
    static const uint8_t ans[] = {0,    0x20, 0,   1, 0, 0,    0,    60,  0,   12, 0x00,
                                  0x00, 192,  168, 1, 5, 0x00, 0x00, 192, 168, 2,  5};
    memcpy(m + n, ans, sizeof ans);
    n += sizeof ans;
    CU_ASSERT_EQUAL_FATAL(nbns_names(m, n, v, NBNS_MAX_NAMES), 2);
    CU_ASSERT_STRING_EQUAL(v[1].name, "FILESRV");
    CU_ASSERT_EQUAL(v[1].addr[2], 2);
    /* the browser election name (suffix 0x01) is not a host name */
    n = sizeof rhdr;
    n += nb_encode(m + n, "\x01\x02__MSBROWSE__\x02", 0x01);
    memcpy(m + n, ans, sizeof ans);
    CU_ASSERT_EQUAL(nbns_names(m, n + sizeof ans, v, NBNS_MAX_NAMES), 0);
}

static void content_range_is_parsed_strictly(void)
{
    uint64_t a, b, t;
    CU_ASSERT_TRUE(http_parse_content_range("bytes 0-32767/555523", &a, &b, &t));
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_EQUAL(b, 32767);
    CU_ASSERT_EQUAL(t, 555523);
    CU_ASSERT_TRUE(http_parse_content_range(" bytes 1-1/498668\r", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range("bytes 0-10/*", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range("bytes */1000", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range("bytes 10-5/100", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range("bytes 0-100/100", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range("bytes 0-1/2 junk", &a, &b, &t));
    CU_ASSERT_FALSE(http_parse_content_range(NULL, &a, &b, &t));
}

static size_t read_all(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    return n;
}

/* The parse cache gives what a parse gives, the second time from the cache,
 * as a copy the caller owns; a DER OpenSSL refuses is refused again. */
static void certificate_cache_gives_the_same_fields(void)
{
    static uint8_t der[8192];
    size_t n = read_all(SOURCE_DIR "/tests/bench/certs/web.der", der, sizeof der);
    CU_ASSERT_TRUE_FATAL(n > 100);
    x509_cache_t *c = x509_cache_new();
    x509_info_t plain, first, again;
    const char *err = NULL;
    CU_ASSERT_TRUE(x509_parse(der, n, &plain, &err));
    CU_ASSERT_TRUE(x509_parse_cached(c, der, n, &first, &err));
    CU_ASSERT_TRUE(x509_parse_cached(c, der, n, &again, &err));
    /* openssl x509 -inform der -in tests/bench/certs/web.der -fingerprint -sha256 */
    CU_ASSERT_STRING_EQUAL(plain.sha256,
                           "39e2891076f82dfe4e4a56fe2813e4f0796b52880b736ebce5e1fcca4ed0a785");
    CU_ASSERT_STRING_EQUAL(again.sha256, plain.sha256);
    CU_ASSERT_STRING_EQUAL(again.subject, plain.subject);
    CU_ASSERT_EQUAL(again.nsan_dns, plain.nsan_dns);
    CU_ASSERT_TRUE(again.nsan_dns > 0 && strcmp(again.san_dns[0], plain.san_dns[0]) == 0);
    CU_ASSERT_PTR_NOT_EQUAL(again.subject, first.subject); /* each its own copy */
    CU_ASSERT_EQUAL(again.not_after, plain.not_after);
    x509_info_free(&first);
    x509_info_free(&again);
    der[0] ^= 0xff; /* not a certificate any more */
    CU_ASSERT_FALSE(x509_parse_cached(c, der, n, &first, &err));
    CU_ASSERT_FALSE(x509_parse_cached(c, der, n, &again, &err));
    CU_ASSERT_STRING_EQUAL(err, "x509.not_a_certificate");
    x509_info_free(&first);
    x509_info_free(&again);
    x509_info_free(&plain);
    x509_cache_free(c);
}

static const cu_test_t tests[] = {
    {"certificate_cache_gives_the_same_fields", certificate_cache_gives_the_same_fields},
    {"dns_compression_loop_is_damage", dns_compression_loop_is_damage},
    {"dns_forward_pointer_is_read_and_noted", dns_forward_pointer_is_read_and_noted},
    {"dns_any_opcode_is_a_message", dns_any_opcode_is_a_message},
    {"dns_name_reader_guards", dns_name_reader_guards},
    {"dns_answers_render_like_zeek", dns_answers_render_like_zeek},
    {"tls_certificate_past_its_record_is_damage", tls_certificate_past_its_record_is_damage},
    {"tls_bodies_passed_over_keep_the_framing", tls_bodies_passed_over_keep_the_framing},
    {"http_chunk_size_overflow_stops_the_body", http_chunk_size_overflow_stops_the_body},
    {"http_split_at_every_byte_gives_the_same_body", http_split_at_every_byte_gives_the_same_body},
    {"http_pipelined_past_the_pending_cap", http_pipelined_past_the_pending_cap},
    {"http_gap_after_the_transaction_completed", http_gap_after_the_transaction_completed},
    {"http_connect_holds_early_client_bytes", http_connect_holds_early_client_bytes},
    {"gzip_bomb_stops_at_the_ratio_cap", gzip_bomb_stops_at_the_ratio_cap},
    {"body_decoding_does_not_depend_on_how_input_is_split",
     body_decoding_does_not_depend_on_how_input_is_split},
    {"gzip_members_are_concatenated_and_trailing_bytes_counted",
     gzip_members_are_concatenated_and_trailing_bytes_counted},
    {"brotli_and_zstd_decode_however_split", brotli_and_zstd_decode_however_split},
    {"coding_stacks_are_undone_last_first", coding_stacks_are_undone_last_first},
    {"mislabelled_gzip_body_passes_through_with_a_note",
     mislabelled_gzip_body_passes_through_with_a_note},
    {"content_disagreeing_with_its_label_is_judged", content_disagreeing_with_its_label_is_judged},
    {"file_types_are_cached_by_content", file_types_are_cached_by_content},
    {"netbios_names_from_registrations_and_answers", netbios_names_from_registrations_and_answers},
    {"content_range_is_parsed_strictly", content_range_is_parsed_strictly},
    {NULL, NULL}};

CU_MAIN("proto", tests)
