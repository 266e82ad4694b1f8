/*
 * finish.h — the steps `analyze` and `merge` share (inside the pipeline).
 *
 * Both make a case folder the same way and, once every capture's result is
 * there (analysed here, or read from the partials of shards), do the same
 * case-wide work: order the captures, names, hosts, findings, 206 assembly,
 * logs, charts, case.json, manifest and reports.  Sharing it is what makes
 * a merged case byte-identical to one analysed on one machine.
 */
#ifndef PCAPCASE_FINISH_H
#define PCAPCASE_FINISH_H

#include "core/phases.h"
#include "pipeline/pipeline.h"

/* Make o->out_dir with artifacts/ and certs/ and mark it INCOMPLETE.
 * CASE_DONE, or CASE_WRITE_FAILED after saying why on stderr. */
int case_prepare_dir(const case_opts_t *o);

/* Everything after the analysis, from all[0 .. n-1] (owned by the caller):
 * returns an enum case_status; the folder is marked complete on success. */
int case_finish(const case_opts_t *o, capture_result_t *all, size_t n, phases_t *ph);

/* Write the partial case of a --shard run (pipeline/shard.c) from the
 * results of in's captures: an enum case_status. */
int case_partial_write(const case_inputs_t *in, const case_opts_t *o, capture_result_t *all);

/* Say on stderr that writing failed (the first failure recorded, else
 * writer_err) and in what state the case is; returns CASE_WRITE_FAILED. */
int case_write_failed(const char *writer_err, const char *state);

#endif
