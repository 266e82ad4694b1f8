/*
 * intel.h — known-bad indicators (threat intelligence) and matching them.
 *
 * An analyst is handed indicators — the C2 address, the phishing domain, the
 * dropper's hash — and must answer "did any of them show up, where, when?".
 * This module holds every indicator of the --intel files in one set and
 * answers "which indicators does this observed value match?" cheaply enough
 * to ask it for every address, name, URL, hash and fingerprint of a case.
 *
 * Files are Zeek Intel framework files (`#fields indicator indicator_type
 * meta.source ...`) or plain lists of one indicator per line with the type
 * inferred (intel_load.c; docs/manual.md has the syntax).  Indicators are
 * normalised when loaded and observed values the same way when looked up
 * (intel_norm.c), so case, a trailing dot or a default port never hide a match.
 * Storage (intel_set.c): one hash set over (kind, normalised key) for exact
 * indicators; subnets in one hash set per prefix length present, walked
 * longest first; "a domain and its subdomains" by walking the observed name's
 * label suffixes.  A lookup costs a few hash probes, independent of the set's
 * size.
 *
 * Threads: loading is single-threaded; lookups only read and may run in
 * parallel once loading is finished.
 */
#ifndef PCAPCASE_INTEL_H
#define PCAPCASE_INTEL_H

#include "core/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The indicator types: Zeek's Intel::Type values, and fingerprints of TLS
 * clients and servers (JA3, JA3S, JA4, JA4S) that Zeek has no type for. */
typedef enum intel_type {
    INTEL_ADDR,
    INTEL_SUBNET,
    INTEL_DOMAIN,
    INTEL_URL,
    INTEL_FILE_HASH, /* MD5, SHA-1 or SHA-256 of a file, told apart by length */
    INTEL_CERT_HASH, /* a certificate's fingerprint (MD5, SHA-1 or SHA-256) */
    INTEL_EMAIL,
    INTEL_USER_NAME,
    INTEL_FILE_NAME,
    INTEL_SOFTWARE, /* a software string as sent, e.g. an HTTP User-Agent */
    INTEL_JA3,
    INTEL_JA3S,
    INTEL_JA4,
    INTEL_JA4S,
    INTEL_NTYPES
} intel_type_t;

#define INTEL_BIT(t) (1u << (t))

/* "Intel::ADDR", ... (the names of Zeek files and intel.ndjson). */
const char *intel_type_name(intel_type_t t);
/* The type named s (n bytes), "Intel::" prefix required; false if unknown. */
bool intel_type_parse(const char *s, size_t n, intel_type_t *out);

/* Severity of an indicator when its feed gives none: the analyst chose to
 * load it, so a sighting is among the first things to look at.  The scale is
 * the findings' one: 3 high, 2 medium, 1 low, 0 info. */
#define INTEL_DEFAULT_SEVERITY 3
#define INTEL_SEVERITY_UNSET (-1)

/* What one feed says about an indicator (Zeek's Intel::MetaData). */
typedef struct intel_meta {
    const char *source; /* the feed: meta.source, or the file's name */
    const char *desc;   /* meta.desc, or NULL */
    const char *url;    /* meta.url, or NULL */
    int severity;       /* meta.severity, or INTEL_SEVERITY_UNSET */
} intel_meta_t;

/* One loaded file, for case.json. */
typedef struct intel_file_info {
    char *path;
    char *error;            /* why it could not be read (wholly), or NULL */
    char sha256[65];        /* of the file's bytes, lower-case hex */
    const char *format;     /* "zeek" or "list" */
    uint64_t lines;         /* every line, comments and blank ones included */
    uint64_t indicators;    /* lines that gave an indicator */
    uint64_t already_known; /* ... of which the set already held (meta merged) */
    uint64_t bad_lines;     /* lines skipped with a message */
} intel_file_info_t;

typedef struct intel_set intel_set_t;
typedef uint32_t intel_id_t; /* an indicator of a set, 0 .. intel_count() - 1 */

intel_set_t *intel_new(void);
void intel_free(intel_set_t *s);

/* Load one file into s.  Bad lines get one message each on diag ("pcapcase:
 * FILE:LINE: reason"; at most INTEL_MAX_LINE_MESSAGES per file, then a count)
 * and are skipped; diag may be NULL.  0, or -1 when the file cannot be read
 * (reason in err and in the file's info; what was read before a read error
 * stays loaded).  Either way the file is listed (intel_file). */
int intel_load_file(intel_set_t *s, const char *path, FILE *diag, char *err, size_t errlen);

/* The same from memory, in pieces: begin, feed any number of times (a line
 * may span pieces), end.  name stands for the file in messages and is the
 * source of indicators whose feed names none.  end returns the file's info
 * (owned by s). */
typedef struct intel_loader intel_loader_t;
intel_loader_t *intel_loader_begin(intel_set_t *s, const char *name, FILE *diag);
void intel_loader_feed(intel_loader_t *l, const void *p, size_t n);
const intel_file_info_t *intel_loader_end(intel_loader_t *l);

/* Messages per file before the rest are only counted. */
#define INTEL_MAX_LINE_MESSAGES 20

/* Add one indicator of the given types (bits of INTEL_BIT; several only for
 * types that share a key, i.e. a hash that may be a file's or a
 * certificate's).  text is normalised (intel_norm.h); meta strings are
 * copied.  A known indicator gets the meta added, or replaced when the same
 * source names it again (as Zeek does).  0 added, 1 already known, -1 not a
 * valid indicator of that type (why says so). */
int intel_add(intel_set_t *s, unsigned types, const char *text, size_t n, const intel_meta_t *meta,
              const char **why);

size_t intel_count(const intel_set_t *s);
size_t intel_nfiles(const intel_set_t *s);
const intel_file_info_t *intel_file(const intel_set_t *s, size_t i);

/* Matching.  A value can match several indicators (an address its own entry
 * and every listed subnet around it; a name its own entry and every
 * "subdomains too" entry above it), never more than INTEL_MAX_HITS: one exact
 * key plus one per IPv6 prefix length 0..128 (a domain has at most 127
 * labels).  hits gets them exact first, then the longest subnet or suffix
 * first; the count is returned. */
#define INTEL_MAX_HITS 130
size_t intel_match(const intel_set_t *s, intel_type_t seen_as, const char *value, size_t n,
                   intel_id_t hits[INTEL_MAX_HITS]);
size_t intel_match_addr(const intel_set_t *s, const ipaddr_t *ip, intel_id_t hits[INTEL_MAX_HITS]);

/* The indicator as the case shows it: normalised, "*." before a domain that
 * matches its subdomains, addresses in their canonical text.  The string
 * belongs to s and stays valid until the next intel_add or load. */
const char *intel_indicator_text(const intel_set_t *s, intel_id_t id);
/* The type the indicator matched as when seen as seen_as: SUBNET for a
 * subnet, otherwise seen_as (Zeek's intel.log `matched`). */
intel_type_t intel_matched_type(const intel_set_t *s, intel_id_t id, intel_type_t seen_as);
/* The types the feeds gave it (INTEL_BIT set). */
unsigned intel_indicator_types(const intel_set_t *s, intel_id_t id);
/* Its i-th feed entry, in the order the feeds were loaded; false past the
 * last.  Strings belong to s. */
bool intel_indicator_meta(const intel_set_t *s, intel_id_t id, size_t i, intel_meta_t *out);
/* The highest severity any feed gives it, or INTEL_DEFAULT_SEVERITY. */
int intel_indicator_severity(const intel_set_t *s, intel_id_t id);

#endif
