/* compare_flows.c — DIR/logs/flows.ndjson: one row per connection of a
 * comparison, in the order the connections ended, spooled to a temporary
 * file while the engine runs (a connection's figures are freed as soon as
 * its row is written). */
#include "compare_writers.h"

#include "core/fsutil.h"
#include "core/xalloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

struct compare_flows_log {
    FILE *spool;
    buf_t row;
};

compare_flows_log_t *compare_flows_open(void)
{
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    compare_flows_log_t *l = xcalloc(1, sizeof *l);
    l->spool = f;
    return l;
}

static const char *proto_name(uint8_t proto)
{
    return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "other";
}

int compare_flows_add(compare_flows_log_t *l, compare_flow_t *f)
{
    buf_t *row = &l->row;
    buf_clear(row);
    jsonw_t w;
    jw_init(&w, row, false);
    jw_obj_begin(&w);
    char s[IPADDR_STRLEN];
    jw_kv_str(&w, "a_host", ipaddr_str(&f->a_host, s));
    jw_kv_uint(&w, "a_port", f->a_port);
    jw_kv_str(&w, "b_host", ipaddr_str(&f->b_host, s));
    jw_kv_uint(&w, "b_port", f->b_port);
    jw_kv_str(&w, "proto", proto_name(f->proto));
    bool at_a = f->first_frame[0] != 0, at_b = f->first_frame[1] != 0;
    jw_kv_str(&w, "seen_at", at_a && at_b ? "both" : at_a ? "a_only" : "b_only");
    if (at_a)
        jw_kv_uint(&w, "first_frame_a", f->first_frame[0]);
    if (at_b)
        jw_kv_uint(&w, "first_frame_b", f->first_frame[1]);
    compare_dir_json(&w, "a_to_b", &f->dir[COMPARE_AB]);
    compare_dir_json(&w, "b_to_a", &f->dir[COMPARE_BA]);
    if (f->local[0]) /* only where there were any: most connections cross */
        jw_kv_uint(&w, "local_to_a", f->local[0]);
    if (f->local[1])
        jw_kv_uint(&w, "local_to_b", f->local[1]);
    jw_obj_end(&w);
    buf_append_byte(row, '\n');
    return fwrite(row->data, 1, row->len, l->spool) == row->len ? 0 : -1;
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

bool compare_flows_spool_failed(compare_flows_log_t *l)
{
    return spool_failed(l->spool);
}

int compare_flows_commit(compare_flows_log_t *l, const char *dir)
{
    char *p = xasprintf("%s/logs/flows.ndjson", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    free(p);
    if (rc != 0)
        return -1;
    rewind(l->spool);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, l->spool)) > 0)
        fwrite(buf, 1, n, af.f);
    return atomic_commit(&af);
}

void compare_flows_free(compare_flows_log_t *l)
{
    if (!l)
        return;
    fclose(l->spool);
    buf_free(&l->row);
    free(l);
}
