/* detect_app.c — findings from application data: suspicious TLS
 * certificates (self-signed, expired, SNI not in the certificate), cleartext
 * credentials, and files whose content disagrees with their label.  The
 * analysers fill the summaries in capture_result_t; this file only judges.
 * (DNS tunnels and NXDOMAIN bursts: detect_dns.c.) */
#include "case/findings.h"

#include "case/group.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- TLS ---- */

/* One finding per certificate, however many servers and handshakes
 * presented it (a name's IPv4 and IPv6 servers share theirs). */
static const tls_rec_t *T(const void *p)
{
    return *(const tls_rec_t *const *)p;
}

static int key_cert(const void *a, const void *b)
{
    return strcmp(T(a)->cert_fp, T(b)->cert_fp);
}

static int within_cert(const void *a, const void *b)
{
    const tls_rec_t *x = T(a), *y = T(b);
    int c = ipaddr_cmp(&x->server, &y->server);
    if (c)
        return c;
    if (x->server_p != y->server_p)
        return x->server_p < y->server_p ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->capture < y->capture ? -1 : x->capture > y->capture;
}

static void tls_finding(findings_t *f, const tls_rec_t *const *g, size_t n, const char *type,
                        int sev, const char *what, const char *why)
{
    const tls_rec_t *t = g[0];
    size_t servers = 1;
    ts_ns_t first = t->ts, last = t->ts;
    for (size_t i = 1; i < n; i++) {
        servers +=
            !ipaddr_eq(&g[i]->server, &g[i - 1]->server) || g[i]->server_p != g[i - 1]->server_p;
        first = g[i]->ts < first ? g[i]->ts : first;
        last = g[i]->ts > last ? g[i]->ts : last;
    }
    char s[IPADDR_STRLEN], more[48] = "";
    if (servers > 1)
        snprintf(more, sizeof more, " and %zu other server%s", servers - 1, /* address:port */
                 servers == 2 ? "" : "s");
    char *summary = xasprintf("TLS server %s:%u%s%s%s%s %s (certificate CN=%s, %zu handshake%s)",
                              ipaddr_str(&t->server, s), t->server_p, more, t->sni ? " (SNI " : "",
                              t->sni ? t->sni : "", t->sni ? ")" : "", what,
                              t->cert_cn ? t->cert_cn : "?", n, n == 1 ? "" : "s");
    finding_t *x = findings_add(f, type, sev, sev == SEV_MEDIUM ? 70 : 50, summary);
    finding_why(x, xstrdup(why));
    finding_host(x, &t->server);
    x->first = first, x->last = last;
    for (size_t i = 0; i < n; i++) {
        finding_host(x, &g[i]->server);
        finding_host(x, &g[i]->client);
        if (x->nev < FINDING_MAX_EVIDENCE)
            finding_evidence(x, g[i]->capture, g[i]->frame, g[i]->uid);
    }
    finding_str(x, "certificate", t->cert_fp);
    if (servers > 1)
        finding_uint(x, "servers", servers);
}

static void visit_cert(void *items, size_t n, void *ctx)
{
    findings_t *f = ctx;
    const tls_rec_t *const *g = items;
    const tls_rec_t *t = g[0];
    if (t->self_signed)
        tls_finding(f, g, n, "tls_self_signed", SEV_MEDIUM, "presented a self-signed certificate",
                    "Nobody vouches for a self-signed certificate: clients cannot tell the "
                    "server from an impostor, and malware servers often use one.");
    if (t->expired)
        tls_finding(f, g, n, "tls_expired", SEV_MEDIUM,
                    "presented a certificate expired at the time of capture",
                    "An expired certificate means the server is neglected or not what it claims "
                    "to be; browsers warn about it.");
    if (t->sni_mismatch)
        tls_finding(f, g, n, "tls_sni_mismatch", SEV_LOW,
                    "presented a certificate that does not cover the requested name",
                    "The certificate names other servers than the one the client asked for: a "
                    "misconfiguration, or traffic redirected to another server.");
}

static void detect_tls(const case_t *k, findings_t *f)
{
    size_t total, n = 0;
    const tls_rec_t **v = case_tls(k, &total);
    for (size_t i = 0; i < total; i++)
        if (v[i]->cert_fp)
            v[n++] = v[i];
    group_by(v, n, sizeof *v, &(grouping_t){key_cert, within_cert}, visit_cert, f);
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

static const cred_rec_t *CR(const void *p)
{
    return *(const cred_rec_t *const *)p;
}

static int key_login(const void *a, const void *b)
{
    const cred_rec_t *x = CR(a), *y = CR(b);
    int c = ipaddr_cmp(&x->client, &y->client);
    if (c || (c = ipaddr_cmp(&x->server, &y->server)))
        return c;
    if (x->server_p != y->server_p)
        return x->server_p < y->server_p ? -1 : 1;
    if ((c = strcmp(x->proto, y->proto)))
        return c;
    return strcmp(x->username, y->username);
}

static int within_login(const void *a, const void *b)
{
    const cred_rec_t *x = CR(a), *y = CR(b);
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* One finding per client, server, protocol and user, however often the same
 * login was repeated.  Anonymous FTP is reported at low severity: the
 * "password" is by convention an e-mail address, not a secret. */
static void visit_login(void *items, size_t n, void *ctx)
{
    findings_t *f = ctx;
    const cred_rec_t *const *v = items;
    const cred_rec_t *c = v[0];
    bool anon = strcasecmp(c->username, "anonymous") == 0 || strcasecmp(c->username, "ftp") == 0;
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
    char *summary = xasprintf(
        "%s sent %s credentials in clear text to %s:%u (user \"%s\", "
        "password %s)%s",
        ipaddr_str(&c->client, a), c->proto, ipaddr_str(&c->server, b), c->server_p, c->username,
        c->has_password ? "present, not shown" : "empty", n > 1 ? xasprintf_static_times(n) : "");
    finding_t *x = findings_add(f, "cleartext_credentials", anon ? SEV_LOW : SEV_MEDIUM,
                                anon ? 35 : 75, summary);
    finding_why(x, xstrdup(anon ? "Anonymous logins carry no secret, but anyone on the path can "
                                  "read the session."
                                : "Anyone on the network path can read a password sent without "
                                  "encryption and log in as this user."));
    finding_host(x, &c->client);
    finding_host(x, &c->server);
    x->first = c->ts, x->last = v[n - 1]->ts;
    for (size_t m = 0; m < n && x->nev < FINDING_MAX_EVIDENCE; m++)
        finding_evidence(x, v[m]->capture, v[m]->frame, v[m]->uid);
}

static void detect_creds(const case_t *k, findings_t *f)
{
    size_t total, n = 0;
    const cred_rec_t **v = case_creds(k, &total);
    for (size_t i = 0; i < total; i++) /* a login read from decrypted TLS was not clear text */
        if (v[i]->username && !v[i]->hashed && !v[i]->in_tls)
            v[n++] = v[i];
    group_by(v, n, sizeof *v, &(grouping_t){key_login, within_login}, visit_login, f);
    free(v);
}

static void detect_mime(const case_t *k, findings_t *f)
{
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nmimes; j++) {
            const mime_rec_t *m = &k->r[i]->mimes[j];
            char *summary = xasprintf("%s was served as %s but its content is %s",
                                      m->url ? m->url : "a file", m->declared, m->sniffed);
            finding_t *x = findings_add(f, "file_type_mismatch", SEV_LOW, 45, summary);
            finding_why(x, xstrdup("A file's content is not what its label says: executables and "
                                   "archives disguised as images or text slip past filters that "
                                   "trust the label."));
            finding_host(x, &m->server);
            finding_host(x, &m->client);
            x->first = x->last = m->ts;
            finding_evidence(x, m->capture, m->frame, m->uid);
            finding_str(x, "sha256", m->sha256 ? m->sha256 : "");
        }
}

void detect_app(const case_t *k, findings_t *f)
{
    detect_tls(k, f);
    detect_creds(k, f);
    detect_mime(k, f);
}
