/* partial.c — writing and reading the partial case; see partial.h.
 *
 * One codec for both directions: each record kind has a put_* and a get_*
 * next to each other, so a field added to one is seen missing in the other.
 * Strings are a 32-bit length (PARTIAL_NULL for NULL) and their bytes;
 * static strings of the model (a connection's service, a credential's
 * protocol, an intel sighting's where, a damage reason) are read back into
 * one process-wide table of interned copies, so they live as long as the
 * static ones they stand for.  Every record and log row carries its
 * emission order (core/order.h), which the merge sorts by. */
#include "write/partial.h"

#include "core/fsutil.h"
#include "core/xalloc.h"
#include "model/keep.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length that stands for a NULL string. */
#define PARTIAL_NULL UINT32_MAX
/* Longest string or log row read back: rows are bounded far below this by
 * the analysers' caps, so a longer one means a damaged file. */
#define PARTIAL_MAX_STRING (256u << 20)
/* Most items of one kind per capture read back: a damaged count must not
 * make the reader allocate without bound before it finds the file short. */
#define PARTIAL_MAX_ITEMS (1ull << 40)

typedef struct enc {
    FILE *f;
    bool failed;
} enc_t;

typedef struct dec {
    FILE *f;
    const char *why; /* the first problem, NULL while none */
} dec_t;

/* ---- primitives ------------------------------------------------------ */

static void put_raw(enc_t *e, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, e->f) != n)
        e->failed = true;
}

/* v in n little-endian bytes at b, and back */
static void put_le(uint8_t *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *b, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void put_u64(enc_t *e, uint64_t v)
{
    uint8_t b[8];
    put_le(b, v, 8);
    put_raw(e, b, sizeof b);
}

static void put_str(enc_t *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(e, s ? n : PARTIAL_NULL);
    put_raw(e, s, n);
}

static void put_addr(enc_t *e, const ipaddr_t *a)
{
    put_u64(e, a->family);
    put_raw(e, a->a, sizeof a->a);
}

static void put_ord(enc_t *e, const rec_order_t *o)
{
    put_u64(e, o->hi);
    put_u64(e, o->mid);
    put_u64(e, o->lo);
}

static void get_raw(dec_t *d, void *p, size_t n)
{
    if (d->why) {
        memset(p, 0, n);
        return;
    }
    if (n && fread(p, 1, n, d->f) != n) {
        memset(p, 0, n);
        d->why = "the file ends early";
    }
}

static uint64_t get_u64(dec_t *d)
{
    uint8_t b[8];
    get_raw(d, b, sizeof b);
    return get_le(b, 8);
}

/* A count of items that follow, bounded (see PARTIAL_MAX_ITEMS). */
static size_t get_count(dec_t *d)
{
    uint64_t n = get_u64(d);
    if (n > PARTIAL_MAX_ITEMS) {
        d->why = d->why ? d->why : "a count is out of range";
        return 0;
    }
    return (size_t)n;
}

/* An owned string, or NULL (also after an error). */
static char *get_str(dec_t *d)
{
    uint64_t n = get_u64(d);
    if (d->why || n == PARTIAL_NULL)
        return NULL;
    if (n > PARTIAL_MAX_STRING) {
        d->why = "a string is longer than any pcapcase writes";
        return NULL;
    }
    char *s = xmalloc((size_t)n + 1);
    get_raw(d, s, (size_t)n);
    s[n] = '\0';
    return s;
}

/* A string into a fixed buffer of size bytes ("" when NULL). */
static void get_fixed(dec_t *d, char *out, size_t size)
{
    char *s = get_str(d);
    snprintf(out, size, "%s", s ? s : "");
    free(s);
}

static void get_addr(dec_t *d, ipaddr_t *a)
{
    memset(a, 0, sizeof *a);
    a->family = (uint8_t)get_u64(d);
    get_raw(d, a->a, sizeof a->a);
}

static rec_order_t get_ord(dec_t *d)
{
    rec_order_t o;
    o.hi = get_u64(d);
    o.mid = (uint32_t)get_u64(d);
    o.lo = get_u64(d);
    return o;
}

/* ---- interned strings ------------------------------------------------- */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t ninterned, capinterned;

/* The one process-lifetime copy of s (NULL for NULL); s is freed. */
static const char *intern(char *s)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&intern_lock);
    const char *found = NULL;
    for (size_t i = 0; i < ninterned && !found; i++)
        if (strcmp(interned[i], s) == 0)
            found = interned[i];
    if (!found) {
        if (ninterned == capinterned) {
            capinterned = capinterned ? 2 * capinterned : 32;
            interned = xreallocarray(interned, capinterned, sizeof *interned);
        }
        found = interned[ninterned++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&intern_lock);
    free(s);
    return found;
}

/* ---- the head ---------------------------------------------------------- */

void partial_head_opt(partial_head_t *h, const char *name, const char *value)
{
    h->opts = xreallocarray(h->opts, h->nopts + 1, sizeof *h->opts);
    h->opts[h->nopts++] = xasprintf("%s=%s", name, value ? value : "");
}

void partial_head_free(partial_head_t *h)
{
    for (size_t i = 0; i < h->nopts; i++)
        free(h->opts[i]);
    for (size_t i = 0; i < h->ninputs; i++)
        free(h->inputs[i]), free(h->input_sha256[i]);
    free(h->opts), free(h->inputs), free(h->input_sha256);
    memset(h, 0, sizeof *h);
}

static void put_head(enc_t *e, const partial_head_t *h)
{
    char line[64];
    int n = snprintf(line, sizeof line, "%s %d\n", PARTIAL_MAGIC, PARTIAL_VERSION);
    put_raw(e, line, (size_t)n);
    put_u64(e, h->shard_k);
    put_u64(e, h->shard_n);
    put_u64(e, h->nopts);
    for (size_t i = 0; i < h->nopts; i++)
        put_str(e, h->opts[i]);
    put_u64(e, h->ninputs);
    for (size_t i = 0; i < h->ninputs; i++) {
        put_str(e, h->inputs[i]);
        put_str(e, h->input_sha256[i]);
    }
}

static void get_head(dec_t *d, partial_head_t *h)
{
    char line[64];
    int version = -1;
    if (!fgets(line, sizeof line, d->f) || strncmp(line, PARTIAL_MAGIC " ", sizeof PARTIAL_MAGIC) ||
        sscanf(line + sizeof PARTIAL_MAGIC, "%d", &version) != 1) {
        d->why = "not a pcapcase partial case";
        return;
    }
    if (version != PARTIAL_VERSION) {
        d->why = version > PARTIAL_VERSION ? "a partial of a newer pcapcase (format version)"
                                           : "a partial of an older pcapcase (format version)";
        return;
    }
    h->shard_k = (unsigned)get_u64(d);
    h->shard_n = (unsigned)get_u64(d);
    size_t n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        char *o = get_str(d);
        h->opts = xreallocarray(h->opts, h->nopts + 1, sizeof *h->opts);
        h->opts[h->nopts++] = o ? o : xstrdup("");
    }
    n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        char *p = get_str(d), *s = get_str(d);
        h->inputs = xreallocarray(h->inputs, h->ninputs + 1, sizeof *h->inputs);
        h->input_sha256 = xreallocarray(h->input_sha256, h->ninputs + 1, sizeof *h->input_sha256);
        h->inputs[h->ninputs] = p ? p : xstrdup("");
        h->input_sha256[h->ninputs++] = s ? s : xstrdup("");
    }
}

/* ---- the capture's description and tallies ----------------------------- */

static void put_damage(enc_t *e, const damage_t *dm)
{
    put_u64(e, dm->n);
    for (size_t i = 0; i < dm->n; i++) {
        const damage_entry_t *x = &dm->v[i];
        put_str(e, x->reason);
        put_u64(e, x->count);
        put_u64(e, x->nframes);
        for (unsigned j = 0; j < x->nframes; j++)
            put_u64(e, x->frames[j]);
    }
}

static void get_damage(dec_t *d, damage_t *dm)
{
    size_t n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        const char *reason = intern(get_str(d));
        uint64_t count = get_u64(d);
        size_t nframes = get_count(d);
        if (!reason || nframes > DAMAGE_FIRST_FRAMES) {
            d->why = d->why ? d->why : "a damage entry is malformed";
            return;
        }
        /* the first frame carries the count, the others add none */
        for (size_t j = 0; j < nframes; j++)
            damage_add(dm, reason, j == 0 ? count : 0, get_u64(d));
        if (nframes == 0)
            damage_add(dm, reason, count, 0);
    }
}

static void put_description(enc_t *e, const capture_result_t *r)
{
    put_str(e, r->path);
    put_str(e, r->name);
    put_u64(e, r->size);
    put_raw(e, r->sha256, sizeof r->sha256);
    put_str(e, r->format);
    put_u64(e, r->nlinktypes);
    for (size_t i = 0; i < r->nlinktypes; i++)
        put_u64(e, r->linktypes[i]);
    put_u64(e, (uint64_t)(int64_t)r->ts_digits);
    put_u64(e, (uint64_t)r->first_ts);
    put_u64(e, (uint64_t)r->last_ts);
    put_u64(e, r->unusable);
    put_str(e, r->error);
}

/* The description read, into r when it is empty, else compared with r's. */
static void get_description(dec_t *d, capture_result_t *r)
{
    capture_result_t x;
    memset(&x, 0, sizeof x);
    x.path = get_str(d);
    x.name = get_str(d);
    x.size = get_u64(d);
    get_raw(d, x.sha256, sizeof x.sha256);
    get_fixed(d, x.format, sizeof x.format);
    x.nlinktypes = get_count(d);
    if (x.nlinktypes > CAPTURE_MAX_LINKTYPES)
        d->why = d->why ? d->why : "too many link types";
    for (size_t i = 0; i < x.nlinktypes && !d->why; i++)
        x.linktypes[i] = (uint16_t)get_u64(d);
    x.ts_digits = (int)(int64_t)get_u64(d);
    x.first_ts = (ts_ns_t)get_u64(d);
    x.last_ts = (ts_ns_t)get_u64(d);
    x.unusable = get_u64(d) != 0;
    get_fixed(d, x.error, sizeof x.error);
    if (d->why || !x.path || !x.name) {
        d->why = d->why ? d->why : "a capture without a name";
        free(x.path), free(x.name);
        return;
    }
    if (!r->path) { /* the first shard read: take its description */
        r->path = x.path, r->name = x.name, r->size = x.size;
        memcpy(r->sha256, x.sha256, sizeof r->sha256);
        for (size_t i = 0; i < sizeof r->sha256; i++)
            snprintf(r->sha256_hex + 2 * i, 3, "%02x", r->sha256[i]);
        memcpy(r->format, x.format, sizeof r->format);
        memcpy(r->linktypes, x.linktypes, sizeof r->linktypes);
        r->nlinktypes = x.nlinktypes, r->ts_digits = x.ts_digits;
        r->first_ts = x.first_ts, r->last_ts = x.last_ts;
        r->unusable = x.unusable;
        memcpy(r->error, x.error, sizeof r->error);
        return;
    }
    bool same = strcmp(r->name, x.name) == 0 && r->size == x.size &&
                memcmp(r->sha256, x.sha256, sizeof x.sha256) == 0 &&
                strcmp(r->format, x.format) == 0 && r->nlinktypes == x.nlinktypes &&
                memcmp(r->linktypes, x.linktypes, sizeof x.linktypes) == 0 &&
                r->ts_digits == x.ts_digits && r->first_ts == x.first_ts &&
                r->last_ts == x.last_ts && r->unusable == x.unusable;
    if (!same)
        d->why = "its description of a capture differs from another shard's";
    free(x.path), free(x.name);
}

static void put_tallies(enc_t *e, const capture_result_t *r)
{
    put_u64(e, r->packets);
    put_u64(e, r->bytes_captured);
    put_u64(e, r->bytes_wire);
    put_u64(e, r->ip_packets);
    put_damage(e, &r->damage);
    put_u64(e, r->dstats.non_ip);
    put_u64(e, r->dstats.fragments);
    put_u64(e, r->dstats.unsupported_link);
    put_u64(e, r->damaged);
    const tls_decrypt_counts_t *t = &r->decrypt;
    put_u64(e, t->sessions);
    put_u64(e, t->decrypted);
    put_u64(e, t->no_key);
    put_u64(e, t->failed);
    put_u64(e, t->unsupported);
    put_u64(e, t->no_server_hello);
    put_u64(e, t->records_rejected);
    put_u64(e, r->nrates);
    for (size_t i = 0; i < r->nrates; i++) {
        put_u64(e, (uint64_t)r->rates[i].sec);
        put_u64(e, r->rates[i].tcp);
        put_u64(e, r->rates[i].udp);
        put_u64(e, r->rates[i].other);
    }
}

/* Add one second of bandwidth to r (bins in order of first appearance). */
static void add_rate(capture_result_t *r, const rate_bin_t *b)
{
    for (size_t i = 0; i < r->nrates; i++)
        if (r->rates[i].sec == b->sec) {
            r->rates[i].tcp += b->tcp, r->rates[i].udp += b->udp;
            r->rates[i].other += b->other;
            return;
        }
    if (r->nrates == r->caprates) {
        r->caprates = r->caprates ? 2 * r->caprates : 1024;
        r->rates = xreallocarray(r->rates, r->caprates, sizeof *r->rates);
    }
    r->rates[r->nrates++] = *b;
}

static void get_tallies(dec_t *d, capture_result_t *r)
{
    r->packets += get_u64(d);
    r->bytes_captured += get_u64(d);
    r->bytes_wire += get_u64(d);
    r->ip_packets += get_u64(d);
    get_damage(d, &r->damage);
    r->dstats.non_ip += get_u64(d);
    r->dstats.fragments += get_u64(d);
    r->dstats.unsupported_link += get_u64(d);
    r->damaged |= get_u64(d) != 0;
    tls_decrypt_counts_t *t = &r->decrypt;
    t->sessions += get_u64(d);
    t->decrypted += get_u64(d);
    t->no_key += get_u64(d);
    t->failed += get_u64(d);
    t->unsupported += get_u64(d);
    t->no_server_hello += get_u64(d);
    t->records_rejected += get_u64(d);
    size_t n = get_count(d);
    /* a capture whose rates come from one shard keeps them as they are */
    bool append = r->nrates == 0;
    for (size_t i = 0; i < n && !d->why; i++) {
        rate_bin_t b;
        b.sec = (int64_t)get_u64(d);
        b.tcp = get_u64(d), b.udp = get_u64(d), b.other = get_u64(d);
        if (append) {
            if (r->nrates == r->caprates) {
                r->caprates = r->caprates ? 2 * r->caprates : 1024;
                r->rates = xreallocarray(r->rates, r->caprates, sizeof *r->rates);
            }
            r->rates[r->nrates++] = b;
        } else {
            add_rate(r, &b);
        }
    }
}

/* ---- connections -------------------------------------------------------- */

static void put_conn(enc_t *e, const conn_rec_t *c)
{
    put_u64(e, (uint64_t)c->ts);
    put_u64(e, (uint64_t)c->last_ts);
    put_u64(e, (uint64_t)c->rtt_syn);
    put_addr(e, &c->orig);
    put_addr(e, &c->resp);
    put_u64(e, c->orig_p);
    put_u64(e, c->resp_p);
    put_u64(e, c->vlan);
    put_u64(e, c->proto);
    put_u64(e, c->state_idx);
    put_str(e, c->uid);
    put_str(e, c->history);
    put_str(e, c->service);
    put_u64(e, c->orig_bytes);
    put_u64(e, c->resp_bytes);
    put_u64(e, c->missed_bytes);
    put_u64(e, c->orig_pkts);
    put_u64(e, c->resp_pkts);
    put_u64(e, c->orig_ip_bytes);
    put_u64(e, c->resp_ip_bytes);
    put_u64(e, c->first_frame);
    put_u64(e, c->last_frame);
    put_u64(e, c->retransmits);
    put_u64(e, c->zero_windows);
    put_raw(e, c->mac_orig, sizeof c->mac_orig);
    put_raw(e, c->mac_resp, sizeof c->mac_resp);
    put_u64(e, c->has_mac);
    put_str(e, c->name_hint);
    put_ord(e, &c->ord);
    put_u64(e, c->capture);
}

static void get_conn(dec_t *d, conn_rec_t *c)
{
    c->ts = (ts_ns_t)get_u64(d);
    c->last_ts = (ts_ns_t)get_u64(d);
    c->rtt_syn = (ts_ns_t)get_u64(d);
    get_addr(d, &c->orig);
    get_addr(d, &c->resp);
    c->orig_p = (uint16_t)get_u64(d);
    c->resp_p = (uint16_t)get_u64(d);
    c->vlan = (uint16_t)get_u64(d);
    c->proto = (uint8_t)get_u64(d);
    c->state_idx = (uint8_t)get_u64(d);
    get_fixed(d, c->uid, sizeof c->uid);
    get_fixed(d, c->history, sizeof c->history);
    c->service = intern(get_str(d));
    c->orig_bytes = get_u64(d);
    c->resp_bytes = get_u64(d);
    c->missed_bytes = get_u64(d);
    c->orig_pkts = get_u64(d);
    c->resp_pkts = get_u64(d);
    c->orig_ip_bytes = get_u64(d);
    c->resp_ip_bytes = get_u64(d);
    c->first_frame = get_u64(d);
    c->last_frame = get_u64(d);
    c->retransmits = get_u64(d);
    c->zero_windows = get_u64(d);
    get_raw(d, c->mac_orig, sizeof c->mac_orig);
    get_raw(d, c->mac_resp, sizeof c->mac_resp);
    c->has_mac = get_u64(d) != 0;
    c->name_hint = get_str(d);
    c->ord = get_ord(d);
    c->capture = (uint32_t)get_u64(d);
}

/* ---- spooled log rows --------------------------------------------------- */

/* Row i of ls: its ts, emission order and JSON (without the newline). */
static void put_row(enc_t *e, const logstore_t *ls, size_t i, char **buf, size_t *cap)
{
    long len = ls->err ? -1 : logstore_read(ls, i, buf, cap);
    if (len < 1) {
        e->failed = true;
        return;
    }
    put_u64(e, (uint64_t)ls->rows[i].ts);
    put_ord(e, &ls->rows[i].ord);
    put_u64(e, (uint64_t)len - 1);
    put_raw(e, *buf, (size_t)len - 1);
}

static void put_logs(enc_t *e, capture_result_t *r)
{
    char *buf = NULL;
    size_t cap = 0;
    for (int k = 0; k < LOG_SPOOLED_COUNT; k++) {
        const logstore_t *ls = &r->logs[k];
        put_u64(e, ls->n);
        for (size_t i = 0; i < ls->n && !e->failed; i++)
            put_row(e, ls, i, &buf, &cap);
    }
    free(buf);
}

static void get_logs(dec_t *d, capture_result_t *r, const char *spool_dir)
{
    char *buf = NULL;
    size_t cap = 0;
    for (int k = 0; k < LOG_SPOOLED_COUNT && !d->why; k++) {
        logstore_t *ls = &r->logs[k];
        if (!ls->nspools && logstore_init(ls, spool_dir) != 0) {
            d->why = "cannot create a log spool";
            break;
        }
        size_t n = get_count(d);
        for (size_t i = 0; i < n && !d->why; i++) {
            ts_ns_t ts = (ts_ns_t)get_u64(d);
            rec_order_t ord = get_ord(d);
            uint64_t len = get_u64(d);
            if (len > PARTIAL_MAX_STRING) {
                d->why = d->why ? d->why : "a log row is longer than any pcapcase writes";
                break;
            }
            if (cap < len + 1) {
                cap = (size_t)len + 1;
                buf = xrealloc(buf, cap);
            }
            get_raw(d, buf, (size_t)len);
            if (!d->why)
                logstore_add_ordered(ls, ts, &ord, buf, (size_t)len);
        }
    }
    free(buf);
}

/* ---- passive DNS and the application summaries -------------------------- */

static void put_pdns(enc_t *e, const capture_result_t *r)
{
    put_u64(e, r->npdns);
    for (size_t i = 0; i < r->npdns; i++) {
        const pdns_entry_t *p = &r->pdns[i];
        put_str(e, p->name);
        put_addr(e, &p->addr);
        put_u64(e, (uint64_t)p->first);
        put_u64(e, (uint64_t)p->last);
    }
}

static void get_pdns(dec_t *d, capture_result_t *r)
{
    size_t n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        char *name = get_str(d);
        ipaddr_t a;
        get_addr(d, &a);
        ts_ns_t first = (ts_ns_t)get_u64(d), last = (ts_ns_t)get_u64(d);
        if (name && !d->why) {
            capture_pdns_add(r, name, &a, first);
            capture_pdns_add(r, name, &a, last);
        }
        free(name);
    }
}

static void put_dns(enc_t *e, const dns_rec_t *x)
{
    put_u64(e, (uint64_t)x->ts);
    put_addr(e, &x->client);
    put_addr(e, &x->server);
    put_str(e, x->query);
    put_u64(e, x->qtype);
    put_u64(e, (uint64_t)(int64_t)x->rcode);
    put_u64(e, x->frame);
    put_str(e, x->uid);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_dns(dec_t *d, dns_rec_t *x)
{
    x->ts = (ts_ns_t)get_u64(d);
    get_addr(d, &x->client);
    get_addr(d, &x->server);
    x->query = get_str(d);
    x->qtype = (uint16_t)get_u64(d);
    x->rcode = (int16_t)(int64_t)get_u64(d);
    x->frame = get_u64(d);
    get_fixed(d, x->uid, sizeof x->uid);
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

static void put_tls(enc_t *e, const tls_rec_t *x)
{
    put_u64(e, (uint64_t)x->ts);
    put_addr(e, &x->client);
    put_addr(e, &x->server);
    put_u64(e, x->server_p);
    put_str(e, x->sni);
    put_str(e, x->ja3);
    put_str(e, x->ja4);
    put_str(e, x->cert_fp);
    put_str(e, x->cert_cn);
    put_u64(e, x->ncert_sans);
    for (size_t i = 0; i < x->ncert_sans; i++)
        put_str(e, x->cert_sans[i]);
    put_u64(e, x->self_signed);
    put_u64(e, x->expired);
    put_u64(e, x->sni_mismatch);
    put_u64(e, x->frame);
    put_str(e, x->uid);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_tls(dec_t *d, tls_rec_t *x)
{
    x->ts = (ts_ns_t)get_u64(d);
    get_addr(d, &x->client);
    get_addr(d, &x->server);
    x->server_p = (uint16_t)get_u64(d);
    x->sni = get_str(d);
    x->ja3 = get_str(d);
    x->ja4 = get_str(d);
    x->cert_fp = get_str(d);
    x->cert_cn = get_str(d);
    size_t n = get_count(d);
    if (n > X509_MAX_SANS)
        d->why = d->why ? d->why : "too many SAN names";
    x->cert_sans = xcalloc(d->why ? 1 : n + 1, sizeof *x->cert_sans);
    for (size_t i = 0; i < n && !d->why; i++) {
        char *s = get_str(d);
        if (s)
            x->cert_sans[x->ncert_sans++] = s;
    }
    x->self_signed = get_u64(d) != 0;
    x->expired = get_u64(d) != 0;
    x->sni_mismatch = get_u64(d) != 0;
    x->frame = get_u64(d);
    get_fixed(d, x->uid, sizeof x->uid);
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

static void put_cred(enc_t *e, const cred_rec_t *x)
{
    put_u64(e, (uint64_t)x->ts);
    put_addr(e, &x->client);
    put_addr(e, &x->server);
    put_u64(e, x->server_p);
    put_str(e, x->proto);
    put_str(e, x->username);
    put_u64(e, x->has_password);
    put_u64(e, x->hashed);
    put_u64(e, x->in_tls);
    put_u64(e, x->outcome);
    put_u64(e, x->secret_hash);
    put_u64(e, x->frame);
    put_str(e, x->uid);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_cred(dec_t *d, cred_rec_t *x)
{
    x->ts = (ts_ns_t)get_u64(d);
    get_addr(d, &x->client);
    get_addr(d, &x->server);
    x->server_p = (uint16_t)get_u64(d);
    x->proto = intern(get_str(d));
    x->username = get_str(d);
    x->has_password = get_u64(d) != 0;
    x->hashed = get_u64(d) != 0;
    x->in_tls = get_u64(d) != 0;
    x->outcome = (uint8_t)get_u64(d);
    x->secret_hash = get_u64(d);
    x->frame = get_u64(d);
    get_fixed(d, x->uid, sizeof x->uid);
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

static void put_mime(enc_t *e, const mime_rec_t *x)
{
    put_u64(e, (uint64_t)x->ts);
    put_addr(e, &x->client);
    put_addr(e, &x->server);
    put_str(e, x->url);
    put_str(e, x->declared);
    put_str(e, x->sniffed);
    put_str(e, x->sha256);
    put_u64(e, x->frame);
    put_str(e, x->uid);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_mime(dec_t *d, mime_rec_t *x)
{
    x->ts = (ts_ns_t)get_u64(d);
    get_addr(d, &x->client);
    get_addr(d, &x->server);
    x->url = get_str(d);
    x->declared = get_str(d);
    x->sniffed = get_str(d);
    x->sha256 = get_str(d);
    x->frame = get_u64(d);
    get_fixed(d, x->uid, sizeof x->uid);
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

static void put_intel(enc_t *e, const intel_rec_t *x)
{
    put_u64(e, x->indicator);
    put_u64(e, (uint64_t)x->ts);
    put_u64(e, x->frame);
    put_str(e, x->uid);
    put_addr(e, &x->orig);
    put_addr(e, &x->resp);
    put_str(e, x->where);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_intel(dec_t *d, intel_rec_t *x)
{
    x->indicator = (uint32_t)get_u64(d);
    x->ts = (ts_ns_t)get_u64(d);
    x->frame = get_u64(d);
    get_fixed(d, x->uid, sizeof x->uid);
    get_addr(d, &x->orig);
    get_addr(d, &x->resp);
    x->where = intern(get_str(d));
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

static void put_range(enc_t *e, const range_rec_t *x)
{
    put_u64(e, (uint64_t)x->ts);
    put_str(e, x->url);
    put_u64(e, x->start);
    put_u64(e, x->end);
    put_u64(e, x->total);
    put_u64(e, x->file_off);
    put_str(e, x->boundary);
    put_str(e, x->sha256);
    put_str(e, x->fuid);
    put_str(e, x->uid);
    put_addr(e, &x->orig);
    put_addr(e, &x->resp);
    put_u64(e, x->orig_p);
    put_u64(e, x->resp_p);
    put_u64(e, x->first_frame);
    put_u64(e, x->last_frame);
    put_ord(e, &x->ord);
    put_u64(e, x->capture);
}

static void get_range(dec_t *d, range_rec_t *x)
{
    x->ts = (ts_ns_t)get_u64(d);
    x->url = get_str(d);
    x->start = get_u64(d);
    x->end = get_u64(d);
    x->total = get_u64(d);
    x->file_off = get_u64(d);
    x->boundary = get_str(d);
    get_fixed(d, x->sha256, sizeof x->sha256);
    get_fixed(d, x->fuid, sizeof x->fuid);
    get_fixed(d, x->uid, sizeof x->uid);
    get_addr(d, &x->orig);
    get_addr(d, &x->resp);
    x->orig_p = (uint16_t)get_u64(d);
    x->resp_p = (uint16_t)get_u64(d);
    x->first_frame = get_u64(d);
    x->last_frame = get_u64(d);
    x->ord = get_ord(d);
    x->capture = (uint32_t)get_u64(d);
}

/* ---- certificates ------------------------------------------------------- */

static void put_x509(enc_t *e, const x509_info_t *x)
{
    put_str(e, x->sha256);
    put_str(e, x->sha1);
    put_u64(e, (uint64_t)(int64_t)x->version);
    put_str(e, x->serial);
    put_str(e, x->subject);
    put_str(e, x->issuer);
    put_str(e, x->cn);
    put_u64(e, (uint64_t)x->not_before);
    put_u64(e, (uint64_t)x->not_after);
    put_str(e, x->key_alg);
    put_str(e, x->sig_alg);
    put_str(e, x->key_type);
    put_str(e, x->curve);
    put_u64(e, (uint64_t)(int64_t)x->key_length);
    put_u64(e, x->nsan_dns);
    for (size_t i = 0; i < x->nsan_dns; i++)
        put_str(e, x->san_dns[i]);
    put_u64(e, x->nsan_ip);
    for (size_t i = 0; i < x->nsan_ip; i++)
        put_str(e, x->san_ip[i]);
    put_u64(e, (uint64_t)(int64_t)x->ca);
    put_u64(e, (uint64_t)(int64_t)x->path_len);
    put_u64(e, x->self_signed);
    put_u64(e, x->flaws);
}

/* A list of at most X509_MAX_SANS names into v. */
static void get_sans(dec_t *d, char **v, size_t *n)
{
    size_t count = get_count(d);
    if (count > X509_MAX_SANS) {
        d->why = d->why ? d->why : "too many SAN names";
        return;
    }
    for (size_t i = 0; i < count && !d->why; i++) {
        char *s = get_str(d);
        if (s)
            v[(*n)++] = s;
    }
}

static void get_x509(dec_t *d, x509_info_t *x)
{
    memset(x, 0, sizeof *x);
    get_fixed(d, x->sha256, sizeof x->sha256);
    get_fixed(d, x->sha1, sizeof x->sha1);
    x->version = (long)(int64_t)get_u64(d);
    x->serial = get_str(d);
    x->subject = get_str(d);
    x->issuer = get_str(d);
    x->cn = get_str(d);
    x->not_before = (int64_t)get_u64(d);
    x->not_after = (int64_t)get_u64(d);
    x->key_alg = get_str(d);
    x->sig_alg = get_str(d);
    x->key_type = get_str(d);
    x->curve = get_str(d);
    x->key_length = (int)(int64_t)get_u64(d);
    get_sans(d, x->san_dns, &x->nsan_dns);
    get_sans(d, x->san_ip, &x->nsan_ip);
    x->ca = (int)(int64_t)get_u64(d);
    x->path_len = (long)(int64_t)get_u64(d);
    x->self_signed = get_u64(d) != 0;
    x->flaws = (unsigned)get_u64(d);
}

/* The certificates' fields once each, then the sightings naming them by
 * their index in that list. */
static void put_certs(enc_t *e, const capture_result_t *r)
{
    const certs_t *t = &r->cert_fields;
    put_u64(e, t->n);
    for (size_t i = 0; i < t->n; i++)
        put_x509(e, t->v[i]);
    put_u64(e, r->ncerts);
    for (size_t i = 0; i < r->ncerts; i++) {
        const cert_rec_t *c = &r->certs[i];
        size_t at = 0;
        while (at < t->n && t->v[at] != c->fields)
            at++;
        put_str(e, c->fp);
        put_u64(e, (uint64_t)c->ts);
        put_str(e, c->uid);
        put_u64(e, c->capture);
        put_u64(e, c->expired_at_capture);
        put_u64(e, (uint64_t)(int64_t)c->ts_digits);
        put_u64(e, at < t->n ? at : PARTIAL_NULL);
        put_ord(e, &c->ord);
    }
}

/* The sightings share one copy of a certificate's fields per capture
 * (model/keep.h capture_cert_intern), as the analysis keeps them. */
static void get_certs(dec_t *d, capture_result_t *r)
{
    size_t nfields = get_count(d);
    x509_info_t *fields = xcalloc(nfields ? nfields : 1, sizeof *fields);
    size_t got = 0;
    for (; got < nfields && !d->why; got++)
        get_x509(d, &fields[got]);
    size_t n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        cert_rec_t c;
        memset(&c, 0, sizeof c);
        get_fixed(d, c.fp, sizeof c.fp);
        c.ts = (ts_ns_t)get_u64(d);
        get_fixed(d, c.uid, sizeof c.uid);
        c.capture = (uint32_t)get_u64(d);
        c.expired_at_capture = get_u64(d) != 0;
        c.ts_digits = (int8_t)(int64_t)get_u64(d);
        uint64_t at = get_u64(d);
        c.ord = get_ord(d);
        if (d->why || at >= got || strcmp(fields[at].sha256, c.fp) != 0) {
            d->why = d->why ? d->why : "a certificate sighting names no certificate";
            break;
        }
        c.fields = capture_cert_intern(r, &fields[at]);
        *capture_cert_add(r) = c;
    }
    for (size_t i = 0; i < got; i++)
        x509_info_free(&fields[i]);
    free(fields);
}

/* ---- one capture -------------------------------------------------------- */

#define PUT_ARRAY(e, v, n, put)                                                                    \
    do {                                                                                           \
        put_u64((e), (n));                                                                         \
        for (size_t i_ = 0; i_ < (n); i_++)                                                        \
            put((e), &(v)[i_]);                                                                    \
    } while (0)

#define GET_ARRAY(d, r, add, get)                                                                  \
    do {                                                                                           \
        size_t n_ = get_count(d);                                                                  \
        for (size_t i_ = 0; i_ < n_ && !(d)->why; i_++)                                            \
            get((d), add(r));                                                                      \
    } while (0)

/* ---- the segments kept for the TCP charts (analysis/tcp_keep.h) -------- */

/* One kept segment in 30 bytes, little-endian. */
#define SEG_BYTES 30

static void put_tcp_segs(enc_t *e, const tcp_segs_t *g)
{
    put_raw(e, g->uid, UID_LEN);
    put_u64(e, g->bytes);
    put_u64(e, g->first_frame);
    put_u64(e, g->dropped);
    for (int i = 0; i < 2; i++) {
        put_u64(e, g->late_syn[i]);
        put_u64(e, (uint64_t)(int64_t)g->late_wscale[i]);
    }
    put_u64(e, g->n);
    for (size_t i = 0; i < g->n && !e->failed; i++) {
        const tcp_kept_seg_t *k = &g->seg[i];
        uint8_t b[SEG_BYTES];
        put_le(b, (uint64_t)k->ts, 8);
        put_le(b + 8, k->frame_off, 4);
        put_le(b + 12, k->seq, 4);
        put_le(b + 16, k->ack, 4);
        put_le(b + 20, k->len, 4);
        put_le(b + 24, k->win, 2);
        b[26] = k->flags;
        b[27] = (uint8_t)k->wscale;
        b[28] = k->nsack;
        b[29] = k->fwd;
        put_raw(e, b, sizeof b);
    }
    put_u64(e, g->nsack);
    for (size_t i = 0; i < g->nsack && !e->failed; i++) {
        uint8_t b[8];
        put_le(b, g->sack[i][0], 4);
        put_le(b + 4, g->sack[i][1], 4);
        put_raw(e, b, sizeof b);
    }
}

static void get_tcp_segs(dec_t *d, tcp_segs_t *g)
{
    memset(g, 0, sizeof *g);
    get_raw(d, g->uid, UID_LEN);
    g->uid[UID_LEN - 1] = '\0';
    g->bytes = get_u64(d);
    g->first_frame = get_u64(d);
    g->dropped = get_u64(d);
    for (int i = 0; i < 2; i++) {
        g->late_syn[i] = get_u64(d) != 0;
        g->late_wscale[i] = (int8_t)(int64_t)get_u64(d);
    }
    size_t n = get_count(d);
    if (n > TCPSERIES_MAX_SAMPLES) {
        d->why = d->why ? d->why : "a connection holds more segments than any pcapcase keeps";
        n = 0;
    }
    g->seg = n ? xcalloc(n, sizeof *g->seg) : NULL;
    g->cap = n;
    size_t sacks_named = 0;
    for (size_t i = 0; i < n && !d->why; i++, g->n++) {
        uint8_t b[SEG_BYTES];
        get_raw(d, b, sizeof b);
        tcp_kept_seg_t *k = &g->seg[i];
        k->ts = (ts_ns_t)get_le(b, 8);
        k->frame_off = (uint32_t)get_le(b + 8, 4);
        k->seq = (uint32_t)get_le(b + 12, 4);
        k->ack = (uint32_t)get_le(b + 16, 4);
        k->len = (uint32_t)get_le(b + 20, 4);
        k->win = (uint16_t)get_le(b + 24, 2);
        k->flags = b[26];
        k->wscale = (int8_t)b[27];
        k->nsack = b[28];
        k->fwd = b[29] != 0;
        sacks_named += k->nsack;
    }
    size_t ns = get_count(d);
    if (ns != sacks_named && !d->why)
        d->why = "a connection's SACK blocks do not match its segments";
    g->sack = !d->why && ns ? xcalloc(ns, sizeof *g->sack) : NULL;
    g->sack_cap = g->sack ? ns : 0;
    for (size_t i = 0; g->sack && i < ns && !d->why; i++, g->nsack++) {
        uint8_t b[8];
        get_raw(d, b, sizeof b);
        g->sack[i][0] = (uint32_t)get_le(b, 4);
        g->sack[i][1] = (uint32_t)get_le(b + 4, 4);
    }
}

static void put_kept_tcp(enc_t *e, const capture_result_t *r)
{
    put_u64(e, r->ntcp_segs);
    for (size_t i = 0; i < r->ntcp_segs && !e->failed; i++)
        put_tcp_segs(e, &r->tcp_segs[i]);
}

/* Appended to what other shards' partials gave this capture. */
static void get_kept_tcp(dec_t *d, capture_result_t *r)
{
    size_t n = get_count(d);
    for (size_t i = 0; i < n && !d->why; i++) {
        if (r->ntcp_segs == r->captcp_segs) {
            r->captcp_segs = r->captcp_segs ? 2 * r->captcp_segs : 8;
            r->tcp_segs = xreallocarray(r->tcp_segs, r->captcp_segs, sizeof *r->tcp_segs);
        }
        get_tcp_segs(d, &r->tcp_segs[r->ntcp_segs]);
        r->ntcp_segs++; /* kept even when cut short: freed with r */
    }
}

static void put_capture(enc_t *e, capture_result_t *r)
{
    put_description(e, r);
    put_tallies(e, r);
    put_u64(e, r->nconns);
    for (size_t i = 0; i < r->nconns; i++)
        put_conn(e, capture_conn(r, i));
    put_logs(e, r);
    put_pdns(e, r);
    PUT_ARRAY(e, r->dns, r->ndns, put_dns);
    PUT_ARRAY(e, r->tls, r->ntls, put_tls);
    PUT_ARRAY(e, r->creds, r->ncreds, put_cred);
    PUT_ARRAY(e, r->mimes, r->nmimes, put_mime);
    put_certs(e, r);
    PUT_ARRAY(e, r->intel, r->nintel, put_intel);
    PUT_ARRAY(e, r->ranges, r->nranges, put_range);
    put_kept_tcp(e, r);
}

static void get_capture(dec_t *d, capture_result_t *r, const char *spool_dir, logpack_t *pack)
{
    get_description(d, r);
    get_tallies(d, r);
    GET_ARRAY(d, r, capture_conn_add, get_conn);
    get_logs(d, r, spool_dir);
    for (int k = 0; pack && !d->why && k < LOG_SPOOLED_COUNT; k++)
        if (logstore_pack(&r->logs[k], pack) != 0)
            d->why = "cannot write a log spool";
    get_pdns(d, r);
    GET_ARRAY(d, r, capture_dns_add, get_dns);
    GET_ARRAY(d, r, capture_tls_add, get_tls);
    GET_ARRAY(d, r, capture_cred_add, get_cred);
    GET_ARRAY(d, r, capture_mime_add, get_mime);
    get_certs(d, r);
    GET_ARRAY(d, r, capture_intel_add, get_intel);
    GET_ARRAY(d, r, capture_range_add, get_range);
    get_kept_tcp(d, r);
}

/* ---- files -------------------------------------------------------------- */

int partial_write(const char *path, const partial_head_t *h, capture_result_t *const *results,
                  char *err, size_t errlen)
{
    atomic_file_t af;
    if (atomic_open(&af, path) != 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    enc_t e = {af.f, false};
    put_head(&e, h);
    for (size_t i = 0; i < h->ninputs && !e.failed; i++)
        put_capture(&e, results[i]);
    /* the trailer: a file cut short is seen as such even at a record end */
    put_raw(&e, "end\n", 4);
    int saved = errno;
    if (e.failed) {
        atomic_abort(&af);
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved ? saved : EIO));
        return -1;
    }
    if (atomic_commit(&af) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int partial_read(const char *path, partial_head_t *h, capture_result_t *results, size_t ninputs,
                 const char *spool_dir, char *err, size_t errlen)
{
    return partial_read_packed(path, h, results, ninputs, spool_dir, NULL, err, errlen);
}

int partial_read_packed(const char *path, partial_head_t *h, capture_result_t *results,
                        size_t ninputs, const char *spool_dir, logpack_t *pack, char *err,
                        size_t errlen)
{
    memset(h, 0, sizeof *h);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    dec_t d = {f, NULL};
    get_head(&d, h);
    if (!d.why && results && h->ninputs != ninputs)
        d.why = "it lists a different number of captures";
    for (size_t i = 0; results && i < h->ninputs && !d.why; i++)
        get_capture(&d, &results[i], spool_dir, pack);
    char end[4];
    if (results && !d.why) {
        get_raw(&d, end, sizeof end);
        if (!d.why && memcmp(end, "end\n", 4) != 0)
            d.why = "it does not end where its contents do";
    }
    fclose(f);
    if (d.why) {
        snprintf(err, errlen, "%s: %s", path, d.why);
        return -1;
    }
    return 0;
}
