/* analysis.c — one capture, start to finish; see analysis.h.  The loop
 * itself is replay.c's; this file counts what the case reports about the
 * capture and hands packets to the dispatcher. */
#include "analysis.h"

#include "analysis/dispatch.h"
#include "analysis/replay.h"
#include "capture/capture.h"
#include "core/digest.h"
#include "core/xalloc.h"

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
    dispatch_t *dispatch;
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
static void on_record(void *ctx, const capture_pkt_t *cp)
{
    run_t *run = ctx;
    capture_result_t *r = run->res;
    r->packets++;
    r->ts_digits = capture_ts_digits(run->cap); /* pcapng: known once IDBs are read */
    r->bytes_captured += cp->caplen;
    r->bytes_wire += cp->origlen;
    if (r->packets == 1 || cp->ts < r->first_ts)
        r->first_ts = cp->ts;
    if (cp->ts > r->last_ts)
        r->last_ts = cp->ts;
    if (run->opts->progress && capture_raw_consumed(run->cap) >= run->next_progress) {
        uint64_t done = capture_raw_consumed(run->cap);
        run->opts->progress(run->opts->progress_ctx, done, r->size);
        run->next_progress = done + PROGRESS_EVERY_BYTES;
    }
}

/* Every decoded packet: bandwidth, and its connection's analysers. */
static void on_packet(void *ctx, const capture_pkt_t *cp, const packet_t *p, conn_t *c,
                      bool is_orig)
{
    run_t *run = ctx;
    run->res->ip_packets++;
    add_rate(run->res, cp->ts, p->proto, p->ip_len);
    if (c)
        dispatch_packet(run->dispatch, c, p, is_orig, cp->frame, cp->ts);
}

static void on_end(void *ctx)
{
    run_t *run = ctx;
    describe_capture(run->cap, run->res);
}

static void on_conn_finish(void *ctx, conn_t *c)
{
    run_t *run = ctx;
    dispatch_conn_finish(run->dispatch, c);
}

int analysis_run(const char *path, const analysis_opts_t *opts, const record_sink_t *records,
                 const evidence_store_t *evidence, capture_result_t *r)
{
    r->path = xstrdup(path);
    r->name = replay_capture_name(path);
    capture_t *cap = capture_open(path, r->error, sizeof r->error);
    if (!cap) {
        r->unusable = true;
        return 3;
    }
    r->size = capture_raw_size(cap);
    an_ctx_t an = {NULL, opts, records, evidence, &r->damage, false, NULL, 0};
    run_t run = {r, cap, opts, dispatch_new(&an), PROGRESS_EVERY_BYTES};
    replay_hooks_t hooks = {&run, on_record, on_packet, on_end, on_conn_finish};
    int rc = replay_capture(path, cap, opts->bpf, &r->damage, &hooks, &r->dstats);
    dispatch_free(run.dispatch);
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
