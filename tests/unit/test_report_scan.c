/* test_report_scan.c — the workbook's row scanner (report/ndjson_scan.c)
 * gives the values json-c gives for rows our JSON writer made, and declines
 * (so json-c reads them) what it does not decode exactly; the page's
 * template written to a file (template_write) is the template rendered in
 * memory. */
#include "core/buf.h"
#include "core/jsonw.h"
#include "cu_main.h"
#include "report/ndjson_scan.h"
#include "report/template.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBERS 16

typedef struct seen {
    char name[MAX_MEMBERS][32];
    jspan_t v[MAX_MEMBERS];
    int n;
} seen_t;

static bool collect(void *ctx, const char *name, size_t nlen, const jspan_t *v)
{
    seen_t *s = ctx;
    if (s->n == MAX_MEMBERS || nlen >= sizeof s->name[0])
        return false;
    memcpy(s->name[s->n], name, nlen);
    s->name[s->n][nlen] = 0;
    s->v[s->n++] = *v;
    return true;
}

/* Every string the traffic can put in a log, as jsonw escapes it. */
static const char *const texts[] = {"plain",
                                    "",
                                    "quote \" and backslash \\",
                                    "tab\tnewline\nreturn\r",
                                    "\x01\x1f\x7f controls",
                                    "=HYPERLINK(\"x\")",
                                    "utf-8 \xc3\xa9\xe2\x82\xac",
                                    "not utf-8 \xff\xfe",
                                    "</script>"};

static void strings_decode_as_json_c_reads_them(void)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        buf_t row = BUF_INIT, got = BUF_INIT;
        buf_append_str(&row, "{\"k\":");
        json_escape_append(&row, texts[i], strlen(texts[i]));
        buf_append_str(&row, "}\n");
        seen_t s = {.n = 0};
        CU_ASSERT_TRUE_FATAL(ndjson_scan_row((const char *)row.data, row.len, collect, &s));
        CU_ASSERT_EQUAL_FATAL(s.n, 1);
        CU_ASSERT_EQUAL(s.v[0].kind, JSPAN_STRING);
        CU_ASSERT_TRUE(jspan_string(&s.v[0], &got));
        json_object *o = json_tokener_parse((const char *)row.data), *v = NULL;
        CU_ASSERT_TRUE_FATAL(o && json_object_object_get_ex(o, "k", &v));
        CU_ASSERT_STRING_EQUAL(buf_cstr(&got), json_object_get_string(v));
        json_object_put(o);
        buf_free(&row), buf_free(&got);
    }
}

static void members_numbers_and_lists_of_a_conn_like_row(void)
{
    const char row[] = "{\"ts\":1795402995.071284329,\"uid\":\"CU0n76vLTJQcFskw2o\","
                       "\"id.orig_p\":40252, \"missed_bytes\":0,\"rtt\":6.02304e-4,"
                       "\"AA\":true,\"TC\":false,\"service\":null,"
                       "\"answers\":[\"a.test\",\"b\\\"c\"],\"TTLs\":[300.0,60],"
                       "\"scores\":{\"x\":[1,{\"y\":\"}\"}]},\"empty\":[]}";
    seen_t s = {.n = 0};
    CU_ASSERT_TRUE_FATAL(ndjson_scan_row(row, sizeof row - 1, collect, &s));
    CU_ASSERT_EQUAL_FATAL(s.n, 12);
    CU_ASSERT_STRING_EQUAL(s.name[2], "id.orig_p");
    static const jspan_kind_t kinds[] = {JSPAN_NUMBER, JSPAN_STRING, JSPAN_NUMBER, JSPAN_NUMBER,
                                         JSPAN_NUMBER, JSPAN_TRUE,   JSPAN_FALSE,  JSPAN_NULL,
                                         JSPAN_ARRAY,  JSPAN_ARRAY,  JSPAN_OBJECT, JSPAN_ARRAY};
    for (int i = 0; i < s.n; i++)
        CU_ASSERT_EQUAL(s.v[i].kind, kinds[i]);
    json_object *o = json_tokener_parse(row), *v;
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    for (int i = 0; i < 5; i++)
        if (s.v[i].kind == JSPAN_NUMBER) {
            CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, s.name[i], &v));
            CU_ASSERT_EQUAL(strtod(s.v[i].text, NULL), json_object_get_double(v));
        }
    json_object_put(o);
    CU_ASSERT_EQUAL(strtod(s.v[0].text, NULL), 1795402995.071284329);
    CU_ASSERT_EQUAL(s.v[10].len, strlen("{\"x\":[1,{\"y\":\"}\"}]}"));
    buf_t list = BUF_INIT;
    CU_ASSERT_TRUE(jspan_string_list(&s.v[8], &list));
    CU_ASSERT_STRING_EQUAL(buf_cstr(&list), "a.test, b\"c");
    buf_clear(&list);
    CU_ASSERT_FALSE(jspan_string_list(&s.v[9], &list)); /* numbers: json-c writes them */
    buf_clear(&list);
    CU_ASSERT_TRUE(jspan_string_list(&s.v[11], &list));
    CU_ASSERT_STRING_EQUAL(buf_cstr(&list), "");
    buf_free(&list);
}

static void declines_what_it_does_not_read_exactly(void)
{
    static const char *const rows[] = {
        "{\"a\":1} trailing", "{\"a\\u0041\":1}", "{\"a\":1,}",
        "{\"a\":NaN}",        "{\"a\":\"unterm}", "[1,2]",
        "{\"a\":0x10}",       "{\"a\" 1}",        "{\"a\":[\"x\",1]}x",
        "{\"a\":-}",          "{\"a\":-.5}"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        seen_t s = {.n = 0};
        CU_ASSERT_FALSE(ndjson_scan_row(rows[i], strlen(rows[i]), collect, &s));
    }
    /* a \u escape above ASCII is json-c's to decode */
    const char row[] = "{\"k\":\"caf\\u00e9\",\"z\":\"nul\\u0000cut\"}";
    seen_t s = {.n = 0};
    CU_ASSERT_TRUE_FATAL(ndjson_scan_row(row, sizeof row - 1, collect, &s));
    buf_t got = BUF_INIT;
    CU_ASSERT_FALSE(jspan_string(&s.v[0], &got));
    buf_clear(&got);
    CU_ASSERT_TRUE(jspan_string(&s.v[1], &got));
    CU_ASSERT_STRING_EQUAL(buf_cstr(&got), "nul"); /* a C string ends there, as json-c's */
    buf_free(&got);
}

/* tpl_stream_t emit: the big value in pieces of 1000 bytes, written on to f
 * (when given) every 64 KiB, the rest left in out. */
static void emit_pieces(void *ctx, buf_t *out, FILE *f)
{
    const char *v = ctx;
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i += 1000) {
        buf_append(out, v + i, n - i < 1000 ? n - i : 1000);
        if (f && out->len >= 64 * 1024) {
            fwrite(out->data, 1, out->len, f);
            buf_clear(out);
        }
    }
}

/* Escaped and raw values, a raw value of megabytes, an unknown name, a value
 * at the very start and end, a lone brace and an unclosed one: the file
 * template_write makes is byte for byte template_render's buffer, and so is
 * template_write_streamed's with the big value made by a tpl_stream_t (the
 * report's data) instead. */
static void template_written_is_template_rendered(void)
{
    size_t big = 3 * 1024 * 1024 + 7;
    char *data = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 23);
    data[big] = 0;
    const tpl_var_t vars[] = {
        {"title", "<b>&\"Q\"</b>"}, {"data", data}, {"nav", "<a href=x>"}, {NULL, NULL}};
    static const char *const tpls[] = {
        "{{{nav}}}<h1>{{title}}</h1><script>{{{data}}}</script>{{missing}} { x }{{{nav}}}",
        "{{title}}",
        "",
        "a{b{{{data}}}}c{{",
        "{{{nav}}}{{{nav}}} and {{{unclosed",
        "{{{data}}}{{{data}}}"};
    const tpl_var_t no_data[] = {{"title", "<b>&\"Q\"</b>"}, {"nav", "<a href=x>"}, {NULL, NULL}};
    const tpl_stream_t stream = {"data", emit_pieces, data};
    for (size_t t = 0; t < sizeof tpls / sizeof *tpls; t++) {
        buf_t mem = BUF_INIT;
        template_render(tpls[t], strlen(tpls[t]), vars, &mem);
        char *got = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&got, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(template_write(tpls[t], strlen(tpls[t]), vars, f), 0);
        fclose(f);
        CU_ASSERT_EQUAL(len, mem.len);
        CU_ASSERT_TRUE(len == mem.len && (len == 0 || memcmp(got, mem.data, len) == 0));
        free(got);
        got = NULL, len = 0;
        f = open_memstream(&got, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(template_write_streamed(tpls[t], strlen(tpls[t]), no_data, &stream, f), 0);
        fclose(f);
        CU_ASSERT_EQUAL(len, mem.len);
        CU_ASSERT_TRUE(len == mem.len && (len == 0 || memcmp(got, mem.data, len) == 0));
        free(got);
        buf_free(&mem);
    }
    free(data);
}

static const cu_test_t tests[] = {
    {"strings_decode_as_json_c_reads_them", strings_decode_as_json_c_reads_them},
    {"members_numbers_and_lists_of_a_conn_like_row", members_numbers_and_lists_of_a_conn_like_row},
    {"declines_what_it_does_not_read_exactly", declines_what_it_does_not_read_exactly},
    {"template_written_is_template_rendered", template_written_is_template_rendered},
    {NULL, NULL}};

CU_MAIN("report_scan", tests)
