/*
 * sink.h — where the analysis of one capture hands its records.
 *
 * The analysis (src/analysis/) knows nothing of logs or files: it calls one
 * function of a record_sink_t per finished record (records.h) and goes on.
 * The sink is implemented above — write/record_spool.c formats each row with
 * its log's writer, spools it and keeps the case's summaries — and wired by
 * the pipeline, one sink per capture.  A test or a future consumer (a live
 * view, a parallel worker's queue) can implement the same interface.
 *
 * Contract: calls come from the thread analysing the capture, one at a time,
 * in the order the records were finished.  A record and everything it points
 * to is borrowed for the call; the sink copies what it keeps.  The calls
 * cannot fail: a sink that cannot keep a record counts that itself.
 */
#ifndef PCAPCASE_SINK_H
#define PCAPCASE_SINK_H

#include "model/model.h"
#include "model/records.h"

typedef struct record_sink {
    void *ctx; /* the implementation's state, passed to every call */
    /* A connection is finished (conn.ndjson; the case keeps them all). */
    void (*conn)(void *ctx, const conn_rec_t *r);
    void (*dns)(void *ctx, const dns_exchange_t *r);
    void (*name_seen)(void *ctx, const name_sighting_t *r); /* passive DNS */
    void (*http)(void *ctx, const http_record_t *r);
    void (*file)(void *ctx, const file_record_t *r);
    void (*ssl)(void *ctx, const ssl_record_t *r);
    void (*certificate)(void *ctx, const cert_sighting_t *r);
    void (*credential)(void *ctx, const credential_t *r);
    void (*mime_mismatch)(void *ctx, const mime_mismatch_t *r);
    void (*range_part)(void *ctx, const range_part_t *r);
    void (*ftp)(void *ctx, const ftp_record_t *r);
    void (*smtp)(void *ctx, const smtp_record_t *r);
    void (*smb_file)(void *ctx, const smb_file_record_t *r);
    /* --intel matches (made by case/intel_tap.c from the records above). */
    void (*intel)(void *ctx, const intel_sighting_t *r);
} record_sink_t;

/* The sink of a file that takes every kind of record, each in a function of
 * its own named on_KIND (on_conn, on_dns, ...): a kind added above without
 * its function in such a file does not compile there. */
#define RECORD_SINK_ON(context)                                                                    \
    ((record_sink_t){                                                                              \
        .ctx = (context),                                                                          \
        .conn = on_conn,                                                                           \
        .dns = on_dns,                                                                             \
        .name_seen = on_name,                                                                      \
        .http = on_http,                                                                           \
        .file = on_file,                                                                           \
        .ssl = on_ssl,                                                                             \
        .certificate = on_certificate,                                                             \
        .credential = on_credential,                                                               \
        .mime_mismatch = on_mime_mismatch,                                                         \
        .range_part = on_range_part,                                                               \
        .ftp = on_ftp,                                                                             \
        .smtp = on_smtp,                                                                           \
        .smb_file = on_smb_file,                                                                   \
        .intel = on_intel,                                                                         \
    })

#endif
