/*
 * log_findings.h — findings.ndjson: the case's findings (case/findings.h),
 * most severe first, each with its evidence grouped per capture and a
 * Wireshark display filter that opens the frames.
 */
#ifndef PCAPCASE_LOG_FINDINGS_H
#define PCAPCASE_LOG_FINDINGS_H

#include "case/merged.h"
#include "write/log_columns.h"

extern const log_column_t log_findings_columns[];

/* Write k->findings to path (atomically).  Returns the number of rows, or
 * -1 with errno set. */
long long log_findings_write(const case_t *k, const char *path);

#endif
