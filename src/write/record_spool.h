/*
 * record_spool.h — the record sink of one capture (model/sink.h): each
 * record's row is formatted by its log's writer (log_*.h) and spooled
 * (core/logstore.h) into the capture's result, and what the case needs of it
 * is kept there too (model/keep.h).  The pipeline makes one per capture and
 * hands it to analysis_run(); logstore_merge() later writes the logs.
 */
#ifndef PCAPCASE_RECORD_SPOOL_H
#define PCAPCASE_RECORD_SPOOL_H

#include "model/sink.h"

/* Fill *sink to spool into r (its logs are created here, spooling in
 * spool_dir, NULL for the system's temporary folder).  r must outlive the
 * sink's use; r->name and r->ts_digits are read at each call. */
void record_spool_init(record_sink_t *sink, capture_result_t *r, const char *spool_dir);

#endif
