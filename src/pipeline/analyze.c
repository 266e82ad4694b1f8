/* analyze.c — analyse, merge and write a case; see pipeline.h. */
#include "pipeline/pipeline.h"
#include "pipeline/finish.h"

#include "case/names.h"
#include "core/interrupt.h"
#include "core/phases.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "write/case_charts.h"
#include "write/manifest.h"
#include "write/case_json.h"
#include "core/fsutil.h"
#include "pipeline/keylogs.h"
#include "write/logs.h"
#include "write/ranges.h"
#include "report/report.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

static int cmp_result(const void *a, const void *b)
{
    const capture_result_t *x = *(capture_result_t *const *)a, *y = *(capture_result_t *const *)b;
    int c = strcmp(x->sha256_hex, y->sha256_hex);
    return c ? c : strcmp(x->name, y->name);
}

/* Keep usable captures, drop byte-identical duplicates, sort canonically. */
static void select_results(case_t *k, capture_result_t *all, size_t n, bool quiet)
{
    k->r = xcalloc(n ? n : 1, sizeof *k->r);
    for (size_t i = 0; i < n; i++) {
        if (all[i].unusable) {
            fprintf(stderr, "pcapcase: %s: %s\n", all[i].path, all[i].error);
            k->unusable++;
            continue;
        }
        k->r[k->n++] = &all[i];
    }
    xqsort(k->r, k->n, sizeof *k->r, cmp_result);
    size_t w = 0;
    for (size_t i = 0; i < k->n; i++) {
        if (w > 0 && strcmp(k->r[w - 1]->sha256_hex, k->r[i]->sha256_hex) == 0) {
            if (!quiet)
                fprintf(stderr, "pcapcase: %s: same content as %s, counted once\n", k->r[i]->path,
                        k->r[w - 1]->path);
            continue;
        }
        k->r[w++] = k->r[i];
    }
    k->n = w;
    for (size_t i = 0; i < k->n; i++) {
        capture_result_t *r = k->r[i];
        for (size_t c = 0; c < r->nconns; c++)
            capture_conn(r, c)->capture = (uint32_t)i;
        for (size_t j = 0; j < r->ndns; j++)
            r->dns[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->ntls; j++)
            r->tls[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->nranges; j++)
            r->ranges[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->ncreds; j++)
            r->creds[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->nmimes; j++)
            r->mimes[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->ncerts; j++)
            r->certs[j].capture = (uint32_t)i;
        for (size_t j = 0; j < r->nintel; j++)
            r->intel[j].capture = (uint32_t)i;
        if (k->r[i]->damaged) {
            k->damaged++;
            fprintf(stderr, "pcapcase: %s: damaged input: %llu problem(s), first: %s\n",
                    k->r[i]->path, (unsigned long long)damage_total(&k->r[i]->damage),
                    k->r[i]->damage.n ? k->r[i]->damage.v[0].reason : "unreadable tail");
        }
    }
}

/* The workbook on a thread of its own, started as soon as the logs are
 * written: its sheets of the logs (nearly all of its work: every row, then
 * zip compression) go on while the charts, case.json and report.html are
 * made here; it then waits for go to add the summary and charts. */
typedef struct xlsx_job {
    const char *dir;
    int tz;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int go; /* 0 not yet; 1 the charts and case.json are written: finish; -1 give up */
    char err[512];
    int rc;
} xlsx_job_t;

static void *xlsx_thread(void *arg)
{
    xlsx_job_t *j = arg;
    report_xlsx_t *x = NULL;
    j->rc = report_xlsx_begin(j->dir, j->tz, &x, j->err, sizeof j->err);
    pthread_mutex_lock(&j->mu);
    while (!j->go)
        pthread_cond_wait(&j->cv, &j->mu);
    int go = j->go;
    pthread_mutex_unlock(&j->mu);
    if (j->rc == 0 && go > 0)
        j->rc = report_xlsx_finish(x, j->err, sizeof j->err);
    else
        report_xlsx_abandon(x);
    return NULL;
}

static void xlsx_go(xlsx_job_t *j, int go)
{
    pthread_mutex_lock(&j->mu);
    j->go = go;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* report.html, then report.xlsx unless its thread writes it. */
static int write_reports(const case_opts_t *o, bool xlsx_threaded, char *err, size_t errlen)
{
    int rc = report_html_write(o->out_dir, err, errlen);
    if (rc == 0 && !xlsx_threaded)
        rc = report_xlsx_write(o->out_dir, err, errlen);
    return rc;
}

/* A write failed: say where and why in one line (the first failure
 * recorded, else what the writer said), and what state the case is in. */
int case_write_failed(const char *writer_err, const char *state)
{
    char msg[1024];
    if (!fs_first_failure(msg, sizeof msg))
        snprintf(msg, sizeof msg, "%s", writer_err);
    fprintf(stderr, "pcapcase: %s (%s)\n", msg, state);
    return CASE_WRITE_FAILED;
}

/* case_charts_meanwhile_fn: case.json and the manifest, while the TCP
 * charts are drawn. */
static int json_and_manifest(void *ctx, char *err, size_t errlen)
{
    case_t *k = ctx;
    int rc = case_json_write(k, err, errlen);
    return rc == 0 ? manifest_write(k, err, errlen) : rc;
}

static void free_results(capture_result_t *all, size_t n)
{
    for (size_t i = 0; i < n; i++)
        capture_result_free(&all[i]);
    free(all);
}

/* Everything after the analysis: logs, charts, case.json, reports (the
 * workbook from the logs on, with more than one job).  0, or -1 with a
 * reason in err. */
static int write_case(case_t *k, const case_opts_t *o, phases_t *ph, char *err, size_t errlen)
{
    if (fs_first_failure(err, errlen)) /* assembling 206 parts wrote artifacts */
        return -1;
    int rc = case_logs_write(k, err, errlen);
    phase(ph, "logs");
    xlsx_job_t j = {.dir = o->out_dir,
                    .tz = o->tz_offset_sec,
                    .mu = PTHREAD_MUTEX_INITIALIZER,
                    .cv = PTHREAD_COND_INITIALIZER};
    pthread_t t;
    bool threaded =
        rc == 0 && !o->carve_only && o->jobs > 1 && pthread_create(&t, NULL, xlsx_thread, &j) == 0;
    bool charted = rc == 0 && !o->carve_only;
    if (charted && case_charts_write(k, json_and_manifest, k, err, errlen) < 0)
        rc = -1;
    phase(ph, "charts");
    if (rc == 0 && !charted)
        rc = json_and_manifest(k, err, errlen);
    if (threaded)
        xlsx_go(&j, rc == 0 ? 1 : -1);
    if (rc == 0 && !o->carve_only)
        rc = write_reports(o, threaded, err, errlen);
    if (threaded) {
        pthread_join(t, NULL);
        if (rc == 0 && j.rc != 0) {
            snprintf(err, errlen, "%s", j.err);
            rc = j.rc;
        }
    }
    phase(ph, "reports");
    /* a writer that went on after a failed write still leaves it recorded */
    if (rc == 0 && fs_first_failure(err, errlen))
        rc = -1;
    return rc;
}

int case_prepare_dir(const case_opts_t *o)
{
    char *artifacts = xasprintf("%s/artifacts", o->out_dir);
    char *certs = xasprintf("%s/certs", o->out_dir);
    bool made = mkdir_p(o->out_dir, 0755) == 0 && mkdir_p(artifacts, 0755) == 0 &&
                mkdir_p(certs, 0755) == 0;
    free(artifacts), free(certs);
    if (!made)
        return case_write_failed("", "nothing written");
    /* Marks the folder as not complete until everything below is written; an
     * interrupted or failed run leaves it, a finished one removes it. */
    static const char note[] = "pcapcase was interrupted or failed while writing this case;\n"
                               "the files here may mix an earlier result with a partial one.\n"
                               "Run the same pcapcase command again.\n";
    if (fs_mark_incomplete(o->out_dir, note) != 0)
        return case_write_failed("", "the case was not changed");
    return CASE_DONE;
}

int case_finish(const case_opts_t *o, capture_result_t *all, size_t n, phases_t *ph)
{
    char err[1024] = "";
    case_t k;
    memset(&k, 0, sizeof k);
    k.opts = o;
    select_results(&k, all, n, o->quiet);
    int status;
    if (k.n == 0) {
        fprintf(stderr, "pcapcase: no usable capture among the %zu input(s)\n", n);
        status = CASE_NO_INPUT;
    } else {
        k.names = names_build(k.r, k.n);
        case_model_finish(&k);
        ranges_assemble(&k);
        phase(ph, "merge");
        int rc = write_case(&k, o, ph, err, sizeof err);
        phases_print(ph);
        if (rc != 0) {
            status = case_write_failed(err, "case marked INCOMPLETE");
        } else {
            status = (k.damaged || k.unusable) ? CASE_DAMAGED : CASE_DONE;
            fs_mark_complete(o->out_dir);
        }
    }
    case_free(&k);
    return status;
}

/* case_analyze with o's --intel and --mmdb files loaded. */
static int analyze_loaded(const case_inputs_t *in, const case_opts_t *o)
{
    phases_t ph = {0};
    phase(&ph, NULL);
    int status = case_prepare_dir(o);
    if (status != CASE_DONE)
        return status;
    interrupt_install();
    capture_result_t *all = xcalloc(in->n ? in->n : 1, sizeof *all);
    case_run_captures(in, o, all);
    phase(&ph, "analysis");
    if (interrupted()) {
        free_results(all, in->n);
        return CASE_INTERRUPTED;
    }
    char err[1024] = "";
    /* artifacts, certificates or log spools that could not be written: stop
     * before the logs, which would point at them */
    if (fs_first_failure(err, sizeof err)) {
        free_results(all, in->n);
        return case_write_failed(err, "logs and reports not updated; case marked INCOMPLETE");
    }
    if (o->analysis.shard_n > 0)
        status = case_partial_write(in, o, all);
    else
        status = case_finish(o, all, in->n, &ph);
    free_results(all, in->n);
    return status;
}

/* The key logs first (given ones are kept in CASE/keylogs/ like evidence;
 * kept ones are read again), then the --intel and --mmdb files, then the
 * case with all of them. */
int case_analyze(const case_inputs_t *in, const case_opts_t *given)
{
    case_keylogs_t keys;
    char err[1024] = "";
    const char *dir = given->carve_only ? NULL : given->out_dir;
    if (case_keylogs_load(&keys, dir, given->keylog_paths, given->n_keylog_paths, stderr, err,
                          sizeof err) != 0) {
        fprintf(stderr, "pcapcase: %s\n", err);
        case_keylogs_free(&keys);
        return CASE_NO_INPUT;
    }
    case_opts_t opts = *given;
    opts.analysis.keys = keys.keys;
    opts.keylogs = keys.files;
    opts.nkeylogs = keys.n;
    size_t unusable_files = case_enrich_load(in, &opts);
    int status = analyze_loaded(in, &opts);
    case_enrich_free(&opts);
    case_keylogs_free(&keys);
    /* an --intel or --mmdb file that could not be used is damaged input */
    return status == CASE_DONE && unusable_files ? CASE_DAMAGED : status;
}
