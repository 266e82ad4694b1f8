/*
 * log_files.h — files.ndjson: one row per file (Zeek's files.log fields plus
 * ours: url, hashes of the encoded form, decoding notes, truncation, the
 * parts of an assembled object, pcap and frames).  Rows come from carved
 * HTTP bodies and from objects assembled from 206 parts (write/ranges.c).
 */
#ifndef PCAPCASE_LOG_FILES_H
#define PCAPCASE_LOG_FILES_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_files_columns[];

/* Serialise one file as a JSON object (no newline) into out. */
void log_files_row(buf_t *out, const file_record_t *f, const char *pcap, int ts_digits);

#endif
