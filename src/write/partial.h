/*
 * partial.h — the partial case: what `pcapcase analyze --shard K/N` leaves
 * for `pcapcase merge` (docs/design.md, "The partial case").
 *
 * A shard analyses every capture but owns only the flows whose symmetric
 * flow hash falls in shard K of N.  Its whole result — per capture,
 * everything in capture_result_t: the description, the tallies, every kept
 * record with its emission order key, passive DNS, damage, the spooled log
 * rows and the segments kept for the TCP charts (so a merge draws them
 * without reading the captures again) — goes to one file,
 * PARTIAL/partial.bin, next to the artifacts/, certs/ and keylogs/ the
 * shard wrote.  The file starts with a text line ("pcapcase-partial 2")
 * naming the format and its version, then the shard, the options that
 * change results (as "name=value" strings, so a merge can say which one
 * differs) and the inputs' SHA-256, then the captures in the order of the
 * inputs.  Integers are little-endian and fixed-width, so a partial written
 * on one node reads on another.
 *
 * Reading appends: a capture read into a capture_result_t that already holds
 * the same capture's description (from another shard) checks that the
 * description agrees, adds the tallies and appends the records and rows.
 * Ordering the merged records by their order key is the caller's (the merge
 * in pipeline/merge.c).
 */
#ifndef PCAPCASE_PARTIAL_H
#define PCAPCASE_PARTIAL_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>

/* The format's first line, then its version (raised on any change). */
#define PARTIAL_MAGIC "pcapcase-partial"
/* 2: the segments kept for the TCP charts; 3: logins inside TLS; 4: login outcomes */
#define PARTIAL_VERSION 4
/* The file in a partial folder; written under a temporary name and renamed,
 * so a partial folder holds either a complete one or none. */
#define PARTIAL_FILE "partial.bin"

/* What identifies a partial: its shard, how it was made and from what. */
typedef struct partial_head {
    unsigned shard_k, shard_n;
    char **opts; /* "name=value": every option that changes the case (owned) */
    size_t nopts;
    char **inputs;       /* the captures' paths, in the order analysed (owned) */
    char **input_sha256; /* their SHA-256 in hex, "" for an unreadable one (owned) */
    size_t ninputs;
} partial_head_t;

/* Add an owned copy of "name=value" to h->opts. */
void partial_head_opt(partial_head_t *h, const char *name, const char *value);
void partial_head_free(partial_head_t *h);

/* Write h and results[0 .. h->ninputs - 1] (their log spools are read back)
 * to path.  Returns 0, or -1 with a one-line reason in err (the file is then
 * not there). */
int partial_write(const char *path, const partial_head_t *h, capture_result_t *const *results,
                  char *err, size_t errlen);

/* Read path's head into *h (freed with partial_head_free either way) and,
 * when results is not NULL, append its captures to results[0 .. h->ninputs
 * - 1] (h->ninputs is checked against ninputs), their log rows spooled in
 * spool_dir.  Returns 0, or -1 with a one-line reason naming path in err. */
int partial_read(const char *path, partial_head_t *h, capture_result_t *results, size_t ninputs,
                 const char *spool_dir, char *err, size_t errlen);
/* The same, each capture's log rows then packed into pack (logstore_pack):
 * a merge of many captures from many shards holds few files open. */
int partial_read_packed(const char *path, partial_head_t *h, capture_result_t *results,
                        size_t ninputs, const char *spool_dir, logpack_t *pack, char *err,
                        size_t errlen);

#endif
