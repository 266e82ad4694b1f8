/* evidence.c — carved bodies and certificates on disk; see evidence.h. */
#include "write/evidence.h"

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "write/artwriter.h"
#include "write/written.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct evidence_file {
    const evidence_dir_t *d;
    buf_t mem;           /* the body while it is small */
    atomic_file_t spill; /* the body once it outgrew mem (spill.f set) */
    bool failed;
};

static evidence_file_t *ev_open(void *ctx)
{
    evidence_file_t *f = xcalloc(1, sizeof *f);
    f->d = ctx;
    return f;
}

/* Move the body so far from memory to a temporary file named when the
 * hash is known. */
static bool spill(evidence_file_t *f)
{
    char *tmp = xasprintf("%s/artifacts/.partial", f->d->case_dir);
    int rc = atomic_open(&f->spill, tmp);
    free(tmp);
    if (rc != 0)
        return false;
    bool ok = !f->mem.len || fwrite(f->mem.data, 1, f->mem.len, f->spill.f) == f->mem.len;
    if (!ok) /* the run ends with it (core/fsutil.h) */
        fs_note_failure(f->spill.path, "write", errno);
    buf_free(&f->mem);
    return ok;
}

static bool ev_write(evidence_file_t *f, const void *p, size_t n)
{
    if (f->failed)
        return false;
    if (!f->spill.f && f->mem.len + n <= EVIDENCE_MEM_MAX) {
        buf_append(&f->mem, p, n);
        return true;
    }
    if (!f->spill.f && !spill(f))
        f->failed = true;
    else if (fwrite(p, 1, n, f->spill.f) != n) {
        f->failed = true;
        fs_note_failure(f->spill.path, "write", errno); /* the run ends with it */
    }
    return !f->failed;
}

static void ev_abort(evidence_file_t *f)
{
    atomic_abort(&f->spill);
    buf_free(&f->mem);
    free(f);
}

/* The artifacts this thread handed to the writer lately.  A body seen again
 * (the same logo or script on every page) is not handed over again: each
 * hand-over cost a wake-up of the writer thread and a stat() of the file
 * (bro.org x 200: 6,000 bodies, 30 files).  Direct-mapped by the SHA-256,
 * with the store's id: a store is one capture's on one worker, so a case
 * folder made again at the same path, by a later store, never finds the
 * earlier one's entries.  A slot taken by another file only means handing
 * over again, and write_once keeps a file that is there.  Per thread: no
 * lock, nothing to free. */
#define EV_RECENT 256

typedef struct recent {
    uint64_t store; /* evidence_dir_t.id; 0: empty */
    char sha256[65];
} recent_t;

static _Thread_local recent_t recent[EV_RECENT];
static _Atomic uint64_t next_store_id = 1;

/* Was sha256 handed over lately by store d?  If not, it is now. */
static bool handed_over(const evidence_dir_t *d, const char *sha256)
{
    if (strlen(sha256) != 64)
        return false;
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = sha256; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    recent_t *r = &recent[h % EV_RECENT];
    if (r->store == d->id && memcmp(r->sha256, sha256, 64) == 0)
        return true;
    r->store = d->id;
    memcpy(r->sha256, sha256, 65);
    return false;
}

static bool ev_commit(evidence_file_t *f, const char *sha256, uint64_t frame)
{
    char *final = xasprintf("%s/artifacts/%s", f->d->case_dir, sha256);
    bool ok = !f->failed;
    if (f->spill.f) {
        bool created = false;
        if (ok)
            ok = atomic_commit_once(&f->spill, final, &created) == 0;
        if (created)
            written_note(final);
    } else if (ok && handed_over(f->d, sha256)) {
        /* already on its way (or there): nothing to write */
    } else if (ok) { /* written (unless already there) on the writer thread */
        size_t len = f->mem.len;
        uint8_t *data = (uint8_t *)buf_steal(&f->mem);
        artwriter_put(final, data ? data : xcalloc(1, 1), len, f->d->damage, frame);
        final = NULL;
    }
    if (!ok)
        damage_note(f->d->damage, "limit.artifact_write_failed", frame);
    free(final);
    ev_abort(f);
    return ok;
}

static void ev_save_certificate(void *ctx, const char *sha256, const uint8_t *der, size_t len,
                                uint64_t frame)
{
    const evidence_dir_t *d = ctx;
    char *path = xasprintf("%s/certs/%s.der", d->case_dir, sha256);
    bool created = false;
    if (write_once(path, der, len, &created) != 0)
        damage_note(d->damage, "limit.cert_write_failed", frame);
    else if (created)
        written_note(path);
    free(path);
}

static int ev_scratch(void *ctx)
{
    const evidence_dir_t *d = ctx;
    char *dir = xasprintf("%s/artifacts", d->case_dir);
    int fd = fs_scratch_fd(dir);
    free(dir);
    return fd;
}

void evidence_store_init(evidence_store_t *store, evidence_dir_t *d, const char *case_dir,
                         damage_t *damage)
{
    d->case_dir = case_dir;
    d->damage = damage;
    d->id = next_store_id++;
    *store = (evidence_store_t){
        d, ev_open, ev_write, ev_commit, ev_abort, ev_save_certificate, ev_scratch};
}
