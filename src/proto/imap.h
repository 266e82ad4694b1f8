/*
 * imap.h — an IMAP4 session (RFC 9051/3501) incrementally: messages
 * fetched whole, logins and STARTTLS.
 *
 * IMAP frames data as literals, "{N}" at a line end followed by exactly N
 * bytes, in both directions.  The reader follows them, so a literal is never
 * taken for commands or responses.  A literal that is the value of a FETCH
 * item RFC822, BODY[] or BINARY[] (also BODY.PEEK[] answered as BODY[]) is a
 * whole message: it is handed to the caller as it arrives (BODY[]<origin>
 * partial fetches are flagged partial).  A literal that is the value of
 * any other section of a message (BODY[2], BODY[2.MIME], BODY[TEXT],
 * BODY[HEADER.FIELDS (...)], BINARY[2], RFC822.HEADER, RFC822.TEXT) is
 * handed out the same way after section_begin, with the item as the server
 * named it.  The message literal of a client's
 * APPEND is handed out the same way (message_begin with msgno 0, while
 * imap_session_uploading() is true), unless the server refuses the APPEND
 * before the literal is sent.  Other literals (strings inside ENVELOPE or
 * BODYSTRUCTURE) are skipped.
 * Client commands are tokenised (atoms, quoted strings, literals): LOGIN
 * user and password, AUTHENTICATE through sasl.h, STARTTLS; the tagged
 * OK/NO/BAD answer decides the outcome.
 */
#ifndef PCAPCASE_IMAP_H
#define PCAPCASE_IMAP_H

#include "mailbox.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line kept (RFC 9051 recommends servers accept 8000 octets). */
#define IMAP_MAX_LINE 8192
/* Tokens kept per client command: tag, command and the arguments LOGIN
 * and AUTHENTICATE need. */
#define IMAP_MAX_TOKENS 8
/* A client literal kept as a token (user names, passwords); larger ones
 * (APPEND of a message) are skipped. */
#define IMAP_MAX_CLIENT_LITERAL 1024
/* A FETCH item's name handed out with its section (longer ones are cut;
 * HEADER.FIELDS lists are the long ones). */
#define IMAP_MAX_ITEM 255
/* Tagged commands waiting for their completion. */
#define IMAP_MAX_PENDING 64

typedef struct imap_session imap_session_t;

imap_session_t *imap_session_new(const mailbox_callbacks_t *cb, void *ctx);
void imap_session_data(imap_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
void imap_session_gap(imap_session_t *s, bool is_orig, uint64_t len);
void imap_session_free(imap_session_t *s);
bool imap_session_tls(const imap_session_t *s);
/* Is the message being handed out one the client uploads (APPEND)? */
bool imap_session_uploading(const imap_session_t *s);

/* An IMAP greeting ("* OK", "* PREAUTH")? */
bool imap_detect(const uint8_t *p, size_t n);

#endif
