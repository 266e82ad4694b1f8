/* app_tls.c — see app_tls.h. */
#include "app_tls.h"

#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "core/logfmt.h"
#include "proto/tls.h"
#include "proto/x509.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls_state {
    const analysis_opts_t *opts;
    capture_result_t *res;
    conn_t *c;
    tls_stream_t *t;
    ts_ns_t ts;
    uint64_t frame, cert_frame;
};

tls_state_t *app_tls_new(const analysis_opts_t *opts, capture_result_t *res, conn_t *c)
{
    tls_state_t *s = xcalloc(1, sizeof *s);
    s->opts = opts;
    s->res = res;
    s->c = c;
    s->t = tls_new();
    c->service = "ssl";
    return s;
}

void app_tls_data(tls_state_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts)
{
    if (!s->frame) {
        s->frame = frame;
        s->ts = ts;
    }
    size_t before = tls_info(s->t)->nchain;
    tls_data(s->t, is_orig, p, n);
    if (!before && tls_info(s->t)->nchain)
        s->cert_frame = frame;
}

void app_tls_gap(tls_state_t *s, bool is_orig)
{
    tls_gap(s->t, is_orig);
}

static void kv_list(jsonw_t *w, const char *key, char *const *v, size_t n)
{
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_end(w);
}

/* A certificate time (epoch seconds) as a log time; times past what
 * nanoseconds in 64 bits hold (year 2262; "99991231235959Z" is common) are
 * written from the seconds alone. */
static void cert_time(jsonw_t *w, const char *key, int64_t secs, int digits)
{
    if (secs > INT64_MAX / NS_PER_SEC || secs < INT64_MIN / NS_PER_SEC) {
        jw_key(w, key);
        jw_ts(w, secs, 0, digits == 9 ? 9 : 6);
        return;
    }
    lf_time(w, key, secs * NS_PER_SEC, digits);
}

/* x509.ndjson fields of one certificate, as JSON members: what could be
 * read, and a note naming what could not. */
static char *cert_fields(const x509_info_t *x, int digits)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    bool readable = !(x->flaws & (X509_FLAW_UNREADABLE | X509_FLAW_TOO_LARGE));
    if (readable)
        jw_kv_int(&w, "certificate.version", x->version);
    if (x->serial)
        jw_kv_str(&w, "certificate.serial", x->serial);
    if (x->subject)
        jw_kv_str(&w, "certificate.subject", x->subject);
    if (x->issuer)
        jw_kv_str(&w, "certificate.issuer", x->issuer);
    if (x->cn)
        jw_kv_str(&w, "certificate.cn", x->cn);
    if (readable && !(x->flaws & X509_FLAW_NOT_BEFORE))
        cert_time(&w, "certificate.not_valid_before", x->not_before, digits);
    if (readable && !(x->flaws & X509_FLAW_NOT_AFTER))
        cert_time(&w, "certificate.not_valid_after", x->not_after, digits);
    if (x->key_alg)
        jw_kv_str(&w, "certificate.key_alg", x->key_alg);
    if (x->sig_alg)
        jw_kv_str(&w, "certificate.sig_alg", x->sig_alg);
    if (x->key_type)
        jw_kv_str(&w, "certificate.key_type", x->key_type);
    if (x->key_length)
        jw_kv_int(&w, "certificate.key_length", x->key_length);
    if (x->curve)
        jw_kv_str(&w, "certificate.curve", x->curve);
    if (x->nsan_dns)
        kv_list(&w, "san.dns", x->san_dns, x->nsan_dns);
    if (x->nsan_ip)
        kv_list(&w, "san.ip", x->san_ip, x->nsan_ip);
    if (x->ca >= 0)
        jw_kv_bool(&w, "basic_constraints.ca", x->ca == 1);
    if (x->path_len >= 0)
        jw_kv_int(&w, "basic_constraints.path_len", x->path_len);
    jw_kv_str(&w, "fingerprint_sha1", x->sha1);
    if (readable)
        jw_kv_bool(&w, "self_signed", x->self_signed);
    if (x->flaws) {
        char note[X509_NOTE_MAX];
        jw_kv_str(&w, "note", x509_flaws_text(x->flaws, note, sizeof note));
    }
    jw_obj_end(&w);
    /* strip the braces: the case writer adds its own members around these */
    char *s = xstrndup((const char *)b.data + 1, b.len - 2);
    buf_free(&b);
    return s;
}

static void save_der(const tls_state_t *s, const char *fp, const tls_der_t *d)
{
    if (!s->opts->case_dir)
        return;
    char *path = xasprintf("%s/certs/%s.der", s->opts->case_dir, fp);
    if (write_once(path, d->der, d->len) != 0)
        damage_note(&s->res->damage, "limit.cert_write_failed", s->cert_frame);
    free(path);
}

/* Parse, save and record every certificate of a chain; returns their
 * fingerprints (NULL where one did not parse), caller frees.  The leaf
 * (first) fills the TLS summary tr when given. */
static char **record_chain(tls_state_t *s, const tls_der_t *chain, size_t n, tls_rec_t *tr,
                           int digits)
{
    capture_result_t *res = s->res;
    const conn_t *c = s->c;
    const tls_info_t *in = tls_info(s->t);
    char **fpv = xcalloc(n + 1, sizeof *fpv);
    for (size_t i = 0; i < n; i++) {
        x509_info_t x;
        const char *err = NULL;
        /* a certificate OpenSSL cannot read is still evidence: its DER is
         * kept and its row has the digests and a note */
        bool readable = x509_parse(chain[i].der, chain[i].len, &x, &err);
        if (!readable)
            damage_note(&res->damage, err, s->cert_frame);
        fpv[i] = xstrdup(x.sha256);
        save_der(s, x.sha256, &chain[i]);
        cert_rec_t *cr = capture_cert_add(res);
        memcpy(cr->fp, x.sha256, sizeof cr->fp);
        cr->ts = s->ts;
        memcpy(cr->uid, c->uid, sizeof cr->uid);
        int64_t now = s->ts / NS_PER_SEC;
        cr->expired_at_capture = x509_expired_at(&x, now);
        cr->fields = cert_fields(&x, digits);
        if (i == 0 && tr && readable) {
            tr->cert_fp = xstrdup(x.sha256);
            tr->cert_cn = x.cn ? xstrdup(x.cn) : NULL;
            tr->self_signed = x.self_signed;
            tr->expired = cr->expired_at_capture;
            tr->sni_mismatch = in->sni && !x509_matches_name(&x, in->sni);
            tr->cert_sans = xcalloc(x.nsan_dns + 1, sizeof *tr->cert_sans);
            for (size_t k = 0; k < x.nsan_dns; k++)
                tr->cert_sans[tr->ncert_sans++] = xstrdup(x.san_dns[k]);
        }
        x509_info_free(&x);
    }
    return fpv;
}

char *app_tls_free(tls_state_t *s)
{
    if (!s)
        return NULL;
    const tls_info_t *in = tls_info(s->t);
    capture_result_t *res = s->res;
    const conn_t *c = s->c;
    int digits = res->ts_digits ? res->ts_digits : 6;
    if (in->damaged)
        damage_note(&res->damage, in->damaged, s->frame);
    tls_rec_t *tr = capture_tls_add(res);
    tr->ts = s->ts;
    tr->client = c->orig, tr->server = c->resp, tr->server_p = c->resp_p;
    tr->sni = in->sni ? xstrdup(in->sni) : NULL;
    tr->ja3 = in->client_hello ? xstrdup(in->ja3) : NULL;
    tr->ja4 = in->client_hello && in->ja4[0] ? xstrdup(in->ja4) : NULL;
    tr->frame = s->frame;
    memcpy(tr->uid, c->uid, sizeof tr->uid);
    buf_t fps = BUF_INIT;
    char **fpv = record_chain(s, in->chain, in->nchain, tr, digits);
    char **cfpv = record_chain(s, in->client_chain, in->nclient_chain, NULL, digits);
    /* ssl.ndjson */
    buf_t row = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", s->ts, digits);
    jw_kv_str(&w, "uid", c->uid);
    lf_conn_id(&w, &c->orig, c->orig_p, &c->resp, c->resp_p);
    uint16_t ver = in->server_hello ? in->server_version : in->client_version;
    char vbuf[24];
    if (in->server_hello || in->client_hello)
        jw_kv_str(&w, "version", tls_version_name(ver, vbuf));
    if (in->server_hello) {
        const char *cn = tls_cipher_name(in->cipher);
        char hex[16];
        snprintf(hex, sizeof hex, "0x%04x", in->cipher);
        jw_kv_str(&w, "cipher", cn ? cn : hex);
    }
    if (in->sni)
        jw_kv_str(&w, "server_name", in->sni);
    if (in->alpn_chosen)
        jw_kv_str(&w, "next_protocol", in->alpn_chosen);
    jw_kv_bool(&w, "established", in->established);
    jw_key(&w, "cert_chain_fps");
    jw_arr_begin(&w);
    for (size_t i = 0; i < in->nchain; i++)
        if (fpv[i])
            jw_str(&w, fpv[i]);
    jw_arr_end(&w);
    if (in->nclient_chain) {
        jw_key(&w, "client_cert_chain_fps");
        jw_arr_begin(&w);
        for (size_t i = 0; i < in->nclient_chain; i++)
            if (cfpv[i])
                jw_str(&w, cfpv[i]);
        jw_arr_end(&w);
    }
    for (size_t i = 0; i < in->nclient_chain; i++)
        free(cfpv[i]);
    free(cfpv);
    if (in->client_hello) {
        jw_kv_str(&w, "ja3", in->ja3);
        jw_kv_str(&w, "ja4", in->ja4);
    }
    if (in->server_hello)
        jw_kv_str(&w, "ja3s", in->ja3s);
    if (in->alpn_offered)
        jw_kv_str(&w, "client_alpn", in->alpn_offered);
    if (in->tls13)
        jw_kv_str(&w, "certificates", "encrypted (TLS 1.3)");
    jw_kv_str(&w, "pcap", res->name);
    jw_kv_uint(&w, "frame", s->frame);
    if (in->damaged)
        jw_kv_str(&w, "damaged", in->damaged);
    jw_obj_end(&w);
    logstore_add(&res->logs[LOG_SSL], s->ts, (const char *)row.data, row.len);
    buf_free(&row);
    buf_free(&fps);
    for (size_t i = 0; i < in->nchain; i++)
        free(fpv[i]);
    free(fpv);
    char *sni = in->sni ? xstrdup(in->sni) : NULL;
    tls_free(s->t);
    free(s);
    return sni;
}
