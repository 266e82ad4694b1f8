/*
 * comparison.h — running a comparison: two captures in, a comparison folder
 * out (compare.json, logs/flows.ndjson, logs/unmatched.ndjson, charts/,
 * report.html, report.xlsx).
 *
 * The engine (compare/compare.h) hands its records to the writers
 * (write/compare_writers.h) as it finds them; then the summary and the
 * charts are written, and the reports are rendered from the folder.
 */
#ifndef PCAPCASE_COMPARISON_H
#define PCAPCASE_COMPARISON_H

#include "compare/compare.h"

typedef struct comparison_opts {
    const char *out_dir;
    const char *label_a, *label_b;
    compare_opts_t engine;
    char **argv; /* the command line, for compare.json */
    int argc;
} comparison_opts_t;

/* Exit status when out_dir could not be written (it is then as before the
 * run, or marked INCOMPLETE). */
#define COMPARISON_WRITE_FAILED 4

/* Compare captures a and b and write out_dir.  Returns the exit status per
 * docs/cli.md (0, 1 damaged input, 3 unusable input,
 * COMPARISON_WRITE_FAILED); errors and warnings go to stderr as one line
 * each, naming the file and the reason. */
int comparison_run(const char *a, const char *b, const comparison_opts_t *o);

#endif
