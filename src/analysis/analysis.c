/* analysis.c — one capture, start to finish; see analysis.h.  The loop
 * itself is replay.c's; this file counts what the case reports about the
 * capture and hands each packet to the worker of its flow (workers.h). */
#include "analysis.h"

#include "analysis/replay.h"
#include "analysis/workers.h"
#include "capture/capture.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "flow/flowhash.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Progress callback granularity. */
#define PROGRESS_EVERY_BYTES (8u << 20)

typedef struct run {
    capture_result_t *res;
    capture_t *cap;
    const analysis_opts_t *opts;
    workers_t *workers;
    bool counts; /* this run counts the per-packet figures (shard 0) */
    uint64_t next_progress;
} run_t;

static void add_rate(capture_result_t *r, ts_ns_t ts, uint8_t proto, uint32_t bytes)
{
    int64_t sec = ts / NS_PER_SEC;
    rate_bin_t *b = NULL;
    /* packets are nearly in time order: look at the last few bins only */
    for (size_t i = r->nrates; i > 0 && i + 4 > r->nrates; i--)
        if (r->rates[i - 1].sec == sec) {
            b = &r->rates[i - 1];
            break;
        }
    if (!b) {
        if (r->nrates == r->caprates) {
            r->caprates = r->caprates ? r->caprates * 2 : 1024;
            r->rates = xreallocarray(r->rates, r->caprates, sizeof *r->rates);
        }
        b = &r->rates[r->nrates++];
        memset(b, 0, sizeof *b);
        b->sec = sec;
    }
    if (proto == IPPROTO_TCP)
        b->tcp += bytes;
    else if (proto == IPPROTO_UDP)
        b->udp += bytes;
    else
        b->other += bytes;
}

static void describe_capture(capture_t *cap, capture_result_t *r)
{
    snprintf(r->format, sizeof r->format, "%s", capture_format_name(cap));
    const uint16_t *lts;
    r->nlinktypes = capture_linktypes(cap, &lts);
    if (r->nlinktypes > CAPTURE_MAX_LINKTYPES)
        r->nlinktypes = CAPTURE_MAX_LINKTYPES;
    memcpy(r->linktypes, lts, r->nlinktypes * sizeof *lts);
    r->ts_digits = capture_ts_digits(cap);
}

/* Every record read: the capture's counts, time span and progress. */
static void on_record(void *ctx, uint64_t n, const capture_pkt_t *cp)
{
    run_t *run = ctx;
    capture_result_t *r = run->res;
    r->ts_digits = capture_ts_digits(run->cap); /* pcapng: known once IDBs are read */
    if (n == 1 || cp->ts < r->first_ts)
        r->first_ts = cp->ts;
    if (cp->ts > r->last_ts)
        r->last_ts = cp->ts;
    if (run->counts) {
        r->packets++;
        r->bytes_captured += cp->caplen;
        r->bytes_wire += cp->origlen;
    }
    if (run->opts->progress && capture_raw_consumed(run->cap) >= run->next_progress) {
        uint64_t done = capture_raw_consumed(run->cap);
        run->opts->progress(run->opts->progress_ctx, done, r->size);
        run->next_progress = done + PROGRESS_EVERY_BYTES;
    }
}

/* Every decoded packet: bandwidth, and to the worker of its flow. */
static void on_packet(void *ctx, uint64_t n, const capture_pkt_t *cp, const packet_t *p)
{
    run_t *run = ctx;
    if (run->counts) {
        run->res->ip_packets++;
        add_rate(run->res, cp->ts, p->proto, p->ip_len);
    }
    bool ported = p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP;
    uint32_t h = flow_route_hash(ported, &p->src, p->sport, &p->dst, p->dport);
    if (flow_in_shard(h, run->opts->shard_k, run->opts->shard_n))
        workers_packet(run->workers, n, h, cp->frame, cp->ts, p);
}

static void on_tick(void *ctx, uint64_t n, ts_ns_t ts)
{
    run_t *run = ctx;
    workers_tick(run->workers, n, ts);
}

int analysis_run(const char *path, const analysis_opts_t *opts, const analysis_outputs_t *outputs,
                 capture_result_t *r)
{
    r->path = xstrdup(path);
    r->name = replay_capture_name(path);
    capture_t *cap = capture_open(path, r->error, sizeof r->error);
    if (!cap) {
        r->unusable = true;
        return 3;
    }
    r->size = capture_raw_size(cap);
    run_t run = {
        r, cap, opts, NULL, opts->shard_n <= 1 || opts->shard_k == 0, PROGRESS_EVERY_BYTES};
    run.workers = workers_start(opts->jobs, path, opts, outputs, r);
    replay_reader_t reader = {&run, on_record, on_packet, on_tick};
    /* the reader's damage and decoder counts are per packet: shard 0's */
    damage_t others = {0};
    decode_stats_t dstats;
    int rc = replay_read(cap, opts->bpf, run.counts ? &r->damage : &others, &reader, &dstats);
    if (run.counts)
        r->dstats = dstats;
    describe_capture(cap, r);
    workers_finish(run.workers);
    damage_free(&others);
    if (run.counts)
        damage_merge(&r->damage, capture_damage(cap));
    capture_sha256(cap, r->sha256);
    hex_lower(r->sha256, sizeof r->sha256, r->sha256_hex);
    if (opts->progress)
        opts->progress(opts->progress_ctx, r->size, r->size);
    capture_close(cap);
    damage_sort(&r->damage);
    /* Damaged input: the file could not be read to the end, or some packets
     * were malformed.  Limits we imposed ("limit.*") and data the capture
     * simply did not contain ("incomplete.*") and oddities of the traffic itself
     * ("anomaly.*", e.g. TCP retransmissions that contradict the first copy)
     * are reported but are not damage. */
    r->damaged = rc < 0;
    for (size_t i = 0; i < r->damage.n; i++)
        if (strncmp(r->damage.v[i].reason, "limit.", 6) != 0 &&
            strncmp(r->damage.v[i].reason, "incomplete.", 11) != 0 &&
            strncmp(r->damage.v[i].reason, "anomaly.", 8) != 0)
            r->damaged = true;
    return r->damaged ? 1 : 0;
}
