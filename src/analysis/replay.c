/* replay.c — one pass over a capture; see replay.h. */
#include "analysis/replay.h"

#include "capture/filter.h"
#include "core/interrupt.h"
#include "core/xalloc.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

char *replay_capture_name(const char *path)
{
    char *dup = xstrdup(path);
    char *name = xstrdup(basename(dup));
    free(dup);
    return name;
}

uint64_t replay_uid_salt(const char *path)
{
    char *name = replay_capture_name(path);
    uint64_t salt = hash_fnv1a(name, strlen(name), 0);
    free(name);
    return salt;
}

int replay_read(capture_t *cap, const char *bpf, damage_t *damage, const replay_reader_t *h,
                decode_stats_t *stats)
{
    decoder_t dec;
    decoder_init(&dec, damage);
    bpf_filter_t *filter = filter_new(bpf);
    capture_pkt_t cp;
    packet_t pkt;
    uint64_t n = 0;
    int rc;
    while ((rc = capture_next(cap, &cp)) == 1) {
        if (interrupted())
            break;
        n++;
        if (h->record)
            h->record(h->ctx, n, &cp);
        if (filter_match(filter, cp.linktype, cp.data, cp.caplen, cp.origlen) &&
            decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &pkt) && h->packet)
            h->packet(h->ctx, n, &cp, &pkt);
        if ((n % REPLAY_EXPIRE_EVERY) == 0 && h->tick)
            h->tick(h->ctx, n, cp.ts);
    }
    decoder_free(&dec);
    filter_free(filter);
    if (stats)
        *stats = dec.stats;
    return rc;
}

typedef struct one_table {
    const replay_hooks_t *h;
    conn_table_t *conns;
} one_table_t;

static void on_finish(void *ctx, conn_t *c)
{
    const replay_hooks_t *h = ctx;
    if (h->conn_finish)
        h->conn_finish(h->ctx, c);
}

static void one_record(void *ctx, uint64_t n, const capture_pkt_t *cp)
{
    one_table_t *t = ctx;
    (void)n;
    if (t->h->record)
        t->h->record(t->h->ctx, cp);
}

static void one_packet(void *ctx, uint64_t n, const capture_pkt_t *cp, const packet_t *p)
{
    one_table_t *t = ctx;
    (void)n;
    bool is_orig;
    conn_t *c = conn_packet(t->conns, p, cp->frame, cp->ts, &is_orig);
    if (t->h->packet)
        t->h->packet(t->h->ctx, cp, p, c, is_orig);
}

static void one_tick(void *ctx, uint64_t n, ts_ns_t ts)
{
    one_table_t *t = ctx;
    (void)n;
    conn_expire(t->conns, ts);
}

int replay_capture(const char *path, capture_t *cap, const char *bpf, damage_t *damage,
                   const replay_hooks_t *h, decode_stats_t *stats)
{
    one_table_t t = {h, conn_table_new(on_finish, (void *)h, replay_uid_salt(path), damage)};
    replay_reader_t r = {&t, one_record, one_packet, one_tick};
    int rc = replay_read(cap, bpf, damage, &r, stats);
    if (h->end)
        h->end(h->ctx);
    conn_table_free(t.conns);
    return rc;
}
