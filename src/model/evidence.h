/*
 * evidence.h — where carved bodies and certificates go, as seen by the
 * analysis.
 *
 * The HTTP analyser streams each decoded body into an evidence file and, once
 * the body is complete and its SHA-256 known, commits it under that name (or
 * aborts it); the TLS analyser saves each certificate's DER.  How that
 * happens — bodies kept in memory up to a size and then spilled to a
 * temporary file, in-memory bodies written by a writer thread, objects
 * already in the case not written again — is the implementation's business
 * (write/evidence.c, see docs/performance.md for why each exists).  The
 * analysis includes nothing of write/.
 *
 * Failures are the implementation's to record: a body or certificate that
 * cannot be written is noted in the capture's damage table
 * ("limit.artifact_write_failed", "limit.cert_write_failed") with the frame
 * given, possibly later (a queued write fails on the writer thread).
 */
#ifndef PCAPCASE_EVIDENCE_H
#define PCAPCASE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct evidence_file evidence_file_t;

typedef struct evidence_store {
    void *ctx; /* the implementation's state */
    /* Start a carved object.  Never NULL. */
    evidence_file_t *(*open)(void *ctx);
    /* Append n bytes.  False once the object can no longer be written (the
     * bytes are then dropped and commit will fail). */
    bool (*write)(evidence_file_t *f, const void *p, size_t n);
    /* Keep the object as the evidence named sha256 (hex; "<hex>.partial"
     * for a body that is not the whole file) unless it is there already,
     * and release f.  False when it could not be kept (noted at
     * frame); a write queued for later reports its failure in the damage
     * table only. */
    bool (*commit)(evidence_file_t *f, const char *sha256, uint64_t frame);
    /* Drop the object and release f. */
    void (*abort)(evidence_file_t *f);
    /* Keep a certificate's DER as the evidence named sha256 unless it is
     * there already (a failure is noted at frame). */
    void (*save_certificate)(void *ctx, const char *sha256, const uint8_t *der, size_t len,
                             uint64_t frame);
    /* An unnamed read-write temporary file beside the evidence, gone when
     * closed: for putting together a file whose pieces come at offsets and
     * that is too big to hold in memory (an SMB file past
     * FILEASM_BUFFER_MAX).  Its descriptor, or -1 (the caller notes it). */
    int (*scratch)(void *ctx);
} evidence_store_t;

#endif
