/*
 * logstore.h — NDJSON rows spooled to disk, merged in a deterministic order.
 *
 * Analysers finish records in an order that depends on timeouts and on which
 * capture was read first.  Users need byte-identical logs whatever the order
 * of the captures and however many jobs ran, so each capture spools its rows
 * to a temporary file and keeps only a 24-byte index entry per row in memory
 * (timestamp, offset, length).  logstore_merge() then writes the final log
 * sorted by (ts, capture rank, row order within the capture).  Memory is
 * therefore O(rows × 24 B), not O(bytes of logs).
 */
#ifndef PCAPCASE_LOGSTORE_H
#define PCAPCASE_LOGSTORE_H

#include "core/types.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct logstore_row {
    ts_ns_t ts;
    uint64_t off;
    uint32_t len;
    uint32_t seq_hi; /* row order within the store, high bits (low bits = index) */
} logstore_row_t;

typedef struct logstore {
    FILE *spool; /* anonymous temporary file (tmpfile semantics, deleted on close) */
    logstore_row_t *rows;
    size_t n, cap;
    uint64_t bytes;
    int rank;        /* capture rank, set before merging */
    const char *dir; /* where the spool is (borrowed), for error messages */
    int err;         /* errno of the first failed spool write, 0 if none */
} logstore_t;

/* Create a store spooling into dir (O_TMPFILE there, else tmpfile()); dir
 * must outlive the store.  Returns 0, or -1 with errno set.  A failure to
 * create or write the spool is recorded (fs_note_failure) and makes
 * logstore_merge fail; adding rows stays safe. */
int logstore_init(logstore_t *ls, const char *dir);
/* Append one JSON object (no trailing newline needed; one is added). */
void logstore_add(logstore_t *ls, ts_ns_t ts, const char *json, size_t len);
void logstore_free(logstore_t *ls);

/* Merge n stores (each with its rank set) into path, sorted.  Returns number
 * of rows written or -1 on I/O error (errno set). */
long long logstore_merge(logstore_t *const *stores, size_t n, const char *path);

#endif
