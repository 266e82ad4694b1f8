/* app.c — application-layer dispatch; see app.h.
 *
 * Work in progress: the DNS, HTTP and TLS analysers are being wired in; until
 * then connections are tracked at the transport layer only. */
#include "app.h"

#include "core/xalloc.h"

#include <stdlib.h>

struct app {
    const analysis_opts_t *opts;
    capture_result_t *res;
};

app_t *app_new(const analysis_opts_t *opts, capture_result_t *res)
{
    app_t *a = xcalloc(1, sizeof *a);
    a->opts = opts;
    a->res = res;
    return a;
}

void app_packet(app_t *a, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame, ts_ns_t ts)
{
    (void)a, (void)c, (void)p, (void)is_orig, (void)frame, (void)ts;
}

void app_conn_finish(app_t *a, conn_t *c) { (void)a, (void)c; }

char *app_take_name_hint(app_t *a, conn_t *c)
{
    (void)a, (void)c;
    return NULL;
}

void app_free(app_t *a) { free(a); }
