/* run.c — analysing the captures of a case on --jobs threads. */
#include "pipeline/pipeline.h"

#include "core/xalloc.h"
#include "write/artwriter.h"
#include "write/evidence.h"
#include "case/intel_tap.h"
#include "write/record_spool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct shared {
    const case_inputs_t *in;
    const case_opts_t *opts;
    capture_result_t *results;
    pthread_mutex_t lock;
    size_t next;
    uint64_t total_bytes;
    uint64_t done_bytes; /* finished files */
    uint64_t *inflight;  /* per worker: bytes of the file being read */
    struct timespec start;
    double last_print;
} shared_t;

typedef struct worker {
    shared_t *s;
    int id;
} worker_t;

static double elapsed(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_progress(shared_t *s, bool final)
{
    uint64_t done = s->done_bytes;
    for (int i = 0; i < s->opts->jobs; i++)
        done += s->inflight[i];
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

typedef struct progress_ctx {
    shared_t *s;
    int id;
} progress_ctx_t;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_ctx_t *p = ctx;
    (void)total;
    pthread_mutex_lock(&p->s->lock);
    p->s->inflight[p->id] = done;
    print_progress(p->s, false);
    pthread_mutex_unlock(&p->s->lock);
}

static void *work(void *arg)
{
    worker_t *w = arg;
    shared_t *s = w->s;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        size_t i = s->next++;
        pthread_mutex_unlock(&s->lock);
        if (i >= s->in->n)
            break;
        analysis_opts_t ao = s->opts->analysis;
        progress_ctx_t pc = {s, w->id};
        if (s->opts->progress) {
            ao.progress = on_progress;
            ao.progress_ctx = &pc;
        }
        /* rows spool in the case folder (a big case's logs may not fit
         * the temporary folder), evidence goes under it */
        record_sink_t records;
        record_spool_init(&records, &s->results[i], s->opts->out_dir);
        intel_tap_t tap; /* --intel: every record is looked at on its way */
        if (s->opts->intel)
            intel_tap_init(&tap, &records, s->opts->intel);
        const record_sink_t *sink = s->opts->intel ? &tap.sink : &records;
        evidence_store_t evidence;
        evidence_dir_t dir;
        evidence_store_init(&evidence, &dir, s->opts->out_dir, &s->results[i].damage);
        analysis_run(s->in->paths[i], &ao, sink, &evidence, &s->results[i]);
        pthread_mutex_lock(&s->lock);
        s->inflight[w->id] = 0;
        s->done_bytes += s->results[i].size;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

void case_run_captures(const case_inputs_t *in, const case_opts_t *opts, capture_result_t *results)
{
    shared_t s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.opts = opts;
    s.results = results;
    pthread_mutex_init(&s.lock, NULL);
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)jobs > in->n)
        jobs = in->n ? (int)in->n : 1;
    case_opts_t o = *opts;
    o.jobs = jobs;
    s.opts = &o;
    s.inflight = xcalloc((size_t)jobs, sizeof *s.inflight);
    for (size_t i = 0; i < in->n; i++) {
        struct stat st;
        if (stat(in->paths[i], &st) == 0)
            s.total_bytes += (uint64_t)st.st_size;
    }
    clock_gettime(CLOCK_MONOTONIC, &s.start);
    artwriter_start();
    worker_t *ws = xcalloc((size_t)jobs, sizeof *ws);
    pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
    for (int j = 0; j < jobs; j++) {
        ws[j] = (worker_t){&s, j};
        if (j == 0 || pthread_create(&th[j], NULL, work, &ws[j]) != 0)
            th[j] = 0;
    }
    work(&ws[0]); /* the calling thread is worker 0 */
    for (int j = 1; j < jobs; j++)
        if (th[j])
            pthread_join(th[j], NULL);
    artwriter_stop(); /* every carved file is on disk before the case reads them */
    for (size_t i = 0; i < in->n; i++)
        damage_sort(&results[i].damage);
    if (opts->progress)
        print_progress(&s, true);
    free(ws);
    free(th);
    free(s.inflight);
    pthread_mutex_destroy(&s.lock);
}
