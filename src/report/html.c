/* html.c — CASE/report.html; see report.h. */
#include "report.h"

#include "core/buf.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "report/chartlist.h"
#include "report/template.h"
#include "write/compare_writers.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Rows embedded per table: beyond this the report says where the rest is
 * (the logs and the workbook have everything); keeps the page responsive. */
#define HTML_MAX_ROWS 200000
/* Largest chart embedded as a data: URI. */
#define HTML_MAX_CHART_BYTES (4u << 20)

static const char *const tables[] = {"hosts", "conn", "dns", "http", "files", "ssl", "x509", NULL};
/* ... and with --intel, its matches (a section only when the case has the log,
 * put first) */
/* Sections of the protocols that carry files beyond HTTP, each only when the
 * case has rows of its log (the workbook has a sheet for each, too). */
static const struct {
    const char *log, *nav, *title, *note;
} more_sections[] = {
    {"smtp", "E-mail", "E-mail (SMTP)",
     "Each message handed to a mail server (logs/smtp.ndjson): envelope and header; the "
     "message (.eml) and its attachments are among the carved files."},
    {"ftp", "FTP", "FTP",
     "Each command and its reply (logs/ftp.ndjson); the logins, with their passwords "
     "hidden unless --show-secrets, are under Findings."},
    {"smb_files", "SMB files", "SMB files",
     "What was done to each file on a share (logs/smb_files.ndjson); the bytes read or "
     "written are among the carved files."},
};
#define MORE_SECTIONS (sizeof more_sections / sizeof more_sections[0])

static const char intel_nav[] = "<a href=\"#intel\">Intel</a>";
static const char intel_section[] =
    "<section id=\"intel\"><h2>Intel matches</h2><p class=\"note\">Values seen in the "
    "traffic that matched the case's --intel indicators (logs/intel.ndjson); each matched "
    "indicator is also a finding above.</p><div class=\"table\" data-table=\"intel\"></div>"
    "</section>";

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static json_object *jget(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void esc(buf_t *b, const char *s)
{
    if (s)
        html_escape(b, s, strlen(s));
}

/* A digest that may break only in its middle (report.css). */
static void esc_digest(buf_t *b, const char *s)
{
    size_t n = s ? strlen(s) : 0, half = (n + 1) / 2;
    if (n <= 8) {
        esc(b, s);
        return;
    }
    html_escape(b, s, half);
    buf_append_str(b, "<wbr>");
    html_escape(b, s + half, n - half);
}

static char *read_file(const char *path, size_t *len, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf_t b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= max)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_steal(&b);
}

static void fmt_time(double t, int tz, char *out, size_t len)
{
    time_t s = (time_t)t + tz;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void card(buf_t *b, const char *label, long long n)
{
    buf_printf(b, "<div class=\"card\"><div class=\"n\">%lld</div><div class=\"l\">", n);
    esc(b, label);
    buf_append_str(b, "</div></div>");
}

static char *headline(json_object *cj, json_object **findings, size_t nf)
{
    buf_t b = BUF_INIT;
    json_object *tot = jget(cj, "totals"), *tab = jget(cj, "tables");
    int sev[4] = {0};
    for (size_t i = 0; i < nf; i++) {
        const char *s = jstr(findings[i], "severity");
        sev[s && !strcmp(s, "high")     ? 3
            : s && !strcmp(s, "medium") ? 2
            : s && !strcmp(s, "low")    ? 1
                                        : 0]++;
    }
    buf_printf(&b, "<p>%zu finding%s: <b>%d high</b>, %d medium, %d low, %d informational.</p>", nf,
               nf == 1 ? "" : "s", sev[3], sev[2], sev[1], sev[0]);
    buf_append_str(&b, "<div class=\"cards\">");
    card(&b, "captures", json_object_get_int64(jget(tot, "captures")));
    card(&b, "packets", json_object_get_int64(jget(tot, "packets")));
    card(&b, "connections", json_object_get_int64(jget(tot, "connections")));
    card(&b, "hosts", json_object_get_int64(jget(tab, "hosts")));
    card(&b, "DNS queries", json_object_get_int64(jget(tab, "dns")));
    card(&b, "HTTP requests", json_object_get_int64(jget(tab, "http")));
    card(&b, "files",
         json_object_get_int64(jget(tab, "files"))); /* carved, and transfers not read */
    card(&b, "TLS sessions", json_object_get_int64(jget(tab, "ssl")));
    card(&b, "certificates", json_object_get_int64(jget(tab, "x509")));
    buf_append_str(&b, "</div>");
    return buf_steal(&b);
}

static char *evidence(json_object *cj, int tz)
{
    buf_t b = BUF_INIT;
    buf_append_str(&b, "<table><thead><tr><th>capture</th><th>SHA-256</th><th>format</th>"
                       "<th>packets</th><th>first packet</th><th>last packet</th>"
                       "<th>could not be decoded</th></tr></thead><tbody>");
    json_object *ev = jget(cj, "evidence");
    for (size_t i = 0; ev && i < json_object_array_length(ev); i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        char t0[32] = "", t1[32] = "";
        if (jget(e, "first_ts"))
            fmt_time(json_object_get_double(jget(e, "first_ts")), tz, t0, sizeof t0);
        if (jget(e, "last_ts"))
            fmt_time(json_object_get_double(jget(e, "last_ts")), tz, t1, sizeof t1);
        buf_append_str(&b, "<tr><td>");
        esc(&b, jstr(e, "name"));
        buf_append_str(&b, "</td><td data-col=\"sha256\">");
        esc_digest(&b, jstr(e, "sha256"));
        buf_append_str(&b, "</td><td>");
        esc(&b, jstr(e, "format"));
        buf_printf(&b, "</td><td class=\"num\">%lld</td><td>%s</td><td>%s</td><td>",
                   (long long)json_object_get_int64(jget(e, "packets")), t0, t1);
        json_object *d = jget(e, "damaged");
        bool any = false;
        json_object_object_foreach(d, k, v)
        {
            buf_printf(&b, "%s", any ? ", " : "");
            esc(&b, k);
            buf_printf(&b, " ×%lld", (long long)json_object_get_int64(v));
            any = true;
        }
        if (!any)
            buf_append_str(&b, "nothing");
        buf_append_str(&b, "</td></tr>");
    }
    buf_append_str(&b, "</tbody></table>");
    return buf_steal(&b);
}

/* The sentence saying why a finding fired and its sub-scores (0..1). */
static void finding_why_html(buf_t *b, json_object *f)
{
    const char *why = jstr(f, "why");
    if (why) {
        buf_append_str(b, "<div class=\"why\">Why: ");
        esc(b, why);
        buf_append_str(b, "</div>");
    }
    json_object *sc = jget(f, "scores");
    if (!sc || !json_object_is_type(sc, json_type_object))
        return;
    buf_append_str(b, "<div class=\"ev\">Sub-scores (0–1): ");
    bool first = true;
    json_object_object_foreach(sc, k, v)
    {
        buf_append_str(b, first ? "" : " · ");
        esc(b, k);
        buf_printf(b, " %.2f", json_object_get_double(v));
        first = false;
    }
    buf_append_str(b, "</div>");
}

static char *findings_html(json_object **f, size_t n, int tz)
{
    buf_t b = BUF_INIT;
    if (!n)
        buf_append_str(&b, "<p class=\"empty\">No findings: none of the detectors fired "
                           "(thresholds in the Method section).</p>");
    for (size_t i = 0; i < n; i++) {
        const char *sev = jstr(f[i], "severity");
        buf_append_str(&b, "<div class=\"finding ");
        esc(&b, sev);
        buf_append_str(&b, "\"><span class=\"sev ");
        esc(&b, sev);
        buf_append_str(&b, "\">");
        esc(&b, sev);
        buf_append_str(&b, "</span><span class=\"sum\">");
        esc(&b, jstr(f[i], "summary"));
        buf_append_str(&b, "</span>");
        finding_why_html(&b, f[i]);
        buf_append_str(&b, "<div class=\"ev\">");
        esc(&b, jstr(f[i], "id"));
        buf_append_str(&b, " · ");
        esc(&b, jstr(f[i], "type"));
        buf_printf(&b, " · score %.1f", json_object_get_double(jget(f[i], "score")));
        if (jget(f[i], "ts")) {
            char t[32];
            fmt_time(json_object_get_double(jget(f[i], "ts")), tz, t, sizeof t);
            buf_printf(&b, " · from %s", t);
        }
        buf_append_str(&b, "</div>");
        json_object *ev = jget(f[i], "evidence");
        for (size_t j = 0; ev && j < json_object_array_length(ev); j++) {
            json_object *e = json_object_array_get_idx(ev, j), *fr = jget(e, "frames");
            buf_append_str(&b, "<div class=\"ev\">Evidence: ");
            esc(&b, jstr(e, "pcap"));
            buf_append_str(&b, " frames ");
            for (size_t m = 0; fr && m < json_object_array_length(fr); m++)
                buf_printf(&b, "%s%lld", m ? ", " : "",
                           (long long)json_object_get_int64(json_object_array_get_idx(fr, m)));
            buf_append_str(&b, " — Wireshark filter <code>");
            esc(&b, jstr(e, "wireshark_filter"));
            buf_append_str(&b, "</code></div>");
        }
        buf_append_str(&b, "</div>");
    }
    return buf_steal(&b);
}

/* case.json "timeline", already sorted, as a table. */
/* One login of credentials.ndjson as a table row; the secret only when the
 * case was made with --show-secrets (case.json options.show_secrets). */
static void credential_row(buf_t *b, json_object *r, bool show, int tz)
{
    char t[64];
    fmt_time(json_object_get_double(jget(r, "ts")), tz, t, sizeof t);
    const char *proto = jstr(r, "proto");
    char *shown = json_object_get_boolean(jget(r, "decrypted"))
                      ? xasprintf("%s (inside TLS, decrypted)", proto ? proto : "")
                      : NULL;
    const char *cells[] = {t,
                           shown ? shown : proto,
                           jstr(r, "mechanism"),
                           jstr(r, "id.orig_h"),
                           jstr(r, "id.resp_h"),
                           jstr(r, "username"),
                           jstr(r, "domain"),
                           jstr(r, "outcome")};
    buf_append_str(b, "<tr>");
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        buf_append_str(b, "<td>");
        esc(b, cells[i] ? cells[i] : "");
        buf_append_str(b, "</td>");
    }
    const char *secret = jstr(r, "secret");
    buf_append_str(b, "<td>");
    if (secret && show)
        esc(b, secret);
    else if (secret)
        buf_append_str(b, "<em>hidden (--show-secrets)</em>");
    buf_append_str(b, "</td></tr>");
    free(shown);
}

/* The logins seen (credentials.ndjson), when there were any. */
static char *credentials_html(const char *dir, json_object *cj, int tz)
{
    char *p = xasprintf("%s/logs/credentials.ndjson", dir);
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return xstrdup("");
    bool show = json_object_get_boolean(jget(jget(cj, "options"), "show_secrets"));
    buf_t b = BUF_INIT;
    buf_append_str(&b, "<h3>Logins seen</h3><p class=\"note\">From credentials.ndjson, which "
                       "holds the passwords and challenge/response hashes (hashcat format); "
                       "this report shows them only when the case was made with "
                       "--show-secrets.</p><table><tr><th>time</th><th>protocol</th>"
                       "<th>mechanism</th><th>client</th><th>server</th><th>user</th>"
                       "<th>domain</th><th>outcome</th><th>secret</th></tr>");
    char *line = NULL;
    size_t cap = 0, rows = 0;
    while (getline(&line, &cap, f) > 0 && rows++ < HTML_MAX_ROWS) {
        json_object *r = json_tokener_parse(line);
        if (r)
            credential_row(&b, r, show, tz);
        json_object_put(r);
    }
    free(line);
    fclose(f);
    buf_append_str(&b, "</table>");
    return buf_steal(&b);
}

static char *timeline(json_object *cj, int tz)
{
    json_object *ev = jget(cj, "timeline");
    size_t n = ev ? json_object_array_length(ev) : 0;
    buf_t b = BUF_INIT;
    if (!n) {
        buf_append_str(&b, "<p class=\"empty\">No events.</p>");
        return buf_steal(&b);
    }
    buf_append_str(&b, "<table><thead><tr><th>time</th><th>what</th><th>event</th></tr></thead>"
                       "<tbody>");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        char t[32];
        fmt_time(json_object_get_double(jget(e, "ts")), tz, t, sizeof t);
        const char *kind = jstr(e, "kind");
        buf_printf(&b, "<tr class=\"tl-%s\"><td>%s</td><td>", kind ? kind : "", t);
        esc(&b, jstr(e, "kind"));
        buf_append_str(&b, "</td><td>");
        esc(&b, jstr(e, "event"));
        buf_append_str(&b, "</td></tr>");
    }
    buf_append_str(&b, "</tbody></table>");
    json_object *om = jget(cj, "timeline_omitted");
    if (om && json_object_get_int64(om) > 0)
        buf_printf(&b,
                   "<p class=\"note\">%lld later events are not listed (the timeline keeps the "
                   "earliest); findings.ndjson and hosts.ndjson hold them all.</p>",
                   (long long)json_object_get_int64(om));
    return buf_steal(&b);
}

static char *charts_html(const char *dir)
{
    char *cdir = xasprintf("%s/charts", dir);
    size_t n;
    char **names = chartlist(dir, &n);
    buf_t b = BUF_INIT;
    buf_append_str(&b, "<div class=\"charts\">");
    if (!n)
        buf_append_str(&b, "<p class=\"empty\">No charts were made.</p>");
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", cdir, names[i]);
        size_t len;
        char *png = read_file(p, &len, HTML_MAX_CHART_BYTES);
        free(p);
        if (png && len <= HTML_MAX_CHART_BYTES) {
            char *b64 = xmalloc(4 * (len / 3 + 1) + 1);
            EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)png, (int)len);
            buf_append_str(&b, "<figure><img alt=\"");
            esc(&b, names[i]);
            buf_append_str(&b, "\" src=\"data:image/png;base64,");
            buf_append_str(&b, b64);
            buf_append_str(&b, "\"><figcaption>charts/");
            esc(&b, names[i]);
            buf_append_str(&b, " (PDF beside it for print)</figcaption></figure>");
            free(b64);
        }
        free(png);
        free(names[i]);
    }
    free(names);
    free(cdir);
    buf_append_str(&b, "</div>");
    return buf_steal(&b);
}

static void kv_row(buf_t *b, const char *k, const char *v)
{
    buf_append_str(b, "<tr><th>");
    esc(b, k);
    buf_append_str(b, "</th><td>");
    esc(b, v);
    buf_append_str(b, "</td></tr>");
}

/* One row listing files of case.json (intel files, MMDB files): path,
 * SHA-256, or why the file was not used.  Nothing without any. */
static void method_files(buf_t *b, const char *label, json_object *files)
{
    if (!files || !json_object_is_type(files, json_type_array) || !json_object_array_length(files))
        return;
    buf_t t = BUF_INIT;
    for (size_t i = 0; i < json_object_array_length(files); i++) {
        json_object *f = json_object_array_get_idx(files, i);
        const char *path = jstr(f, "path"), *err = jstr(f, "error"), *sha = jstr(f, "sha256");
        buf_printf(&t, "%s%s (%s%s)", i ? "; " : "", path ? path : "?",
                   err ? "not used: " : "SHA-256 ",
                   err   ? err
                   : sha ? sha
                         : "?");
    }
    kv_row(b, label, buf_cstr(&t));
    buf_free(&t);
}

/* The key logs by SHA-256, and what decrypting with them gave:
 * "decrypted D of M TLS sessions; no key for N of M; ...". */
static void decryption_rows(buf_t *b, json_object *cj)
{
    json_object *logs = jget(cj, "keylogs"), *t = jget(cj, "tls_decryption");
    if (!logs || !t)
        return;
    buf_t kl = BUF_INIT;
    for (size_t i = 0; i < json_object_array_length(logs); i++) {
        json_object *f = json_object_array_get_idx(logs, i);
        buf_printf(&kl, "%sSHA-256 %s (%s)", i ? "; " : "", jstr(f, "sha256"), jstr(f, "name"));
    }
    kv_row(b, "TLS key logs", buf_cstr(&kl));
    buf_free(&kl);
    int64_t m = json_object_get_int64(jget(t, "sessions"));
    char *d = xasprintf("decrypted %" PRId64 " of %" PRId64 " TLS sessions; no key for %" PRId64
                        " of %" PRId64 " sessions; keys that opened no record: %" PRId64
                        "; version or cipher not supported: %" PRId64
                        "; records that did not authenticate (dropped): %" PRId64,
                        json_object_get_int64(jget(t, "decrypted")), m,
                        json_object_get_int64(jget(t, "no_key")), m,
                        json_object_get_int64(jget(t, "not_authenticated")),
                        json_object_get_int64(jget(t, "unsupported")),
                        json_object_get_int64(jget(t, "rejected_records")));
    kv_row(b, "TLS decryption", d);
    free(d);
}

static char *method(json_object *cj)
{
    buf_t b = BUF_INIT;
    buf_append_str(&b, "<table>");
    json_object *tool = jget(cj, "tool");
    char *ver = xasprintf("%s %s", jstr(tool, "name"), jstr(tool, "version"));
    kv_row(&b, "tool", ver);
    free(ver);
    buf_t cl = BUF_INIT;
    json_object *argv = jget(cj, "command_line");
    for (size_t i = 0; argv && i < json_object_array_length(argv); i++)
        buf_printf(&cl, "%s%s", i ? " " : "",
                   json_object_get_string(json_object_array_get_idx(argv, i)));
    kv_row(&b, "command line", buf_cstr(&cl));
    buf_free(&cl);
    kv_row(&b, "options",
           json_object_to_json_string_ext(jget(cj, "options"), JSON_C_TO_STRING_PLAIN));
    buf_t th = BUF_INIT;
    json_object *tho = jget(cj, "thresholds");
    if (tho && json_object_is_type(tho, json_type_object)) {
        json_object_object_foreach(tho, key, val)
        {
            buf_printf(&th, "%s%s = %s", th.len ? ", " : "", key, json_object_get_string(val));
        }
    }
    kv_row(&b, "finding thresholds", buf_cstr(&th));
    buf_free(&th);
    method_files(&b, "indicator files (--intel)", jget(jget(cj, "intel"), "files"));
    method_files(&b, "address databases (--mmdb)", jget(cj, "mmdb"));
    decryption_rows(&b, cj);
    kv_row(&b, "verifying the evidence",
           "manifest.txt in the case folder lists the SHA-256, size and path of every capture "
           "and every carved artifact and certificate; \"pcapcase verify CASE\" re-hashes them "
           "and names anything changed, missing or added (exit status 1), so a copy of the "
           "case can be checked against what this analysis produced.");
    buf_append_str(&b, "</table><p class=\"note\">Field meanings follow Zeek's logs; "
                       "the reproducible data are logs/*.ndjson beside this report.</p>");
    return buf_steal(&b);
}

/* The page's data written on in pieces of this size: megabytes of rows
 * are never held at once (fresh memory for them cost more than the rows'
 * formatting: page faults, 0.1 s for the 1 GB benchmark's 13 MB page). */
#define HTML_DATA_PIECE (256u << 10)

/* Each log as a JSON array inside <script type="application/json">,
 * appended to b; with to, b's bytes go to it whenever they pass
 * HTML_DATA_PIECE. */
static void data_blocks(buf_t *b, const char *dir, const char *const *names, FILE *to)
{
    for (int t = 0; names[t]; t++) {
        char *p = xasprintf("%s/logs/%s.ndjson", dir, names[t]), *vb;
        FILE *f = fs_fopen_big(p, "r", &vb);
        free(p);
        buf_printf(b, "<script type=\"application/json\" id=\"data-%s\">[", names[t]);
        char *line = NULL;
        size_t cap = 0, rows = 0;
        ssize_t n;
        while (f && (n = getline(&line, &cap, f)) > 0 && rows < HTML_MAX_ROWS) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            if (!n)
                continue;
            if (rows++)
                buf_append_byte(b, ',');
            json_for_script(b, line, (size_t)n);
            if (to && b->len >= HTML_DATA_PIECE) {
                fwrite(b->data, 1, b->len, to);
                buf_clear(b);
            }
        }
        free(line);
        fs_fclose_big(f, vb);
        buf_append_str(b, "]</script>\n");
    }
}

static json_object **read_findings(const char *dir, size_t *n)
{
    char *p = xasprintf("%s/logs/findings.ndjson", dir);
    FILE *f = fopen(p, "r");
    free(p);
    json_object **v = NULL;
    *n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0) {
        json_object *o = json_tokener_parse(line);
        if (!o)
            continue;
        v = xreallocarray(v, *n + 1, sizeof *v);
        v[(*n)++] = o;
    }
    free(line);
    if (f)
        fclose(f);
    return v;
}

/* The page's data (tpl_stream_t): the time zone, then every log's rows. */
typedef struct page_data {
    const char *dir;
    const char *const *names;
    const char *tz; /* NULL: none */
} page_data_t;

static void emit_data(void *ctx, buf_t *out, FILE *f)
{
    const page_data_t *d = ctx;
    if (d->tz)
        buf_printf(out, "<script type=\"application/json\" id=\"tz-offset\">%s</script>\n", d->tz);
    data_blocks(out, d->dir, d->names, f);
}

/* Render the template called tpl_name with vars, and {{{data}}} made from
 * data as it is written, into dir/report.html (written to a temporary file,
 * then renamed into place).  0, or -1 with err set. */
static int render_page(const char *dir, const char *tpl_name, const char *what,
                       const tpl_var_t *vars, const page_data_t *data, char *err, size_t errlen)
{
    size_t l_html;
    const char *html = template_get(tpl_name, &l_html);
    if (!html) {
        snprintf(err, errlen, "%s template missing from this build", what);
        return -1;
    }
    char *p = xasprintf("%s/report.html", dir);
    atomic_file_t af;
    int rc = atomic_open(&af, p);
    if (rc == 0) { /* the page is written as it is made, in large writes */
        atomic_big_buffer(&af);
        tpl_stream_t stream = {"data", emit_data, (void *)data};
        if (template_write_streamed(html, l_html, vars, &stream, af.f) != 0) {
            int e = errno;
            atomic_abort(&af);
            errno = e;
            rc = -1;
        } else {
            rc = atomic_commit(&af);
        }
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
    free(p);
    return rc;
}

int report_html_write(const char *dir, char *err, size_t errlen)
{
    char *cp = xasprintf("%s/case.json", dir);
    json_object *cj = json_object_from_file(cp);
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/case.json: cannot read", dir);
        return -1;
    }
    size_t nf;
    json_object **f = read_findings(dir, &nf);
    int tz = (int)json_object_get_int(jget(cj, "tz_offset_seconds"));
    const char *name = jstr(cj, "name");
    char tzv[32];
    snprintf(tzv, sizeof tzv, "%d", tz);
    char *ip = xasprintf("%s/logs/intel.ndjson", dir);
    bool intel = path_exists(ip);
    free(ip);
    const char *names[sizeof tables / sizeof *tables + 1 + MORE_SECTIONS];
    size_t nn = 0;
    if (intel)
        names[nn++] = "intel";
    for (size_t i = 0; tables[i]; i++)
        names[nn++] = tables[i];
    buf_t more_nav = BUF_INIT, more = BUF_INIT;
    for (size_t i = 0; i < MORE_SECTIONS; i++) {
        char *lp = xasprintf("%s/logs/%s.ndjson", dir, more_sections[i].log);
        struct stat st;
        bool rows = stat(lp, &st) == 0 && st.st_size > 0;
        free(lp);
        if (!rows)
            continue;
        names[nn++] = more_sections[i].log;
        buf_printf(&more_nav, "<a href=\"#%s\">%s</a>", more_sections[i].log, more_sections[i].nav);
        buf_printf(&more,
                   "<section id=\"%s\"><h2>%s</h2><p class=\"note\">%s</p>"
                   "<div class=\"table\" data-table=\"%s\"></div></section>\n",
                   more_sections[i].log, more_sections[i].title, more_sections[i].note,
                   more_sections[i].log);
    }
    names[nn] = NULL;
    char *hl = headline(cj, f, nf), *ev = evidence(cj, tz), *fh = findings_html(f, nf, tz),
         *cr = credentials_html(dir, cj, tz), *tl = timeline(cj, tz), *ch = charts_html(dir),
         *me = method(cj);
    buf_t findings = BUF_INIT;
    buf_append_str(&findings, fh);
    buf_append_str(&findings, cr);
    page_data_t data = {dir, names, tzv}; /* every table's rows, written as made */
    size_t l_css, l_js;
    const char *css = template_get("report.css", &l_css), *js = template_get("report.js", &l_js);
    char *css_s = xstrndup(css ? css : "", css ? l_css : 0),
         *js_s = xstrndup(js ? js : "", js ? l_js : 0);
    tpl_var_t vars[] = {{"title", name && *name ? name : "pcapcase case"},
                        {"version", jstr(jget(cj, "tool"), "version")},
                        {"created", jstr(cj, "created")},
                        {"tz", jstr(cj, "tz")},
                        {"css", css_s},
                        {"js", js_s},
                        {"headline", hl},
                        {"evidence", ev},
                        {"findings", buf_cstr(&findings)},
                        {"timeline", tl},
                        {"charts", ch},
                        {"method", me},
                        {"intel_nav", intel ? intel_nav : ""},
                        {"intel_section", intel ? intel_section : ""},
                        {"more_nav", buf_cstr(&more_nav)},
                        {"more_sections", buf_cstr(&more)},
                        {NULL, NULL}};
    int rc = render_page(dir, "report.html", "report", vars, &data, err, errlen);
    buf_free(&findings), buf_free(&more_nav), buf_free(&more);
    free(cr);
    free(hl), free(ev), free(fh), free(tl), free(ch), free(me), free(css_s), free(js_s);
    for (size_t i = 0; i < nf; i++)
        json_object_put(f[i]);
    free(f);
    json_object_put(cj);
    return rc;
}

/* ---- comparison report ---- */

static void dir_row(buf_t *b, const char *label, json_object *d)
{
    json_object *w = jget(d, "one_way_delay");
    buf_append_str(b, "<tr><th>");
    esc(b, label);
    buf_printf(b,
               "</th><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
               "<td class=\"num\">%lld</td><td class=\"num\">%.3f%%</td>"
               "<td class=\"num\">%lld</td><td class=\"num\">%lld / %lld</td>",
               (long long)json_object_get_int64(jget(d, "sent_past_first_point")),
               (long long)json_object_get_int64(jget(d, "matched")),
               (long long)json_object_get_int64(jget(d, "lost_between_points")),
               100 * json_object_get_double(jget(d, "loss_rate")),
               (long long)json_object_get_int64(jget(d, "only_at_far_point")),
               (long long)json_object_get_int64(jget(d, "retransmissions_lost_between_points")),
               (long long)json_object_get_int64(jget(d, "retransmissions_lost_beyond_points")));
    if (w)
        buf_printf(b,
                   "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td>"
                   "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td>",
                   1e3 * json_object_get_double(jget(w, "min")),
                   1e3 * json_object_get_double(jget(w, "median")),
                   1e3 * json_object_get_double(jget(w, "p95")),
                   1e3 * json_object_get_double(jget(w, "max")));
    else
        buf_append_str(b, "<td colspan=\"4\">no packet seen at both points</td>");
    buf_append_str(b, "</tr>");
}

/* "34 packets local to A (ARP and other non-IP frames 6, ...)" */
static void local_point(buf_t *b, json_object *pt, const char *label)
{
    static const struct {
        const char *key, *label;
    } reasons[] = {{"not_ip", "ARP and other non-IP frames"},
                   {"link_local_address", "link-local addresses"},
                   {"link_scope_multicast", "link-scope multicast"},
                   {"neighbor_discovery", "IPv6 neighbour discovery"},
                   {"broadcast", "broadcast"},
                   {"ttl_expires", "TTL or hop limit 1 or 0"}};
    buf_printf(b, "<b>%lld packets local to ",
               (long long)json_object_get_int64(jget(pt, "packets")));
    esc(b, label);
    buf_append_str(b, "</b>");
    const char *sep = " (";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        long long n = json_object_get_int64(jget(pt, reasons[i].key));
        if (!n)
            continue;
        buf_printf(b, "%s%s %lld", sep, reasons[i].label, n);
        sep = ", ";
    }
    if (*sep == ',')
        buf_append_str(b, ")");
}

/* Traffic no router forwards, seen at one point only: its own line. */
static void local_summary(buf_t *b, json_object *cj)
{
    json_object *l = jget(cj, "local_to_points");
    if (!l)
        return;
    json_object *pa = jget(l, "a"), *pb = jget(l, "b");
    if (!json_object_get_int64(jget(pa, "packets")) &&
        !json_object_get_int64(jget(pb, "packets"))) {
        buf_append_str(b, "<p class=\"local\">No traffic was local to one point: every packet "
                          "seen at one point only could have crossed a router.</p>");
        return;
    }
    buf_append_str(b, "<p class=\"local\">");
    local_point(b, pa, jstr(jget(cj, "a"), "label"));
    buf_append_str(b, "; ");
    local_point(b, pb, jstr(jget(cj, "b"), "label"));
    buf_append_str(b, ". Traffic a router does not forward (link-local, link-scope multicast, "
                      "broadcast, neighbour discovery, non-IP, about to expire), seen at one "
                      "point only: not loss, not counted above.");
    json_object *bc = jget(l, "subnet_broadcasts");
    size_t n = bc ? json_object_array_length(bc) : 0;
    for (size_t i = 0; i < n; i++) {
        buf_append_str(b, i ? ", "
                            : " Subnet broadcast addresses (sent to the Ethernet broadcast "
                              "address): ");
        esc(b, json_object_get_string(json_object_array_get_idx(bc, i)));
    }
    buf_append_str(b, n ? ".</p>" : "</p>");
}

/* An interval wider than this gets a sentence on why. */
#define OFFSET_WIDE_SECONDS 0.001

/* "2.372–2.500 s ahead of" (or behind, or either side), in bold. */
static void offset_phrase(buf_t *b, double lo, double hi)
{
    char x[64], y[64];
    if (lo >= 0) {
        buf_printf(b, "<b>%s ahead of</b>", compare_offset_text(x, sizeof x, lo, hi, 0));
    } else if (hi <= 0) {
        buf_printf(b, "<b>%s behind</b>", compare_offset_text(x, sizeof x, -hi, -lo, 0));
    } else {
        compare_offset_text(x, sizeof x, -lo, NAN, hi - lo);
        compare_offset_text(y, sizeof y, hi, NAN, hi - lo);
        buf_printf(b, "<b>between %s behind and %s ahead of</b>", x, y);
    }
}

/* "B's clock is 2.372–2.500 s ahead of A's". */
static void offset_sentence(buf_t *b, double lo, double hi, const char *la, const char *lb)
{
    esc(b, lb);
    buf_append_str(b, "'s clock is ");
    offset_phrase(b, lo, hi);
    buf_append_str(b, " ");
    esc(b, la);
    buf_append_str(b, "'s");
}

/* A slice's bounds: the range of the allowed straight lines where there is
 * one, else its own; false if it has neither. */
static bool slice_bounds(json_object *s, double *lo, double *hi)
{
    static const char *const keys[2][2] = {{"line_lowest", "line_highest"}, {"lowest", "highest"}};
    for (int k = 0; k < 2; k++) {
        json_object *l = jget(s, keys[k][0]), *h = jget(s, keys[k][1]);
        if (l && h && !json_object_is_type(l, json_type_null) &&
            !json_object_is_type(h, json_type_null)) {
            *lo = json_object_get_double(l), *hi = json_object_get_double(h);
            return true;
        }
    }
    return false;
}

/* Drifting: the drift, and where the offset was at the start and the end. */
static void drift_sentence(buf_t *b, json_object *off, const char *la, const char *lb)
{
    json_object *sl = jget(off, "slices");
    size_t n = sl ? json_object_array_length(sl) : 0;
    double lo[2], hi[2];
    bool have = n && slice_bounds(json_object_array_get_idx(sl, 0), &lo[0], &hi[0]) &&
                slice_bounds(json_object_array_get_idx(sl, n - 1), &lo[1], &hi[1]);
    esc(b, lb);
    buf_printf(b, "'s clock drifts against ");
    esc(b, la);
    buf_printf(b, "'s by <b>%.3f ppm</b>", json_object_get_double(jget(off, "drift_ppm")));
    if (have) {
        buf_append_str(b, ": ");
        offset_phrase(b, lo[0], hi[0]);
        buf_append_str(b, " it at the start, ");
        offset_phrase(b, lo[1], hi[1]);
        buf_append_str(b, " it at the end");
    }
    buf_append_str(b, " (no single offset fits every packet: each slice of time has its own "
                      "bounds, see the chart <i>Clock offset over time</i>)");
}

/* The clock offset leads: an interval, and why it is as wide as it is. */
static void clock_summary(buf_t *b, json_object *off, const char *la, const char *lb)
{
    double lo = json_object_get_double(jget(off, "lowest")),
           hi = json_object_get_double(jget(off, "highest"));
    json_object *dr = jget(off, "drift_ppm");
    bool drift = dr && !json_object_is_type(dr, json_type_null);
    buf_append_str(b, "<p class=\"lead\">");
    if (json_object_get_boolean(jget(off, "drifting"))) {
        drift_sentence(b, off, la, lb);
        buf_append_str(b, ".</p>");
        return;
    }
    offset_sentence(b, lo, hi, la, lb);
    char m[64], u[64];
    double unc = json_object_get_double(jget(off, "uncertainty"));
    compare_offset_text(m, sizeof m, json_object_get_double(jget(off, "seconds")), NAN, unc);
    compare_offset_text(u, sizeof u, unc, NAN, unc);
    buf_printf(b, " (middle %s ± %s", m, u);
    if (drift)
        buf_printf(b, "; drift within it %.3f ppm", json_object_get_double(dr));
    buf_append_str(b, ").");
    if (hi - lo >= OFFSET_WIDE_SECONDS)
        buf_printf(b,
                   " The interval is %.1f ms wide because its width is the sum of the smallest "
                   "one-way delays of the two directions (every delay is at least zero): no "
                   "packet crossed faster, as when a queue between the points never empties in "
                   "one direction and keeps that direction's smallest delay large.",
                   (hi - lo) * 1e3);
    buf_append_str(b, "</p>");
}

static char *compare_summary(json_object *cj)
{
    buf_t b = BUF_INIT;
    json_object *off = jget(cj, "clock_offset_b_minus_a"), *a = jget(cj, "a"), *bb = jget(cj, "b");
    if (off && !json_object_is_type(off, json_type_null))
        clock_summary(&b, off, jstr(a, "label"), jstr(bb, "label"));
    else
        buf_append_str(&b, "<p>Clock offset: unknown (packets matched in one direction only).</p>");
    buf_append_str(&b,
                   "<table class=\"wrap\"><thead><tr><th>direction</th><th>passed first point</th>"
                   "<th>arrived</th><th>lost between the points</th><th>loss</th>"
                   "<th>only at the far point</th><th>retransmissions lost between / beyond</th>"
                   "<th>one-way delay min (ms)</th><th>median (ms)</th><th>p95 (ms)</th>"
                   "<th>max (ms)</th></tr></thead><tbody>");
    const char *label_a = jstr(a, "label"), *label_b = jstr(bb, "label");
    label_a = label_a ? label_a : "", label_b = label_b ? label_b : "";
    char *lab = xasprintf("%s → %s", label_a, label_b);
    dir_row(&b, lab, jget(cj, "a_to_b"));
    free(lab);
    lab = xasprintf("%s → %s", label_b, label_a);
    dir_row(&b, lab, jget(cj, "b_to_a"));
    free(lab);
    buf_append_str(&b, "</tbody></table>");
    local_summary(&b, cj);
    buf_append_str(&b, "<h3>Captures</h3><table><tbody>");
    json_object *sides[2] = {a, bb};
    for (int i = 0; i < 2; i++) {
        buf_append_str(&b, "<tr><th>");
        esc(&b, jstr(sides[i], "label"));
        buf_append_str(&b, "</th><td>");
        esc(&b, jstr(sides[i], "name"));
        buf_append_str(&b, "</td><td data-col=\"sha256\">");
        esc_digest(&b, jstr(sides[i], "sha256"));
        buf_printf(&b, "</td><td class=\"num\">%lld packets</td></tr>",
                   (long long)json_object_get_int64(jget(sides[i], "packets")));
    }
    buf_append_str(&b, "</tbody></table>");
    json_object *m = jget(cj, "matching");
    if (m) {
        json_object *al = jget(m, "alignment_seconds");
        buf_printf(&b,
                   "<p>Matching window %.3g s: a packet waited that long for its copy once "
                   "the clocks were aligned (",
                   json_object_get_double(jget(m, "window_seconds")));
        if (al && !json_object_is_type(al, json_type_null))
            buf_printf(&b, "first packets at both points put B's clock %.6f s from A's",
                       json_object_get_double(al));
        else
            buf_append_str(&b, "no common packet among the first ones: clocks taken to agree");
        buf_printf(&b, "); at most %lld and %lld packets waited at once.",
                   (long long)json_object_get_int64(jget(m, "peak_pending_a")),
                   (long long)json_object_get_int64(jget(m, "peak_pending_b")));
        long long early = json_object_get_int64(jget(m, "given_up_before_the_window"));
        if (early)
            buf_printf(&b,
                       " <b>%lld packets were given up before their window passed</b> (too "
                       "many waiting): some of the losses may not be real.",
                       early);
        buf_append_str(&b, "</p>");
    }
    return buf_steal(&b);
}

int report_compare_html_write(const char *dir, char *err, size_t errlen)
{
    static const char *const ctables[] = {"flows", "unmatched", NULL};
    char *cp = xasprintf("%s/compare.json", dir);
    json_object *cj = json_object_from_file(cp);
    free(cp);
    if (!cj) {
        snprintf(err, errlen, "%s/compare.json: cannot read", dir);
        return -1;
    }
    char *su = compare_summary(cj), *ch = charts_html(dir);
    page_data_t da = {dir, ctables, NULL};
    size_t l_css, l_js;
    const char *css = template_get("report.css", &l_css), *js = template_get("report.js", &l_js);
    char *css_s = xstrndup(css ? css : "", css ? l_css : 0),
         *js_s = xstrndup(js ? js : "", js ? l_js : 0);
    tpl_var_t vars[] = {{"label_a", jstr(jget(cj, "a"), "label")},
                        {"label_b", jstr(jget(cj, "b"), "label")},
                        {"file_a", jstr(jget(cj, "a"), "name")},
                        {"file_b", jstr(jget(cj, "b"), "name")},
                        {"version", jstr(jget(cj, "tool"), "version")},
                        {"css", css_s},
                        {"js", js_s},
                        {"summary", su},
                        {"charts", ch},
                        {NULL, NULL}};
    int rc = render_page(dir, "compare.html", "comparison", vars, &da, err, errlen);
    free(su), free(ch), free(css_s), free(js_s);
    json_object_put(cj);
    return rc;
}
