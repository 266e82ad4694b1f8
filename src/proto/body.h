/*
 * body.h — undoing HTTP Content-Encoding (gzip, deflate, br, zstd, and
 * stacks of them) as data streams in.
 *
 * Why a module of its own: the decoded bytes are the evidence file, and the
 * encoded bytes are what crossed the wire; both must be handled chunk by
 * chunk, never buffered whole, and a hostile body must not be able to take
 * the machine down.  So:
 *
 *   - decoded output goes to a sink callback in pieces of at most
 *     BODY_OUT_CHUNK bytes;
 *   - two caps stop decoding: a decoded-size cap (the user's --max-body) and
 *     a decompression-ratio cap (a "zip bomb" turns 1 MB into 1 GB), checked
 *     on the output of every coding of a stack; hitting either stops
 *     decoding and reports a reason, keeping what was decoded;
 *   - corrupt or truncated data stops decoding, keeps what was decoded before
 *     it and reports a reason and the wire offset where it showed;
 *   - the decoder never depends on how the input was split: the wrapper
 *     (gzip, zlib or raw deflate) is chosen from the first two bytes, once
 *     they are both there.
 *
 * Stacks: "Content-Encoding: gzip, br" means gzip was applied first, so br
 * is undone first; up to BODY_MAX_CODINGS codings are undone in a chain of
 * streaming stages.  As Chromium and Firefox do, "identity" and empty
 * entries are skipped and an unknown coding is not fatal: the codings
 * listed after it (applied later) are undone, the rest of the body stays
 * as it is, and the note says "unknown_coding".
 *
 * Wrappers accepted, as browsers do: "gzip"/"x-gzip" bodies that carry a
 * zlib header are decoded as zlib; "deflate" bodies are zlib-wrapped (RFC
 * 9110) or, as many servers send them, raw deflate.  A "gzip" body that is
 * neither gzip nor zlib is passed through undecoded and noted ("not_gzip",
 * see body_decoder_note()): a mislabelled plain body is still evidence.
 * Concatenated gzip members and zstd frames are decoded one after the
 * other; bytes after the end of the stream are ignored (counted in
 * body_decoder_trailing()).
 *
 * Reasons for stopping are static strings (never freed): "max_body",
 * "decompression_ratio", "gzip_corrupt", "deflate_corrupt", "br_corrupt",
 * "zstd_corrupt", "gzip_truncated", "deflate_truncated", "br_truncated",
 * "zstd_truncated", "gap_in_encoded_body", "zlib_init", "br_init",
 * "zstd_init".
 */
#ifndef PCAPCASE_BODY_H
#define PCAPCASE_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoded/encoded ratio beyond which decoding stops.  Text compresses about
 * 10:1, logs and sparse data up to ~100:1; a bomb of zeros is ~1000:1, so
 * 250 leaves honest data alone and stops bombs at a quarter of their size. */
#define BODY_MAX_RATIO 250
/* The ratio is only checked once this much was decoded: small bodies may
 * have any ratio (a 100 kB page of spaces is harmless). */
#define BODY_RATIO_MIN_OUT (4u << 20)
/* Largest piece handed to the sink at once (zlib's output window). */
#define BODY_OUT_CHUNK 65536
/* Codings undone per body.  Real servers send one; "gzip, gzip" is an
 * evasion; four covers every stack seen while bounding the work per byte.
 * Codings beyond that stay on the body ("too_many_codings"). */
#define BODY_MAX_CODINGS 4
/* zstd window: RFC 9659 limits HTTP zstd windows to 8 MiB (2^23) and
 * browsers refuse larger ones; it also bounds the decoder's memory. */
#define BODY_ZSTD_WINDOW_LOG 23

/* Receives decoded bytes; len > 0. */
typedef void (*body_sink_fn)(void *ctx, const uint8_t *p, size_t len);

typedef enum body_coding {
    BODY_IDENTITY,   /* no content coding: bytes pass through */
    BODY_GZIP,       /* gzip, x-gzip */
    BODY_DEFLATE,    /* deflate (zlib or raw) */
    BODY_BROTLI,     /* br */
    BODY_ZSTD,       /* zstd */
    BODY_UNSUPPORTED /* compress, unknown names, several codings: see body_decoder_for */
} body_coding_t;

typedef struct body_decoder body_decoder_t;

/* The coding named by a Content-Encoding value ("gzip", "x-gzip",
 * "deflate", "br", "zstd", "identity", case-insensitive, surrounding blanks
 * ignored).  NULL, empty and "identity" are BODY_IDENTITY; anything else,
 * including a list of several codings, is BODY_UNSUPPORTED. */
body_coding_t body_coding_of(const char *content_encoding);
/* "identity", "gzip", "deflate", "br", "zstd" or "unsupported". */
const char *body_coding_name(body_coding_t coding);

/* A decoder that sends at most max_out decoded bytes to sink(ctx, ...),
 * with the ratio cap BODY_MAX_RATIO.  Never returns NULL (allocation
 * failure exits, see xalloc.h); free with body_decoder_free(). */
body_decoder_t *body_decoder_new(body_coding_t coding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx);
/* The same for a whole Content-Encoding value (NULL: identity), stacks
 * included (see the top of this file). */
body_decoder_t *body_decoder_for(const char *content_encoding, uint64_t max_out, body_sink_fn sink,
                                 void *ctx);

/* Feed encoded bytes; decoded output goes to the sink before this returns.
 * Input after decoding stopped is counted and ignored. */
void body_decoder_feed(body_decoder_t *d, const uint8_t *p, size_t len);
/* len encoded bytes are missing (a hole in the capture).  Identity bodies
 * carry on after it; compressed ones cannot and stop ("gap_in_encoded_body"). */
void body_decoder_gap(body_decoder_t *d, uint64_t len);
/* No more input.  Returns the reason decoding stopped early or did not
 * finish, or NULL when the body decoded completely.  Idempotent. */
const char *body_decoder_finish(body_decoder_t *d);
/* The reason decoding stopped so far, or NULL (does not finish). */
const char *body_decoder_stopped(const body_decoder_t *d);
/* Something odd that did not stop the body ("not_gzip", "unknown_coding",
 * "too_many_codings"), or NULL. */
const char *body_decoder_note(const body_decoder_t *d);
/* Did the output stay (partly) encoded: an unknown coding, too many
 * codings, or a "not_gzip" body passed through? */
bool body_decoder_undecoded(const body_decoder_t *d);
/* The wire offset (encoded bytes read) at which decoding stopped for a
 * reason of its own (corrupt, truncated, a cap); meaningful only when
 * body_decoder_stopped() is not NULL. */
uint64_t body_decoder_stop_offset(const body_decoder_t *d);

uint64_t body_decoder_out(const body_decoder_t *d);      /* decoded bytes sent to the sink */
uint64_t body_decoder_in(const body_decoder_t *d);       /* encoded bytes fed (gaps excluded) */
uint64_t body_decoder_trailing(const body_decoder_t *d); /* bytes ignored after the stream end */
/* NULL-safe. */
void body_decoder_free(body_decoder_t *d);

#endif
