/* app_tls.c — see app_tls.h. */
#include "analysis/app_tls.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "proto/tls.h"
#include "proto/tls_decrypt.h"
#include "proto/x509.h"

#include <stdlib.h>
#include <string.h>

/* RFC 8446 §5.1 and §4: a record header is 5 bytes; handshake type 1 is
 * ClientHello. */
#define TLS_RECORD_HEADER_LEN 5
#define TLS_HANDSHAKE_CLIENT_HELLO 1

/* Client records kept until the ServerHello says which keys open them
 * (TLS 1.3 early data follows the ClientHello at once).  A client may send
 * at most max_early_data_size of 0-RTT data, which servers set to 16 KiB or
 * so; 256 KiB is generous and bounds a connection that never gets an
 * answer.  Records past it are dropped (counted as not decrypted). */
#define TLS_MAX_EARLY_RECORDS (256u << 10)

/* TLS record content types (RFC 8446 5.1). */
enum { TLS_CT_HANDSHAKE = 22, TLS_CT_APPLICATION_DATA = 23 };

typedef struct tls_state {
    const an_ctx_t *an;
    conn_t *c;
    tls_stream_t *t;
    ts_ns_t ts;
    uint64_t frame, cert_frame;
    /* decryption (only with a key log) */
    uint64_t cur_frame; /* the packet whose bytes are being read */
    ts_ns_t cur_ts;
    bool tried; /* the ServerHello came: dec or status is set */
    tls_decrypt_t *dec;
    tls_decrypt_status_t status;
    buf_t early;         /* client records before the ServerHello: [u32 len][record]... */
    uint64_t early_lost; /* records dropped past TLS_MAX_EARLY_RECORDS */
    an_inner_t *inner;   /* the protocol in the plaintext */
    bool opened;         /* a record was decrypted */
    /* The responder is the TLS client: its ClientHello came first.  An FTP
     * data connection in active mode under PROT P: the server connects,
     * the FTP client still runs TLS's client side (RFC 4217 section 9). */
    bool client_is_resp;
    bool started; /* a first byte came: client_is_resp is decided */
} tls_state_t;

/* Is the connection's side is_orig TLS's client? */
static bool client_side(const tls_state_t *s, bool is_orig)
{
    return is_orig != s->client_is_resp;
}

/* At the first record the keys open (a handshake message: before any
 * application data), the plaintext's analyser is made when the connection
 * is one another analyser announced (an FTP data connection under PROT P:
 * ftp-data takes it by addresses and port, so a transfer that carries no
 * byte is still its file, and is named by the transfer's reply); otherwise
 * it is chosen at the first application data, by its bytes.  Not before a
 * record was opened: keys that open nothing leave the transfer unread. */
static void expect_inside(tls_state_t *s)
{
    if (s->inner || s->an->starttls_from)
        return;
    s->inner = an_inner_new(s->an, s->c, tls_info(s->t)->alpn_chosen);
    if (!an_inner_take_expected(s->inner)) {
        an_inner_finish(s->inner);
        s->inner = NULL;
    }
}

/* Authenticated plaintext: handshake messages back to the handshake
 * parser (TLS 1.3 EncryptedExtensions and Certificate), application data
 * to the inner stream. */
static void on_plain(void *ctx, int dir, uint8_t type, const uint8_t *p, size_t n)
{
    tls_state_t *s = ctx;
    if (!s->opened) {
        s->opened = true;
        expect_inside(s);
    }
    if (type == TLS_CT_HANDSHAKE) {
        tls_handshake_plain(s->t, dir == 0, p, n); /* dir 0: TLS's client */
    } else if (type == TLS_CT_APPLICATION_DATA && n) {
        if (!s->inner)
            s->inner = s->an->starttls_from
                           ? an_inner_new_starttls(s->an, s->c)
                           : an_inner_new(s->an, s->c, tls_info(s->t)->alpn_chosen);
        an_inner_data(s->inner, (dir == 0) != s->client_is_resp, p, n, s->cur_frame, s->cur_ts);
    }
}

/* The ServerHello chose version and suite: find the session's keys. */
static void start_decrypting(tls_state_t *s)
{
    const tls_info_t *in = tls_info(s->t);
    tls_params_t p = {.version = in->server_version,
                      .cipher = in->cipher,
                      .encrypt_then_mac = in->encrypt_then_mac};
    memcpy(p.client_random, in->client_random, sizeof p.client_random);
    memcpy(p.server_random, in->server_random, sizeof p.server_random);
    s->dec = tls_decrypt_new(&p, keylog_find(s->an->opts->keys, in->client_random), &s->status);
    s->tried = true;
    if (!s->dec) /* an FTP data connection under PROT P: its transfer says so (and its
                  * ftp row names that files row) */
        an_unread(s->an, s->c, "tls_not_decrypted");
    for (size_t off = 0; s->dec && off < s->early.len;) {
        uint32_t len;
        memcpy(&len, s->early.data + off, sizeof len);
        tls_decrypt_record(s->dec, 0, s->early.data + off + sizeof len, len, on_plain, s);
        off += sizeof len + len;
    }
    buf_free(&s->early);
}

/* Every whole record, after tls.c parsed it. */
static void on_record(void *ctx, bool is_client, const uint8_t *rec, size_t n)
{
    tls_state_t *s = ctx;
    if (!s->tried && tls_info(s->t)->server_hello)
        start_decrypting(s);
    if (!s->tried) {
        if (!is_client)
            return;
        if (s->early.len + n + sizeof(uint32_t) > TLS_MAX_EARLY_RECORDS) {
            s->early_lost++;
            return;
        }
        uint32_t len = (uint32_t)n;
        buf_append(&s->early, &len, sizeof len);
        buf_append(&s->early, rec, n);
        return;
    }
    if (s->dec)
        tls_decrypt_record(s->dec, is_client ? 0 : 1, rec, n, on_plain, s);
}

static void *ssl_new(const an_ctx_t *an, conn_t *c)
{
    tls_state_t *s = xcalloc(1, sizeof *s);
    s->an = an;
    s->c = c;
    s->t = tls_new();
    s->early = (buf_t)BUF_INIT;
    if (an->opts->keys)
        tls_on_record(s->t, on_record, s);
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
    s->cur_frame = frame;
    s->cur_ts = ts;
    if (!s->started) /* only a ClientHello starts TLS from the responder (app_tls_detect) */
        s->client_is_resp = !is_orig;
    s->started = true;
    size_t before = tls_info(s->t)->nchain;
    tls_data(s->t, client_side(s, is_orig), p, n);
    if (!before && tls_info(s->t)->nchain)
        s->cert_frame = frame;
}

static void ssl_gap(void *state, bool is_orig, uint64_t len)
{
    tls_state_t *s = state;
    /* the record layer is lost in that direction, whatever the length */
    tls_gap(s->t, client_side(s, is_orig));
    if (s->dec)
        tls_decrypt_lost(s->dec, client_side(s, is_orig) ? 0 : 1);
    if (s->inner)
        an_inner_gap(s->inner, is_orig, len); /* at least this much plaintext is missing */
}

static void ssl_end(void *state, bool is_orig)
{
    tls_state_t *s = state;
    if (s->inner)
        an_inner_end(s->inner, is_orig);
}

/* What decryption gave, for the ssl record. */
static void decryption_outcome(const tls_state_t *s, const char *inner, ssl_record_t *r)
{
    if (!s->an->opts->keys)
        return;
    if (!s->tried) {
        r->decryption = SSL_DECRYPT_NO_SERVER_HELLO;
        return;
    }
    if (!s->dec) {
        r->decryption =
            s->status == TLS_DECRYPT_NO_KEYS ? SSL_DECRYPT_NO_KEY : SSL_DECRYPT_UNSUPPORTED;
        return;
    }
    for (int d = 0; d < 2; d++) {
        const tls_dir_stats_t *st = tls_decrypt_stats(s->dec, d);
        r->records_decrypted += st->decrypted;
        r->records_rejected += st->bad_auth + st->malformed;
    }
    r->decryption = r->records_decrypted ? SSL_DECRYPT_DONE : SSL_DECRYPT_FAILED;
    r->inner = inner;
}

/* A session of which nothing was decrypted (no keys, or keys that opened
 * nothing) is reported unread to the analysers of announced connections:
 * an FTP data connection's transfer says "tls_not_decrypted" (one without
 * keys was told already at its ServerHello; a data connection taken inside
 * is not told again). */
static void report_unread(const tls_state_t *s)
{
    if (!s->opened)
        an_unread(s->an, s->c, "tls_not_decrypted");
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
        out->ok[i] = x509_parse_cached(an_x509_cache(an), der[i].der, der[i].len, x, &err);
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

/* Report what was inside, then the handshake and its certificates; free. */
static void ssl_finish(void *state)
{
    tls_state_t *s = state;
    const tls_info_t *in = tls_info(s->t);
    const an_ctx_t *an = s->an;
    report_unread(s);
    /* the transactions first: records of one connection in time order */
    const char *inner = s->inner ? an_inner_name(s->inner) : NULL; /* static */
    an_inner_finish(s->inner);
    s->inner = NULL;
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
    decryption_outcome(s, inner, &r);
    if (s->early_lost)
        damage_note(an->damage, "limit.tls_early_records", s->frame);
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
    tls_decrypt_free(s->dec);
    buf_free(&s->early);
    tls_free(s->t);
    free(s);
}

const analyser_ops_t app_tls_ops = {ssl_new, ssl_data, ssl_gap, ssl_end, ssl_finish, NULL, NULL};

bool app_tls_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)ctx, (void)c;
    /* the responder starts TLS only as a client (active-mode FTPS data) */
    return is_orig ? tls_detect(p, n) : app_tls_client_hello(p, n);
}

bool app_tls_client_hello(const uint8_t *p, size_t n)
{
    cursor_t cur = cursor_make(p, n);
    uint8_t type;
    return n > TLS_RECORD_HEADER_LEN && tls_detect(p, n) &&
           cursor_skip(&cur, TLS_RECORD_HEADER_LEN) && cursor_u8(&cur, &type) &&
           type == TLS_HANDSHAKE_CLIENT_HELLO;
}
