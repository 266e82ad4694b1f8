/*
 * log_credentials.h — credentials.ndjson: one row per login seen (HTTP
 * Basic, FTP, SMTP AUTH, POP3, IMAP, NTLM over SMB), with the secret as
 * sent: the password, or for challenge/response the hashcat line
 * (NetNTLMv1 5500, NetNTLMv2 5600) an examiner can test for strength.
 * Written only when a capture has logins (write/logs.c).  The secret is
 * the examiner's evidence, in this log only: the workbook leaves its column
 * out and report.html hides it unless the case was made with
 * --show-secrets.
 */
#ifndef PCAPCASE_LOG_CREDENTIALS_H
#define PCAPCASE_LOG_CREDENTIALS_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_credentials_columns[];

/* Serialise one login as a JSON object (no newline) into out. */
void log_credentials_row(buf_t *out, const credential_t *c, const char *pcap, int ts_digits);

#endif
