/* test_core.c — the byte cursor, the JSON writer, the damage table and
 * what the string copies do with NULL. */
#include "core/cursor.h"
#include "core/damage.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "cu_main.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void cursor_reads_big_endian_and_stops_when_short(void)
{
    const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
    cursor_t c = cursor_make(b, sizeof b);
    uint16_t v16;
    uint32_t v32;
    CU_ASSERT_TRUE(cursor_u16be(&c, &v16));
    CU_ASSERT_EQUAL(v16, 0x1234);
    CU_ASSERT_FALSE(cursor_u32be(&c, &v32)); /* only 3 left */
    CU_ASSERT_EQUAL(cursor_left(&c), 3);     /* unchanged on failure */
    CU_ASSERT_TRUE(cursor_u24be(&c, &v32));
    CU_ASSERT_EQUAL(v32, 0x56789a);
    CU_ASSERT_TRUE(cursor_empty(&c));
    uint8_t v8;
    CU_ASSERT_FALSE(cursor_u8(&c, &v8));
}

static void cursor_sub_and_seek_stay_in_bounds(void)
{
    const uint8_t b[] = {1, 2, 3, 4, 5, 6};
    cursor_t c = cursor_make(b, sizeof b), s;
    CU_ASSERT_TRUE(cursor_skip(&c, 2));
    CU_ASSERT_TRUE(cursor_sub(&c, 3, &s));
    CU_ASSERT_EQUAL(cursor_left(&s), 3);
    CU_ASSERT_EQUAL(cursor_offset(&s), 2);
    CU_ASSERT_FALSE(cursor_sub(&c, 2, &s)); /* 1 left */
    CU_ASSERT_TRUE(cursor_seek(&c, 6));
    CU_ASSERT_FALSE(cursor_seek(&c, 7));
    uint64_t v;
    cursor_t c2 = cursor_make(b, sizeof b);
    CU_ASSERT_FALSE(cursor_u64be(&c2, &v));
    CU_ASSERT_EQUAL(cursor_left(&c2), 6);
    CU_ASSERT_EQUAL(cursor_find(&c2, 4), 3);
    CU_ASSERT_EQUAL(cursor_find(&c2, 9), -1);
}

static void json_escapes_control_quotes_and_invalid_utf8(void)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_obj_begin(&w);
    jw_kv_strn(&w, "s", "a\"b\\c\n\x01\xff\xc3\xa9", 10);
    jw_kv_uint(&w, "n", 42);
    jw_kv_double(&w, "d", -0.00001, 3);
    jw_key(&w, "a");
    jw_arr_begin(&w);
    jw_bool(&w, true);
    jw_null(&w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
                           "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\\\xff\xc3\xa9\",\"n\":42,\"d\":0.000,"
                           "\"a\":[true,null]}");
    buf_free(&b);
}

static void json_time_keeps_capture_precision(void)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    jw_arr_begin(&w);
    jw_ts(&w, 1362692526, 869344, 6);
    jw_ts(&w, 1362692526, 5, 9);
    jw_arr_end(&w);
    CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "[1362692526.869344,1362692526.000000005]");
    buf_free(&b);
}

static void damage_counts_by_reason_and_keeps_first_frames(void)
{
    damage_t d = {0};
    for (uint64_t f = 1; f <= 8; f++)
        damage_note(&d, "tcp.truncated_header", f * 10);
    damage_note(&d, "ipv4.bad_header_length", 3);
    damage_sort(&d);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_STRING_EQUAL(d.v[0].reason, "ipv4.bad_header_length");
    CU_ASSERT_EQUAL(d.v[1].count, 8);
    CU_ASSERT_EQUAL(d.v[1].nframes, DAMAGE_FIRST_FRAMES);
    CU_ASSERT_EQUAL(d.v[1].frames[0], 10);
    CU_ASSERT_EQUAL(damage_total(&d), 9);
    damage_free(&d);
}

/* Run xstrndup(NULL, 0) in a child; returns how it ended and its stderr. */
static int strndup_null_in_child(char *err, size_t size)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        char *s = xstrndup((const char *)NULL, 0); /* what an empty issuer once did */
        free(s);
        _exit(0);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], err, size - 1);
    err[n > 0 ? n : 0] = '\0';
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

static void string_copy_of_null_aborts_naming_the_caller(void)
{
    char err[512];
    int st = strndup_null_in_child(err, sizeof err);
    CU_ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "internal error: xstrndup(NULL) at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "test_core.c:"));
    char *s = xstrndup("", 0); /* an empty string is fine */
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
}

static const cu_test_t tests[] = {
    {"cursor_reads_big_endian_and_stops_when_short", cursor_reads_big_endian_and_stops_when_short},
    {"cursor_sub_and_seek_stay_in_bounds", cursor_sub_and_seek_stay_in_bounds},
    {"json_escapes_control_quotes_and_invalid_utf8", json_escapes_control_quotes_and_invalid_utf8},
    {"json_time_keeps_capture_precision", json_time_keeps_capture_precision},
    {"string_copy_of_null_aborts_naming_the_caller", string_copy_of_null_aborts_naming_the_caller},
    {"damage_counts_by_reason_and_keeps_first_frames",
     damage_counts_by_reason_and_keeps_first_frames},
    {NULL, NULL}};

CU_MAIN("core", tests)
