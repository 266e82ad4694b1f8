/* http.c — HTTP/1.x framing and transaction matching; see http.h. */
#include "http.h"

#include "core/cursor.h"
#include "core/xalloc.h"
#include "ntlmssp.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum state {
    ST_HEADERS,    /* collecting a header block */
    ST_BODY_LEN,   /* Content-Length bytes remaining */
    ST_CHUNK_SIZE, /* reading a chunk-size line */
    ST_CHUNK_DATA, /* chunk bytes remaining */
    ST_CHUNK_CRLF, /* the line end after chunk data */
    ST_TRAILER,    /* trailer lines until an empty one */
    ST_BODY_CLOSE, /* body until the connection closes */
    ST_RESYNC,     /* lost framing: look for the next message start */
    ST_DEAD,       /* not HTTP any more (CONNECT, Upgrade, garbage) */
    ST_AWAIT,      /* requests after a CONNECT: held until its answer */
};

/* A direction can be inside a message whose transaction is already gone:
 * a response that came before the request body ended completes the
 * transaction, and so does giving up the oldest at HTTP_MAX_PENDING.  cur
 * is then NULL while the state is a body state: the rest of that message is
 * framed as usual (so the next message is found where it starts) but its
 * bytes and gaps go to no transaction. */
typedef struct dir {
    enum state st;
    buf_t line;         /* header block or chunk-size line being collected */
    uint64_t remaining; /* body or chunk bytes still expected */
    http_txn_t *cur;    /* transaction whose message is being parsed, or NULL */
    bool ended;
} dir_t;

struct http_conn {
    const http_callbacks_t *cb;
    void *ctx;
    dir_t d[2];     /* 0 = requests, 1 = responses */
    http_txn_t **q; /* transactions in request order */
    unsigned nq, capq;
    unsigned given_up; /* requests reported unanswered at HTTP_MAX_PENDING whose
                          responses may still come */
    unsigned depth;
    http_switched_fn switched; /* bytes after a 101 / CONNECT, or NULL */
    void *switched_ctx;
    /* Client bytes sent after a CONNECT before its answer came (a client
     * that does not wait: the tunnel's first bytes, or the next request if
     * the proxy refuses), at most HTTP_MAX_HEADER_BYTES; replay: refused,
     * to be read as HTTP once the answer's bytes are parsed. */
    buf_t held;
    uint64_t held_frame;
    ts_ns_t held_ts;
    bool replay;
};

static const char *const methods[] = {"GET ",       "POST ",    "HEAD ",   "PUT ",   "DELETE ",
                                      "OPTIONS ",   "CONNECT ", "TRACE ",  "PATCH ", "PROPFIND ",
                                      "PROPPATCH ", "MKCOL ",   "COPY ",   "MOVE ",  "LOCK ",
                                      "UNLOCK ",    "SEARCH ",  "REPORT ", "QUERY ", NULL};

bool http_detect(const uint8_t *p, size_t n, bool is_orig)
{
    if (!is_orig)
        return n >= 5 && strncasecmp((const char *)p, "HTTP/", 5) == 0;
    for (int i = 0; methods[i]; i++) {
        size_t l = strlen(methods[i]);
        if (n >= l && strncasecmp((const char *)p, methods[i], l) == 0)
            return true; /* servers accept "get / http/1.1"; so does Zeek */
    }
    /* other methods: a token of capitals, a space, then a path or URI */
    size_t k = 0;
    while (k < n && k < 20 && isupper(p[k]))
        k++;
    return k >= 3 && k < n && p[k] == ' ' && k + 1 < n && (p[k + 1] == '/' || p[k + 1] == 'h');
}

http_conn_t *http_conn_new(const http_callbacks_t *cb, void *ctx)
{
    http_conn_t *h = xcalloc(1, sizeof *h);
    h->cb = cb;
    h->ctx = ctx;
    return h;
}

static void txn_free(http_txn_t *t)
{
    free(t->method), free(t->uri), free(t->version), free(t->host), free(t->user_agent);
    free(t->referrer), free(t->username), free(t->password), free(t->status_msg);
    free(t->proxy_username), free(t->proxy_password), free(t->ntlm_auth);
    free(t->resp_version);
    free(t->weird), free(t->upgrade);
    for (int i = 0; i < 2; i++) {
        http_msg_t *m = i ? &t->resp : &t->req;
        free(m->ctype), free(m->cenc), free(m->te), free(m->cdisp), free(m->crange);
    }
    free(t);
}

static void weird(http_txn_t *t, const char *what)
{
    if (t && !t->weird)
        t->weird = xstrdup(what);
}

/* The oldest transaction is complete: report and drop it. */
static void complete_front(http_conn_t *h)
{
    if (!h->nq)
        return;
    http_txn_t *t = h->q[0];
    memmove(h->q, h->q + 1, (h->nq - 1) * sizeof *h->q);
    h->nq--;
    if (h->d[0].cur == t)
        h->d[0].cur = NULL;
    if (h->d[1].cur == t)
        h->d[1].cur = NULL;
    h->cb->txn_done(h->ctx, t);
    txn_free(t);
}

http_txn_t *http_txn_new(void)
{
    http_txn_t *t = xcalloc(1, sizeof *t);
    t->req.clen = t->resp.clen = -1;
    return t;
}

void http_txn_free(http_txn_t *t)
{
    if (t)
        txn_free(t);
}

http_txn_t *http_txn_take(http_txn_t *t)
{
    http_txn_t *k = xmalloc(sizeof *k);
    *k = *t;
    memset(t, 0, sizeof *t); /* what txn_free() then frees: nothing */
    t->req.clen = t->resp.clen = -1;
    return k;
}

void http_txn_weird(http_txn_t *t, const char *what)
{
    weird(t, what);
}

/* ---- header parsing ---- */

static char *trimmed_dup(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

/* An NTLM message decoded from a header (an AUTHENTICATE's NTLMv2 response
 * is at most NTLMSSP_MAX_RESPONSE, its names NTLMSSP_MAX_NAME each). */
#define HTTP_NTLM_MAX 16384

/* The NTLM message of type `type` in a header value (caller frees), or
 * NULL.  Its base64 decodes to fewer bytes than the value has: the buffer
 * is no bigger, so a Basic or Bearer value costs a few bytes, not 16 KiB. */
static uint8_t *ntlm_token(const char *v, unsigned type, size_t *len)
{
    size_t cap = strlen(v) < HTTP_NTLM_MAX ? strlen(v) + 1 : HTTP_NTLM_MAX;
    uint8_t *m = xmalloc(cap);
    long n = ntlmssp_http_token(v, m, cap);
    if (n > 0 && ntlmssp_type(m, (size_t)n) == type) {
        *len = (size_t)n;
        return m;
    }
    free(m);
    return NULL;
}

/* An NTLM AUTHENTICATE in an Authorization or Proxy-Authorization value. */
static void ntlm_authorization(http_txn_t *t, const char *v, bool proxy)
{
    size_t n;
    uint8_t *m = ntlm_token(v, NTLMSSP_AUTHENTICATE, &n);
    if (m) {
        free(t->ntlm_auth);
        t->ntlm_auth = m;
        t->ntlm_auth_len = n;
        t->ntlm_proxy = proxy;
    }
}

/* An NTLM CHALLENGE in a WWW-Authenticate or Proxy-Authenticate value. */
static void ntlm_authenticate_header(http_txn_t *t, const char *v)
{
    size_t n;
    uint8_t *m = ntlm_token(v, NTLMSSP_CHALLENGE, &n);
    ntlm_challenge_t ch;
    if (m && ntlmssp_parse_challenge(m, n, &ch)) {
        memcpy(t->ntlm_challenge, ch.server_challenge, sizeof t->ntlm_challenge);
        t->has_ntlm_challenge = true;
        ntlm_challenge_free(&ch);
    }
    free(m);
}

static void basic_auth(const char *v, char **username, char **password, bool *has_password)
{
    while (*v == ' ')
        v++;
    if (strncasecmp(v, "Basic ", 6) != 0)
        return;
    v += 6;
    size_t n = strlen(v);
    if (n > 4096)
        return;
    unsigned char *out = xmalloc(n + 4);
    int k = EVP_DecodeBlock(out, (const unsigned char *)v, (int)n);
    if (k > 0) {
        while (k > 0 && out[k - 1] == 0 && n && v[n - 1] == '=')
            k--, n--; /* padding decodes to NULs */
        char *colon = memchr(out, ':', (size_t)k);
        size_t ulen = colon ? (size_t)(colon - (char *)out) : (size_t)k;
        free(*username), free(*password);
        *username = xstrndup((char *)out, ulen);
        *has_password = colon && (size_t)(colon - (char *)out) + 1 < (size_t)k;
        *password = *has_password ? xstrndup(colon + 1, (size_t)k - ulen - 1) : NULL;
    }
    free(out);
}

/* Several header lines of one list field (Content-Encoding,
 * Transfer-Encoding) are one list, as browsers read them (RFC 9110 5.3). */
static void append_list(char **field, const char *val, size_t vl)
{
    char *v = trimmed_dup(val, vl);
    if (*field && **field) {
        char *both = xasprintf("%s, %s", *field, v);
        free(v);
        v = both;
    }
    free(*field);
    *field = v;
}

static void header(http_txn_t *t, http_msg_t *m, bool is_orig, const char *name, size_t nl,
                   const char *val, size_t vl)
{
#define IS(s) (nl == sizeof(s) - 1 && strncasecmp(name, s, nl) == 0)
#define SET(f)                                                                                     \
    do {                                                                                           \
        free(f);                                                                                   \
        f = trimmed_dup(val, vl);                                                                  \
    } while (0)
    if (IS("content-type"))
        SET(m->ctype);
    else if (IS("content-encoding"))
        append_list(&m->cenc, val, vl);
    else if (IS("transfer-encoding"))
        append_list(&m->te, val, vl);
    else if (IS("content-disposition"))
        SET(m->cdisp);
    else if (IS("content-range"))
        SET(m->crange);
    else if (IS("content-length")) {
        char *v = trimmed_dup(val, vl), *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (*v && !*end && x >= 0 && errno == 0 && isdigit((unsigned char)*v)) {
            if (m->clen >= 0 && m->clen != x) {
                weird(t, "conflicting_content_length");
                m->clen_conflict = true;
            } else if (m->clen >= 0) {
                weird(t, "duplicate_content_length");
            }
            m->clen = x;
        } else {
            weird(t, "bad_content_length");
        }
        free(v);
    } else if (!is_orig && IS("upgrade")) {
        SET(t->upgrade);
    } else if (!is_orig && (IS("www-authenticate") || IS("proxy-authenticate"))) {
        char *v = trimmed_dup(val, vl);
        ntlm_authenticate_header(t, v);
        free(v);
    } else if (is_orig) {
        if (IS("host"))
            SET(t->host);
        else if (IS("user-agent"))
            SET(t->user_agent);
        else if (IS("referer"))
            SET(t->referrer);
        else if (IS("authorization") || IS("proxy-authorization")) {
            char *v = trimmed_dup(val, vl);
            if (IS("authorization"))
                basic_auth(v, &t->username, &t->password, &t->has_password);
            else
                basic_auth(v, &t->proxy_username, &t->proxy_password, &t->proxy_has_password);
            ntlm_authorization(t, v, IS("proxy-authorization"));
            free(v);
        }
    }
#undef IS
#undef SET
}

void http_txn_header(http_txn_t *t, bool is_orig, const char *name, size_t nl, const char *val,
                     size_t vl)
{
    header(t, is_orig ? &t->req : &t->resp, is_orig, name, nl, val, vl);
}

/* Space or tab: what separates the parts of a start line and surrounds
 * header values (RFC 9110's OWS). */
static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* "METHOD URI HTTP/x.y" (no version: HTTP/0.9).  False without a space. */
static bool request_line(http_txn_t *t, char *line, size_t fl)
{
    char *sp1 = memchr(line, ' ', fl);
    if (!sp1)
        return false;
    char *rest = sp1 + 1;
    size_t rl = fl - (size_t)(rest - line);
    char *sp2 = memchr(rest, ' ', rl);
    t->method = xstrndup(line, (size_t)(sp1 - line));
    if (sp2) {
        t->uri = xstrndup(rest, (size_t)(sp2 - rest));
        t->version = trimmed_dup(sp2 + 1, fl - (size_t)(sp2 + 1 - line));
        if (strncasecmp(t->version, "HTTP/", 5) == 0)
            memmove(t->version, t->version + 5, strlen(t->version) - 4);
    } else {
        t->uri = xstrndup(rest, rl); /* HTTP/0.9 */
        t->version = xstrdup("0.9");
    }
    return true;
}

/* "HTTP/x.y SP code SP reason".  As Chromium reads it: the version ends at
 * the first blank (space or tab, any number), a missing status code is 200;
 * odd separators are noted.  False when it is not a status line. */
static bool status_line(http_txn_t *t, const char *line, size_t fl)
{
    if (fl < 5 || strncasecmp(line, "HTTP/", 5) != 0)
        return false;
    size_t v = 5;
    while (v < fl && !blank(line[v]))
        v++;
    t->resp_version = xstrndup(line + 5, v - 5);
    size_t c = v, nblank = 0;
    bool tab = false;
    for (; c < fl && blank(line[c]); c++, nblank++)
        tab |= line[c] == '\t';
    size_t d = c;
    while (d < fl && d - c < 3 && isdigit((unsigned char)line[d]))
        d++;
    if (d == c) {
        t->status = 200;
        weird(t, "missing_status_code");
    } else {
        t->status = atoi(line + c);
    }
    if (tab || nblank > 1)
        weird(t, "odd_status_line_separator");
    size_t r = d;
    while (r < fl && blank(line[r]))
        r++;
    t->status_msg = trimmed_dup(line + r, fl - r);
    return true;
}

/* Header lines [line, end), with obsolete line folding: a line starting
 * with a blank continues the previous header's value (joined with a space,
 * as Chromium and Firefox do).  Each header is handed on once, whole. */
static void header_lines(http_txn_t *t, http_msg_t *m, bool is_orig, char *line, char *end)
{
    unsigned count = 0;
    const char *name = NULL;
    size_t nlen = 0;
    buf_t val = BUF_INIT;
    for (; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *le = nl ? nl : end;
        size_t ll = (size_t)(le - line);
        if (ll && line[ll - 1] == '\r')
            ll--;
        if (ll && blank(line[0]) && name) {
            weird(t, "folded_header");
            buf_append_byte(&val, ' ');
            buf_append(&val, line, ll);
        } else {
            if (name)
                header(t, m, is_orig, name, nlen, (char *)val.data, val.len);
            name = NULL;
            buf_clear(&val);
            char *colon = memchr(line, ':', ll);
            if (colon && ++count <= HTTP_MAX_HEADERS) {
                name = line, nlen = (size_t)(colon - line);
                while (nlen && blank(name[nlen - 1])) {
                    nlen--; /* "Name : value": browsers trim the name */
                    weird(t, "blank_before_colon");
                }
                buf_append(&val, colon + 1, ll - (size_t)(colon + 1 - line));
            } else if (count > HTTP_MAX_HEADERS) {
                weird(t, "too_many_headers");
            }
        }
        line = nl ? nl + 1 : end;
    }
    if (name)
        header(t, m, is_orig, name, nlen, (char *)val.data, val.len);
    buf_free(&val);
}

/* Parse the header block (without the final empty line) into t/m.  Returns
 * false when the start line is not HTTP. */
static bool parse_block(http_txn_t *t, http_msg_t *m, bool is_orig, char *block, size_t len)
{
    m->clen = -1;
    char *line = block, *end = block + len;
    char *nl = memchr(line, '\n', (size_t)(end - line));
    char *first_end = nl ? nl : end;
    size_t fl = (size_t)(first_end - line);
    if (fl && line[fl - 1] == '\r')
        fl--;
    if (is_orig ? !request_line(t, line, fl) : !status_line(t, line, fl))
        return false;
    header_lines(t, m, is_orig, nl ? nl + 1 : end, end);
    return true;
}

/* ---- bodies ---- */

/* Is "chunked" one of the Transfer-Encoding list's tokens (any case,
 * blanks around it)?  That is how Chromium and Firefox decide; *odd is set
 * when the value is anything but exactly "chunked". */
static bool chunked(const http_msg_t *m, bool *odd)
{
    *odd = false;
    if (!m->te)
        return false;
    bool found = false;
    const char *p = m->te;
    for (;;) {
        size_t n = strcspn(p, ",");
        const char *v = p;
        size_t k = n;
        while (k && blank(*v))
            v++, k--;
        while (k && blank(v[k - 1]))
            k--;
        if (k == 7 && strncasecmp(v, "chunked", 7) == 0)
            found = true;
        if (!p[n])
            break;
        p += n + 1;
    }
    *odd = strcmp(m->te, "chunked") != 0;
    return found;
}

static void body_start(http_conn_t *h, http_txn_t *t, bool is_orig)
{
    h->cb->body_begin(h->ctx, t, is_orig);
}

/* The message d is parsing, or NULL when its transaction is complete. */
static http_msg_t *cur_msg(const dir_t *d, bool is_orig)
{
    return d->cur ? (is_orig ? &d->cur->req : &d->cur->resp) : NULL;
}

static void body_data(http_conn_t *h, dir_t *d, bool is_orig, const uint8_t *p, size_t n,
                      uint64_t frame, ts_ns_t ts)
{
    http_msg_t *m = cur_msg(d, is_orig);
    if (!m)
        return; /* its transaction is complete (see dir_t) */
    m->body_len += n;
    m->last_frame = frame;
    m->end_ts = ts;
    h->cb->body_data(h->ctx, d->cur, is_orig, p, n, frame, ts);
}

static void message_end(http_conn_t *h, dir_t *d, bool is_orig, bool had_body)
{
    http_txn_t *t = d->cur;
    d->st = ST_HEADERS;
    if (!t)
        return;
    if (had_body)
        h->cb->body_end(h->ctx, t, is_orig);
    d->cur = NULL;
    if (is_orig && t->method && strcmp(t->method, "CONNECT") == 0 && !t->resp.has)
        d->st = ST_AWAIT; /* what follows depends on the answer */
    /* a transaction is done when its response is; unanswered requests wait */
    if (!is_orig && h->nq && h->q[0] == t)
        complete_front(h);
}

/* The client's bytes held after a CONNECT answered 2xx: the tunnel's
 * first, before any of the server's that follow the answer. */
static void release_held(http_conn_t *h)
{
    if (h->held.len && h->switched)
        h->switched(h->switched_ctx, true, h->held.data, h->held.len, h->held_frame, h->held_ts);
    buf_clear(&h->held);
}

/* After the header block: decide the body framing. */
static void after_headers(http_conn_t *h, dir_t *d, bool is_orig)
{
    http_txn_t *t = d->cur;
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    if (!is_orig) {
        if (t->status >= 100 && t->status < 200 && t->status != 101) {
            /* interim response: the real one follows */
            free(t->resp_version), free(t->status_msg);
            t->resp_version = t->status_msg = NULL;
            t->status = 0;
            free(m->ctype), free(m->cenc), free(m->te), free(m->cdisp), free(m->crange);
            memset(m, 0, sizeof *m);
            d->st = ST_HEADERS;
            return;
        }
        bool connect = t->method && strcmp(t->method, "CONNECT") == 0;
        if (t->status == 101 || (connect && t->status / 100 == 2)) {
            message_end(h, d, false, false);
            h->d[0].st = h->d[1].st = ST_DEAD; /* the rest is another protocol */
            release_held(h);
            return;
        }
        if (connect && h->d[0].st == ST_AWAIT) {
            h->d[0].st = ST_HEADERS; /* refused: still HTTP */
            h->replay = h->held.len > 0;
        }
        bool no_body =
            (t->method && strcmp(t->method, "HEAD") == 0) || t->status == 204 || t->status == 304;
        if (no_body) {
            message_end(h, d, false, false);
            return;
        }
    }
    bool odd_te;
    if (chunked(m, &odd_te)) {
        /* chunked wins over Content-Length (RFC 9112, both browsers);
         * Firefox de-chunks HTTP/1.0 answers too, Chromium does not: the
         * file a browser saves is the de-chunked one, noted */
        const char *v = is_orig ? t->version : t->resp_version;
        if (v && strcmp(v, "1.0") == 0)
            weird(t, "chunked_on_http10");
        if (m->clen >= 0)
            weird(t, "chunked_and_content_length");
        if (odd_te)
            weird(t, "odd_transfer_encoding");
        body_start(h, t, is_orig);
        d->st = ST_CHUNK_SIZE;
    } else if (m->clen_conflict) {
        /* browsers refuse the answer; no length is right, so every byte
         * until the connection ends is kept (requests: none is trusted) */
        body_start(h, t, is_orig);
        d->st = ST_BODY_CLOSE;
    } else if (m->clen > 0) {
        body_start(h, t, is_orig);
        d->st = ST_BODY_LEN;
        d->remaining = (uint64_t)m->clen;
    } else if (m->clen == 0 || is_orig) {
        message_end(h, d, is_orig, false);
    } else {
        body_start(h, t, is_orig);
        d->st = ST_BODY_CLOSE;
    }
}

/* A new transaction at the end of the queue, or at its front. */
static http_txn_t *push_txn(http_conn_t *h, bool front)
{
    if (h->nq == h->capq) {
        h->capq = h->capq ? 2 * h->capq : 2;
        if (h->capq < h->nq + 1)
            h->capq = h->nq + 1;
        h->q = xreallocarray(h->q, h->capq, sizeof *h->q);
    }
    http_txn_t *t = xcalloc(1, sizeof *t);
    t->depth = ++h->depth;
    t->req.clen = t->resp.clen = -1;
    if (front) {
        memmove(h->q + 1, h->q, h->nq * sizeof *h->q);
        h->q[0] = t;
        h->nq++;
    } else {
        h->q[h->nq++] = t;
    }
    return t;
}

static http_txn_t *new_request(http_conn_t *h)
{
    while (h->nq >= HTTP_MAX_PENDING) { /* report the oldest as unanswered */
        if (!h->q[0]->resp.has) {
            weird(h->q[0], "too_many_pending_requests");
            h->given_up++;
        }
        complete_front(h);
    }
    return push_txn(h, false);
}

/* The transaction a response belongs to: the oldest request without one —
 * unless requests were given up at HTTP_MAX_PENDING: responses come in
 * request order, so the next ones answer those, not the requests still
 * waiting (pairing them would give a URL another request's body). */
static http_txn_t *response_txn(http_conn_t *h)
{
    for (unsigned i = 0; !h->given_up && i < h->nq; i++)
        if (!h->q[i]->resp.has)
            return h->q[i];
    /* the answer to a request given up goes before the requests still
     * waiting, and ends with its response (one past the cap at most) */
    http_txn_t *t = push_txn(h, h->given_up != 0);
    if (h->given_up) {
        h->given_up--;
        weird(t, "response_to_request_given_up");
    } else { /* no request seen (capture started mid-connection) */
        weird(t, "response_without_request");
    }
    return t;
}

/* The header block in d->line is complete (len bytes, without the final
 * empty line).  Returns false when it is not HTTP. */
static bool headers_done(http_conn_t *h, dir_t *d, bool is_orig, size_t len, uint64_t frame,
                         ts_ns_t ts)
{
    http_txn_t *t;
    if (is_orig) {
        t = new_request(h);
    } else if (d->cur) {
        t = d->cur; /* after an interim 1xx */
    } else {
        t = response_txn(h);
    }
    http_msg_t *m = is_orig ? &t->req : &t->resp;
    if (!m->has) {
        m->first_frame = frame;
        m->ts = ts;
    }
    m->has = true;
    m->last_frame = frame;
    m->end_ts = ts;
    d->cur = t;
    if (!parse_block(t, m, is_orig, (char *)d->line.data, len))
        return false;
    after_headers(h, d, is_orig);
    return true;
}

/* Find the end of a header block in b: returns the block length (without the
 * empty line) and sets *total to bytes consumed, or -1.  A request line
 * without an HTTP version is HTTP/0.9: it has no headers and ends there. */
static long block_end(const buf_t *b, size_t *total, bool is_orig)
{
    const uint8_t *p = b->data;
    const uint8_t *nl = memchr(p, '\n', b->len);
    if (is_orig && nl) {
        size_t fl = (size_t)(nl - p);
        bool versioned = false;
        for (size_t i = 0; i + 5 <= fl && !versioned; i++)
            versioned = strncasecmp((const char *)p + i, "HTTP/", 5) == 0;
        if (!versioned) {
            *total = fl + 1;
            return (long)fl;
        }
    }
    for (size_t i = 0; i + 1 < b->len; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n') {
            *total = i + 2;
            return (long)i;
        }
        if (p[i + 1] == '\r' && i + 2 < b->len && p[i + 2] == '\n') {
            *total = i + 3;
            return (long)i;
        }
    }
    return -1;
}

/* Skip to something that starts a message; returns bytes skipped or n. */
static size_t resync(const uint8_t *p, size_t n, bool is_orig)
{
    for (size_t i = 0; i < n; i++)
        if ((i == 0 || p[i - 1] == '\n') && http_detect(p + i, n - i, is_orig))
            return i;
    return n;
}

/* ---- the parser states: one function each ---- */

/* The bytes of one http_conn_data call that are not parsed yet. */
typedef struct input {
    const uint8_t *p;
    size_t n;
    uint64_t frame;
    ts_ns_t ts;
    bool is_orig;
} input_t;

/* A state function parses from the start of in (n > 0), may change d->st,
 * and returns how many bytes it used (0 only when it changed the state). */
typedef size_t (*state_fn)(http_conn_t *h, dir_t *d, const input_t *in);

/* A chunk-size or trailer line that long is bogus. */
#define HTTP_MAX_CHUNK_LINE 4096

/* Not HTTP any more (CONNECT, Upgrade): everything goes to the switched
 * hook, if there is one, else is dropped. */
static size_t st_dead(http_conn_t *h, dir_t *d, const input_t *in)
{
    (void)d;
    if (h->switched)
        h->switched(h->switched_ctx, in->is_orig, in->p, in->n, in->frame, in->ts);
    return in->n;
}

/* Client bytes after a CONNECT, before its answer: held (see http_conn);
 * more than a header block's worth and the client is not waiting for an
 * answer: read as HTTP from the held bytes on. */
static size_t st_await(http_conn_t *h, dir_t *d, const input_t *in)
{
    if (h->held.len + in->n > HTTP_MAX_HEADER_BYTES) {
        d->st = ST_HEADERS;
        h->replay = true;
        return 0;
    }
    if (!h->held.len)
        h->held_frame = in->frame, h->held_ts = in->ts;
    buf_append(&h->held, in->p, in->n);
    return in->n;
}

void http_conn_on_switch(http_conn_t *h, http_switched_fn fn, void *ctx)
{
    h->switched = fn;
    h->switched_ctx = ctx;
}

/* The oldest request was HTTP/0.9 and has no response yet. */
static bool http09_pending(const http_conn_t *h)
{
    return h->nq && !h->q[0]->resp.has && h->q[0]->version && strcmp(h->q[0]->version, "0.9") == 0;
}

/* An HTTP/0.9 response: no status line, the body runs until close. */
static void http09_response(http_conn_t *h, dir_t *d, const input_t *in)
{
    http_txn_t *t = h->q[0];
    t->resp.has = true;
    t->resp.first_frame = in->frame;
    t->resp.ts = in->ts;
    t->resp.clen = -1;
    d->cur = t;
    body_start(h, t, false);
    d->st = ST_BODY_CLOSE;
}

/* Framing lost: skip to the next line that starts a message. */
static size_t st_resync(http_conn_t *h, dir_t *d, const input_t *in)
{
    if (!in->is_orig && http09_pending(h)) {
        http09_response(h, d, in);
        return 0;
    }
    size_t k = resync(in->p, in->n, in->is_orig);
    if (k < in->n)
        d->st = ST_HEADERS;
    return k;
}

/* Collect a header block (capped at HTTP_MAX_HEADER_BYTES, plus room for
 * its closing empty line) and parse it once complete. */
static size_t header_block(http_conn_t *h, dir_t *d, const input_t *in)
{
    size_t before = d->line.len;
    size_t take = in->n;
    if (before + take > HTTP_MAX_HEADER_BYTES + 4)
        take = HTTP_MAX_HEADER_BYTES + 4 - before;
    buf_append(&d->line, in->p, take);
    size_t total;
    long blen = block_end(&d->line, &total, in->is_orig);
    if (blen < 0) {
        if (d->line.len >= HTTP_MAX_HEADER_BYTES) {
            buf_clear(&d->line);
            d->st = ST_RESYNC;
        }
        return take;
    }
    if (!headers_done(h, d, in->is_orig, (size_t)blen, in->frame, in->ts))
        d->st = ST_RESYNC;
    buf_clear(&d->line);
    return total - before;
}

/* Between messages: blank lines are skipped, and what follows must look
 * like the start of a message, else the framing is lost. */
static size_t st_headers(http_conn_t *h, dir_t *d, const input_t *in)
{
    size_t skipped = 0;
    if (d->line.len == 0) {
        while (skipped < in->n && (in->p[skipped] == '\r' || in->p[skipped] == '\n'))
            skipped++;
        if (skipped == in->n)
            return skipped;
        if (in->n - skipped >= 8 && !http_detect(in->p + skipped, in->n - skipped, in->is_orig)) {
            d->st = ST_RESYNC;
            return skipped;
        }
    }
    input_t rest = *in;
    rest.p += skipped, rest.n -= skipped;
    return skipped + header_block(h, d, &rest);
}

/* Body bytes up to d->remaining; how many were used. */
static size_t counted_body(http_conn_t *h, dir_t *d, const input_t *in)
{
    size_t k = in->n < d->remaining ? in->n : (size_t)d->remaining;
    body_data(h, d, in->is_orig, in->p, k, in->frame, in->ts);
    d->remaining -= k;
    return k;
}

/* A body of Content-Length bytes. */
static size_t st_body_len(http_conn_t *h, dir_t *d, const input_t *in)
{
    size_t k = counted_body(h, d, in);
    if (d->remaining == 0)
        message_end(h, d, in->is_orig, true);
    return k;
}

/* A body that runs until the connection closes. */
static size_t st_body_close(http_conn_t *h, dir_t *d, const input_t *in)
{
    body_data(h, d, in->is_orig, in->p, in->n, in->frame, in->ts);
    return in->n;
}

/* Collect a chunk-size or trailer line into d->line; *done once it is
 * whole.  A line over HTTP_MAX_CHUNK_LINE ends the message as badly framed
 * (nothing used; the framing is lost). */
static size_t chunk_line(http_conn_t *h, dir_t *d, const input_t *in, bool *done)
{
    *done = false;
    const uint8_t *nl = memchr(in->p, '\n', in->n);
    size_t k = nl ? (size_t)(nl - in->p) + 1 : in->n;
    if (d->line.len + k > HTTP_MAX_CHUNK_LINE) {
        weird(d->cur, "chunk_line_too_long");
        if (cur_msg(d, in->is_orig))
            cur_msg(d, in->is_orig)->incomplete = "bad_chunk";
        message_end(h, d, in->is_orig, true);
        buf_clear(&d->line);
        d->st = ST_RESYNC;
        return 0;
    }
    buf_append(&d->line, in->p, k);
    *done = nl != NULL;
    return k;
}

/* Chunk sizes beyond this (1 TiB) are a lie, not a body. */
#define HTTP_MAX_CHUNK_SIZE ((uint64_t)1 << 40)

/* Whitespace a chunk-size line may carry around the number: Firefox
 * reads the size with strtoul, which skips leading space, TAB, VT, FF and
 * CR; trailing ones are ignored by both browsers' parsers when they stop
 * at the first non-hex byte (Firefox) or trim the line (Chromium). */
static bool chunk_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* The size on a chunk-size line (line, n bytes, ends with LF): hex digits
 * (leading zeros allowed), an extension after ';' ignored.  Read as
 * Firefox reads it: blanks around the number and junk after it are
 * accepted (*odd names what was odd; RFC 9112 allows only the bare number,
 * an extension and blanks before ';').  False when there is no number or
 * it is too large. */
static bool chunk_size_of(const char *line, size_t n, uint64_t *sz, const char **odd)
{
    size_t i = 0, end = n;
    while (end && (line[end - 1] == '\n' || line[end - 1] == '\r'))
        end--;
    for (size_t k = 0; k < end; k++)
        if (line[k] == ';') {
            end = k;
            break;
        }
    while (i < end && chunk_space(line[i]))
        i++;
    if (i)
        *odd = "chunk_size_leading_space";
    uint64_t v = 0;
    size_t digits = 0;
    for (; i < end && isxdigit((unsigned char)line[i]); i++, digits++) {
        if (v > HTTP_MAX_CHUNK_SIZE)
            return false;
        v = v * 16 + (uint64_t)(isdigit((unsigned char)line[i]) ? line[i] - '0'
                                                                : (tolower(line[i]) - 'a' + 10));
    }
    if (digits == 0 || v > HTTP_MAX_CHUNK_SIZE)
        return false;
    size_t j = i;
    while (j < end && chunk_space(line[j]))
        j++;
    if (j < end)
        *odd = "chunk_size_junk";
    else if (j > i && !*odd) {
        for (size_t k = i; k < j; k++)
            if (line[k] != ' ' && line[k] != '\t')
                *odd = "chunk_size_odd_space";
        if (!*odd)
            *odd = "chunk_size_trailing_space";
    }
    *sz = v;
    return true;
}

/* A chunk-size line: the next chunk's length, or 0 for the last chunk. */
static size_t st_chunk_size(http_conn_t *h, dir_t *d, const input_t *in)
{
    bool done;
    size_t k = chunk_line(h, d, in, &done);
    if (!done)
        return k;
    uint64_t sz;
    const char *odd = NULL;
    bool ok = chunk_size_of((const char *)d->line.data, d->line.len, &sz, &odd);
    if (ok && odd)
        weird(d->cur, odd);
    buf_clear(&d->line);
    http_msg_t *m = cur_msg(d, in->is_orig);
    if (!ok) {
        weird(d->cur, "bad_chunk_size");
        if (m)
            m->incomplete = "bad_chunk_size";
        message_end(h, d, in->is_orig, true);
        d->st = ST_RESYNC;
    } else if (sz == 0) {
        d->st = ST_TRAILER;
    } else {
        d->st = ST_CHUNK_DATA;
        d->remaining = sz;
    }
    return k;
}

/* A chunk's bytes. */
static size_t st_chunk_data(http_conn_t *h, dir_t *d, const input_t *in)
{
    size_t k = counted_body(h, d, in);
    if (d->remaining == 0)
        d->st = ST_CHUNK_CRLF;
    return k;
}

/* The line end after a chunk's bytes (CR LF, a bare LF, or nothing). */
static size_t st_chunk_crlf(http_conn_t *h, dir_t *d, const input_t *in)
{
    (void)h;
    if (in->p[0] == '\r')
        return 1;
    d->st = ST_CHUNK_SIZE;
    return in->p[0] == '\n' ? 1 : 0;
}

/* Trailer lines after the last chunk, until an empty one ends the message. */
static size_t st_trailer(http_conn_t *h, dir_t *d, const input_t *in)
{
    bool done;
    size_t k = chunk_line(h, d, in, &done);
    if (!done)
        return k;
    bool empty = d->line.len <= 2;
    buf_clear(&d->line);
    if (empty)
        message_end(h, d, in->is_orig, true);
    return k;
}

static const state_fn states[] = {
    [ST_HEADERS] = st_headers,
    [ST_BODY_LEN] = st_body_len,
    [ST_CHUNK_SIZE] = st_chunk_size,
    [ST_CHUNK_DATA] = st_chunk_data,
    [ST_CHUNK_CRLF] = st_chunk_crlf,
    [ST_TRAILER] = st_trailer,
    [ST_BODY_CLOSE] = st_body_close,
    [ST_RESYNC] = st_resync,
    [ST_DEAD] = st_dead,
    [ST_AWAIT] = st_await,
};

static void replay_held(http_conn_t *h);

/* Parse n bytes of one direction. */
static void parse(http_conn_t *h, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts)
{
    dir_t *d = &h->d[is_orig ? 0 : 1];
    input_t in = {p, n, frame, ts, is_orig};
    while (in.n > 0) {
        size_t used = states[d->st](h, d, &in);
        in.p += used, in.n -= used;
        /* a CONNECT refused, or a client not waiting: the held bytes are
         * HTTP, read before what follows (requests) or right after the
         * refusal's header block (responses: the next one answers them) */
        if (h->replay)
            replay_held(h);
    }
}

/* Read the held client bytes as HTTP after all (see http_conn). */
static void replay_held(http_conn_t *h)
{
    buf_t b = h->held;
    h->held = (buf_t)BUF_INIT;
    h->replay = false;
    parse(h, true, b.data, b.len, h->held_frame, h->held_ts);
    buf_free(&b);
}

void http_conn_data(http_conn_t *h, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                    ts_ns_t ts)
{
    parse(h, is_orig, p, n, frame, ts);
    if (h->replay) /* a CONNECT refused: the request direction is HTTP again */
        replay_held(h);
}

/* len bytes of the body d is in are missing: counted on the message and
 * handed on, unless the transaction is complete (see dir_t). */
static void body_gap(http_conn_t *h, dir_t *d, bool is_orig, uint64_t len)
{
    http_msg_t *m = cur_msg(d, is_orig);
    if (!m)
        return;
    m->missing += len;
    h->cb->body_gap(h->ctx, d->cur, is_orig, len);
}

void http_conn_gap(http_conn_t *h, bool is_orig, uint64_t len)
{
    dir_t *d = &h->d[is_orig ? 0 : 1];
    switch (d->st) {
    case ST_BODY_LEN:
        if (len <= d->remaining) {
            /* Content-Length framing survives a gap: count and go on */
            body_gap(h, d, is_orig, len);
            d->remaining -= len;
            if (d->remaining == 0)
                message_end(h, d, is_orig, true);
            return;
        }
        body_gap(h, d, is_orig, d->remaining);
        message_end(h, d, is_orig, true);
        break;
    case ST_BODY_CLOSE:
        body_gap(h, d, is_orig, len);
        return;
    case ST_CHUNK_SIZE:
    case ST_CHUNK_DATA:
    case ST_CHUNK_CRLF:
    case ST_TRAILER:
        if (cur_msg(d, is_orig))
            cur_msg(d, is_orig)->incomplete = "gap_in_chunked_body";
        body_gap(h, d, is_orig, len);
        message_end(h, d, is_orig, true);
        break;
    case ST_HEADERS:
        buf_clear(&d->line);
        break;
    default:
        return;
    }
    if (d->st != ST_DEAD)
        d->st = ST_RESYNC;
}

static void end_dir(http_conn_t *h, bool is_orig)
{
    dir_t *d = &h->d[is_orig ? 0 : 1];
    if (d->ended)
        return;
    d->ended = true;
    if (!d->cur)
        return;
    http_msg_t *m = is_orig ? &d->cur->req : &d->cur->resp;
    if (d->st == ST_BODY_CLOSE) {
        message_end(h, d, is_orig, true);
    } else if (d->st == ST_BODY_LEN || d->st == ST_CHUNK_SIZE || d->st == ST_CHUNK_DATA ||
               d->st == ST_CHUNK_CRLF || d->st == ST_TRAILER) {
        if (d->st == ST_BODY_LEN)
            m->missing += d->remaining;
        m->incomplete = "connection_ended_in_body";
        message_end(h, d, is_orig, true);
    }
}

void http_conn_end(http_conn_t *h, bool is_orig)
{
    end_dir(h, is_orig);
}

void http_conn_free(http_conn_t *h)
{
    if (!h)
        return;
    if (h->held.len && h->d[0].st == ST_AWAIT) { /* a CONNECT never answered */
        h->d[0].st = ST_HEADERS;
        replay_held(h);
    }
    buf_free(&h->held);
    end_dir(h, true);
    end_dir(h, false);
    while (h->nq)
        complete_front(h);
    free(h->q);
    buf_free(&h->d[0].line);
    buf_free(&h->d[1].line);
    free(h);
}

char *http_suggest_filename(const char *cdisp, const char *uri)
{
    const char *src = NULL;
    size_t n = 0;
    if (cdisp) {
        const char *f = strcasestr(cdisp, "filename*=");
        if (f) {
            f += 10;
            const char *q = strstr(f, "''");
            if (q)
                f = q + 2;
        } else if ((f = strcasestr(cdisp, "filename="))) {
            f += 9;
        }
        if (f) {
            if (*f == '"') {
                f++;
                const char *e = strchr(f, '"');
                n = e ? (size_t)(e - f) : strlen(f);
            } else {
                n = strcspn(f, ";");
            }
            src = f;
        }
    }
    if (!src && uri) {
        size_t ul = strcspn(uri, "?#");
        const char *slash = NULL;
        for (size_t i = 0; i < ul; i++)
            if (uri[i] == '/')
                slash = uri + i;
        src = slash ? slash + 1 : uri;
        n = (size_t)(uri + ul - src);
    }
    if (!src || !n)
        return NULL;
    /* keep the last path component, drop anything that could act as a path */
    for (size_t i = n; i > 0; i--)
        if (src[i - 1] == '/' || src[i - 1] == '\\') {
            src += i;
            n -= i;
            break;
        }
    char *out = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n && k < 200; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '"')
            c = '_';
        out[k++] = (char)c;
    }
    out[k] = 0;
    size_t lead = 0;
    while (out[lead] == '.' || out[lead] == ' ')
        lead++;
    memmove(out, out + lead, k - lead + 1);
    if (!out[0]) {
        free(out);
        return NULL;
    }
    return out;
}

bool http_parse_content_range(const char *s, uint64_t *a, uint64_t *b, uint64_t *t)
{
    unsigned long long x, y, z;
    int n = 0;
    if (!s || sscanf(s, " bytes %llu-%llu/%llu%n", &x, &y, &z, &n) != 3)
        return false;
    while (s[n] == ' ' || s[n] == '\t' || s[n] == '\r')
        n++;
    if (s[n] != 0 || x > y || y >= z)
        return false;
    *a = x, *b = y, *t = z;
    return true;
}
