/* logstore.c — see logstore.h. */
#include "logstore.h"

#include "core/xalloc.h"
#include "core/fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The spool could not be written: remember why, once. */
static void spool_failed(logstore_t *ls, int err)
{
    if (ls->err)
        return;
    ls->err = err ? err : EIO;
    fs_note_failure(ls->dir ? ls->dir : "temporary folder", "write a temporary log spool in",
                    ls->err);
}

/* An unnamed read-write file in dir (fs_scratch_fd), or NULL (errno). */
static FILE *scratch_file(const char *dir)
{
    int fd = fs_scratch_fd(dir);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

/* A new spool of ls's own, which rows are added to from now on. */
static int open_spool(logstore_t *ls)
{
    FILE *f = scratch_file(ls->dir);
    ls->spools = xreallocarray(ls->spools, ls->nspools + 1, sizeof *ls->spools);
    ls->spools[ls->nspools] = f;
    ls->cur = (uint32_t)ls->nspools++;
    ls->bytes = 0;
    if (!f) {
        spool_failed(ls, errno);
        return -1;
    }
    return 0;
}

int logstore_init(logstore_t *ls, const char *dir)
{
    memset(ls, 0, sizeof *ls);
    ls->dir = dir;
    return open_spool(ls);
}

static void add_row(logstore_t *ls, ts_ns_t ts, const rec_order_t *ord, const char *json,
                    size_t len)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 256;
        ls->rows = xreallocarray(ls->rows, ls->cap, sizeof *ls->rows);
    }
    if (ls->cur == LOGSTORE_NO_SPOOL && !ls->err)
        open_spool(ls); /* rows after a pack (ranges.c's assembled files) */
    logstore_row_t *r = &ls->rows[ls->n++];
    r->ts = ts;
    r->ord = *ord;
    r->off = ls->bytes;
    r->len = (uint32_t)len + 1;
    r->spool = ls->cur;
    if (ls->err)
        return;
    FILE *f = ls->spools[ls->cur];
    if (fwrite(json, 1, len, f) != len || fputc('\n', f) == EOF)
        spool_failed(ls, errno);
    ls->bytes += len + 1;
}

void logstore_add_ordered(logstore_t *ls, ts_ns_t ts, const rec_order_t *ord, const char *json,
                          size_t len)
{
    add_row(ls, ts, ord, json, len);
}

void logstore_add(logstore_t *ls, ts_ns_t ts, const char *json, size_t len)
{
    rec_order_t after = {ORDER_END, ls->n, UINT32_MAX};
    add_row(ls, ts, &after, json, len);
}

void logstore_absorb(logstore_t *dst, logstore_t *src)
{
    size_t base = dst->nspools;
    if (!base) { /* dst was never opened: src's first spool becomes its own */
        dst->bytes = src->bytes;
        dst->cur = src->cur;
        dst->dir = src->dir;
    }
    dst->spools = xreallocarray(dst->spools, base + src->nspools, sizeof *dst->spools);
    if (src->nspools)
        memcpy(dst->spools + base, src->spools, src->nspools * sizeof *src->spools);
    dst->nspools = base + src->nspools;
    if (dst->n + src->n > dst->cap) {
        dst->cap = dst->n + src->n;
        dst->rows = xreallocarray(dst->rows, dst->cap, sizeof *dst->rows);
    }
    for (size_t i = 0; i < src->n; i++) {
        dst->rows[dst->n] = src->rows[i];
        dst->rows[dst->n++].spool += (uint32_t)base;
    }
    if (!dst->err)
        dst->err = src->err;
    free(src->spools);
    free(src->rows);
    memset(src, 0, sizeof *src);
}

long logstore_read(const logstore_t *ls, size_t i, char **buf, size_t *cap)
{
    const logstore_row_t *r = &ls->rows[i];
    if (r->len > *cap) {
        *cap = r->len;
        *buf = xrealloc(*buf, *cap);
    }
    FILE *f = ls->spools[r->spool];
    if (fflush(f) != 0 || pread(fileno(f), *buf, r->len, (off_t)r->off) != (ssize_t)r->len) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return (long)r->len;
}

void logstore_free(logstore_t *ls)
{
    if (ls->pack) {
        ls->spools[0] = NULL; /* the pack's */
        logpack_release(ls->pack);
    }
    for (size_t i = 0; i < ls->nspools; i++)
        if (ls->spools[i])
            fclose(ls->spools[i]);
    free(ls->spools);
    free(ls->rows);
    memset(ls, 0, sizeof *ls);
}

struct logpack {
    FILE *f;
    uint64_t bytes;
    size_t refs;
    const char *dir;
};

logpack_t *logpack_new(const char *dir)
{
    logpack_t *p = xcalloc(1, sizeof *p);
    p->refs = 1;
    p->dir = dir;
    return p;
}

void logpack_release(logpack_t *p)
{
    if (!p || --p->refs)
        return;
    if (p->f)
        fclose(p->f);
    free(p);
}

/* Appends spool f's bytes to the pack; its offset there in *base. */
static int pack_copy(logpack_t *p, FILE *f, uint64_t *base)
{
    static __thread char buf[1 << 16];
    *base = p->bytes;
    if (fflush(f) != 0)
        return -1;
    int fd = fileno(f);
    for (off_t at = 0;;) {
        ssize_t got = pread(fd, buf, sizeof buf, at);
        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        if (fwrite(buf, 1, (size_t)got, p->f) != (size_t)got)
            return -1;
        at += got;
        p->bytes += (uint64_t)got;
    }
}

int logstore_pack(logstore_t *ls, logpack_t *p)
{
    if (ls->err)
        return -1;
    if (ls->pack && ls->pack != p) { /* one pack per store: keep the rows where they are */
        errno = EINVAL;
        spool_failed(ls, errno);
        return -1;
    }
    /* each spool's offset in the pack; the pack's own (rows packed before,
     * more rows added since) stays */
    uint64_t *base = xcalloc(ls->nspools ? ls->nspools : 1, sizeof *base);
    int rc = 0;
    if (ls->n && !p->f) {
        p->f = scratch_file(p->dir);
        rc = p->f ? 0 : -1;
    }
    for (size_t i = 0; ls->n && rc == 0 && i < ls->nspools; i++)
        if (ls->spools[i] && ls->spools[i] != p->f)
            rc = pack_copy(p, ls->spools[i], &base[i]);
    if (rc != 0) {
        spool_failed(ls, errno);
        free(base);
        return -1;
    }
    for (size_t i = 0; i < ls->n; i++) {
        ls->rows[i].off += base[ls->rows[i].spool];
        ls->rows[i].spool = 0;
    }
    free(base);
    for (size_t i = 0; i < ls->nspools; i++)
        if (ls->spools[i] && ls->spools[i] != p->f)
            fclose(ls->spools[i]);
    if (ls->n) {
        ls->spools = xreallocarray(ls->spools, 1, sizeof *ls->spools);
        ls->spools[0] = p->f;
        ls->nspools = 1;
    } else { /* nothing to read: like a store never opened, but for its dir */
        free(ls->spools);
        ls->spools = NULL;
        ls->nspools = 0;
    }
    ls->cur = LOGSTORE_NO_SPOOL;
    ls->bytes = 0;
    if (ls->n && !ls->pack) {
        ls->pack = p;
        p->refs++;
    }
    return 0;
}

typedef struct ref {
    const logstore_row_t *row;
    uint32_t store;
    uint32_t rank;
} ref_t;

static int cmp_ref(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->row->ts != y->row->ts)
        return x->row->ts < y->row->ts ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return rec_order_cmp(&x->row->ord, &y->row->ord);
}

/* Rows are read back in the merged order, which within one spool is mostly
 * the order they were written in: each spool is read through a window,
 * refilled at a row that falls outside it, rather than with one pread per
 * row (bro.org x 200: 12,000 system calls for its 6,000 HTTP and file
 * rows).  The windows of one merge share LOGSTORE_WINDOWS_MAX bytes (many
 * captures, many workers: smaller windows), each between 4 KiB and
 * LOGSTORE_WINDOW_MAX; a row longer than its window is read alone. */
#define LOGSTORE_WINDOW_MAX (256 * 1024)
#define LOGSTORE_WINDOWS_MAX (16 * 1024 * 1024)

typedef struct window {
    char *buf; /* NULL until the spool's first row */
    uint64_t off;
    size_t len;
} window_t;

/* Row r of spool fd: a pointer into w, or into *one for a row longer than
 * the window; NULL with errno set when it cannot be read. */
static const char *window_row(window_t *w, size_t size, int fd, const logstore_row_t *r, char **one,
                              size_t *onecap)
{
    if (w->buf && r->off >= w->off && r->off + r->len <= w->off + w->len)
        return w->buf + (r->off - w->off);
    char *into = w->buf;
    size_t want = size;
    if (r->len > size) {
        if (r->len > *onecap) {
            *onecap = r->len;
            *one = xrealloc(*one, *onecap);
        }
        into = *one, want = r->len;
    } else if (!into) {
        into = w->buf = xmalloc(size);
    }
    errno = 0;
    ssize_t got = pread(fd, into, want, (off_t)r->off);
    if (got < (ssize_t)r->len) { /* the end of the spool before the row's */
        if (into == w->buf)
            w->len = 0;
        if (got >= 0 || !errno)
            errno = EIO;
        return NULL;
    }
    if (into == w->buf)
        w->off = r->off, w->len = (size_t)got;
    return into;
}

long long logstore_merge(logstore_t *const *stores, size_t n, const char *path)
{
    size_t total = 0, nwin = 0;
    for (size_t i = 0; i < n; i++) {
        total += stores[i]->n;
        nwin += stores[i]->nspools;
        for (size_t f = 0; f < stores[i]->nspools && !stores[i]->err; f++)
            if (stores[i]->spools[f] && fflush(stores[i]->spools[f]) != 0)
                spool_failed(stores[i], errno);
        if (stores[i]->err) {
            errno = stores[i]->err;
            return -1;
        }
    }
    ref_t *refs = xcalloc(total ? total : 1, sizeof *refs);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < stores[i]->n; j++)
            refs[k++] = (ref_t){&stores[i]->rows[j], (uint32_t)i, (uint32_t)stores[i]->rank};
    xqsort(refs, total, sizeof *refs, cmp_ref);
    atomic_file_t af;
    if (atomic_open(&af, path) != 0) {
        free(refs);
        return -1;
    }
    atomic_big_buffer(&af); /* the log goes out in large writes too */
    /* the windows: store i's spool f is first[i] + f */
    size_t *first = xcalloc(n ? n : 1, sizeof *first);
    for (size_t i = 1; i < n; i++)
        first[i] = first[i - 1] + stores[i - 1]->nspools;
    window_t *win = xcalloc(nwin ? nwin : 1, sizeof *win);
    size_t size = nwin ? LOGSTORE_WINDOWS_MAX / nwin : LOGSTORE_WINDOW_MAX;
    size = size > LOGSTORE_WINDOW_MAX ? LOGSTORE_WINDOW_MAX : size < 4096 ? 4096 : size;
    char *one = NULL;
    size_t onecap = 0;
    int rc = 0, e = 0;
    for (size_t i = 0; i < total && rc == 0; i++) {
        const logstore_t *ls = stores[refs[i].store];
        const logstore_row_t *r = refs[i].row;
        const char *line = window_row(&win[first[refs[i].store] + r->spool], size,
                                      fileno(ls->spools[r->spool]), r, &one, &onecap);
        if (!line) {
            e = errno;
            fs_note_failure(ls->dir ? ls->dir : "temporary folder",
                            "read back a temporary log spool in", e);
            rc = -1;
        } else if (fwrite(line, 1, r->len, af.f) != r->len) {
            e = errno;
            fs_note_failure(path, "write", e);
            rc = -1;
        }
    }
    for (size_t w = 0; w < nwin; w++)
        free(win[w].buf);
    free(win), free(first), free(one);
    free(refs);
    if (rc != 0) {
        atomic_abort(&af);
        errno = e;
        return -1;
    }
    return atomic_commit(&af) == 0 ? (long long)total : -1;
}
