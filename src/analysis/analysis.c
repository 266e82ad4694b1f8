/* analysis.c — the per-capture loop; see analysis.h. */
#include "analysis.h"

#include "analysis/dispatch.h"
#include "capture/capture.h"
#include "capture/filter.h"
#include "core/digest.h"
#include "core/interrupt.h"
#include "core/xalloc.h"
#include "flow/conn.h"

#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often (in packets) idle connections are swept.  Sweeping is O(expired)
 * but touching the list heads on every packet is wasted work. */
#define EXPIRE_EVERY_PACKETS 4096
/* Progress callback granularity. */
#define PROGRESS_EVERY_BYTES (8u << 20)

typedef struct run {
    capture_result_t *res;
    dispatch_t *dispatch;
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

static void on_conn_finish(void *ctx, conn_t *c)
{
    run_t *run = ctx;
    dispatch_conn_finish(run->dispatch, c);
}

static void describe_capture(capture_t *cap, capture_result_t *r)
{
    snprintf(r->format, sizeof r->format, "%s", capture_format_name(cap));
    const uint16_t *lts;
    r->nlinktypes = capture_linktypes(cap, &lts);
    if (r->nlinktypes > 32)
        r->nlinktypes = 32;
    memcpy(r->linktypes, lts, r->nlinktypes * sizeof *lts);
    r->ts_digits = capture_ts_digits(cap);
}

int analysis_run(const char *path, const analysis_opts_t *opts, const record_sink_t *records,
                 const evidence_store_t *evidence, capture_result_t *r)
{
    char *dup = xstrdup(path);
    r->path = xstrdup(path);
    r->name = xstrdup(basename(dup));
    free(dup);
    capture_t *cap = capture_open(path, r->error, sizeof r->error);
    if (!cap) {
        r->unusable = true;
        return 3;
    }
    r->size = capture_raw_size(cap);
    an_ctx_t an = {NULL, opts, records, evidence, &r->damage};
    run_t run = {r, dispatch_new(&an)};
    conn_table_t *conns =
        conn_table_new(on_conn_finish, &run, hash_fnv1a(r->name, strlen(r->name), 0), &r->damage);
    decoder_t dec;
    decoder_init(&dec, &r->damage);
    bpf_filter_t *filter = filter_new(opts->bpf);
    capture_pkt_t cp;
    packet_t pkt;
    uint64_t next_progress = PROGRESS_EVERY_BYTES;
    int rc;
    while ((rc = capture_next(cap, &cp)) == 1) {
        if (interrupted())
            break;
        r->packets++;
        r->ts_digits = capture_ts_digits(cap); /* pcapng: known once IDBs are read */
        r->bytes_captured += cp.caplen;
        r->bytes_wire += cp.origlen;
        if (r->packets == 1 || cp.ts < r->first_ts)
            r->first_ts = cp.ts;
        if (cp.ts > r->last_ts)
            r->last_ts = cp.ts;
        if (opts->progress && capture_raw_consumed(cap) >= next_progress) {
            opts->progress(opts->progress_ctx, capture_raw_consumed(cap), r->size);
            next_progress = capture_raw_consumed(cap) + PROGRESS_EVERY_BYTES;
        }
        if (!filter_match(filter, cp.linktype, cp.data, cp.caplen, cp.origlen))
            continue;
        if (!decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &pkt))
            continue;
        r->ip_packets++;
        add_rate(r, cp.ts, pkt.proto, pkt.ip_len);
        bool is_orig;
        conn_t *c = conn_packet(conns, &pkt, cp.frame, cp.ts, &is_orig);
        if (c)
            dispatch_packet(run.dispatch, c, &pkt, is_orig, cp.frame, cp.ts);
        if ((r->packets % EXPIRE_EVERY_PACKETS) == 0)
            conn_expire(conns, cp.ts);
    }
    describe_capture(cap, r);
    conn_table_free(conns);
    dispatch_free(run.dispatch);
    decoder_free(&dec);
    filter_free(filter);
    r->dstats = dec.stats;
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
