/* dotdata.c — dot-stuffed data; see dotdata.h. */
#include "dotdata.h"

#include "core/cursor.h"

#include <string.h>

enum {
    D_BOL,    /* at a line start */
    D_DOT,    /* a '.' at a line start */
    D_DOT_CR, /* ".\r" at a line start */
    D_MID,    /* inside a line */
};

void dotdata_init(dotdata_t *d, dotdata_sink_fn sink, void *ctx)
{
    memset(d, 0, sizeof *d);
    d->sink = sink;
    d->ctx = ctx;
    d->state = D_BOL;
}

void dotdata_set_wire(dotdata_t *d, dotdata_sink_fn wire)
{
    d->wire = wire;
}

void dotdata_flush(dotdata_t *d)
{
    if (d->nbuf && d->sink)
        d->sink(d->ctx, d->buf, d->nbuf);
    d->nbuf = 0;
    if (d->nwire && d->wire)
        d->wire(d->ctx, d->wbuf, d->nwire);
    d->nwire = 0;
}

/* A byte as sent (the message's or a stuffing dot). */
static void put_wire(dotdata_t *d, uint8_t b)
{
    if (!d->wire)
        return;
    if (d->nwire == sizeof d->wbuf)
        dotdata_flush(d);
    d->wbuf[d->nwire++] = b;
}

static void put(dotdata_t *d, uint8_t b)
{
    if (d->nbuf == sizeof d->buf)
        dotdata_flush(d);
    d->buf[d->nbuf++] = b;
    d->out++;
    put_wire(d, b);
}

/* The dot at a line start was stuffing: dropped from the message. */
static void unstuff(dotdata_t *d)
{
    d->unstuffed++;
    put_wire(d, '.');
}

static void mid(dotdata_t *d, uint8_t b)
{
    put(d, b);
    d->state = b == '\n' ? D_BOL : D_MID;
}

size_t dotdata_feed(dotdata_t *d, const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t b = 0;
    while (!d->done && cursor_u8(&c, &b)) {
        switch (d->state) {
        case D_BOL:
            if (b == '.')
                d->state = D_DOT;
            else
                mid(d, b);
            break;
        case D_DOT:
            if (b == '\r')
                d->state = D_DOT_CR;
            else if (b == '\n')
                d->done = true;
            else {
                unstuff(d); /* the stuffed dot is dropped */
                mid(d, b);
            }
            break;
        case D_DOT_CR:
            if (b == '\n') {
                d->done = true;
            } else {
                unstuff(d);
                put(d, '\r');
                mid(d, b);
            }
            break;
        default:
            mid(d, b);
        }
    }
    dotdata_flush(d);
    return n - cursor_left(&c);
}

void dotdata_gap(dotdata_t *d)
{
    dotdata_flush(d);
    d->state = D_MID;
}
