/* log_findings.c — see log_findings.h. */
#include "write/log_findings.h"

#include "case/findings.h"
#include "core/fsutil.h"
#include "core/jsonw.h"
#include "core/logfmt.h"

#include <stdio.h>

const log_column_t log_findings_columns[] = {
    {"id", LOG_STRING, LOG_IN_SHEET},
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"last_ts", LOG_TIME, LOG_IN_SHEET},
    {"type", LOG_STRING, LOG_IN_SHEET},
    {"severity", LOG_STRING, LOG_IN_SHEET},
    {"score", LOG_DOUBLE, LOG_IN_SHEET},
    {"summary", LOG_STRING, LOG_IN_SHEET},
    {"why", LOG_STRING, LOG_IN_SHEET},
    {"scores", LOG_RECORD, LOG_IN_SHEET},
    {"hosts", LOG_LIST, LOG_IN_SHEET},
    {"evidence", LOG_RECORD, LOG_IN_SHEET},
    {"details", LOG_RECORD, 0},
    {NULL, 0, 0},
};

/* Evidence grouped per capture: {"pcap", "frames": [...], "uids": [...],
 * "wireshark_filter"} */
static void evidence_json(jsonw_t *w, const case_t *k, const finding_t *x)
{
    jw_key(w, "evidence");
    jw_arr_begin(w);
    for (size_t c = 0; c < k->n; c++) {
        bool any = false;
        for (unsigned i = 0; i < x->nev && !any; i++)
            any = x->ev[i].capture == c;
        if (!any)
            continue;
        jw_obj_begin(w);
        jw_kv_str(w, "pcap", k->r[c]->name);
        buf_t filt = BUF_INIT;
        buf_append_str(&filt, "frame.number in {");
        jw_key(w, "frames");
        jw_arr_begin(w);
        bool first = true;
        for (unsigned i = 0; i < x->nev; i++)
            if (x->ev[i].capture == c && x->ev[i].frame) {
                jw_uint(w, x->ev[i].frame);
                buf_printf(&filt, "%s%llu", first ? "" : " ", (unsigned long long)x->ev[i].frame);
                first = false;
            }
        jw_arr_end(w);
        buf_append_str(&filt, "}");
        jw_key(w, "uids");
        jw_arr_begin(w);
        for (unsigned i = 0; i < x->nev; i++)
            if (x->ev[i].capture == c && x->ev[i].uid[0])
                jw_str(w, x->ev[i].uid);
        jw_arr_end(w);
        jw_kv_str(w, "wireshark_filter", buf_cstr(&filt));
        buf_free(&filt);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* The row of finding x, the n-th (1-based) in the case's order. */
static void row(buf_t *out, const case_t *k, const finding_t *x, size_t n, int digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    char id[24];
    snprintf(id, sizeof id, "F%04zu", n);
    jw_kv_str(&w, "id", id);
    if (x->first)
        lf_time(&w, "ts", x->first, digits);
    if (x->last)
        lf_time(&w, "last_ts", x->last, digits);
    jw_kv_str(&w, "type", x->type);
    jw_kv_str(&w, "severity", severity_name(x->severity));
    jw_kv_double(&w, "score", x->score, 1);
    jw_kv_str(&w, "summary", x->summary);
    if (x->why)
        jw_kv_str(&w, "why", x->why);
    if (x->nscores) {
        jw_key(&w, "scores");
        jw_obj_begin(&w);
        for (unsigned s = 0; s < x->nscores; s++)
            jw_kv_double(&w, x->scores[s].name, x->scores[s].value, 3);
        jw_obj_end(&w);
    }
    jw_key(&w, "hosts");
    jw_arr_begin(&w);
    for (unsigned h = 0; h < x->nhosts; h++) {
        char s[IPADDR_STRLEN];
        jw_str(&w, ipaddr_str(&x->hosts[h], s));
    }
    jw_arr_end(&w);
    evidence_json(&w, k, x);
    if (x->details) {
        jw_key(&w, "details");
        jw_raw(&w, x->details);
    }
    jw_obj_end(&w);
    buf_append_byte(out, '\n');
}

long long log_findings_write(const case_t *k, const char *path)
{
    atomic_file_t af;
    if (atomic_open(&af, path) != 0)
        return -1;
    buf_t b = BUF_INIT;
    int digits = k->n ? k->r[0]->ts_digits : TS_DIGITS_DEFAULT;
    for (size_t i = 0; i < k->findings->n; i++) {
        buf_clear(&b);
        row(&b, k, &k->findings->v[i], i + 1, digits);
        fwrite(b.data, 1, b.len, af.f);
    }
    buf_free(&b);
    if (atomic_commit(&af) != 0)
        return -1;
    return (long long)k->findings->n;
}
