/* test_tcp_keep.c — the TCP segments the analysis keeps for the charts
 * (analysis/tcp_keep.h), against the oracle: what tcpseries_collect reads
 * from the capture for the same connection, sample by sample.  And the
 * promise the charts rely on: whatever the number of workers, every
 * connection the charts pick (the top TCP_CHART_TOP by bytes, --uid ones) is
 * among those kept. */
#include "analysis/analysis.h"
#include "cu_corpus.h"
#include "cu_main.h"
#include "flow/tcpseries.h"
#include "write/record_spool.h"

#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void open_worker(void *ctx, unsigned w, capture_result_t *part,
                        const record_sink_t **records, const evidence_store_t **evidence)
{
    record_sink_t *sinks = ctx;
    record_spool_init(&sinks[w], part, NULL);
    *records = &sinks[w];
    *evidence = NULL;
}

static size_t keep_max; /* analysis_opts_t.tcp_keep_max of the next analyse() */

static void analyse(const char *path, unsigned jobs, const char **uids, size_t nuids,
                    capture_result_t *r)
{
    record_sink_t sinks[4];
    analysis_opts_t o = {.max_body = DEFAULT_MAX_BODY,
                         .hashes = HASH_SHA256,
                         .jobs = jobs,
                         .chart_uids = uids,
                         .n_chart_uids = nuids,
                         .tcp_keep_max = keep_max};
    analysis_outputs_t out = {sinks, open_worker};
    memset(r, 0, sizeof *r);
    CU_ASSERT_TRUE_FATAL(analysis_run(path, &o, &out, r) <= 1);
}

static const conn_rec_t *conn_by_uid(const capture_result_t *r, const char *uid)
{
    for (size_t i = 0; i < r->nconns; i++)
        if (strcmp(capture_conn(r, i)->uid, uid) == 0)
            return capture_conn(r, i);
    return NULL;
}

static bool same_sample(const tcp_sample_t *a, const tcp_sample_t *b)
{
    return a->ts == b->ts && a->frame == b->frame && a->seq == b->seq && a->ack == b->ack &&
           a->len == b->len && a->in_flight == b->in_flight &&
           a->peer_in_flight == b->peer_in_flight && a->win == b->win && a->flags == b->flags &&
           a->fwd == b->fwd && a->retrans == b->retrans && a->out_of_order == b->out_of_order;
}

/* Every kept connection replays to exactly what a second read finds;
 * returns the samples compared. */
static size_t check_against_collect(const char *path, const capture_result_t *r)
{
    size_t compared = 0;
    for (size_t i = 0; i < r->ntcp_segs; i++) {
        const tcp_segs_t *g = &r->tcp_segs[i];
        const conn_rec_t *c = conn_by_uid(r, g->uid);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(g->bytes, c->orig_bytes + c->resp_bytes);
        tcp_series_t want = {.orig = c->orig,
                             .resp = c->resp,
                             .orig_p = c->orig_p,
                             .resp_p = c->resp_p,
                             .first_frame = c->first_frame,
                             .last_frame = c->last_frame};
        char err[256];
        CU_ASSERT_EQUAL_FATAL(tcpseries_collect(path, &want, 1, err, sizeof err), 0);
        tcp_series_t got = {0};
        tcpseries_from_segs(g, &got);
        CU_ASSERT_EQUAL(got.n, want.n);
        CU_ASSERT_EQUAL(got.dropped, want.dropped);
        CU_ASSERT_EQUAL(got.scaled, want.scaled);
        size_t same = 0;
        for (size_t k = 0; k < got.n && k < want.n; k++)
            same += same_sample(&got.s[k], &want.s[k]);
        CU_ASSERT_EQUAL(same, want.n);
        if (same != want.n || got.n != want.n)
            printf("\n%s %s: %zu of %zu samples as read again (%zu kept)\n", path, g->uid, same,
                   want.n, got.n);
        compared += same;
        tcpseries_free(&got), tcpseries_free(&want);
    }
    return compared;
}

/* The rank of write/tcp_charts.c: most bytes, then uid. */
static bool ranks_before(const conn_rec_t *a, const conn_rec_t *b)
{
    uint64_t x = a->orig_bytes + a->resp_bytes, y = b->orig_bytes + b->resp_bytes;
    return x != y ? x > y : strcmp(a->uid, b->uid) < 0;
}

static bool kept(const capture_result_t *r, const char *uid)
{
    for (size_t i = 0; i < r->ntcp_segs; i++)
        if (strcmp(r->tcp_segs[i].uid, uid) == 0)
            return true;
    return false;
}

/* The capture's top TCP_CHART_TOP chartable connections are all kept;
 * returns how many there are. */
static size_t check_top_kept(const capture_result_t *r)
{
    const conn_rec_t *top[TCP_CHART_TOP];
    size_t n = 0;
    for (size_t i = 0; i < r->nconns; i++) {
        const conn_rec_t *c = capture_conn(r, i);
        if (c->proto != IPPROTO_TCP || c->orig_pkts + c->resp_pkts < 2 ||
            c->orig_bytes + c->resp_bytes == 0)
            continue;
        if (n == TCP_CHART_TOP && !ranks_before(c, top[n - 1]))
            continue;
        size_t j = n < TCP_CHART_TOP ? n++ : n - 1;
        for (; j > 0 && ranks_before(c, top[j - 1]); j--)
            top[j] = top[j - 1];
        top[j] = c;
    }
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_TRUE(kept(r, top[i]->uid));
        if (!kept(r, top[i]->uid))
            printf("\n%s: top connection %s not kept\n", r->name, top[i]->uid);
    }
    return n;
}

/* One capture at 1, 2 and 3 workers: what is kept replays to what is read
 * again, and the top is kept. */
static void check_capture(const char *path, size_t min_samples)
{
    for (unsigned jobs = 1; jobs <= 3; jobs++) {
        capture_result_t r;
        analyse(path, jobs, NULL, 0, &r);
        CU_ASSERT_TRUE(r.ntcp_segs >= check_top_kept(&r));
        CU_ASSERT_TRUE(r.ntcp_segs <= jobs * TCP_CHART_TOP);
        size_t n = check_against_collect(path, &r);
        CU_ASSERT_TRUE(n >= min_samples);
        if (n < min_samples)
            printf("\n%s, %u jobs: %zu samples compared\n", path, jobs, n);
        capture_result_free(&r);
    }
}

static void sample_captures(void)
{
    check_capture(SAMPLE_DIR "/incident-1.pcap", 100);
    check_capture(SAMPLE_DIR "/incident-2.pcapng", 100);
    check_capture(SAMPLE_DIR "/compare-a.pcap", 100);
}

/* Every capture of Zeek's tcp, http and tls traces. */
static void corpus_traces(void)
{
    CU_REQUIRE_CORPUS();
    static const char *const folders[] = {"zeek-traces/tcp", "zeek-traces/http", "zeek-traces/tls"};
    size_t checked = 0;
    for (size_t f = 0; f < sizeof folders / sizeof *folders; f++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", corpus_path(folders[f]));
        DIR *d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *dot = strrchr(e->d_name, '.');
            if (!dot || (strcmp(dot, ".pcap") != 0 && strcmp(dot, ".pcapng") != 0))
                continue;
            char path[PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            check_capture(path, 0);
            checked++;
        }
        closedir(d);
    }
    CU_ASSERT_TRUE(checked > 100);
}

/* A connection named with --uid is kept however small it is. */
static void named_connections_are_kept(void)
{
    capture_result_t r;
    analyse(SAMPLE_DIR "/incident-1.pcap", 1, NULL, 0, &r);
    /* the smallest chartable TCP connection, and one with no payload */
    const conn_rec_t *small = NULL, *empty = NULL;
    for (size_t i = 0; i < r.nconns; i++) {
        const conn_rec_t *c = capture_conn(&r, i);
        uint64_t b = c->orig_bytes + c->resp_bytes;
        if (c->proto != IPPROTO_TCP)
            continue;
        if (b && c->orig_pkts + c->resp_pkts >= 2 &&
            (!small || b < small->orig_bytes + small->resp_bytes))
            small = c;
        if (!b && !empty)
            empty = c;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(small);
    CU_ASSERT_PTR_NOT_NULL_FATAL(empty);
    CU_ASSERT_FALSE(kept(&r, small->uid));
    const char *uids[2] = {small->uid, empty->uid};
    char a[UID_LEN], b[UID_LEN];
    memcpy(a, small->uid, UID_LEN), memcpy(b, empty->uid, UID_LEN);
    uids[0] = a, uids[1] = b;
    capture_result_free(&r);
    for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
        analyse(SAMPLE_DIR "/incident-1.pcap", jobs, uids, 2, &r);
        CU_ASSERT_TRUE(kept(&r, a));
        CU_ASSERT_TRUE(kept(&r, b));
        check_against_collect(SAMPLE_DIR "/incident-1.pcap", &r);
        capture_result_free(&r);
    }
}

/* Past the memory bound the connections with the fewest bytes are given up
 * (the charts read those again): what stays kept still replays to what is
 * read again, and the biggest connections stay. */
static void bound_gives_up_the_smallest(void)
{
    const char *path = SAMPLE_DIR "/incident-1.pcap";
    capture_result_t r;
    keep_max = 0;
    analyse(path, 1, NULL, 0, &r);
    size_t all = r.ntcp_segs;
    CU_ASSERT_EQUAL(all, TCP_CHART_TOP);
    capture_result_free(&r);
    /* 2 KiB: 64 segments, fewer than the biggest connection's 55 and the
     * charge for its entry: it is given up, what stays is still right */
    keep_max = 2 << 10;
    for (unsigned jobs = 1; jobs <= 2; jobs++) {
        analyse(path, jobs, NULL, 0, &r);
        if (jobs == 1)
            CU_ASSERT_TRUE(r.ntcp_segs < TCP_CHART_TOP);
        size_t held = 0;
        for (size_t i = 0; i < r.ntcp_segs; i++)
            held += r.tcp_segs[i].n;
        CU_ASSERT_TRUE(held <= 64);
        check_against_collect(path, &r);
        capture_result_free(&r);
    }
    /* 8 KiB: the smallest go first, the top three stay */
    keep_max = 8 << 10;
    analyse(path, 1, NULL, 0, &r);
    CU_ASSERT_EQUAL(check_top_kept(&r), TCP_CHART_TOP);
    check_against_collect(path, &r);
    capture_result_free(&r);
    keep_max = 0;
}

static const cu_test_t tests[] = {{"sample_captures", sample_captures},
                                  {"corpus_traces", corpus_traces},
                                  {"named_connections_are_kept", named_connections_are_kept},
                                  {"bound_gives_up_the_smallest", bound_gives_up_the_smallest},
                                  {NULL, NULL}};

CU_MAIN("tcp_keep", tests)
