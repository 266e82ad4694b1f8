/*
 * intel_load.c — reading --intel files into the set: Zeek Intel framework
 * files and plain lists.
 *
 * A file is a Zeek intel file when a `#fields` or `#separator` line comes
 * before its first data line; the columns we read are indicator,
 * indicator_type, meta.source, meta.desc, meta.url and meta.severity (others
 * are named once and ignored), `-` is an unset field, `(empty)` an empty one,
 * and \xHH escapes are decoded, as Zeek's input framework does.  Anything else
 * is a plain list: one indicator per line, its type inferred
 * (intel_norm.c), text after it on the line is its description, `#` starts a
 * comment line.  Indicators of a plain list, or of a Zeek file without
 * meta.source, have the file's base name as their source.
 *
 * A line that cannot be read completely is skipped with one message naming
 * the file and line; nothing else stops the load.  The file is read once, in
 * pieces, hashed (SHA-256) on the way.
 */
#include "case/intel.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "intel_norm.h"
#include "intel_set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* Longest line read: URLs in feeds run to a few kilobytes; a longer line is
 * not an indicator list and must not grow memory without bound. */
#define INTEL_MAX_LINE 65536
/* How much of a bad indicator a message quotes. */
#define QUOTE_MAX 80
/* Piece size when reading a file. */
#define READ_CHUNK (1 << 20)
/* Longest #separator, #empty_field and #unset_field value kept. */
#define HEADER_VALUE_MAX 16

enum column { COL_INDICATOR, COL_TYPE, COL_SOURCE, COL_DESC, COL_URL, COL_SEVERITY, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {
    "indicator", "indicator_type", "meta.source", "meta.desc", "meta.url", "meta.severity",
};

enum format { FORMAT_UNKNOWN, FORMAT_ZEEK, FORMAT_LIST };

struct intel_loader {
    intel_set_t *set;
    size_t file; /* its intel_file_info_t */
    FILE *diag;
    char *source; /* the file's base name */
    EVP_MD_CTX *sha256;
    buf_t carry;   /* a line begun in an earlier piece */
    bool overlong; /* the line being read passed INTEL_MAX_LINE */
    uint64_t messages;
    enum format format;
    char sep[HEADER_VALUE_MAX], empty[HEADER_VALUE_MAX], unset[HEADER_VALUE_MAX];
    size_t ncolumns;        /* of #fields; 0 before it */
    int col[NCOLUMNS];      /* index of each column we read, -1 absent */
    buf_t fields[NCOLUMNS]; /* the current line's values, unescaped */
    bool present[NCOLUMNS]; /* ... and whether each was set */
};

static intel_file_info_t *info(intel_loader_t *l)
{
    return intel_file_mut(l->set, l->file);
}

static void message(intel_loader_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void message(intel_loader_t *l, const char *fmt, ...)
{
    if (!l->diag || l->messages++ >= INTEL_MAX_LINE_MESSAGES)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(l->diag, "pcapcase: %s:%llu: ", info(l)->path, (unsigned long long)info(l)->lines);
    vfprintf(l->diag, fmt, ap);
    fputc('\n', l->diag);
    va_end(ap);
}

/* A line skipped: counted, and said why. */
static void bad_line(intel_loader_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad_line(intel_loader_t *l, const char *fmt, ...)
{
    info(l)->bad_lines++;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    message(l, "%s; line skipped", text);
}

/* p (n bytes) for a message: printable ASCII, the rest as \xHH, cut at
 * QUOTE_MAX characters. */
static const char *quote(const char *p, size_t n, char out[QUOTE_MAX * 4 + 4])
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < QUOTE_MAX * 4; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)sprintf(out + o, "\\x%02x", c);
        if (i + 1 == QUOTE_MAX && n > QUOTE_MAX) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
    }
    out[o] = 0;
    return out;
}

/* ---- the indicator --------------------------------------------------------- */

static const struct {
    const char *word;
    int severity;
} severity_words[] = {
    {"critical", 3}, {"high", 3}, {"medium", 2}, {"low", 1}, {"info", 0},
    {"3", 3},        {"2", 2},    {"1", 1},      {"0", 0},
};

/* meta.severity: a word or 0..3; false if neither. */
static bool parse_severity(const char *s, int *out)
{
    for (size_t i = 0; i < sizeof severity_words / sizeof *severity_words; i++)
        if (strcasecmp(s, severity_words[i].word) == 0) {
            *out = severity_words[i].severity;
            return true;
        }
    return false;
}

static void add(intel_loader_t *l, unsigned types, const char *text, size_t n,
                const intel_meta_t *meta)
{
    const char *why;
    char q[QUOTE_MAX * 4 + 4];
    int r = intel_add(l->set, types, text, n, meta, &why);
    if (r < 0) {
        int t = 0;
        while (!(types & INTEL_BIT(t)))
            t++;
        bad_line(l, "'%s' as %s: %s", quote(text, n, q), intel_type_name((intel_type_t)t), why);
        return;
    }
    info(l)->indicators++;
    info(l)->already_known += (uint64_t)r;
}

/* ---- plain lists --------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static void list_line(intel_loader_t *l, const char *p, size_t n)
{
    size_t tn = 0;
    while (tn < n && !is_space(p[tn]))
        tn++;
    const char *rest = p + tn, *end = p + n;
    while (rest < end && (is_space(*rest) || *rest == '#'))
        rest++;
    const char *value, *why;
    size_t vn;
    unsigned types = intel_infer(p, tn, &value, &vn, &why);
    char q[QUOTE_MAX * 4 + 4];
    if (!types) {
        bad_line(l, "'%s': %s", quote(p, tn, q), why);
        return;
    }
    char *desc = rest < end ? xstrndup(rest, (size_t)(end - rest)) : NULL;
    if (desc && strlen(desc) != (size_t)(end - rest)) {
        bad_line(l, "the description contains a NUL byte");
    } else {
        intel_meta_t meta = {l->source, desc, NULL, INTEL_SEVERITY_UNSET};
        add(l, types, value, vn, &meta);
    }
    free(desc);
}

/* ---- Zeek intel files ------------------------------------------------------------ */

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* p with \xHH escapes decoded, into out (cleared first). */
static void unescape(const char *p, size_t n, buf_t *out)
{
    buf_clear(out);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 3 < n && p[i + 1] == 'x' && hexdigit(p[i + 2]) >= 0 &&
            hexdigit(p[i + 3]) >= 0) {
            buf_append_byte(out, (uint8_t)(hexdigit(p[i + 2]) * 16 + hexdigit(p[i + 3])));
            i += 3;
        } else {
            buf_append_byte(out, (uint8_t)p[i]);
        }
    }
}

/* Set a header value (separator, empty and unset markers). */
static void header_value(intel_loader_t *l, const char *name, const char *p, size_t n, char *dst)
{
    buf_t v = BUF_INIT;
    unescape(p, n, &v);
    if (v.len == 0 || v.len >= HEADER_VALUE_MAX || memchr(v.data, 0, v.len))
        message(l, "#%s value not usable; kept '%s'", name, dst);
    else
        memcpy(dst, v.data, v.len + 1);
    buf_free(&v);
}

/* The next field of a line split by sep: [*p, return) and *p moves past. */
static const char *next_field(const char **p, const char *end, const char *sep, size_t *len)
{
    const char *start = *p, *hit = NULL;
    size_t sl = strlen(sep);
    for (const char *q = start; q + sl <= end; q++)
        if (memcmp(q, sep, sl) == 0) {
            hit = q;
            break;
        }
    *len = (size_t)((hit ? hit : end) - start);
    *p = hit ? hit + sl : NULL;
    return start;
}

static void fields_header(intel_loader_t *l, const char *p, const char *end)
{
    buf_t unused = BUF_INIT;
    l->ncolumns = 0;
    for (int c = 0; c < NCOLUMNS; c++)
        l->col[c] = -1;
    while (p) {
        size_t n;
        const char *name = next_field(&p, end, l->sep, &n);
        int c = 0;
        while (c < NCOLUMNS && !(strlen(column_names[c]) == n && !memcmp(column_names[c], name, n)))
            c++;
        if (c < NCOLUMNS && l->col[c] < 0)
            l->col[c] = (int)l->ncolumns;
        else
            buf_printf(&unused, "%s%.*s", unused.len ? ", " : "", (int)n, name);
        l->ncolumns++;
    }
    if (l->col[COL_INDICATOR] < 0 || l->col[COL_TYPE] < 0) {
        message(l, "#fields has no indicator and indicator_type columns (separated by "
                   "the #separator, a tab by default): the file's lines cannot be read");
        l->ncolumns = 0;
    } else if (unused.len) {
        message(l, "columns not used by pcapcase: %s", buf_cstr(&unused));
    }
    buf_free(&unused);
}

static void set_format(intel_loader_t *l, enum format f)
{
    l->format = f;
    info(l)->format = f == FORMAT_ZEEK ? "zeek" : "list";
}

/* A '#' line: a Zeek header, or a comment. */
static void header_line(intel_loader_t *l, const char *p, size_t n)
{
    const char *end = p + n;
    if (l->format == FORMAT_LIST)
        return; /* a comment of a plain list */
    if (n > 11 && memcmp(p, "#separator ", 11) == 0) {
        set_format(l, FORMAT_ZEEK);
        header_value(l, "separator", p + 11, n - 11, l->sep);
        return;
    }
    static const struct {
        const char *name;
        size_t off;
    } values[] = {
        {"empty_field", offsetof(intel_loader_t, empty)},
        {"unset_field", offsetof(intel_loader_t, unset)},
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        size_t nl = strlen(values[i].name), sl = strlen(l->sep);
        if (n > 1 + nl + sl && memcmp(p + 1, values[i].name, nl) == 0 &&
            memcmp(p + 1 + nl, l->sep, sl) == 0)
            header_value(l, values[i].name, p + 1 + nl + sl, n - 1 - nl - sl,
                         (char *)l + values[i].off);
    }
    size_t sl = strlen(l->sep);
    if (n >= 7 && memcmp(p, "#fields", 7) == 0) {
        set_format(l, FORMAT_ZEEK);
        if (n >= 7 + sl && memcmp(p + 7, l->sep, sl) == 0) {
            fields_header(l, p + 7 + sl, end);
        } else {
            message(l, "#fields and its column names must be separated by the #separator (a "
                       "tab by default): the file's lines cannot be read");
            l->ncolumns = 0;
        }
    }
}

/* The current line's value of column c, or NULL when absent or unset. */
static const char *field(const intel_loader_t *l, enum column c)
{
    return l->present[c] ? buf_cstr(&l->fields[c]) : NULL;
}

/* Split a Zeek data line into l->fields; false (said why) if it does not
 * fit #fields. */
static bool split_zeek_line(intel_loader_t *l, const char *p, size_t n)
{
    const char *end = p + n, *q = p;
    size_t i = 0;
    memset(l->present, 0, sizeof l->present);
    for (; q; i++) {
        size_t len;
        const char *v = next_field(&q, end, l->sep, &len);
        int c = 0;
        while (c < NCOLUMNS && l->col[c] != (int)i)
            c++;
        if (c == NCOLUMNS || i >= l->ncolumns)
            continue;
        if (strlen(l->unset) == len && memcmp(v, l->unset, len) == 0)
            continue;
        l->present[c] = true;
        if (strlen(l->empty) == len && memcmp(v, l->empty, len) == 0)
            buf_clear(&l->fields[c]);
        else
            unescape(v, len, &l->fields[c]);
        if (c != COL_INDICATOR && l->fields[c].len &&
            memchr(l->fields[c].data, 0, l->fields[c].len)) {
            bad_line(l, "%s contains a NUL byte", column_names[c]);
            return false;
        }
    }
    if (i != l->ncolumns) {
        bad_line(l, "%zu field%s where #fields names %zu%s", i, i == 1 ? "" : "s", l->ncolumns,
                 i == 1 && memchr(p, ' ', n) ? " (columns must be separated by the #separator, a "
                                               "tab by default, not spaces)"
                                             : "");
        return false;
    }
    return true;
}

static void zeek_line(intel_loader_t *l, const char *p, size_t n)
{
    char q[QUOTE_MAX * 4 + 4];
    if (l->ncolumns == 0) {
        bad_line(l, "no usable #fields line before this line");
        return;
    }
    if (!split_zeek_line(l, p, n))
        return;
    const buf_t *ind = &l->fields[COL_INDICATOR], *ty = &l->fields[COL_TYPE];
    intel_type_t t;
    intel_meta_t meta = {field(l, COL_SOURCE), field(l, COL_DESC), field(l, COL_URL),
                         INTEL_SEVERITY_UNSET};
    if (!l->present[COL_INDICATOR] || ind->len == 0)
        bad_line(l, "no indicator");
    else if (!l->present[COL_TYPE] || !intel_type_parse(buf_cstr(ty), ty->len, &t))
        bad_line(l,
                 "indicator_type '%s' is not one of Intel::ADDR, SUBNET, DOMAIN, URL, "
                 "FILE_HASH, CERT_HASH, EMAIL, USER_NAME, FILE_NAME, SOFTWARE, JA3, JA3S, "
                 "JA4, JA4S",
                 l->present[COL_TYPE] ? quote(buf_cstr(ty), ty->len, q) : l->unset);
    else if (field(l, COL_SEVERITY) && !parse_severity(field(l, COL_SEVERITY), &meta.severity))
        bad_line(l, "meta.severity '%s' is not high, medium, low, info (or critical, 3 to 0)",
                 quote(field(l, COL_SEVERITY), l->fields[COL_SEVERITY].len, q));
    else {
        if (!meta.source || !*meta.source)
            meta.source = l->source;
        add(l, INTEL_BIT(t), (const char *)ind->data, ind->len, &meta);
    }
}

/* ---- lines ----------------------------------------------------------------------- */

static void line(intel_loader_t *l, const char *p, size_t n)
{
    intel_file_info_t *fi = info(l);
    fi->lines++;
    if (fi->lines == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3, n -= 3; /* a UTF-8 byte-order mark */
    if (n && p[n - 1] == '\r')
        n--;
    size_t i = 0;
    while (i < n && (is_space(p[i]) || p[i] == '\r'))
        i++;
    if (i == n)
        return;
    if (l->format == FORMAT_ZEEK && p[0] == '#') {
        header_line(l, p, n);
        return;
    }
    if (l->format != FORMAT_ZEEK) {
        p += i, n -= i;
        while (n && (is_space(p[n - 1]) || p[n - 1] == '\r'))
            n--;
        if (p[0] == '#') {
            header_line(l, p, n);
            return;
        }
    }
    if (l->format == FORMAT_UNKNOWN)
        set_format(l, FORMAT_LIST);
    if (l->format == FORMAT_ZEEK) {
        zeek_line(l, p, n);
    } else {
        list_line(l, p, n);
    }
}

intel_loader_t *intel_loader_begin(intel_set_t *s, const char *name, FILE *diag)
{
    intel_loader_t *l = xcalloc(1, sizeof *l);
    l->set = s;
    l->file = intel_file_begin(s, name);
    l->diag = diag;
    const char *base = strrchr(name, '/');
    l->source = xstrdup(base && base[1] ? base + 1 : name);
    l->sha256 = digest_new(EVP_sha256());
    strcpy(l->sep, "\t");
    strcpy(l->empty, "(empty)");
    strcpy(l->unset, "-");
    for (int c = 0; c < NCOLUMNS; c++)
        l->col[c] = -1;
    return l;
}

/* Take the end of a line that began in an earlier piece. */
static void carry_line(intel_loader_t *l, const char *p, size_t n)
{
    if (!l->overlong && l->carry.len + n > INTEL_MAX_LINE) {
        l->overlong = true;
        buf_clear(&l->carry);
    }
    if (!l->overlong)
        buf_append(&l->carry, p, n);
}

static void end_of_line(intel_loader_t *l, const char *p, size_t n)
{
    if (l->carry.len || l->overlong) {
        carry_line(l, p, n);
        p = (const char *)l->carry.data;
        n = l->carry.len;
    }
    if (l->overlong || n > INTEL_MAX_LINE) {
        info(l)->lines++;
        bad_line(l, "longer than %d bytes", INTEL_MAX_LINE);
    } else {
        line(l, p, n);
    }
    buf_clear(&l->carry);
    l->overlong = false;
}

void intel_loader_feed(intel_loader_t *l, const void *data, size_t n)
{
    const char *p = data, *end = p + n;
    if (l->sha256 && n)
        EVP_DigestUpdate(l->sha256, data, n);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            carry_line(l, p, (size_t)(end - p));
            return;
        }
        end_of_line(l, p, (size_t)(nl - p));
        p = nl + 1;
    }
}

const intel_file_info_t *intel_loader_end(intel_loader_t *l)
{
    if (l->carry.len || l->overlong)
        end_of_line(l, "", 0);
    intel_file_info_t *fi = info(l);
    digest_final_hex(l->sha256, fi->sha256);
    EVP_MD_CTX_free(l->sha256);
    if (l->diag && l->messages > INTEL_MAX_LINE_MESSAGES)
        fprintf(l->diag, "pcapcase: %s: %llu more message%s not shown (%llu bad lines in all)\n",
                fi->path, (unsigned long long)(l->messages - INTEL_MAX_LINE_MESSAGES),
                l->messages - INTEL_MAX_LINE_MESSAGES == 1 ? "" : "s",
                (unsigned long long)fi->bad_lines);
    buf_free(&l->carry);
    for (int c = 0; c < NCOLUMNS; c++)
        buf_free(&l->fields[c]);
    free(l->source);
    free(l);
    return fi;
}

int intel_load_file(intel_set_t *s, const char *path, FILE *diag, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        intel_file_mut(s, intel_file_begin(s, path))->error = xstrdup(strerror(e));
        return -1;
    }
    char *chunk = xmalloc(READ_CHUNK);
    intel_loader_t *l = intel_loader_begin(s, path, diag);
    int rc = 0, read_errno = 0;
    for (;;) {
        ssize_t got = read(fd, chunk, READ_CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            read_errno = errno;
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            rc = -1;
        }
        if (got <= 0)
            break;
        intel_loader_feed(l, chunk, (size_t)got);
    }
    intel_loader_end(l);
    if (read_errno) /* the file just ended is the set's last */
        intel_file_mut(s, intel_nfiles(s) - 1)->error = xstrdup(strerror(read_errno));
    free(chunk);
    close(fd);
    return rc;
}
