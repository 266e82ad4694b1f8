/*
 * findings.h — what an analyst should look at first.
 *
 * Each detector reads the merged case and adds findings: a type, severity,
 * score (0-100), a one-sentence summary, the hosts involved and evidence
 * pointers (capture + frame numbers + uids) that open the exact packets in
 * Wireshark, plus the sentence saying why it fired and its sub-scores.
 * Detectors fill typed records (finding_* setters); they never format or
 * write anything: write/log_findings.c does.
 *
 * Thresholds are in findings_thresholds_t with documented defaults
 * (docs/findings.md); case.json records the values used.
 */
#ifndef PCAPCASE_FINDINGS_H
#define PCAPCASE_FINDINGS_H

#include "case/merged.h"
#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Evidence pointers kept per finding: enough to open and verify, not a dump. */
#define FINDING_MAX_EVIDENCE 20
#define FINDING_MAX_HOSTS 4

typedef struct findings_thresholds {
    unsigned beacon_min_conns;       /* connections in a series before scoring */
    double beacon_min_score;         /* 0..100 */
    unsigned scan_min_ports;         /* distinct ports on one host (vertical) */
    unsigned scan_min_hosts;         /* distinct hosts on one port (horizontal) */
    uint64_t exfil_min_bytes;        /* internal -> external, one pair */
    double exfil_min_ratio;          /* sent / received */
    double exfil_min_excess;         /* times the case's usual large upload */
    unsigned tunnel_min_names;       /* unique long/high-entropy names under one domain */
    unsigned tunnel_min_label_len;   /* a "long" label */
    unsigned nxdomain_min;           /* NXDOMAIN answers from one client */
    unsigned guess_min_rejected;     /* logins refused to one client, one protocol, in an hour */
    unsigned ja3_min_clients;        /* TLS clients in the case before rarity means anything */
    unsigned ja3_rare_max_clients;   /* a JA3 used by at most this many clients is rare */
    unsigned ja3_common_min_clients; /* a fingerprint this many clients share is common */
    double ja3_common_share;         /* common fingerprints must cover this share of clients */
} findings_thresholds_t;

extern const findings_thresholds_t findings_defaults;

/* The thresholds by name, for `--threshold NAME=VALUE`, case.json and the
 * report's method section. */
typedef struct threshold_desc {
    const char *name;
    char kind;  /* 'u' unsigned, 'U' uint64_t, 'd' double */
    size_t off; /* offsetof(findings_thresholds_t, ...) */
    const char *doc;
} threshold_desc_t;

extern const threshold_desc_t findings_threshold_desc[];
extern const size_t findings_nthresholds;
/* Parse "NAME=VALUE" into th.  0, or -1 with a one-line reason in err. */
int findings_threshold_set(findings_thresholds_t *th, const char *assign, char *err, size_t errlen);
/* Threshold i's value as text ("70", "0.5"), valid JSON. */
void findings_threshold_str(const findings_thresholds_t *th, size_t i, char *out, size_t n);
struct jsonw;
/* {"name": value, ...} in table order. */
void findings_thresholds_json(struct jsonw *w, const findings_thresholds_t *th);

typedef struct evidence_ptr {
    uint32_t capture;
    uint64_t frame;
    char uid[UID_LEN];
} evidence_ptr_t;

/* Severities, as findings.ndjson names them (severity_name). */
enum finding_severity { SEV_INFO = 0, SEV_LOW = 1, SEV_MEDIUM = 2, SEV_HIGH = 3 };

/* Sub-scores a finding carries (each 0..1, named), and the facts behind it. */
#define FINDING_MAX_SCORES 10

typedef struct finding_score {
    const char *name; /* static */
    double value;
} finding_score_t;

/* One detail of a finding: a number, a whole number, a text, or a list of
 * numbers or texts.  findings.ndjson "details" lists them in the order added. */
typedef enum { FA_NUM, FA_UINT, FA_STR, FA_NUMS, FA_STRS } finding_attr_kind_t;

typedef struct finding_attr {
    const char *key; /* static */
    finding_attr_kind_t kind;
    int decimals;  /* FA_NUM, FA_NUMS */
    double num;    /* FA_NUM */
    uint64_t uint; /* FA_UINT */
    char *str;     /* FA_STR, owned */
    double *nums;  /* FA_NUMS, owned */
    char **strs;   /* FA_STRS, owned */
    size_t n;      /* items in nums or strs */
} finding_attr_t;

typedef struct finding {
    const char *type; /* "beaconing", "port_scan", ... */
    int severity;     /* enum finding_severity */
    double score;     /* 0..100 */
    char *summary;    /* what happened, one sentence */
    char *why;        /* why it fired, against what baseline (owned, may be NULL) */
    finding_score_t scores[FINDING_MAX_SCORES];
    unsigned nscores;
    ipaddr_t hosts[FINDING_MAX_HOSTS];
    unsigned nhosts;
    evidence_ptr_t ev[FINDING_MAX_EVIDENCE];
    unsigned nev;
    ts_ns_t first, last;
    finding_attr_t *attrs;
    size_t nattrs, capattrs;
    char *details; /* the attrs as a JSON object's text, made by findings_run; NULL if none */
} finding_t;

typedef struct findings {
    finding_t *v;
    size_t n, cap;
    findings_thresholds_t th;
} findings_t;

findings_t *findings_run(const case_t *k, const findings_thresholds_t *th);
/* Add a finding (takes ownership of summary and details). */
finding_t *findings_add(findings_t *f, const char *type, int severity, double score, char *summary);
void finding_host(finding_t *x, const ipaddr_t *ip);
void finding_evidence(finding_t *x, uint32_t capture, uint64_t frame, const char *uid);
/* The sentence saying why (takes ownership). */
void finding_why(finding_t *x, char *why);
/* A named sub-score, 0..1 (rounded to 3 decimals in the log). */
void finding_score(finding_t *x, const char *name, double value);
/* Details (key must be a static string; values are copied). */
void finding_num(finding_t *x, const char *key, double v, int decimals);
void finding_uint(finding_t *x, const char *key, uint64_t v);
void finding_str(finding_t *x, const char *key, const char *s);
void finding_nums(finding_t *x, const char *key, const double *v, size_t n, int decimals);
/* A list of texts: starts empty, finding_strs_add appends to the last FA_STRS. */
void finding_strs(finding_t *x, const char *key);
void finding_strs_add(finding_t *x, const char *s);
/* A detail by key, or NULL. */
const finding_attr_t *finding_attr(const finding_t *x, const char *key);
/* The details object's JSON text, from the typed attrs; caller frees
 * (findings_run sets each finding's details with it). */
char *finding_details_json(const finding_t *x);
const char *severity_name(int s);
void findings_free(findings_t *f);

/* Round a score for the log: one decimal. */
double finding_round(double score);

/* Detectors (detect_*.c). */
void detect_beacons(const case_t *k, findings_t *f);
void detect_scans(const case_t *k, findings_t *f);
void detect_exfil(const case_t *k, findings_t *f);
void detect_dns_tunnels(const case_t *k, findings_t *f);
void detect_app(const case_t *k, findings_t *f); /* TLS, credentials, MIME mismatch */
void detect_rare_ja3(const case_t *k, findings_t *f);
void detect_intel(const case_t *k, findings_t *f);    /* --intel matches, one per indicator */
void detect_guessing(const case_t *k, findings_t *f); /* password guessing and sprays */

#endif
