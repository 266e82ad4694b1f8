/* compare_unmatched.c — DIR/logs/unmatched.ndjson: every packet of a
 * comparison seen at one point only.  Each point's rows are spooled in its
 * own order (with their times) while the engine runs, and merged in time
 * order when committed. */
#include "compare_writers.h"

#include "core/fsutil.h"
#include "core/logfmt.h"
#include "core/xalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

struct compare_unmatched_log {
    const compare_about_t *ab;
    FILE *spool[2]; /* per point: (ts, length, row) records */
    buf_t row;
};

compare_unmatched_log_t *compare_unmatched_open(const compare_about_t *ab)
{
    compare_unmatched_log_t *l = xcalloc(1, sizeof *l);
    l->ab = ab;
    for (int s = 0; s < 2; s++)
        if (!(l->spool[s] = tmpfile())) {
            compare_unmatched_free(l);
            return NULL;
        }
    return l;
}

static const char *const kind_names[] = {
    [COMPARE_LOST] = "lost_between_points",
    [COMPARE_ONLY_FAR] = "only_at_far_point",
    [COMPARE_LOCAL] = "local_to_point",
};

int compare_unmatched_add(compare_unmatched_log_t *l, const compare_result_t *r,
                          const compare_unmatched_t *u)
{
    buf_t *row = &l->row;
    buf_clear(row);
    jsonw_t w;
    jw_init(&w, row, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", u->ts, r->pt[u->side].ts_digits);
    jw_kv_str(&w, "file", r->name[u->side]);
    jw_kv_str(&w, "point", l->ab->label[u->side]);
    jw_kv_uint(&w, "frame", u->frame);
    jw_kv_str(&w, "kind", kind_names[u->kind]);
    if (u->kind == COMPARE_LOCAL) /* it went no way: no direction */
        jw_kv_str(&w, "local", locality_name(u->local));
    else
        jw_kv_str(&w, "direction", u->dir == COMPARE_AB ? "a_to_b" : "b_to_a");
    if (u->src) {
        char ip[IPADDR_STRLEN];
        jw_kv_str(&w, "src", ipaddr_str(u->src, ip));
        jw_kv_str(&w, "dst", ipaddr_str(u->dst, ip));
        jw_kv_uint(&w, "ip_proto", u->proto);
        jw_kv_uint(&w, "ip_id", u->ip_id);
        if (u->proto == IPPROTO_TCP) {
            jw_kv_uint(&w, "seq", u->seq);
            jw_kv_uint(&w, "tcp_flags", u->tcp_flags);
        }
    }
    jw_kv_uint(&w, "len", u->len);
    jw_obj_end(&w);
    buf_append_byte(row, '\n');
    /* spooled with its time for the merge in time order */
    FILE *f = l->spool[u->side];
    int64_t ts = u->ts;
    uint32_t len = (uint32_t)row->len;
    if (fwrite(&ts, sizeof ts, 1, f) != 1 || fwrite(&len, sizeof len, 1, f) != 1 ||
        fwrite(row->data, 1, row->len, f) != row->len)
        return -1;
    return 0;
}

/* One spooled row: its time and text; false at the end. */
static bool spool_next(FILE *f, int64_t *ts, buf_t *row)
{
    uint32_t len;
    if (fread(ts, sizeof *ts, 1, f) != 1 || fread(&len, sizeof len, 1, f) != 1)
        return false;
    buf_clear(row);
    buf_reserve(row, len);
    if (fread(row->data, 1, len, f) != len)
        return false;
    row->len = len;
    return true;
}

/* A temporary spool (tmpfile(), in P_tmpdir) that could not be written is
 * recorded as the run's write failure. */
static bool spool_failed(FILE *f)
{
    if (f && (fflush(f) != 0 || ferror(f))) {
        fs_note_failure(P_tmpdir, "write a temporary file in", errno ? errno : EIO);
        return true;
    }
    return false;
}

bool compare_unmatched_spool_failed(compare_unmatched_log_t *l)
{
    return spool_failed(l->spool[0]) || spool_failed(l->spool[1]);
}

int compare_unmatched_commit(compare_unmatched_log_t *l, const char *dir)
{
    char *p = xasprintf("%s/logs/unmatched.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    buf_t row[2] = {BUF_INIT, BUF_INIT};
    int64_t ts[2];
    bool have[2];
    for (int s = 0; s < 2; s++) {
        rewind(l->spool[s]);
        have[s] = spool_next(l->spool[s], &ts[s], &row[s]);
    }
    while (have[0] || have[1]) {
        int s = !have[1] || (have[0] && ts[0] <= ts[1]) ? 0 : 1;
        fwrite(row[s].data, 1, row[s].len, af.f);
        have[s] = spool_next(l->spool[s], &ts[s], &row[s]);
    }
    buf_free(&row[0]), buf_free(&row[1]);
    return atomic_commit(&af);
}

void compare_unmatched_free(compare_unmatched_log_t *l)
{
    if (!l)
        return;
    for (int s = 0; s < 2; s++)
        if (l->spool[s])
            fclose(l->spool[s]);
    buf_free(&l->row);
    free(l);
}
