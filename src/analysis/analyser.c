/* analyser.c — helpers every analyser shares; see analyser.h. */
#include "analysis/analyser.h"

#include <string.h>

void an_conn_ident(const conn_t *c, conn_ident_t *out)
{
    memcpy(out->uid, c->uid, sizeof out->uid);
    out->orig = c->orig, out->resp = c->resp;
    out->orig_p = c->orig_p, out->resp_p = c->resp_p;
}
