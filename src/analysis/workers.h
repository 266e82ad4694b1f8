/*
 * workers.h — the flows of one capture spread over N workers.
 *
 * The reader (analysis.c, through replay_read) decodes each packet just far
 * enough to know its flow's address pair, hashes it (flow/flowhash.h) and
 * hands it to the worker that owns the hash.  Each worker owns its flows end
 * to end: its connection table, the analysers (reassembly, parsing,
 * inflation, hashing, carving), its record sink and evidence store, and a
 * part of the capture's result.  Expiry sweeps happen at the same records in
 * every worker.  When the capture is read, the parts are merged into the
 * capture's result in emission order (core/order.h), so the logs are the same
 * for every N.
 *
 * With one worker everything runs on the reader's thread, without copies.
 * With more, packets travel in batches (the packet and a copy of its payload)
 * through a bounded queue per worker: memory stays bounded whatever the
 * capture's size.
 */
#ifndef PCAPCASE_WORKERS_H
#define PCAPCASE_WORKERS_H

#include "analysis/analysis.h"
#include "decode/decode.h"

#include <stdint.h>

typedef struct workers workers_t;

/* Start n workers (at least 1) for the capture whose result is r (its name
 * is the "pcap" of the rows and salts the uids; path names it for the
 * salt).  out opens each worker's sink and evidence store. */
workers_t *workers_start(unsigned n, const char *path, const analysis_opts_t *opts,
                         const analysis_outputs_t *out, capture_result_t *r);
/* Record n decoded to p, its flow's hash h: to its worker. */
void workers_packet(workers_t *w, uint64_t n, uint32_t h, uint64_t frame, ts_ns_t ts,
                    const packet_t *p);
/* After record n, at capture time ts: every worker sweeps idle connections. */
void workers_tick(workers_t *w, uint64_t n, ts_ns_t ts);
/* The capture is read: finish every connection and analyser, wait for the
 * workers, merge their parts into r in order, free. */
void workers_finish(workers_t *w);

#endif
