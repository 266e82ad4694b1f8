/*
 * keylogs.h — the TLS key logs of a case (analyze --keylog FILE).
 *
 * A key log is evidence like a capture: each one given with --keylog is
 * copied into CASE/keylogs/<sha256>.keys (content-addressed, so giving the
 * same file again changes nothing), and every key log kept there is read on
 * every run, so re-running analyze on the case — with or without --keylog —
 * decrypts what the first run did.  Their SHA-256 go to case.json and the
 * report's method section.
 *
 * Files are read in chunks cut at line ends (a key log can hold millions of
 * sessions); bad lines are counted per file and the first ones are printed
 * as "FILE:LINE: reason" — they never stop the run.  A --keylog file that
 * cannot be read is an error (exit status 3, one line naming it).
 */
#ifndef PCAPCASE_KEYLOGS_H
#define PCAPCASE_KEYLOGS_H

#include "case/case.h"
#include "proto/keylog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes read at a time. */
#define KEYLOGS_CHUNK (4u << 20)

typedef struct case_keylogs {
    case_keylog_t *files; /* in the order read: given ones, then kept ones by name */
    size_t n;
    keylog_t *keys; /* all of them together; NULL when there is none */
} case_keylogs_t;

/* Read the key logs given (paths, npaths) and those kept in
 * case_dir/keylogs/, and keep the given ones there (case_dir may be NULL:
 * nothing kept).  Bad lines are reported on warn (may be NULL).  Returns 0,
 * or 3 with a one-line reason in err when a given file cannot be read or
 * kept.  *out is filled either way; free with case_keylogs_free(). */
int case_keylogs_load(case_keylogs_t *out, const char *case_dir, char *const *paths, size_t npaths,
                      FILE *warn, char *err, size_t errlen);
void case_keylogs_free(case_keylogs_t *k);

#endif
