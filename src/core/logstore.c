/* logstore.c — see logstore.h. */
#include "logstore.h"

#include "core/xalloc.h"
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
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

int logstore_init(logstore_t *ls, const char *dir)
{
    memset(ls, 0, sizeof *ls);
    ls->dir = dir;
    int fd = dir ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        f = tmpfile();
    }
    ls->spools = xcalloc(1, sizeof *ls->spools);
    ls->nspools = 1;
    ls->spools[0] = f;
    if (!f) {
        spool_failed(ls, errno);
        return -1;
    }
    return 0;
}

static void add_row(logstore_t *ls, ts_ns_t ts, const rec_order_t *ord, const char *json,
                    size_t len)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 256;
        ls->rows = xreallocarray(ls->rows, ls->cap, sizeof *ls->rows);
    }
    logstore_row_t *r = &ls->rows[ls->n++];
    r->ts = ts;
    r->ord = *ord;
    r->off = ls->bytes;
    r->len = (uint32_t)len + 1;
    r->spool = 0;
    if (ls->err)
        return;
    FILE *f = ls->spools[0];
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
    for (size_t i = 0; i < ls->nspools; i++)
        if (ls->spools[i])
            fclose(ls->spools[i]);
    free(ls->spools);
    free(ls->rows);
    memset(ls, 0, sizeof *ls);
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

long long logstore_merge(logstore_t *const *stores, size_t n, const char *path)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += stores[i]->n;
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
    char *line = NULL;
    size_t linecap = 0;
    int rc = 0, e = 0;
    for (size_t i = 0; i < total && rc == 0; i++) {
        const logstore_t *ls = stores[refs[i].store];
        const logstore_row_t *r = refs[i].row;
        if (r->len > linecap) {
            linecap = r->len;
            line = xrealloc(line, linecap);
        }
        if (pread(fileno(ls->spools[r->spool]), line, r->len, (off_t)r->off) != (ssize_t)r->len) {
            e = errno ? errno : EIO;
            fs_note_failure(ls->dir ? ls->dir : "temporary folder",
                            "read back a temporary log spool in", e);
            rc = -1;
        } else if (fwrite(line, 1, r->len, af.f) != r->len) {
            e = errno;
            fs_note_failure(path, "write", e);
            rc = -1;
        }
    }
    free(line);
    free(refs);
    if (rc != 0) {
        atomic_abort(&af);
        errno = e;
        return -1;
    }
    return atomic_commit(&af) == 0 ? (long long)total : -1;
}
