/* extras.c — correlation and the outputs built on the merged case:
 * x509.ndjson, hosts.ndjson, findings.ndjson. */
#include "case/merged.h"

#include "case/case.h"
#include "case/findings.h"
#include "case/hosts.h"
#include "case/names.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "core/logfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const table_names[TABLE_COUNT] = {"conn", "dns",  "http",  "files",
                                              "ssl",  "x509", "hosts", "findings"};

void case_model_finish(case_t *k)
{
    k->hosts = hosts_build(k);
    k->findings = findings_run(k, k->opts ? &k->opts->thresholds : &findings_defaults);
}

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

/* x509.ndjson: one row per certificate (by SHA-256 of its DER) with every
 * connection and capture it was seen in. */
static long long write_x509(const case_t *k, const char *path)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ncerts;
    cert_ref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ncerts; j++) {
            k->r[i]->certs[j].capture = (uint32_t)i;
            v[n++].c = &k->r[i]->certs[j];
        }
    xqsort(v, n, sizeof *v, cmp_cert);
    atomic_file_t af;
    if (atomic_open(&af, path) != 0) {
        free(v);
        return -1;
    }
    long long rows = 0;
    buf_t row = BUF_INIT;
    int digits = k->n ? k->r[0]->ts_digits : 6;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[i].c->fp, v[j].c->fp) == 0)
            j++;
        const cert_rec_t *c0 = v[i].c;
        jsonw_t w;
        buf_clear(&row);
        jw_init(&w, &row, false);
        jw_obj_begin(&w);
        lf_time(&w, "ts", c0->ts, digits);
        jw_kv_str(&w, "fingerprint", c0->fp);
        jw_raw(&w, ""); /* comma before the pre-rendered members */
        buf_append_str(&row, c0->fields);
        bool expired = false;
        for (size_t m = i; m < j; m++)
            expired |= v[m].c->expired_at_capture;
        jw_kv_bool(&w, "expired_at_capture", expired);
        jw_key(&w, "seen_in");
        jw_arr_begin(&w);
        for (size_t m = i; m < j; m++)
            if (m == i || strcmp(v[m].c->uid, v[m - 1].c->uid) != 0)
                jw_str(&w, v[m].c->uid);
        jw_arr_end(&w);
        jw_key(&w, "pcap");
        jw_arr_begin(&w);
        for (size_t cap = 0; cap < k->n; cap++)
            for (size_t m = i; m < j; m++)
                if (v[m].c->capture == cap) {
                    jw_str(&w, k->r[cap]->name);
                    break;
                }
        jw_arr_end(&w);
        jw_obj_end(&w);
        buf_append_byte(&row, '\n');
        fwrite(row.data, 1, row.len, af.f);
        rows++;
        i = j;
    }
    buf_free(&row);
    free(v);
    return atomic_commit(&af) == 0 ? rows : -1;
}

int case_write_extras(case_t *k, char *err, size_t errlen)
{
    char *xp = xasprintf("%s/logs/x509.ndjson", k->opts->out_dir);
    k->rows[TABLE_X509] = write_x509(k, xp);
    if (k->rows[TABLE_X509] < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", xp, strerror(errno));
        free(xp);
        return -1;
    }
    free(xp);
    char *p = xasprintf("%s/logs/hosts.ndjson", k->opts->out_dir);
    k->rows[TABLE_HOSTS] = hosts_write(k, p);
    int rc = k->rows[TABLE_HOSTS] < 0 ? -1 : 0;
    if (rc == 0) {
        free(p);
        p = xasprintf("%s/logs/findings.ndjson", k->opts->out_dir);
        k->rows[TABLE_FINDINGS] = findings_write(k, p);
        rc = k->rows[TABLE_FINDINGS] < 0 ? -1 : 0;
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
    free(p);
    return rc;
}

void case_free(case_t *k)
{
    names_free(k->names);
    hosts_free(k->hosts);
    findings_free(k->findings);
    free(k->r);
    memset(k, 0, sizeof *k);
}
