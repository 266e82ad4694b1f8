/*
 * compare_writers.h — the files of a comparison folder, from what the
 * engine found (compare/compare.h):
 *
 *   compare.json            the summary: captures, clock offset, matching,
 *                           figures per direction, connections, hosts
 *   logs/flows.ndjson       one row per connection, in the order they ended
 *   logs/unmatched.ndjson   every packet seen at one point only
 *   charts/                 one-way delay, clock offset over time, losses,
 *                           receive window at both points (PNG and PDF)
 *
 * The logs and the charts are fed while the engine runs (the rows of the
 * logs are spooled to temporary files, the charts keep a bounded sample), so
 * memory does not grow with the captures; each file is written atomically
 * when its commit function runs.  Every function returns 0, or -1 with
 * errno set (a file could not be written).
 */
#ifndef PCAPCASE_COMPARE_WRITERS_H
#define PCAPCASE_COMPARE_WRITERS_H

#include "compare/compare.h"
#include "core/jsonw.h"

#include <stdbool.h>

/* What the engine does not know: how the user named the points, and the
 * command line (for compare.json). */
typedef struct compare_about {
    const char *label[2];
    char **argv;
    int argc;
} compare_about_t;

/* Clock offsets for people: lo and hi (seconds) in one unit — s, ms or µs,
 * by the larger magnitude — with the decimals their difference needs:
 * "2.372–2.500 s", "2.499996–2.500005 s", "1.0 µs"; hi = NAN writes lo
 * alone (with decimals for a difference of `width`). */
char *compare_offset_text(char *out, size_t len, double lo, double hi, double width);

/* DIR/compare.json.  r is not const: the delay quantiles sort its delays. */
int compare_json_write(const char *dir, compare_result_t *r, const compare_about_t *ab);
/* The figures of one direction as the object `key` (compare.json and the
 * rows of flows.ndjson).  d is not const: its quantiles sort its delays. */
void compare_dir_json(jsonw_t *w, const char *key, compare_dir_t *d);

/* DIR/logs/flows.ndjson */
typedef struct compare_flows_log compare_flows_log_t;
compare_flows_log_t *compare_flows_open(void); /* NULL: no temporary file (errno) */
int compare_flows_add(compare_flows_log_t *l, compare_flow_t *f);
int compare_flows_commit(compare_flows_log_t *l, const char *dir);
/* Did writing the temporary spool fail?  The failure is then recorded
 * (core/fsutil.h: fs_note_failure). */
bool compare_flows_spool_failed(compare_flows_log_t *l);
void compare_flows_free(compare_flows_log_t *l);

/* DIR/logs/unmatched.ndjson: the packets of both points merged in time
 * order (each point's own clock), A first on a tie. */
typedef struct compare_unmatched_log compare_unmatched_log_t;
compare_unmatched_log_t *compare_unmatched_open(const compare_about_t *ab);
int compare_unmatched_add(compare_unmatched_log_t *l, const compare_result_t *r,
                          const compare_unmatched_t *u);
int compare_unmatched_commit(compare_unmatched_log_t *l, const char *dir);
bool compare_unmatched_spool_failed(compare_unmatched_log_t *l); /* as flows' */
void compare_unmatched_free(compare_unmatched_log_t *l);

/* DIR/charts/ */
typedef struct compare_charts compare_charts_t;
compare_charts_t *compare_charts_new(void);
/* Every matched delay and every unmatched packet, as the engine finds them
 * (the time span and clock offset of r are known by then). */
void compare_charts_delay(compare_charts_t *c, const compare_result_t *r, const compare_delay_t *d);
void compare_charts_unmatched(compare_charts_t *c, const compare_result_t *r,
                              const compare_unmatched_t *u);
int compare_charts_write(compare_charts_t *c, const char *dir, const compare_result_t *r,
                         const compare_about_t *ab);
void compare_charts_free(compare_charts_t *c);

#endif
