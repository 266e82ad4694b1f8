/* run.c — analysing the captures of a case, each on --jobs workers
 * (analysis/workers.h). */
#include "pipeline/pipeline.h"

#include "core/xalloc.h"
#include "write/artwriter.h"
#include "write/evidence.h"
#include "case/intel_tap.h"
#include "write/record_spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct shared {
    const case_inputs_t *in;
    const case_opts_t *opts;
    capture_result_t *results;
    uint64_t total_bytes;
    uint64_t done_bytes; /* finished files */
    uint64_t inflight;   /* bytes of the file being read */
    struct timespec start;
    double last_print;
} shared_t;

/* Where one worker's records and evidence go. */
typedef struct worker_out {
    record_sink_t records;
    intel_tap_t tap; /* --intel: every record is looked at on its way */
    evidence_store_t evidence;
    evidence_dir_t dir;
} worker_out_t;

/* A worker's evidence store notes write failures in a damage table of its
 * own: a queued write reports its failure when the writer stops
 * (artwriter_stop), after the worker's part is merged.  They join their
 * capture's damage then. */
typedef struct late_damage {
    size_t capture;
    damage_t *d;
} late_damage_t;

typedef struct outputs {
    shared_t *s;
    size_t capture;
    worker_out_t *w; /* one per worker */
    late_damage_t *late;
    size_t nlate;
} outputs_t;

static double elapsed(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_progress(shared_t *s, bool final)
{
    uint64_t done = s->done_bytes + s->inflight;
    double t = elapsed(&s->start);
    if (!final && t - s->last_print < 0.25)
        return;
    s->last_print = t;
    double rate = t > 0 ? (double)done / t : 0;
    double eta = rate > 0 && s->total_bytes > done ? (double)(s->total_bytes - done) / rate : 0;
    fprintf(stderr, "\r%.1f / %.1f MB  %.1f MB/s  ETA %.0f s   ", (double)done / 1e6,
            (double)s->total_bytes / 1e6, rate / 1e6, eta);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    shared_t *s = ctx;
    (void)total;
    s->inflight = done;
    print_progress(s, false);
}

static void open_worker(void *ctx, unsigned w, capture_result_t *part,
                        const record_sink_t **records, const evidence_store_t **evidence)
{
    outputs_t *o = ctx;
    worker_out_t *wo = &o->w[w];
    const case_opts_t *opts = o->s->opts;
    /* rows spool in the case folder (a big case's logs may not fit the
     * temporary folder), evidence goes under it */
    record_spool_init(&wo->records, part, opts->out_dir);
    *records = &wo->records;
    if (opts->intel) {
        intel_tap_init(&wo->tap, &wo->records, opts->intel);
        *records = &wo->tap.sink;
    }
    o->late = xreallocarray(o->late, o->nlate + 1, sizeof *o->late);
    late_damage_t *l = &o->late[o->nlate++];
    l->capture = o->capture;
    l->d = xcalloc(1, sizeof *l->d);
    evidence_store_init(&wo->evidence, &wo->dir, opts->out_dir, l->d);
    *evidence = &wo->evidence;
}

void case_run_captures(const case_inputs_t *in, const case_opts_t *opts, capture_result_t *results)
{
    shared_t s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.opts = opts;
    s.results = results;
    unsigned jobs = opts->jobs < 1 ? 1 : (unsigned)opts->jobs;
    for (size_t i = 0; i < in->n; i++) {
        struct stat st;
        if (stat(in->paths[i], &st) == 0)
            s.total_bytes += (uint64_t)st.st_size;
    }
    clock_gettime(CLOCK_MONOTONIC, &s.start);
    artwriter_start();
    outputs_t o = {&s, 0, xcalloc(jobs, sizeof *o.w), NULL, 0};
    analysis_outputs_t outputs = {&o, open_worker};
    logpack_t *pack = in->n > 1 ? logpack_new(opts->out_dir) : NULL;
    /* one capture after another, each on every worker */
    for (size_t i = 0; i < in->n; i++) {
        analysis_opts_t ao = opts->analysis;
        ao.jobs = jobs;
        ao.chart_uids = opts->chart_uids, ao.n_chart_uids = opts->n_chart_uids;
        if (opts->progress) {
            ao.progress = on_progress;
            ao.progress_ctx = &s;
        }
        o.capture = i;
        analysis_run(in->paths[i], &ao, &outputs, &results[i]);
        /* its rows into the case's pack: a case of many captures does not
         * hold captures x log kinds x workers files open (logstore.h) */
        for (int k = 0; pack && k < LOG_SPOOLED_COUNT; k++)
            logstore_pack(&results[i].logs[k], pack);
        s.inflight = 0;
        s.done_bytes += results[i].size;
    }
    logpack_release(pack); /* the packed stores hold it until they are freed */
    artwriter_stop();      /* every carved file is on disk before the case reads them */
    for (size_t i = 0; i < o.nlate; i++) {
        damage_merge(&results[o.late[i].capture].damage, o.late[i].d);
        damage_free(o.late[i].d);
        free(o.late[i].d);
    }
    for (size_t i = 0; i < in->n; i++)
        damage_sort(&results[i].damage);
    if (opts->progress)
        print_progress(&s, true);
    free(o.late);
    free(o.w);
}
