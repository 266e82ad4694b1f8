/* test_xlsx.c — the workbook writer (report/xlsx_book.c, report/zip_writer.c):
 * archives read back through an independent reader (central directory,
 * local headers, zlib inflate, CRC-32 checked), text escaped as Excel reads
 * it, numbers formatted as libxlsxwriter did, and a log longer than
 * report_xlsx_max_rows continued on numbered sheets with a comment. */
#include "core/buf.h"
#include "cu_main.h"
#include "report/report.h"
#include "report/xlsx_book.h"
#include "report/zip_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- an independent ZIP reader ---- */

static uint32_t rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd32(const unsigned char *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    unsigned char *d = malloc((size_t)len + 1);
    *n = fread(d, 1, (size_t)len, f);
    fclose(f);
    return d;
}

/* The entry name of the archive at path, inflated (NUL-terminated; NULL when
 * absent or broken: a bad CRC, sizes that disagree, a local header that does
 * not match the central directory). */
static char *unzip_entry(const char *path, const char *name, size_t *outlen)
{
    size_t n;
    unsigned char *d = slurp(path, &n);
    char *res = NULL;
    if (!d || n < 22)
        goto out;
    const unsigned char *eocd = d + n - 22; /* no archive comment */
    if (rd32(eocd) != 0x06054b50)
        goto out;
    size_t entries = rd16(eocd + 10), off = rd32(eocd + 16);
    for (size_t i = 0; i < entries && off + 46 <= n; i++) {
        const unsigned char *c = d + off;
        if (rd32(c) != 0x02014b50)
            goto out;
        uint32_t method = rd16(c + 10), crc = rd32(c + 16), csize = rd32(c + 20),
                 usize = rd32(c + 24), nlen = rd16(c + 28), xlen = rd16(c + 30),
                 klen = rd16(c + 32), lho = rd32(c + 42);
        if (nlen == strlen(name) && memcmp(c + 46, name, nlen) == 0) {
            const unsigned char *l = d + lho;
            if (rd32(l) != 0x04034b50 || rd32(l + 14) != crc || rd32(l + 18) != csize ||
                rd32(l + 22) != usize)
                goto out;
            const unsigned char *data = l + 30 + rd16(l + 26) + rd16(l + 28);
            char *u = malloc((size_t)usize + 1);
            if (method == 0) {
                memcpy(u, data, usize);
            } else {
                z_stream z;
                memset(&z, 0, sizeof z);
                inflateInit2(&z, -15);
                z.next_in = (Bytef *)data, z.avail_in = csize;
                z.next_out = (Bytef *)u, z.avail_out = usize + 1;
                int rc = inflate(&z, Z_FINISH);
                inflateEnd(&z);
                if (rc != Z_STREAM_END || z.total_out != usize) {
                    free(u);
                    goto out;
                }
            }
            if (crc32(0, (Bytef *)u, usize) != crc) {
                free(u);
                goto out;
            }
            u[usize] = 0;
            *outlen = usize;
            res = u;
            goto out;
        }
        off += 46 + nlen + xlen + klen;
    }
out:
    free(d);
    return res;
}

static char *tmp_path(const char *what)
{
    static char p[256];
    snprintf(p, sizeof p, "/tmp/test_xlsx.%d.%s", (int)getpid(), what);
    return p;
}

/* ---- the zip writer ---- */

/* An entry of two independent deflate streams (the first only flushed),
 * one from a temporary file, one stored, one deflated whole. */
static void zip_round_trip(void)
{
    char *path = tmp_path("zip");
    FILE *f = fopen(path, "wb");
    zip_writer_t *z = zip_open(f);
    static const char head[] = "<head>first stream, flushed not finished</head>";
    buf_t body = BUF_INIT;
    for (int i = 0; i < 20000; i++)
        buf_printf(&body, "<row r=\"%d\"><c><v>%d</v></c></row>", i, i * 7);
    buf_t hmem = BUF_INIT;
    zdef_t *h = malloc(sizeof *h), *b = malloc(sizeof *b);
    FILE *tmp = tmpfile();
    CU_ASSERT_EQUAL(zdef_init(h, 2, NULL, &hmem), 0);
    zdef_write(h, head, strlen(head));
    CU_ASSERT_EQUAL(zdef_end(h, false), 0);
    CU_ASSERT_EQUAL(zdef_init(b, 2, tmp, NULL), 0);
    for (size_t i = 0; i < body.len; i += 1000) /* in pieces, as a sheet is */
        zdef_write(b, body.data + i, body.len - i < 1000 ? body.len - i : 1000);
    CU_ASSERT_EQUAL(zdef_end(b, true), 0);
    CU_ASSERT(b->packed < body.len / 4); /* it did compress */
    zip_piece_t p[2] = {{.mem = hmem.data, .packed = h->packed, .raw = h->raw, .crc = h->crc},
                        {.file = tmp, .packed = b->packed, .raw = b->raw, .crc = b->crc}};
    zip_add_deflated(z, "two/streams.xml", p, 2);
    zip_add(z, "stored.bin", "\x89PNG stored as is", 17, 0);
    zip_add(z, "whole.txt", "hello hello hello hello", 23, 1);
    CU_ASSERT_EQUAL(zip_close(z), 0);
    fclose(f);
    fclose(tmp);

    size_t n = 0;
    char *got = unzip_entry(path, "two/streams.xml", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(n, strlen(head) + body.len);
    CU_ASSERT(memcmp(got, head, strlen(head)) == 0);
    CU_ASSERT(memcmp(got + strlen(head), body.data, body.len) == 0);
    free(got);
    got = unzip_entry(path, "stored.bin", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(n, 17);
    CU_ASSERT_STRING_EQUAL(got, "\x89PNG stored as is");
    free(got);
    got = unzip_entry(path, "whole.txt", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "hello hello hello hello");
    free(got);
    CU_ASSERT_PTR_NULL(unzip_entry(path, "missing", &n));
    free(h), free(b);
    buf_free(&hmem), buf_free(&body);
    unlink(path);
}

/* The same entries give the same bytes (fixed DOS times, no "now"). */
static void zip_deterministic(void)
{
    size_t n[2];
    unsigned char *d[2];
    for (int k = 0; k < 2; k++) {
        char *path = tmp_path(k ? "det1" : "det0");
        FILE *f = fopen(path, "wb");
        zip_writer_t *z = zip_open(f);
        zip_add(z, "a.xml", "<a/>", 4, 2);
        CU_ASSERT_EQUAL(zip_close(z), 0);
        fclose(f);
        d[k] = slurp(path, &n[k]);
        unlink(path);
        if (k == 0)
            sleep(2); /* a DOS time has 2-second steps */
    }
    CU_ASSERT(n[0] == n[1] && memcmp(d[0], d[1], n[0]) == 0);
    free(d[0]), free(d[1]);
}

/* ---- text and numbers ---- */

static const char *esc(const char *s)
{
    static buf_t b;
    buf_clear(&b);
    xlsx_escape(&b, s, strlen(s));
    return buf_cstr(&b);
}

static void escaping(void)
{
    CU_ASSERT_STRING_EQUAL(esc("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
    /* the C0 controls XML 1.0 forbids, as Excel writes them; tab, LF, CR kept */
    CU_ASSERT_STRING_EQUAL(esc("\x01x\x1f\x7f"), "_x0001_x_x001F_\x7f");
    CU_ASSERT_STRING_EQUAL(esc("a\tb\nc\rd"), "a\tb\nc\rd");
    /* text that reads as an escape keeps its underscore */
    CU_ASSERT_STRING_EQUAL(esc("_x0041_"), "_x005F_x0041_");
    CU_ASSERT_STRING_EQUAL(esc("_x00_ snake_case _x004G_"), "_x00_ snake_case _x004G_");
    CU_ASSERT_STRING_EQUAL(esc("=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")");
    CU_ASSERT_STRING_EQUAL(esc("\xc3\xa9\xe2\x82\xac"), "\xc3\xa9\xe2\x82\xac");
}

static void numbers(void)
{
    static const double v[] = {0,
                               80,
                               -3,
                               1e15,
                               123456789012345.0,
                               0.5,
                               -0.25,
                               9.8774e-5,
                               46349.1272577073,
                               1700000000.123456,
                               1e-300,
                               2.5e20,
                               0.1,
                               -0.0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char got[40], want[40];
        xlsx_format_number(got, v[i]);
        snprintf(want, sizeof want, "%.16G", v[i]);
        CU_ASSERT_STRING_EQUAL(got, want);
    }
}

/* ---- a workbook ---- */

/* Each string of has (NULL-ended) is in the book's entry; a failure names
 * the entry and the string it lacks. */
static void entry_has(const char *book, const char *entry, const char *const *has)
{
    size_t n;
    char *x = unzip_entry(book, entry, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (; *has; has++) {
        bool found = strstr(x, *has) != NULL;
        if (!found)
            fprintf(stderr, "%s lacks %s\n", entry, *has);
        CU_ASSERT(found);
    }
    free(x);
}

/* Cells of every kind; a cell's reference is written only when it does not
 * follow the row's last cell (AB1 after A1, B2 first in its row), not for
 * A1, C2 after B2 or A3. */
static void book_cells(void)
{
    char *path = tmp_path("book.xlsx");
    char err[256];
    xlsx_look_t look = {"yyyy-mm-dd", true, true};
    xlsx_book_t *b = xlsx_book_open(path, &look, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    xlsx_sheet_t *s = xlsx_add_sheet(b, "One & two");
    xlsx_freeze_top_row(s);
    xlsx_string(s, 0, 0, "name", XLSX_HEADER);
    xlsx_string(s, 0, 27, " padded ", XLSX_PLAIN);
    xlsx_number(s, 1, 1, 2.5, XLSX_DATE);
    xlsx_bool(s, 1, 2, true);
    xlsx_link(s, 2, 0, "artifacts\\abc", "artifacts\\abc");
    xlsx_string(s, 2, 1, "", XLSX_PLAIN); /* no cell */
    xlsx_comment(s, 0, 0, "continues");
    xlsx_set_width(s, 0, 0, 22);
    xlsx_autofilter(s, 2, 2);
    xlsx_props_t p = {"title", "me", 86400};
    CU_ASSERT_EQUAL(xlsx_book_close(b, &p, err, sizeof err), 0);
    entry_has(path, "xl/worksheets/sheet1.xml",
              (const char *const[]){"<cols><col min=\"1\" max=\"1\" width=\"22.7109375\" "
                                    "customWidth=\"1\"/></cols><sheetData><row r=\"1\">"
                                    "<c s=\"1\" t=\"inlineStr\"><is><t>name</t>",
                                    "<c r=\"AB1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                                    " padded </t></is></c></row>",
                                    "<row r=\"2\"><c r=\"B2\" s=\"2\"><v>2.5</v></c>"
                                    "<c t=\"b\"><v>1</v></c></row>",
                                    "<row r=\"3\"><c s=\"3\" t=\"inlineStr\">"
                                    "<is><t>artifacts\\abc</t></is></c></row></sheetData>",
                                    "<autoFilter ref=\"A1:C3\"/><hyperlinks><hyperlink ref=\"A3\" "
                                    "r:id=\"rId1\"/></hyperlinks>",
                                    "<legacyDrawing r:id=\"rId2\"/>", "state=\"frozen\"", NULL});
    entry_has(path, "xl/worksheets/_rels/sheet1.xml.rels",
              (const char *const[]){"Target=\"artifacts\\abc\" TargetMode=\"External\"",
                                    "Target=\"../comments1.xml\"", NULL});
    entry_has(path, "xl/workbook.xml",
              (const char *const[]){"<sheet name=\"One &amp; two\" sheetId=\"1\"",
                                    "'One &amp; two'!$A$1:$C$3</definedName>", NULL});
    entry_has(path, "docProps/core.xml",
              (const char *const[]){">1970-01-02T00:00:00Z</dcterms:created>", NULL});
    entry_has(
        path, "xl/comments1.xml",
        (const char *const[]){"<comment ref=\"A1\" authorId=\"0\">", "<t>continues</t>", NULL});
    entry_has(path, "[Content_Types].xml", (const char *const[]){"/xl/comments1.xml", NULL});
    unlink(path);
}

/* A text is shared from its second sighting on, across sheets, in the order
 * texts became shared; long texts and texts seen once stay inline; a book
 * without repeats has no shared-strings part. */
static void shared_strings(void)
{
    char *path = tmp_path("shared.xlsx");
    char err[256];
    xlsx_look_t look = {"yyyy-mm-dd", true, true};
    xlsx_book_t *b = xlsx_book_open(path, &look, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    char longtext[601];
    memset(longtext, 'x', 600);
    longtext[600] = 0;
    xlsx_sheet_t *s = xlsx_add_sheet(b, "one");
    const char *col[] = {"web", "a&b", "web", " pad ", "a&b", "once", " pad ", "web"};
    for (unsigned long r = 0; r < 8; r++)
        xlsx_string(s, r, 0, col[r], XLSX_PLAIN);
    xlsx_string(s, 8, 0, longtext, XLSX_PLAIN);
    xlsx_string(s, 9, 0, longtext, XLSX_PLAIN);
    xlsx_sheet_t *t = xlsx_add_sheet(b, "two");
    xlsx_string(t, 0, 0, "web", XLSX_HEADER);
    xlsx_props_t p = {"title", "me", 0};
    CU_ASSERT_EQUAL(xlsx_book_close(b, &p, err, sizeof err), 0);
    entry_has(path, "xl/worksheets/sheet1.xml",
              (const char *const[]){
                  "<row r=\"1\"><c t=\"inlineStr\"><is><t>web</t></is></c></row>"
                  "<row r=\"2\"><c t=\"inlineStr\"><is><t>a&amp;b</t></is></c></row>"
                  "<row r=\"3\"><c t=\"s\"><v>0</v></c></row>"
                  "<row r=\"4\"><c t=\"inlineStr\"><is><t xml:space=\"preserve\"> pad </t>"
                  "</is></c></row><row r=\"5\"><c t=\"s\"><v>1</v></c></row>"
                  "<row r=\"6\"><c t=\"inlineStr\"><is><t>once</t></is></c></row>"
                  "<row r=\"7\"><c t=\"s\"><v>2</v></c></row>"
                  "<row r=\"8\"><c t=\"s\"><v>0</v></c></row>",
                  NULL});
    size_t n;
    char *x = unzip_entry(path, "xl/worksheets/sheet1.xml", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<row r=\"10\"><c t=\"inlineStr\">")); /* too long to share */
    free(x);
    entry_has(path, "xl/worksheets/sheet2.xml",
              (const char *const[]){"<c s=\"1\" t=\"s\"><v>0</v></c>", NULL});
    entry_has(path, "xl/sharedStrings.xml",
              (const char *const[]){"count=\"5\" uniqueCount=\"3\"><si><t>web</t></si><si><t>"
                                    "a&amp;b</t></si><si><t xml:space=\"preserve\"> pad </t>"
                                    "</si></sst>",
                                    NULL});
    entry_has(path, "[Content_Types].xml",
              (const char *const[]){"PartName=\"/xl/sharedStrings.xml\"", NULL});
    entry_has(path, "xl/_rels/workbook.xml.rels",
              (const char *const[]){"Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/"
                                    "officeDocument/2006/relationships/sharedStrings\" "
                                    "Target=\"sharedStrings.xml\"",
                                    NULL});
    unlink(path);
    /* no text repeats: no part, no relationship */
    b = xlsx_book_open(path, &look, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    s = xlsx_add_sheet(b, "one");
    xlsx_string(s, 0, 0, "a", XLSX_PLAIN);
    xlsx_string(s, 1, 0, "b", XLSX_PLAIN);
    CU_ASSERT_EQUAL(xlsx_book_close(b, &p, err, sizeof err), 0);
    x = unzip_entry(path, "xl/sharedStrings.xml", &n);
    CU_ASSERT_PTR_NULL(x);
    free(x);
    x = unzip_entry(path, "xl/_rels/workbook.xml.rels", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NULL(strstr(x, "sharedStrings"));
    free(x);
    unlink(path);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* A log longer than report_xlsx_max_rows: "DNS", "DNS (2)", "DNS (3)", each
 * full sheet with the comment that says the table continues. */
static void overflow_sheets(void)
{
    char dir[256], p[300];
    snprintf(dir, sizeof dir, "/tmp/test_xlsx.%d.case", (int)getpid());
    snprintf(p, sizeof p, "%s/logs", dir);
    mkdir(dir, 0755);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/case.json", dir);
    write_file(p, "{\"name\":\"t\",\"tz_offset_seconds\":0,\"evidence\":[{\"name\":\"x.pcap\","
                  "\"sha256\":\"00\",\"first_ts\":1700000000}]}\n");
    snprintf(p, sizeof p, "%s/logs/dns.ndjson", dir);
    buf_t rows = BUF_INIT;
    for (int i = 0; i < 5; i++)
        buf_printf(&rows, "{\"ts\":1700000000.5,\"uid\":\"C%d\",\"query\":\"q%d.test\"}\n", i, i);
    write_file(p, buf_cstr(&rows));
    buf_free(&rows);
    unsigned long keep = report_xlsx_max_rows;
    report_xlsx_max_rows = 2;
    char err[512];
    int rc = report_xlsx_write(dir, err, sizeof err);
    report_xlsx_max_rows = keep;
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    snprintf(p, sizeof p, "%s/report.xlsx", dir);
    size_t n;
    char *x = unzip_entry(p, "xl/workbook.xml", &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    char *a = strstr(x, "name=\"DNS\""), *b = strstr(x, "name=\"DNS (2)\""),
         *c = strstr(x, "name=\"DNS (3)\"");
    CU_ASSERT(a && b && c && a < b && b < c);
    CU_ASSERT_PTR_NULL(strstr(x, "name=\"DNS (4)\""));
    free(x);
    /* two comments (DNS and DNS (2) are full), none on DNS (3) */
    int comments = 0;
    for (int i = 1; i <= 3; i++) {
        char part[64];
        snprintf(part, sizeof part, "xl/comments%d.xml", i);
        x = unzip_entry(p, part, &n);
        if (x && strstr(x, "This table continues on the next sheet."))
            comments++;
        free(x);
    }
    CU_ASSERT_EQUAL(comments, 2);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static const cu_test_t tests[] = {{"zip_round_trip", zip_round_trip},
                                  {"zip_deterministic", zip_deterministic},
                                  {"escaping", escaping},
                                  {"numbers", numbers},
                                  {"book_cells", book_cells},
                                  {"shared_strings", shared_strings},
                                  {"overflow_sheets", overflow_sheets},
                                  {NULL, NULL}};

CU_MAIN("xlsx", tests)
