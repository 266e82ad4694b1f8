/* body.c — streaming Content-Encoding decoding with caps; see body.h. */
#include "body.h"

#include "core/cursor.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* Input handed to zlib per call: avail_in is 32-bit, and small steps keep
 * the ratio check close to the input actually consumed. */
#define IN_SLICE (1u << 20)

enum mode {
    MODE_SNIFF,   /* waiting for the two bytes that name the wrapper */
    MODE_INFLATE, /* zlib running */
    MODE_PASS,    /* identity: bytes go straight to the sink */
    MODE_DONE,    /* stream ended: further bytes are trailing */
};

struct body_decoder {
    body_coding_t coding;
    enum mode mode;
    uint64_t max_out, in, out, used, trailing;
    body_sink_fn sink;
    void *ctx;
    z_stream zs;
    bool zinit;
    bool next_member; /* sniffing what follows a complete gzip member */
    bool gzip_wrapper;
    uint8_t head[2];
    size_t nhead;
    const char *stopped, *note;
    uint8_t *win; /* BODY_OUT_CHUNK bytes of inflate output */
};

/* ---- codings ---- */

/* Does [p, p+n) equal word, ignoring case? */
static bool token_is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

body_coding_t body_coding_of(const char *ce)
{
    if (!ce)
        return BODY_IDENTITY;
    size_t start = strspn(ce, " \t");
    size_t n = strlen(ce + start);
    while (n && (ce[start + n - 1] == ' ' || ce[start + n - 1] == '\t'))
        n--;
    const char *v = ce + start;
    if (n == 0 || token_is(v, n, "identity"))
        return BODY_IDENTITY;
    if (token_is(v, n, "gzip") || token_is(v, n, "x-gzip"))
        return BODY_GZIP;
    if (token_is(v, n, "deflate"))
        return BODY_DEFLATE;
    return BODY_UNSUPPORTED;
}

const char *body_coding_name(body_coding_t coding)
{
    static const char *const names[] = {"identity", "gzip", "deflate", "unsupported"};
    return (unsigned)coding < 4 ? names[coding] : "unsupported";
}

/* ---- life cycle ---- */

body_decoder_t *body_decoder_new(body_coding_t coding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx)
{
    body_decoder_t *d = xcalloc(1, sizeof *d);
    d->coding = coding;
    d->max_out = max_out;
    d->sink = sink;
    d->ctx = ctx;
    d->mode = coding == BODY_GZIP || coding == BODY_DEFLATE ? MODE_SNIFF : MODE_PASS;
    return d;
}

void body_decoder_free(body_decoder_t *d)
{
    if (!d)
        return;
    if (d->zinit)
        inflateEnd(&d->zs);
    free(d->win);
    free(d);
}

/* ---- output, with the caps ---- */

static bool ratio_exceeded(const body_decoder_t *d)
{
    return d->mode == MODE_INFLATE && d->out >= BODY_RATIO_MIN_OUT &&
           d->out / BODY_MAX_RATIO > d->used;
}

static void emit(body_decoder_t *d, const uint8_t *p, size_t n)
{
    if (d->stopped || n == 0)
        return;
    if (n > d->max_out - d->out) {
        n = (size_t)(d->max_out - d->out);
        d->stopped = "max_body";
    }
    if (n) {
        d->out += n;
        d->sink(d->ctx, p, n);
    }
    if (!d->stopped && ratio_exceeded(d))
        d->stopped = "decompression_ratio";
}

static void pass(body_decoder_t *d, cursor_t *c)
{
    while (!cursor_empty(c) && !d->stopped) {
        size_t n = cursor_left(c) < BODY_OUT_CHUNK ? cursor_left(c) : BODY_OUT_CHUNK;
        const uint8_t *p;
        cursor_bytes(c, n, &p);
        emit(d, p, n);
    }
}

/* ---- zlib ---- */

static const char *corrupt_reason(const body_decoder_t *d)
{
    return d->coding == BODY_GZIP ? "gzip_corrupt" : "deflate_corrupt";
}

static const char *truncated_reason(const body_decoder_t *d)
{
    return d->coding == BODY_GZIP ? "gzip_truncated" : "deflate_truncated";
}

/* RFC 1950: CM = 8, CINFO <= 7, and the 16-bit header is a multiple of 31. */
static bool zlib_header(uint8_t b0, uint8_t b1)
{
    return (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && (((unsigned)b0 << 8) | b1) % 31 == 0;
}

static bool zstart(body_decoder_t *d, int wbits)
{
    if (!d->win)
        d->win = xmalloc(BODY_OUT_CHUNK);
    if (d->zinit) {
        if (inflateReset2(&d->zs, wbits) == Z_OK)
            return true;
        inflateEnd(&d->zs);
        d->zinit = false;
    }
    memset(&d->zs, 0, sizeof d->zs);
    d->zinit = inflateInit2(&d->zs, wbits) == Z_OK;
    if (!d->zinit)
        d->stopped = "zlib_init";
    return d->zinit;
}

/* The two first bytes are in d->head: pick the wrapper and start zlib, or
 * pass the body through, or (after a gzip member) call the rest trailing. */
static void choose_wrapper(body_decoder_t *d)
{
    bool gzip = d->head[0] == 0x1f && d->head[1] == 0x8b;
    bool zlib = zlib_header(d->head[0], d->head[1]);
    if (d->next_member) {
        if (gzip && zstart(d, 16 + MAX_WBITS)) {
            d->mode = MODE_INFLATE;
        } else {
            d->mode = MODE_DONE;
            d->trailing += d->nhead;
        }
        return;
    }
    int wbits = gzip ? 16 + MAX_WBITS : zlib ? MAX_WBITS : -MAX_WBITS;
    if (d->coding == BODY_GZIP && !gzip && !zlib) {
        d->note = "not_gzip";
        d->mode = MODE_PASS;
        return;
    }
    d->gzip_wrapper = gzip;
    if (zstart(d, wbits))
        d->mode = MODE_INFLATE;
}

/* One zlib stream ended: gzip may have another member, others are done. */
static void stream_end(body_decoder_t *d)
{
    d->nhead = 0;
    if (d->gzip_wrapper) {
        d->next_member = true;
        d->mode = MODE_SNIFF;
    } else {
        d->mode = MODE_DONE;
    }
}

/* Run inflate over [p, p+len) (len <= IN_SLICE); returns bytes not consumed
 * because the stream ended inside them. */
static size_t inflate_slice(body_decoder_t *d, const uint8_t *p, size_t len)
{
    z_stream *zs = &d->zs;
    zs->next_in = (Bytef *)p; /* zlib does not write through next_in */
    zs->avail_in = (uInt)len;
    do {
        zs->next_out = d->win;
        zs->avail_out = BODY_OUT_CHUNK;
        uInt before = zs->avail_in;
        int rc = inflate(zs, Z_NO_FLUSH);
        d->used += before - zs->avail_in;
        emit(d, d->win, BODY_OUT_CHUNK - zs->avail_out);
        if (rc == Z_STREAM_END) {
            stream_end(d);
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            d->stopped = corrupt_reason(d);
            break;
        }
        if (rc == Z_BUF_ERROR && zs->avail_out == BODY_OUT_CHUNK)
            break; /* no progress possible: needs more input */
    } while (!d->stopped && (zs->avail_in > 0 || zs->avail_out == 0));
    return zs->avail_in;
}

/* ---- feeding ---- */

static void feed_sniff(body_decoder_t *d, cursor_t *c)
{
    while (d->nhead < 2 && cursor_u8(c, &d->head[d->nhead]))
        d->nhead++;
    if (d->nhead < 2)
        return;
    choose_wrapper(d);
    if (d->mode == MODE_INFLATE) {
        size_t left = inflate_slice(d, d->head, 2);
        if (left) /* cannot happen: no stream ends within 2 bytes */
            d->trailing += left;
    } else if (d->mode == MODE_PASS) {
        emit(d, d->head, 2);
    }
}

static void feed_inflate(body_decoder_t *d, cursor_t *c)
{
    size_t n = cursor_left(c) < IN_SLICE ? cursor_left(c) : IN_SLICE;
    cursor_t peek = *c;
    const uint8_t *p;
    cursor_bytes(&peek, n, &p);
    /* when the stream ends inside the slice, the rest stays in c for
     * the next member or as trailing bytes */
    size_t left = inflate_slice(d, p, n);
    cursor_skip(c, n - left);
}

void body_decoder_feed(body_decoder_t *d, const uint8_t *p, size_t len)
{
    cursor_t c = cursor_make(p, len);
    d->in += len;
    while (!cursor_empty(&c) && !d->stopped) {
        switch (d->mode) {
        case MODE_SNIFF:
            feed_sniff(d, &c);
            break;
        case MODE_INFLATE:
            feed_inflate(d, &c);
            break;
        case MODE_PASS:
            pass(d, &c);
            break;
        case MODE_DONE:
            d->trailing += cursor_left(&c);
            cursor_skip(&c, cursor_left(&c));
            break;
        }
    }
}

void body_decoder_gap(body_decoder_t *d, uint64_t len)
{
    if (d->stopped || len == 0 || d->mode == MODE_PASS)
        return;
    if (d->mode == MODE_DONE || (d->mode == MODE_SNIFF && d->next_member)) {
        d->trailing += len;
        return;
    }
    d->stopped = "gap_in_encoded_body";
}

const char *body_decoder_finish(body_decoder_t *d)
{
    if (d->stopped)
        return d->stopped;
    if (d->mode == MODE_INFLATE || (d->mode == MODE_SNIFF && !d->next_member && d->nhead))
        d->stopped = truncated_reason(d);
    else if (d->mode == MODE_SNIFF && d->next_member)
        d->trailing += d->nhead;
    d->nhead = 0;
    return d->stopped;
}

const char *body_decoder_stopped(const body_decoder_t *d)
{
    return d->stopped;
}
const char *body_decoder_note(const body_decoder_t *d)
{
    return d->note;
}
uint64_t body_decoder_out(const body_decoder_t *d)
{
    return d->out;
}
uint64_t body_decoder_in(const body_decoder_t *d)
{
    return d->in;
}
uint64_t body_decoder_trailing(const body_decoder_t *d)
{
    return d->trailing;
}
