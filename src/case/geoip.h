/*
 * geoip.h — who owns an address and where it is, from MaxMind DB files.
 *
 * `--mmdb FILE` (repeatable) names MaxMind DB files: GeoLite2/GeoIP2 ASN,
 * Country and City, DB-IP's lite databases, or any MMDB with the same field
 * names (ipinfo's free databases' `asn`, `as_name`, `country` and
 * `country_name` are read too).  An address gets each field from the first
 * database, in command-line order, that has it.  No database ships with
 * pcapcase; without one nothing is looked up.
 *
 * Files are read with libmaxminddb (memory-mapped).  A file is checked when
 * added — libmaxminddb reads its metadata, and we walk its whole search tree
 * once — so a damaged file is refused with one clear reason instead of
 * failing lookup by lookup.  A data record that still cannot be decoded at
 * lookup time is counted per database (geoip_db_t.lookup_errors), never
 * fatal.
 *
 * Threads: adding and looking up from one thread (lookups count errors).
 */
#ifndef PCAPCASE_GEOIP_H
#define PCAPCASE_GEOIP_H

#include "core/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes kept of an organisation, country or city name (cut at a UTF-8
 * character boundary): the longest AS organisation names in GeoLite2 are
 * about 90 bytes; a hostile file must not put a megabyte into every row. */
#define GEOIP_TEXT_MAX 128

typedef struct geoip_info {
    uint32_t asn;                      /* 0 unknown */
    char as_org[GEOIP_TEXT_MAX];       /* "" unknown */
    char country[4];                   /* ISO 3166-1 alpha-2 code, "" unknown */
    char country_name[GEOIP_TEXT_MAX]; /* English name, "" unknown */
    char city[GEOIP_TEXT_MAX];         /* English name, "" unknown */
} geoip_info_t;

/* One database, for case.json. */
typedef struct geoip_db {
    char *path;
    char *error;            /* why it is not used, or NULL */
    char sha256[65];        /* of the file */
    char *database_type;    /* its metadata's, e.g. "GeoLite2-ASN" */
    uint64_t build_epoch;   /* when it was built (Unix seconds) */
    uint64_t lookup_errors; /* lookups that met undecodable data */
} geoip_db_t;

typedef struct geoip geoip_t;

geoip_t *geoip_new(void);
void geoip_free(geoip_t *g);

/* Open path and add it after the others.  0, or -1 with a one-line reason
 * in err ("PATH: not a MaxMind DB file (...)"); the file is listed either
 * way (geoip_db), a refused one with its reason, and never looked in. */
int geoip_add(geoip_t *g, const char *path, char *err, size_t errlen);

size_t geoip_count(const geoip_t *g);
const geoip_db_t *geoip_db(const geoip_t *g, size_t i);

/* What the databases say about ip, into out (cleared first); false when no
 * database knows anything of it. */
bool geoip_lookup(geoip_t *g, const ipaddr_t *ip, geoip_info_t *out);

#endif
