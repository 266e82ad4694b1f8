/* intel_tap.c — --intel matching on the records of one capture; see
 * intel_tap.h. */
#include "case/intel_tap.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* DNS record types whose data is a name (RFC 1035, RFC 6672). */
enum { RR_NS = 2, RR_CNAME = 5, RR_PTR = 12, RR_DNAME = 39 };
/* HTTP's port: build_url names any other. */
#define HTTP_DEFAULT_PORT 80

/* Where a value was seen, for its sighting. */
typedef struct seen_at {
    const intel_tap_t *tap;
    const conn_ident_t *conn; /* NULL: none */
    ts_ns_t ts;
    uint64_t frame;
    const char *fuid, *file_mime, *file_desc;
} seen_at_t;

/* Add s to list (n items) unless it is there. */
static void add_unique(const char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], s) == 0)
            return;
    list[(*n)++] = s;
}

/* The sighting of value (type t, at where) that matched hits. */
static void emit(const seen_at_t *at, intel_type_t t, const char *where, const char *value,
                 size_t n, const intel_id_t *hits, size_t nhits)
{
    const intel_set_t *set = at->tap->set;
    const char *matched[INTEL_NTYPES], *shown[INTEL_MAX_HITS];
    size_t nmatched = 0, nsources = 0, capsources = 0;
    const char **sources = NULL;
    for (size_t i = 0; i < nhits; i++) {
        add_unique(matched, &nmatched, intel_type_name(intel_matched_type(set, hits[i], t)));
        shown[i] = intel_indicator_text(set, hits[i]);
        intel_meta_t m;
        for (size_t j = 0; intel_indicator_meta(set, hits[i], j, &m); j++) {
            if (nsources == capsources) {
                capsources = capsources ? capsources * 2 : 8;
                sources = xreallocarray(sources, capsources, sizeof *sources);
            }
            add_unique(sources, &nsources, m.source);
        }
    }
    char *text = xstrndup(value, n);
    static const conn_ident_t no_conn;
    intel_sighting_t s = {.conn = at->conn ? *at->conn : no_conn,
                          .ts = at->ts,
                          .frame = at->frame,
                          .value = text,
                          .value_type = intel_type_name(t),
                          .where = where,
                          .fuid = at->fuid,
                          .file_mime = at->file_mime,
                          .file_desc = at->file_desc,
                          .matched = matched,
                          .nmatched = nmatched,
                          .sources = sources,
                          .nsources = nsources,
                          .indicators = shown,
                          .indicator_ids = hits,
                          .nindicators = nhits};
    const record_sink_t *next = at->tap->next;
    next->intel(next->ctx, &s);
    free(text);
    free(sources);
}

/* Look value up as type t; a sighting when it matches. */
static void look(const seen_at_t *at, intel_type_t t, const char *where, const char *value,
                 size_t n)
{
    intel_id_t hits[INTEL_MAX_HITS];
    size_t k = value && n ? intel_match(at->tap->set, t, value, n, hits) : 0;
    if (k)
        emit(at, t, where, value, n, hits, k);
}

static void look_str(const seen_at_t *at, intel_type_t t, const char *where, const char *value)
{
    if (value)
        look(at, t, where, value, strlen(value));
}

static void look_addr(const seen_at_t *at, const char *where, const ipaddr_t *ip)
{
    intel_id_t hits[INTEL_MAX_HITS];
    size_t k = intel_match_addr(at->tap->set, ip, hits);
    if (k) {
        char text[IPADDR_STRLEN];
        ipaddr_str(ip, text);
        emit(at, INTEL_ADDR, where, text, strlen(text), hits, k);
    }
}

/* A name that may be an address: as ADDR when it is one, else as DOMAIN. */
static void look_host(const seen_at_t *at, const char *where, const char *name, size_t n)
{
    char tmp[IPADDR_STRLEN + 2];
    ipaddr_t ip;
    if (n >= 2 && name[0] == '[' && name[n - 1] == ']')
        name++, n -= 2;
    if (n < sizeof tmp) {
        memcpy(tmp, name, n);
        tmp[n] = 0;
        if (ipaddr_parse(tmp, &ip)) {
            look_addr(at, where, &ip);
            return;
        }
    }
    look(at, INTEL_DOMAIN, where, name, n);
}

/* ---- one function per record kind ----------------------------------------- */

static void on_conn(void *ctx, const conn_rec_t *c)
{
    intel_tap_t *t = ctx;
    t->next->conn(t->next->ctx, c);
    conn_ident_t id = {.orig = c->orig, .resp = c->resp, .orig_p = c->orig_p, .resp_p = c->resp_p};
    memcpy(id.uid, c->uid, sizeof id.uid);
    seen_at_t at = {.tap = t, .conn = &id, .ts = c->ts, .frame = c->first_frame};
    look_addr(&at, "Conn::IN_ORIG", &c->orig);
    look_addr(&at, "Conn::IN_RESP", &c->resp);
}

static void dns_answers(const seen_at_t *at, const dns_msg_t *m)
{
    for (size_t i = 0; i < m->nanswers; i++) {
        const dns_answer_t *a = &m->answers[i];
        if (a->family == 4 || a->family == 6) {
            ipaddr_t ip = {.family = a->family};
            memcpy(ip.a, a->addr, a->family == 4 ? 4 : 16);
            look_addr(at, "DNS::IN_RESPONSE", &ip);
        } else if (a->type == RR_NS || a->type == RR_CNAME || a->type == RR_PTR ||
                   a->type == RR_DNAME) {
            look_str(at, INTEL_DOMAIN, "DNS::IN_RESPONSE", a->text);
        }
    }
}

static void on_dns(void *ctx, const dns_exchange_t *x)
{
    intel_tap_t *t = ctx;
    t->next->dns(t->next->ctx, x);
    /* the question dns.ndjson shows: the query's, or the response's when
     * the query's could not be read */
    const dns_msg_t *asked = dns_exchange_question(x);
    bool in_response = asked != x->query;
    seen_at_t at = {.tap = t,
                    .conn = &x->conn,
                    .ts = in_response ? x->response_ts : x->query_ts,
                    .frame = in_response ? x->response_frame : x->query_frame};
    look_str(&at, INTEL_DOMAIN, "DNS::IN_REQUEST", asked->qname);
    if (x->response) {
        at.ts = x->response_ts, at.frame = x->response_frame;
        dns_answers(&at, x->response);
    }
}

static void on_name(void *ctx, const name_sighting_t *n)
{
    intel_tap_t *t = ctx;
    t->next->name_seen(t->next->ctx, n);
}

/* The URL as Zeek's HTTP::build_url writes it: host (the Host header, or
 * the server's address) and a port other than 80, then the URI; an
 * absolute URI (to a proxy) as it is.  Caller frees. */
static char *request_url(const http_record_t *h)
{
    const http_txn_t *x = h->txn;
    const char *uri = x->uri ? x->uri : "/";
    if (strncasecmp(uri, "http://", 7) == 0 || strncasecmp(uri, "https://", 8) == 0)
        return xstrdup(uri);
    char addr[IPADDR_STRLEN + 2];
    const char *host = x->host;
    if (!host || !*host) {
        char a[IPADDR_STRLEN];
        ipaddr_str(&h->conn.resp, a);
        snprintf(addr, sizeof addr, h->conn.resp.family == 6 ? "[%s]" : "%s", a);
        host = addr;
    }
    bool has_port = host[0] == '[' ? strstr(host, "]:") != NULL : strchr(host, ':') != NULL;
    if (!has_port && h->conn.resp_p != HTTP_DEFAULT_PORT)
        return xasprintf("%s:%u%s", host, h->conn.resp_p, uri);
    return xasprintf("%s%s", host, uri);
}

static void on_http(void *ctx, const http_record_t *h)
{
    intel_tap_t *t = ctx;
    t->next->http(t->next->ctx, h);
    const http_txn_t *x = h->txn;
    seen_at_t at = {.tap = t,
                    .conn = &h->conn,
                    .ts = h->ts,
                    .frame = x->req.has ? x->req.first_frame : x->resp.first_frame};
    if (x->host) { /* without its port */
        size_t n = strlen(x->host);
        const char *colon = x->host[0] == '[' ? strstr(x->host, "]:") : strchr(x->host, ':');
        if (colon)
            n = (size_t)(colon - x->host) + (x->host[0] == '[');
        look_host(&at, "HTTP::IN_HOST_HEADER", x->host, n);
    }
    if (x->uri) {
        char *url = request_url(h);
        look_str(&at, INTEL_URL, "HTTP::IN_URL", url);
        free(url);
    }
    look_str(&at, INTEL_URL, "HTTP::IN_REFERRER_HEADER", x->referrer);
    look_str(&at, INTEL_SOFTWARE, "HTTP::IN_USER_AGENT_HEADER", x->user_agent);
}

static void on_file(void *ctx, const file_record_t *f)
{
    intel_tap_t *t = ctx;
    t->next->file(t->next->ctx, f);
    seen_at_t at = {.tap = t,
                    .conn = &f->conn,
                    .ts = f->ts,
                    .frame = f->first_frame,
                    .fuid = f->fuid,
                    .file_mime = f->mime,
                    .file_desc = f->url};
    look_str(&at, INTEL_FILE_HASH, "Files::IN_HASH", f->md5);
    look_str(&at, INTEL_FILE_HASH, "Files::IN_HASH", f->sha1);
    look_str(&at, INTEL_FILE_HASH, "Files::IN_HASH", f->sha256);
    look_str(&at, INTEL_FILE_NAME, "Files::IN_NAME", f->filename);
}

static void on_ssl(void *ctx, const ssl_record_t *s)
{
    intel_tap_t *t = ctx;
    t->next->ssl(t->next->ctx, s);
    const tls_info_t *in = s->tls;
    seen_at_t at = {.tap = t, .conn = &s->conn, .ts = s->ts, .frame = s->frame};
    if (in->sni)
        look_host(&at, "SSL::IN_SERVER_NAME", in->sni, strlen(in->sni));
    look_str(&at, INTEL_JA3, "SSL::IN_CLIENT_HELLO", in->ja3);
    look_str(&at, INTEL_JA4, "SSL::IN_CLIENT_HELLO", in->ja4);
    look_str(&at, INTEL_JA3S, "SSL::IN_SERVER_HELLO", in->ja3s);
}

static void on_certificate(void *ctx, const cert_sighting_t *c)
{
    intel_tap_t *t = ctx;
    t->next->certificate(t->next->ctx, c);
    const x509_info_t *x = c->cert;
    seen_at_t at = {.tap = t, .conn = &c->conn, .ts = c->ts, .frame = c->frame};
    look_str(&at, INTEL_CERT_HASH, "X509::IN_CERT", x->sha256);
    look_str(&at, INTEL_CERT_HASH, "X509::IN_CERT", x->sha1);
    look_str(&at, INTEL_DOMAIN, "X509::IN_CERT", x->cn);
    for (size_t i = 0; i < x->nsan_dns; i++) {
        const char *name = x->san_dns[i];
        if (name[0] == '*' && name[1] == '.')
            name += 2; /* a wildcard: the domain under it */
        look_str(&at, INTEL_DOMAIN, "X509::IN_CERT", name);
    }
    for (size_t i = 0; i < x->nsan_ip; i++)
        look_host(&at, "X509::IN_CERT", x->san_ip[i], strlen(x->san_ip[i]));
}

/* Where each protocol carries its user names. */
static const struct {
    const char *proto, *where;
} user_name_where[] = {
    {"http-basic", "HTTP::IN_AUTHORIZATION_HEADER"},
    {"ftp", "FTP::IN_USER"},
};

static void on_credential(void *ctx, const credential_t *c)
{
    intel_tap_t *t = ctx;
    t->next->credential(t->next->ctx, c);
    const char *where = NULL;
    for (size_t i = 0; i < sizeof user_name_where / sizeof *user_name_where; i++)
        if (strcmp(c->proto, user_name_where[i].proto) == 0)
            where = user_name_where[i].where;
    if (!where || !c->username)
        return;
    seen_at_t at = {.tap = t, .conn = &c->conn, .ts = c->ts, .frame = c->frame};
    look_str(&at, INTEL_USER_NAME, where, c->username);
    if (strchr(c->username, '@'))
        look_str(&at, INTEL_EMAIL, where, c->username);
}

static void on_mime_mismatch(void *ctx, const mime_mismatch_t *m)
{
    intel_tap_t *t = ctx;
    t->next->mime_mismatch(t->next->ctx, m);
}

static void on_range_part(void *ctx, const range_part_t *p)
{
    intel_tap_t *t = ctx;
    t->next->range_part(t->next->ctx, p);
}

/* The logs of files beyond HTTP pass through; their files, hosts and user
 * names are matched where they reach the other sink calls (file,
 * credential, conn). */
static void on_ftp(void *ctx, const ftp_record_t *r)
{
    intel_tap_t *t = ctx;
    t->next->ftp(t->next->ctx, r);
}

static void on_smtp(void *ctx, const smtp_record_t *r)
{
    intel_tap_t *t = ctx;
    t->next->smtp(t->next->ctx, r);
}

static void on_smb_file(void *ctx, const smb_file_record_t *r)
{
    intel_tap_t *t = ctx;
    t->next->smb_file(t->next->ctx, r);
}

static void on_intel(void *ctx, const intel_sighting_t *s)
{
    intel_tap_t *t = ctx;
    t->next->intel(t->next->ctx, s);
}

void intel_tap_init(intel_tap_t *t, const record_sink_t *next, const intel_set_t *set)
{
    t->next = next;
    t->set = set;
    t->sink = RECORD_SINK_ON(t);
}
