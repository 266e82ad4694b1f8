/*
 * log_conn.h — conn.ndjson rows (Zeek's conn.log fields plus ours).
 */
#ifndef PCAPCASE_LOG_CONN_H
#define PCAPCASE_LOG_CONN_H

#include "model/model.h"
#include "core/buf.h"

/* Serialise one connection as a JSON object (no newline) into out. */
void log_conn_row(buf_t *out, const conn_rec_t *c, const char *pcap, int ts_digits,
                  const char *orig_name, const char *resp_name);

#endif
