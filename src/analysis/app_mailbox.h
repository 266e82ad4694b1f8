/*
 * app_mailbox.h — POP3 (proto/pop3.c) and IMAP (proto/imap.c): mail read
 * from a mailbox.  Each message a RETR or FETCH answer carries is kept whole
 * and its MIME parts carved (analysis/mailmsg.h); logins are credential
 * records.  Neither has a log of its own (Zeek has none).  Both may switch
 * to TLS (STLS, STARTTLS).
 */
#ifndef PCAPCASE_APP_MAILBOX_H
#define PCAPCASE_APP_MAILBOX_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_pop3_ops;
extern const analyser_ops_t app_imap_ops;

/* Server port one of self's, or the server's greeting ("+OK", "* OK"). */
bool app_pop3_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);
bool app_imap_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);

#endif
