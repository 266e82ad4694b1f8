/* workers.c — one capture's flows on N workers; see workers.h. */
#include "analysis/workers.h"

#include "analysis/dispatch.h"
#include "analysis/replay.h"
#include "analysis/tcp_keep.h"
#include "core/xalloc.h"
#include "flow/conn.h"
#include "flow/flowhash.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Packets per batch, and payload bytes per batch before it is sent: large
 * enough that a worker takes its queue's lock once per few hundred packets,
 * small enough that a batch stays in cache. */
#define BATCH_ITEMS 256
#define BATCH_BYTES (256u << 10)
/* Batches per worker (in its queue, being filled or being analysed): the
 * memory between the reader and a worker is bounded by about
 * batches × (BATCH_BYTES + BATCH_ITEMS × sizeof(item_t)).  A deep queue lets
 * the reader run ahead while one worker is busy with one packet for a long
 * time (a body ending: its hashes and libmagic's type, milliseconds): with 6
 * batches the reader soon waited for that worker while the other worker ran
 * dry, and two cores did 1.6 cores' work (docs/performance.md, 2026-12-01).
 * The case-wide budget is WORKER_QUEUE_TOTAL batches (about 19 MB), shared
 * among the workers, at least WORKER_BATCHES_MIN and at most
 * WORKER_BATCHES_MAX each. */
#define WORKER_BATCHES_MAX 32
#define WORKER_BATCHES_MIN 6
#define WORKER_QUEUE_TOTAL 64

enum { ITEM_PACKET, ITEM_TICK };

typedef struct item {
    uint64_t n, frame;
    ts_ns_t ts;
    uint32_t hash;
    uint32_t off; /* payload's offset in the batch's bytes */
    uint8_t kind;
    int8_t ts_digits; /* the capture's, when the packet was read */
    packet_t pkt;     /* payload NULL until the worker takes it */
} item_t;

typedef struct batch {
    item_t items[BATCH_ITEMS];
    size_t n;
    uint8_t *bytes;
    size_t used, cap;
} batch_t;

typedef struct worker {
    workers_t *ws;
    unsigned id;
    capture_result_t part;
    conn_table_t *conns;
    dispatch_t *dispatch;
    tcp_keep_t *keep; /* segments for the TCP charts */
    an_ctx_t an;
    uint64_t packets; /* analysed here (PCAPCASE_TIMINGS prints them) */
    double cpu;       /* seconds of CPU this worker's thread spent (threaded) */
    /* threaded only */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    batch_t *queue[WORKER_BATCHES_MAX]; /* full, in order */
    size_t qhead, qlen;
    size_t nbatches;                    /* this worker's batches, all told */
    batch_t *spare[WORKER_BATCHES_MAX]; /* empty */
    size_t nspare;
    batch_t *filling; /* the reader's, not yet queued */
    bool done;        /* the reader sent everything */
} worker_t;

struct workers {
    unsigned n;
    bool threaded;
    const analysis_opts_t *opts;
    const analysis_outputs_t *out;
    capture_result_t *r;
    int end_digits; /* the capture's time precision once it is read */
    double cpu0;    /* the reader thread's CPU seconds when the capture began */
    worker_t *w;
};

/* ---- the analysis of one worker ---- */

static void on_conn_finish(void *ctx, conn_t *c)
{
    worker_t *w = ctx;
    uint32_t mid = w->part.at.mid;
    bool ported = c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP;
    w->part.at.mid = flow_route_hash(ported, &c->orig, c->orig_p, &c->resp, c->resp_p);
    dispatch_conn_finish(w->dispatch, c);
    tcp_keep_conn_finish(w->keep, c);
    w->part.at.mid = mid;
}

static void run_item(worker_t *w, const item_t *it)
{
    w->part.ts_digits = it->ts_digits;
    if (it->kind == ITEM_TICK) {
        w->part.at.hi = 2 * it->n + 1;
        conn_expire(w->conns, it->ts);
        return;
    }
    w->part.at.hi = 2 * it->n;
    w->part.at.mid = it->hash;
    w->packets++;
    bool is_orig;
    conn_t *c = conn_packet(w->conns, &it->pkt, it->frame, it->ts, &is_orig);
    if (c) {
        tcp_keep_packet(w->keep, c, &it->pkt, is_orig, it->frame, it->ts);
        dispatch_packet(w->dispatch, c, &it->pkt, is_orig, it->frame, it->ts);
    }
}

/* The capture is read: the connections still open finish, then the
 * analysers' capture-wide state (core/order.h: ORDER_END_CONNS, ORDER_END). */
static void run_end(worker_t *w)
{
    w->part.ts_digits = w->ws->end_digits;
    w->part.at.hi = ORDER_END_CONNS;
    conn_table_free(w->conns);
    w->conns = NULL;
    tcp_keep_end(w->keep, &w->part);
    w->keep = NULL;
    w->part.at.hi = ORDER_END;
    w->part.at.mid = 0;
    dispatch_free(w->dispatch);
    w->dispatch = NULL;
}

/* CPU seconds the calling thread has used. */
static double thread_cpu(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
        return 0;
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- batches between the reader and a threaded worker ---- */

static batch_t *batch_new(void)
{
    batch_t *b = xcalloc(1, sizeof *b);
    b->cap = BATCH_BYTES;
    b->bytes = xmalloc(b->cap);
    return b;
}

static void batch_free(batch_t *b)
{
    if (b) {
        free(b->bytes);
        free(b);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->qlen && !w->done)
            pthread_cond_wait(&w->changed, &w->mu);
        if (!w->qlen) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        batch_t *b = w->queue[w->qhead];
        w->qhead = (w->qhead + 1) % w->nbatches;
        w->qlen--;
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < b->n; i++) {
            item_t *it = &b->items[i];
            if (it->kind == ITEM_PACKET && it->pkt.payload_len)
                it->pkt.payload = b->bytes + it->off;
            run_item(w, it);
        }
        b->n = b->used = 0;
        pthread_mutex_lock(&w->mu);
        w->spare[w->nspare++] = b;
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->mu);
    }
    run_end(w);
    w->cpu = thread_cpu();
    return NULL;
}

/* Queue the batch being filled (if it holds anything). */
static void send_filling(worker_t *w)
{
    batch_t *b = w->filling;
    if (!b || !b->n)
        return;
    pthread_mutex_lock(&w->mu);
    w->queue[(w->qhead + w->qlen) % w->nbatches] = b;
    w->qlen++;
    w->filling = NULL;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mu);
}

/* The batch to add an item with len payload bytes to, waiting for the
 * worker to give one back when all are in use. */
static batch_t *room_for(worker_t *w, size_t len)
{
    batch_t *b = w->filling;
    if (b && (b->n == BATCH_ITEMS || (b->used + len > b->cap && b->n))) {
        send_filling(w);
        b = NULL;
    }
    if (!b) {
        pthread_mutex_lock(&w->mu);
        while (!w->nspare)
            pthread_cond_wait(&w->changed, &w->mu);
        b = w->spare[--w->nspare];
        pthread_mutex_unlock(&w->mu);
        w->filling = b;
    }
    if (len > b->cap) { /* one packet larger than a batch (jumbo, TSO) */
        b->cap = len;
        b->bytes = xrealloc(b->bytes, b->cap);
    }
    return b;
}

static item_t *add_item(worker_t *w, size_t len)
{
    batch_t *b = room_for(w, len);
    item_t *it = &b->items[b->n++];
    it->off = (uint32_t)b->used;
    b->used += len;
    return it;
}

/* ---- the reader's side ---- */

static void worker_init(workers_t *ws, unsigned id, const char *path)
{
    worker_t *w = &ws->w[id];
    w->ws = ws;
    w->id = id;
    w->part.name = ws->r->name; /* lent: the rows' "pcap" */
    w->part.path = ws->r->path;
    const record_sink_t *records = NULL;
    const evidence_store_t *evidence = NULL;
    ws->out->open(ws->out->ctx, id, &w->part, &records, &evidence);
    w->an = (an_ctx_t){
        .opts = ws->opts, .records = records, .evidence = evidence, .damage = &w->part.damage};
    w->dispatch = dispatch_new(&w->an);
    w->keep = tcp_keep_new(ws->opts, ws->n);
    w->conns = conn_table_new(on_conn_finish, w, replay_uid_salt(path), &w->part.damage);
    conn_table_set_max_live(w->conns, CONN_MAX_LIVE / ws->n);
    if (!ws->threaded)
        return;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->changed, NULL);
    w->nbatches = WORKER_QUEUE_TOTAL / ws->n;
    if (w->nbatches > WORKER_BATCHES_MAX)
        w->nbatches = WORKER_BATCHES_MAX;
    if (w->nbatches < WORKER_BATCHES_MIN)
        w->nbatches = WORKER_BATCHES_MIN;
    for (size_t i = 0; i < w->nbatches; i++)
        w->spare[w->nspare++] = batch_new();
}

workers_t *workers_start(unsigned n, const char *path, const analysis_opts_t *opts,
                         const analysis_outputs_t *out, capture_result_t *r)
{
    workers_t *ws = xcalloc(1, sizeof *ws);
    ws->n = n ? n : 1;
    ws->threaded = ws->n > 1;
    ws->opts = opts;
    ws->out = out;
    ws->r = r;
    ws->w = xcalloc(ws->n, sizeof *ws->w);
    ws->cpu0 = thread_cpu();
    for (unsigned i = 0; i < ws->n; i++)
        worker_init(ws, i, path);
    for (unsigned i = 0; ws->threaded && i < ws->n; i++)
        if (pthread_create(&ws->w[i].th, NULL, worker_main, &ws->w[i]) != 0) {
            fprintf(stderr, "pcapcase: cannot start worker thread %u of %u\n", i + 1, ws->n);
            abort();
        }
    return ws;
}

void workers_packet(workers_t *ws, uint64_t n, uint32_t h, uint64_t frame, ts_ns_t ts,
                    const packet_t *p)
{
    worker_t *w = &ws->w[flow_worker_of(h, ws->opts->shard_n, ws->n)];
    if (!ws->threaded) {
        item_t it = {n, frame, ts, h, 0, ITEM_PACKET, (int8_t)ws->r->ts_digits, *p};
        run_item(w, &it);
        return;
    }
    item_t *it = add_item(w, p->payload_len);
    *it = (item_t){n, frame, ts, h, it->off, ITEM_PACKET, (int8_t)ws->r->ts_digits, *p};
    it->pkt.payload = NULL;
    if (p->payload_len)
        memcpy(w->filling->bytes + it->off, p->payload, p->payload_len);
}

void workers_tick(workers_t *ws, uint64_t n, ts_ns_t ts)
{
    for (unsigned i = 0; i < ws->n; i++) {
        worker_t *w = &ws->w[i];
        item_t tick = {.n = n, .ts = ts, .kind = ITEM_TICK, .ts_digits = (int8_t)ws->r->ts_digits};
        if (!ws->threaded) {
            run_item(w, &tick);
            continue;
        }
        item_t *it = add_item(w, 0);
        tick.off = it->off;
        *it = tick;
    }
}

/* PCAPCASE_TIMINGS: how the capture's packets were spread, and the CPU
 * seconds of the reader's thread (with one worker: reading and analysing)
 * and of each worker's: which one the others waited for. */
static void print_spread(const workers_t *ws)
{
    if (!getenv("PCAPCASE_TIMINGS"))
        return;
    fprintf(stderr, "pcapcase: workers (%s): packets", ws->r->name);
    for (unsigned i = 0; i < ws->n; i++)
        fprintf(stderr, " %llu", (unsigned long long)ws->w[i].packets);
    fprintf(stderr, " cpu_s reader %.3f", thread_cpu() - ws->cpu0);
    for (unsigned i = 0; ws->threaded && i < ws->n; i++)
        fprintf(stderr, " %.3f", ws->w[i].cpu);
    fputc('\n', stderr);
}

void workers_finish(workers_t *ws)
{
    ws->end_digits = ws->r->ts_digits;
    for (unsigned i = 0; i < ws->n; i++) {
        worker_t *w = &ws->w[i];
        if (!ws->threaded) {
            run_end(w);
            continue;
        }
        send_filling(w);
        pthread_mutex_lock(&w->mu);
        w->done = true;
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->mu);
    }
    for (unsigned i = 0; i < ws->n; i++) {
        worker_t *w = &ws->w[i];
        if (ws->threaded) {
            pthread_join(w->th, NULL);
            batch_free(w->filling);
            for (size_t k = 0; k < w->nspare; k++)
                batch_free(w->spare[k]);
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->changed);
        }
        capture_result_absorb(ws->r, &w->part);
    }
    print_spread(ws);
    capture_result_order(ws->r);
    free(ws->w);
    free(ws);
}
