/*
 * body.h — undoing HTTP Content-Encoding (gzip, deflate) as data streams in.
 *
 * The decoded bytes are the evidence file; they are handed to a sink chunk
 * by chunk, never buffered whole.  Two caps protect the machine: a decoded
 * size cap (--max-body) and a decompression-ratio cap (a "zip bomb" turns
 * 10 MB into 10 GB); hitting either stops decoding and flags the body as
 * truncated with a reason.  Corrupt data stops decoding and keeps what was
 * decoded before it.
 */
#ifndef PCAPCASE_BODY_H
#define PCAPCASE_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoded/encoded ratio beyond which decoding stops, checked once at least
 * BODY_RATIO_MIN_OUT bytes were produced.  Text compresses about 10:1, logs
 * and sparse data up to ~100:1; a bomb of zeros is ~1000:1. */
#define BODY_MAX_RATIO 250
#define BODY_RATIO_MIN_OUT (4u << 20)

typedef void (*body_sink_fn)(void *ctx, const uint8_t *p, size_t len);

typedef enum body_coding { BODY_IDENTITY, BODY_GZIP, BODY_DEFLATE } body_coding_t;

typedef struct body_decoder body_decoder_t;

/* Coding from a Content-Encoding value ("gzip", "x-gzip", "deflate"; others
 * and NULL are identity). */
body_coding_t body_coding_of(const char *content_encoding);

body_decoder_t *body_decoder_new(body_coding_t coding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx);
/* Feed encoded bytes.  Decoded output goes to the sink. */
void body_decoder_feed(body_decoder_t *d, const uint8_t *p, size_t len);
/* No more input: flush.  Returns the reason decoding stopped early (static
 * string such as "max_body", "decompression_ratio", "gzip_corrupt",
 * "gzip_truncated") or NULL when the body decoded completely. */
const char *body_decoder_finish(body_decoder_t *d);
uint64_t body_decoder_out(const body_decoder_t *d); /* decoded bytes so far */
uint64_t body_decoder_in(const body_decoder_t *d);  /* encoded bytes fed */
void body_decoder_free(body_decoder_t *d);

#endif
