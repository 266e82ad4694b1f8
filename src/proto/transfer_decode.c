/* transfer_decode.c — streaming base64 and quoted-printable; see transfer_decode.h. */
#include "transfer_decode.h"

#include "core/cursor.h"

#include <string.h>
#include <strings.h>

enum qp_state {
    QP_TEXT,   /* ordinary bytes */
    QP_EQ,     /* after '=' */
    QP_EQ_HEX, /* after '=' and one hex digit (in bits) */
    QP_EQ_CR,  /* after '=' (blanks) CR: a soft line break unless no LF follows */
    QP_EQ_WS,  /* after '=' and blanks: a soft line break if a line end follows */
};

transfer_coding_t transfer_coding_of(const char *v)
{
    if (!v)
        return TRANSFER_IDENTITY;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == ';'))
        n--;
    if (n == 6 && strncasecmp(v, "base64", 6) == 0)
        return TRANSFER_BASE64;
    if (n == 16 && strncasecmp(v, "quoted-printable", 16) == 0)
        return TRANSFER_QP;
    return TRANSFER_IDENTITY;
}

const char *transfer_coding_name(transfer_coding_t c)
{
    return c == TRANSFER_BASE64 ? "base64" : c == TRANSFER_QP ? "quoted-printable" : "identity";
}

void transfer_decoder_init(transfer_decoder_t *d, transfer_coding_t c, transfer_sink_fn sink,
                           void *ctx)
{
    memset(d, 0, sizeof *d);
    d->coding = c;
    d->sink = sink;
    d->ctx = ctx;
}

static void flush(transfer_decoder_t *d)
{
    if (d->nbuf && d->sink)
        d->sink(d->ctx, d->buf, d->nbuf);
    d->nbuf = 0;
}

static void put(transfer_decoder_t *d, uint8_t b)
{
    if (d->nbuf == sizeof d->buf)
        flush(d);
    d->buf[d->nbuf++] = b;
    d->out++;
}

/* ---- base64 ---- */

int base64_digit(uint8_t c, char digit62, char digit63)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (uint8_t)digit62)
        return 62;
    if (c == (uint8_t)digit63)
        return 63;
    return -1;
}

static bool b64_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void b64_byte(transfer_decoder_t *d, uint8_t c)
{
    if (d->ended)
        return;
    if (c == '=') {
        d->ended = true;
        return;
    }
    int v = base64_digit(c, '+', '/');
    if (v < 0) {
        if (!b64_blank(c))
            d->bad++;
        return;
    }
    d->bits = (d->bits << 6) | (uint32_t)v;
    if (++d->nbits == 4) {
        put(d, (uint8_t)(d->bits >> 16));
        put(d, (uint8_t)(d->bits >> 8));
        put(d, (uint8_t)d->bits);
        d->bits = 0;
        d->nbits = 0;
    }
}

/* A last quantum of 2 or 3 characters carries 1 or 2 bytes. */
static void b64_finish(transfer_decoder_t *d)
{
    if (d->nbits == 2)
        put(d, (uint8_t)(d->bits >> 4));
    else if (d->nbits == 3) {
        put(d, (uint8_t)(d->bits >> 10));
        put(d, (uint8_t)(d->bits >> 2));
    } else if (d->nbits == 1) {
        d->bad++;
    }
    d->bits = 0;
    d->nbits = 0;
}

/* ---- quoted-printable ---- */

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void qp_text(transfer_decoder_t *d, uint8_t c)
{
    if (c == '=')
        d->state = QP_EQ;
    else
        put(d, c);
}

/* The '=' read last (and the hex digit after it, in QP_EQ_HEX) starts no
 * escape and no soft line break: counted as bad and kept as it came. */
static void qp_keep_broken_escape(transfer_decoder_t *d)
{
    d->bad++;
    put(d, '=');
    if (d->state == QP_EQ_HEX)
        put(d, (uint8_t) "0123456789ABCDEF"[d->bits & 15]);
    d->state = QP_TEXT;
}

static void qp_byte(transfer_decoder_t *d, uint8_t c)
{
    int h;
    switch (d->state) {
    case QP_TEXT:
        qp_text(d, c);
        return;
    case QP_EQ:
        if ((h = hex_value(c)) >= 0) {
            d->bits = (uint32_t)h;
            d->state = QP_EQ_HEX;
        } else if (c == '\n') {
            d->state = QP_TEXT; /* soft line break */
        } else if (c == '\r') {
            d->state = QP_EQ_CR;
        } else if (c == ' ' || c == '\t') {
            d->state = QP_EQ_WS;
        } else {
            qp_keep_broken_escape(d);
            qp_text(d, c);
        }
        return;
    case QP_EQ_HEX:
        if ((h = hex_value(c)) >= 0) {
            d->state = QP_TEXT;
            put(d, (uint8_t)(d->bits << 4 | (uint32_t)h));
        } else {
            qp_keep_broken_escape(d);
            qp_text(d, c);
        }
        return;
    case QP_EQ_CR:
        d->state = QP_TEXT;
        if (c != '\n')
            qp_text(d, c); /* a bare CR after '=' still breaks softly */
        return;
    case QP_EQ_WS:
        if (c == ' ' || c == '\t')
            return;
        if (c == '\n') {
            d->state = QP_TEXT;
        } else if (c == '\r') {
            d->state = QP_EQ_CR;
        } else {
            qp_keep_broken_escape(d);
            qp_text(d, c);
        }
        return;
    }
}

static void qp_finish(transfer_decoder_t *d)
{
    if (d->state == QP_EQ || d->state == QP_EQ_WS || d->state == QP_EQ_HEX)
        qp_keep_broken_escape(d);
    d->state = QP_TEXT; /* QP_EQ_CR: a soft line break at the end */
}

void transfer_decoder_feed(transfer_decoder_t *d, const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t b = 0;
    if (d->coding == TRANSFER_IDENTITY) {
        const uint8_t *all = NULL;
        if (n && cursor_bytes(&c, n, &all) && d->sink) {
            flush(d);
            d->sink(d->ctx, all, n);
        }
        d->out += n;
        return;
    }
    while (cursor_u8(&c, &b)) {
        if (d->coding == TRANSFER_BASE64)
            b64_byte(d, b);
        else
            qp_byte(d, b);
    }
    flush(d);
}

void transfer_decoder_finish(transfer_decoder_t *d)
{
    if (d->coding == TRANSFER_BASE64)
        b64_finish(d);
    else if (d->coding == TRANSFER_QP)
        qp_finish(d);
    flush(d);
}

typedef struct oneshot {
    uint8_t *out;
    size_t cap, n;
    bool overflow;
} oneshot_t;

static void oneshot_sink(void *ctx, const uint8_t *p, size_t n)
{
    oneshot_t *o = ctx;
    if (o->n + n > o->cap) {
        o->overflow = true;
        return;
    }
    memcpy(o->out + o->n, p, n);
    o->n += n;
}

long base64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    oneshot_t o = {out, cap, 0, false};
    transfer_decoder_t d;
    transfer_decoder_init(&d, TRANSFER_BASE64, oneshot_sink, &o);
    transfer_decoder_feed(&d, in, n);
    transfer_decoder_finish(&d);
    if (o.overflow || (!o.n && n))
        return -1;
    return (long)o.n;
}
