/* shard.c — what `analyze --shard K/N` writes, and what a merge checks of
 * it: the partial's head (write/partial.h).
 *
 * The head lists every option that changes what the merged case says, as
 * "name=value" strings: those of the analysis (what a shard found depends
 * on them) and the case-wide ones the merge applies (name, time zone,
 * thresholds, charted uids, --show-secrets), so `pcapcase merge` needs no
 * options of its own and refuses shards that were asked different things.
 * The --intel, --mmdb and key log files are named by their SHA-256: the
 * merge loads the same paths again and checks that they still hold the same
 * bytes. */
#include "pipeline/finish.h"
#include "pipeline/shard.h"

#include "core/fsutil.h"
#include "core/xalloc.h"
#include "write/partial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The enrichment files of o as the head names them ("SHA256 PATH", or
 * "unusable PATH" for one that could not be loaded). */
static void head_enrichment(partial_head_t *h, const case_opts_t *o)
{
    char line[4200];
    for (size_t i = 0; o->intel && i < intel_nfiles(o->intel); i++) {
        const intel_file_info_t *f = intel_file(o->intel, i);
        snprintf(line, sizeof line, "%s %s", f->error ? "unusable" : f->sha256, f->path);
        partial_head_opt(h, "intel", line);
    }
    for (size_t i = 0; o->geoip && i < geoip_count(o->geoip); i++) {
        const geoip_db_t *db = geoip_db(o->geoip, i);
        snprintf(line, sizeof line, "%s %s", db->error ? "unusable" : db->sha256, db->path);
        partial_head_opt(h, "mmdb", line);
    }
    /* by content: a merge reads them back from keylogs/, in another order */
    const char **keys = xcalloc(o->nkeylogs + 1, sizeof *keys);
    for (size_t i = 0; i < o->nkeylogs; i++)
        keys[i] = o->keylogs[i].sha256;
    xqsort(keys, o->nkeylogs, sizeof *keys, cmp_str);
    for (size_t i = 0; i < o->nkeylogs; i++)
        partial_head_opt(h, "keylog", keys[i]);
    free(keys);
}

void shard_head_options(partial_head_t *h, const case_opts_t *o)
{
    char v[64];
    partial_head_opt(h, "version", PCAPCASE_VERSION);
    partial_head_opt(h, "bpf", o->analysis.bpf ? o->analysis.bpf : "");
    partial_head_opt(h, "carve", o->analysis.carve ? "1" : "0");
    partial_head_opt(h, "quick_types", o->analysis.quick_types ? "1" : "0");
    snprintf(v, sizeof v, "%llu", (unsigned long long)o->analysis.max_body);
    partial_head_opt(h, "max_body", v);
    snprintf(v, sizeof v, "%u", o->analysis.hashes);
    partial_head_opt(h, "hashes", v);
    head_enrichment(h, o);
    partial_head_opt(h, "name", o->name ? o->name : "");
    partial_head_opt(h, "tz", o->tz ? o->tz : "UTC");
    snprintf(v, sizeof v, "%d", o->tz_offset_sec);
    partial_head_opt(h, "tz_offset", v);
    for (size_t i = 0; i < findings_nthresholds; i++) {
        char val[40], item[128];
        findings_threshold_str(&o->thresholds, i, val, sizeof val);
        snprintf(item, sizeof item, "%s=%s", findings_threshold_desc[i].name, val);
        partial_head_opt(h, "threshold", item);
    }
    for (size_t i = 0; i < o->n_chart_uids; i++)
        partial_head_opt(h, "uid", o->chart_uids[i]);
    partial_head_opt(h, "show_secrets", o->show_secrets ? "1" : "0");
}

int case_partial_write(const case_inputs_t *in, const case_opts_t *o, capture_result_t *all)
{
    partial_head_t h;
    memset(&h, 0, sizeof h);
    h.shard_k = o->analysis.shard_k, h.shard_n = o->analysis.shard_n;
    shard_head_options(&h, o);
    h.ninputs = in->n;
    h.inputs = xcalloc(in->n ? in->n : 1, sizeof *h.inputs);
    h.input_sha256 = xcalloc(in->n ? in->n : 1, sizeof *h.input_sha256);
    capture_result_t **results = xcalloc(in->n ? in->n : 1, sizeof *results);
    size_t damaged = 0, unusable = 0;
    for (size_t i = 0; i < in->n; i++) {
        h.inputs[i] = xstrdup(in->paths[i]);
        h.input_sha256[i] = xstrdup(all[i].unusable ? "" : all[i].sha256_hex);
        results[i] = &all[i];
        unusable += all[i].unusable;
        damaged += all[i].damaged;
    }
    char *path = xasprintf("%s/%s", o->out_dir, PARTIAL_FILE);
    char err[1024];
    int rc = partial_write(path, &h, results, err, sizeof err);
    int status;
    if (rc != 0) {
        status = case_write_failed(err, "partial not written; marked INCOMPLETE");
    } else {
        fs_mark_complete(o->out_dir);
        for (size_t i = 0; i < in->n; i++)
            if (all[i].unusable)
                fprintf(stderr, "pcapcase: %s: %s\n", all[i].path, all[i].error);
        status = unusable == in->n ? CASE_NO_INPUT : damaged || unusable ? CASE_DAMAGED : CASE_DONE;
    }
    free(path);
    free(results);
    partial_head_free(&h);
    return status;
}
