/*
 * manifest.h — the case's evidence manifest, and checking a case against it.
 *
 * Evidence must not be lost or altered unnoticed: `analyze` writes
 * CASE/manifest.txt, one line per capture it read and per file under
 * artifacts/ and certs/, "SHA256  SIZE  PATH" (captures by absolute path,
 * case files relative to the case folder), sorted, after a "#" comment
 * line.  `pcapcase verify CASE` re-hashes each of them.
 */
#ifndef PCAPCASE_MANIFEST_H
#define PCAPCASE_MANIFEST_H

#include "case/merged.h"

#include <stdio.h>

#define MANIFEST_NAME "manifest.txt"

/* Write CASE/manifest.txt for the case k (its artifacts are on disk).
 * 0, or -1 with "PATH: reason" in err. */
int manifest_write(const case_t *k, char *err, size_t errlen);

/* What verifying a case found. */
typedef struct manifest_check {
    size_t checked;     /* entries re-hashed and found as recorded */
    size_t changed;     /* content or size differs */
    size_t missing;     /* a case file listed but gone */
    size_t unlisted;    /* a file under artifacts/ or certs/ not in the manifest */
    size_t not_present; /* captures no longer at their recorded path (not checked) */
} manifest_check_t;

/* Re-hash every entry of case_dir's manifest, printing one line per
 * problem to out ("CHANGED", "MISSING", "UNLISTED", "NOT CHECKED").
 * 0, or -1 with the reason in err when the manifest cannot be read. */
int manifest_verify(const char *case_dir, FILE *out, manifest_check_t *res, char *err,
                    size_t errlen);

#endif
