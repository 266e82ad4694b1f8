/* app_proto.c — driving the protocol analysers; see app_proto.h.
 *
 * In progress: the DNS, HTTP and TLS analysers (src/proto/) are being wired
 * in here.  Until then streams are reassembled (gaps are counted) but no
 * application logs are produced. */
#include "app_proto.h"

#include <stdlib.h>

void app_proto_init(app_proto_ctx_t *ctx, const analysis_opts_t *opts, capture_result_t *res)
{
    ctx->opts = opts;
    ctx->res = res;
    ctx->st = NULL;
}

void app_proto_free(app_proto_ctx_t *ctx) { (void)ctx; }

void app_udp(app_proto_ctx_t *ctx, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
             ts_ns_t ts)
{
    (void)ctx, (void)c, (void)p, (void)is_orig, (void)frame, (void)ts;
}

void app_stream_data(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig,
                     const uint8_t *data, size_t len, uint64_t off, uint64_t frame, ts_ns_t ts)
{
    (void)ctx, (void)s, (void)c, (void)is_orig, (void)data, (void)len, (void)off, (void)frame,
        (void)ts;
}

void app_stream_gap(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig, uint64_t off,
                    uint64_t len)
{
    (void)ctx, (void)s, (void)c, (void)is_orig, (void)off, (void)len;
}

void app_stream_end(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig)
{
    (void)ctx, (void)s, (void)c, (void)is_orig;
}

char *app_conn_done(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c)
{
    (void)ctx, (void)c;
    if (!s)
        return NULL;
    char *hint = s->name_hint;
    s->name_hint = NULL;
    return hint;
}
