/*
 * pipeline.h — running a case: captures in, case folder out.
 *
 * case_analyze() expands folders, analyses every capture (on --jobs
 * threads), orders the results canonically (by SHA-256, then name) so that
 * the order of the arguments never changes the output, merges them (hosts,
 * names, findings) and writes the case folder: logs, case.json, then the
 * charts and reports from what was written.
 *
 * Re-running on an existing case folder adds the captures listed in its
 * case.json to the new ones, so the result equals one run over all of them.
 */
#ifndef PCAPCASE_PIPELINE_H
#define PCAPCASE_PIPELINE_H

#include "case/case.h"

#include <stddef.h>

/* File names, each once, in the order added. */
typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list_t;

typedef struct case_inputs {
    char **paths; /* captures */
    size_t n, cap;
    path_list_t intel; /* --intel files: the existing case's, then the new ones */
    path_list_t mmdb;  /* --mmdb files, the same way */
    /* what a folder held that is not analysed: files that are not
     * captures, case folders (a case's own artifacts are not evidence) */
    size_t not_captures, case_folders;
} case_inputs_t;

/* Add path to l unless it is there: as an absolute path when the file
 * exists (case.json lists it so, as it does captures). */
void path_list_add(path_list_t *l, const char *path);
void path_list_free(path_list_t *l);

/* Add a path: a file, or every capture file in a folder and its subfolders
 * (sorted by name at each level; hidden entries, symbolic links to folders
 * and pcapcase case folders are not entered).  A capture file is one named
 * as one (.pcap, .pcapng, .cap, .dmp, .trace, .gz) or whose first bytes are
 * a pcap or pcapng header, or gzip around one (tcpdump -C's rotated
 * capture.pcap1, capture.pcap2...); the others are counted in
 * not_captures.  Returns 0, or -1 with a one-line reason
 * in err when the path does not exist or cannot be listed. */
int case_inputs_add(case_inputs_t *in, const char *path, char *err, size_t errlen);
/* Add the evidence paths, --intel and --mmdb files listed in an existing
 * CASE/case.json (if any).  Captures that are gone are skipped; intel and
 * MMDB files are added anyway, so that their absence is reported. */
void case_inputs_add_previous(case_inputs_t *in, const char *case_dir);
void case_inputs_free(case_inputs_t *in);

/* Load the case's --intel and --mmdb files (in->intel, in->mmdb) into
 * o->intel and o->geoip (left NULL when there are none), saying on stderr
 * what could not be read.  Returns how many files could not be used. */
size_t case_enrich_load(const case_inputs_t *in, case_opts_t *o);
void case_enrich_free(case_opts_t *o);

/* What case_analyze returns: the process exit status (docs/cli.md). */
enum case_status {
    CASE_DONE = 0,
    CASE_DAMAGED = 1,      /* done, some input damaged (stderr says which) */
    CASE_NO_INPUT = 3,     /* no usable capture */
    CASE_WRITE_FAILED = 4, /* the case folder could not be written (stderr says
                              where and why); it is as before the run, or
                              marked INCOMPLETE */
    CASE_INTERRUPTED = 130 /* SIGINT/SIGTERM while reading captures: nothing
                              under the case but artifacts/ and certs/ was
                              touched, and it is marked INCOMPLETE; the caller
                              says so */
};

/* Analyse and write the case; returns an enum case_status. */
int case_analyze(const case_inputs_t *in, const case_opts_t *opts);

/* `pcapcase merge`: the partial cases in the folders partials[0 .. n-1]
 * (made by `analyze --shard K/N`: o->analysis.shard_n set) into the case o->out_dir,
 * byte-identical in its logs to one analysis of the same captures with the
 * same options (which the partials carry).  Partials that are not shards
 * 0..N-1 of one N, each once, of the same captures and options are refused
 * with one line on stderr, before the case is touched (CASE_NO_INPUT).
 * Returns an enum case_status. */
int case_merge(char *const *partials, size_t n, const case_opts_t *o);

/* Run analysis over inputs with opts->jobs threads; results[] has in->n
 * entries.  Used by case_analyze and carve. */
void case_run_captures(const case_inputs_t *in, const case_opts_t *opts, capture_result_t *results);

#endif
