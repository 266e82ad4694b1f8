/*
 * mailbox.h — what a mailbox access session (POP3, IMAP) reports.
 *
 * POP3 (pop3.h) and IMAP (imap.h) differ in how they frame messages, but
 * what they hand the caller is the same: retrieved messages as they arrive
 * (whole or partial), logins, and the switch to TLS.  One callback table
 * serves both, so a caller writes one set of callbacks for the two.
 */
#ifndef PCAPCASE_MAILBOX_H
#define PCAPCASE_MAILBOX_H

#include "credential.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mailbox_callbacks {
    /* A retrieved message starts: its number in the mailbox, and whether
     * only part of it comes (POP3 TOP, IMAP BODY[]<origin>). */
    void (*message_begin)(void *ctx, unsigned msgno, bool partial);
    void (*message_data)(void *ctx, const uint8_t *p, size_t n, uint64_t frame);
    void (*message_gap)(void *ctx, uint64_t len); /* may be NULL */
    void (*message_end)(void *ctx, bool complete);
    void (*credential)(void *ctx, const proto_cred_t *c);
    void (*starttls)(void *ctx); /* STLS / STARTTLS answered OK */
    /* IMAP only (may be NULL): a section of message msgno starts (item as
     * the server named it: "BODY[2]", "BODY[1.MIME]", "RFC822.HEADER",
     * ...; partial: BODY[2]<origin>); its bytes come through message_data
     * and message_end as a message's do. */
    void (*section_begin)(void *ctx, unsigned msgno, const char *item, bool partial);
    /* IMAP only (may be NULL): message msgno's BODYSTRUCTURE, the text from
     * its opening parenthesis to the end of the response line (imap_body.h
     * reads it). */
    void (*structure)(void *ctx, unsigned msgno, const uint8_t *p, size_t n);
    /* POP3 only (may be NULL): the message as sent, dot-stuffing kept (the
     * terminating "." line left out), in pieces after message_data's. */
    void (*message_wire)(void *ctx, const uint8_t *p, size_t n);
} mailbox_callbacks_t;

#endif
