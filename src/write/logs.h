/*
 * logs.h — CASE/logs/: every log of the case, each by its one writer.
 *
 * conn.ndjson from the connection records; dns, http, files and ssl merged
 * from the captures' spools (rows were formatted as the records came, see
 * record_spool.h); x509, hosts and findings from the merged case.
 */
#ifndef PCAPCASE_LOGS_H
#define PCAPCASE_LOGS_H

#include "case/merged.h"

#include <stddef.h>

/* The logs by table_kind: their file names without .ndjson. */
extern const char *const table_names[TABLE_COUNT];

/* Write every log (k->rows gets each one's row count).  0, or -1 with a
 * one-line reason naming the file in err. */
int case_logs_write(case_t *k, char *err, size_t errlen);

#endif
