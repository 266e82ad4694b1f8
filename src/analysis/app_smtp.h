/*
 * app_smtp.h — SMTP (proto/smtp.c): one smtp_record_t per transaction
 * (smtp.ndjson, Zeek's smtp.log), each message kept whole and each MIME
 * part carved (analysis/mailmsg.h), AUTH logins as credential records.
 * SMTP may switch to TLS (STARTTLS).
 */
#ifndef PCAPCASE_APP_SMTP_H
#define PCAPCASE_APP_SMTP_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_smtp_ops;

/* Server port one of self's, or a client's EHLO/HELO. */
bool app_smtp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);

#endif
