/* tcpseries.c — see tcpseries.h. */
#include "tcpseries.h"
#include "tcpseq.h"

#include "capture/capture.h"
#include "core/damage.h"
#include "core/xalloc.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void tcp_track_init(tcp_track_t *t)
{
    memset(t, 0, sizeof *t);
    t->side[0].wscale = t->side[1].wscale = -1;
}

bool tcp_track_scaled(const tcp_track_t *t)
{
    return t->side[0].syn_seen && t->side[1].syn_seen && t->side[0].wscale >= 0 &&
           t->side[1].wscale >= 0;
}

/* Sent and not yet acknowledged by the other side. */
static uint32_t in_flight(const tcp_side_t *s)
{
    if (!s->init)
        return 0;
    uint32_t out = !s->acked                            ? s->snd_max
                   : tcp_seq_lt(s->ack_max, s->snd_max) ? s->snd_max - s->ack_max
                                                        : 0;
    /* SYN and FIN take a sequence number but are not bytes */
    if (out && s->syn_seen && !s->acked)
        out--;
    if (out && s->fin_sent && (!s->acked || !tcp_seq_lt(s->fin_seq, s->ack_max)))
        out--;
    return out > s->sacked ? out - s->sacked : 0;
}

void tcp_track_packet(tcp_track_t *t, const packet_t *p, uint64_t frame, ts_ns_t ts, bool fwd,
                      tcp_sample_t *out)
{
    tcp_side_t *me = &t->side[fwd ? 0 : 1], *peer = &t->side[fwd ? 1 : 0];
    bool syn = (p->tcp_flags & TCP_SYN) != 0;
    if (syn && !me->syn_seen) {
        /* the SYN sets the ISN, even after a stray segment was seen first */
        me->isn = p->seq;
        me->init = true;
        me->syn_seen = true;
        me->wscale = p->wscale;
        me->snd_max = 0;
    } else if (!me->init) {
        me->isn = p->seq;
        me->init = true;
        me->snd_max = 0;
    }
    uint32_t rel = p->seq - me->isn;
    uint32_t len = p->payload_wire;
    /* SYN and FIN take one sequence number each */
    uint32_t end = rel + len + (syn ? 1u : 0u) + ((p->tcp_flags & TCP_FIN) ? 1u : 0u);
    tcp_sender_t view = {me->snd_max, me->advanced, me->last_ack, me->last_ack_ts, me->dupacks};
    tcp_resend_class_t cls =
        tcp_retrans_wireshark(&view, rel, len, p->tcp_flags, ts, tcp_handshake_rtt(&t->hs));
    if ((p->tcp_flags & TCP_FIN) && !me->fin_sent)
        me->fin_sent = true, me->fin_seq = end - 1u;
    if (tcp_seq_lt(me->snd_max, end)) {
        me->snd_max = end;
        me->advanced = ts;
    }
    tcp_handshake_note(&t->hs, fwd, p->tcp_flags, ts);
    uint32_t ack = 0;
    if ((p->tcp_flags & TCP_ACK) && peer->init) {
        ack = p->ack - peer->isn;
        if (!peer->acked || tcp_seq_lt(peer->ack_max, ack))
            peer->ack_max = ack;
        bool pure = len == 0 && !(p->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST));
        if (peer->acked && pure && ack == peer->last_ack && p->win == peer->last_win) {
            peer->dupacks++;
        } else if (!peer->acked || ack != peer->last_ack) {
            peer->dupacks = 0;
        }
        peer->last_ack = ack, peer->last_win = p->win, peer->last_ack_ts = ts;
        peer->acked = true;
        peer->sacked = 0;
        for (unsigned i = 0; i < p->nsack; i++) {
            uint32_t le = p->sack[i][0] - peer->isn, re = p->sack[i][1] - peer->isn;
            if (tcp_seq_lt(le, peer->ack_max))
                le = peer->ack_max;
            if (tcp_seq_lt(le, re))
                peer->sacked += re - le;
        }
    }
    uint64_t win = p->win;
    if (!syn && tcp_track_scaled(t))
        win <<= me->wscale;
    *out = (tcp_sample_t){.ts = ts,
                          .frame = frame,
                          .seq = rel,
                          .ack = ack,
                          .len = len,
                          .in_flight = in_flight(me),
                          .peer_in_flight = in_flight(peer),
                          .win = win,
                          .flags = p->tcp_flags,
                          .fwd = fwd,
                          .retrans = cls == TCP_SEG_RETRANS,
                          .out_of_order = cls == TCP_SEG_OUT_OF_ORDER};
}

bool tcp_endpoints_match(const packet_t *p, const ipaddr_t *a, uint16_t ap, const ipaddr_t *b,
                         uint16_t bp, bool *fwd)
{
    if (p->proto != IPPROTO_TCP)
        return false;
    if (p->sport == ap && p->dport == bp && ipaddr_eq(&p->src, a) && ipaddr_eq(&p->dst, b))
        return (*fwd = true);
    if (p->sport == bp && p->dport == ap && ipaddr_eq(&p->src, b) && ipaddr_eq(&p->dst, a))
        return !(*fwd = false);
    return false;
}

int tcpseries_collect(const char *path, tcp_series_t *series, size_t n, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    capture_t *cap = capture_open_ex(path, false, err, errlen);
    if (!cap)
        return -1;
    uint64_t from = UINT64_MAX, to = 0;
    tcp_track_t *tracks = xcalloc(n, sizeof *tracks);
    for (size_t i = 0; i < n; i++) {
        tcp_track_init(&tracks[i]);
        if (series[i].first_frame < from)
            from = series[i].first_frame;
        if (series[i].last_frame > to)
            to = series[i].last_frame;
    }
    damage_t dmg = {0};
    decoder_t dec;
    decoder_init(&dec, &dmg);
    capture_pkt_t cp;
    packet_t p;
    while (capture_next(cap, &cp) == 1 && cp.frame <= to) {
        /* IP fragments must pass through the decoder even outside the
         * range, or a reassembled segment at its start would be missed */
        if (!decode_frame(&dec, cp.linktype, cp.data, cp.caplen, cp.frame, cp.ts, &p) ||
            cp.frame < from || p.proto != IPPROTO_TCP)
            continue;
        for (size_t i = 0; i < n; i++) {
            tcp_series_t *s = &series[i];
            bool fwd;
            if (cp.frame < s->first_frame || cp.frame > s->last_frame ||
                !tcp_endpoints_match(&p, &s->orig, s->orig_p, &s->resp, s->resp_p, &fwd))
                continue;
            tcp_sample_t smp;
            tcp_track_packet(&tracks[i], &p, cp.frame, cp.ts, fwd, &smp);
            if (s->n >= TCPSERIES_MAX_SAMPLES) {
                s->dropped++;
                continue;
            }
            if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 1024;
                s->s = xreallocarray(s->s, s->cap, sizeof *s->s);
            }
            s->s[s->n++] = smp;
        }
    }
    for (size_t i = 0; i < n; i++)
        series[i].scaled = tcp_track_scaled(&tracks[i]);
    free(tracks);
    decoder_free(&dec);
    damage_free(&dmg);
    capture_close(cap);
    return 0;
}

bool tcp_segs_add(tcp_segs_t *g, const packet_t *p, uint64_t frame, ts_ns_t ts, bool fwd)
{
    if (g->n == 0 && g->dropped == 0)
        g->first_frame = frame;
    if (frame - g->first_frame > UINT32_MAX)
        return false;
    if (g->n >= TCPSERIES_MAX_SAMPLES) {
        int side = fwd ? 0 : 1;
        if ((p->tcp_flags & TCP_SYN) && !g->late_syn[side])
            g->late_syn[side] = true, g->late_wscale[side] = p->wscale;
        g->dropped++;
        return true;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4;
        if (g->cap > TCPSERIES_MAX_SAMPLES)
            g->cap = TCPSERIES_MAX_SAMPLES;
        g->seg = xreallocarray(g->seg, g->cap, sizeof *g->seg);
    }
    unsigned nsack = p->nsack;
    if (nsack && g->nsack + nsack > g->sack_cap) {
        g->sack_cap = g->sack_cap ? g->sack_cap * 2 : 8;
        if (g->sack_cap < g->nsack + nsack)
            g->sack_cap = g->nsack + nsack;
        g->sack = xreallocarray(g->sack, g->sack_cap, sizeof *g->sack);
    }
    for (unsigned i = 0; i < nsack; i++)
        g->sack[g->nsack + i][0] = p->sack[i][0], g->sack[g->nsack + i][1] = p->sack[i][1];
    g->nsack += nsack;
    g->seg[g->n++] = (tcp_kept_seg_t){.ts = ts,
                                      .frame_off = (uint32_t)(frame - g->first_frame),
                                      .seq = p->seq,
                                      .ack = p->ack,
                                      .len = p->payload_wire,
                                      .win = p->win,
                                      .flags = p->tcp_flags,
                                      .wscale = p->wscale,
                                      .nsack = (uint8_t)nsack,
                                      .fwd = fwd};
    return true;
}

size_t tcp_segs_held(const tcp_segs_t *g)
{
    return g->n + g->nsack;
}

void tcp_segs_reverse(tcp_segs_t *g)
{
    for (size_t i = 0; i < g->n; i++)
        g->seg[i].fwd = !g->seg[i].fwd;
    bool syn = g->late_syn[0];
    int8_t ws = g->late_wscale[0];
    g->late_syn[0] = g->late_syn[1], g->late_wscale[0] = g->late_wscale[1];
    g->late_syn[1] = syn, g->late_wscale[1] = ws;
}

void tcp_segs_free(tcp_segs_t *g)
{
    free(g->seg);
    free(g->sack);
    g->seg = NULL;
    g->sack = NULL;
    g->n = g->cap = g->nsack = g->sack_cap = 0;
}

void tcpseries_from_segs(const tcp_segs_t *g, tcp_series_t *s)
{
    tcp_track_t t;
    tcp_track_init(&t);
    s->s = xreallocarray(NULL, g->n ? g->n : 1, sizeof *s->s);
    s->n = s->cap = g->n;
    s->dropped = g->dropped;
    packet_t p;
    memset(&p, 0, sizeof p);
    p.proto = IPPROTO_TCP;
    size_t sk = 0;
    for (size_t i = 0; i < g->n; i++) {
        const tcp_kept_seg_t *e = &g->seg[i];
        p.seq = e->seq, p.ack = e->ack, p.payload_wire = e->len;
        p.win = e->win, p.tcp_flags = e->flags, p.wscale = e->wscale;
        p.nsack = e->nsack;
        for (unsigned k = 0; k < e->nsack; k++, sk++)
            p.sack[k][0] = g->sack[sk][0], p.sack[k][1] = g->sack[sk][1];
        tcp_track_packet(&t, &p, g->first_frame + e->frame_off, e->ts, e->fwd, &s->s[i]);
    }
    for (int d = 0; d < 2; d++)
        if (g->late_syn[d] && !t.side[d].syn_seen)
            t.side[d].syn_seen = true, t.side[d].wscale = g->late_wscale[d];
    s->scaled = tcp_track_scaled(&t);
}

void tcpseries_free(tcp_series_t *s)
{
    free(s->s);
    s->s = NULL;
    s->n = s->cap = 0;
}
