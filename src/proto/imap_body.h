/*
 * imap_body.h — an IMAP BODYSTRUCTURE (RFC 9051 section 7.5.2, "body"),
 * read for what decoding a part fetched alone needs: each leaf part's
 * section number, media type, transfer encoding and file name.
 *
 * A client that fetched BODYSTRUCTURE may fetch a part by its number
 * (BODY[2]) without its MIME header block (BODY[2.MIME]); the part's bytes
 * are then still base64 or quoted-printable, and only the structure says
 * which.  Numbering follows RFC 9051 6.4.5: the parts of a multipart are
 * 1, 2, ... (nested: 2.1, 2.2, ...); a message that is not multipart has
 * one part, 1; the body of a message/rfc822 part n is numbered inside it
 * (n.1, n.2, ... for a multipart body, n.1 for a single one).
 *
 * Strings may be quoted or NIL; a literal inside the structure (a server
 * sends one for a non-ASCII file name) ends the text handed here, and the
 * parse fails: nothing is reported for that message.  Nesting deeper than
 * IMAP_BODY_MAX_DEPTH and parts beyond IMAP_BODY_MAX_PARTS fail the same
 * way.  Bytes are read through the bounds-checked cursor only.
 */
#ifndef PCAPCASE_IMAP_BODY_H
#define PCAPCASE_IMAP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAP_BODY_MAX_DEPTH 16
#define IMAP_BODY_MAX_PARTS 256
#define IMAP_BODY_MAX_STRING 255 /* longer strings are cut */

/* One leaf part.  Strings are NUL-terminated, "" when NIL. */
typedef struct imap_part {
    char section[64]; /* "2", "3.1" */
    char type[64], subtype[64];
    char encoding[32];
    char filename[IMAP_BODY_MAX_STRING + 1]; /* Content-Disposition filename, else name */
    bool filename_extended;                  /* RFC 2231: filename* / name* (value as sent) */
} imap_part_t;

typedef void (*imap_part_fn)(void *ctx, const imap_part_t *part);

/* Parse the structure that starts at p (its opening parenthesis) and call
 * fn for each leaf part, in order.  true when the whole structure parsed;
 * false (after reporting the parts read so far: none are reported until
 * the whole parsed) otherwise. */
bool imap_bodystructure(const uint8_t *p, size_t n, imap_part_fn fn, void *ctx);

#endif
