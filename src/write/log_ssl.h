/*
 * log_ssl.h — ssl.ndjson: one row per TLS handshake (Zeek's ssl.log fields
 * plus ours: certificate fingerprints, JA3/JA3S/JA4, pcap, frame, damaged).
 */
#ifndef PCAPCASE_LOG_SSL_H
#define PCAPCASE_LOG_SSL_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_ssl_columns[];

/* Serialise one handshake as a JSON object (no newline) into out. */
void log_ssl_row(buf_t *out, const ssl_record_t *s, const char *pcap, int ts_digits);

#endif
