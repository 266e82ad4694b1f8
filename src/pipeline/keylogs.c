/* keylogs.c — reading and keeping a case's TLS key logs; see keylogs.h. */
#include "pipeline/keylogs.h"

#include "core/digest.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEYLOGS_DIR "keylogs"

/* One file into k->keys (and into keep, when not NULL); name is what
 * messages call it.  0, or -1 with errno set when it cannot be read. */
static int read_one(case_keylogs_t *k, const char *path, const char *name, atomic_file_t *keep,
                    case_keylog_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    keylog_stats_t before = *keylog_stats(k->keys);
    EVP_MD_CTX *sha = digest_new(EVP_sha256());
    uint8_t *buf = xmalloc(KEYLOGS_CHUNK);
    size_t have = 0;
    uint64_t line = 1;
    int rc = 0;
    for (;;) {
        size_t got = fread(buf + have, 1, KEYLOGS_CHUNK - have, f);
        if (!got && ferror(f)) {
            rc = -1;
            break;
        }
        EVP_DigestUpdate(sha, buf + have, got);
        if (keep && got && fwrite(buf + have, 1, got, keep->f) != got) {
            rc = -1;
            break;
        }
        out->bytes += got;
        have += got;
        /* parse up to the last complete line; at the end, everything */
        size_t upto = have;
        if (got) {
            while (upto && buf[upto - 1] != '\n')
                upto--;
            if (!upto && have < KEYLOGS_CHUNK)
                continue;
            if (!upto) /* a line longer than a chunk: it is a bad line anyway */
                upto = have;
        }
        keylog_add_at(k->keys, name, line, buf, upto);
        for (size_t i = 0; i < upto; i++)
            line += buf[i] == '\n';
        memmove(buf, buf + upto, have - upto);
        have -= upto;
        if (!got)
            break;
    }
    int saved = errno;
    free(buf);
    fclose(f);
    digest_final_hex(sha, out->sha256);
    EVP_MD_CTX_free(sha);
    const keylog_stats_t *after = keylog_stats(k->keys);
    out->lines = after->lines - before.lines;
    out->secrets = after->secrets - before.secrets;
    out->bad = after->bad - before.bad;
    errno = saved;
    return rc;
}

static case_keylog_t *add_file(case_keylogs_t *k, const char *name)
{
    k->files = xreallocarray(k->files, k->n + 1, sizeof *k->files);
    case_keylog_t *f = &k->files[k->n++];
    memset(f, 0, sizeof *f);
    f->name = xstrdup(name);
    return f;
}

static bool already(const case_keylogs_t *k, const char *sha256, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (!strcmp(k->files[i].sha256, sha256))
            return true;
    return false;
}

/* A given file: read it, and keep it as CASE/keylogs/<sha256>.keys. */
static int load_given(case_keylogs_t *k, const char *dir, const char *path, char *err,
                      size_t errlen)
{
    atomic_file_t af = {0};
    char *placeholder = dir ? xasprintf("%s/incoming.keys", dir) : NULL;
    if (placeholder && atomic_open(&af, placeholder) != 0) {
        snprintf(err, errlen, "%s: cannot keep the key log in the case: %s", path, strerror(errno));
        free(placeholder);
        return 3;
    }
    case_keylog_t *f = add_file(k, path);
    int rc = read_one(k, path, path, placeholder ? &af : NULL, f);
    int saved = errno;
    if (rc != 0) {
        if (placeholder)
            atomic_abort(&af);
        snprintf(err, errlen, "%s: cannot read the key log: %s", path, strerror(saved));
        free(placeholder);
        return 3;
    }
    if (placeholder) {
        char *final = xasprintf("%s/%s.keys", dir, f->sha256);
        rc = atomic_commit_once(&af, final, NULL);
        if (rc != 0)
            snprintf(err, errlen, "%s: cannot keep the key log in the case: %s", path,
                     strerror(errno));
        free(final);
    }
    free(placeholder);
    return rc ? 3 : 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key logs kept in dir by earlier runs, by name. */
static void load_kept(case_keylogs_t *k, const char *dir, size_t ngiven)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l == 64 + 5 && !strcmp(e->d_name + 64, ".keys")) {
            names = xreallocarray(names, n + 1, sizeof *names);
            names[n++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t g = 0; g < ngiven && !seen; g++)
            seen = !strncmp(k->files[g].sha256, names[i], 64);
        if (!seen) {
            char *path = xasprintf("%s/%s", dir, names[i]);
            char *name = xasprintf(KEYLOGS_DIR "/%s", names[i]);
            case_keylog_t *f = add_file(k, name);
            if (read_one(k, path, name, NULL, f) != 0)
                f->bad++; /* unreadable now: counted, the run goes on */
            free(path), free(name);
        }
        free(names[i]);
    }
    free(names);
}

static void report(const case_keylogs_t *k, FILE *warn)
{
    if (!warn || !k->keys)
        return;
    size_t shown = keylog_reported(k->keys);
    for (size_t i = 0; i < shown; i++)
        fprintf(warn, "pcapcase: key log %s\n", keylog_report(k->keys, i));
    uint64_t bad = keylog_stats(k->keys)->bad;
    if (bad > shown)
        fprintf(warn, "pcapcase: key logs: %llu more bad lines not shown\n",
                (unsigned long long)(bad - shown));
    uint64_t over = keylog_stats(k->keys)->over_limit;
    if (over)
        fprintf(warn, "pcapcase: key logs: %llu lines past %u sessions ignored\n",
                (unsigned long long)over, KEYLOG_MAX_SESSIONS);
}

int case_keylogs_load(case_keylogs_t *out, const char *case_dir, char *const *paths, size_t npaths,
                      FILE *warn, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *dir = case_dir ? xasprintf("%s/" KEYLOGS_DIR, case_dir) : NULL;
    if (dir && npaths && mkdir_p(dir, 0755) != 0) {
        snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
        free(dir);
        return 3;
    }
    if (npaths || (dir && path_is_dir(dir)))
        out->keys = keylog_new();
    int rc = 0;
    for (size_t i = 0; i < npaths && !rc; i++) {
        rc = load_given(out, dir, paths[i], err, errlen);
        if (!rc && already(out, out->files[out->n - 1].sha256, out->n - 1))
            free(out->files[--out->n].name); /* the same key log twice */
    }
    if (!rc && dir)
        load_kept(out, dir, out->n);
    free(dir);
    if (!rc)
        report(out, warn);
    return rc;
}

void case_keylogs_free(case_keylogs_t *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->files[i].name);
    free(k->files);
    keylog_free(k->keys);
    memset(k, 0, sizeof *k);
}
