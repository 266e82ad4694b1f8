/* http_doh.c — DNS over HTTPS into DNS records; see http_doh.h. */
#include "analysis/http_doh.h"

#include "core/xalloc.h"
#include "proto/dns.h"
#include "proto/doh.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Parse one DoH message; false (counted) when it is not DNS. */
static bool parse(const an_ctx_t *ctx, const uint8_t *p, size_t n, uint64_t frame, dns_msg_t *m)
{
    if (!dns_parse(p, n, m)) {
        damage_note(ctx->damage, m->error, frame);
        dns_msg_free(m);
        return false;
    }
    if (m->error)
        damage_note(ctx->damage, m->error, frame);
    return true;
}

/* The answer's addresses go to passive DNS, as for any DNS answer. */
static void sightings(const an_ctx_t *ctx, const dns_exchange_t *x)
{
    const dns_msg_t *qs = dns_exchange_question(x), *r = x->response;
    if (!r || !qs->qname)
        return;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].family) {
            name_sighting_t n = {.name = qs->qname, .ts = x->response_ts};
            n.addr.family = r->answers[i].family;
            memcpy(n.addr.a, r->answers[i].addr, n.addr.family == 4 ? 4 : 16);
            ctx->records->name_seen(ctx->records->ctx, &n);
        }
}

void http_doh_exchange(const an_ctx_t *ctx, const conn_t *c, const http_txn_t *t,
                       const doh_body_t *req, const doh_body_t *resp)
{
    uint8_t *get = NULL;
    size_t nget = 0;
    doh_body_t q = *req;
    if (!q.n && t->method && strcmp(t->method, "GET") == 0 && t->uri) {
        get = xmalloc(DOH_MAX_MESSAGE);
        if (doh_query_from_uri(t->uri, get, DOH_MAX_MESSAGE, &nget))
            q = (doh_body_t){get, nget, t->req.first_frame, t->req.ts};
    }
    dns_msg_t qm, rm;
    bool hq = q.n && parse(ctx, q.p, q.n, q.frame, &qm);
    bool hr = resp->n && parse(ctx, resp->p, resp->n, resp->frame, &rm);
    if (hq || hr) {
        dns_exchange_t x = {.tcp = true,
                            .transport = ctx->decrypted ? "doh" : "doh-cleartext",
                            .query = hq ? &qm : NULL,
                            .response = hr ? &rm : NULL,
                            .query_ts = q.ts,
                            .response_ts = resp->ts,
                            .query_frame = q.frame,
                            .response_frame = resp->frame};
        an_conn_ident(c, &x.conn);
        ctx->records->dns(ctx->records->ctx, &x);
        sightings(ctx, &x);
    }
    if (hq)
        dns_msg_free(&qm);
    if (hr)
        dns_msg_free(&rm);
    free(get);
}
