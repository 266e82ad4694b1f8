/*
 * analysis.h — one capture, start to finish.
 *
 * Replays a capture (replay.h: read, filter, decode, connections), feeds
 * the protocol analysers (analyser.h) and reports what they find as records
 * to a record sink and evidence to an evidence store (model/), while the
 * capture's own description, counts and damage go to its capture_result_t.
 * Nothing here is shared between captures, so several captures can be
 * analysed on several threads at once (--jobs), each with its own sink and
 * store.
 */
#ifndef PCAPCASE_ANALYSIS_H
#define PCAPCASE_ANALYSIS_H

#include "model/evidence.h"
#include "model/model.h"
#include "model/sink.h"
#include "proto/keylog.h"

#include <stdbool.h>
#include <stdint.h>

enum { HASH_MD5 = 1, HASH_SHA1 = 2, HASH_SHA256 = 4, HASH_ALL = 7 };

/* Default --max-body: large enough for ISO images and installers seen in
 * real incidents, small enough that a lying Content-Length cannot make one
 * body eat the machine. */
#define DEFAULT_MAX_BODY (256ull << 20)

typedef struct analysis_opts {
    const char *bpf;   /* NULL: every packet */
    bool carve;        /* keep HTTP bodies as evidence (artifacts/) */
    uint64_t max_body; /* bytes kept per body; larger ones are truncated */
    unsigned hashes;   /* HASH_* bits for carved bodies (sha256 always) */
    /* TLS session keys (--keylog, and the case's keylogs/): sessions found
     * in it are decrypted.  NULL: none given, nothing is tried. */
    const keylog_t *keys;
    /* progress: called every few MB with raw bytes read and the file size */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} analysis_opts_t;

/* Analyse path into *out (zeroed by the caller; freed with
 * capture_result_free): the capture's description, statistics and damage go
 * to *out directly, every record to records (one sink per capture, usually
 * spooling into *out: write/record_spool.h), carved bodies and certificates
 * to evidence (NULL: none are kept).  Returns 0 when read to the end, 1 when
 * the file was read but part of it was damaged, 3 when it is not a usable
 * capture (out->error says why). */
int analysis_run(const char *path, const analysis_opts_t *opts, const record_sink_t *records,
                 const evidence_store_t *evidence, capture_result_t *out);

#endif
