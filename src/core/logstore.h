/*
 * logstore.h — NDJSON rows spooled to disk, merged in a deterministic order.
 *
 * Analysers finish records in an order that depends on timeouts and on which
 * capture was read first.  Users need byte-identical logs whatever the order
 * of the captures and however many jobs ran, so each capture spools its rows
 * to a temporary file and keeps only a 48-byte index entry per row in memory
 * (timestamp, emission order, spool, offset, length).  logstore_merge() then
 * writes the final log sorted by (ts, capture rank, emission order within the
 * capture: core/order.h).  Memory is therefore O(rows × 48 B), not O(bytes of
 * logs).  A capture analysed by several workers has one store per worker;
 * logstore_absorb() makes them one store with several spool files.
 *
 * Open files: every store holds its spools open until the merge, so a case
 * of many captures would hold captures x log kinds x workers of them (100
 * captures passed the usual limit of 1024 descriptors).  logstore_pack()
 * moves a finished capture's rows into one file shared by the whole case
 * (a logpack_t) and closes its spools: the case holds one file per log
 * kind's worth of rows, whatever the number of captures.
 */
#ifndef PCAPCASE_LOGSTORE_H
#define PCAPCASE_LOGSTORE_H

#include "core/order.h"
#include "core/types.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct logstore_row {
    ts_ns_t ts;
    rec_order_t ord;
    uint64_t off;
    uint32_t len;
    uint32_t spool; /* index into the store's spools */
} logstore_row_t;

typedef struct logpack logpack_t;
#define LOGSTORE_NO_SPOOL UINT32_MAX

typedef struct logstore {
    FILE **spools; /* anonymous temporary files (tmpfile semantics, deleted on
                    * close); rows are added to the first, the others come
                    * from logstore_absorb */
    size_t nspools;
    logstore_row_t *rows;
    size_t n, cap;
    uint64_t bytes;  /* of the spool rows are added to (spools[cur]) */
    uint32_t cur;    /* that spool; LOGSTORE_NO_SPOOL after a pack (one is opened if needed) */
    int rank;        /* capture rank, set before merging */
    const char *dir; /* where the spool is (borrowed), for error messages */
    int err;         /* errno of the first failed spool write, 0 if none */
    logpack_t *pack; /* set by logstore_pack: spools[0] is the pack's file (shared) */
} logstore_t;

/* Create a store spooling into dir (O_TMPFILE there, else tmpfile()); dir
 * must outlive the store.  Returns 0, or -1 with errno set.  A failure to
 * create or write the spool is recorded (fs_note_failure) and makes
 * logstore_merge fail; adding rows stays safe. */
int logstore_init(logstore_t *ls, const char *dir);
/* Append one JSON object (no trailing newline needed; one is added) made
 * at emission order ord. */
void logstore_add_ordered(logstore_t *ls, ts_ns_t ts, const rec_order_t *ord, const char *json,
                          size_t len);
/* The same for a row made after the analysis (by the case): it sorts after
 * every analysis row of the same ts, in the order added. */
void logstore_add(logstore_t *ls, ts_ns_t ts, const char *json, size_t len);
/* Move every row and spool of src into dst (src is left empty, reusable
 * after logstore_init).  dst's new rows keep src's order and ts.  The first
 * write error of either stays recorded. */
void logstore_absorb(logstore_t *dst, logstore_t *src);
/* Row i's bytes (with its newline) into *buf (grown as needed; *cap its
 * size).  Returns the length, or -1 when the spool cannot be read (errno). */
long logstore_read(const logstore_t *ls, size_t i, char **buf, size_t *cap);
void logstore_free(logstore_t *ls);

/* A file many stores' rows are packed into (in dir, like the spools; opened
 * at the first pack).  The creator holds one reference, each packed store
 * another; the file is closed with the last. */
logpack_t *logpack_new(const char *dir);
void logpack_release(logpack_t *p);
/* The pack ls was packed into, or NULL. */
static inline logpack_t *logstore_pack_of(const logstore_t *ls)
{
    return ls->pack;
}
/* Copy every row of ls into p, close ls's own spools, and read the rows
 * from p from now on.  A store without rows just closes its spools.  Rows
 * added later go to a new spool of its own, which the next pack (into the
 * same p) moves in turn.  0, or -1 when the copy failed (recorded as a
 * spool failure: the merge then fails, the case says so). */
int logstore_pack(logstore_t *ls, logpack_t *p);

/* Merge n stores (each with its rank set) into path, sorted.  Returns number
 * of rows written or -1 on I/O error (errno set). */
long long logstore_merge(logstore_t *const *stores, size_t n, const char *path);

#endif
