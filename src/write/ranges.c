/* ranges.c — whole objects from 206 Partial Content parts; see ranges.h. */
#include "write/ranges.h"

#include "case/case.h"
#include "core/digest.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "proto/filemagic.h"
#include "proto/http.h"
#include "proto/mime.h"
#include "write/log_files.h"
#include "write/written.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct rref {
    const range_rec_t *r;
} rref_t;

static int cmp_range(const void *a, const void *b)
{
    const range_rec_t *x = ((const rref_t *)a)->r, *y = ((const rref_t *)b)->r;
    int c = strcmp(x->url, y->url);
    if (c)
        return c;
    if (x->total != y->total)
        return x->total < y->total ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return strcmp(x->fuid, y->fuid);
}

typedef struct assembly {
    atomic_file_t out; /* the object, named once its SHA-256 is known */
    digest_set_t hash;
    buf_t head; /* the first FILEMAGIC_BYTES, to be typed */
    uint64_t written;
} assembly_t;

static bool emit(assembly_t *a, const uint8_t *p, size_t n)
{
    digest_set_update(&a->hash, p, n);
    if (a->head.len < FILEMAGIC_BYTES)
        buf_append(&a->head, p,
                   n < FILEMAGIC_BYTES - a->head.len ? n : FILEMAGIC_BYTES - a->head.len);
    a->written += n;
    if (fwrite(p, 1, n, a->out.f) == n)
        return true;
    fs_note_failure(a->out.path, "write", errno); /* the run ends with it */
    return false;
}

/* Part r's artifact, positioned at byte `from` of the object; NULL if it
 * cannot be read. */
static FILE *open_part(const char *dir, const range_rec_t *r, uint64_t from)
{
    char *path = xasprintf("%s/%s", dir, r->sha256);
    FILE *f = fopen(path, "rb");
    free(path);
    if (f && fseeko(f, (off_t)(r->file_off + from - r->start), SEEK_SET) != 0) {
        fclose(f);
        f = NULL;
    }
    return f;
}

/* Copy bytes [from, to] of the object out of part r's artifact. */
static bool copy_part(assembly_t *a, const char *dir, const range_rec_t *r, uint64_t from,
                      uint64_t to)
{
    FILE *f = open_part(dir, r, from);
    bool ok = f != NULL;
    uint64_t left = to - from + 1;
    uint8_t buf[1 << 16];
    while (ok && left) {
        size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
        size_t got = fread(buf, 1, want, f);
        ok = got == want && emit(a, buf, got);
        left -= got;
    }
    if (f)
        fclose(f);
    return ok;
}

/* Do two parts agree on the bytes [from, to] both hold? */
static bool parts_agree(const char *dir, const range_rec_t *x, const range_rec_t *y, uint64_t from,
                        uint64_t to)
{
    if (strcmp(x->sha256, y->sha256) == 0 && x->start == y->start && x->file_off == y->file_off)
        return true;
    FILE *fx = open_part(dir, x, from), *fy = open_part(dir, y, from);
    bool ok = fx && fy;
    uint64_t left = to - from + 1;
    uint8_t bx[1 << 14], by[1 << 14];
    while (ok && left) {
        size_t want = left < sizeof bx ? (size_t)left : sizeof bx;
        ok = fread(bx, 1, want, fx) == want && fread(by, 1, want, fy) == want &&
             memcmp(bx, by, want) == 0;
        left -= want;
    }
    if (fx)
        fclose(fx);
    if (fy)
        fclose(fy);
    return ok;
}

/* The files row of an assembled object, in the files log of the capture
 * whose part arrived last. */
static void row(case_t *k, const range_rec_t *last, const rref_t *parts, size_t n,
                const assembly_t *a, const char *hashes[3])
{
    capture_result_t *res = k->r[last->capture];
    int digits = res->ts_digits ? res->ts_digits : TS_DIGITS_DEFAULT;
    uint64_t h1 = 0;
    const char **fuids = xcalloc(n, sizeof *fuids);
    for (size_t i = 0; i < n; i++) {
        h1 = hash_fnv1a(parts[i].r->fuid, strlen(parts[i].r->fuid), h1);
        fuids[i] = parts[i].r->fuid;
    }
    /* typed as the analysers type carved files (libmagic; the sniffer's
     * type alone when libmagic is missing or with --quick-types); assembled objects are few, so a
     * cookie of their own each */
    char err[256];
    filemagic_t *fm = k->opts->analysis.quick_types ? NULL : filemagic_open(err, sizeof err);
    filetype_t type = {{0}, {0}};
    bool typed = fm != NULL;
    if (fm)
        filemagic_type(fm, hashes[2], a->head.data, a->head.len, &type);
    filemagic_close(fm);
    file_record_t f = {.ts = last->ts,
                       .source = "HTTP",
                       .mime = typed ? (type.mime[0] ? type.mime : NULL)
                                     : mime_sniff(a->head.data, a->head.len < MIME_SNIFF_BYTES
                                                                    ? a->head.len
                                                                    : MIME_SNIFF_BYTES),
                       .description = type.desc[0] ? type.desc : NULL,
                       .seen_bytes = a->written,
                       .total_bytes = (int64_t)last->total,
                       .md5 = hashes[0],
                       .sha1 = hashes[1],
                       .sha256 = hashes[2],
                       .extracted = true,
                       .url = last->url,
                       .assembled_from = fuids,
                       .nassembled = n,
                       .first_frame = last->first_frame,
                       .last_frame = last->last_frame};
    zeek_id('F', h1, hash_fnv1a(&h1, 8, 0x206), f.fuid);
    memcpy(f.conn.uid, last->uid, sizeof f.conn.uid);
    f.conn.orig = last->orig, f.conn.resp = last->resp;
    f.conn.orig_p = last->orig_p, f.conn.resp_p = last->resp_p;
    const char *path = strstr(last->url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    char *fname = http_suggest_filename(NULL, path ? path : last->url);
    f.filename = fname;
    buf_t b = BUF_INIT;
    log_files_row(&b, &f, res->name, digits);
    logstore_add(&res->logs[LOG_FILES], last->ts, (const char *)b.data, b.len);
    buf_free(&b);
    free(fname);
    free(fuids);
}

/* Parts g[0..n) share url and total, sorted by start.  Choose a chain that
 * covers [0, total) and write the object; false when a byte is missing or
 * two parts disagree on bytes they both hold. */
static bool assemble(case_t *k, const char *dir, const rref_t *g, size_t n)
{
    uint64_t total = g[0].r->total;
    rref_t *chain = xcalloc(n, sizeof *chain);
    size_t nc = 0, i = 0;
    uint64_t pos = 0;
    while (pos < total) {
        const range_rec_t *best = NULL;
        for (; i < n && g[i].r->start <= pos; i++)
            if (!best || g[i].r->end > best->end)
                best = g[i].r;
        if (!best || best->end < pos) {
            free(chain);
            return false; /* a hole */
        }
        if (nc &&
            !parts_agree(dir, chain[nc - 1].r, best, best->start,
                         chain[nc - 1].r->end < best->end ? chain[nc - 1].r->end : best->end)) {
            free(chain);
            return false;
        }
        chain[nc++].r = best;
        pos = best->end + 1;
    }
    if (nc < 2) { /* one part already holds it all: carved as it is */
        free(chain);
        return false;
    }
    assembly_t a = {.head = BUF_INIT};
    char *tmp = xasprintf("%s/.assembling", dir);
    bool ok = atomic_open(&a.out, tmp) == 0;
    free(tmp);
    unsigned hashes = k->opts->analysis.hashes;
    digest_set_init(&a.hash, hashes & HASH_MD5, hashes & HASH_SHA1);
    pos = 0;
    const range_rec_t *last = chain[0].r;
    for (size_t c = 0; c < nc && ok; c++) {
        ok = copy_part(&a, dir, chain[c].r, pos, chain[c].r->end);
        pos = chain[c].r->end + 1;
        if (chain[c].r->ts > last->ts)
            last = chain[c].r;
    }
    char md5[33], sha1[41], sha256[65];
    digest_set_final(&a.hash, md5, sha1, sha256);
    digest_set_free(&a.hash);
    if (ok) {
        char *final = xasprintf("%s/%s", dir, sha256);
        bool created = false;
        ok = atomic_commit_once(&a.out, final, &created) == 0;
        if (created)
            written_note(final);
        free(final);
    } else {
        atomic_abort(&a.out);
    }
    if (ok) {
        const char *h[3] = {md5, sha1, sha256};
        row(k, last, chain, nc, &a, h);
    } else {
        damage_note(&k->r[last->capture]->damage, "limit.artifact_write_failed", last->first_frame);
    }
    buf_free(&a.head);
    free(chain);
    return ok;
}

/* multipart/byteranges bodies larger than this are left as they are */
#define MULTIPART_MAX ((uint64_t)64 << 20)

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *s, size_t n)
{
    return p < end ? memmem(p, (size_t)(end - p), s, n) : NULL;
}

/* The Content-Range value among header lines [h, e), or false. */
static bool part_range(const uint8_t *h, const uint8_t *e, uint64_t *a, uint64_t *b, uint64_t *t)
{
    while (h < e) {
        const uint8_t *nl = memchr(h, '\n', (size_t)(e - h));
        const uint8_t *le = nl ? nl : e;
        if ((size_t)(le - h) > 14 && (size_t)(le - h) < 200 &&
            strncasecmp((const char *)h, "Content-Range:", 14) == 0) {
            char v[200];
            memcpy(v, h + 14, (size_t)(le - h) - 14);
            v[le - h - 14] = 0;
            return http_parse_content_range(v, a, b, t);
        }
        h = le + 1;
    }
    return false;
}

/* Append the parts of multipart body m (read back from its artifact) to *v. */
static void expand_multipart(const char *dir, const range_rec_t *m, range_rec_t **v, size_t *n,
                             size_t *cap)
{
    char *path = xasprintf("%s/%s", dir, m->sha256);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    if (fseeko(f, 0, SEEK_END) == 0) {
        off_t sz = ftello(f);
        if (sz > 0 && (uint64_t)sz <= MULTIPART_MAX && fseeko(f, 0, SEEK_SET) == 0) {
            data = xmalloc((size_t)sz);
            len = fread(data, 1, (size_t)sz, f);
        }
    }
    fclose(f);
    char delim[80];
    int dn = snprintf(delim, sizeof delim, "--%s", m->boundary);
    const uint8_t *end = data + len;
    const uint8_t *p = data ? find(data, end, delim, (size_t)dn) : NULL;
    while (p) {
        p += dn;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the closing delimiter */
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        const uint8_t *hs = nl + 1, *he = find(hs, end, "\r\n\r\n", 4);
        const uint8_t *ds = he ? he + 4 : NULL;
        const uint8_t *lf = find(hs, end, "\n\n", 2);
        if (lf && (!he || lf < he))
            he = lf, ds = lf + 2;
        if (!he)
            break;
        const uint8_t *de = find(ds, end, delim, (size_t)dn);
        if (!de)
            break;
        const uint8_t *dend = de;
        if (dend > ds && dend[-1] == '\n')
            dend--;
        if (dend > ds && dend[-1] == '\r')
            dend--;
        uint64_t a, b, t;
        if (part_range(hs, he, &a, &b, &t) && (uint64_t)(dend - ds) == b - a + 1 &&
            t <= MULTIPART_MAX * 16) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *v = xreallocarray(*v, *cap, sizeof **v);
            }
            range_rec_t *r = &(*v)[(*n)++];
            *r = *m;
            r->boundary = NULL;
            r->start = a, r->end = b, r->total = t;
            r->file_off = (uint64_t)(ds - data);
        }
        p = de;
    }
    free(data);
}

size_t ranges_assemble(case_t *k)
{
    size_t total = 0, made = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nranges;
    if (!total || !k->opts || !k->opts->analysis.carve)
        return 0;
    char *dir = xasprintf("%s/artifacts", k->opts->out_dir);
    range_rec_t *parts = NULL; /* the parts inside multipart bodies */
    size_t nparts = 0, capparts = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nranges; j++)
            if (k->r[i]->ranges[j].boundary)
                expand_multipart(dir, &k->r[i]->ranges[j], &parts, &nparts, &capparts);
    rref_t *v = xcalloc(total + nparts, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nranges; j++)
            if (!k->r[i]->ranges[j].boundary)
                v[n++].r = &k->r[i]->ranges[j];
    for (size_t i = 0; i < nparts; i++)
        v[n++].r = &parts[i];
    xqsort(v, n, sizeof *v, cmp_range);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[j].r->url, v[i].r->url) == 0 && v[j].r->total == v[i].r->total)
            j++;
        made += assemble(k, dir, v + i, j - i);
        i = j;
    }
    free(dir);
    free(v);
    free(parts);
    return made;
}
