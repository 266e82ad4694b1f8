/*
 * merged.h — the merged case: every capture's results plus what connects them.
 *
 * Built by case_analyze() once all captures are analysed; the writers
 * (logs, case.json, charts, reports: write/ and report/) read it and nothing
 * else.
 */
#ifndef PCAPCASE_MERGED_H
#define PCAPCASE_MERGED_H

#include "model/model.h"

#include <stddef.h>

struct case_opts;
struct names;
struct hosts;
struct findings;

enum table_kind {
    TABLE_CONN,
    TABLE_DNS,
    TABLE_HTTP,
    TABLE_FILES,
    TABLE_SSL,
    TABLE_X509,
    TABLE_HOSTS,
    TABLE_FINDINGS,
    TABLE_INTEL, /* only with --intel */
    TABLE_FTP,   /* the logs from here on are written only when they have rows */
    TABLE_SMTP,
    TABLE_SMB_FILES,
    TABLE_CREDENTIALS,
    TABLE_COUNT
};

typedef struct case_s {
    const struct case_opts *opts;
    capture_result_t **r; /* usable captures in canonical order (rank = index) */
    size_t n;
    size_t damaged, unusable;
    struct names *names;
    struct hosts *hosts;
    struct findings *findings;
    long long rows[TABLE_COUNT]; /* rows written per log (write/logs.h); -1: not written */
} case_t;

/* Correlate across captures: hosts, findings (fills k->hosts, k->findings). */
void case_model_finish(case_t *k);
void case_free(case_t *k);

#endif
