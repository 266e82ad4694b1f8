/*
 * pop3.h — a POP3 session (RFC 1939, 2449, 5034, 2595) incrementally:
 * retrieved messages, logins and STLS.
 *
 * Commands queue in order (pipelining) and each "+OK"/"-ERR" answers the
 * oldest.  Multi-line answers (RETR, TOP, LIST, UIDL, CAPA, bare AUTH) are
 * dot-stuffed (dotdata.h); the bodies of RETR and TOP are handed to the
 * caller as messages (TOP as partial: headers and the first lines only).
 * Logins: USER + PASS, APOP (name and digest with the greeting's timestamp,
 * reported as a hash), AUTH through sasl.h; the outcome is the server's
 * answer.  After STLS and "+OK" the rest is TLS.
 */
#ifndef PCAPCASE_POP3_H
#define PCAPCASE_POP3_H

#include "mailbox.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Command and status lines kept (RFC 1939: 255 and 512). */
#define POP3_MAX_LINE 4096
/* Commands waiting for their answers. */
#define POP3_MAX_PENDING 64

typedef struct pop3_session pop3_session_t;

pop3_session_t *pop3_session_new(const mailbox_callbacks_t *cb, void *ctx);
void pop3_session_data(pop3_session_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
void pop3_session_gap(pop3_session_t *s, bool is_orig, uint64_t len);
/* An open message ends incomplete; pending logins are reported. Frees. */
void pop3_session_free(pop3_session_t *s);
/* The session goes on inside TLS after STLS (its decrypted plaintext): no
 * greeting comes (RFC 2595 4), the first "+OK" answers the client's next
 * command.  timestamp: the plain-text greeting's APOP challenge
 * (pop3_session_timestamp of the session before STLS; NULL when it had
 * none), which an APOP inside TLS is computed with.  Call before any data. */
void pop3_session_resume_in_tls(pop3_session_t *s, const char *timestamp);
/* The greeting's APOP challenge ("<1896.697170952@dbc.mtview.ca.us>"), or
 * NULL when the greeting had none or was not seen. */
const char *pop3_session_timestamp(const pop3_session_t *s);
bool pop3_session_tls(const pop3_session_t *s);

/* A POP3 greeting ("+OK ...")? */
bool pop3_detect(const uint8_t *p, size_t n);

#endif
