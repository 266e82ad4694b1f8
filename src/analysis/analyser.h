/*
 * analyser.h — what a protocol analyser is given and how it reports.
 *
 * An analyser reads one connection's bytes (through proto/ parsers) and
 * reports what it finds as typed records to the capture's record sink
 * (model/sink.h); carved bodies and certificates go to the evidence store
 * (model/evidence.h).  It never formats a log row or writes a file.
 */
#ifndef PCAPCASE_ANALYSER_H
#define PCAPCASE_ANALYSER_H

#include "analysis/analysis.h"
#include "flow/conn.h"
#include "model/evidence.h"
#include "model/records.h"
#include "model/sink.h"

/* One capture's analysis, as every analyser sees it. */
typedef struct an_ctx {
    const analysis_opts_t *opts;
    const record_sink_t *records;
    const evidence_store_t *evidence; /* NULL: nothing is kept (no case folder) */
    damage_t *damage;                 /* the capture's damage table */
} an_ctx_t;

/* The connection's uid and addresses as records name them. */
void an_conn_ident(const conn_t *c, conn_ident_t *out);
/* The responder was called name inside connection c (TLS SNI, HTTP Host).
 * The first name given is kept (copied) for the connection's record: its
 * name_hint, conn.ndjson's resp_name when DNS gave none. */
void an_name_hint(conn_t *c, const char *name);

#endif
