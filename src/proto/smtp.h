/*
 * smtp.h — an SMTP session (RFC 5321) incrementally: transactions, their
 * messages, logins and STARTTLS.
 *
 * Fed both directions in arbitrary pieces.  Commands queue until their
 * replies (PIPELINING, RFC 2920); multi-line replies ("250-") are joined.
 * A pipelining client sends the next transaction's MAIL (or RSET, QUIT)
 * before the server answered the last one's message (behind DATA's final
 * dot or BDAT LAST): the transaction so ended waits for the replies to its
 * own commands — the one to its message says whether the message was
 * accepted — and is reported when they came, in order.  A capture without
 * the server's side reports each transaction when the next begins.
 * Message data comes from DATA (dot-stuffed, undone by dotdata.h) or from
 * BDAT chunks (RFC 3030, exactly N bytes each, LAST ends the message) and
 * is handed to the caller raw — the caller runs the message parser (imf.h)
 * over it and keeps it whole as evidence.
 *
 * The client's side drives the state, because captures often hold only one
 * side: after "DATA" the client's next bytes are taken as message data
 * unless the server refuses DATA before any arrived; after "BDAT N" the
 * next N bytes are.  AUTH (PLAIN, LOGIN, CRAM-MD5, via sasl.h) is followed
 * until the server's final reply, which decides the credential's outcome.
 * After "STARTTLS" and a 220 reply the rest of the session is TLS and is
 * not parsed (smtp_session_tls()).
 */
#ifndef PCAPCASE_SMTP_H
#define PCAPCASE_SMTP_H

#include "credential.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Command and reply lines kept (RFC 5321 4.5.3.1: 512 and 512; 4 KiB for
 * extensions and broken clients). */
#define SMTP_MAX_LINE 4096
/* Commands waiting for their replies. */
#define SMTP_MAX_PENDING 64
/* Recipients kept per transaction (Zeek logs all; a spam run has
 * thousands, the examiner needs the count and a sample). */
#define SMTP_MAX_RCPT 256
/* Transactions ended by the client but still awaiting replies (pipelined
 * behind their message): a client pipelines one message ahead, a few at
 * most; beyond this the oldest is reported without its last replies. */
#define SMTP_MAX_CLOSING 8
/* Largest BDAT chunk believed: a larger size is a broken or hostile
 * client, and the session is no longer followed. */
#define SMTP_MAX_BDAT_CHUNK ((uint64_t)1 << 40)

typedef struct smtp_txn {
    uint64_t id; /* the transaction's number in the session, from 1 */
    unsigned
        depth; /* Zeek's trans_depth: messages answered (or awaiting their answer) before it, + 1 */
    const char *helo;     /* HELO/EHLO argument, NULL if none */
    const char *mailfrom; /* MAIL FROM address without <> */
    const char *const *rcptto;
    unsigned nrcpt, rcpt_dropped;
    const char *last_reply; /* "250 OK id=..." */
    bool has_message;       /* DATA or BDAT data was seen */
    bool message_complete;  /* ... and ended properly */
    bool tls;
    uint64_t first_frame, last_frame;
    /* reported before the server answered all its commands because the
     * client pipelined past more than SMTP_MAX_CLOSING transactions awaiting
     * replies: last_reply may not be the last (later replies to it are not
     * matched) */
    bool capped;
} smtp_txn_t;

typedef struct smtp_callbacks {
    /* Message data starts for transaction t (t->id: the txn callback that
     * reports it comes later, after the next transaction's messages when
     * the client pipelined past it). */
    void (*message_begin)(void *ctx, const smtp_txn_t *t);
    void (*message_data)(void *ctx, const uint8_t *p, size_t n, uint64_t frame);
    void (*message_gap)(void *ctx, uint64_t len);
    /* complete: ended by "." or BDAT LAST (false: the stream ended first). */
    void (*message_end)(void *ctx, bool complete);
    /* A transaction is over (reply to its data, RSET, a new MAIL, QUIT or
     * the end of the session). */
    void (*txn)(void *ctx, const smtp_txn_t *t);
    void (*credential)(void *ctx, const proto_cred_t *c);
    void (*starttls)(void *ctx);
    /* May be NULL: the message as sent — DATA's with its dot-stuffing kept
     * (the terminating "." line left out), BDAT chunks as they are — in
     * pieces after message_data's. */
    void (*message_wire)(void *ctx, const uint8_t *p, size_t n);
} smtp_callbacks_t;

typedef struct smtp_session smtp_session_t;

smtp_session_t *smtp_session_new(const smtp_callbacks_t *cb, void *ctx);
void smtp_session_data(smtp_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
void smtp_session_gap(smtp_session_t *s, bool is_orig, uint64_t len);
/* End: an open message ends incomplete, the open transaction is reported,
 * a pending login is reported with an unknown outcome.  Then free. */
void smtp_session_free(smtp_session_t *s);
/* The session goes on inside TLS after STARTTLS (its decrypted
 * plaintext): no greeting comes (RFC 3207 4.2: the client starts again
 * with EHLO), and its transactions are marked tls.  Call before any data. */
void smtp_session_resume_in_tls(smtp_session_t *s);
bool smtp_session_tls(const smtp_session_t *s);
/* Why the session stopped being followed ("bdat_size", ...), or NULL. */
const char *smtp_session_lost(const smtp_session_t *s);

/* A server greeting ("220 " or "220-") or a client greeting (EHLO/HELO)? */
bool smtp_detect(const uint8_t *p, size_t n, bool is_orig);

#endif
