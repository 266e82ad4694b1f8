/*
 * textline.h — lines and words of the text protocols (FTP, SMTP, POP3, IMAP,
 * Internet message headers), read through the bounds-checked cursor.
 *
 * A line_reader_t collects one line from a stream that arrives in arbitrary
 * pieces: a line that arrives whole inside one piece is handed out in place
 * (no copy), a line split across pieces is gathered in the reader's buffer.
 * Lines longer than the reader's cap are cut at the cap and flagged
 * `overlong`; the rest of such a line is skipped, so a peer that never sends
 * a line end costs at most the cap in memory.
 *
 * The word helpers read tokens from a line cursor: they never look past the
 * cursor's end and never modify the bytes.
 */
#ifndef PCAPCASE_TEXTLINE_H
#define PCAPCASE_TEXTLINE_H

#include "core/buf.h"
#include "core/cursor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct line_reader {
    buf_t part;    /* the start of a line split across pieces */
    size_t max;    /* longest line kept, in bytes (without its line end) */
    bool skipping; /* dropping the rest of an overlong line */
    bool handed;   /* part holds the line handed out by the last call */
} line_reader_t;

/* A reader keeping lines up to max bytes.  The reader owns its buffer:
 * release it with line_reader_free(). */
void line_reader_init(line_reader_t *r, size_t max);
void line_reader_free(line_reader_t *r);
/* Forget a partial line (after a gap in the stream). */
void line_reader_reset(line_reader_t *r);

/* Take the next complete line from c.  On true, *line covers the line
 * without its CR LF (valid until the next call or until c's bytes go away)
 * and *overlong says it was cut at the cap.  On false, c is used up: its
 * bytes are kept for the next call. */
bool line_next(line_reader_t *r, cursor_t *c, cursor_t *line, bool *overlong);
/* Bytes of an unfinished line held (for "the stream ended mid-line"). */
size_t line_pending(const line_reader_t *r);
/* The unfinished line held, as a cursor (empty when none). */
cursor_t line_partial(const line_reader_t *r);

/* Skip spaces and tabs. */
void text_skip_blanks(cursor_t *c);
/* The next word (bytes up to a space or tab, at most the rest of c) after
 * leading blanks; false when nothing is left. */
bool text_word(cursor_t *c, cursor_t *word);
/* The rest of c without leading and trailing blanks. */
cursor_t text_trim(cursor_t c);
/* Does c start with s, ignoring ASCII case? (does not advance) */
bool text_starts_ci(const cursor_t *c, const char *s);
/* Is c exactly s, ignoring ASCII case? */
bool text_eq_ci(const cursor_t *c, const char *s);
/* If c starts with s (ignoring case), advance past it and return true. */
bool text_eat_ci(cursor_t *c, const char *s);
/* Decimal digits (at least one) into *v, refusing values above max;
 * advances past the digits only on success. */
bool text_uint(cursor_t *c, uint64_t max, uint64_t *v);
/* A fresh NUL-terminated copy of c's remaining bytes, at most max bytes
 * (NUL bytes inside become '?').  Caller frees. */
char *text_dup(const cursor_t *c, size_t max);
/* Offset of the first byte b in c, or -1. */
long text_find(const cursor_t *c, uint8_t b);

#endif
