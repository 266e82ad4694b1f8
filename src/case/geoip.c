/* geoip.c — MaxMind DB lookups with libmaxminddb; see geoip.h. */
#include "geoip.h"

#include "core/digest.h"
#include "core/xalloc.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

typedef struct open_db {
    MMDB_s mmdb;
    bool open; /* mmdb is open and usable */
    geoip_db_t info;
} open_db_t;

struct geoip {
    open_db_t **v; /* pointers: an MMDB_s must not move once open */
    size_t n;
};

enum geo_field { F_ASN, F_ORG, F_COUNTRY, F_COUNTRY_NAME, F_CITY, NFIELDS };

/* Where each field is, in the databases we know; the first path a database
 * has wins.  GeoLite2/GeoIP2 and DB-IP lite share their names; ipinfo's
 * free databases use flat ones ("asn": "AS64500", "country": "NL"). */
static const struct {
    enum geo_field field;
    const char *path[4];
} field_paths[] = {
    {F_ASN, {"autonomous_system_number", NULL}},
    {F_ASN, {"asn", NULL}},
    {F_ORG, {"autonomous_system_organization", NULL}},
    {F_ORG, {"as_name", NULL}},
    {F_COUNTRY, {"country", "iso_code", NULL}},
    {F_COUNTRY, {"country", NULL}},
    {F_COUNTRY_NAME, {"country", "names", "en", NULL}},
    {F_COUNTRY_NAME, {"country_name", NULL}},
    {F_CITY, {"city", "names", "en", NULL}},
    {F_CITY, {"city", NULL}},
};

geoip_t *geoip_new(void)
{
    return xcalloc(1, sizeof(geoip_t));
}

static void close_db(open_db_t *d)
{
    if (d->open)
        MMDB_close(&d->mmdb);
    free(d->info.path);
    free(d->info.error);
    free(d->info.database_type);
    free(d);
}

void geoip_free(geoip_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        close_db(g->v[i]);
    free(g->v);
    free(g);
}

/* Walk the whole search tree once: every record must be a node, empty, or
 * point into the data section, and no node may be reached twice (a cycle or
 * shared subtree other than libmaxminddb's IPv4 aliases).  0, or an MMDB
 * error code. */
static int check_tree(const MMDB_s *m)
{
    uint32_t nodes = m->metadata.node_count;
    if (nodes == 0)
        return MMDB_INVALID_METADATA_ERROR;
    uint8_t *seen = xcalloc((size_t)nodes / 8 + 1, 1);
    uint32_t *stack = xmalloc(sizeof *stack * ((size_t)nodes + 1));
    size_t top = 0;
    int rc = MMDB_SUCCESS;
    stack[top++] = 0;
    seen[0] |= 1;
    while (top && rc == MMDB_SUCCESS) {
        MMDB_search_node_s node;
        rc = MMDB_read_node(m, stack[--top], &node);
        uint64_t rec[2] = {node.left_record, node.right_record};
        uint8_t type[2] = {node.left_record_type, node.right_record_type};
        for (int side = 0; side < 2 && rc == MMDB_SUCCESS; side++) {
            if (type[side] == MMDB_RECORD_TYPE_INVALID)
                rc = MMDB_CORRUPT_SEARCH_TREE_ERROR;
            else if (type[side] == MMDB_RECORD_TYPE_SEARCH_NODE &&
                     !(seen[rec[side] / 8] & (1u << (rec[side] % 8)))) {
                seen[rec[side] / 8] |= (uint8_t)(1u << (rec[side] % 8));
                stack[top++] = (uint32_t)rec[side];
            }
        }
    }
    free(stack);
    free(seen);
    return rc;
}

static void file_sha256(const MMDB_s *m, char out[65])
{
    EVP_MD_CTX *c = digest_new(EVP_sha256());
    if (c && m->file_size > 0)
        EVP_DigestUpdate(c, m->file_content, (size_t)m->file_size);
    digest_final_hex(c, out);
    EVP_MD_CTX_free(c);
}

/* Append d to g. */
static void push(geoip_t *g, open_db_t *d)
{
    g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
    g->v[g->n++] = d;
}

int geoip_add(geoip_t *g, const char *path, char *err, size_t errlen)
{
    open_db_t *d = xcalloc(1, sizeof *d);
    d->info.path = xstrdup(path);
    const char *why = NULL;
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
    if (rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR) {
        why = "cannot read";
    } else if (rc != MMDB_SUCCESS) {
        why = "not a MaxMind DB file";
    } else if ((rc = check_tree(&d->mmdb)) != MMDB_SUCCESS) {
        why = "damaged MaxMind DB file";
        MMDB_close(&d->mmdb);
    }
    if (why) {
        d->info.error = xasprintf("%s (%s)", why, MMDB_strerror(rc));
        snprintf(err, errlen, "%s: %s", path, d->info.error);
        push(g, d);
        return -1;
    }
    d->open = true;
    d->info.database_type =
        xstrdup(d->mmdb.metadata.database_type ? d->mmdb.metadata.database_type : "");
    d->info.build_epoch = d->mmdb.metadata.build_epoch;
    file_sha256(&d->mmdb, d->info.sha256);
    push(g, d);
    return 0;
}

size_t geoip_count(const geoip_t *g)
{
    return g ? g->n : 0;
}

const geoip_db_t *geoip_db(const geoip_t *g, size_t i)
{
    return g && i < g->n ? &g->v[i]->info : NULL;
}

/* ---- lookups --------------------------------------------------------------- */

/* s (n bytes of UTF-8) into out (size bytes), cut at a character boundary
 * and at a NUL. */
static void copy_text(char *out, size_t size, const char *s, size_t n)
{
    const char *nul = memchr(s, 0, n);
    if (nul)
        n = (size_t)(nul - s);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] continues a character: cut before it */
    }
    memcpy(out, s, n);
    out[n] = 0;
}

/* An AS number from a number or from text "AS64500" / "64500"; 0 if not. */
static uint32_t asn_value(const MMDB_entry_data_s *v)
{
    switch (v->type) {
    case MMDB_DATA_TYPE_UINT16:
        return v->uint16;
    case MMDB_DATA_TYPE_UINT32:
        return v->uint32;
    case MMDB_DATA_TYPE_UINT64:
        return v->uint64 <= UINT32_MAX ? (uint32_t)v->uint64 : 0;
    case MMDB_DATA_TYPE_UTF8_STRING: {
        const char *s = v->utf8_string, *end = s + v->data_size;
        uint64_t n = 0;
        if (end - s >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
            s += 2;
        if (s == end)
            return 0;
        for (; s < end; s++) {
            if (*s < '0' || *s > '9' || (n = n * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
                return 0;
        }
        return (uint32_t)n;
    }
    default:
        return 0;
    }
}

/* Store v as field f of out when it has the right type; true if stored. */
static bool store_field(geoip_info_t *out, enum geo_field f, const MMDB_entry_data_s *v)
{
    if (f == F_ASN) {
        out->asn = asn_value(v);
        return out->asn != 0;
    }
    if (v->type != MMDB_DATA_TYPE_UTF8_STRING || v->data_size == 0)
        return false;
    char *dst = f == F_ORG            ? out->as_org
                : f == F_COUNTRY      ? out->country
                : f == F_COUNTRY_NAME ? out->country_name
                                      : out->city;
    size_t size = f == F_COUNTRY ? sizeof out->country : GEOIP_TEXT_MAX;
    if (f == F_COUNTRY && v->data_size > 3)
        return false; /* not an ISO code */
    copy_text(dst, size, v->utf8_string, v->data_size);
    return dst[0] != 0;
}

static bool field_set(const geoip_info_t *out, enum geo_field f)
{
    switch (f) {
    case F_ASN:
        return out->asn != 0;
    case F_ORG:
        return out->as_org[0];
    case F_COUNTRY:
        return out->country[0];
    case F_COUNTRY_NAME:
        return out->country_name[0];
    default:
        return out->city[0];
    }
}

static void to_sockaddr(const ipaddr_t *ip, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ip->a, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ip->a, 16);
    }
}

/* Fill the fields of out that db knows and out lacks. */
static void lookup_one(open_db_t *d, const struct sockaddr *sa, geoip_info_t *out)
{
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&d->mmdb, sa, &mmdb_error);
    if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
        return; /* an IPv4 database knows nothing of IPv6 */
    if (mmdb_error != MMDB_SUCCESS) {
        d->info.lookup_errors++;
        return;
    }
    if (!r.found_entry)
        return;
    bool failed = false;
    for (size_t i = 0; i < sizeof field_paths / sizeof *field_paths; i++) {
        if (field_set(out, field_paths[i].field))
            continue;
        MMDB_entry_data_s v;
        int rc = MMDB_aget_value(&r.entry, &v, field_paths[i].path);
        if (rc == MMDB_SUCCESS && v.has_data)
            store_field(out, field_paths[i].field, &v);
        else if (rc != MMDB_SUCCESS && rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
            failed = true;
    }
    d->info.lookup_errors += failed;
}

bool geoip_lookup(geoip_t *g, const ipaddr_t *ip, geoip_info_t *out)
{
    memset(out, 0, sizeof *out);
    if (!g || (ip->family != 4 && ip->family != 6))
        return false;
    struct sockaddr_storage ss;
    to_sockaddr(ip, &ss);
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i]->open)
            lookup_one(g->v[i], (const struct sockaddr *)&ss, out);
    for (int f = 0; f < NFIELDS; f++)
        if (field_set(out, (enum geo_field)f))
            return true;
    return false;
}
