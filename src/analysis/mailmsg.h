/*
 * mailmsg.h — one e-mail message carved: kept whole as evidence (the .eml,
 * the bytes as the protocol delivered them: dot-stuffing and literal framing
 * undone) and each leaf MIME part decoded and carved (proto/imf.h), every
 * one with its files.ndjson row.  Used by the SMTP, POP3 and IMAP analysers,
 * which differ only in how a message is framed on the wire.
 *
 * Ownership: mailmsg_new() allocates; mailmsg_end() reports the files (once);
 * the headers and part fuids stay readable until mailmsg_free().
 */
#ifndef PCAPCASE_MAILMSG_H
#define PCAPCASE_MAILMSG_H

#include "analysis/analyser.h"
#include "proto/imf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mailmsg mailmsg_t;

/* Messages attached inside messages followed: real mail forwards a few
 * levels deep; Zeek's deeply-nested-mime trace nests 100.  Each level
 * keeps one parser and one part's first 64 KiB (for libmagic), so the cap
 * bounds memory per message. */
#define MAILMSG_MAX_NESTING 128

/* A message in connection c, the index-th of the connection (for its file
 * ids), carried by source ("SMTP", "POP3", "IMAP"), sent by the originator
 * or not. */
mailmsg_t *mailmsg_new(const an_ctx_t *ctx, const conn_t *c, const char *source, bool is_orig,
                       uint64_t index);
/* A message already carved whole by its carrier (an HTTP body declared
 * message/rfc822): only the messages attached inside it (message/rfc822
 * parts, at any depth up to MAILMSG_MAX_NESTING) are carved, as tshark
 * exports them. */
mailmsg_t *mailmsg_new_attached_only(const an_ctx_t *ctx, const conn_t *c, const char *source,
                                     bool is_orig, uint64_t index);
/* A section of a message fetched alone (IMAP BODY[2], BODY[TEXT],
 * BODY[1.MIME], BINARY[2], ...; section is the item as the server named
 * it): its bytes are kept as fetched, one files row naming the section.
 * headers, when given, is the header block that describes those bytes,
 * fetched earlier in the session (BODY[2.MIME] for BODY[2], BODY[HEADER]
 * for BODY[TEXT]): the section is then also read as the body of a message
 * with those headers, its leaf parts decoded and carved as a message's
 * are (a base64 attachment fetched by its part number comes out whole,
 * with its file name).  Sent by the server (IMAP has no upload of parts). */
mailmsg_t *mailmsg_new_section(const an_ctx_t *ctx, const conn_t *c, const char *source,
                               uint64_t index, const char *section, const uint8_t *headers,
                               size_t nheaders);
/* The carrier delivers only part of the message (POP3 TOP, an IMAP
 * BODY[]<origin.count> fetch): the .eml and the part cut at its end are
 * reported truncated with why (static), never as whole.  Before the end. */
void mailmsg_set_partial(mailmsg_t *m, const char *why);
void mailmsg_data(mailmsg_t *m, const uint8_t *p, size_t n, uint64_t frame, ts_ns_t ts);
void mailmsg_gap(mailmsg_t *m, uint64_t len);
/* The message as sent, when its carrier changed it (SMTP DATA and POP3
 * undo dot-stuffing): fed beside mailmsg_data.  When it differs from the
 * message (a dot was stuffed), it is kept too, as the message row's
 * encoded_sha256 / encoded_extracted (content_encoding "dot-stuffing"):
 * the bytes that crossed the wire, and what tshark exports. */
void mailmsg_wire(mailmsg_t *m, const uint8_t *p, size_t n);
/* The message ended (complete: its end marker came); its files are
 * reported.  Idempotent. */
void mailmsg_end(mailmsg_t *m, bool complete);
/* The message's header fields (after mailmsg_end). */
const imf_headers_t *mailmsg_headers(const mailmsg_t *m);
/* The whole message's fuid (its .eml), NULL when it had no bytes. */
const char *mailmsg_fuid(const mailmsg_t *m);
/* The fuids of its parts, in order (Zeek's smtp.log fuids). */
const char *const *mailmsg_fuids(const mailmsg_t *m, size_t *n);
/* NULL-safe; ends the message first if needed. */
void mailmsg_free(mailmsg_t *m);

#endif
