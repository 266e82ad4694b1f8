/*
 * log_smtp.h — smtp.ndjson: one row per SMTP transaction (Zeek's smtp.log
 * fields, plus the whole message's fuid, pcap and frames).  Written only
 * when a capture has SMTP (write/logs.c).
 */
#ifndef PCAPCASE_LOG_SMTP_H
#define PCAPCASE_LOG_SMTP_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_smtp_columns[];

/* Serialise one transaction as a JSON object (no newline) into out. */
void log_smtp_row(buf_t *out, const smtp_record_t *m, const char *pcap, int ts_digits);

#endif
