/* app_localnames.c — see app_localnames.h. */
#include "analysis/app_localnames.h"

#include "core/xalloc.h"
#include "proto/localnames.h"

#include <stdlib.h>
#include <string.h>

typedef struct names_state {
    const an_ctx_t *ctx;
} names_state_t;

static void *names_new(const an_ctx_t *ctx, conn_t *c)
{
    (void)c;
    names_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    return s;
}

static void report(const names_state_t *s, const localname_t *v, size_t n, ts_ns_t ts)
{
    for (size_t i = 0; i < n; i++) {
        name_sighting_t ns = {.name = v[i].name, .addr = {.family = 4}, .ts = ts};
        memcpy(ns.addr.a, v[i].addr, 4);
        s->ctx->records->name_seen(s->ctx->records->ctx, &ns);
    }
}

static void dhcp_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    (void)is_orig, (void)frame;
    localname_t v;
    report(state, &v, dhcp_host_name(p, n, &v), ts);
}

static void nbns_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    (void)is_orig, (void)frame;
    localname_t v[NBNS_MAX_NAMES];
    report(state, v, nbns_names(p, n, v, NBNS_MAX_NAMES), ts);
}

static void names_finish(void *state)
{
    free(state);
}

const analyser_ops_t app_dhcp_ops = {names_new, dhcp_data, NULL, NULL, names_finish, NULL, NULL};
const analyser_ops_t app_nbns_ops = {names_new, nbns_data, NULL, NULL, names_finish, NULL, NULL};

bool app_dhcp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return an_port_in(ctx->self->ports, c->orig_p) && an_port_in(ctx->self->ports, c->resp_p);
}
