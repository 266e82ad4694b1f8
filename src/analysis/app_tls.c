/* app_tls.c — see app_tls.h. */
#include "analysis/app_tls.h"

#include "core/cursor.h"
#include "core/xalloc.h"
#include "proto/tls.h"
#include "proto/x509.h"

#include <stdlib.h>
#include <string.h>

/* RFC 8446 §5.1 and §4: a record header is 5 bytes; handshake type 1 is
 * ClientHello. */
#define TLS_RECORD_HEADER_LEN 5
#define TLS_HANDSHAKE_CLIENT_HELLO 1

typedef struct tls_state {
    const an_ctx_t *an;
    conn_t *c;
    tls_stream_t *t;
    ts_ns_t ts;
    uint64_t frame, cert_frame;
} tls_state_t;

static void *ssl_new(const an_ctx_t *an, conn_t *c)
{
    tls_state_t *s = xcalloc(1, sizeof *s);
    s->an = an;
    s->c = c;
    s->t = tls_new();
    an_claim(an, c);
    return s;
}

static void ssl_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    tls_state_t *s = state;
    if (!s->frame) {
        s->frame = frame;
        s->ts = ts;
    }
    size_t before = tls_info(s->t)->nchain;
    tls_data(s->t, is_orig, p, n);
    if (!before && tls_info(s->t)->nchain)
        s->cert_frame = frame;
}

static void ssl_gap(void *state, bool is_orig, uint64_t len)
{
    tls_state_t *s = state;
    (void)len; /* the record layer is lost in that direction, whatever the length */
    tls_gap(s->t, is_orig);
}

/* A certificate chain as parsed: fingerprints for the ssl row and the
 * fields of each certificate (ok[i] false where one did not parse). */
typedef struct chain {
    x509_info_t x[TLS_MAX_CHAIN];
    bool ok[TLS_MAX_CHAIN];
    const char *fp[TLS_MAX_CHAIN];
} chain_t;

/* Parse every certificate of a chain, keep its DER as evidence and report
 * the sighting. */
static void read_chain(const tls_state_t *s, const tls_der_t *der, size_t n, chain_t *out)
{
    const an_ctx_t *an = s->an;
    for (size_t i = 0; i < n; i++) {
        x509_info_t *x = &out->x[i];
        const char *err = NULL;
        /* a certificate OpenSSL cannot read is still evidence: its DER is
         * kept and its row has the digests and a note */
        out->ok[i] = x509_parse(der[i].der, der[i].len, x, &err);
        if (!out->ok[i])
            damage_note(an->damage, err, s->cert_frame);
        out->fp[i] = x->sha256;
        if (an->evidence)
            an->evidence->save_certificate(an->evidence->ctx, x->sha256, der[i].der, der[i].len,
                                           s->cert_frame);
        cert_sighting_t cs = {.ts = s->ts,
                              .frame = s->cert_frame,
                              .cert = x,
                              .expired_at_capture = x509_expired_at(x, s->ts / NS_PER_SEC)};
        an_conn_ident(s->c, &cs.conn);
        an->records->certificate(an->records->ctx, &cs);
    }
}

static void free_chain(chain_t *ch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x509_info_free(&ch->x[i]);
}

/* Report the handshake and its certificates, free. */
static void ssl_finish(void *state)
{
    tls_state_t *s = state;
    const tls_info_t *in = tls_info(s->t);
    const an_ctx_t *an = s->an;
    if (in->damaged)
        damage_note(an->damage, in->damaged, s->frame);
    chain_t server, client;
    read_chain(s, in->chain, in->nchain, &server);
    read_chain(s, in->client_chain, in->nclient_chain, &client);
    ssl_record_t r = {.ts = s->ts,
                      .frame = s->frame,
                      .tls = in,
                      .chain_fps = server.fp,
                      .client_chain_fps = client.fp};
    an_conn_ident(s->c, &r.conn);
    if (in->nchain && server.ok[0]) {
        const x509_info_t *leaf = &server.x[0];
        r.leaf = leaf;
        r.leaf_expired = x509_expired_at(leaf, s->ts / NS_PER_SEC);
        r.sni_mismatch = in->sni && !x509_matches_name(leaf, in->sni);
    }
    an->records->ssl(an->records->ctx, &r);
    if (in->sni)
        an_name_hint(s->c, in->sni);
    free_chain(&server, in->nchain);
    free_chain(&client, in->nclient_chain);
    tls_free(s->t);
    free(s);
}

const analyser_ops_t app_tls_ops = {ssl_new, ssl_data, ssl_gap, NULL, ssl_finish, NULL};

bool app_tls_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)ctx, (void)c;
    return is_orig && tls_detect(p, n);
}

bool app_tls_client_hello(const uint8_t *p, size_t n)
{
    cursor_t cur = cursor_make(p, n);
    uint8_t type;
    return n > TLS_RECORD_HEADER_LEN && tls_detect(p, n) &&
           cursor_skip(&cur, TLS_RECORD_HEADER_LEN) && cursor_u8(&cur, &type) &&
           type == TLS_HANDSHAKE_CLIENT_HELLO;
}
