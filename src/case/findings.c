/* findings.c — running the detectors over a case, and their thresholds;
 * see findings.h.  The record a detector fills is in finding.c. */
#include "findings.h"

#include "core/jsonw.h"
#include "core/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const findings_thresholds_t findings_defaults = {
    .beacon_min_conns = 10,   /* fewer beats cannot show a rhythm */
    .beacon_min_score = 75.0, /* chosen on the detection benchmark: docs/findings.md */
    .scan_min_ports = 50,     /* nmap's smallest "fast" scan is 100 ports */
    .scan_min_hosts = 50,
    .exfil_min_bytes = 5u << 19, /* 2.5 MiB: the floor, and the rule when a case has no norm */
    .exfil_min_ratio = 3.0,
    .exfil_min_excess = 4.0, /* see docs/findings.md: chosen on the detection benchmark */
    .tunnel_min_names = 20,
    .tunnel_min_label_len = 25,
    .nxdomain_min = 10,
    .guess_min_rejected = 10, /* docs/findings.md: a typo is 1-3, Zeek's FTP rule 20 */
    .ja3_min_clients = 10,    /* rarity needs a population to be rare in */
    .ja3_rare_max_clients = 1,
    .ja3_common_min_clients = 3,
    .ja3_common_share = 0.5,
};

#define TH(field, kind, doc)                                                                       \
    {                                                                                              \
#field, kind, offsetof(findings_thresholds_t, field), doc                                  \
    }
const threshold_desc_t findings_threshold_desc[] = {
    TH(beacon_min_conns, 'u', "connections in a series before it is scored as a beacon"),
    TH(beacon_min_score, 'd', "beacon score (0-100) that raises a finding"),
    TH(scan_min_ports, 'u', "distinct ports on one host for a port scan"),
    TH(scan_min_hosts, 'u', "distinct hosts one host probed for a host sweep"),
    TH(exfil_min_bytes, 'U', "bytes sent from inside to one outside destination, at least"),
    TH(exfil_min_ratio, 'd', "sent / received ratio for exfiltration"),
    TH(exfil_min_excess, 'd',
       "times the case's usual large upload (90th percentile) that one upload must exceed"),
    TH(tunnel_min_names, 'u', "unique encoded-looking names under one domain for a DNS tunnel"),
    TH(tunnel_min_label_len, 'u', "length of a name part that counts as encoded-looking"),
    TH(nxdomain_min, 'u', "NXDOMAIN answers to one client within 5 minutes for a burst"),
    TH(guess_min_rejected, 'u',
       "logins one client had refused over one protocol within an hour for password guessing"),
    TH(ja3_min_clients, 'u', "TLS clients in the case before a rare JA3 is reported"),
    TH(ja3_rare_max_clients, 'u', "a JA3 used by at most this many clients is rare"),
    TH(ja3_common_min_clients, 'u', "clients sharing a fingerprint for it to be common"),
    TH(ja3_common_share, 'd', "share of clients (0-1) the common fingerprints must cover"),
};
#undef TH
const size_t findings_nthresholds =
    sizeof findings_threshold_desc / sizeof *findings_threshold_desc;

int findings_threshold_set(findings_thresholds_t *th, const char *assign, char *err, size_t errlen)
{
    const char *eq = strchr(assign, '=');
    size_t nl = eq ? (size_t)(eq - assign) : strlen(assign);
    const threshold_desc_t *d = NULL;
    for (size_t i = 0; i < findings_nthresholds; i++)
        if (strlen(findings_threshold_desc[i].name) == nl &&
            strncmp(findings_threshold_desc[i].name, assign, nl) == 0)
            d = &findings_threshold_desc[i];
    if (!d) {
        snprintf(err, errlen, "unknown threshold '%.*s'; '--threshold list' names them", (int)nl,
                 assign);
        return -1;
    }
    if (!eq || !eq[1]) {
        snprintf(err, errlen, "threshold %s needs a value (%s=VALUE)", d->name, d->name);
        return -1;
    }
    char *end;
    errno = 0;
    char *p = (char *)th + d->off;
    if (d->kind == 'd') {
        double v = strtod(eq + 1, &end);
        if (*end || errno || !isfinite(v) || v < 0) {
            snprintf(err, errlen, "threshold %s: '%s' is not a number >= 0", d->name, eq + 1);
            return -1;
        }
        memcpy(p, &v, sizeof v);
        return 0;
    }
    unsigned long long v = strtoull(eq + 1, &end, 10); /* which would take "-1" */
    if (eq[1] == '-' || *end || errno || (d->kind == 'u' && v > 0xffffffffull)) {
        snprintf(err, errlen, "threshold %s: '%s' is not a whole number >= 0", d->name, eq + 1);
        return -1;
    }
    if (d->kind == 'u') {
        unsigned u = (unsigned)v;
        memcpy(p, &u, sizeof u);
    } else {
        uint64_t u = v;
        memcpy(p, &u, sizeof u);
    }
    return 0;
}

void findings_threshold_str(const findings_thresholds_t *th, size_t i, char *out, size_t n)
{
    const threshold_desc_t *d = &findings_threshold_desc[i];
    const char *p = (const char *)th + d->off;
    if (d->kind == 'd') {
        double v;
        memcpy(&v, p, sizeof v);
        snprintf(out, n, "%g", v);
    } else if (d->kind == 'u') {
        unsigned v;
        memcpy(&v, p, sizeof v);
        snprintf(out, n, "%u", v);
    } else {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        snprintf(out, n, "%llu", (unsigned long long)v);
    }
}

void findings_thresholds_json(jsonw_t *w, const findings_thresholds_t *th)
{
    jw_obj_begin(w);
    for (size_t i = 0; i < findings_nthresholds; i++) {
        char v[40];
        findings_threshold_str(th, i, v, sizeof v);
        jw_key(w, findings_threshold_desc[i].name);
        jw_raw(w, v);
    }
    jw_obj_end(w);
}

static int cmp_finding(const void *a, const void *b)
{
    const finding_t *x = a, *y = b;
    if (x->severity != y->severity)
        return y->severity - x->severity;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    int c = strcmp(x->type, y->type);
    return c ? c : strcmp(x->summary, y->summary);
}

findings_t *findings_run(const case_t *k, const findings_thresholds_t *th)
{
    findings_t *f = xcalloc(1, sizeof *f);
    f->th = th ? *th : findings_defaults;
    detect_beacons(k, f);
    detect_scans(k, f);
    detect_exfil(k, f);
    detect_dns_tunnels(k, f);
    detect_app(k, f);
    detect_guessing(k, f);
    detect_rare_ja3(k, f);
    detect_intel(k, f);
    xqsort(f->v, f->n, sizeof *f->v, cmp_finding);
    for (size_t i = 0; i < f->n; i++)
        f->v[i].details = finding_details_json(&f->v[i]);
    return f;
}

void findings_free(findings_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        finding_t *x = &f->v[i];
        free(x->summary);
        free(x->why);
        free(x->details);
        for (size_t a = 0; a < x->nattrs; a++) {
            free(x->attrs[a].str);
            free(x->attrs[a].nums);
            for (size_t j = 0; j < x->attrs[a].n && x->attrs[a].strs; j++)
                free(x->attrs[a].strs[j]);
            free(x->attrs[a].strs);
        }
        free(x->attrs);
    }
    free(f->v);
    free(f);
}
