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
    if (fd >= 0)
        ls->spool = fdopen(fd, "w+");
    if (!ls->spool) {
        if (fd >= 0)
            close(fd);
        ls->spool = tmpfile();
    }
    if (!ls->spool) {
        spool_failed(ls, errno);
        return -1;
    }
    return 0;
}

void logstore_add(logstore_t *ls, ts_ns_t ts, const char *json, size_t len)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 256;
        ls->rows = xreallocarray(ls->rows, ls->cap, sizeof *ls->rows);
    }
    logstore_row_t *r = &ls->rows[ls->n++];
    r->ts = ts;
    r->off = ls->bytes;
    r->len = (uint32_t)len + 1;
    r->seq_hi = 0;
    if (ls->err)
        return;
    if (fwrite(json, 1, len, ls->spool) != len || fputc('\n', ls->spool) == EOF)
        spool_failed(ls, errno);
    ls->bytes += len + 1;
}

void logstore_free(logstore_t *ls)
{
    if (ls->spool)
        fclose(ls->spool);
    free(ls->rows);
    memset(ls, 0, sizeof *ls);
}

typedef struct ref {
    ts_ns_t ts;
    uint32_t store;
    uint32_t rank;
    uint64_t idx;
} ref_t;

static int cmp_ref(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

long long logstore_merge(logstore_t *const *stores, size_t n, const char *path)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += stores[i]->n;
        if (!stores[i]->err && fflush(stores[i]->spool) != 0)
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
            refs[k++] = (ref_t){stores[i]->rows[j].ts, (uint32_t)i, (uint32_t)stores[i]->rank, j};
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
        const logstore_row_t *r = &ls->rows[refs[i].idx];
        if (r->len > linecap) {
            linecap = r->len;
            line = xrealloc(line, linecap);
        }
        if (pread(fileno(ls->spool), line, r->len, (off_t)r->off) != (ssize_t)r->len) {
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
