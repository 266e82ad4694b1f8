/*
 * imf.h — one Internet message (RFC 5322 + MIME), streamed: its header
 * fields for the logs, and each leaf MIME part decoded for carving.
 *
 * The same parser serves SMTP DATA/BDAT, POP3 RETR and IMAP FETCH: they hand
 * it the message bytes (dot-unstuffed, literal framing removed) in pieces of
 * any size.  It keeps only a header block (capped) and one line while
 * looking for a boundary; part bodies pass through the transfer decoder
 * (transfer_decode.h) to the caller as they arrive.
 *
 * Parts: a non-multipart message is one part (its body).  A multipart's
 * children are parsed recursively up to IMF_MAX_DEPTH levels; a deeper one,
 * and any message/rfc822, is handed out as one part, undecoded inside.
 * Preambles and epilogues are not parts.  A line "--B" or "--B--" for the
 * boundary B of any open multipart ends the parts inside it (RFC 2046 5.1.2:
 * an outer boundary closes inner ones whose end is missing); the line end
 * before a boundary belongs to the boundary.
 *
 * Damage is counted, never fatal: a header block past IMF_MAX_HEADER_BYTES
 * is cut (`header_cut`), parts past IMF_MAX_PARTS are not handed out
 * (`parts_dropped`), a gap marks the part it falls in (`missing`), and a
 * message that ends inside a multipart marks its open part `unterminated`.
 */
#ifndef PCAPCASE_IMF_H
#define PCAPCASE_IMF_H

#include "transfer_decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Multipart nesting followed: real mail nests 3-4 levels (mixed >
 * alternative > related); 16 leaves room and stops boundary-stack bombs. */
#define IMF_MAX_DEPTH 16
/* One header block (the message's or a part's).  Zeek's default cap is
 * the same order (mime-header-size-limit); 64 KiB holds long Received
 * chains while bounding what a hostile sender makes us keep. */
#define IMF_MAX_HEADER_BYTES 65536
/* Leaf parts handed out per message: beyond this a message is an attack
 * on the examiner's disk, not correspondence. */
#define IMF_MAX_PARTS 1024
/* A line longer than this cannot be a boundary (RFC 2046: at most 70
 * characters plus "--" twice; transport padding allowed) and is streamed. */
#define IMF_BOUNDARY_LINE_MAX 1024
/* Received: headers kept for the log (Zeek logs the two nearest the sender). */
#define IMF_RECEIVED_KEPT 2

/* The top-level header fields the logs need (decoded, cleaned UTF-8; NULL
 * when absent).  For repeated fields the first is kept, as Zeek does. */
typedef struct imf_headers {
    char *from, *to, *cc, *reply_to, *subject, *date, *message_id, *in_reply_to;
    char *x_originating_ip, *user_agent; /* User-Agent, else X-Mailer */
    char *received[IMF_RECEIVED_KEPT];   /* the last two Received: fields, last first: the
                                            hops nearest the sender (Zeek's first_received,
                                            second_received) */
    char *content_type;                  /* media type, lower-cased */
    unsigned nfields;                    /* header fields seen */
    bool header_cut;                     /* the block passed IMF_MAX_HEADER_BYTES */
} imf_headers_t;

/* One leaf MIME part. */
typedef struct imf_part {
    unsigned index;    /* 1-based, in message order */
    unsigned depth;    /* 0 = the message itself, 1 = a child of the top multipart, ... */
    char *media_type;  /* lower-cased; "text/plain" when not given (RFC 2045 5.2) */
    char *charset;     /* Content-Type charset, or NULL */
    char *filename;    /* Content-Disposition filename, else Content-Type name; decoded */
    char *disposition; /* "attachment", "inline", or NULL */
    char *content_id, *description;
    transfer_coding_t coding;
    uint64_t encoded_bytes; /* bytes of the part as sent */
    uint64_t decoded_bytes; /* bytes handed out */
    uint64_t missing;       /* bytes lost in gaps */
    uint64_t bad_encoding;  /* characters invalid in its transfer coding */
    bool unterminated;      /* the message ended before the part's boundary */
    bool header_cut;
} imf_part_t;

typedef struct imf_callbacks {
    /* The top-level header block is complete (called once, maybe at end). */
    void (*headers)(void *ctx, const imf_headers_t *h);
    void (*part_begin)(void *ctx, const imf_part_t *part);
    /* Decoded bytes of the part, n > 0. */
    void (*part_data)(void *ctx, const imf_part_t *part, const uint8_t *p, size_t n);
    /* The part is complete (or the message ended); the part is freed after. */
    void (*part_end)(void *ctx, const imf_part_t *part);
} imf_callbacks_t;

typedef struct imf imf_t;

/* A parser for one message.  cb must outlive it.  Never NULL. */
imf_t *imf_new(const imf_callbacks_t *cb, void *ctx);
void imf_feed(imf_t *m, const uint8_t *p, size_t n);
/* len bytes of the message are missing. */
void imf_gap(imf_t *m, uint64_t len);
/* The message is complete: flush, end the open part.  Idempotent. */
void imf_end(imf_t *m);
/* The top-level headers parsed so far (valid until imf_free). */
const imf_headers_t *imf_headers(const imf_t *m);
uint64_t imf_bytes(const imf_t *m);         /* message bytes fed */
unsigned imf_parts_dropped(const imf_t *m); /* parts past IMF_MAX_PARTS */
/* imf_end() if needed, then free. NULL-safe. */
void imf_free(imf_t *m);

#endif
