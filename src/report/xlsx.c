/* xlsx.c — CASE/report.xlsx (and a comparison's) through xlsx_book.h; see report.h.
 *
 * One sheet per log, its columns those its writer marks for the workbook
 * (write/log_*.h: the same list the rows are written in), numbers as numbers,
 * times as Excel date-times in the case's time zone, strings always written
 * as strings (a value from the traffic starting with '=' never becomes a
 * formula), artifacts linked from the files sheet, charts on their own sheet.
 * The workbook's creation time is the first packet's, so rebuilding a case
 * gives the same workbook data. */
#include "report.h"

#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "report/chartlist.h"
#include "report/ndjson_scan.h"
#include "report/xlsx_book.h"
#include "write/log_columns.h"
#include "write/log_credentials.h"
#include "write/log_conn.h"
#include "write/log_dns.h"
#include "write/log_files.h"
#include "write/log_findings.h"
#include "write/log_hosts.h"
#include "write/log_http.h"
#include "write/log_ftp.h"
#include "write/log_intel.h"
#include "write/log_smb_files.h"
#include "write/log_smtp.h"
#include "write/log_ssl.h"
#include "write/log_x509.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long report_xlsx_max_rows = 1048575; /* rows after the header */

/* Column width cap in characters: wide enough for a SHA-256, not for a URL
 * that would push everything else off the screen. */
#define XLSX_MAX_WIDTH 66

typedef struct sheet_def {
    const char *log, *title;
    const log_column_t *cols; /* the log writer's columns; LOG_IN_SHEET ones are shown */
    bool if_written;          /* a sheet only when the case has the log (intel: --intel) */
} sheet_def_t;

static const sheet_def_t sheets[] = {{"findings", "Findings", log_findings_columns, false},
                                     {"intel", "Intel", log_intel_columns, true},
                                     {"hosts", "Hosts", log_hosts_columns, false},
                                     {"conn", "Connections", log_conn_columns, false},
                                     {"dns", "DNS", log_dns_columns, false},
                                     {"http", "HTTP", log_http_columns, false},
                                     {"files", "Files", log_files_columns, false},
                                     {"ssl", "TLS", log_ssl_columns, false},
                                     {"x509", "Certificates", log_x509_columns, false},
                                     /* written only when a capture has them */
                                     {"ftp", "FTP", log_ftp_columns, true},
                                     {"smtp", "SMTP", log_smtp_columns, true},
                                     {"smb_files", "SMB files", log_smb_files_columns, true},
                                     {"credentials", "Credentials", log_credentials_columns, true},
                                     {NULL, NULL, NULL, false}};

typedef struct ctx {
    xlsx_book_t *wb;
    int tz;
} ctx_t;

/* Excel serial date from epoch seconds (days since 1899-12-30). */
static double excel_date(double epoch, int tz)
{
    return (epoch + tz) / 86400.0 + 25569.0;
}

/* The workbook could not be written (closing it, or renaming it into
 * place): errno still holds the system's reason (why: what the writer
 * said); recorded as every case file's write failure is (core/fsutil.h). */
static void workbook_failed(const char *final, const char *why, char *err, size_t errlen)
{
    int sys = errno;
    if (sys) {
        fs_note_failure(final, "write", sys);
        snprintf(err, errlen, "%s: cannot write: %s", final, strerror(sys));
    } else {
        snprintf(err, errlen, "%s: cannot write: %s", final, why);
    }
}

/* A value as a person reads it: a string as it is, anything else as JSON,
 * but an object (hosts.ndjson's {"mac":..,"vendor":..}) as its first value
 * with the others in parentheses ("4e:85:8d:47:96:74 (Apple, Inc.)"), its
 * nulls left out; report.js's cell() writes the same. */
static void append_value(buf_t *b, json_object *v)
{
    if (json_object_is_type(v, json_type_string)) {
        buf_append_str(b, json_object_get_string(v));
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        buf_append_str(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return;
    }
    int n = 0;
    json_object_object_foreach(v, key, member)
    {
        (void)key;
        if (!member)
            continue;
        buf_append_str(b, n == 0 ? "" : n == 1 ? " (" : ", ");
        append_value(b, member);
        n++;
    }
    if (n > 1)
        buf_append_str(b, ")");
}

static char *text_of(json_object *v)
{
    buf_t b = BUF_INIT;
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (i)
                buf_append_str(&b, ", ");
            append_value(&b, json_object_array_get_idx(v, i));
        }
    } else
        append_value(&b, v);
    return buf_steal(&b);
}

/* Columns per sheet the cursor keeps widths for. */
#define XLSX_MAX_COLS 64

typedef struct cur {
    xlsx_sheet_t *ws;
    unsigned long row;
    const log_column_t *col[XLSX_MAX_COLS]; /* the columns shown, in log order */
    int ncols;
    double width[XLSX_MAX_COLS];
    const char *title; /* the sheet's, "TITLE (2)" and on past report_xlsx_max_rows */
    int part;
} cur_t;

typedef struct wanted {
    const char *name;
    size_t len;
    bool found;
} wanted_t;

static bool wanted_member(void *ctx, const char *name, size_t nlen, const jspan_t *v)
{
    wanted_t *w = ctx;
    if (nlen == w->len && memcmp(name, w->name, nlen) == 0)
        w->found = true;
    return !w->found; /* found: stop */
}

/* Does some row of the log f have the member name?  Rows scanned
 * (ndjson_scan.h), json-c only for one the scanner does not read; f is
 * rewound. */
static bool log_has(FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool found = false;
    rewind(f);
    while (!found && (n = getline(&line, &cap, f)) > 0) {
        wanted_t w = {name, strlen(name), false};
        if (ndjson_scan_row(line, (size_t)n, wanted_member, &w) || w.found) {
            found = w.found;
            continue;
        }
        json_object *o = json_tokener_parse(line);
        found = o && json_object_object_get_ex(o, name, NULL);
        json_object_put(o);
    }
    free(line);
    rewind(f);
    return found;
}

/* The columns of cols the workbook shows: LOG_IN_SHEET ones, and of those
 * LOG_OPTIONAL only when the log f has them. */
static void shown_columns(cur_t *cur, const log_column_t *cols, FILE *f)
{
    cur->ncols = 0;
    for (const log_column_t *k = cols; k->name && cur->ncols < XLSX_MAX_COLS; k++)
        if ((k->flags & LOG_IN_SHEET) && (!(k->flags & LOG_OPTIONAL) || (f && log_has(f, k->name))))
            cur->col[cur->ncols++] = k;
}

static xlsx_sheet_t *new_sheet(ctx_t *c, const char *title, int part, cur_t *cur)
{
    char name[32];
    cur->title = title, cur->part = part;
    if (part > 1)
        snprintf(name, sizeof name, "%s (%d)", title, part);
    else
        snprintf(name, sizeof name, "%s", title);
    xlsx_sheet_t *ws = xlsx_add_sheet(c->wb, name);
    for (int n = 0; n < cur->ncols; n++) {
        xlsx_string(ws, 0, n, cur->col[n]->name, XLSX_HEADER);
        cur->width[n] = (double)strlen(cur->col[n]->name) + 2;
    }
    xlsx_freeze_top_row(ws);
    cur->ws = ws;
    cur->row = 0;
    return ws;
}

static void finish_sheet(cur_t *cur)
{
    for (int i = 0; i < cur->ncols; i++)
        xlsx_set_width(cur->ws, i, i,
                       cur->width[i] > XLSX_MAX_WIDTH ? XLSX_MAX_WIDTH : cur->width[i]);
    if (cur->row > 0)
        xlsx_autofilter(cur->ws, cur->row, cur->ncols - 1);
}

/* A link to a file of the case: shown and linked with Windows' separator,
 * as libxlsxwriter (the writer before xlsx_book.h) wrote external links. */
static void write_link(cur_t *cur, int col, const char *path)
{
    char *p = xstrdup(path);
    for (char *q = p; *q; q++)
        if (*q == '/')
            *q = '\\';
    xlsx_link(cur->ws, cur->row, col, p, p);
    free(p);
}

static void write_text_cell(cur_t *cur, int col, const char *s, double *w);

static void write_cell(ctx_t *c, cur_t *cur, int col, json_object *v)
{
    unsigned long r = cur->row;
    double w = 0;
    if (!v || json_object_is_type(v, json_type_null))
        return;
    if (cur->col[col]->type == LOG_TIME &&
        (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))) {
        xlsx_number(cur->ws, r, col, excel_date(json_object_get_double(v), c->tz), XLSX_DATE);
        w = 22;
    } else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        xlsx_number(cur->ws, r, col, json_object_get_double(v), XLSX_PLAIN);
        w = 12;
    } else if (json_object_is_type(v, json_type_boolean)) {
        xlsx_bool(cur->ws, r, col, json_object_get_boolean(v));
        w = 7;
    } else {
        char *s = text_of(v);
        write_text_cell(cur, col, s, &w);
        free(s);
    }
    if (w > cur->width[col])
        cur->width[col] = w;
}

/* A column's value: the member of that name (Zeek's names contain dots, as
 * "id.orig_h"), else the path through nested objects ("a_to_b.loss_rate"). */
static json_object *field(json_object *o, const char *col)
{
    json_object *v;
    if (json_object_object_get_ex(o, col, &v))
        return v;
    char part[64];
    const char *p = col;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof part || !json_object_is_type(o, json_type_object))
            return NULL;
        memcpy(part, p, n);
        part[n] = 0;
        if (!json_object_object_get_ex(o, part, &o))
            return NULL;
        p += n + (p[n] == '.');
    }
    return o == NULL || p == col ? NULL : o;
}

/* One row scanned (ndjson_scan.h): each shown column's value, if present. */
typedef struct row {
    const cur_t *cur;
    jspan_t val[XLSX_MAX_COLS];
    bool have[XLSX_MAX_COLS];
    int next; /* the column after the last one found: members come in column order */
} row_t;

static bool row_member(void *ctx, const char *name, size_t nlen, const jspan_t *v)
{
    row_t *r = ctx;
    int n = r->cur->ncols;
    for (int k = 0; k < n; k++) {
        int i = (r->next + k) % n;
        const char *col = r->cur->col[i]->name;
        if (strncmp(col, name, nlen) == 0 && col[nlen] == 0) {
            r->val[i] = *v, r->have[i] = true; /* the last of a repeated name, as json-c */
            r->next = i + 1;
            break;
        }
    }
    return true;
}

/* A value the scanner leaves to json-c: parsed alone, written as before. */
static void write_parsed_cell(ctx_t *c, cur_t *cur, int col, const jspan_t *v)
{
    char *text = xstrndup(v->text, v->len);
    json_object *o = json_tokener_parse(text);
    free(text);
    if (o)
        write_cell(c, cur, col, o);
    json_object_put(o);
}

/* A string cell: artifacts linked, the rest always a string (never a
 * formula, whatever the traffic put first).  Its width in *w. */
static void write_text_cell(cur_t *cur, int col, const char *s, double *w)
{
    if (strcmp(cur->col[col]->name, "extracted") == 0 && strncmp(s, "artifacts/", 10) == 0)
        write_link(cur, col, s);
    else
        xlsx_string(cur->ws, cur->row, col, s, XLSX_PLAIN);
    *w = (double)strlen(s) + 2;
}

/* The cell of a scanned value: the same cell write_cell makes of its
 * json-c object (numbers through strtod as json-c reads them, strings and
 * lists of strings decoded here, anything else parsed by json-c). */
static void write_span_cell(ctx_t *c, cur_t *cur, int col, const jspan_t *v, buf_t *text)
{
    unsigned long r = cur->row;
    double w = 0;
    buf_clear(text);
    switch (v->kind) {
    case JSPAN_NULL:
        return;
    case JSPAN_NUMBER:
        if (cur->col[col]->type == LOG_TIME) {
            xlsx_number(cur->ws, r, col, excel_date(strtod(v->text, NULL), c->tz), XLSX_DATE);
            w = 22;
        } else {
            xlsx_number(cur->ws, r, col, strtod(v->text, NULL), XLSX_PLAIN);
            w = 12;
        }
        break;
    case JSPAN_TRUE:
    case JSPAN_FALSE:
        xlsx_bool(cur->ws, r, col, v->kind == JSPAN_TRUE);
        w = 7;
        break;
    case JSPAN_STRING:
    case JSPAN_ARRAY:
        if (v->kind == JSPAN_STRING ? jspan_string(v, text) : jspan_string_list(v, text)) {
            write_text_cell(cur, col, buf_cstr(text), &w);
            break;
        }
        write_parsed_cell(c, cur, col, v);
        return;
    case JSPAN_OBJECT:
        write_parsed_cell(c, cur, col, v);
        return;
    }
    if (w > cur->width[col])
        cur->width[col] = w;
}

/* One row of a log into the sheet: scanned, else (a row the scanner does
 * not read exactly) parsed by json-c.  false: not a row at all (skipped). */
static bool write_row(ctx_t *c, cur_t *cur, const char *line, size_t len, buf_t *text)
{
    row_t row;
    memset(row.have, 0, sizeof row.have);
    row.cur = cur, row.next = 0;
    bool scanned = ndjson_scan_row(line, len, row_member, &row);
    json_object *o = NULL; /* the whole row, only when it is needed */
    if (!scanned && !(o = json_tokener_parse(line)))
        return false;
    if (cur->row >= report_xlsx_max_rows) {
        finish_sheet(cur);
        xlsx_comment(cur->ws, 0, 0, "This table continues on the next sheet.");
        xlsx_sheet_done(cur->ws);
        new_sheet(c, cur->title, cur->part + 1, cur);
    }
    cur->row++;
    for (int i = 0; i < cur->ncols; i++) {
        if (scanned && row.have[i]) {
            write_span_cell(c, cur, i, &row.val[i], text);
            continue;
        }
        /* a column named by a path through nested objects ("a_to_b.loss_rate") */
        if (scanned && !strchr(cur->col[i]->name, '.'))
            continue;
        if (!o && !(o = json_tokener_parse(line)))
            break;
        json_object *v = field(o, cur->col[i]->name);
        if (v)
            write_cell(c, cur, i, v);
    }
    json_object_put(o);
    return true;
}

static long long write_log(ctx_t *c, const char *dir, const sheet_def_t *d)
{
    char *p = xasprintf("%s/logs/%s.ndjson", dir, d->log);
    char *vb;
    FILE *f = fs_fopen_big(p, "r", &vb);
    free(p);
    if (!f && d->if_written)
        return 0;
    cur_t cur;
    memset(&cur, 0, sizeof cur);
    shown_columns(&cur, d->cols, f);
    new_sheet(c, d->title, 1, &cur);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long long rows = 0;
    buf_t text = BUF_INIT;
    while (f && (n = getline(&line, &cap, f)) > 0)
        rows += write_row(c, &cur, line, (size_t)n, &text);
    buf_free(&text);
    free(line);
    fs_fclose_big(f, vb);
    finish_sheet(&cur);
    xlsx_sheet_done(cur.ws);
    return rows;
}

/* The Summary sheet ws (added first, filled last) from case.json. */
static void summary(ctx_t *c, xlsx_sheet_t *ws, json_object *cj)
{
    json_object *v;
    int r = 0;
    xlsx_set_width(ws, 0, 0, 22);
    xlsx_set_width(ws, 1, 1, 70);
    xlsx_string(ws, r++, 0, "pcapcase case", XLSX_HEADER);
    const char *keys[] = {"name", "created", "tz", NULL};
    for (int i = 0; keys[i]; i++)
        if (json_object_object_get_ex(cj, keys[i], &v)) {
            xlsx_string(ws, r, 0, keys[i], XLSX_PLAIN);
            xlsx_string(ws, r++, 1, json_object_get_string(v), XLSX_PLAIN);
        }
    r++;
    xlsx_string(ws, r++, 0, "Totals", XLSX_HEADER);
    json_object *tot, *tab, *ev;
    if (json_object_object_get_ex(cj, "totals", &tot)) {
        json_object_object_foreach(tot, k, val)
        {
            xlsx_string(ws, r, 0, k, XLSX_PLAIN);
            xlsx_number(ws, r++, 1, json_object_get_double(val), XLSX_PLAIN);
        }
    }
    if (json_object_object_get_ex(cj, "tables", &tab)) {
        json_object_object_foreach(tab, k, val)
        {
            char *label = xasprintf("rows: %s", k);
            xlsx_string(ws, r, 0, label, XLSX_PLAIN);
            xlsx_number(ws, r++, 1, json_object_get_double(val), XLSX_PLAIN);
            free(label);
        }
    }
    r++;
    xlsx_string(ws, r++, 0, "Evidence", XLSX_HEADER);
    if (json_object_object_get_ex(cj, "evidence", &ev))
        for (size_t i = 0; i < json_object_array_length(ev); i++) {
            json_object *e = json_object_array_get_idx(ev, i), *n, *h;
            if (json_object_object_get_ex(e, "name", &n) &&
                json_object_object_get_ex(e, "sha256", &h)) {
                xlsx_string(ws, r, 0, json_object_get_string(n), XLSX_PLAIN);
                xlsx_string(ws, r++, 1, json_object_get_string(h), XLSX_PLAIN);
            }
        }
}

static void charts_sheet(ctx_t *c, const char *dir)
{
    xlsx_sheet_t *ws = xlsx_add_sheet(c->wb, "Charts");
    char *cdir = xasprintf("%s/charts", dir);
    size_t n;
    char **names = chartlist(dir, &n);

    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", cdir, names[i]);
        xlsx_string(ws, (i * 18), 0, names[i], XLSX_HEADER);
        xlsx_image(ws, i * 18 + 1, 0, p, 0.6);
        free(p);
        free(names[i]);
    }
    free(names);
    free(cdir);
}

struct report_xlsx {
    ctx_t c;
    char *dir, *final, *tmp;
    xlsx_sheet_t *summary; /* first in the workbook, filled from case.json at the end */
};

int report_xlsx_begin(const char *dir, int tz_offset_sec, report_xlsx_t **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    report_xlsx_t *x = xcalloc(1, sizeof *x);
    x->dir = xstrdup(dir);
    x->final = xasprintf("%s/report.xlsx", dir), x->tmp = xasprintf("%s/.report.xlsx.tmp", dir);
    x->c.tz = tz_offset_sec;
    /* each sheet is deflated as its rows are written and goes into the
     * archive when complete (xlsx_book.h): memory does not grow with rows */
    static const xlsx_look_t look = {"yyyy-mm-dd hh:mm:ss.000", true, true};
    ctx_t *c = &x->c;
    c->wb = xlsx_book_open(x->tmp, &look, err, errlen);
    if (!c->wb) {
        fs_note_failure(x->final, "write", errno);
        free(x->dir), free(x->final), free(x->tmp), free(x);
        return -1;
    }
    x->summary = xlsx_add_sheet(c->wb, "Summary");
    for (const sheet_def_t *d = sheets; d->log; d++)
        write_log(c, dir, d);
    *out = x;
    return 0;
}

static void xlsx_free(report_xlsx_t *x)
{
    free(x->dir), free(x->final), free(x->tmp), free(x);
}

void report_xlsx_abandon(report_xlsx_t *x)
{
    if (!x)
        return;
    xlsx_book_abandon(x->c.wb);
    unlink(x->tmp);
    xlsx_free(x);
}

int report_xlsx_finish(report_xlsx_t *x, char *err, size_t errlen)
{
    char *cp = xasprintf("%s/case.json", x->dir);
    json_object *cj = json_object_from_file(cp);
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/case.json: cannot read", x->dir);
        report_xlsx_abandon(x);
        return -1;
    }
    ctx_t *c = &x->c;
    xlsx_props_t props = {.title = "pcapcase case", .author = "pcapcase"};
    json_object *v, *ev;
    if (json_object_object_get_ex(cj, "evidence", &ev) && json_object_array_length(ev) &&
        json_object_object_get_ex(json_object_array_get_idx(ev, 0), "first_ts", &v))
        props.created = (time_t)json_object_get_double(v);
    summary(c, x->summary, cj);
    charts_sheet(c, x->dir);
    json_object_put(cj);
    char why[512] = "";
    int rc = 0;
    if (xlsx_book_close(c->wb, &props, why, sizeof why) != 0 ||
        (errno = 0, rename(x->tmp, x->final) != 0)) {
        workbook_failed(x->final, why, err, errlen);
        unlink(x->tmp);
        rc = -1;
    }
    xlsx_free(x);
    return rc;
}

int report_xlsx_write(const char *dir, char *err, size_t errlen)
{
    char *cp = xasprintf("%s/case.json", dir);
    json_object *cj = json_object_from_file(cp), *v;
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/case.json: cannot read", dir);
        return -1;
    }
    int tz = json_object_object_get_ex(cj, "tz_offset_seconds", &v) ? json_object_get_int(v) : 0;
    json_object_put(cj);
    report_xlsx_t *x;
    if (report_xlsx_begin(dir, tz, &x, err, errlen) != 0)
        return -1;
    return report_xlsx_finish(x, err, errlen);
}

/* ---- comparison workbook ---- */

/* compare's logs (flows.ndjson, unmatched.ndjson), every column shown */
static const log_column_t c_flows[] = {
    {"a_host", LOG_ADDR, LOG_IN_SHEET},
    {"a_port", LOG_PORT, LOG_IN_SHEET},
    {"b_host", LOG_ADDR, LOG_IN_SHEET},
    {"b_port", LOG_PORT, LOG_IN_SHEET},
    {"proto", LOG_STRING, LOG_IN_SHEET},
    {"seen_at", LOG_STRING, LOG_IN_SHEET},
    {"first_frame_a", LOG_COUNT, LOG_IN_SHEET},
    {"first_frame_b", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.sent_past_first_point", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.matched", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.matched_by_byte_range", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.lost_between_points", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.loss_rate", LOG_DOUBLE, LOG_IN_SHEET},
    {"a_to_b.only_at_far_point", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.tcp_retransmissions", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.retransmissions_lost_between_points", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.retransmissions_lost_beyond_points", LOG_COUNT, LOG_IN_SHEET},
    {"a_to_b.one_way_delay.min", LOG_DOUBLE, LOG_IN_SHEET},
    {"a_to_b.one_way_delay.median", LOG_DOUBLE, LOG_IN_SHEET},
    {"a_to_b.one_way_delay.p95", LOG_DOUBLE, LOG_IN_SHEET},
    {"a_to_b.one_way_delay.max", LOG_DOUBLE, LOG_IN_SHEET},
    {"b_to_a.sent_past_first_point", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.matched", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.matched_by_byte_range", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.lost_between_points", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.loss_rate", LOG_DOUBLE, LOG_IN_SHEET},
    {"b_to_a.only_at_far_point", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.tcp_retransmissions", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.retransmissions_lost_between_points", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.retransmissions_lost_beyond_points", LOG_COUNT, LOG_IN_SHEET},
    {"b_to_a.one_way_delay.min", LOG_DOUBLE, LOG_IN_SHEET},
    {"b_to_a.one_way_delay.median", LOG_DOUBLE, LOG_IN_SHEET},
    {"b_to_a.one_way_delay.p95", LOG_DOUBLE, LOG_IN_SHEET},
    {"b_to_a.one_way_delay.max", LOG_DOUBLE, LOG_IN_SHEET},
    {"local_to_a", LOG_COUNT, LOG_IN_SHEET},
    {"local_to_b", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};
static const log_column_t c_unmatched[] = {
    {"ts", LOG_TIME, LOG_IN_SHEET},
    {"point", LOG_STRING, LOG_IN_SHEET},
    {"file", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {"kind", LOG_STRING, LOG_IN_SHEET},
    {"local", LOG_STRING, LOG_IN_SHEET},
    {"direction", LOG_STRING, LOG_IN_SHEET},
    {"src", LOG_STRING, LOG_IN_SHEET},
    {"dst", LOG_STRING, LOG_IN_SHEET},
    {"ip_proto", LOG_COUNT, LOG_IN_SHEET},
    {"ip_id", LOG_COUNT, LOG_IN_SHEET},
    {"seq", LOG_COUNT, LOG_IN_SHEET},
    {"tcp_flags", LOG_STRING, LOG_IN_SHEET},
    {"len", LOG_COUNT, LOG_IN_SHEET},
    {NULL, 0, 0},
};
static const sheet_def_t compare_sheets[] = {{"flows", "Flows", c_flows, false},
                                             {"unmatched", "Unmatched packets", c_unmatched, false},
                                             {NULL, NULL, NULL, false}};

/* One labelled figure: a number, or text (e.g. how a quantile was computed);
 * null stays empty. */
static void summary_cell(xlsx_sheet_t *ws, int r, const char *label, json_object *v)
{
    xlsx_string(ws, r, 0, label, XLSX_PLAIN);
    if (json_object_is_type(v, json_type_string))
        xlsx_string(ws, r, 1, json_object_get_string(v), XLSX_PLAIN);
    else if (!json_object_is_type(v, json_type_null))
        xlsx_number(ws, r, 1, json_object_get_double(v), XLSX_PLAIN);
}

static void compare_summary_rows(xlsx_sheet_t *ws, json_object *cj);

static void compare_summary_sheet(ctx_t *c, json_object *cj)
{
    xlsx_sheet_t *ws = xlsx_add_sheet(c->wb, "Summary");
    compare_summary_rows(ws, cj);
    xlsx_sheet_done(ws);
}

static void compare_summary_rows(xlsx_sheet_t *ws, json_object *cj)
{
    xlsx_set_width(ws, 0, 0, 40);
    xlsx_set_width(ws, 1, 2, 20);
    int r = 0;
    xlsx_string(ws, r++, 0, "pcapcase comparison", XLSX_HEADER);
    json_object *off, *v;
    if (json_object_object_get_ex(cj, "clock_offset_b_minus_a", &off) &&
        !json_object_is_type(off, json_type_null)) {
        xlsx_string(ws, r, 0, "clock offset B-A (s)", XLSX_PLAIN);
        if (json_object_object_get_ex(off, "seconds", &v))
            xlsx_number(ws, r, 1, json_object_get_double(v), XLSX_PLAIN);
        if (json_object_object_get_ex(off, "uncertainty", &v))
            xlsx_number(ws, r, 2, json_object_get_double(v), XLSX_PLAIN);
        r++;
        /* the interval every delay allows leads, as in the report */
        static const char *const rows[][2] = {{"lowest", "clock offset B-A at least (s)"},
                                              {"highest", "clock offset B-A at most (s)"},
                                              {"drifting", "clocks drift (no single offset fits)"},
                                              {"drift_ppm", "drift (ppm)"}};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            if (json_object_object_get_ex(off, rows[i][0], &v))
                summary_cell(ws, r++, rows[i][1], v);
    }
    const char *dirs[] = {"a_to_b", "b_to_a"};
    for (int d = 0; d < 2; d++) {
        json_object *o;
        if (!json_object_object_get_ex(cj, dirs[d], &o))
            continue;
        r++;
        xlsx_string(ws, r++, 0, dirs[d], XLSX_HEADER);
        json_object_object_foreach(o, k, val)
        {
            if (json_object_is_type(val, json_type_object)) {
                json_object_object_foreach(val, k2, v2)
                {
                    char *label = xasprintf("%s %s", k, k2);
                    summary_cell(ws, r++, label, v2);
                    free(label);
                }
            } else {
                summary_cell(ws, r++, k, val);
            }
        }
    }
    json_object *loc;
    if (json_object_object_get_ex(cj, "local_to_points", &loc)) {
        static const char *const pts[2][2] = {{"a", "local to A"}, {"b", "local to B"}};
        for (int p = 0; p < 2; p++) {
            json_object *o;
            if (!json_object_object_get_ex(loc, pts[p][0], &o))
                continue;
            r++;
            xlsx_string(ws, r++, 0, pts[p][1], XLSX_HEADER);
            json_object_object_foreach(o, k, val)
            {
                summary_cell(ws, r++, k, val);
            }
        }
        json_object *bc;
        if (json_object_object_get_ex(loc, "subnet_broadcasts", &bc))
            for (size_t i = 0; i < json_object_array_length(bc); i++)
                summary_cell(ws, r++, "subnet broadcast", json_object_array_get_idx(bc, i));
    }
    json_object *m;
    if (json_object_object_get_ex(cj, "matching", &m)) {
        r++;
        xlsx_string(ws, r++, 0, "matching", XLSX_HEADER);
        json_object_object_foreach(m, k, val)
        {
            summary_cell(ws, r++, k, val);
        }
    }
}

/* The workbook's creation time: A's first packet (the start of the first
 * time slice), so that the same comparison gives the same bytes; 1 second
 * past the epoch when no packet was matched (as before: libxlsxwriter took 0
 * as "now"). */
static time_t compare_created(json_object *cj)
{
    json_object *off, *sl, *from;
    if (json_object_object_get_ex(cj, "clock_offset_b_minus_a", &off) &&
        json_object_object_get_ex(off, "slices", &sl) && json_object_array_length(sl) &&
        json_object_object_get_ex(json_object_array_get_idx(sl, 0), "from", &from))
        return (time_t)json_object_get_double(from);
    return 1;
}

int report_compare_xlsx_write(const char *dir, char *err, size_t errlen)
{
    char *cp = xasprintf("%s/compare.json", dir);
    json_object *cj = json_object_from_file(cp);
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/compare.json: cannot read", dir);
        return -1;
    }
    char *final = xasprintf("%s/report.xlsx", dir), *tmp = xasprintf("%s/.report.xlsx.tmp", dir);
    ctx_t c;
    memset(&c, 0, sizeof c);
    static const xlsx_look_t look = {"yyyy-mm-dd hh:mm:ss.000000", false, false};
    c.wb = xlsx_book_open(tmp, &look, err, errlen);
    int rc = 0;
    if (!c.wb) {
        fs_note_failure(final, "write", errno);
        rc = -1;
    } else {
        xlsx_props_t props = {.title = "pcapcase comparison", .author = "pcapcase"};
        props.created = compare_created(cj);
        compare_summary_sheet(&c, cj);
        for (const sheet_def_t *d = compare_sheets; d->log; d++)
            write_log(&c, dir, d);
        charts_sheet(&c, dir);
        char why[512] = "";
        if (xlsx_book_close(c.wb, &props, why, sizeof why) != 0 ||
            (errno = 0, rename(tmp, final) != 0)) {
            workbook_failed(final, why, err, errlen);
            unlink(tmp);
            rc = -1;
        }
    }
    free(final), free(tmp);
    json_object_put(cj);
    return rc;
}
