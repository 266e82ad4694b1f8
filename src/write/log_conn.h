/*
 * log_conn.h — conn.ndjson: one row per connection (Zeek's conn.log fields
 * plus ours: pcap, frames, retransmissions, zero windows, handshake RTT,
 * names).
 */
#ifndef PCAPCASE_LOG_CONN_H
#define PCAPCASE_LOG_CONN_H

#include "case/merged.h"
#include "core/buf.h"
#include "model/model.h"
#include "write/log_columns.h"

extern const log_column_t log_conn_columns[];

/* Serialise one connection as a JSON object (no newline) into out. */
void log_conn_row(buf_t *out, const conn_rec_t *c, const char *pcap, int ts_digits,
                  const char *orig_name, const char *resp_name);
/* Write every connection of the case to path (atomically), sorted by
 * (ts, capture rank, uid), with names from the case's passive DNS (else the
 * name seen inside the connection for the responder).  Returns the number of
 * rows, or -1 with errno set. */
long long log_conn_write(const case_t *k, const char *path);

#endif
