/*
 * transfer_decode.h — undoing a MIME Content-Transfer-Encoding (base64,
 * quoted-printable) as an e-mail part streams in.
 *
 * Attachments are the evidence; what crossed the wire is their encoded form.
 * Both decoders take input in pieces of any size and split anywhere (a
 * base64 quantum or an "=3D" escape may straddle two pieces) and hand the
 * decoded bytes to a sink in pieces of at most TRANSFER_OUT_CHUNK bytes.  They
 * keep a few bytes of state, never the part.
 *
 * Leniency follows what mail clients do, because a forensic tool must show
 * what the recipient's client would have shown:
 *   - base64: characters outside the alphabet (line ends, spaces, junk) are
 *     skipped; the junk is counted (transfer_decoder_bad()); '=' ends the data;
 *     a final incomplete quantum of 2 or 3 characters still yields its bytes.
 *   - quoted-printable: "=XX" (either case) decodes; "=" at a line end is a
 *     soft line break (removed with the line end, also with blanks between
 *     them); an "=" not followed by two hex digits or a line end is kept
 *     literally and counted as bad.  Blanks before a hard line end are
 *     kept: RFC 2045 6.7 rule 3 says a decoder should delete them, but
 *     Zeek's decoder keeps them and Zeek is the oracle the logs follow
 *     (its file sizes and hashes); the difference is only padding.
 */
#ifndef PCAPCASE_TRANSFER_DECODE_H
#define PCAPCASE_TRANSFER_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest piece handed to the sink at once. */
#define TRANSFER_OUT_CHUNK 4096

typedef enum transfer_coding {
    TRANSFER_IDENTITY, /* 7bit, 8bit, binary, absent, or unknown: bytes pass */
    TRANSFER_BASE64,
    TRANSFER_QP,
} transfer_coding_t;

typedef void (*transfer_sink_fn)(void *ctx, const uint8_t *p, size_t n);

typedef struct transfer_decoder {
    transfer_coding_t coding;
    transfer_sink_fn sink;
    void *ctx;
    uint32_t bits;  /* base64: bits gathered; qp: high nibble of an escape */
    unsigned nbits; /* base64: characters in the current quantum */
    unsigned state; /* qp state (see transfer_decode.c) */
    bool ended;     /* base64: '=' seen, the rest is ignored */
    uint64_t bad;   /* characters that were not valid in the coding */
    uint64_t out;   /* decoded bytes produced */
    size_t nbuf;
    uint8_t buf[TRANSFER_OUT_CHUNK];
} transfer_decoder_t;

/* The coding named by a Content-Transfer-Encoding value (case-insensitive,
 * blanks ignored).  NULL and everything but "base64" and
 * "quoted-printable" is TRANSFER_IDENTITY. */
transfer_coding_t transfer_coding_of(const char *value);
const char *transfer_coding_name(transfer_coding_t c); /* "identity", "base64", ... */

/* Set up d (caller-owned storage, nothing to free). */
void transfer_decoder_init(transfer_decoder_t *d, transfer_coding_t c, transfer_sink_fn sink,
                           void *ctx);
void transfer_decoder_feed(transfer_decoder_t *d, const uint8_t *p, size_t n);
/* No more input: flush what is held (a final partial base64 quantum,
 * a dangling '=').  Idempotent. */
void transfer_decoder_finish(transfer_decoder_t *d);
static inline uint64_t transfer_decoder_bad(const transfer_decoder_t *d)
{
    return d->bad;
}

/* The 6-bit value of base64 digit c in the alphabet whose digits 62 and
 * 63 are digit62 and digit63: '+' '/' (RFC 4648 section 4, MIME) or '-' '_'
 * (section 5, base64url); -1 when c is no digit of that alphabet. */
int base64_digit(uint8_t c, char digit62, char digit63);

/* One-shot base64 (for SASL and NTLM blobs): decodes into out (at most
 * cap bytes) with the same leniency; returns the number of bytes decoded,
 * or -1 when the output would not fit or nothing valid was there. */
long base64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

#endif
