/*
 * log_intel.h — intel.ndjson: one row per value seen in the traffic that
 * matched indicators of --intel (Zeek's intel.log fields: ts, uid, id.*,
 * seen.indicator, seen.indicator_type, seen.where, matched, sources, fuid,
 * file_mime_type, file_desc; plus ours: indicators, the entries of the
 * intel files it matched as they were listed, and pcap, frame).  Written only
 * when the case has --intel files.
 */
#ifndef PCAPCASE_LOG_INTEL_H
#define PCAPCASE_LOG_INTEL_H

#include "core/buf.h"
#include "model/records.h"
#include "write/log_columns.h"

extern const log_column_t log_intel_columns[];

/* Serialise one sighting as a JSON object (no newline) into out. */
void log_intel_row(buf_t *out, const intel_sighting_t *s, const char *pcap, int ts_digits);

#endif
