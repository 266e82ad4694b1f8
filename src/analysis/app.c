/* app.c — application-layer dispatch; see app.h.
 *
 * Every TCP connection gets two reassembly directions (flow/reasm.h).  The
 * first bytes of a stream decide its analyser (by content: an HTTP request
 * line, a TLS record header; DNS by port), so services on odd ports are still
 * understood.  Gaps found by reassembly become Zeek's missed_bytes and
 * history 'G'. */
#include "app.h"

#include "analysis/app_proto.h"
#include "core/xalloc.h"
#include "flow/reasm.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct app {
    const an_ctx_t *an;
    app_proto_ctx_t proto;
};

typedef struct dir_ctx {
    struct app_conn *ac;
    uint8_t side; /* 0 = originator's stream, 1 = responder's */
} dir_ctx_t;

typedef struct app_conn {
    app_t *app;
    conn_t *conn;
    reasm_dir_t dir[2];
    dir_ctx_t ctx[2];
    app_session_t session;
} app_conn_t;

static void on_data(void *ctx, const uint8_t *p, size_t len, uint64_t off, uint64_t frame,
                    ts_ns_t ts)
{
    dir_ctx_t *d = ctx;
    app_conn_t *ac = d->ac;
    app_stream_data(&ac->app->proto, &ac->session, ac->conn, d->side == 0, p, len, off, frame, ts);
}

static void on_gap(void *ctx, uint64_t off, uint64_t len)
{
    dir_ctx_t *d = ctx;
    conn_note_gap(d->ac->conn, d->side, len);
    app_stream_gap(&d->ac->app->proto, &d->ac->session, d->ac->conn, d->side == 0, off, len);
}

static void on_end(void *ctx, uint64_t off, reasm_end_t how)
{
    dir_ctx_t *d = ctx;
    (void)off, (void)how;
    app_stream_end(&d->ac->app->proto, &d->ac->session, d->ac->conn, d->side == 0);
}

static const reasm_sink_t sink = {on_data, on_gap, on_end};

app_t *app_new(const an_ctx_t *an)
{
    app_t *a = xcalloc(1, sizeof *a);
    a->an = an;
    app_proto_init(&a->proto, an);
    return a;
}

static app_conn_t *tcp_state(app_t *a, conn_t *c)
{
    if (c->app)
        return c->app;
    app_conn_t *ac = xcalloc(1, sizeof *ac);
    ac->app = a;
    ac->conn = c;
    for (int i = 0; i < 2; i++) {
        ac->ctx[i] = (dir_ctx_t){ac, (uint8_t)i};
        reasm_init(&ac->dir[i], &sink, &ac->ctx[i]);
    }
    c->app = ac;
    return ac;
}

void app_packet(app_t *a, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame, ts_ns_t ts)
{
    if (p->proto == IPPROTO_UDP) {
        if (p->payload_len)
            app_udp(&a->proto, c, p, is_orig, frame, ts);
        return;
    }
    if (p->proto != IPPROTO_TCP)
        return;
    /* Reassembly state is made at the first payload: most connections of a
     * scan or flood never carry any, and they should cost no more than the
     * connection record.  The ISNs of SYNs already seen are replayed so the
     * streams start at the right sequence number even if the first data
     * segment arrives out of order. */
    if (!c->app && p->payload_wire == 0)
        return;
    bool fresh = !c->app;
    app_conn_t *ac = tcp_state(a, c);
    if (fresh)
        for (int s = 0; s < 2; s++)
            if (c->ep[s].saw_syn)
                reasm_segment(&ac->dir[s], c->ep[s].isn, TCP_SYN, NULL, 0, 0, frame, ts);
    int side = is_orig ? 0 : 1;
    reasm_segment(&ac->dir[side], p->seq, p->tcp_flags, p->payload, p->payload_len, p->payload_wire,
                  frame, ts);
    if (p->tcp_flags & TCP_ACK)
        reasm_peer_ack(&ac->dir[1 - side], p->ack);
}

char *app_conn_finish(app_t *a, conn_t *c)
{
    /* only TCP connections carry an app_conn_t; UDP state is the analyser's */
    app_conn_t *ac = c->proto == IPPROTO_TCP ? c->app : NULL;
    if (!ac)
        return app_conn_done(&a->proto, NULL, c);
    for (int i = 0; i < 2; i++)
        reasm_finish(&ac->dir[i]);
    char *hint = app_conn_done(&a->proto, &ac->session, c);
    for (int i = 0; i < 2; i++) {
        /* what reassembly gave up or found contradictory goes to case.json */
        reasm_stats_t st;
        reasm_get_stats(&ac->dir[i], &st);
        if (st.cap_gaps)
            damage_note(a->an->damage, "limit.tcp_reassembly_buffer", c->first_frame);
        if (st.overlap_conflicts)
            damage_note(a->an->damage, "anomaly.tcp_overlap_conflict",
                        st.first_conflict_frame ? st.first_conflict_frame : c->first_frame);
        reasm_free(&ac->dir[i]);
    }
    free(ac);
    c->app = NULL;
    return hint;
}

void an_name_hint(conn_t *c, const char *name)
{
    app_conn_t *ac = c->proto == IPPROTO_TCP ? c->app : NULL;
    if (ac && !ac->session.name_hint)
        ac->session.name_hint = xstrdup(name);
}

void app_free(app_t *a)
{
    if (!a)
        return;
    app_proto_free(&a->proto);
    free(a);
}
