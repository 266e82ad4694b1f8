/* detect_app.c — findings from application data: DNS tunnelling and NXDOMAIN
 * bursts, suspicious TLS (self-signed, expired, SNI not in the certificate),
 * cleartext credentials, and files whose content disagrees with their label.
 * The analysers fill the summaries in capture_result_t; this file only judges. */
#include "case/findings.h"

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct dref {
    const dns_rec_t *d;
    const char *domain; /* points into d->query */
} dref_t;

/* The registrable-looking suffix: the last two labels ("b.example.com" ->
 * "example.com").  Public-suffix precision is not needed to group a tunnel's
 * names, which all share one parent chosen by the operator. */
static const char *parent_domain(const char *q)
{
    const char *last = NULL, *prev = NULL;
    for (const char *p = q; *p; p++)
        if (*p == '.' && p[1]) {
            prev = last;
            last = p;
        }
    return prev ? prev + 1 : q;
}

static double entropy(const char *s, size_t n)
{
    unsigned cnt[256] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[(uint8_t)s[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (cnt[i]) {
            double p = (double)cnt[i] / (double)n;
            h -= p * log2(p);
        }
    return h;
}

/* The part of the name left of its parent domain looks like encoded data. */
static bool encoded_looking(const char *q, const char *domain, unsigned min_len)
{
    size_t n = (size_t)(domain - q);
    if (n > 0)
        n--; /* the dot */
    if (n >= min_len)
        return true;
    return n >= 16 && entropy(q, n) >= 3.5;
}

static int cmp_dref(const void *a, const void *b)
{
    const dref_t *x = a, *y = b;
    int c = strcmp(x->domain, y->domain);
    if (c)
        return c;
    c = strcmp(x->d->query, y->d->query);
    if (c)
        return c;
    return x->d->ts < y->d->ts ? -1 : x->d->ts > y->d->ts;
}

static void tunnel_domain(findings_t *f, const dref_t *g, size_t n)
{
    size_t unique = 0, encoded = 0, txt = 0, nx = 0;
    for (size_t i = 0; i < n; i++) {
        bool first = i == 0 || strcmp(g[i].d->query, g[i - 1].d->query) != 0;
        txt += g[i].d->qtype == 16;
        nx += g[i].d->rcode == 3;
        if (!first)
            continue;
        unique++;
        if (encoded_looking(g[i].d->query, g[i].domain, f->th.tunnel_min_label_len))
            encoded++;
    }
    if (encoded < f->th.tunnel_min_names)
        return;
    char *summary = xasprintf("%zu unique encoded-looking names queried under %s (%zu queries, "
                              "%zu TXT, %zu NXDOMAIN): DNS tunnelling-like traffic",
                              encoded, g[0].domain, n, txt, nx);
    double score = fmin(100, 60 + 20 * log10((double)encoded / f->th.tunnel_min_names + 1) * 2);
    finding_t *x =
        findings_add(f, "dns_tunnel", encoded >= 5 * (size_t)f->th.tunnel_min_names ? 3 : 2,
                     floor(score * 10 + .5) / 10, summary);
    ts_ns_t first = g[0].d->ts, last = g[0].d->ts;
    for (size_t i = 0; i < n; i++) {
        first = g[i].d->ts < first ? g[i].d->ts : first;
        last = g[i].d->ts > last ? g[i].d->ts : last;
        finding_host(x, &g[i].d->client);
    }
    x->first = first, x->last = last;
    for (size_t i = 0; i < n && x->nev < FINDING_MAX_EVIDENCE; i += 1 + n / FINDING_MAX_EVIDENCE)
        finding_evidence(x, g[i].d->capture, g[i].d->frame, g[i].d->uid);
    buf_t det = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &det, false);
    jw_obj_begin(&w);
    jw_kv_str(&w, "domain", g[0].domain);
    jw_kv_uint(&w, "queries", n);
    jw_kv_uint(&w, "unique_names", unique);
    jw_kv_uint(&w, "encoded_names", encoded);
    jw_kv_uint(&w, "txt_queries", txt);
    jw_kv_uint(&w, "nxdomain", nx);
    jw_key(&w, "examples");
    jw_arr_begin(&w);
    for (size_t i = 0, k = 0; i < n && k < 5; i++)
        if (i == 0 || strcmp(g[i].d->query, g[i - 1].d->query) != 0)
            jw_str(&w, g[i].d->query), k++;
    jw_arr_end(&w);
    jw_obj_end(&w);
    x->details = buf_steal(&det);
}

static int cmp_nx(const void *a, const void *b)
{
    const dns_rec_t *x = *(const dns_rec_t *const *)a, *y = *(const dns_rec_t *const *)b;
    int c = ipaddr_cmp(&x->client, &y->client);
    return c ? c : (x->ts < y->ts ? -1 : x->ts > y->ts);
}

static void nxdomain_bursts(const case_t *k, findings_t *f)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ndns;
    const dns_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ndns; j++)
            if (k->r[i]->dns[j].rcode == 3)
                v[n++] = &k->r[i]->dns[j];
    xqsort(v, n, sizeof *v, cmp_nx);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ipaddr_eq(&v[i]->client, &v[j]->client))
            j++;
        if (j - i >= f->th.nxdomain_min) {
            char a[IPADDR_STRLEN];
            double span = (double)(v[j - 1]->ts - v[i]->ts) / 1e9;
            char *summary = xasprintf("%s received %zu NXDOMAIN answers in %.0f s",
                                      ipaddr_str(&v[i]->client, a), j - i, span);
            finding_t *x =
                findings_add(f, "nxdomain_burst", 1, fmin(100, 40 + (double)(j - i) / 2), summary);
            finding_host(x, &v[i]->client);
            x->first = v[i]->ts, x->last = v[j - 1]->ts;
            for (size_t m = i; m < j && x->nev < FINDING_MAX_EVIDENCE; m++)
                finding_evidence(x, v[m]->capture, v[m]->frame, v[m]->uid);
        }
        i = j;
    }
    free(v);
}

void detect_dns_tunnels(const case_t *k, findings_t *f)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ndns;
    dref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ndns; j++) {
            const dns_rec_t *d = &k->r[i]->dns[j];
            if (d->query && d->query[0])
                v[n++] = (dref_t){d, parent_domain(d->query)};
        }
    xqsort(v, n, sizeof *v, cmp_dref);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[i].domain, v[j].domain) == 0)
            j++;
        tunnel_domain(f, v + i, j - i);
        i = j;
    }
    free(v);
    nxdomain_bursts(k, f);
}

/* ---- TLS ---- */

typedef struct tref {
    const tls_rec_t *t;
} tref_t;

static int cmp_tls(const void *a, const void *b)
{
    const tls_rec_t *x = ((const tref_t *)a)->t, *y = ((const tref_t *)b)->t;
    int c = ipaddr_cmp(&x->server, &y->server);
    if (c)
        return c;
    if (x->server_p != y->server_p)
        return x->server_p < y->server_p ? -1 : 1;
    c = strcmp(x->cert_fp ? x->cert_fp : "", y->cert_fp ? y->cert_fp : "");
    if (c)
        return c;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void tls_finding(findings_t *f, const tref_t *g, size_t n, const char *type, int sev,
                        const char *what)
{
    const tls_rec_t *t = g[0].t;
    char s[IPADDR_STRLEN];
    char *summary = xasprintf("TLS server %s:%u%s%s%s %s (certificate CN=%s, %zu handshake%s)",
                              ipaddr_str(&t->server, s), t->server_p, t->sni ? " (SNI " : "",
                              t->sni ? t->sni : "", t->sni ? ")" : "", what,
                              t->cert_cn ? t->cert_cn : "?", n, n == 1 ? "" : "s");
    finding_t *x = findings_add(f, type, sev, sev == 2 ? 70 : 50, summary);
    finding_host(x, &t->server);
    x->first = t->ts, x->last = g[n - 1].t->ts;
    for (size_t i = 0; i < n; i++) {
        finding_host(x, &g[i].t->client);
        if (x->nev < FINDING_MAX_EVIDENCE)
            finding_evidence(x, g[i].t->capture, g[i].t->frame, g[i].t->uid);
    }
    if (t->cert_fp)
        x->details = xasprintf("{\"certificate\":\"%s\"}", t->cert_fp);
}

static void detect_tls(const case_t *k, findings_t *f)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ntls;
    tref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ntls; j++)
            if (k->r[i]->tls[j].cert_fp)
                v[n++].t = &k->r[i]->tls[j];
    xqsort(v, n, sizeof *v, cmp_tls);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ipaddr_eq(&v[i].t->server, &v[j].t->server) &&
               v[i].t->server_p == v[j].t->server_p &&
               strcmp(v[i].t->cert_fp, v[j].t->cert_fp) == 0)
            j++;
        const tls_rec_t *t = v[i].t;
        if (t->self_signed)
            tls_finding(f, v + i, j - i, "tls_self_signed", 2,
                        "presented a self-signed certificate");
        if (t->expired)
            tls_finding(f, v + i, j - i, "tls_expired", 2,
                        "presented a certificate expired at the time of capture");
        if (t->sni_mismatch)
            tls_finding(f, v + i, j - i, "tls_sni_mismatch", 1,
                        "presented a certificate that does not cover the requested name");
        i = j;
    }
    free(v);
}

/* ---- credentials and MIME mismatches ---- */

/* ", 3 times" for a summary (a static buffer per call is enough: the text is
 * copied into the summary at once). */
static const char *xasprintf_static_times(size_t n)
{
    static __thread char b[32];
    snprintf(b, sizeof b, ", %zu times", n);
    return b;
}

static int cmp_cred(const void *a, const void *b)
{
    const cred_rec_t *x = *(const cred_rec_t *const *)a, *y = *(const cred_rec_t *const *)b;
    int c = ipaddr_cmp(&x->client, &y->client);
    if (c || (c = ipaddr_cmp(&x->server, &y->server)))
        return c;
    if (x->server_p != y->server_p)
        return x->server_p < y->server_p ? -1 : 1;
    if ((c = strcmp(x->proto, y->proto)) || (c = strcmp(x->username, y->username)))
        return c;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static bool same_login(const cred_rec_t *x, const cred_rec_t *y)
{
    return ipaddr_eq(&x->client, &y->client) && ipaddr_eq(&x->server, &y->server) &&
           x->server_p == y->server_p && strcmp(x->proto, y->proto) == 0 &&
           strcmp(x->username, y->username) == 0;
}

/* One finding per client, server, protocol and user, however often the same
 * login was repeated.  Anonymous FTP is reported at low severity: the
 * "password" is by convention an e-mail address, not a secret. */
static void detect_creds(const case_t *k, findings_t *f)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ncreds;
    const cred_rec_t **v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ncreds; j++)
            if (k->r[i]->creds[j].username)
                v[n++] = &k->r[i]->creds[j];
    xqsort(v, n, sizeof *v, cmp_cred);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_login(v[i], v[j]))
            j++;
        const cred_rec_t *c = v[i];
        bool anon =
            strcasecmp(c->username, "anonymous") == 0 || strcasecmp(c->username, "ftp") == 0;
        char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
        char *summary =
            xasprintf("%s sent %s credentials in clear text to %s:%u (user \"%s\", "
                      "password %s)%s",
                      ipaddr_str(&c->client, a), c->proto, ipaddr_str(&c->server, b), c->server_p,
                      c->username, c->has_password ? "present, not shown" : "empty",
                      j - i > 1 ? xasprintf_static_times(j - i) : "");
        finding_t *x =
            findings_add(f, "cleartext_credentials", anon ? 1 : 2, anon ? 35 : 75, summary);
        finding_host(x, &c->client);
        finding_host(x, &c->server);
        x->first = c->ts, x->last = v[j - 1]->ts;
        for (size_t m = i; m < j && x->nev < FINDING_MAX_EVIDENCE; m++)
            finding_evidence(x, v[m]->capture, v[m]->frame, v[m]->uid);
        i = j;
    }
    free(v);
}

static void detect_mime(const case_t *k, findings_t *f)
{
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nmimes; j++) {
            const mime_rec_t *m = &k->r[i]->mimes[j];
            char *summary = xasprintf("%s was served as %s but its content is %s",
                                      m->url ? m->url : "a file", m->declared, m->sniffed);
            finding_t *x = findings_add(f, "file_type_mismatch", 1, 45, summary);
            finding_host(x, &m->server);
            finding_host(x, &m->client);
            x->first = x->last = m->ts;
            finding_evidence(x, m->capture, m->frame, m->uid);
            x->details = xasprintf("{\"sha256\":\"%s\"}", m->sha256 ? m->sha256 : "");
        }
}

void detect_app(const case_t *k, findings_t *f)
{
    detect_tls(k, f);
    detect_creds(k, f);
    detect_mime(k, f);
}
