/* log_x509.c — see log_x509.h. */
#include "write/log_x509.h"

#include "core/fsutil.h"
#include "core/jsonw.h"
#include "core/logfmt.h"
#include "core/xalloc.h"
#include "write/log_row.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const log_column_t log_x509_columns[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"fingerprint", LOG_STRING, LOG_IN_SHEET},
    {"certificate.version", LOG_COUNT, LOG_IN_SHEET},
    {"certificate.serial", LOG_STRING, LOG_IN_SHEET},
    {"certificate.subject", LOG_STRING, LOG_IN_SHEET},
    {"certificate.issuer", LOG_STRING, LOG_IN_SHEET},
    {"certificate.cn", LOG_STRING, 0},
    {"certificate.not_valid_before", LOG_TIME, LOG_IN_SHEET},
    {"certificate.not_valid_after", LOG_TIME, LOG_IN_SHEET},
    {"certificate.key_alg", LOG_STRING, LOG_IN_SHEET},
    {"certificate.sig_alg", LOG_STRING, LOG_IN_SHEET},
    {"certificate.key_type", LOG_STRING, LOG_IN_SHEET},
    {"certificate.key_length", LOG_COUNT, LOG_IN_SHEET},
    {"certificate.curve", LOG_STRING, 0},
    {"san.dns", LOG_LIST, LOG_IN_SHEET},
    {"san.ip", LOG_LIST, LOG_IN_SHEET},
    {"basic_constraints.ca", LOG_BOOL, LOG_IN_SHEET},
    {"basic_constraints.path_len", LOG_COUNT, 0},
    {"fingerprint_sha1", LOG_STRING, 0},
    {"self_signed", LOG_BOOL, LOG_IN_SHEET},
    {"note", LOG_STRING, LOG_IN_SHEET},
    {"expired_at_capture", LOG_BOOL, LOG_IN_SHEET},
    {"seen_in", LOG_LIST, LOG_IN_SHEET},
    {"pcap", LOG_LIST, LOG_IN_SHEET},
    {NULL, 0, 0},
};

typedef struct cert_ref {
    const cert_rec_t *c;
} cert_ref_t;

static int cmp_cert(const void *a, const void *b)
{
    const cert_rec_t *x = ((const cert_ref_t *)a)->c, *y = ((const cert_ref_t *)b)->c;
    int c = strcmp(x->fp, y->fp);
    if (c)
        return c;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return strcmp(x->uid, y->uid);
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

/* The certificate's own fields, as Zeek's x509.log names them, with the
 * times in the precision of the capture it was first seen in: what could be
 * read, and a note naming what could not. */
static void cert_fields(jsonw_t *w, const x509_info_t *x, int digits)
{
    bool readable = !(x->flaws & (X509_FLAW_UNREADABLE | X509_FLAW_TOO_LARGE));
    if (readable)
        jw_kv_int(w, "certificate.version", x->version);
    if (x->serial)
        jw_kv_str(w, "certificate.serial", x->serial);
    if (x->subject)
        jw_kv_str(w, "certificate.subject", x->subject);
    if (x->issuer)
        jw_kv_str(w, "certificate.issuer", x->issuer);
    if (x->cn)
        jw_kv_str(w, "certificate.cn", x->cn);
    if (readable && !(x->flaws & X509_FLAW_NOT_BEFORE))
        cert_time(w, "certificate.not_valid_before", x->not_before, digits);
    if (readable && !(x->flaws & X509_FLAW_NOT_AFTER))
        cert_time(w, "certificate.not_valid_after", x->not_after, digits);
    if (x->key_alg)
        jw_kv_str(w, "certificate.key_alg", x->key_alg);
    if (x->sig_alg)
        jw_kv_str(w, "certificate.sig_alg", x->sig_alg);
    if (x->key_type)
        jw_kv_str(w, "certificate.key_type", x->key_type);
    if (x->key_length)
        jw_kv_int(w, "certificate.key_length", x->key_length);
    if (x->curve)
        jw_kv_str(w, "certificate.curve", x->curve);
    if (x->nsan_dns)
        log_kv_strings(w, "san.dns", (const char *const *)x->san_dns, x->nsan_dns);
    if (x->nsan_ip)
        log_kv_strings(w, "san.ip", (const char *const *)x->san_ip, x->nsan_ip);
    if (x->ca >= 0)
        jw_kv_bool(w, "basic_constraints.ca", x->ca == 1);
    if (x->path_len >= 0)
        jw_kv_int(w, "basic_constraints.path_len", x->path_len);
    jw_kv_str(w, "fingerprint_sha1", x->sha1);
    if (readable)
        jw_kv_bool(w, "self_signed", x->self_signed);
    if (x->flaws) {
        char note[X509_NOTE_MAX];
        jw_kv_str(w, "note", x509_flaws_text(x->flaws, note, sizeof note));
    }
}

/* One row from the sightings v[0..n) of one certificate (sorted). */
static void row(buf_t *out, const case_t *k, const cert_ref_t *v, size_t n, int digits)
{
    const cert_rec_t *c0 = v[0].c;
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", c0->ts, digits);
    jw_kv_str(&w, "fingerprint", c0->fp);
    cert_fields(&w, c0->fields, c0->ts_digits);
    bool expired = false;
    for (size_t m = 0; m < n; m++)
        expired |= v[m].c->expired_at_capture;
    jw_kv_bool(&w, "expired_at_capture", expired);
    jw_key(&w, "seen_in");
    jw_arr_begin(&w);
    for (size_t m = 0; m < n; m++)
        if (m == 0 || strcmp(v[m].c->uid, v[m - 1].c->uid) != 0)
            jw_str(&w, v[m].c->uid);
    jw_arr_end(&w);
    jw_key(&w, "pcap");
    jw_arr_begin(&w);
    for (size_t cap = 0; cap < k->n; cap++)
        for (size_t m = 0; m < n; m++)
            if (v[m].c->capture == cap) {
                jw_str(&w, k->r[cap]->name);
                break;
            }
    jw_arr_end(&w);
    jw_obj_end(&w);
    buf_append_byte(out, '\n');
}

long long log_x509_write(const case_t *k, const char *path)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ncerts;
    cert_ref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ncerts; j++)
            v[n++].c = &k->r[i]->certs[j];
    xqsort(v, n, sizeof *v, cmp_cert);
    atomic_file_t af;
    if (atomic_open(&af, path) != 0) {
        free(v);
        return -1;
    }
    long long rows = 0;
    buf_t b = BUF_INIT;
    int digits = k->n ? k->r[0]->ts_digits : TS_DIGITS_DEFAULT;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[i].c->fp, v[j].c->fp) == 0)
            j++;
        buf_clear(&b);
        row(&b, k, v + i, j - i, digits);
        fwrite(b.data, 1, b.len, af.f);
        rows++;
        i = j;
    }
    buf_free(&b);
    free(v);
    return atomic_commit(&af) == 0 ? rows : -1;
}
