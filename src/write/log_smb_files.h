/*
 * log_smb_files.h — smb_files.ndjson: one row per file opened over SMB
 * (like Zeek's smb_files.log, one row per file rather than per action),
 * with what moved of it: bytes seen and missing, whether it is whole.
 * Written only when a capture has SMB (write/logs.c).
 */
#ifndef PCAPCASE_LOG_SMB_FILES_H
#define PCAPCASE_LOG_SMB_FILES_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_smb_files_columns[];

/* Serialise one file as a JSON object (no newline) into out. */
void log_smb_files_row(buf_t *out, const smb_file_record_t *f, const char *pcap, int ts_digits);

#endif
