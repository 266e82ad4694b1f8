/*
 * carve.h — one file carved from a protocol's bytes (an FTP data channel,
 * a MIME part, TFTP blocks): hashed, typed by libmagic and kept as evidence
 * as it streams, the way the HTTP analyser carves bodies.
 *
 * Why apart from the HTTP body carver: HTTP bodies are decoded (gzip,
 * chunked) on their way, and their rows say more (encoded copies, ranges);
 * the files beyond HTTP arrive plain.  Both are typed the same way
 * (proto/filemagic.h: libmagic, answers cached by SHA-256) and keep
 * evidence through the same store (model/evidence.h) under the SHA-256 of
 * the bytes.
 *
 * A file with holes (gaps in the capture) is kept as the bytes that were
 * seen, in order, holes left out (as tshark exports it), under the SHA-256
 * of those bytes — never presented as the whole file: its row is truncated
 * ("gap"), with missing_bytes and the missing ranges at their offsets in the
 * file.  A file longer than --max-body is kept up to it ("max_body").
 *
 * Ownership: carve_begin() allocates (the evidence file, the digests, the
 * head kept for libmagic); carve_end() finishes and carve_free() releases,
 * both safe to call once each in that order.
 */
#ifndef PCAPCASE_CARVE_H
#define PCAPCASE_CARVE_H

#include "analysis/analyser.h"
#include "core/digest.h"
#include "proto/fileasm.h"
#include "proto/filemagic.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Missing ranges listed per file: a few holes say where the damage is; a
 * stream with thousands of holes is better described by missing_bytes
 * alone, and a row must stay a row. */
#define CARVE_MAX_RANGES 64

typedef struct carve {
    const an_ctx_t *ctx;
    evidence_file_t *ev; /* NULL: not kept (no case folder, --no-carve, a hole) */
    bool write_failed;
    digest_set_t hash;
    uint8_t *head; /* the first FILEMAGIC_BYTES, for libmagic */
    size_t nhead;
    uint64_t seen, missing;
    uint64_t kept_bytes;                   /* written (seen, up to --max-body) */
    file_range_t ranges[CARVE_MAX_RANGES]; /* missing, at file offsets */
    size_t nranges;
    uint64_t first_frame, last_frame;
    ts_ns_t first_ts, last_ts;
    const char *truncated_reason; /* static: "gap", "max_body"; NULL when whole */
    /* after carve_end */
    char md5[33], sha1[41], sha256[65]; /* of the bytes kept */
    filetype_t type;                    /* by libmagic: "" when it could not tell or is missing */
    bool kept;                          /* committed as artifacts/<sha256> */
} carve_t;

void carve_begin(carve_t *cv, const an_ctx_t *ctx);
void carve_data(carve_t *cv, const uint8_t *p, size_t n, uint64_t frame, ts_ns_t ts);
/* len bytes were never captured here: the file is partial. */
void carve_gap(carve_t *cv, uint64_t len);
/* Finish: digests, type, and the evidence kept. */
void carve_end(carve_t *cv);
void carve_free(carve_t *cv);

/* After carve_end, for a carve its caller knows to be a whole empty file
 * (an FTP transfer that completed without a byte, a TFTP file whose first
 * block was empty): libmagic's type of no bytes (application/x-empty,
 * "empty"), as `file` says of an empty file.  carve_end cannot tell: a
 * carve without bytes may as well be a transfer that never came. */
void carve_type_empty(carve_t *cv);

/* The files.ndjson record of a finished carve: digests, type, sizes, frames
 * and times; the caller adds conn, fuid, source, filename, is_orig.  The
 * record points into cv. */
void carve_record(const carve_t *cv, file_record_t *f);

/* A file id as Zeek's are made ('F' + 17 characters), from the uid of the
 * connection that carried it and the file's index in it (deterministic). */
void carve_fuid(const char *uid, uint64_t index, char out[UID_LEN]);

#endif
