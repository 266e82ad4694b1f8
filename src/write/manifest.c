/* manifest.c — CASE/manifest.txt written and checked; see manifest.h. */
#include "write/manifest.h"

#include "core/buf.h"
#include "core/digest.h"
#include "core/fsutil.h"
#include "case/case.h"
#include "core/xalloc.h"
#include "write/written.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Read size for hashing files: large enough that syscalls do not matter. */
#define HASH_CHUNK (1u << 20)
/* The folders of a case whose files are evidence. */
static const char *const evidence_dirs[] = {"artifacts", "certs", NULL};

/* SHA-256 (hex) and size of the file at path.  0, or -1 with errno set. */
static int hash_file(const char *path, char hex[65], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *c = digest_new(EVP_sha256());
    uint8_t *buf = xmalloc(HASH_CHUNK);
    size_t n;
    *size = 0;
    while ((n = fread(buf, 1, HASH_CHUNK, f)) > 0) {
        EVP_DigestUpdate(c, buf, n);
        *size += n;
    }
    int rc = ferror(f) ? -1 : 0;
    int saved = errno;
    fclose(f);
    free(buf);
    digest_final_hex(c, hex);
    EVP_MD_CTX_free(c);
    errno = saved;
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of case_dir/sub (no dot files: temporaries), as
 * "sub/name", sorted.  *n set; caller frees each and the array. */
static char **list_dir(const char *case_dir, const char *sub, size_t *n)
{
    char *dir = xasprintf("%s/%s", case_dir, sub);
    DIR *d = opendir(dir);
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *full = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        bool file = stat(full, &st) == 0 && S_ISREG(st.st_mode);
        free(full);
        if (!file)
            continue;
        if (*n == cap)
            v = xrealloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
        v[(*n)++] = xasprintf("%s/%s", sub, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* A file this run created under its content's name (write/written.h): its
 * SHA-256 is the name's first 64 characters, its size what is on disk now. */
static bool hash_from_name(const char *path, const char *name, char hex[65], uint64_t *size)
{
    if (strspn(name, "0123456789abcdef") < 64 || !written_created(path))
        return false;
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    memcpy(hex, name, 64);
    hex[64] = 0;
    *size = (uint64_t)st.st_size;
    return true;
}

/* One line per file of the case's evidence folders. */
static int case_files(buf_t *out, const char *case_dir, char *err, size_t errlen)
{
    for (int i = 0; evidence_dirs[i]; i++) {
        size_t n;
        char **v = list_dir(case_dir, evidence_dirs[i], &n);
        int rc = 0;
        for (size_t j = 0; j < n; j++) {
            char *path = xasprintf("%s/%s", case_dir, v[j]);
            char hex[65];
            uint64_t size;
            const char *name = strrchr(v[j], '/') + 1; /* v[j] is "sub/name" */
            if (rc == 0 && !hash_from_name(path, name, hex, &size) &&
                hash_file(path, hex, &size) != 0) {
                snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
                rc = -1;
            } else if (rc == 0) {
                buf_printf(out, "%s  %llu  %s\n", hex, (unsigned long long)size, v[j]);
            }
            free(path);
            free(v[j]);
        }
        free(v);
        if (rc)
            return rc;
    }
    return 0;
}

int manifest_write(const case_t *k, char *err, size_t errlen)
{
    const char *case_dir = k->opts->out_dir;
    buf_t out = BUF_INIT;
    buf_append_str(&out, "# pcapcase manifest: SHA-256  size  path (captures by absolute path, "
                         "case files relative to this folder); check with: pcapcase verify "
                         "CASE\n");
    for (size_t i = 0; i < k->n; i++) {
        const capture_result_t *r = k->r[i];
        char abs[PATH_MAX];
        const char *p = realpath(r->path, abs) ? abs : r->path;
        buf_printf(&out, "%s  %llu  %s\n", r->sha256_hex, (unsigned long long)r->size, p);
    }
    int rc = case_files(&out, case_dir, err, errlen);
    if (rc == 0) {
        char *path = xasprintf("%s/%s", case_dir, MANIFEST_NAME);
        if (atomic_write(path, out.data, out.len) != 0) {
            snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
            rc = -1;
        }
        free(path);
    }
    buf_free(&out);
    return rc;
}

/* ---- verify ---- */

/* Parse "HEX  SIZE  PATH"; false for anything else. */
static bool parse_line(char *line, char **hex, unsigned long long *size, char **path)
{
    char *end;
    *hex = line;
    char *sp = strchr(line, ' ');
    if (!sp || sp - line != 64)
        return false;
    *sp = 0;
    errno = 0;
    *size = strtoull(sp + 2, &end, 10);
    if (sp[1] != ' ' || end == sp + 2 || errno || end[0] != ' ' || end[1] != ' ' || !end[2])
        return false;
    *path = end + 2;
    return true;
}

/* Is "sub/name" among the manifest's case files (sorted v)? */
static bool listed(char **v, size_t n, const char *rel)
{
    return n && bsearch(&rel, v, n, sizeof *v, cmp_str) != NULL;
}

/* Check one manifest entry. */
static void check_entry(const char *case_dir, const char *hex, unsigned long long size,
                        const char *path, FILE *out, manifest_check_t *res)
{
    bool capture = path[0] == '/';
    char *full = capture ? xstrdup(path) : xasprintf("%s/%s", case_dir, path);
    char now[65];
    uint64_t now_size;
    if (hash_file(full, now, &now_size) != 0) {
        if (capture && errno == ENOENT) {
            fprintf(out, "NOT CHECKED  %s: capture no longer at its recorded path\n", path);
            res->not_present++;
        } else {
            fprintf(out, "MISSING  %s: %s\n", path, strerror(errno));
            res->missing++;
        }
    } else if (strcmp(now, hex) != 0 || now_size != size) {
        fprintf(out, "CHANGED  %s: SHA-256 %s, %llu bytes (recorded %s, %llu bytes)\n", path, now,
                (unsigned long long)now_size, hex, size);
        res->changed++;
    } else {
        res->checked++;
    }
    free(full);
}

int manifest_verify(const char *case_dir, FILE *out, manifest_check_t *res, char *err,
                    size_t errlen)
{
    memset(res, 0, sizeof *res);
    char *mpath = xasprintf("%s/%s", case_dir, MANIFEST_NAME);
    FILE *f = fopen(mpath, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read: %s", mpath, strerror(errno));
        free(mpath);
        return -1;
    }
    char **seen = NULL;
    size_t nseen = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int rc = 0;
    unsigned lineno = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        if (line[len - 1] == '\n')
            line[--len] = 0;
        if (len == 0 || line[0] == '#')
            continue;
        char *hex, *path;
        unsigned long long size;
        if (!parse_line(line, &hex, &size, &path)) {
            snprintf(err, errlen, "%s:%u: not a manifest line", mpath, lineno);
            rc = -1;
            break;
        }
        check_entry(case_dir, hex, size, path, out, res);
        if (path[0] != '/') {
            if (nseen == cap)
                seen = xrealloc(seen, (cap = cap ? cap * 2 : 64) * sizeof *seen);
            seen[nseen++] = xstrdup(path);
        }
    }
    fclose(f);
    free(line);
    free(mpath);
    if (nseen)
        qsort(seen, nseen, sizeof *seen, cmp_str);
    for (int i = 0; rc == 0 && evidence_dirs[i]; i++) {
        size_t n;
        char **v = list_dir(case_dir, evidence_dirs[i], &n);
        for (size_t j = 0; j < n; j++) {
            if (!listed(seen, nseen, v[j])) {
                fprintf(out, "UNLISTED  %s: not in the manifest\n", v[j]);
                res->unlisted++;
            }
            free(v[j]);
        }
        free(v);
    }
    for (size_t i = 0; i < nseen; i++)
        free(seen[i]);
    free(seen);
    return rc;
}
