/*
 * evidence.h — the case folder's evidence store (model/evidence.h):
 * CASE/artifacts/<sha256> for carved bodies, CASE/certs/<sha256>.der for
 * certificates, content-addressed and written once.
 *
 * A body is kept in memory up to EVIDENCE_MEM_MAX and, when committed, handed
 * to the writer thread (artwriter.h), which skips objects already there:
 * most bodies in real traffic repeat (logos, scripts), and creating then
 * deleting a file per body made the file system, not the analysis, the
 * bottleneck.  A larger body spills to a temporary file in artifacts/ as it
 * arrives and is renamed to its SHA-256 (or dropped when that object exists).
 * docs/performance.md has the measurements behind each choice.
 */
#ifndef PCAPCASE_WRITE_EVIDENCE_H
#define PCAPCASE_WRITE_EVIDENCE_H

#include "core/damage.h"
#include "model/evidence.h"

/* Bodies up to this size stay in memory until committed. */
#define EVIDENCE_MEM_MAX (1u << 20)

typedef struct evidence_dir {
    const char *case_dir;
    damage_t *damage; /* where write failures are noted */
    uint64_t id;      /* this store's, unique in the process (evidence.c's hand-overs) */
} evidence_dir_t;

/* Fill *store to keep evidence under case_dir (whose artifacts/ and certs/
 * folders exist), noting failures in damage.  d holds the state and must
 * outlive the store's use. */
void evidence_store_init(evidence_store_t *store, evidence_dir_t *d, const char *case_dir,
                         damage_t *damage);

#endif
