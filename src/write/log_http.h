/*
 * log_http.h — http.ndjson: one row per HTTP transaction (Zeek's http.log
 * fields plus ours: pcap, request_frame, response_frame, weird).
 */
#ifndef PCAPCASE_LOG_HTTP_H
#define PCAPCASE_LOG_HTTP_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_http_columns[];

/* Serialise one transaction as a JSON object (no newline) into out. */
void log_http_row(buf_t *out, const http_record_t *h, const char *pcap, int ts_digits);

#endif
