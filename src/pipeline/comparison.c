/* comparison.c — the comparison pipeline; see comparison.h. */
#include "comparison.h"

#include "core/fsutil.h"
#include "core/xalloc.h"
#include "report/report.h"
#include "write/compare_writers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writers the engine feeds while it runs. */
typedef struct outputs {
    compare_flows_log_t *flows;
    compare_unmatched_log_t *unmatched;
    compare_charts_t *charts;
} outputs_t;

static int on_flow(void *ctx, const compare_result_t *r, compare_flow_t *f)
{
    (void)r;
    outputs_t *out = ctx;
    return compare_flows_add(out->flows, f);
}

static int on_unmatched(void *ctx, const compare_result_t *r, const compare_unmatched_t *u)
{
    outputs_t *out = ctx;
    compare_charts_unmatched(out->charts, r, u);
    return compare_unmatched_add(out->unmatched, r, u);
}

static void on_delay(void *ctx, const compare_result_t *r, const compare_delay_t *d)
{
    outputs_t *out = ctx;
    compare_charts_delay(out->charts, r, d);
}

static void outputs_free(outputs_t *out)
{
    compare_flows_free(out->flows);
    compare_unmatched_free(out->unmatched);
    compare_charts_free(out->charts);
}

static void report_damage(const compare_result_t *r)
{
    for (int s = 0; s < 2; s++)
        if (r->pt[s].damaged)
            fprintf(stderr, "pcapcase: %s: damaged input: %s\n", r->pt[s].path,
                    r->pt[s].damage_reason);
}

/* A write failed: the first failure recorded (core/fsutil.h) in one line,
 * with the state the output folder is in; the exit status. */
static int write_failed(const char *state)
{
    char msg[1024];
    if (!fs_first_failure(msg, sizeof msg))
        snprintf(msg, sizeof msg, "cannot write the comparison");
    fprintf(stderr, "pcapcase: %s (%s)\n", msg, state);
    return COMPARISON_WRITE_FAILED;
}

static const char incomplete_note[] =
    "pcapcase was interrupted or failed while writing this comparison;\n"
    "the files here may mix an earlier result with a partial one.\n"
    "Run the same pcapcase compare command again.\n";

/* The files of the folder, which is marked INCOMPLETE until they are all
 * written; the exit status for a failure, 0 when all went well. */
static int write_outputs(const char *dir, compare_result_t *r, outputs_t *out,
                         const compare_about_t *ab)
{
    char *logs = xasprintf("%s/logs", dir);
    int rc = mkdir_p(logs, 0755);
    free(logs);
    if (compare_flows_spool_failed(out->flows) || compare_unmatched_spool_failed(out->unmatched) ||
        rc != 0)
        return write_failed("nothing written");
    if (fs_mark_incomplete(dir, incomplete_note) != 0)
        return write_failed("the folder was not changed");
    rc = compare_json_write(dir, r, ab);
    if (rc == 0)
        rc = compare_flows_commit(out->flows, dir);
    if (rc == 0)
        rc = compare_unmatched_commit(out->unmatched, dir);
    if (rc == 0)
        rc = compare_charts_write(out->charts, dir, r, ab);
    return rc == 0 ? 0 : write_failed("folder marked INCOMPLETE");
}

int comparison_run(const char *a, const char *b, const comparison_opts_t *o)
{
    compare_about_t ab = {{o->label_a, o->label_b}, o->argv, o->argc};
    outputs_t out = {compare_flows_open(), compare_unmatched_open(&ab), compare_charts_new()};
    if (!out.flows || !out.unmatched) {
        fs_note_failure(P_tmpdir, "create a temporary file in", errno);
        outputs_free(&out);
        return write_failed("nothing written");
    }
    phases_t ph = {0};
    phase(&ph, NULL);
    compare_sink_t sink = {&out, on_flow, on_unmatched, on_delay};
    compare_result_t r;
    char err[512];
    int status = compare_captures(a, b, &o->engine, &sink, &r, &ph, err, sizeof err);
    if (status == 3) {
        fprintf(stderr, "pcapcase: %s\n", err);
        compare_result_free(&r);
        outputs_free(&out);
        return 3;
    }
    report_damage(&r);
    if (r.match.given_up_early)
        fprintf(stderr,
                "pcapcase: warning: %llu packets were given up before the matching window "
                "passed (more than %u waiting at one point); they may be counted lost\n",
                (unsigned long long)r.match.given_up_early, COMPARE_MAX_PENDING);
    if (status < 0) { /* a row could not be spooled */
        if (!compare_flows_spool_failed(out.flows) &&
            !compare_unmatched_spool_failed(out.unmatched))
            fs_note_failure(P_tmpdir, "write a temporary file in", errno ? errno : EIO);
        status = write_failed("nothing written");
    } else {
        int wrc = write_outputs(o->out_dir, &r, &out, &ab);
        if (wrc != 0)
            status = wrc;
    }
    phase(&ph, "outputs");
    if (status != COMPARISON_WRITE_FAILED &&
        (report_compare_html_write(o->out_dir, err, sizeof err) != 0 ||
         report_compare_xlsx_write(o->out_dir, err, sizeof err) != 0)) {
        fs_note_failure(o->out_dir, "write the reports in", EIO); /* unless one was noted */
        status = write_failed("folder marked INCOMPLETE");
    }
    if (status != COMPARISON_WRITE_FAILED)
        fs_mark_complete(o->out_dir);
    phase(&ph, "reports");
    phases_print(&ph);
    compare_result_free(&r);
    outputs_free(&out);
    return status;
}
