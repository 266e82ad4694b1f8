/* inner.c — inner streams: a protocol carried inside another analyser's
 * protocol on one connection (HTTP inside decrypted TLS); see analyser.h.
 *
 * The inner analyser is a line of the same table as every other: the one
 * whose alpn the handshake chose, else the first with an alpn whose
 * detector takes the first plaintext bytes.  It gets its own copy of the
 * outer analyser's context with decrypted set, so the records it makes say
 * where their bytes came from and the connection keeps its service. */
#include "analysis/analyser.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct an_inner {
    an_ctx_t ctx; /* the chosen entry's, decrypted; self NULL until chosen */
    conn_t *c;
    char *alpn;  /* owned copy, or NULL */
    void *state; /* the inner analyser's, once chosen */
};

an_inner_t *an_inner_new(const an_ctx_t *outer, conn_t *c, const char *alpn)
{
    an_inner_t *in = xcalloc(1, sizeof *in);
    in->ctx = *outer;
    in->ctx.self = NULL;
    in->ctx.decrypted = true;
    in->c = c;
    in->alpn = alpn ? xstrdup(alpn) : NULL;
    return in;
}

/* The entry named by the ALPN, else the first inner-capable one that takes
 * these bytes, or NULL. */
static const analyser_t *choose_inner(const an_inner_t *in, bool is_orig, const uint8_t *p,
                                      size_t n)
{
    for (const analyser_t *a = analysers; in->alpn && a->name; a++)
        if (a->alpn && a->ops && strcmp(a->alpn, in->alpn) == 0)
            return a;
    for (const analyser_t *a = analysers; a->name; a++) {
        an_ctx_t probe = in->ctx; /* detectors see the entry they would run as */
        probe.self = a;
        if (a->alpn && a->ops && (a->transport & AN_TCP) && a->detect(&probe, in->c, is_orig, p, n))
            return a;
    }
    return NULL;
}

void an_inner_data(an_inner_t *in, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts)
{
    if (!n)
        return;
    if (!in->ctx.self) {
        /* bytes before an analyser takes the stream are not any protocol we read */
        const analyser_t *a = choose_inner(in, is_orig, p, n);
        if (!a)
            return;
        in->ctx.self = a;
        in->state = a->ops->new (&in->ctx, in->c);
    }
    in->ctx.self->ops->data(in->state, is_orig, p, n, frame, ts);
}

void an_inner_gap(an_inner_t *in, bool is_orig, uint64_t len)
{
    if (in->state && in->ctx.self->ops->gap)
        in->ctx.self->ops->gap(in->state, is_orig, len);
}

void an_inner_end(an_inner_t *in, bool is_orig)
{
    if (in->state && in->ctx.self->ops->end)
        in->ctx.self->ops->end(in->state, is_orig);
}

const char *an_inner_name(const an_inner_t *in)
{
    return in->ctx.self ? in->ctx.self->name : NULL;
}

void an_inner_finish(an_inner_t *in)
{
    if (!in)
        return;
    if (in->state)
        in->ctx.self->ops->finish(in->state);
    free(in->alpn);
    free(in);
}
