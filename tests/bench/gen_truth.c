/* gen_truth.c — what gencap generated, written as FILE.truth.json for tests to compare with.
 *
 * Counters live in g_truth and are bumped where traffic is made.  HTTP bodies are kept in a
 * table keyed by the SHA-256 of the decoded body, so the truth lists every distinct body
 * once, with how often it was transferred — what a deduplicating carver should end up with.
 */
#include "gencap.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

truth_t g_truth;

typedef struct {
    uint8_t sha256[32], md5[16], sha1[20], wire_sha256[32];
    uint64_t size, wire_size, count;
    const char *mime; /* static strings */
    int gzip, chunked, dir;
    char *uri;
    int used;
} body_entry_t;

static body_entry_t *g_bodies;
static size_t g_nbodies, g_cap; /* g_cap is a power of two */
static size_t *g_order;         /* insertion order, for stable output */

static void bodies_grow(void)
{
    size_t ncap = g_cap ? g_cap * 2 : 1024;
    body_entry_t *nb = xmalloc(ncap * sizeof *nb);
    memset(nb, 0, ncap * sizeof *nb);
    size_t *norder = xmalloc(ncap * sizeof *norder);
    for (size_t i = 0; i < g_nbodies; i++) {
        body_entry_t *e = &g_bodies[g_order[i]];
        uint64_t h;
        memcpy(&h, e->sha256, 8);
        size_t j = h & (ncap - 1);
        while (nb[j].used)
            j = (j + 1) & (ncap - 1);
        nb[j] = *e;
        norder[i] = j;
    }
    free(g_bodies);
    free(g_order);
    g_bodies = nb;
    g_order = norder;
    g_cap = ncap;
}

/* One digest of p; the generator cannot go on without its hashes. */
static void digest(const EVP_MD *md, const uint8_t *p, size_t n, uint8_t *out)
{
    if (!EVP_Digest(p, n, out, NULL, md, NULL)) {
        fprintf(stderr, "gencap: EVP_Digest failed\n");
        exit(4);
    }
}

void truth_body(const uint8_t *decoded, size_t dlen, const uint8_t *wire, size_t wlen,
                const char *mime, int gzip, int chunked, body_dir_t dir, const char *uri)
{
    g_truth.http_bodies++;
    uint8_t sha[32];
    digest(EVP_sha256(), decoded, dlen, sha);
    if (2 * (g_nbodies + 1) > g_cap)
        bodies_grow();
    uint64_t h;
    memcpy(&h, sha, 8);
    size_t j = h & (g_cap - 1);
    while (g_bodies[j].used && memcmp(g_bodies[j].sha256, sha, 32))
        j = (j + 1) & (g_cap - 1);
    body_entry_t *e = &g_bodies[j];
    if (e->used) {
        e->count++;
        return;
    }
    e->used = 1;
    e->count = 1;
    memcpy(e->sha256, sha, 32);
    digest(EVP_md5(), decoded, dlen, e->md5);
    digest(EVP_sha1(), decoded, dlen, e->sha1);
    e->size = dlen;
    e->wire_size = wlen;
    if (gzip)
        digest(EVP_sha256(), wire, wlen, e->wire_sha256);
    else
        memcpy(e->wire_sha256, sha, 32);
    e->mime = mime;
    e->gzip = gzip;
    e->chunked = chunked;
    e->dir = dir;
    e->uri = xstrdup(uri);
    g_order[g_nbodies++] = j;
}

/* ---- server names seen in ClientHellos ---- */

typedef struct {
    char *name;
    uint64_t count;
} name_count_t;

static name_count_t *g_snis;
static size_t g_nsnis;

void truth_sni(const char *name)
{
    for (size_t i = 0; i < g_nsnis; i++)
        if (!strcmp(g_snis[i].name, name)) {
            g_snis[i].count++;
            return;
        }
    g_snis = xrealloc(g_snis, (g_nsnis + 1) * sizeof *g_snis);
    g_snis[g_nsnis].name = xstrdup(name);
    g_snis[g_nsnis++].count = 1;
}

/* ---- JSON ---- */

void json_str(bytes_t *b, const char *s)
{
    bytes_u8(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            bytes_u8(b, '\\'), bytes_u8(b, c);
        else if (c < 0x20)
            bytes_printf(b, "\\u%04x", c);
        else
            bytes_u8(b, c);
    }
    bytes_u8(b, '"');
}

static void hexs(bytes_t *b, const uint8_t *p, size_t n)
{
    bytes_u8(b, '"');
    for (size_t i = 0; i < n; i++)
        bytes_printf(b, "%02x", p[i]);
    bytes_u8(b, '"');
}

static void ts_json(bytes_t *b, uint64_t ts)
{
    bytes_printf(b, "%llu.%09llu", (unsigned long long)(ts / 1000000000u),
                 (unsigned long long)(ts % 1000000000u));
}

#define U(x) ((unsigned long long)(x))

void tls_truth_json(bytes_t *b);

int truth_write(const char *path, const char *options_json, const char *extra_json)
{
    const truth_t *t = &g_truth;
    bytes_t b = {0};
    bytes_printf(&b, "{\n  \"generator\": \"gencap\",\n  \"schema\": 1,\n  \"options\": %s,\n",
                 options_json);
    bytes_printf(&b, "  \"capture\": {\"packets\": %llu, \"frame_bytes\": %llu, \"first_ts\": ",
                 U(t->packets), U(t->frame_bytes));
    ts_json(&b, t->first_ts);
    bytes_printf(&b, ", \"last_ts\": ");
    ts_json(&b, t->last_ts);
    bytes_printf(&b, "},\n");
    bytes_printf(&b,
                 "  \"tcp\": {\"conversations\": %llu, \"handshakes\": %llu, \"ipv6\": %llu, "
                 "\"fin_closed\": %llu, \"rst_closed\": %llu},\n",
                 U(t->tcp_conversations), U(t->tcp_handshakes), U(t->tcp_ipv6),
                 U(t->tcp_fin_closed), U(t->tcp_rst_closed));
    bytes_printf(&b, "  \"udp\": {\"conversations\": %llu},\n", U(t->udp_conversations));
    size_t distinct_resp = 0, distinct_req = 0;
    for (size_t i = 0; i < g_nbodies; i++)
        if (g_bodies[g_order[i]].dir == BODY_REQUEST)
            distinct_req++;
        else
            distinct_resp++;
    bytes_printf(&b,
                 "  \"http\": {\"transactions\": %llu, \"connections\": %llu, "
                 "\"keepalive_connections\": %llu, \"methods\": {\"GET\": %llu, \"POST\": %llu},\n"
                 "    \"status\": {\"200\": %llu, \"201\": %llu, \"304\": %llu, \"404\": %llu},\n"
                 "    \"chunked_responses\": %llu, \"gzip_responses\": %llu, \"bodies\": %llu, "
                 "\"distinct_bodies\": %zu, \"distinct_response_bodies\": %zu, "
                 "\"distinct_request_bodies\": %zu},\n",
                 U(t->http_transactions), U(t->http_connections), U(t->http_keepalive_connections),
                 U(t->http_get), U(t->http_post), U(t->http_status_200), U(t->http_status_201),
                 U(t->http_status_304), U(t->http_status_404), U(t->http_chunked), U(t->http_gzip),
                 U(t->http_bodies), g_nbodies, distinct_resp, distinct_req);
    bytes_printf(&b,
                 "  \"dns\": {\"queries\": %llu, \"responses\": %llu, \"qtypes\": {\"A\": %llu, "
                 "\"AAAA\": %llu}, \"cname_answers\": %llu, \"nxdomain\": %llu},\n",
                 U(t->dns_queries), U(t->dns_responses), U(t->dns_a), U(t->dns_aaaa),
                 U(t->dns_cname_answers), U(t->dns_nxdomain));
    bytes_printf(&b, "  \"tls\": {\"handshakes\": %llu, \"version\": \"TLS 1.2\",\n    ",
                 U(t->tls_handshakes));
    tls_truth_json(&b);
    bytes_printf(&b, ",\n    \"server_names\": {");
    for (size_t i = 0; i < g_nsnis; i++) {
        bytes_printf(&b, "%s", i ? ", " : "");
        json_str(&b, g_snis[i].name);
        bytes_printf(&b, ": %llu", U(g_snis[i].count));
    }
    bytes_printf(&b, "}},\n");
    bytes_printf(&b, "  \"ntp_exchanges\": %llu,\n  \"syslog_messages\": %llu,\n",
                 U(t->ntp_exchanges), U(t->syslog_messages));
    if (extra_json && *extra_json)
        bytes_printf(&b, "%s,\n", extra_json);
    bytes_printf(&b, "  \"http_bodies\": [");
    for (size_t i = 0; i < g_nbodies; i++) {
        const body_entry_t *e = &g_bodies[g_order[i]];
        bytes_printf(&b, "%s\n    {\"sha256\": ", i ? "," : "");
        hexs(&b, e->sha256, 32);
        bytes_printf(&b, ", \"md5\": ");
        hexs(&b, e->md5, 16);
        bytes_printf(&b, ", \"sha1\": ");
        hexs(&b, e->sha1, 20);
        bytes_printf(&b, ", \"size\": %llu, \"mime\": ", U(e->size));
        json_str(&b, e->mime);
        bytes_printf(&b,
                     ", \"content_encoding\": \"%s\", \"chunked\": %s, \"is_orig\": %s, "
                     "\"count\": %llu, \"wire_sha256\": ",
                     e->gzip ? "gzip" : "identity", e->chunked ? "true" : "false",
                     e->dir == BODY_REQUEST ? "true" : "false", U(e->count));
        hexs(&b, e->wire_sha256, 32);
        bytes_printf(&b, ", \"wire_size\": %llu, \"uri\": ", U(e->wire_size));
        json_str(&b, e->uri);
        bytes_printf(&b, "}");
    }
    bytes_printf(&b, "\n  ]\n}\n");
    FILE *f = fopen(path, "w");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
        fprintf(stderr, "gencap: %s: cannot write the truth file\n", path);
        bytes_free(&b);
        return -1;
    }
    bytes_free(&b);
    return 0;
}
