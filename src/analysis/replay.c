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

static void on_finish(void *ctx, conn_t *c)
{
    const replay_hooks_t *h = ctx;
    if (h->conn_finish)
        h->conn_finish(h->ctx, c);
}

int replay_capture(const char *path, capture_t *cap, const char *bpf, damage_t *damage,
                   const replay_hooks_t *h, decode_stats_t *stats)
{
    char *name = replay_capture_name(path);
    uint64_t salt = hash_fnv1a(name, strlen(name), 0);
    free(name);
    conn_table_t *conns = conn_table_new(on_finish, (void *)h, salt, damage);
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
            h->record(h->ctx, &cp);
        if (!filter_match(filter, cp.linktype, cp.data, cp.caplen, cp.origlen))
            continue;
        if (!decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &pkt))
            continue;
        bool is_orig;
        conn_t *c = conn_packet(conns, &pkt, cp.frame, cp.ts, &is_orig);
        if (h->packet)
            h->packet(h->ctx, &cp, &pkt, c, is_orig);
        if ((n % REPLAY_EXPIRE_EVERY) == 0)
            conn_expire(conns, cp.ts);
    }
    if (h->end)
        h->end(h->ctx);
    conn_table_free(conns);
    decoder_free(&dec);
    filter_free(filter);
    if (stats)
        *stats = dec.stats;
    return rc;
}
