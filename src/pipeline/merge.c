/* merge.c — `pcapcase merge`: partial cases of shards into one case; see
 * pipeline.h.
 *
 * The partials must be shards 0 .. N-1 of one N, each once, made from the
 * same captures with the same options; anything else is refused with one
 * line naming the partial and what is wrong, before CASE is touched.  Then
 * the shards' evidence (artifacts/, certs/, keylogs/: content-addressed, so
 * a union) goes into CASE, each capture's result is read from every shard
 * (its description from shard 0, checked equal in the others; tallies
 * summed; records appended) and put back in emission order, and the case is
 * finished exactly as `analyze` finishes it (pipeline/finish.h). */
#include "pipeline/finish.h"
#include "pipeline/keylogs.h"
#include "pipeline/shard.h"

#include "core/fsutil.h"
#include "core/xalloc.h"
#include "write/partial.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Say why the partials cannot be merged (one line) and return the status. */
static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int refuse(const char *fmt, ...)
{
    va_list ap;
    fputs("pcapcase: merge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CASE_NO_INPUT;
}

/* The heads of every partial; -1 after saying which one could not be read.
 * A folder still marked INCOMPLETE is refused even when it holds an older
 * partial.bin: its shard was run again and did not finish. */
static int read_heads(char *const *dirs, size_t n, partial_head_t *heads)
{
    for (size_t i = 0; i < n; i++) {
        char *marker = xasprintf("%s/INCOMPLETE", dirs[i]);
        bool unfinished = path_exists(marker);
        free(marker);
        if (unfinished) {
            refuse("%s: the shard did not finish (INCOMPLETE); run it again", dirs[i]);
            return -1;
        }
        char *path = xasprintf("%s/%s", dirs[i], PARTIAL_FILE);
        char err[1024];
        int rc = partial_read(path, &heads[i], NULL, 0, NULL, err, sizeof err);
        free(path);
        if (rc != 0) {
            refuse("%s", err);
            return -1;
        }
    }
    return 0;
}

/* Same inputs as heads[0]?  0, or the refusal's status. */
static int check_inputs(char *const *dirs, const partial_head_t *heads, size_t i)
{
    const partial_head_t *a = &heads[0], *b = &heads[i];
    size_t n = a->ninputs > b->ninputs ? a->ninputs : b->ninputs;
    for (size_t j = 0; j < n; j++) {
        const char *why = NULL, *which = NULL;
        if (j >= a->ninputs)
            why = "only the second has", which = b->inputs[j];
        else if (j >= b->ninputs)
            why = "only the first has", which = a->inputs[j];
        else if (strcmp(a->input_sha256[j], b->input_sha256[j]) != 0)
            why = "their content differs at", which = b->inputs[j];
        if (why)
            return refuse("%s and %s were made from different captures (%s %s)", dirs[0], dirs[i],
                          why, which);
    }
    return 0;
}

/* Same options as heads[0]?  0, or the refusal's status. */
static int check_options(char *const *dirs, const partial_head_t *heads, size_t i)
{
    const partial_head_t *a = &heads[0], *b = &heads[i];
    for (size_t j = 0; j < a->nopts || j < b->nopts; j++) {
        const char *x = j < a->nopts ? a->opts[j] : "(none)";
        const char *y = j < b->nopts ? b->opts[j] : "(none)";
        if (strcmp(x, y) != 0)
            return refuse("%s and %s were made with different options: %s, but %s", dirs[0],
                          dirs[i], x, y);
    }
    return 0;
}

/* Shards 0 .. N-1 of one N, each once, of the same inputs and options? */
static int check_coverage(char *const *dirs, const partial_head_t *heads, size_t n)
{
    unsigned N = heads[0].shard_n;
    if (N == 0)
        return refuse("%s is not the partial of a shard", dirs[0]);
    for (size_t i = 1; i < n; i++)
        if (heads[i].shard_n != N)
            return refuse("%s is shard %u/%u but %s is shard %u/%u: shards of different counts",
                          dirs[0], heads[0].shard_k, N, dirs[i], heads[i].shard_k,
                          heads[i].shard_n);
    for (size_t i = 1; i < n; i++) {
        int rc = check_inputs(dirs, heads, i);
        if (!rc)
            rc = check_options(dirs, heads, i);
        if (rc)
            return rc;
    }
    const char **owner = xcalloc(N, sizeof *owner);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned k = heads[i].shard_k;
        if (k >= N)
            rc = refuse("%s names a shard out of range", dirs[i]);
        else if (owner[k])
            rc = refuse("shard %u/%u given twice: %s and %s", k, N, owner[k], dirs[i]);
        if (!rc)
            owner[k] = dirs[i];
    }
    for (unsigned k = 0; k < N && !rc; k++)
        if (!owner[k])
            rc = refuse("shard %u/%u is missing (run 'pcapcase analyze --shard %u/%u' with the "
                        "same options and captures)",
                        k, N, k, N);
    free(owner);
    return rc;
}

/* The value of "name=value" when opt is that name's, else NULL. */
static const char *opt_value(const char *opt, const char *name)
{
    size_t n = strlen(name);
    return strncmp(opt, name, n) == 0 && opt[n] == '=' ? opt + n + 1 : NULL;
}

/* o and in's --intel/--mmdb lists from the options a shard recorded (the
 * strings stay in h). */
static void options_from_head(const partial_head_t *h, case_opts_t *o, case_inputs_t *in)
{
    for (size_t i = 0; i < h->nopts; i++) {
        const char *s = h->opts[i], *v;
        if ((v = opt_value(s, "bpf")))
            o->analysis.bpf = *v ? v : NULL;
        else if ((v = opt_value(s, "carve")))
            o->analysis.carve = strcmp(v, "1") == 0;
        else if ((v = opt_value(s, "max_body")))
            o->analysis.max_body = strtoull(v, NULL, 10);
        else if ((v = opt_value(s, "hashes")))
            o->analysis.hashes = (unsigned)strtoul(v, NULL, 10);
        else if ((v = opt_value(s, "intel")) || (v = opt_value(s, "mmdb"))) {
            const char *path = strchr(v, ' ');
            if (path)
                path_list_add(s[0] == 'i' ? &in->intel : &in->mmdb, path + 1);
        } else if ((v = opt_value(s, "name")))
            o->name = *v ? v : NULL;
        else if ((v = opt_value(s, "tz")))
            o->tz = v;
        else if ((v = opt_value(s, "tz_offset")))
            o->tz_offset_sec = (int)strtol(v, NULL, 10);
        else if ((v = opt_value(s, "threshold"))) {
            char err[256]; /* written by this version (checked): always valid */
            (void)findings_threshold_set(&o->thresholds, v, err, sizeof err);
        } else if ((v = opt_value(s, "uid"))) {
            o->chart_uids = xrealloc(o->chart_uids, (o->n_chart_uids + 1) * sizeof *o->chart_uids);
            o->chart_uids[o->n_chart_uids++] = v;
        } else if ((v = opt_value(s, "show_secrets")))
            o->show_secrets = strcmp(v, "1") == 0;
    }
}

/* Copy the file from to path to (absent), by way of a temporary file.  0,
 * or -1 with the failure recorded. */
static int copy_once(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in) {
        fs_note_failure(from, "read", errno);
        return -1;
    }
    atomic_file_t af;
    if (atomic_open(&af, to) != 0) {
        fs_note_failure(to, "create", errno);
        fclose(in);
        return -1;
    }
    char buf[1 << 16];
    size_t got;
    bool ok = true;
    while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, got, af.f) == got;
    ok = ok && !ferror(in);
    int saved = errno;
    fclose(in);
    if (!ok) {
        atomic_abort(&af);
        fs_note_failure(to, "write", saved ? saved : EIO);
        return -1;
    }
    if (atomic_commit_once(&af, to, NULL) != 0) {
        fs_note_failure(to, "write", errno);
        return -1;
    }
    return 0;
}

/* Copy (hard-link when it can) every file of src that dst lacks into dst:
 * content-addressed objects, so one already there is the same.  0, or -1
 * with the failure recorded (fs_first_failure). */
static int union_folder(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    if (!d)
        return errno == ENOENT ? 0 : (fs_note_failure(src, "read folder", errno), -1);
    int rc = mkdir_p(dst, 0755) == 0 ? 0 : (fs_note_failure(dst, "create folder", errno), -1);
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.') /* also the temporary files of a writer */
            continue;
        char *from = xasprintf("%s/%s", src, de->d_name);
        char *to = xasprintf("%s/%s", dst, de->d_name);
        struct stat st;
        if (stat(from, &st) == 0 && S_ISREG(st.st_mode) && !path_exists(to) &&
            link(from, to) != 0 && errno != EEXIST)
            rc = copy_once(from, to);
        free(from), free(to);
    }
    closedir(d);
    return rc;
}

/* Each shard's artifacts/, certs/ and keylogs/ into the case. */
static int union_evidence(char *const *dirs, size_t n, const char *out_dir)
{
    static const char *const folders[] = {"artifacts", "certs", "keylogs"};
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < sizeof folders / sizeof *folders; f++) {
            char *src = xasprintf("%s/%s", dirs[i], folders[f]);
            char *dst = xasprintf("%s/%s", out_dir, folders[f]);
            int rc = union_folder(src, dst);
            free(src), free(dst);
            if (rc != 0)
                return -1;
        }
    return 0;
}

/* Every shard's captures, in shard order, appended into all[]. */
static int read_shards(char *const *dirs, const partial_head_t *heads, size_t n,
                       capture_result_t *all, const char *spool_dir)
{
    /* the captures' rows into one file (logstore.h): captures x log kinds
     * spools would be open otherwise */
    logpack_t *pack = heads[0].ninputs > 1 ? logpack_new(spool_dir) : NULL;
    int status = 0;
    for (unsigned k = 0; k < heads[0].shard_n && !status; k++)
        for (size_t i = 0; i < n; i++) {
            if (heads[i].shard_k != k)
                continue;
            partial_head_t h;
            char *path = xasprintf("%s/%s", dirs[i], PARTIAL_FILE);
            char err[1024];
            int rc = partial_read_packed(path, &h, all, heads[0].ninputs, spool_dir, pack, err,
                                         sizeof err);
            partial_head_free(&h);
            free(path);
            if (rc != 0) {
                refuse("%s", err);
                status = -1;
                break;
            }
        }
    logpack_release(pack); /* the packed stores hold it until they are freed */
    return status;
}

/* The key logs a shard kept (every shard keeps the same ones: their
 * SHA-256 are among the options checked) and the --intel and --mmdb files
 * the shards named, loaded into o and checked to be what the shards read,
 * before the case is touched.  0, or the refusal's status; *unusable counts
 * the files that could not be used (as they could not in the shards). */
static int load_enrichment(const char *shard_dir, const partial_head_t *head, case_opts_t *o,
                           case_inputs_t *in, case_keylogs_t *keys, size_t *unusable)
{
    char err[1024] = "";
    if (case_keylogs_load(keys, shard_dir, NULL, 0, NULL, err, sizeof err) != 0)
        return refuse("%s", err);
    o->keylogs = keys->files;
    o->nkeylogs = keys->n;
    *unusable = case_enrich_load(in, o);
    partial_head_t now;
    memset(&now, 0, sizeof now);
    shard_head_options(&now, o);
    int rc = 0;
    for (size_t j = 0; j < head->nopts && !rc; j++) {
        const char *had = head->opts[j], *is = j < now.nopts ? now.opts[j] : "(none)";
        if (strcmp(had, is) == 0)
            continue;
        if (strncmp(had, "version=", 8) == 0)
            rc = refuse("the partials were made by pcapcase %s, this is %s: merge with that "
                        "version",
                        had + 8, PCAPCASE_VERSION);
        else
            rc = refuse("an --intel, --mmdb or key log file is not what the shards read: they "
                        "had %s, here it is %s",
                        had, is);
    }
    partial_head_free(&now);
    return rc;
}

static int merge_checked(char *const *dirs, size_t n, const partial_head_t *heads, case_opts_t *o,
                         case_inputs_t *in)
{
    phases_t ph = {0};
    phase(&ph, NULL);
    case_keylogs_t keys;
    size_t unusable = 0;
    int status = load_enrichment(dirs[0], &heads[0], o, in, &keys, &unusable);
    if (status == 0)
        status = case_prepare_dir(o);
    if (status == 0 && union_evidence(dirs, n, o->out_dir) != 0)
        status = case_write_failed("", "case marked INCOMPLETE");
    size_t ninputs = heads[0].ninputs;
    capture_result_t *all = xcalloc(ninputs ? ninputs : 1, sizeof *all);
    if (status == 0 && read_shards(dirs, heads, n, all, o->out_dir) != 0)
        status = CASE_NO_INPUT;
    phase(&ph, "read");
    if (status == 0) {
        for (size_t i = 0; i < ninputs; i++) {
            damage_sort(&all[i].damage);
            capture_result_order(&all[i]);
        }
        status = case_finish(o, all, ninputs, &ph);
    }
    for (size_t i = 0; i < ninputs; i++)
        capture_result_free(&all[i]);
    free(all);
    case_enrich_free(o);
    case_keylogs_free(&keys);
    /* an --intel or --mmdb file that could not be used is damaged input */
    return status == CASE_DONE && unusable ? CASE_DAMAGED : status;
}

int case_merge(char *const *partials, size_t n, const case_opts_t *given)
{
    partial_head_t *heads = xcalloc(n ? n : 1, sizeof *heads);
    int status = read_heads(partials, n, heads) == 0 ? 0 : CASE_NO_INPUT;
    if (status == 0)
        status = check_coverage(partials, heads, n);
    if (status == 0) {
        case_opts_t o = *given;
        o.analysis.carve = true;
        o.analysis.max_body = DEFAULT_MAX_BODY;
        o.analysis.hashes = HASH_ALL;
        o.tz = "UTC";
        o.thresholds = findings_defaults;
        case_inputs_t in;
        memset(&in, 0, sizeof in);
        options_from_head(&heads[0], &o, &in);
        status = merge_checked(partials, n, heads, &o, &in);
        free(o.chart_uids);
        case_inputs_free(&in);
    }
    for (size_t i = 0; i < n; i++)
        partial_head_free(&heads[i]);
    free(heads);
    return status;
}
