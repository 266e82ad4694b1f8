/*
 * case.h — the settings of one case (what `pcapcase analyze` was asked to
 * do), read by the analysis, the correlation and the writers.  Running a case
 * is pipeline/pipeline.h.
 */
#ifndef PCAPCASE_CASE_H
#define PCAPCASE_CASE_H

#include "analysis/analysis.h"
#include "case/findings.h"
#include "case/geoip.h"
#include "case/intel.h"
#include "case/merged.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One TLS key log of the case (--keylog, or kept in CASE/keylogs/ by an
 * earlier run): what case.json and the report say of it. */
typedef struct case_keylog {
    char *name; /* the path given, or keylogs/<sha256>.keys for a kept one */
    char sha256[65];
    uint64_t bytes, lines, secrets, bad; /* what this file added to the key log */
} case_keylog_t;

typedef struct case_opts {
    const char *out_dir;
    const char *name;
    const char *tz;    /* "UTC", "local" or "+HH:MM" */
    int tz_offset_sec; /* resolved offset for charts and the workbook */
    int jobs;
    bool quiet;
    bool progress;           /* show progress on stderr */
    bool carve_only;         /* `pcapcase carve`: files only, no report */
    bool show_secrets;       /* --show-secrets: report.html shows logins' secrets */
    const char **chart_uids; /* --uid: connections that get TCP charts too */
    size_t n_chart_uids;
    char **argv; /* the command line, for case.json */
    int argc;
    char **keylog_paths; /* --keylog, in the order given */
    size_t n_keylog_paths;
    const case_keylog_t *keylogs; /* every key log read (given and kept); set by the pipeline */
    size_t nkeylogs;
    analysis_opts_t analysis;
    findings_thresholds_t thresholds; /* --threshold; findings_defaults otherwise */
    /* --intel and --mmdb files, loaded by the pipeline (pipeline/enrich.c);
     * NULL when the case has none.  Both list every file, also one that
     * could not be used (with why). */
    intel_set_t *intel;
    geoip_t *geoip;
} case_opts_t;

#endif
