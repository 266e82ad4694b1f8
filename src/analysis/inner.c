/* inner.c — inner streams: a protocol carried inside another analyser's
 * protocol on one connection (HTTP inside decrypted TLS, anything inside a
 * CONNECT tunnel); see analyser.h.
 *
 * The inner analyser is a line of the same table as every other.  In
 * decrypted TLS: the one whose alpn the handshake chose, else the first
 * with an alpn whose detector takes the first plaintext bytes; it gets its
 * own copy of the outer analyser's context with decrypted set, so the
 * records it makes say where their bytes came from and the connection
 * keeps its service.  After STARTTLS: the analyser that ran before it,
 * resumed past the greeting.  In a tunnel: the first TCP entry whose detector takes
 * the first bytes, as the dispatcher chooses for a new connection — shown
 * a copy of the connection whose responder port is the CONNECT's target,
 * since port hints (SMTP's banner comes before any client byte) must see
 * where the client asked to go, not the proxy; its context counts the
 * tunnel, so its claim names both services.  A decrypted stream may be
 * taken by an announced connection's entry before any plaintext (an empty
 * FTP transfer under PROT P has none): an_inner_take_expected(). */
#include "analysis/analyser.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct an_inner {
    an_ctx_t ctx; /* the chosen entry's, decrypted; self NULL until chosen */
    conn_t *c;
    char *alpn;  /* owned copy, or NULL */
    void *state; /* the inner analyser's, once chosen */
    bool tunnel; /* a CONNECT tunnel: every TCP entry may take it */
    uint16_t target_port;
    uint64_t unread; /* bytes before an analyser took the stream */
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

an_inner_t *an_inner_new_starttls(const an_ctx_t *outer, conn_t *c)
{
    an_inner_t *in = an_inner_new(outer, c, NULL);
    if (!outer->starttls_from || !outer->starttls_from->ops)
        return in; /* nothing to resume: chosen by the bytes, as after a handshake */
    in->ctx.self = outer->starttls_from; /* chosen already: the protocol before the switch */
    in->state = in->ctx.self->ops->new (&in->ctx, c);
    return in;
}

an_inner_t *an_inner_new_tunnel(const an_ctx_t *outer, conn_t *c, uint16_t target_port)
{
    an_inner_t *in = xcalloc(1, sizeof *in);
    in->ctx = *outer;
    in->ctx.self = NULL;
    in->ctx.tunnel++;
    in->c = c;
    in->tunnel = true;
    in->target_port = target_port;
    return in;
}

/* Can entry a run on this inner stream?  In a tunnel every TCP entry; in
 * decrypted TLS those named by an ALPN, the announced connections
 * (AN_EXPECTED: an FTP data channel under PROT P) and those with implicit
 * TLS ports. */
static bool eligible(const an_inner_t *in, const analyser_t *a)
{
    return a->ops && (a->transport & AN_TCP) &&
           (in->tunnel || a->alpn || a->tls_ports || (a->flags & AN_EXPECTED));
}

/* Does eligible entry a take these bytes on connection seen? */
static bool takes(const an_inner_t *in, const analyser_t *a, const conn_t *seen, bool is_orig,
                  const uint8_t *p, size_t n)
{
    an_ctx_t probe = in->ctx; /* detectors see the entry they would run as */
    probe.self = a;
    return eligible(in, a) && a->detect(&probe, seen, is_orig, p, n);
}

/* The entry for an inner stream, or NULL: the one the ALPN names; else an
 * announced connection's (ftp-data: the file may start with any bytes);
 * else, in TLS, the one whose implicit-TLS port the server listens on
 * (IMAPS, POP3S, SMTPS, FTPS, DNS over TLS: the protocol starts with the
 * plaintext, greeting included); else the first that takes these bytes. */
static const analyser_t *choose_inner(const an_inner_t *in, bool is_orig, const uint8_t *p,
                                      size_t n)
{
    for (const analyser_t *a = analysers; in->alpn && a->name; a++)
        if (a->alpn && a->ops && strcmp(a->alpn, in->alpn) == 0)
            return a;
    conn_t seen = *in->c; /* a tunnel's as if to its target (shallow: detectors only read) */
    if (in->tunnel)
        seen.resp_p = in->target_port;
    for (const analyser_t *a = analysers; a->name; a++)
        if ((a->flags & AN_EXPECTED) && takes(in, a, &seen, is_orig, p, n))
            return a;
    for (const analyser_t *a = analysers; !in->tunnel && a->name; a++)
        if (a->ops && a->tls_ports && an_port_in(a->tls_ports, in->c->resp_p))
            return a;
    for (const analyser_t *a = analysers; a->name; a++)
        if (!(a->flags & AN_EXPECTED) && takes(in, a, &seen, is_orig, p, n))
            return a;
    return NULL;
}

/* STARTTLS inside the stream (SMTP through a tunnel): as the dispatcher
 * does on a connection, the client's TLS hello after it finishes the
 * plain-text analyser and the TLS entry reads the rest, hello included. */
static void after_starttls(an_inner_t *in, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                           ts_ns_t ts)
{
    if (!is_orig || !(in->ctx.self->flags & AN_STARTTLS))
        return;
    for (const analyser_t *a = analysers; a->name; a++) {
        if (!a->after_starttls || !a->ops)
            continue;
        if (!a->after_starttls(p, n))
            return;
        in->ctx.self->ops->finish(in->state);
        if (in->ctx.self->flags & AN_STARTTLS_RESUMES)
            in->ctx.starttls_from = in->ctx.self;
        in->ctx.self = a;
        in->state = a->ops->new (&in->ctx, in->c);
        a->ops->data(in->state, is_orig, p, n, frame, ts);
        return;
    }
}

void an_inner_data(an_inner_t *in, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts)
{
    if (!n)
        return;
    if (!in->ctx.self) {
        /* bytes before an analyser takes the stream are not any protocol we read */
        const analyser_t *a = choose_inner(in, is_orig, p, n);
        if (!a) {
            in->unread += n;
            return;
        }
        in->ctx.self = a;
        in->state = a->ops->new (&in->ctx, in->c);
    }
    in->ctx.self->ops->data(in->state, is_orig, p, n, frame, ts);
    after_starttls(in, is_orig, p, n, frame, ts);
}

/* Does the ALPN name an entry (which then takes the stream, whatever its
 * bytes)? */
static bool alpn_named(const an_inner_t *in)
{
    for (const analyser_t *a = analysers; in->alpn && a->name; a++)
        if (a->alpn && a->ops && strcmp(a->alpn, in->alpn) == 0)
            return true;
    return false;
}

bool an_inner_take_expected(an_inner_t *in)
{
    if (in->ctx.self || in->unread || in->tunnel || alpn_named(in))
        return in->ctx.self != NULL;
    for (const analyser_t *a = analysers; a->name; a++) {
        if (!(a->flags & AN_EXPECTED) || !takes(in, a, in->c, true, NULL, 0))
            continue;
        in->ctx.self = a;
        in->state = a->ops->new (&in->ctx, in->c);
        return true;
    }
    return false;
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

uint64_t an_inner_unread(const an_inner_t *in)
{
    return in->unread;
}

/* Zeek's service list of a connection whose CONNECT tunnel carried name. */
static const struct {
    const char *inner, *service;
} tunnel_services[] = {
    {"ssl", "http,ssl"},         {"http", "http"},      {"dns", "http,dns"},
    {"smb", "http,smb"},         {"ftp", "http,ftp"},   {"smtp", "http,smtp"},
    {"pop3", "http,pop3"},       {"imap", "http,imap"}, {"ftp-data", "http,ftp-data"},
    {"krb_tcp", "http,krb_tcp"},
};

const char *an_tunnel_service(const char *name)
{
    for (size_t i = 0; i < sizeof tunnel_services / sizeof *tunnel_services; i++)
        if (strcmp(tunnel_services[i].inner, name) == 0)
            return tunnel_services[i].service;
    return "http";
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
