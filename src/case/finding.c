/* finding.c — one finding as a detector fills it (severity, score, hosts,
 * evidence pointers, why, sub-scores and typed details); see findings.h. */
#include "findings.h"

#include "core/buf.h"
#include "core/jsonw.h"
#include "core/xalloc.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *severity_name(int s)
{
    static const char *const n[] = {"info", "low", "medium", "high"};
    return s >= SEV_INFO && s <= SEV_HIGH ? n[s] : "info";
}

double finding_round(double score)
{
    return floor(score * 10 + 0.5) / 10;
}

finding_t *findings_add(findings_t *f, const char *type, int severity, double score, char *summary)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->v = xreallocarray(f->v, f->cap, sizeof *f->v);
    }
    finding_t *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->severity = severity;
    x->score = score;
    x->summary = summary;
    return x;
}

void finding_host(finding_t *x, const ipaddr_t *ip)
{
    for (unsigned i = 0; i < x->nhosts; i++)
        if (ipaddr_eq(&x->hosts[i], ip))
            return;
    if (x->nhosts < FINDING_MAX_HOSTS)
        x->hosts[x->nhosts++] = *ip;
}

void finding_evidence(finding_t *x, uint32_t capture, uint64_t frame, const char *uid)
{
    if (x->nev >= FINDING_MAX_EVIDENCE)
        return;
    evidence_ptr_t *e = &x->ev[x->nev++];
    e->capture = capture;
    e->frame = frame;
    snprintf(e->uid, sizeof e->uid, "%s", uid ? uid : "");
}

void finding_why(finding_t *x, char *why)
{
    free(x->why);
    x->why = why;
}

void finding_score(finding_t *x, const char *name, double value)
{
    if (x->nscores < FINDING_MAX_SCORES)
        x->scores[x->nscores++] = (finding_score_t){name, value};
}

static finding_attr_t *attr_add(finding_t *x, const char *key, finding_attr_kind_t kind)
{
    if (x->nattrs == x->capattrs) {
        x->capattrs = x->capattrs ? 2 * x->capattrs : 8;
        x->attrs = xreallocarray(x->attrs, x->capattrs, sizeof *x->attrs);
    }
    finding_attr_t *a = &x->attrs[x->nattrs++];
    memset(a, 0, sizeof *a);
    a->key = key;
    a->kind = kind;
    return a;
}

void finding_num(finding_t *x, const char *key, double v, int decimals)
{
    finding_attr_t *a = attr_add(x, key, FA_NUM);
    a->num = v;
    a->decimals = decimals;
}

void finding_uint(finding_t *x, const char *key, uint64_t v)
{
    attr_add(x, key, FA_UINT)->uint = v;
}

void finding_str(finding_t *x, const char *key, const char *s)
{
    attr_add(x, key, FA_STR)->str = xstrdup(s ? s : "");
}

void finding_nums(finding_t *x, const char *key, const double *v, size_t n, int decimals)
{
    finding_attr_t *a = attr_add(x, key, FA_NUMS);
    a->nums = xcalloc(n ? n : 1, sizeof *a->nums);
    if (n)
        memcpy(a->nums, v, n * sizeof *v);
    a->n = n;
    a->decimals = decimals;
}

void finding_strs(finding_t *x, const char *key)
{
    attr_add(x, key, FA_STRS);
}

void finding_strs_add(finding_t *x, const char *s)
{
    finding_attr_t *a = x->nattrs ? &x->attrs[x->nattrs - 1] : NULL;
    if (!a || a->kind != FA_STRS)
        return;
    a->strs = xreallocarray(a->strs, a->n + 1, sizeof *a->strs);
    a->strs[a->n++] = xstrdup(s ? s : "");
}

const finding_attr_t *finding_attr(const finding_t *x, const char *key)
{
    for (size_t i = 0; i < x->nattrs; i++)
        if (strcmp(x->attrs[i].key, key) == 0)
            return &x->attrs[i];
    return NULL;
}

char *finding_details_json(const finding_t *x)
{
    if (!x->nattrs)
        return NULL;
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    for (size_t i = 0; i < x->nattrs; i++) {
        const finding_attr_t *a = &x->attrs[i];
        jw_key(&w, a->key);
        switch (a->kind) {
        case FA_NUM:
            jw_double(&w, a->num, a->decimals);
            break;
        case FA_UINT:
            jw_uint(&w, a->uint);
            break;
        case FA_STR:
            jw_str(&w, a->str);
            break;
        case FA_NUMS:
            jw_arr_begin(&w);
            for (size_t j = 0; j < a->n; j++)
                jw_double(&w, a->nums[j], a->decimals);
            jw_arr_end(&w);
            break;
        case FA_STRS:
            jw_arr_begin(&w);
            for (size_t j = 0; j < a->n; j++)
                jw_str(&w, a->strs[j]);
            jw_arr_end(&w);
            break;
        }
    }
    jw_obj_end(&w);
    return buf_steal(&b);
}
