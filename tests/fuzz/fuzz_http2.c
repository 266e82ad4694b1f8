/* fuzz_http2.c — HTTP/2 frames and HPACK on arbitrary bytes.  After the
 * first byte (bit 0: the connection was upgraded from HTTP/1.1; bit 1: a gap
 * in the server direction at the end), the input is chunks of
 * [control][length:2][bytes], control bit 0 the direction (1: client), fed
 * after a valid client preface so the frame parser is reached.  Seeds
 * (tests/fuzz/make_seeds.py) are the connections of our h2c recording. */
#include "proto/http2.h"

#include <stdlib.h>
#include <string.h>

static void b_begin(void *c, http_txn_t *t, bool o)
{
    (void)c, (void)t, (void)o;
}
static void b_data(void *c, http_txn_t *t, bool o, const uint8_t *p, size_t n, uint64_t f,
                   ts_ns_t ts)
{
    (void)c, (void)o, (void)f, (void)ts, (void)p;
    if (t->resp.body_len < n && t->req.body_len < n)
        abort(); /* counted before it is handed out */
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
    if (!t->stream_id)
        abort();
}
static const http_callbacks_t cb = {b_begin, b_data, b_gap, b_end, t_done};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    h2_conn_t *h = h2_conn_new(&cb, NULL);
    if (size && data[0] & 1) {
        http_txn_t *req = http_txn_new();
        req->method = strdup("GET");
        h2_conn_upgraded(h, req);
        http_txn_free(req);
    }
    h2_conn_data(h, true, (const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24, 1, 0);
    size_t i = 1;
    while (i + 3 <= size) {
        bool client = data[i] & 1;
        size_t n = (size_t)data[i + 1] << 8 | data[i + 2];
        i += 3;
        if (n > size - i)
            n = size - i;
        h2_conn_data(h, client, data + i, n, i, 0);
        i += n;
    }
    if (size && data[0] & 2)
        h2_conn_gap(h, false, 10);
    h2_conn_end(h, true);
    h2_conn_free(h);
    return 0;
}
