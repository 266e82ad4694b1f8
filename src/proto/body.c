/* body.c — streaming Content-Encoding decoding with caps; see body.h.
 *
 * A decoder is a chain of stages, one per coding to undo (outermost
 * first): the wire bytes go into stage 0, each stage's output is the next
 * stage's input, and the last stage's output goes through the caps to the
 * sink.  Identity has no stage at all. */
#include "body.h"

#include "core/cursor.h"
#include "core/xalloc.h"

#include <brotli/decode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

/* Input handed to a library per call: zlib's avail_in is 32-bit, and small
 * steps keep the ratio check close to the input actually consumed. */
#define IN_SLICE (1u << 20)

enum mode {
    MODE_SNIFF, /* waiting for the two bytes that name the zlib wrapper */
    MODE_RUN,   /* the library is decoding */
    MODE_PASS,  /* not what the label said: bytes go on unchanged */
    MODE_DONE,  /* stream ended: further bytes are trailing */
};

typedef struct stage {
    body_coding_t coding;
    enum mode mode;
    uint64_t used; /* input bytes consumed */
    uint64_t out;  /* output bytes produced */
    z_stream zs;
    bool zinit;
    bool next_member; /* sniffing what follows a complete gzip member */
    bool gzip_wrapper;
    uint8_t head[2];
    size_t nhead;
    BrotliDecoderState *br;
    ZSTD_DCtx *zd;
    bool mid_frame; /* zstd: a frame is not finished */
    uint8_t *win;   /* BODY_OUT_CHUNK bytes of output */
} stage_t;

struct body_decoder {
    stage_t st[BODY_MAX_CODINGS];
    unsigned nst;
    uint64_t max_out, in, out, trailing, stop_offset;
    body_sink_fn sink;
    void *ctx;
    const char *stopped, *note;
    bool undecoded;
};

/* ---- codings ---- */

/* Does [p, p+n) equal word, ignoring case? */
static bool token_is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* The coding of one token [v, v+n) (blanks trimmed already). */
static body_coding_t coding_of_token(const char *v, size_t n)
{
    static const struct {
        const char *name;
        body_coding_t coding;
    } names[] = {{"identity", BODY_IDENTITY}, {"gzip", BODY_GZIP}, {"x-gzip", BODY_GZIP},
                 {"deflate", BODY_DEFLATE},   {"br", BODY_BROTLI}, {"zstd", BODY_ZSTD}};
    if (n == 0)
        return BODY_IDENTITY;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (token_is(v, n, names[i].name))
            return names[i].coding;
    return BODY_UNSUPPORTED;
}

/* [*v, *v+*n) without surrounding blanks. */
static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t'))
        (*v)++, (*n)--;
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

body_coding_t body_coding_of(const char *ce)
{
    if (!ce)
        return BODY_IDENTITY;
    const char *v = ce;
    size_t n = strlen(ce);
    trim(&v, &n);
    return coding_of_token(v, n);
}

const char *body_coding_name(body_coding_t coding)
{
    static const char *const names[] = {"identity", "gzip", "deflate", "br", "zstd", "unsupported"};
    return (unsigned)coding <= BODY_UNSUPPORTED ? names[coding] : "unsupported";
}

/* ---- life cycle ---- */

static body_decoder_t *decoder_alloc(uint64_t max_out, body_sink_fn sink, void *ctx)
{
    body_decoder_t *d = xcalloc(1, sizeof *d);
    d->max_out = max_out;
    d->sink = sink;
    d->ctx = ctx;
    return d;
}

/* Undo coding after the stages there are (coding is not identity). */
static void add_stage(body_decoder_t *d, body_coding_t coding)
{
    if (coding == BODY_UNSUPPORTED) {
        d->note = "unknown_coding";
        d->undecoded = true;
        return;
    }
    if (d->nst == BODY_MAX_CODINGS) {
        d->note = "too_many_codings";
        d->undecoded = true;
        return;
    }
    stage_t *s = &d->st[d->nst++];
    s->coding = coding;
    s->mode = coding == BODY_GZIP || coding == BODY_DEFLATE ? MODE_SNIFF : MODE_RUN;
}

body_decoder_t *body_decoder_new(body_coding_t coding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx)
{
    body_decoder_t *d = decoder_alloc(max_out, sink, ctx);
    if (coding != BODY_IDENTITY)
        add_stage(d, coding);
    return d;
}

body_decoder_t *body_decoder_for(const char *ce, uint64_t max_out, body_sink_fn sink, void *ctx)
{
    body_decoder_t *d = decoder_alloc(max_out, sink, ctx);
    if (!ce)
        return d;
    /* the last listed coding was applied last: undo it first; an unknown
     * one ends the stages (what was applied before it stays) */
    const char *end = ce + strlen(ce);
    while (end > ce && !d->undecoded) {
        const char *start = end;
        while (start > ce && start[-1] != ',')
            start--;
        const char *v = start;
        size_t n = (size_t)(end - start);
        trim(&v, &n);
        body_coding_t c = coding_of_token(v, n);
        if (c != BODY_IDENTITY)
            add_stage(d, c);
        end = start > ce ? start - 1 : ce;
    }
    return d;
}

static void stage_free(stage_t *s)
{
    if (s->zinit)
        inflateEnd(&s->zs);
    if (s->br)
        BrotliDecoderDestroyInstance(s->br);
    ZSTD_freeDCtx(s->zd);
    free(s->win);
}

void body_decoder_free(body_decoder_t *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->nst; i++)
        stage_free(&d->st[i]);
    free(d);
}

/* ---- output, with the caps ---- */

static void stop(body_decoder_t *d, const char *why)
{
    if (d->stopped)
        return;
    d->stopped = why;
    d->stop_offset = d->nst ? d->st[0].used : d->in;
}

/* A stage produced more than BODY_MAX_RATIO times the wire bytes read. */
static bool ratio_exceeded(const body_decoder_t *d, const stage_t *s)
{
    return s->out >= BODY_RATIO_MIN_OUT && s->out / BODY_MAX_RATIO > d->st[0].used;
}

static void emit(body_decoder_t *d, const uint8_t *p, size_t n)
{
    if (d->stopped || n == 0)
        return;
    if (n > d->max_out - d->out) {
        n = (size_t)(d->max_out - d->out);
        stop(d, "max_body");
    }
    if (n) {
        d->out += n;
        d->sink(d->ctx, p, n);
    }
}

static void stage_feed(body_decoder_t *d, unsigned i, const uint8_t *p, size_t len);

/* Stage i produced [p, p+n): on to the next stage or out. */
static void stage_output(body_decoder_t *d, unsigned i, const uint8_t *p, size_t n)
{
    if (d->stopped || n == 0)
        return;
    d->st[i].out += n;
    if (i + 1 < d->nst)
        stage_feed(d, i + 1, p, n);
    else
        emit(d, p, n);
    if (!d->stopped && ratio_exceeded(d, &d->st[i]))
        stop(d, "decompression_ratio");
}

static void win_alloc(stage_t *s)
{
    if (!s->win)
        s->win = xmalloc(BODY_OUT_CHUNK);
}

/* ---- zlib: gzip and deflate ---- */

static const char *corrupt_reason(const stage_t *s)
{
    static const char *const r[] = {[BODY_GZIP] = "gzip_corrupt",
                                    [BODY_DEFLATE] = "deflate_corrupt",
                                    [BODY_BROTLI] = "br_corrupt",
                                    [BODY_ZSTD] = "zstd_corrupt"};
    return r[s->coding];
}

static const char *truncated_reason(const stage_t *s)
{
    static const char *const r[] = {[BODY_GZIP] = "gzip_truncated",
                                    [BODY_DEFLATE] = "deflate_truncated",
                                    [BODY_BROTLI] = "br_truncated",
                                    [BODY_ZSTD] = "zstd_truncated"};
    return r[s->coding];
}

/* RFC 1950: CM = 8, CINFO <= 7, and the 16-bit header is a multiple of 31. */
static bool zlib_header(uint8_t b0, uint8_t b1)
{
    return (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && (((unsigned)b0 << 8) | b1) % 31 == 0;
}

static bool zstart(body_decoder_t *d, stage_t *s, int wbits)
{
    win_alloc(s);
    if (s->zinit) {
        if (inflateReset2(&s->zs, wbits) == Z_OK)
            return true;
        inflateEnd(&s->zs);
        s->zinit = false;
    }
    memset(&s->zs, 0, sizeof s->zs);
    s->zinit = inflateInit2(&s->zs, wbits) == Z_OK;
    if (!s->zinit)
        stop(d, "zlib_init");
    return s->zinit;
}

/* The two first bytes are in s->head: pick the wrapper and start zlib, or
 * pass the body through, or (after a gzip member) call the rest trailing. */
static void choose_wrapper(body_decoder_t *d, stage_t *s)
{
    bool gzip = s->head[0] == 0x1f && s->head[1] == 0x8b;
    bool zlib = zlib_header(s->head[0], s->head[1]);
    if (s->next_member) {
        if (gzip && zstart(d, s, 16 + MAX_WBITS)) {
            s->mode = MODE_RUN;
        } else {
            s->mode = MODE_DONE;
            d->trailing += s->nhead;
        }
        return;
    }
    int wbits = gzip ? 16 + MAX_WBITS : zlib ? MAX_WBITS : -MAX_WBITS;
    if (s->coding == BODY_GZIP && !gzip && !zlib) {
        d->note = "not_gzip";
        d->undecoded = true;
        s->mode = MODE_PASS;
        return;
    }
    s->gzip_wrapper = gzip;
    if (zstart(d, s, wbits))
        s->mode = MODE_RUN;
}

/* One zlib stream ended: gzip may have another member, others are done. */
static void zstream_end(stage_t *s)
{
    s->nhead = 0;
    s->mode = s->gzip_wrapper ? MODE_SNIFF : MODE_DONE;
    s->next_member = s->gzip_wrapper;
}

/* Run inflate over [p, p+len) (len <= IN_SLICE); returns bytes not consumed
 * because the stream ended inside them. */
static size_t inflate_slice(body_decoder_t *d, unsigned i, const uint8_t *p, size_t len)
{
    stage_t *s = &d->st[i];
    z_stream *zs = &s->zs;
    zs->next_in = (Bytef *)p; /* zlib does not write through next_in */
    zs->avail_in = (uInt)len;
    do {
        zs->next_out = s->win;
        zs->avail_out = BODY_OUT_CHUNK;
        uInt before = zs->avail_in;
        int rc = inflate(zs, Z_NO_FLUSH);
        s->used += before - zs->avail_in;
        stage_output(d, i, s->win, BODY_OUT_CHUNK - zs->avail_out);
        if (rc == Z_STREAM_END) {
            zstream_end(s);
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            stop(d, corrupt_reason(s));
            break;
        }
        if (rc == Z_BUF_ERROR && zs->avail_out == BODY_OUT_CHUNK)
            break; /* no progress possible: needs more input */
    } while (!d->stopped && (zs->avail_in > 0 || zs->avail_out == 0));
    return zs->avail_in;
}

static void feed_sniff(body_decoder_t *d, unsigned i, cursor_t *c)
{
    stage_t *s = &d->st[i];
    while (s->nhead < 2 && cursor_u8(c, &s->head[s->nhead]))
        s->nhead++;
    if (s->nhead < 2)
        return;
    choose_wrapper(d, s);
    if (s->mode == MODE_RUN) {
        size_t left = inflate_slice(d, i, s->head, 2);
        if (left) /* cannot happen: no stream ends within 2 bytes */
            d->trailing += left;
    } else if (s->mode == MODE_PASS) {
        s->used += 2;
        stage_output(d, i, s->head, 2);
    }
}

/* ---- brotli ---- */

/* Decode [p, p+len); returns bytes not consumed because the stream ended. */
static size_t brotli_slice(body_decoder_t *d, unsigned i, const uint8_t *p, size_t len)
{
    stage_t *s = &d->st[i];
    if (!s->br) {
        win_alloc(s);
        s->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
        if (!s->br) {
            stop(d, "br_init");
            return 0;
        }
    }
    size_t avail_in = len;
    const uint8_t *next_in = p;
    for (;;) {
        size_t avail_out = BODY_OUT_CHUNK;
        uint8_t *next_out = s->win;
        size_t before = avail_in;
        BrotliDecoderResult rc =
            BrotliDecoderDecompressStream(s->br, &avail_in, &next_in, &avail_out, &next_out, NULL);
        s->used += before - avail_in;
        stage_output(d, i, s->win, BODY_OUT_CHUNK - avail_out);
        if (d->stopped)
            break;
        if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
            s->mode = MODE_DONE;
            break;
        }
        if (rc == BROTLI_DECODER_RESULT_ERROR) {
            stop(d, corrupt_reason(s));
            break;
        }
        if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
            break;
    }
    return avail_in;
}

/* ---- zstd ---- */

/* Decode [p, p+len) (frames one after the other); all input is consumed
 * unless decoding stops. */
static size_t zstd_slice(body_decoder_t *d, unsigned i, const uint8_t *p, size_t len)
{
    stage_t *s = &d->st[i];
    if (!s->zd) {
        win_alloc(s);
        s->zd = ZSTD_createDCtx();
        if (!s->zd || ZSTD_isError(ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax,
                                                          BODY_ZSTD_WINDOW_LOG))) {
            stop(d, "zstd_init");
            return 0;
        }
    }
    ZSTD_inBuffer in = {p, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {s->win, BODY_OUT_CHUNK, 0};
        size_t before = in.pos;
        size_t rc = ZSTD_decompressStream(s->zd, &out, &in);
        s->used += in.pos - before;
        if (ZSTD_isError(rc)) {
            stop(d, corrupt_reason(s));
            break;
        }
        s->mid_frame = rc != 0;
        stage_output(d, i, s->win, out.pos);
        if (d->stopped || (in.pos == in.size && out.pos < out.size))
            break;
    }
    return 0;
}

/* ---- feeding ---- */

/* Run stage i's library over the next slice of c. */
static void feed_run(body_decoder_t *d, unsigned i, cursor_t *c)
{
    size_t n = cursor_left(c) < IN_SLICE ? cursor_left(c) : IN_SLICE;
    cursor_t peek = *c;
    const uint8_t *p;
    cursor_bytes(&peek, n, &p);
    size_t left;
    switch (d->st[i].coding) {
    case BODY_BROTLI:
        left = brotli_slice(d, i, p, n);
        break;
    case BODY_ZSTD:
        left = zstd_slice(d, i, p, n);
        break;
    default:
        left = inflate_slice(d, i, p, n);
        break;
    }
    /* when the stream ends inside the slice, the rest stays in c for the
     * next gzip member or as trailing bytes */
    cursor_skip(c, n - left);
}

static void feed_pass(body_decoder_t *d, unsigned i, cursor_t *c)
{
    size_t n = cursor_left(c) < BODY_OUT_CHUNK ? cursor_left(c) : BODY_OUT_CHUNK;
    const uint8_t *p;
    cursor_bytes(c, n, &p);
    d->st[i].used += n;
    stage_output(d, i, p, n);
}

static void stage_feed(body_decoder_t *d, unsigned i, const uint8_t *p, size_t len)
{
    cursor_t c = cursor_make(p, len);
    stage_t *s = &d->st[i];
    while (!cursor_empty(&c) && !d->stopped) {
        switch (s->mode) {
        case MODE_SNIFF:
            feed_sniff(d, i, &c);
            break;
        case MODE_RUN:
            feed_run(d, i, &c);
            break;
        case MODE_PASS:
            feed_pass(d, i, &c);
            break;
        case MODE_DONE:
            d->trailing += cursor_left(&c);
            cursor_skip(&c, cursor_left(&c));
            break;
        }
    }
}

void body_decoder_feed(body_decoder_t *d, const uint8_t *p, size_t len)
{
    d->in += len;
    if (d->stopped || len == 0)
        return;
    if (d->nst) {
        stage_feed(d, 0, p, len);
        return;
    }
    cursor_t c = cursor_make(p, len);
    while (!cursor_empty(&c) && !d->stopped) {
        size_t n = cursor_left(&c) < BODY_OUT_CHUNK ? cursor_left(&c) : BODY_OUT_CHUNK;
        const uint8_t *q;
        cursor_bytes(&c, n, &q);
        emit(d, q, n);
    }
}

void body_decoder_gap(body_decoder_t *d, uint64_t len)
{
    if (d->stopped || len == 0 || d->nst == 0)
        return;
    const stage_t *s = &d->st[0];
    if (s->mode == MODE_PASS)
        return;
    if (s->mode == MODE_DONE || (s->mode == MODE_SNIFF && s->next_member)) {
        d->trailing += len;
        return;
    }
    stop(d, "gap_in_encoded_body");
}

/* Is stage s in the middle of a stream it was given bytes of? */
static bool stage_unfinished(const stage_t *s)
{
    switch (s->mode) {
    case MODE_SNIFF:
        return !s->next_member && s->nhead;
    case MODE_RUN:
        if (s->coding == BODY_ZSTD)
            return s->mid_frame;
        return s->used > 0 || s->coding != BODY_BROTLI;
    default:
        return false;
    }
}

const char *body_decoder_finish(body_decoder_t *d)
{
    if (d->stopped)
        return d->stopped;
    for (unsigned i = 0; i < d->nst && !d->stopped; i++) {
        stage_t *s = &d->st[i];
        if (stage_unfinished(s))
            stop(d, truncated_reason(s));
        else if (s->mode == MODE_SNIFF && s->next_member)
            d->trailing += s->nhead;
        s->nhead = 0;
    }
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
bool body_decoder_undecoded(const body_decoder_t *d)
{
    return d->undecoded;
}
uint64_t body_decoder_stop_offset(const body_decoder_t *d)
{
    return d->stop_offset;
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
