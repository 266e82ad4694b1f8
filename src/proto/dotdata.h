/*
 * dotdata.h — "dot-stuffed" message data (SMTP DATA, POP3 multi-line
 * responses): lines up to a line holding a single ".", with a leading "."
 * doubled on every line that starts with one (RFC 5321 4.5.2, RFC 1939 3).
 *
 * The reader undoes the stuffing as bytes stream in, split anywhere, and
 * stops exactly after the terminating line so the caller can hand what
 * follows (pipelined commands) to the command parser.  The message is what
 * lies before the terminator, including the line end of its last line.  A
 * bare ".\n" ends the data too (lenient, as servers are).
 */
#ifndef PCAPCASE_DOTDATA_H
#define PCAPCASE_DOTDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest piece handed to the sink at once. */
#define DOTDATA_OUT_CHUNK 4096

typedef void (*dotdata_sink_fn)(void *ctx, const uint8_t *p, size_t n);

typedef struct dotdata {
    unsigned state;
    bool done;
    dotdata_sink_fn sink;
    dotdata_sink_fn wire; /* NULL, or the message as sent (dotdata_set_wire) */
    void *ctx;
    uint64_t out;       /* message bytes produced */
    uint64_t unstuffed; /* stuffing dots removed */
    size_t nbuf, nwire;
    uint8_t buf[DOTDATA_OUT_CHUNK];
    uint8_t wbuf[DOTDATA_OUT_CHUNK];
} dotdata_t;

void dotdata_init(dotdata_t *d, dotdata_sink_fn sink, void *ctx);
/* Also hand wire (same ctx) the message as it was sent: the stuffing kept,
 * the terminating line left out (what tshark exports as an imf object).
 * Each wire piece comes after the sink's pieces for the same input. */
void dotdata_set_wire(dotdata_t *d, dotdata_sink_fn wire);
static inline uint64_t dotdata_unstuffed(const dotdata_t *d)
{
    return d->unstuffed;
}
/* Feed bytes; returns how many were used (all of them unless the
 * terminator was reached, after which dotdata_done() is true). */
size_t dotdata_feed(dotdata_t *d, const uint8_t *p, size_t n);
/* A gap: the message has a hole; the reader resynchronises at the next
 * line start it can be sure of (it assumes the gap ended a line). */
void dotdata_gap(dotdata_t *d);
/* Flush buffered output (at the end of the stream without a terminator). */
void dotdata_flush(dotdata_t *d);
static inline bool dotdata_done(const dotdata_t *d)
{
    return d->done;
}

#endif
