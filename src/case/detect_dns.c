/* detect_dns.c — DNS tunnels and NXDOMAIN bursts.
 *
 * A tunnel (iodine, dnscat2, DNS exfiltration) carries data inside the
 * names it asks for: many different, long, random-looking names under the
 * one domain its operator controls, in base32, base64 or hex, asked with
 * whatever record type brings data back (TXT, NULL, CNAME, MX, A).  So the
 * queries are grouped by parent domain and the encoded-looking names
 * counted.  An NXDOMAIN burst is many names that do not exist asked in a
 * short time, as domain-generation malware does.  docs/findings.md has the
 * rules and the benchmark. */
#include "case/findings.h"

#include "case/group.h"
#include "case/stats.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A name part this long with this much entropy (bits per character) is
 * encoded-looking even below tunnel_min_label_len; so is hex this long. */
#define TUNNEL_SHORT_MIN_LEN 16
#define TUNNEL_SHORT_MIN_ENTROPY 3.5
/* At least this share of a domain's different names must look encoded: a
 * tunnel's domain is all data, a CDN's has a few odd names among many. */
#define TUNNEL_MIN_ENCODED_SHARE 0.5
/* Longest DNS label: the "length" sub-score's scale. */
#define DNS_MAX_LABEL 63
/* NXDOMAIN answers are counted in a sliding window this long. */
#define NXDOMAIN_WINDOW_S 300
/* Example names kept in a finding. */
#define TUNNEL_EXAMPLES 5

enum { QT_A = 1, QT_CNAME = 5, QT_NULL = 10, QT_MX = 15, QT_TXT = 16, QT_SRV = 33, QT_ANY = 255 };
enum { RCODE_NXDOMAIN = 3 };

typedef struct dref {
    const dns_rec_t *d;
    const char *domain; /* points into d->query */
} dref_t;

/* Two-label public suffixes under country codes ("co.uk"): a domain under
 * one of them is three labels long. */
static const char *const SECOND_LEVEL[] = {"co", "com", "net", "org", "gov",
                                           "ac", "edu", "or",  "ne",  "go"};

/* The registrable-looking domain: the last two labels, three under a
 * country's second-level suffix.  Public-suffix precision is not needed to
 * group a tunnel's names, which all share one parent chosen by its operator. */
static const char *parent_domain(const char *q)
{
    const char *dots[3] = {NULL, NULL, NULL}; /* last, second last, third last */
    for (const char *p = q; *p; p++)
        if (*p == '.' && p[1]) {
            dots[2] = dots[1];
            dots[1] = dots[0];
            dots[0] = p;
        }
    if (!dots[1])
        return q;
    const char *two = dots[1] + 1;
    size_t tld = strlen(dots[0] + 1), sl = (size_t)(dots[0] - two);
    if (tld == 2)
        for (size_t i = 0; i < sizeof SECOND_LEVEL / sizeof *SECOND_LEVEL; i++)
            if (strlen(SECOND_LEVEL[i]) == sl && strncmp(two, SECOND_LEVEL[i], sl) == 0)
                return dots[2] ? dots[2] + 1 : q;
    return two;
}

static bool reverse_lookup(const char *domain)
{
    size_t n = strlen(domain);
    return n >= 4 && strcmp(domain + n - 4, "arpa") == 0;
}

/* The characters of the part left of the domain, dots left out. */
typedef struct name_part {
    size_t len;
    double entropy;
    bool hex;
} name_part_t;

static name_part_t left_part(const char *q, const char *domain)
{
    name_part_t r = {0, 0, true};
    unsigned cnt[256] = {0};
    size_t digits = 0;
    for (const char *p = q; p + 1 < domain; p++) {
        if (*p == '.')
            continue;
        cnt[(uint8_t)*p]++;
        r.len++;
        digits += *p >= '0' && *p <= '9';
        r.hex &= (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');
    }
    for (int i = 0; i < 256; i++)
        if (cnt[i]) {
            double pr = (double)cnt[i] / (double)r.len;
            r.entropy -= pr * log2(pr);
        }
    r.hex =
        r.hex && r.len && digits * 4 >= r.len; /* a quarter digits: not a word like "deadface" */
    return r;
}

static bool encoded_looking(const name_part_t *p, unsigned min_len)
{
    if (p->len >= min_len)
        return true;
    return p->len >= TUNNEL_SHORT_MIN_LEN && (p->entropy >= TUNNEL_SHORT_MIN_ENTROPY || p->hex);
}

static int key_domain(const void *a, const void *b)
{
    return strcmp(((const dref_t *)a)->domain, ((const dref_t *)b)->domain);
}

static int within_domain(const void *a, const void *b)
{
    const dref_t *x = a, *y = b;
    int c = strcmp(x->d->query, y->d->query);
    if (c)
        return c;
    if (x->d->ts != y->d->ts)
        return x->d->ts < y->d->ts ? -1 : 1;
    return x->d->capture < y->d->capture ? -1 : x->d->capture > y->d->capture;
}

static bool data_type(uint16_t t)
{
    return t == QT_TXT || t == QT_NULL || t == QT_CNAME || t == QT_MX || t == QT_SRV || t == QT_ANY;
}

static const char *type_name(uint16_t t)
{
    switch (t) {
    case QT_A:
        return "A";
    case QT_CNAME:
        return "CNAME";
    case QT_NULL:
        return "NULL";
    case QT_MX:
        return "MX";
    case QT_TXT:
        return "TXT";
    case QT_SRV:
        return "SRV";
    case 28:
        return "AAAA";
    default:
        return "other";
    }
}

typedef struct tunnel_tally {
    size_t unique, encoded, txt, data, nx;
    double len_sum, entropy_sum;
    uint16_t top_type;
    ts_ns_t first, last;
} tunnel_tally_t;

/* Distinct query types counted in a finding's "most asked" (a domain's
 * queries use a handful; any beyond this are not counted). */
#define TUNNEL_MAX_TYPES 16

static uint16_t most_asked_type(const dref_t *g, size_t n)
{
    uint16_t type[TUNNEL_MAX_TYPES];
    size_t count[TUNNEL_MAX_TYPES], nt = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < nt && type[j] != g[i].d->qtype)
            j++;
        if (j == nt) {
            if (nt == TUNNEL_MAX_TYPES)
                continue;
            type[nt] = g[i].d->qtype, count[nt++] = 0;
        }
        count[j]++;
    }
    for (size_t j = 1; j < nt; j++)
        if (count[j] > count[best])
            best = j;
    return nt ? type[best] : 0;
}

static void tunnel_finding(findings_t *f, const dref_t *g, size_t n, const tunnel_tally_t *t)
{
    const findings_thresholds_t *th = &f->th;
    double mean_len = t->len_sum / (double)t->encoded;
    double volume = clamp01(log10((double)t->encoded / th->tunnel_min_names + 1) / log10(6));
    double share = (double)t->encoded / (double)t->unique;
    double length = clamp01(mean_len / DNS_MAX_LABEL);
    double randomness = clamp01(t->entropy_sum / (double)t->encoded / 4.5);
    double types = (double)t->data / (double)n;
    const char *example = NULL;
    for (size_t i = 0; i < n && !example; i++) {
        name_part_t p = left_part(g[i].d->query, g[i].domain);
        if (encoded_looking(&p, th->tunnel_min_label_len))
            example = g[i].d->query;
    }
    char span[32], a[IPADDR_STRLEN];
    words_duration((double)(t->last - t->first) / 1e9, span, sizeof span);
    size_t clients = 0;
    for (size_t i = 0; i < n && clients < 2; i++)
        clients += i == 0 || !ipaddr_eq(&g[i].d->client, &g[0].d->client);
    char *who = clients == 1 ? xstrdup(ipaddr_str(&g[0].d->client, a)) : xstrdup("Several hosts");
    char *summary =
        xasprintf("%s asked %zu different encoded-looking names under %s over %s "
                  "(%zu queries, %zu TXT, %zu NXDOMAIN), e.g. %.80s: data hidden in "
                  "DNS lookups",
                  who, t->encoded, g[0].domain, span, n, t->txt, t->nx, example ? example : "");
    free(who);
    double score = fmin(100, 60 + 20 * log10((double)t->encoded / th->tunnel_min_names + 1) * 2);
    finding_t *x = findings_add(
        f, "dns_tunnel", t->encoded >= 5 * (size_t)th->tunnel_min_names ? SEV_HIGH : SEV_MEDIUM,
        finding_round(score), summary);
    finding_why(x, xasprintf("Ordinary names are short and asked again and again; these %zu are "
                             "long (%.0f characters on average), random-looking and nearly all "
                             "different, as tools that carry data inside DNS questions produce "
                             "(most queries asked for %s records).",
                             t->encoded, mean_len, type_name(t->top_type)));
    finding_score(x, "volume", volume);
    finding_score(x, "encoded_share", share);
    finding_score(x, "length", length);
    finding_score(x, "randomness", randomness);
    finding_score(x, "data_types", types);
    x->first = t->first, x->last = t->last;
    for (size_t i = 0; i < n; i++)
        finding_host(x, &g[i].d->client);
    for (size_t i = 0; i < n && x->nev < FINDING_MAX_EVIDENCE; i += 1 + n / FINDING_MAX_EVIDENCE)
        finding_evidence(x, g[i].d->capture, g[i].d->frame, g[i].d->uid);
    finding_str(x, "domain", g[0].domain);
    finding_uint(x, "queries", n);
    finding_uint(x, "unique_names", t->unique);
    finding_uint(x, "encoded_names", t->encoded);
    finding_num(x, "mean_encoded_length", mean_len, 1);
    finding_uint(x, "txt_queries", t->txt);
    finding_uint(x, "data_type_queries", t->data);
    finding_str(x, "most_asked_type", type_name(t->top_type));
    finding_uint(x, "nxdomain", t->nx);
    finding_strs(x, "examples");
    for (size_t i = 0, k = 0; i < n && k < TUNNEL_EXAMPLES; i++)
        if (i == 0 || strcmp(g[i].d->query, g[i - 1].d->query) != 0)
            finding_strs_add(x, g[i].d->query), k++;
}

static void visit_domain(void *items, size_t n, void *ctx)
{
    findings_t *f = ctx;
    const dref_t *g = items;
    if (n < f->th.tunnel_min_names || reverse_lookup(g[0].domain))
        return;
    tunnel_tally_t t = {0, 0, 0, 0, 0, 0, 0, 0, g[0].d->ts, g[0].d->ts};
    for (size_t i = 0; i < n; i++) {
        const dns_rec_t *d = g[i].d;
        t.txt += d->qtype == QT_TXT;
        t.data += data_type(d->qtype);
        t.nx += d->rcode == RCODE_NXDOMAIN;
        t.first = d->ts < t.first ? d->ts : t.first;
        t.last = d->ts > t.last ? d->ts : t.last;
        if (i > 0 && strcmp(d->query, g[i - 1].d->query) == 0)
            continue;
        t.unique++;
        name_part_t p = left_part(d->query, g[i].domain);
        if (encoded_looking(&p, f->th.tunnel_min_label_len)) {
            t.encoded++;
            t.len_sum += (double)p.len;
            t.entropy_sum += p.entropy;
        }
    }
    if (t.encoded < f->th.tunnel_min_names ||
        (double)t.encoded < TUNNEL_MIN_ENCODED_SHARE * (double)t.unique)
        return;
    t.top_type = most_asked_type(g, n);
    tunnel_finding(f, g, n, &t);
}

/* ---- NXDOMAIN bursts ---- */

static int key_client(const void *a, const void *b)
{
    return ipaddr_cmp(&(*(const dns_rec_t *const *)a)->client,
                      &(*(const dns_rec_t *const *)b)->client);
}

static int within_client(const void *a, const void *b)
{
    const dns_rec_t *x = *(const dns_rec_t *const *)a, *y = *(const dns_rec_t *const *)b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->capture < y->capture ? -1 : x->capture > y->capture;
}

/* The busiest NXDOMAIN_WINDOW_S of one client's NXDOMAIN answers. */
static void visit_client(void *items, size_t n, void *ctx)
{
    findings_t *f = ctx;
    const dns_rec_t *const *v = items;
    size_t best = 0, best_at = 0;
    for (size_t i = 0, j = 0; j < n; j++) {
        while ((double)(v[j]->ts - v[i]->ts) / 1e9 > NXDOMAIN_WINDOW_S)
            i++;
        if (j - i + 1 > best)
            best = j - i + 1, best_at = i;
    }
    if (best < f->th.nxdomain_min)
        return;
    const dns_rec_t *const *w = v + best_at;
    char a[IPADDR_STRLEN];
    double span = (double)(w[best - 1]->ts - w[0]->ts) / 1e9;
    char *summary = xasprintf("%s received %zu NXDOMAIN answers in %.0f s",
                              ipaddr_str(&w[0]->client, a), best, span);
    finding_t *x =
        findings_add(f, "nxdomain_burst", SEV_LOW, fmin(100, 40 + (double)best / 2), summary);
    finding_why(x, xasprintf("Asking for %zu names that do not exist within %d minutes is what "
                             "domain-generation malware does while it looks for its server "
                             "(a mistyped name or a wrong search domain gives a few).",
                             best, NXDOMAIN_WINDOW_S / 60));
    finding_score(x, "burst", clamp01((double)best / (4.0 * f->th.nxdomain_min)));
    finding_host(x, &w[0]->client);
    x->first = w[0]->ts, x->last = w[best - 1]->ts;
    for (size_t m = 0; m < best && x->nev < FINDING_MAX_EVIDENCE; m++)
        finding_evidence(x, w[m]->capture, w[m]->frame, w[m]->uid);
    finding_uint(x, "nxdomain_in_window", best);
    finding_uint(x, "nxdomain_total", n);
    finding_num(x, "window_s", NXDOMAIN_WINDOW_S, 0);
}

void detect_dns_tunnels(const case_t *k, findings_t *f)
{
    size_t total;
    const dns_rec_t **all = case_dns(k, &total);
    dref_t *v = xcalloc(total ? total : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < total; i++)
        if (all[i]->query && all[i]->query[0])
            v[n++] = (dref_t){all[i], parent_domain(all[i]->query)};
    group_by(v, n, sizeof *v, &(grouping_t){key_domain, within_domain}, visit_domain, f);
    free(v);
    n = 0;
    for (size_t i = 0; i < total; i++)
        if (all[i]->rcode == RCODE_NXDOMAIN)
            all[n++] = all[i];
    group_by(all, n, sizeof *all, &(grouping_t){key_client, within_client}, visit_client, f);
    free(all);
}
