/* xlsx.c — CASE/report.xlsx through libxlsxwriter; see report.h.
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
#include <xlsxwriter.h>

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
    lxw_workbook *wb;
    lxw_format *hdr, *dt, *link;
    int tz;
} ctx_t;

/* Excel serial date from epoch seconds (days since 1899-12-30). */
static double excel_date(double epoch, int tz)
{
    return (epoch + tz) / 86400.0 + 25569.0;
}

/* The workbook could not be written (closing it, or renaming it into
 * place): errno still holds the system's reason; recorded as every case
 * file's write failure is (core/fsutil.h). */
static void workbook_failed(const char *final, lxw_error e, char *err, size_t errlen)
{
    int sys = errno;
    if (sys) {
        fs_note_failure(final, "write", sys);
        snprintf(err, errlen, "%s: cannot write: %s", final, strerror(sys));
    } else {
        snprintf(err, errlen, "%s: cannot write: %s", final, lxw_strerror(e));
    }
}

static char *text_of(json_object *v)
{
    if (json_object_is_type(v, json_type_string))
        return xstrdup(json_object_get_string(v));
    if (json_object_is_type(v, json_type_array)) {
        buf_t b = BUF_INIT;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_object *e = json_object_array_get_idx(v, i);
            if (i)
                buf_append_str(&b, ", ");
            buf_append_str(&b, json_object_is_type(e, json_type_string)
                                   ? json_object_get_string(e)
                                   : json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
        }
        return buf_steal(&b);
    }
    return xstrdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* Columns per sheet the cursor keeps widths for. */
#define XLSX_MAX_COLS 64

typedef struct cur {
    lxw_worksheet *ws;
    unsigned long row;
    const log_column_t *col[XLSX_MAX_COLS]; /* the columns shown, in log order */
    int ncols;
    double width[XLSX_MAX_COLS];
    const char *title; /* the sheet's, "TITLE (2)" and on past report_xlsx_max_rows */
    int part;
} cur_t;

/* Does some row of the log f has the member name?  (f is rewound.) */
static bool log_has(FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    rewind(f);
    while (!found && getline(&line, &cap, f) > 0) {
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

static lxw_worksheet *new_sheet(ctx_t *c, const char *title, int part, cur_t *cur)
{
    char name[32];
    cur->title = title, cur->part = part;
    if (part > 1)
        snprintf(name, sizeof name, "%s (%d)", title, part);
    else
        snprintf(name, sizeof name, "%s", title);
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    for (int n = 0; n < cur->ncols; n++) {
        worksheet_write_string(ws, 0, (lxw_col_t)n, cur->col[n]->name, c->hdr);
        cur->width[n] = (double)strlen(cur->col[n]->name) + 2;
    }
    worksheet_freeze_panes(ws, 1, 0);
    cur->ws = ws;
    cur->row = 0;
    return ws;
}

static void finish_sheet(cur_t *cur)
{
    for (int i = 0; i < cur->ncols; i++)
        worksheet_set_column(cur->ws, (lxw_col_t)i, (lxw_col_t)i,
                             cur->width[i] > XLSX_MAX_WIDTH ? XLSX_MAX_WIDTH : cur->width[i], NULL);
    if (cur->row > 0)
        worksheet_autofilter(cur->ws, 0, 0, (lxw_row_t)cur->row, (lxw_col_t)(cur->ncols - 1));
}

static void write_cell(ctx_t *c, cur_t *cur, int col, json_object *v)
{
    lxw_row_t r = (lxw_row_t)cur->row;
    double w = 0;
    if (!v || json_object_is_type(v, json_type_null))
        return;
    if (cur->col[col]->type == LOG_TIME &&
        (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))) {
        worksheet_write_number(cur->ws, r, (lxw_col_t)col,
                               excel_date(json_object_get_double(v), c->tz), c->dt);
        w = 22;
    } else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        worksheet_write_number(cur->ws, r, (lxw_col_t)col, json_object_get_double(v), NULL);
        w = 12;
    } else if (json_object_is_type(v, json_type_boolean)) {
        worksheet_write_boolean(cur->ws, r, (lxw_col_t)col, json_object_get_boolean(v), NULL);
        w = 7;
    } else {
        char *s = text_of(v);
        if (strcmp(cur->col[col]->name, "extracted") == 0 && strncmp(s, "artifacts/", 10) == 0) {
            char *url = xasprintf("external:%s", s);
            worksheet_write_url_opt(cur->ws, r, (lxw_col_t)col, url, c->link, s, NULL);
            free(url);
        } else {
            /* always a string: never a formula, whatever the traffic put first */
            worksheet_write_string(cur->ws, r, (lxw_col_t)col, s, NULL);
        }
        w = (double)strlen(s) + 2;
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
static void write_text_cell(ctx_t *c, cur_t *cur, int col, const char *s, double *w)
{
    lxw_row_t r = (lxw_row_t)cur->row;
    if (strcmp(cur->col[col]->name, "extracted") == 0 && strncmp(s, "artifacts/", 10) == 0) {
        char *url = xasprintf("external:%s", s);
        worksheet_write_url_opt(cur->ws, r, (lxw_col_t)col, url, c->link, s, NULL);
        free(url);
    } else {
        worksheet_write_string(cur->ws, r, (lxw_col_t)col, s, NULL);
    }
    *w = (double)strlen(s) + 2;
}

/* The cell of a scanned value: the same cell write_cell makes of its
 * json-c object (numbers through strtod as json-c reads them, strings and
 * lists of strings decoded here, anything else parsed by json-c). */
static void write_span_cell(ctx_t *c, cur_t *cur, int col, const jspan_t *v, buf_t *text)
{
    lxw_row_t r = (lxw_row_t)cur->row;
    double w = 0;
    buf_clear(text);
    switch (v->kind) {
    case JSPAN_NULL:
        return;
    case JSPAN_NUMBER:
        if (cur->col[col]->type == LOG_TIME) {
            worksheet_write_number(cur->ws, r, (lxw_col_t)col,
                                   excel_date(strtod(v->text, NULL), c->tz), c->dt);
            w = 22;
        } else {
            worksheet_write_number(cur->ws, r, (lxw_col_t)col, strtod(v->text, NULL), NULL);
            w = 12;
        }
        break;
    case JSPAN_TRUE:
    case JSPAN_FALSE:
        worksheet_write_boolean(cur->ws, r, (lxw_col_t)col, v->kind == JSPAN_TRUE, NULL);
        w = 7;
        break;
    case JSPAN_STRING:
    case JSPAN_ARRAY:
        if (v->kind == JSPAN_STRING ? jspan_string(v, text) : jspan_string_list(v, text)) {
            write_text_cell(c, cur, col, buf_cstr(text), &w);
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
        worksheet_write_comment(cur->ws, 0, 0, "This table continues on the next sheet.");
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
    FILE *f = fopen(p, "r");
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
    if (f)
        fclose(f);
    finish_sheet(&cur);
    return rows;
}

/* The Summary sheet ws (added first, filled last) from case.json. */
static void summary(ctx_t *c, lxw_worksheet *ws, json_object *cj)
{
    json_object *v;
    int r = 0;
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 1, 1, 70, NULL);
    worksheet_write_string(ws, (lxw_row_t)r++, 0, "pcapcase case", c->hdr);
    const char *keys[] = {"name", "created", "tz", NULL};
    for (int i = 0; keys[i]; i++)
        if (json_object_object_get_ex(cj, keys[i], &v)) {
            worksheet_write_string(ws, (lxw_row_t)r, 0, keys[i], NULL);
            worksheet_write_string(ws, (lxw_row_t)r++, 1, json_object_get_string(v), NULL);
        }
    r++;
    worksheet_write_string(ws, (lxw_row_t)r++, 0, "Totals", c->hdr);
    json_object *tot, *tab, *ev;
    if (json_object_object_get_ex(cj, "totals", &tot)) {
        json_object_object_foreach(tot, k, val)
        {
            worksheet_write_string(ws, (lxw_row_t)r, 0, k, NULL);
            worksheet_write_number(ws, (lxw_row_t)r++, 1, json_object_get_double(val), NULL);
        }
    }
    if (json_object_object_get_ex(cj, "tables", &tab)) {
        json_object_object_foreach(tab, k, val)
        {
            char *label = xasprintf("rows: %s", k);
            worksheet_write_string(ws, (lxw_row_t)r, 0, label, NULL);
            worksheet_write_number(ws, (lxw_row_t)r++, 1, json_object_get_double(val), NULL);
            free(label);
        }
    }
    r++;
    worksheet_write_string(ws, (lxw_row_t)r++, 0, "Evidence", c->hdr);
    if (json_object_object_get_ex(cj, "evidence", &ev))
        for (size_t i = 0; i < json_object_array_length(ev); i++) {
            json_object *e = json_object_array_get_idx(ev, i), *n, *h;
            if (json_object_object_get_ex(e, "name", &n) &&
                json_object_object_get_ex(e, "sha256", &h)) {
                worksheet_write_string(ws, (lxw_row_t)r, 0, json_object_get_string(n), NULL);
                worksheet_write_string(ws, (lxw_row_t)r++, 1, json_object_get_string(h), NULL);
            }
        }
}

static void charts_sheet(ctx_t *c, const char *dir)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "Charts");
    char *cdir = xasprintf("%s/charts", dir);
    size_t n;
    char **names = chartlist(dir, &n);
    lxw_image_options opt = {.x_scale = 0.6, .y_scale = 0.6};
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", cdir, names[i]);
        worksheet_write_string(ws, (lxw_row_t)(i * 18), 0, names[i], c->hdr);
        worksheet_insert_image_opt(ws, (lxw_row_t)(i * 18 + 1), 0, p, &opt);
        free(p);
        free(names[i]);
    }
    free(names);
    free(cdir);
}

struct report_xlsx {
    ctx_t c;
    char *dir, *final, *tmp;
    lxw_worksheet *summary; /* first in the workbook, filled from case.json at the end */
};

int report_xlsx_begin(const char *dir, int tz_offset_sec, report_xlsx_t **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    report_xlsx_t *x = xcalloc(1, sizeof *x);
    x->dir = xstrdup(dir);
    x->final = xasprintf("%s/report.xlsx", dir), x->tmp = xasprintf("%s/.report.xlsx.tmp", dir);
    x->c.tz = tz_offset_sec;
    /* constant memory: rows go to disk as they are written, so a case of
     * millions of connections does not hold every cell in memory */
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    ctx_t *c = &x->c;
    c->wb = workbook_new_opt(x->tmp, &wo);
    if (!c->wb) {
        snprintf(err, errlen, "%s: cannot create workbook", x->tmp);
        free(x->dir), free(x->final), free(x->tmp), free(x);
        return -1;
    }
    c->hdr = workbook_add_format(c->wb);
    format_set_bold(c->hdr);
    format_set_bg_color(c->hdr, 0xDCE3EF);
    format_set_bottom(c->hdr, LXW_BORDER_THIN);
    c->dt = workbook_add_format(c->wb);
    format_set_num_format(c->dt, "yyyy-mm-dd hh:mm:ss.000");
    c->link = workbook_add_format(c->wb);
    format_set_font_color(c->link, LXW_COLOR_BLUE);
    format_set_underline(c->link, LXW_UNDERLINE_SINGLE);
    x->summary = workbook_add_worksheet(c->wb, "Summary");
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
    workbook_close(x->c.wb);
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
    lxw_doc_properties props = {.title = "pcapcase case", .author = "pcapcase"};
    json_object *v, *ev;
    if (json_object_object_get_ex(cj, "evidence", &ev) && json_object_array_length(ev) &&
        json_object_object_get_ex(json_object_array_get_idx(ev, 0), "first_ts", &v))
        props.created = (time_t)json_object_get_double(v);
    workbook_set_properties(c->wb, &props);
    summary(c, x->summary, cj);
    charts_sheet(c, x->dir);
    json_object_put(cj);
    errno = 0; /* what fails below sets it */
    lxw_error e = workbook_close(c->wb);
    int rc = 0;
    if (e != LXW_NO_ERROR || rename(x->tmp, x->final) != 0) {
        workbook_failed(x->final, e, err, errlen);
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
static void summary_cell(lxw_worksheet *ws, int r, const char *label, json_object *v)
{
    worksheet_write_string(ws, (lxw_row_t)r, 0, label, NULL);
    if (json_object_is_type(v, json_type_string))
        worksheet_write_string(ws, (lxw_row_t)r, 1, json_object_get_string(v), NULL);
    else if (!json_object_is_type(v, json_type_null))
        worksheet_write_number(ws, (lxw_row_t)r, 1, json_object_get_double(v), NULL);
}

static void compare_summary_sheet(ctx_t *c, json_object *cj)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "Summary");
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 2, 20, NULL);
    int r = 0;
    worksheet_write_string(ws, (lxw_row_t)r++, 0, "pcapcase comparison", c->hdr);
    json_object *off, *v;
    if (json_object_object_get_ex(cj, "clock_offset_b_minus_a", &off) &&
        !json_object_is_type(off, json_type_null)) {
        worksheet_write_string(ws, (lxw_row_t)r, 0, "clock offset B-A (s)", NULL);
        if (json_object_object_get_ex(off, "seconds", &v))
            worksheet_write_number(ws, (lxw_row_t)r, 1, json_object_get_double(v), NULL);
        if (json_object_object_get_ex(off, "uncertainty", &v))
            worksheet_write_number(ws, (lxw_row_t)r, 2, json_object_get_double(v), NULL);
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
        worksheet_write_string(ws, (lxw_row_t)r++, 0, dirs[d], c->hdr);
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
            worksheet_write_string(ws, (lxw_row_t)r++, 0, pts[p][1], c->hdr);
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
        worksheet_write_string(ws, (lxw_row_t)r++, 0, "matching", c->hdr);
        json_object_object_foreach(m, k, val)
        {
            summary_cell(ws, r++, k, val);
        }
    }
}

/* The workbook's creation time: A's first packet (the start of the first
 * time slice), so that the same comparison gives the same bytes; 1 (not 0,
 * which libxlsxwriter takes as "now") when no packet was matched. */
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
    c.wb = workbook_new(tmp);
    int rc = 0;
    if (!c.wb) {
        snprintf(err, errlen, "%s: cannot create workbook", tmp);
        rc = -1;
    } else {
        lxw_doc_properties props = {.title = "pcapcase comparison", .author = "pcapcase"};
        props.created = compare_created(cj);
        workbook_set_properties(c.wb, &props);
        c.hdr = workbook_add_format(c.wb);
        format_set_bold(c.hdr);
        format_set_bg_color(c.hdr, 0xDCE3EF);
        c.dt = workbook_add_format(c.wb);
        format_set_num_format(c.dt, "yyyy-mm-dd hh:mm:ss.000000");
        c.link = workbook_add_format(c.wb);
        compare_summary_sheet(&c, cj);
        for (const sheet_def_t *d = compare_sheets; d->log; d++)
            write_log(&c, dir, d);
        charts_sheet(&c, dir);
        errno = 0; /* what fails below sets it */
        lxw_error e = workbook_close(c.wb);
        if (e != LXW_NO_ERROR || rename(tmp, final) != 0) {
            workbook_failed(final, e, err, errlen);
            unlink(tmp);
            rc = -1;
        }
    }
    free(final), free(tmp);
    json_object_put(cj);
    return rc;
}
