/* analyser.c — helpers every analyser shares; see analyser.h. */
#include "analysis/analyser.h"

#include "proto/filemagic.h"
#include "proto/x509.h"

#include <string.h>

bool an_port_in(const uint16_t *ports, uint16_t port)
{
    for (; ports && *ports; ports++)
        if (*ports == port)
            return true;
    return false;
}

bool an_detect_any_port(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                        size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return an_port_in(ctx->self->ports, c->orig_p) || an_port_in(ctx->self->ports, c->resp_p);
}

bool an_detect_server_port(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                           size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return an_port_in(ctx->self->ports, c->resp_p);
}

void an_unread(const an_ctx_t *ctx, const conn_t *c, const char *why)
{
    an_ctx_t probe = *ctx; /* each entry is told as itself */
    for (const analyser_t *a = analysers; a->name; a++) {
        if (!(a->flags & AN_EXPECTED) || !a->ops || !a->ops->unread)
            continue;
        probe.self = a;
        a->ops->unread(&probe, c, why);
    }
}

struct x509_cache *an_x509_cache(const an_ctx_t *ctx)
{
    if (!ctx->shared->x509)
        ctx->shared->x509 = x509_cache_new();
    return ctx->shared->x509;
}

filemagic_t *an_magic(const an_ctx_t *ctx, uint64_t frame)
{
    an_shared_t *sh = ctx->shared;
    if (!sh->magic && !sh->magic_failed) {
        char err[256];
        sh->magic = filemagic_open(err, sizeof err);
        if (!sh->magic) {
            sh->magic_failed = true;
            damage_note(ctx->damage, "limit.libmagic_unavailable", frame);
        }
    }
    return sh->magic;
}

void an_credential(const an_ctx_t *ctx, const conn_t *c, const char *proto, const proto_cred_t *pc,
                   ts_ns_t ts, uint64_t frame)
{
    credential_t cr = {.ts = ts,
                       .proto = proto,
                       .username = pc->user,
                       .has_password = pc->secret && pc->secret[0],
                       .frame = frame,
                       .mechanism = pc->mechanism,
                       .domain = pc->domain,
                       .host = pc->host,
                       .secret = pc->secret,
                       .hashed = pc->secret_is_hash,
                       .outcome = pc->outcome == CRED_ACCEPTED   ? "accepted"
                                  : pc->outcome == CRED_REJECTED ? "rejected"
                                                                 : NULL,
                       .decrypted = ctx->decrypted};
    an_conn_ident(c, &cr.conn);
    ctx->records->credential(ctx->records->ctx, &cr);
}

void an_claim(const an_ctx_t *ctx, conn_t *c)
{
    if (ctx->decrypted)
        return;
    c->service = ctx->tunnel ? an_tunnel_service(ctx->self->name) : ctx->self->name;
}

void an_conn_ident(const conn_t *c, conn_ident_t *out)
{
    memcpy(out->uid, c->uid, sizeof out->uid);
    out->orig = c->orig, out->resp = c->resp;
    out->orig_p = c->orig_p, out->resp_p = c->resp_p;
}

void an_conn_record(const conn_t *c, conn_rec_t *o)
{
    memset(o, 0, sizeof *o);
    o->ts = c->first_ts;
    o->last_ts = c->last_ts;
    o->rtt_syn = conn_rtt_syn(c);
    o->orig = c->orig, o->resp = c->resp;
    o->orig_p = c->orig_p, o->resp_p = c->resp_p;
    o->vlan = c->vlan;
    o->proto = c->proto;
    o->state_idx = conn_state_index(conn_state_name(c));
    memcpy(o->uid, c->uid, sizeof o->uid);
    memcpy(o->history, c->history, sizeof o->history);
    o->service = c->service;
    o->orig_bytes = conn_size(c, 0);
    o->resp_bytes = conn_size(c, 1);
    o->missed_bytes = c->missed_bytes;
    o->orig_pkts = c->ep[0].pkts, o->resp_pkts = c->ep[1].pkts;
    o->orig_ip_bytes = c->ep[0].ip_bytes, o->resp_ip_bytes = c->ep[1].ip_bytes;
    o->first_frame = c->first_frame, o->last_frame = c->last_frame;
    o->retransmits = c->ep[0].retransmits + c->ep[1].retransmits;
    o->zero_windows = c->ep[0].zero_windows + c->ep[1].zero_windows;
    o->has_mac = c->has_mac;
    memcpy(o->mac_orig, c->mac_orig, 6);
    memcpy(o->mac_resp, c->mac_resp, 6);
}
