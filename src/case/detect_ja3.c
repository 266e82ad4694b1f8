/* detect_ja3.c — a TLS client fingerprint nobody else in the case uses.
 *
 * In a network where most clients run a handful of browsers and libraries,
 * a JA3 seen from one host only is worth a look (malware with its own TLS
 * stack, a scripting tool).  Rarity only means something against a norm, so
 * the detector first asks whether the case has one: at least
 * ja3_min_clients TLS clients, and fingerprints shared by
 * ja3_common_min_clients or more clients covering ja3_common_share of them.
 * A case of unrelated captures (each client its own fingerprint) has no norm
 * and gets no finding.
 *
 * Browsers that shuffle their extensions (Chrome since 2023) give a new JA3
 * per connection; their JA4 sorts the extensions and stays the same.  So the
 * norm is counted on the fingerprint family (JA4 when present, JA3 if not),
 * and a JA3 is rare only when its family is rare too.  See docs/findings.md. */
#include "case/findings.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jref {
    const tls_rec_t *t;
    const char *key; /* the ja3, or the family */
} jref_t;

static const char *family(const tls_rec_t *t)
{
    return t->ja4 ? t->ja4 : t->ja3;
}

static int cmp_key_client(const void *a, const void *b)
{
    const jref_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c || (c = ipaddr_cmp(&x->t->client, &y->t->client)))
        return c;
    if (x->t->ts != y->t->ts)
        return x->t->ts < y->t->ts ? -1 : 1;
    if (x->t->capture != y->t->capture)
        return x->t->capture < y->t->capture ? -1 : 1;
    return strcmp(x->t->uid, y->t->uid);
}

/* Distinct clients in a run of equal keys starting at i; *end gets its end. */
static size_t run_clients(const jref_t *v, size_t n, size_t i, size_t *end)
{
    size_t j = i + 1, clients = 1;
    for (; j < n && strcmp(v[j].key, v[i].key) == 0; j++)
        clients += !ipaddr_eq(&v[j].t->client, &v[j - 1].t->client);
    *end = j;
    return clients;
}

static int cmp_ip(const void *a, const void *b)
{
    return ipaddr_cmp(a, b);
}

/* Distinct addresses in c[0..n) (sorts c). */
static size_t distinct(ipaddr_t *c, size_t n)
{
    xqsort(c, n, sizeof *c, cmp_ip);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += i == 0 || !ipaddr_eq(&c[i], &c[i - 1]);
    return k;
}

static bool family_is_rare(const jref_t *fam, size_t nf, const char *key, unsigned max_clients)
{
    size_t lo = 0, hi = nf;
    while (lo < hi) { /* first entry with this family */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(fam[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end;
    return lo < nf && strcmp(fam[lo].key, key) == 0 &&
           run_clients(fam, nf, lo, &end) <= max_clients;
}

static void rare_finding(findings_t *f, const jref_t *g, size_t n, size_t nclients)
{
    const tls_rec_t *t = g[0].t;
    char a[IPADDR_STRLEN];
    size_t clients;
    size_t end;
    clients = run_clients(g, n, 0, &end);
    char *summary;
    if (clients == 1)
        summary = xasprintf("%s used a TLS client fingerprint (JA3 %s) that none of the other "
                            "%zu TLS clients in the case used (%zu handshake%s%s%s)",
                            ipaddr_str(&t->client, a), t->ja3, nclients - 1, n, n == 1 ? "" : "s",
                            t->sni ? ", first to " : "", t->sni ? t->sni : "");
    else
        summary = xasprintf("A TLS client fingerprint (JA3 %s) used by only %zu of the %zu TLS "
                            "clients in the case (%zu handshakes)",
                            t->ja3, clients, nclients, n);
    finding_t *x = findings_add(f, "tls_rare_ja3", SEV_LOW, 40, summary);
    finding_why(x, xasprintf("Most clients here share a handful of TLS fingerprints (browsers, "
                             "system libraries); a fingerprint only %zu of %zu clients use points "
                             "at software of its own, such as a scripting tool or malware.",
                             clients, nclients));
    x->first = t->ts, x->last = t->ts;
    for (size_t i = 0; i < n; i++) {
        finding_host(x, &g[i].t->client);
        x->first = g[i].t->ts < x->first ? g[i].t->ts : x->first;
        x->last = g[i].t->ts > x->last ? g[i].t->ts : x->last;
        if (x->nev < FINDING_MAX_EVIDENCE)
            finding_evidence(x, g[i].t->capture, g[i].t->frame, g[i].t->uid);
    }
    finding_str(x, "ja3", t->ja3);
    if (t->ja4)
        finding_str(x, "ja4", t->ja4);
    finding_uint(x, "handshakes", n);
    finding_uint(x, "clients_with_it", clients);
    finding_uint(x, "tls_clients_in_case", nclients);
    finding_strs(x, "server_names");
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < 5; i++) {
        bool dup = !g[i].t->sni;
        for (size_t j = 0; j < i && !dup; j++)
            dup = g[j].t->sni && strcmp(g[j].t->sni, g[i].t->sni) == 0;
        if (!dup)
            finding_strs_add(x, g[i].t->sni), shown++;
    }
}

void detect_rare_ja3(const case_t *k, findings_t *f)
{
    const findings_thresholds_t *th = &f->th;
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->ntls;
    jref_t *v = xcalloc(total ? total : 1, sizeof *v);
    jref_t *fam = xcalloc(total ? total : 1, sizeof *fam);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->ntls; j++) {
            const tls_rec_t *t = &k->r[i]->tls[j];
            if (!t->ja3 || !t->ja3[0])
                continue;
            fam[n] = (jref_t){t, family(t)};
            v[n++] = (jref_t){t, t->ja3};
        }
    ipaddr_t *ips = xcalloc(n ? n : 1, sizeof *ips);
    for (size_t i = 0; i < n; i++)
        ips[i] = v[i].t->client;
    size_t nclients = distinct(ips, n);
    if (n == 0 || nclients < th->ja3_min_clients)
        goto out;
    xqsort(fam, n, sizeof *fam, cmp_key_client);
    /* the norm: clients covered by families that many clients share */
    size_t ncov = 0;
    for (size_t i = 0, end; i < n; i = end)
        if (run_clients(fam, n, i, &end) >= th->ja3_common_min_clients)
            for (size_t j = i; j < end; j++)
                ips[ncov++] = fam[j].t->client;
    if ((double)distinct(ips, ncov) < th->ja3_common_share * (double)nclients)
        goto out;
    xqsort(v, n, sizeof *v, cmp_key_client);
    for (size_t i = 0, end; i < n; i = end) {
        size_t clients = run_clients(v, n, i, &end);
        if (clients <= th->ja3_rare_max_clients &&
            family_is_rare(fam, n, family(v[i].t), th->ja3_rare_max_clients))
            rare_finding(f, v + i, end - i, nclients);
    }
out:
    free(ips);
    free(v);
    free(fam);
}
