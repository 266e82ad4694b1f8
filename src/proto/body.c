/* body.c — streaming Content-Encoding decoding with caps; see body.h. */
#include "body.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define OUT_CHUNK 65536

struct body_decoder {
    body_coding_t coding;
    uint64_t max_out, in, out;
    body_sink_fn sink;
    void *ctx;
    z_stream zs;
    bool zinit, raw_tried, done;
    const char *stopped; /* reason, or NULL */
    uint8_t *buf;
};

body_coding_t body_coding_of(const char *ce)
{
    if (!ce)
        return BODY_IDENTITY;
    while (*ce == ' ' || *ce == '\t')
        ce++;
    if (strncasecmp(ce, "gzip", 4) == 0 || strncasecmp(ce, "x-gzip", 6) == 0)
        return BODY_GZIP;
    if (strncasecmp(ce, "deflate", 7) == 0)
        return BODY_DEFLATE;
    return BODY_IDENTITY;
}

static bool zstart(body_decoder_t *d, int wbits)
{
    if (d->zinit)
        inflateEnd(&d->zs);
    memset(&d->zs, 0, sizeof d->zs);
    d->zinit = inflateInit2(&d->zs, wbits) == Z_OK;
    return d->zinit;
}

body_decoder_t *body_decoder_new(body_coding_t coding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx)
{
    body_decoder_t *d = xcalloc(1, sizeof *d);
    d->coding = coding;
    d->max_out = max_out;
    d->sink = sink;
    d->ctx = ctx;
    if (coding != BODY_IDENTITY) {
        d->buf = xmalloc(OUT_CHUNK);
        /* gzip: 16+; deflate: zlib wrapper first (RFC), raw if that fails */
        if (!zstart(d, coding == BODY_GZIP ? 16 + MAX_WBITS : MAX_WBITS))
            d->stopped = "zlib_init";
    }
    return d;
}

static void emit(body_decoder_t *d, const uint8_t *p, size_t n)
{
    if (d->stopped || !n)
        return;
    if (d->out + n > d->max_out) {
        n = (size_t)(d->max_out - d->out);
        d->stopped = "max_body";
    }
    d->out += n;
    if (n)
        d->sink(d->ctx, p, n);
    if (!d->stopped && d->coding != BODY_IDENTITY && d->out >= BODY_RATIO_MIN_OUT &&
        d->out > (uint64_t)BODY_MAX_RATIO * (d->in ? d->in : 1))
        d->stopped = "decompression_ratio";
}

static void inflate_some(body_decoder_t *d, const uint8_t *p, size_t len)
{
    d->zs.next_in = (uint8_t *)p;
    d->zs.avail_in = (uInt)len;
    while (!d->stopped && !d->done && (d->zs.avail_in > 0)) {
        d->zs.next_out = d->buf;
        d->zs.avail_out = OUT_CHUNK;
        int rc = inflate(&d->zs, Z_NO_FLUSH);
        size_t got = OUT_CHUNK - d->zs.avail_out;
        if (rc == Z_DATA_ERROR && d->coding == BODY_DEFLATE && !d->raw_tried && d->out == 0 &&
            d->zs.total_out == 0) {
            /* "deflate" sent without the zlib wrapper, as many servers do */
            d->raw_tried = true;
            size_t consumed = (size_t)(d->zs.next_in - p);
            (void)consumed;
            if (!zstart(d, -MAX_WBITS)) {
                d->stopped = "zlib_init";
                return;
            }
            d->zs.next_in = (uint8_t *)p;
            d->zs.avail_in = (uInt)len;
            continue;
        }
        emit(d, d->buf, got);
        if (rc == Z_STREAM_END) {
            d->done = true;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            d->stopped = d->coding == BODY_GZIP ? "gzip_corrupt" : "deflate_corrupt";
            break;
        }
        if (rc == Z_BUF_ERROR && got == 0)
            break;
    }
}

void body_decoder_feed(body_decoder_t *d, const uint8_t *p, size_t len)
{
    if (d->stopped || !len)
        return;
    if (d->coding == BODY_IDENTITY) {
        d->in += len;
        emit(d, p, len);
        return;
    }
    /* feed in slices so the ratio check sees input and output in step */
    while (len && !d->stopped && !d->done) {
        size_t k = len > 16384 ? 16384 : len;
        d->in += k;
        inflate_some(d, p, k);
        p += k;
        len -= k;
    }
}

const char *body_decoder_finish(body_decoder_t *d)
{
    if (!d->stopped && d->coding != BODY_IDENTITY && !d->done && d->in > 0)
        d->stopped = d->coding == BODY_GZIP ? "gzip_truncated" : "deflate_truncated";
    return d->stopped;
}

uint64_t body_decoder_out(const body_decoder_t *d) { return d->out; }
uint64_t body_decoder_in(const body_decoder_t *d) { return d->in; }

void body_decoder_free(body_decoder_t *d)
{
    if (!d)
        return;
    if (d->zinit)
        inflateEnd(&d->zs);
    free(d->buf);
    free(d);
}
