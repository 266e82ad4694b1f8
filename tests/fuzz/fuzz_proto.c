/* fuzz_proto.c — the application parsers on arbitrary bytes: DNS messages,
 * HTTP streams (both directions, chunked/gzip bodies; also as a script of
 * data, gaps and ends in any order), TLS handshakes and the certificates
 * inside them, DHCP and NetBIOS names.  The first byte picks the parser.
 * tests/fuzz/regress/fuzz_proto/ holds inputs that once failed. */
#include "proto/body.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "proto/localnames.h"
#include "proto/tls.h"
#include "proto/x509.h"

#include <stdlib.h>

static void b_begin(void *c, http_txn_t *t, bool o)
{
    (void)c, (void)o;
    t->user[0] = NULL;
}
static void b_data(void *c, http_txn_t *t, bool o, const uint8_t *p, size_t n, uint64_t f,
                   ts_ns_t ts)
{
    (void)c, (void)t, (void)o, (void)f, (void)ts, (void)p, (void)n;
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
    (void)c;
    free(http_suggest_filename(t->resp.cdisp, t->uri));
}
static const http_callbacks_t cb = {b_begin, b_data, b_gap, b_end, t_done};

static void sink(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
}

/* HTTP as a script of events, each [flags][length, 2 bytes big-endian]
 * then, for data, that many bytes: flags bit 0 is the direction (1: the
 * requests), bits 1-2 the event (0 data, 1 a gap of length bytes, 2 the
 * direction ends). */
static void http_script(const uint8_t *p, size_t n)
{
    http_conn_t *h = http_conn_new(&cb, NULL);
    uint64_t frame = 1;
    size_t i = 0;
    while (n - i >= 3) {
        bool orig = p[i] & 1;
        unsigned event = (p[i] >> 1) & 3;
        size_t len = (size_t)p[i + 1] << 8 | p[i + 2];
        i += 3;
        if (event == 0) {
            if (len > n - i)
                len = n - i;
            http_conn_data(h, orig, p + i, len, frame++, 0);
            i += len;
        } else if (event == 1) {
            http_conn_gap(h, orig, len);
        } else {
            http_conn_end(h, orig);
        }
    }
    http_conn_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0: {
        dns_msg_t m;
        dns_parse(p, n, &m);
        dns_msg_free(&m);
        break;
    }
    case 1: { /* request stream and response stream split at the middle */
        http_conn_t *h = http_conn_new(&cb, NULL);
        http_conn_data(h, true, p, n / 2, 1, 0);
        http_conn_data(h, false, p + n / 2, n - n / 2, 2, 0);
        http_conn_free(h);
        break;
    }
    case 2: {
        tls_stream_t *t = tls_new();
        tls_data(t, true, p, n / 2);
        tls_data(t, false, p + n / 2, n - n / 2);
        const tls_info_t *in = tls_info(t);
        for (size_t i = 0; i < in->nchain; i++) {
            x509_info_t x;
            const char *err;
            x509_parse(in->chain[i].der, in->chain[i].len, &x, &err);
            x509_info_free(&x);
        }
        tls_free(t);
        break;
    }
    case 3: {
        x509_info_t x;
        const char *err;
        x509_parse(p, n, &x, &err);
        x509_info_free(&x);
        break;
    }
    case 4: {
        localname_t v[NBNS_MAX_NAMES];
        nbns_names(p, n, v, NBNS_MAX_NAMES);
        dhcp_host_name(p, n, v);
        break;
    }
    case 6:
        http_script(p, n);
        break;
    default: { /* encoded bodies and stacks of codings: bombs stop at the caps */
        static const char *const codings[] = {
            "gzip", "deflate", "br", "zstd", "gzip, gzip", "br, gzip", "zstd, deflate", "x, br"};
        body_decoder_t *d = body_decoder_for(codings[data[1] & 7], 1 << 20, sink, NULL);
        body_decoder_feed(d, p, n);
        body_decoder_finish(d);
        body_decoder_free(d);
    }
    }
    return 0;
}
