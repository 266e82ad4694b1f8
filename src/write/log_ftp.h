/*
 * log_ftp.h — ftp.ndjson: one row per logged FTP command with its final
 * reply (Zeek's ftp.log fields, plus pcap and frames).  Written only when a
 * capture has FTP (write/logs.c).
 */
#ifndef PCAPCASE_LOG_FTP_H
#define PCAPCASE_LOG_FTP_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_ftp_columns[];

/* Serialise one command as a JSON object (no newline) into out. */
void log_ftp_row(buf_t *out, const ftp_record_t *f, const char *pcap, int ts_digits);

#endif
