/*
 * imf_field.h — the values of Internet message header fields (RFC 5322,
 * MIME RFC 2045/2047/2231): what an investigator reads in a Subject, who a
 * From names, what an attachment was called.
 *
 * Input is an unfolded field value that the message parser (imf.h) copied
 * out of the stream; all functions read it through the bounds-checked cursor
 * and return fresh strings the caller frees (or NULL when there is nothing).
 * Text that came from the traffic is kept as UTF-8; bytes that are not valid
 * UTF-8 after decoding are replaced by U+FFFD, control characters by '?',
 * so results are safe to log (they are never used as paths).
 */
#ifndef PCAPCASE_IMF_FIELD_H
#define PCAPCASE_IMF_FIELD_H

#include <stddef.h>

/* Longest decoded header text kept (a Subject, a file name); longer text is
 * cut.  RFC 5322 limits a line to 998 bytes; folded fields may be longer, and
 * 4 KiB holds every honest subject while bounding hostile ones. */
#define IMF_FIELD_MAX_TEXT 4096
/* RFC 2231 continuations (name*0, name*1, ...) joined at most. */
#define IMF_MAX_CONTINUATIONS 64

/* Decode RFC 2047 encoded words (=?charset?B?...?= and ?Q?) in an
 * unstructured value such as a Subject, converting from their charset to
 * UTF-8 (iconv; unknown charsets are kept as bytes and made valid UTF-8).
 * Blanks between two adjacent encoded words are dropped, as RFC 2047 6.2
 * says.  Never NULL for a non-NULL input. */
char *imf_decode_words(const char *value, size_t len);

/* The media type of a Content-Type value, lower-cased ("text/plain"), or
 * NULL when it has no '/'. */
char *imf_media_type(const char *value);

/* Parameter `name` of a structured value (Content-Type,
 * Content-Disposition), unquoted; RFC 2231 extended (name*=utf-8''a%20b)
 * and continued (name*0=, name*1*=) forms are joined and decoded, RFC 2047
 * words inside a quoted value are decoded (clients do send them).  NULL
 * when absent. */
char *imf_param(const char *value, const char *name);

/* The disposition of a Content-Disposition value, lower-cased
 * ("attachment", "inline"), or NULL. */
char *imf_disposition(const char *value);

/* The address inside angle brackets ("Name <a@b>" or "<a@b>" gives
 * "a@b"), else the trimmed value; NULL for an empty one. */
char *imf_angle_addr(const char *value, size_t len);

/* Make text safe to log: invalid UTF-8 becomes U+FFFD, control characters
 * '?', cut at IMF_FIELD_MAX_TEXT bytes on a character boundary. */
char *imf_clean_text(const unsigned char *p, size_t n);

#endif
