/* xlsx.c — CASE/report.xlsx through libxlsxwriter; see report.h.
 *
 * One sheet per log, columns in the SPEC's field order, numbers as numbers,
 * times as Excel date-times in the case's time zone, strings always written
 * as strings (a value from the traffic starting with '=' never becomes a
 * formula), artifacts linked from the files sheet, charts on their own sheet.
 * The workbook's creation time is the first packet's, so rebuilding a case
 * gives the same workbook data. */
#include "report.h"

#include "core/buf.h"
#include "core/xalloc.h"
#include "report/chartlist.h"

#include <dirent.h>
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
    const char *const *cols;
} sheet_def_t;

static const char *const c_findings[] = {"id",      "severity", "score",    "type",
                                         "summary", "why",      "scores",   "hosts",
                                         "ts",      "last_ts",  "evidence", NULL};
static const char *const c_hosts[] = {
    "ip",         "internal",   "names",      "macs",         "first_ts", "last_ts", "bytes_sent",
    "bytes_recv", "conns_orig", "conns_resp", "server_ports", "pcaps",    NULL};
static const char *const c_conn[] = {"ts",          "uid",           "id.orig_h",   "id.orig_p",
                                     "id.resp_h",   "id.resp_p",     "proto",       "service",
                                     "duration",    "orig_bytes",    "resp_bytes",  "conn_state",
                                     "history",     "missed_bytes",  "orig_pkts",   "orig_ip_bytes",
                                     "resp_pkts",   "resp_ip_bytes", "vlan",        "pcap",
                                     "first_frame", "last_frame",    "retransmits", "zero_windows",
                                     "rtt_syn",     "orig_name",     "resp_name",   NULL};
static const char *const c_dns[] = {
    "ts",       "uid",        "id.orig_h", "id.orig_p", "id.resp_h",   "id.resp_p", "proto",
    "trans_id", "rtt",        "query",     "qclass",    "qclass_name", "qtype",     "qtype_name",
    "rcode",    "rcode_name", "AA",        "TC",        "RD",          "RA",        "Z",
    "answers",  "TTLs",       "rejected",  "pcap",      "frame",       NULL};
static const char *const c_http[] = {"ts",
                                     "uid",
                                     "id.orig_h",
                                     "id.orig_p",
                                     "id.resp_h",
                                     "id.resp_p",
                                     "trans_depth",
                                     "method",
                                     "host",
                                     "uri",
                                     "referrer",
                                     "version",
                                     "user_agent",
                                     "request_body_len",
                                     "response_body_len",
                                     "status_code",
                                     "status_msg",
                                     "username",
                                     "orig_fuids",
                                     "resp_fuids",
                                     "resp_mime_types",
                                     "pcap",
                                     "request_frame",
                                     NULL};
static const char *const c_files[] = {"ts",         "fuid",        "uid",
                                      "id.orig_h",  "id.orig_p",   "id.resp_h",
                                      "id.resp_p",  "source",      "mime_type",
                                      "filename",   "duration",    "is_orig",
                                      "seen_bytes", "total_bytes", "missing_bytes",
                                      "md5",        "sha1",        "sha256",
                                      "extracted",  "url",         "content_encoding",
                                      "truncated",  "pcap",        "first_frame",
                                      "last_frame", NULL};
static const char *const c_ssl[] = {
    "ts",      "uid",    "id.orig_h",   "id.orig_p",     "id.resp_h",   "id.resp_p",
    "version", "cipher", "server_name", "next_protocol", "established", "cert_chain_fps",
    "ja3",     "ja3s",   "ja4",         "pcap",          "frame",       NULL};
static const char *const c_x509[] = {"ts",
                                     "fingerprint",
                                     "certificate.version",
                                     "certificate.serial",
                                     "certificate.subject",
                                     "certificate.issuer",
                                     "certificate.not_valid_before",
                                     "certificate.not_valid_after",
                                     "certificate.key_alg",
                                     "certificate.sig_alg",
                                     "certificate.key_type",
                                     "certificate.key_length",
                                     "san.dns",
                                     "san.ip",
                                     "basic_constraints.ca",
                                     "self_signed",
                                     "expired_at_capture",
                                     "seen_in",
                                     "pcap",
                                     NULL};

static const sheet_def_t sheets[] = {{"findings", "Findings", c_findings},
                                     {"hosts", "Hosts", c_hosts},
                                     {"conn", "Connections", c_conn},
                                     {"dns", "DNS", c_dns},
                                     {"http", "HTTP", c_http},
                                     {"files", "Files", c_files},
                                     {"ssl", "TLS", c_ssl},
                                     {"x509", "Certificates", c_x509},
                                     {NULL, NULL, NULL}};

typedef struct ctx {
    lxw_workbook *wb;
    lxw_format *hdr, *dt, *link;
    int tz;
} ctx_t;

static bool is_time(const char *col)
{
    size_t n = strlen(col);
    return strcmp(col, "ts") == 0 || (n > 3 && strcmp(col + n - 3, "_ts") == 0) ||
           strstr(col, "not_valid") != NULL;
}

/* Excel serial date from epoch seconds (days since 1899-12-30). */
static double excel_date(double epoch, int tz)
{
    return (epoch + tz) / 86400.0 + 25569.0;
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

typedef struct cur {
    lxw_worksheet *ws;
    unsigned long row;
    double width[64];
} cur_t;

static lxw_worksheet *new_sheet(ctx_t *c, const char *title, int part, const char *const *cols,
                                cur_t *cur)
{
    char name[32];
    if (part > 1)
        snprintf(name, sizeof name, "%s (%d)", title, part);
    else
        snprintf(name, sizeof name, "%s", title);
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    int n = 0;
    for (; cols[n]; n++) {
        worksheet_write_string(ws, 0, (lxw_col_t)n, cols[n], c->hdr);
        cur->width[n] = (double)strlen(cols[n]) + 2;
    }
    worksheet_freeze_panes(ws, 1, 0);
    cur->ws = ws;
    cur->row = 0;
    return ws;
}

static void finish_sheet(cur_t *cur, int ncols)
{
    for (int i = 0; i < ncols && i < 64; i++)
        worksheet_set_column(cur->ws, (lxw_col_t)i, (lxw_col_t)i,
                             cur->width[i] > XLSX_MAX_WIDTH ? XLSX_MAX_WIDTH : cur->width[i], NULL);
    if (cur->row > 0)
        worksheet_autofilter(cur->ws, 0, 0, (lxw_row_t)cur->row, (lxw_col_t)(ncols - 1));
}

static void write_cell(ctx_t *c, cur_t *cur, int col, const char *name, json_object *v)
{
    lxw_row_t r = (lxw_row_t)cur->row;
    double w = 0;
    if (!v || json_object_is_type(v, json_type_null))
        return;
    if (is_time(name) &&
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
        if (strcmp(name, "extracted") == 0 && strncmp(s, "artifacts/", 10) == 0) {
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
    if (col < 64 && w > cur->width[col])
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

static long long write_log(ctx_t *c, const char *dir, const sheet_def_t *d)
{
    char *p = xasprintf("%s/logs/%s.ndjson", dir, d->log);
    FILE *f = fopen(p, "r");
    free(p);
    int ncols = 0;
    while (d->cols[ncols])
        ncols++;
    cur_t cur;
    memset(&cur, 0, sizeof cur);
    int part = 1;
    new_sheet(c, d->title, part, d->cols, &cur);
    char *line = NULL;
    size_t cap = 0;
    long long rows = 0;
    while (f && getline(&line, &cap, f) > 0) {
        json_object *o = json_tokener_parse(line);
        if (!o)
            continue;
        if (cur.row >= report_xlsx_max_rows) {
            finish_sheet(&cur, ncols);
            worksheet_write_comment(cur.ws, 0, 0, "This table continues on the next sheet.");
            new_sheet(c, d->title, ++part, d->cols, &cur);
        }
        cur.row++;
        for (int i = 0; i < ncols; i++) {
            json_object *v = field(o, d->cols[i]);
            if (v)
                write_cell(c, &cur, i, d->cols[i], v);
        }
        rows++;
        json_object_put(o);
    }
    free(line);
    if (f)
        fclose(f);
    finish_sheet(&cur, ncols);
    return rows;
}

static void summary(ctx_t *c, json_object *cj)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, "Summary");
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

int report_xlsx_write(const char *dir, char *err, size_t errlen)
{
    char *cp = xasprintf("%s/case.json", dir);
    json_object *cj = json_object_from_file(cp);
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/case.json: cannot read", dir);
        return -1;
    }
    char *final = xasprintf("%s/report.xlsx", dir), *tmp = xasprintf("%s/.report.xlsx.tmp", dir);
    ctx_t c;
    memset(&c, 0, sizeof c);
    json_object *v, *ev;
    if (json_object_object_get_ex(cj, "tz_offset_seconds", &v))
        c.tz = json_object_get_int(v);
    /* constant memory: rows go to disk as they are written, so a case of
     * millions of connections does not hold every cell in memory */
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    c.wb = workbook_new_opt(tmp, &wo);
    if (!c.wb) {
        snprintf(err, errlen, "%s: cannot create workbook", tmp);
        free(final), free(tmp);
        json_object_put(cj);
        return -1;
    }
    lxw_doc_properties props = {.title = "pcapcase case", .author = "pcapcase"};
    time_t created = 0;
    if (json_object_object_get_ex(cj, "evidence", &ev) && json_object_array_length(ev) &&
        json_object_object_get_ex(json_object_array_get_idx(ev, 0), "first_ts", &v))
        created = (time_t)json_object_get_double(v);
    props.created = created;
    workbook_set_properties(c.wb, &props);
    c.hdr = workbook_add_format(c.wb);
    format_set_bold(c.hdr);
    format_set_bg_color(c.hdr, 0xDCE3EF);
    format_set_bottom(c.hdr, LXW_BORDER_THIN);
    c.dt = workbook_add_format(c.wb);
    format_set_num_format(c.dt, "yyyy-mm-dd hh:mm:ss.000");
    c.link = workbook_add_format(c.wb);
    format_set_font_color(c.link, LXW_COLOR_BLUE);
    format_set_underline(c.link, LXW_UNDERLINE_SINGLE);
    summary(&c, cj);
    for (const sheet_def_t *d = sheets; d->log; d++)
        write_log(&c, dir, d);
    charts_sheet(&c, dir);
    lxw_error e = workbook_close(c.wb);
    int rc = 0;
    if (e != LXW_NO_ERROR || rename(tmp, final) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", final, lxw_strerror(e));
        unlink(tmp);
        rc = -1;
    }
    free(final), free(tmp);
    json_object_put(cj);
    return rc;
}

/* ---- comparison workbook ---- */

static const char *const c_flows[] = {"a_host",
                                      "a_port",
                                      "b_host",
                                      "b_port",
                                      "proto",
                                      "seen_at",
                                      "first_frame_a",
                                      "first_frame_b",
                                      "a_to_b.sent_past_first_point",
                                      "a_to_b.matched",
                                      "a_to_b.matched_by_byte_range",
                                      "a_to_b.lost_between_points",
                                      "a_to_b.loss_rate",
                                      "a_to_b.only_at_far_point",
                                      "a_to_b.tcp_retransmissions",
                                      "a_to_b.retransmissions_lost_between_points",
                                      "a_to_b.retransmissions_lost_beyond_points",
                                      "a_to_b.one_way_delay.min",
                                      "a_to_b.one_way_delay.median",
                                      "a_to_b.one_way_delay.p95",
                                      "a_to_b.one_way_delay.max",
                                      "b_to_a.sent_past_first_point",
                                      "b_to_a.matched",
                                      "b_to_a.matched_by_byte_range",
                                      "b_to_a.lost_between_points",
                                      "b_to_a.loss_rate",
                                      "b_to_a.only_at_far_point",
                                      "b_to_a.tcp_retransmissions",
                                      "b_to_a.retransmissions_lost_between_points",
                                      "b_to_a.retransmissions_lost_beyond_points",
                                      "b_to_a.one_way_delay.min",
                                      "b_to_a.one_way_delay.median",
                                      "b_to_a.one_way_delay.p95",
                                      "b_to_a.one_way_delay.max",
                                      "local_to_a",
                                      "local_to_b",
                                      NULL};
static const char *const c_unmatched[] = {"ts",    "point",     "file",      "frame", "kind",
                                          "local", "direction", "src",       "dst",   "ip_proto",
                                          "ip_id", "seq",       "tcp_flags", "len",   NULL};
static const sheet_def_t compare_sheets[] = {{"flows", "Flows", c_flows},
                                             {"unmatched", "Unmatched packets", c_unmatched},
                                             {NULL, NULL, NULL}};

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
        lxw_error e = workbook_close(c.wb);
        if (e != LXW_NO_ERROR || rename(tmp, final) != 0) {
            snprintf(err, errlen, "%s: cannot write: %s", final, lxw_strerror(e));
            unlink(tmp);
            rc = -1;
        }
    }
    free(final), free(tmp);
    json_object_put(cj);
    return rc;
}
