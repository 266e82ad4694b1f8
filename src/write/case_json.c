/* case_json.c — see case_json.h. */
#include "case_json.h"

#include "capture/capture.h"
#include "case/case.h"
#include "case/findings.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "core/logfmt.h"
#include "write/logs.h"
#include "write/timeline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void case_json_damage(jsonw_t *w, const damage_t *d)
{
    jw_key(w, "damaged");
    jw_obj_begin(w);
    for (size_t i = 0; i < d->n; i++)
        jw_kv_uint(w, d->v[i].reason, d->v[i].count);
    jw_obj_end(w);
    jw_key(w, "damaged_first_frames");
    jw_obj_begin(w);
    for (size_t i = 0; i < d->n; i++) {
        jw_key(w, d->v[i].reason);
        jw_arr_begin(w);
        for (unsigned j = 0; j < d->v[i].nframes; j++)
            jw_uint(w, d->v[i].frames[j]);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static time_t created_time(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == 0 && v >= 0)
            return (time_t)v;
    }
    return time(NULL);
}

static void evidence(jsonw_t *w, const capture_result_t *r)
{
    jw_obj_begin(w);
    char real[PATH_MAX];
    jw_kv_str(w, "path", realpath(r->path, real) ? real : r->path);
    jw_kv_str(w, "name", r->name);
    jw_kv_uint(w, "size", r->size);
    jw_kv_str(w, "sha256", r->sha256_hex);
    jw_kv_str(w, "format", r->format);
    jw_key(w, "link_types");
    jw_arr_begin(w);
    for (size_t i = 0; i < r->nlinktypes; i++)
        jw_str(w, linktype_name(r->linktypes[i]));
    jw_arr_end(w);
    jw_kv_uint(w, "packets", r->packets);
    jw_kv_uint(w, "ip_packets", r->ip_packets);
    jw_kv_uint(w, "non_ip_packets", r->dstats.non_ip);
    jw_kv_uint(w, "bytes_captured", r->bytes_captured);
    jw_kv_uint(w, "bytes_on_wire", r->bytes_wire);
    if (r->packets) {
        lf_time(w, "first_ts", r->first_ts, r->ts_digits);
        lf_time(w, "last_ts", r->last_ts, r->ts_digits);
    }
    jw_kv_int(w, "ts_digits", r->ts_digits);
    jw_kv_uint(w, "connections", r->nconns);
    jw_kv_bool(w, "damaged_input", r->damaged);
    case_json_damage(w, &r->damage);
    jw_obj_end(w);
}

/* "intel": the --intel files (each with its SHA-256, format and line
 * counts, or why it could not be read) and the indicators they gave. */
static void intel_files(jsonw_t *w, const intel_set_t *s)
{
    jw_key(w, "intel");
    jw_obj_begin(w);
    jw_key(w, "files");
    jw_arr_begin(w);
    for (size_t i = 0; i < intel_nfiles(s); i++) {
        const intel_file_info_t *f = intel_file(s, i);
        jw_obj_begin(w);
        jw_kv_str(w, "path", f->path);
        if (f->error)
            jw_kv_str(w, "error", f->error);
        if (f->sha256[0])
            jw_kv_str(w, "sha256", f->sha256);
        jw_kv_str(w, "format", f->format);
        jw_kv_uint(w, "lines", f->lines);
        jw_kv_uint(w, "indicators", f->indicators);
        jw_kv_uint(w, "already_known", f->already_known);
        jw_kv_uint(w, "bad_lines", f->bad_lines);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kv_uint(w, "indicators", intel_count(s));
    jw_obj_end(w);
}

/* "mmdb": the --mmdb files, each with its SHA-256, type and build time, or
 * why it is not used. */
static void mmdb_files(jsonw_t *w, const geoip_t *g)
{
    jw_key(w, "mmdb");
    jw_arr_begin(w);
    for (size_t i = 0; i < geoip_count(g); i++) {
        const geoip_db_t *d = geoip_db(g, i);
        jw_obj_begin(w);
        jw_kv_str(w, "path", d->path);
        if (d->error) {
            jw_kv_str(w, "error", d->error);
        } else {
            jw_kv_str(w, "sha256", d->sha256);
            jw_kv_str(w, "database_type", d->database_type);
            char built[32];
            iso_time((time_t)d->build_epoch, built);
            jw_kv_str(w, "built", built);
            jw_kv_uint(w, "lookup_errors", d->lookup_errors);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* The key logs by SHA-256 and what decrypting with them gave (only when
 * the case has key logs): "no key for N of M sessions". */
static void decryption_json(jsonw_t *w, const case_t *k)
{
    const case_opts_t *o = k->opts;
    if (!o->nkeylogs)
        return;
    jw_key(w, "keylogs");
    jw_arr_begin(w);
    for (size_t i = 0; i < o->nkeylogs; i++) {
        const case_keylog_t *f = &o->keylogs[i];
        jw_obj_begin(w);
        jw_kv_str(w, "name", f->name);
        jw_kv_str(w, "sha256", f->sha256);
        jw_kv_uint(w, "bytes", f->bytes);
        jw_kv_uint(w, "secrets", f->secrets);
        jw_kv_uint(w, "bad_lines", f->bad);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    tls_decrypt_counts_t t = {0};
    for (size_t i = 0; i < k->n; i++) {
        const tls_decrypt_counts_t *d = &k->r[i]->decrypt;
        t.sessions += d->sessions, t.decrypted += d->decrypted, t.no_key += d->no_key;
        t.failed += d->failed, t.unsupported += d->unsupported;
        t.no_server_hello += d->no_server_hello, t.records_rejected += d->records_rejected;
    }
    jw_key(w, "tls_decryption");
    jw_obj_begin(w);
    jw_kv_uint(w, "sessions", t.sessions);
    jw_kv_uint(w, "decrypted", t.decrypted);
    jw_kv_uint(w, "no_key", t.no_key);
    jw_kv_uint(w, "not_authenticated", t.failed);
    jw_kv_uint(w, "unsupported", t.unsupported);
    jw_kv_uint(w, "without_server_hello", t.no_server_hello);
    jw_kv_uint(w, "rejected_records", t.records_rejected);
    jw_obj_end(w);
}

int case_json_write(const case_t *k, char *err, size_t errlen)
{
    const case_opts_t *o = k->opts;
    buf_t out = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &out, true);
    jw_obj_begin(&w);
    lf_tool(&w, o->argc, o->argv);
    char ts[32];
    iso_time(created_time(), ts);
    jw_kv_str(&w, "created", ts);
    jw_kv_str(&w, "name", o->name ? o->name : "");
    jw_kv_str(&w, "tz", o->tz ? o->tz : "UTC");
    jw_kv_int(&w, "tz_offset_seconds", o->tz_offset_sec);
    jw_key(&w, "options");
    jw_obj_begin(&w);
    jw_kv_str(&w, "bpf", o->analysis.bpf);
    jw_kv_bool(&w, "carve", o->analysis.carve);
    jw_kv_uint(&w, "max_body", o->analysis.max_body);
    jw_kv_int(&w, "jobs", o->jobs);
    if (o->show_secrets)
        jw_kv_bool(&w, "show_secrets", true);
    jw_obj_end(&w);
    jw_key(&w, "thresholds");
    findings_thresholds_json(&w, k->findings ? &k->findings->th : &o->thresholds);
    jw_key(&w, "evidence");
    jw_arr_begin(&w);
    uint64_t packets = 0, bytes = 0, ip = 0, conns = 0;
    for (size_t i = 0; i < k->n; i++) {
        evidence(&w, k->r[i]);
        packets += k->r[i]->packets;
        bytes += k->r[i]->bytes_wire;
        ip += k->r[i]->ip_packets;
        conns += k->r[i]->nconns;
    }
    jw_arr_end(&w);
    if (o->intel)
        intel_files(&w, o->intel);
    if (o->geoip)
        mmdb_files(&w, o->geoip);
    decryption_json(&w, k);
    jw_key(&w, "totals");
    jw_obj_begin(&w);
    jw_kv_uint(&w, "captures", k->n);
    jw_kv_uint(&w, "damaged_captures", k->damaged);
    jw_kv_uint(&w, "unusable_inputs", k->unusable);
    jw_kv_uint(&w, "packets", packets);
    jw_kv_uint(&w, "ip_packets", ip);
    jw_kv_uint(&w, "bytes", bytes);
    jw_kv_uint(&w, "connections", conns);
    jw_obj_end(&w);
    /* findings summary: counts per severity and per type (types sorted) */
    jw_key(&w, "findings_summary");
    jw_obj_begin(&w);
    uint64_t sev[4] = {0};
    const findings_t *fs = k->findings;
    for (size_t i = 0; fs && i < fs->n; i++)
        sev[fs->v[i].severity & 3]++;
    for (int i = 3; i >= 0; i--)
        jw_kv_uint(&w, severity_name(i), sev[i]);
    jw_key(&w, "by_type");
    jw_obj_begin(&w);
    const char *done[64];
    size_t nd = 0;
    for (size_t pass = 0; fs && pass < fs->n && nd < 64; pass++) {
        const char *best = NULL; /* next type name in sorted order */
        for (size_t i = 0; i < fs->n; i++) {
            bool seen = false;
            for (size_t d = 0; d < nd && !seen; d++)
                seen = strcmp(done[d], fs->v[i].type) == 0;
            if (!seen && (!best || strcmp(fs->v[i].type, best) < 0))
                best = fs->v[i].type;
        }
        if (!best)
            break;
        uint64_t cnt = 0;
        for (size_t i = 0; i < fs->n; i++)
            cnt += strcmp(fs->v[i].type, best) == 0;
        jw_kv_uint(&w, best, cnt);
        done[nd++] = best;
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    timeline_json(&w, k);
    jw_key(&w, "tables");
    jw_obj_begin(&w);
    for (int t = 0; t < TABLE_COUNT; t++)
        if (k->rows[t] >= 0)
            jw_kv_int(&w, table_names[t], k->rows[t]);
    jw_obj_end(&w);
    jw_obj_end(&w);
    buf_append_byte(&out, '\n');
    char *p = xasprintf("%s/case.json", o->out_dir);
    int rc = atomic_write(p, out.data, out.len);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
    free(p);
    buf_free(&out);
    return rc;
}
