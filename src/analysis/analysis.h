/*
 * analysis.h — one capture, start to finish.
 *
 * Replays a capture (replay.h: read, filter, decode, connections), feeds
 * the protocol analysers (analyser.h) and reports what they find as records
 * to a record sink and evidence to an evidence store (model/), while the
 * capture's own description, counts and damage go to its capture_result_t.
 * The capture's flows are spread over opts->jobs workers (workers.h), each
 * with its own sink and store; the result does not depend on their number.
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
    /* --quick-types: HTTP bodies typed by the built-in sniffer (proto/mime.h)
     * instead of libmagic, and given no description: libmagic costs about
     * 0.5 ms per distinct text body (docs/dependencies.md) */
    bool quick_types;
    /* TLS session keys (--keylog, and the case's keylogs/): sessions found
     * in it are decrypted.  NULL: none given, nothing is tried. */
    const keylog_t *keys;
    /* workers per capture (analysis/workers.h); 0 or 1: one */
    unsigned jobs;
    /* --shard K/N: only the flows whose route hash is K modulo N
     * (flow/flowhash.h); shard_n 0 or 1: every flow.  The per-packet counts
     * of the capture (packets, bytes, bandwidth, decoder damage) are counted
     * by shard 0 only, so that merging shards adds them up once. */
    unsigned shard_k, shard_n;
    /* --uid: connections whose segments are kept for their TCP charts
     * whatever their size (analysis/tcp_keep.h) */
    const char **chart_uids;
    size_t n_chart_uids;
    /* bytes of those segments held at once; 0: TCP_KEEP_MAX_BYTES (tests
     * set less to see the bound hit) */
    size_t tcp_keep_max;
    /* progress: called every few MB with raw bytes read and the file size */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} analysis_opts_t;

/* Where each worker's records and evidence go (the pipeline provides it:
 * the analysis includes nothing of write/). */
typedef struct analysis_outputs {
    void *ctx;
    /* Worker w starts: its records go to *records (usually spooling into
     * part: write/record_spool.h), its carved bodies and certificates to
     * *evidence (NULL: none are kept).  Called before any packet, on the
     * thread that called analysis_run. */
    void (*open)(void *ctx, unsigned w, capture_result_t *part, const record_sink_t **records,
                 const evidence_store_t **evidence);
} analysis_outputs_t;

/* Analyse path into *out (zeroed by the caller; freed with
 * capture_result_free) on opts->jobs workers: the capture's description,
 * statistics and damage go to *out, every record through the workers' sinks
 * into *out.  Returns 0 when read to the end, 1 when the file was read but
 * part of it was damaged, 3 when it is not a usable capture (out->error says
 * why). */
int analysis_run(const char *path, const analysis_opts_t *opts, const analysis_outputs_t *outputs,
                 capture_result_t *out);

#endif
