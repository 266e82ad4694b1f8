/*
 * log_dns.h — dns.ndjson: one row per DNS exchange (Zeek's dns.log fields
 * plus ours: pcap, frame, response_frame, damaged).
 */
#ifndef PCAPCASE_LOG_DNS_H
#define PCAPCASE_LOG_DNS_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_dns_columns[];

/* Serialise one exchange as a JSON object (no newline) into out. */
void log_dns_row(buf_t *out, const dns_exchange_t *x, const char *pcap, int ts_digits);

#endif
