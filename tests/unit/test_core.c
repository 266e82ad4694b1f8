/* test_core.c — the byte cursor, the JSON writer, the damage table, the
 * log store's order, the flow hash, a capture's parts merged, and what the
 * string copies do with NULL. */
#include "core/buf.h"
#include "core/cursor.h"
#include "core/damage.h"
#include "core/digest.h"
#include "core/jsonw.h"
#include "core/logstore.h"

#include <dirent.h>
#include "flow/flowhash.h"
#include "model/model.h"
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

/* A buffer only reserved (html_escape of "" reserves and appends nothing)
 * is still a C string: the fuzzer found strlen running off one. */
static void reserved_buffer_is_an_empty_string(void)
{
    buf_t b = BUF_INIT;
    buf_reserve(&b, 0);
    CU_ASSERT_PTR_NOT_NULL(b.data);
    CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "");
    buf_free(&b);
}

/* Workers note damage in their own order: the frames kept are the smallest
 * whatever the order, and merging two tables gives the same. */
static void damage_keeps_smallest_frames_in_any_order(void)
{
    damage_t a = {0}, b = {0}, one = {0};
    static const uint64_t frames[] = {70, 20, 90, 10, 50, 30, 80, 60, 40};
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        damage_note(i % 2 ? &a : &b, "x.y", frames[i]);
        damage_note(&one, "x.y", frames[sizeof frames / sizeof frames[0] - 1 - i]);
    }
    damage_merge(&a, &b);
    const uint64_t want[DAMAGE_FIRST_FRAMES] = {10, 20, 30, 40, 50};
    CU_ASSERT_EQUAL(a.v[0].count, 9);
    CU_ASSERT_EQUAL(a.v[0].nframes, DAMAGE_FIRST_FRAMES);
    CU_ASSERT_EQUAL(one.v[0].nframes, DAMAGE_FIRST_FRAMES);
    for (int i = 0; i < DAMAGE_FIRST_FRAMES; i++) {
        CU_ASSERT_EQUAL(a.v[0].frames[i], want[i]);
        CU_ASSERT_EQUAL(one.v[0].frames[i], want[i]);
    }
    damage_free(&a), damage_free(&b), damage_free(&one);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    return buf;
}

/* Rows of two workers' stores, absorbed into one: written by (ts, order),
 * read back one by one, and rows the case adds later go after the analysis
 * rows of the same ts. */
static void logstore_absorbs_and_merges_by_order(void)
{
    logstore_t w0, w1, all = {0};
    CU_ASSERT_EQUAL(logstore_init(&w0, NULL), 0);
    CU_ASSERT_EQUAL(logstore_init(&w1, NULL), 0);
    rec_order_t o[] = {{4, 0, 7}, {2, 1, 9}, {2, 0, 3}, {2, 5, 9}};
    logstore_add_ordered(&w0, 100, &o[0], "{\"r\":4}", 7);
    logstore_add_ordered(&w1, 100, &o[1], "{\"r\":3}", 7);
    logstore_add_ordered(&w0, 100, &o[2], "{\"r\":1}", 7);
    logstore_add_ordered(&w1, 50, &o[3], "{\"r\":0}", 7);
    logstore_absorb(&all, &w0);
    logstore_absorb(&all, &w1);
    logstore_add(&all, 100, "{\"r\":5}", 7);
    rec_order_t same_pair_earlier = {2, 0, 9}; /* {hi, lo, mid}: before 3 */
    logstore_add_ordered(&all, 100, &same_pair_earlier, "{\"r\":2}", 7);
    CU_ASSERT_EQUAL(all.n, 6);
    char *line = NULL;
    size_t cap = 0;
    CU_ASSERT_EQUAL(logstore_read(&all, 2, &line, &cap), 8); /* w0's two, then w1's */
    CU_ASSERT_EQUAL(memcmp(line, "{\"r\":3}\n", 8), 0);
    CU_ASSERT_EQUAL(logstore_read(&all, 4, &line, &cap), 8);
    CU_ASSERT_EQUAL(memcmp(line, "{\"r\":5}\n", 8), 0);
    free(line);
    char path[] = "/tmp/pcapcase-test-logstore-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE(fd >= 0);
    close(fd);
    logstore_t *stores[] = {&all};
    CU_ASSERT_EQUAL(logstore_merge(stores, 1, path), 6);
    CU_ASSERT_STRING_EQUAL(slurp(path), "{\"r\":0}\n{\"r\":1}\n{\"r\":2}\n{\"r\":3}\n"
                                        "{\"r\":4}\n{\"r\":5}\n");
    unlink(path);
    logstore_free(&all);
    logstore_free(&w0);
    logstore_free(&w1);
}

/* Open file descriptors of this process. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n - 1; /* the directory's own */
}

/* Packing: three captures, each of two workers' spools, moved into one
 * pack: their six spools are closed (the pack is one file); a row added
 * after the pack (as ranges.c adds assembled files) goes to a new spool,
 * which a second pack moves in; a store without rows holds no file; the
 * merged log is what it would have been unpacked. */
static void logstore_packs_captures_into_one_file(void)
{
    int before = open_fds();
    logstore_t caps[3], w[2], empty;
    logpack_t *pack = logpack_new(NULL);
    CU_ASSERT_EQUAL(logstore_init(&empty, NULL), 0);
    for (int c = 0; c < 3; c++) {
        memset(&caps[c], 0, sizeof caps[c]);
        for (int k = 0; k < 2; k++) {
            CU_ASSERT_EQUAL(logstore_init(&w[k], NULL), 0);
            char row[32];
            int n = snprintf(row, sizeof row, "{\"c\":%d,\"w\":%d}", c, k);
            rec_order_t o = {1, (uint64_t)k, 0};
            logstore_add_ordered(&w[k], 100 + c * 10 + k, &o, row, (size_t)n);
            logstore_absorb(&caps[c], &w[k]);
        }
        caps[c].rank = c;
    }
    CU_ASSERT_EQUAL(open_fds(), before + 7); /* six spools and the empty store's */
    for (int c = 0; c < 3; c++)
        CU_ASSERT_EQUAL(logstore_pack(&caps[c], pack), 0);
    CU_ASSERT_EQUAL(logstore_pack(&empty, pack), 0);
    CU_ASSERT_EQUAL(empty.nspools, 0);
    logpack_release(pack); /* the stores keep it */
    CU_ASSERT_EQUAL(open_fds(), before + 1);
    logstore_add(&caps[1], 105, "{\"late\":1}", 10);
    CU_ASSERT_EQUAL(open_fds(), before + 2);
    char *line = NULL;
    size_t cap = 0;
    CU_ASSERT_EQUAL(logstore_read(&caps[1], 2, &line, &cap), 11);
    CU_ASSERT_EQUAL(memcmp(line, "{\"late\":1}\n", 11), 0);
    CU_ASSERT_EQUAL(logstore_read(&caps[1], 1, &line, &cap), 14);
    CU_ASSERT_EQUAL(memcmp(line, "{\"c\":1,\"w\":1}\n", 14), 0);
    free(line);
    CU_ASSERT_EQUAL(logstore_pack(&caps[1], logstore_pack_of(&caps[0])), 0);
    CU_ASSERT_EQUAL(open_fds(), before + 1);
    char path[] = "/tmp/pcapcase-test-logpack-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE(fd >= 0);
    close(fd);
    logstore_t *stores[] = {&caps[0], &caps[1], &caps[2]};
    CU_ASSERT_EQUAL(logstore_merge(stores, 3, path), 7);
    CU_ASSERT_STRING_EQUAL(slurp(path), "{\"c\":0,\"w\":0}\n{\"c\":0,\"w\":1}\n"
                                        "{\"late\":1}\n{\"c\":1,\"w\":0}\n{\"c\":1,\"w\":1}\n"
                                        "{\"c\":2,\"w\":0}\n{\"c\":2,\"w\":1}\n");
    unlink(path);
    for (int c = 0; c < 3; c++)
        logstore_free(&caps[c]);
    logstore_free(&empty);
    for (int k = 0; k < 2; k++)
        logstore_free(&w[k]);
    CU_ASSERT_EQUAL(open_fds(), before); /* the pack closed with its last store */
}

/* Many rows of three captures, each of two workers' spools, timestamps
 * interleaved across all six spools, of every length from 1 byte to rows
 * longer than a read window (256 KiB): the merged log is every row, whole,
 * in timestamp order — whatever the windows the merge reads through. */
static void logstore_merges_rows_across_windows(void)
{
    enum { CAPTURES = 3, WORKERS = 2, ROWS = 3000 };
    logstore_t caps[CAPTURES];
    size_t nrows = CAPTURES * WORKERS * ROWS;
    size_t *len_of = calloc(nrows, sizeof *len_of);
    char *row = malloc(300 * 1024 + 64);
    uint32_t rnd = 12345;
    for (int c = 0; c < CAPTURES; c++) {
        memset(&caps[c], 0, sizeof caps[c]);
        for (int w = 0; w < WORKERS; w++) {
            logstore_t ws;
            CU_ASSERT_EQUAL(logstore_init(&ws, NULL), 0);
            for (size_t i = 0; i < ROWS; i++) {
                /* row t (its ts) belongs to capture t % 3, worker t / 3 % 2 */
                size_t t = (i * WORKERS + (size_t)w) * CAPTURES + (size_t)c;
                rnd = rnd * 1103515245u + 12345u;
                size_t len = i % 997 == 5 ? 300 * 1024 : 1 + (rnd >> 8) % 3000;
                int k = snprintf(row, 32, "{\"t\":%zu,\"x\":\"", t);
                memset(row + k, 'a' + (int)(t % 26), len);
                memcpy(row + k + len, "\"}", 2);
                len_of[t] = (size_t)k + len + 2;
                rec_order_t o = {t, 0, 0};
                logstore_add_ordered(&ws, (ts_ns_t)t, &o, row, len_of[t]);
            }
            logstore_absorb(&caps[c], &ws);
            logstore_free(&ws);
        }
        caps[c].rank = c;
    }
    char path[] = "/tmp/pcapcase-test-logstore-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE(fd >= 0);
    close(fd);
    logstore_t *stores[] = {&caps[0], &caps[1], &caps[2]};
    CU_ASSERT_EQUAL(logstore_merge(stores, CAPTURES, path), (long long)nrows);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *line = NULL;
    size_t cap = 0, bad = 0, t = 0;
    ssize_t n;
    for (; (n = getline(&line, &cap, f)) > 0; t++) {
        size_t got;
        int k = 0;
        bool ok = t < nrows && sscanf(line, "{\"t\":%zu,\"x\":\"%n", &got, &k) == 1 && got == t &&
                  (size_t)n == len_of[t] + 1 && line[n - 1] == '\n' && line[n - 2] == '}';
        for (ssize_t j = k; ok && j < n - 3; j++)
            ok = line[j] == 'a' + (int)(t % 26);
        bad += !ok;
    }
    CU_ASSERT_EQUAL(t, nrows);
    CU_ASSERT_EQUAL(bad, 0);
    free(line);
    fclose(f);
    unlink(path);
    for (int c = 0; c < CAPTURES; c++)
        logstore_free(&caps[c]);
    free(len_of), free(row);
}

/* Both directions of a pair meet in one worker; different pairs spread. */
static void flow_hash_is_symmetric_and_spreads(void)
{
    ipaddr_t a, b;
    CU_ASSERT_TRUE(ipaddr_parse("192.0.2.1", &a));
    CU_ASSERT_TRUE(ipaddr_parse("2001:db8::5", &b));
    CU_ASSERT_EQUAL(flow_pair_hash(&a, &b), flow_pair_hash(&b, &a));
    unsigned per[3] = {0};
    for (int i = 0; i < 300; i++) {
        ipaddr_t c = a;
        c.a[3] = (uint8_t)i, c.a[2] = (uint8_t)(i >> 8);
        per[flow_worker_of(flow_pair_hash(&c, &b), 0, 3)]++;
    }
    for (int w = 0; w < 3; w++)
        CU_ASSERT_TRUE(per[w] > 60); /* 100 each on average */
    /* a shard's workers share its hashes out again */
    uint32_t h = flow_pair_hash(&a, &b);
    CU_ASSERT_TRUE(flow_in_shard(h, h % 4, 4));
    CU_ASSERT_FALSE(flow_in_shard(h, (h + 1) % 4, 4));
    CU_ASSERT_EQUAL(flow_worker_of(h, 4, 2), (h / 4) % 2);
}

/* The route: one web client's connections to one server spread over the
 * workers; FTP, TFTP and SMB connections of a pair (and anything not on a
 * port of flow_port_alone, and ICMP) stay on the pair's worker; either
 * direction gives the same route. */
static void flow_route_spreads_web_keeps_pairs(void)
{
    ipaddr_t a, b;
    CU_ASSERT_TRUE(ipaddr_parse("192.0.2.1", &a));
    CU_ASSERT_TRUE(ipaddr_parse("198.51.100.7", &b));
    uint32_t pair = flow_pair_hash(&a, &b);
    unsigned per[3] = {0};
    for (uint16_t cp = 40000; cp < 40300; cp++) {
        uint32_t h = flow_route_hash(true, &a, cp, &b, 443);
        CU_ASSERT_EQUAL(h, flow_route_hash(true, &b, 443, &a, cp));
        per[flow_worker_of(h, 0, 3)]++;
        CU_ASSERT_EQUAL(flow_route_hash(true, &a, cp, &b, 21), pair);    /* FTP control */
        CU_ASSERT_EQUAL(flow_route_hash(true, &a, cp, &b, 50000), pair); /* its data */
        CU_ASSERT_EQUAL(flow_route_hash(true, &b, 20, &a, cp), pair);    /* active data */
        CU_ASSERT_EQUAL(flow_route_hash(true, &a, cp, &b, 445), pair);   /* SMB channels */
        CU_ASSERT_EQUAL(flow_route_hash(true, &a, cp, &b, 69), pair);    /* TFTP request */
        CU_ASSERT_EQUAL(flow_route_hash(true, &a, cp, &b, 8080), pair);
        CU_ASSERT_EQUAL(flow_route_hash(false, &a, 8, &b, 0), pair); /* ICMP: no ports */
        CU_ASSERT_EQUAL(flow_route_hash(false, &a, cp, &b, 80), pair);
    }
    for (int w = 0; w < 3; w++)
        CU_ASSERT_TRUE(per[w] > 60); /* 100 each on average */
    const uint16_t alone[] = {25, 53, 80, 110, 143, 443, 465, 587, 853, 993, 995};
    for (size_t i = 0; i < sizeof alone / sizeof alone[0]; i++) {
        CU_ASSERT_TRUE(flow_port_alone(alone[i]));
        CU_ASSERT_NOT_EQUAL(flow_route_hash(true, &a, 50001, &b, alone[i]),
                            flow_route_hash(true, &a, 50002, &b, alone[i]));
    }
    CU_ASSERT_FALSE(flow_port_alone(1024) || flow_port_alone(21) || flow_port_alone(445));
}

/* Two workers' parts make the capture's result in emission order, passive
 * DNS merged per (name, address). */
static void capture_parts_merge_in_order(void)
{
    capture_result_t r = {0}, p0 = {0}, p1 = {0};
    ipaddr_t ip;
    CU_ASSERT_TRUE(ipaddr_parse("198.51.100.7", &ip));
    p0.at = (rec_order_t){10, 0, 5};
    p1.at = (rec_order_t){10, 0, 2};
    conn_rec_t *c = capture_conn_add(&p0); /* order 10/5/0 */
    snprintf(c->uid, sizeof c->uid, "second");
    c = capture_conn_add(&p1); /* 10/2/0 */
    snprintf(c->uid, sizeof c->uid, "first");
    p0.at.hi = 3;
    c = capture_conn_add(&p0); /* 3/5/1 */
    snprintf(c->uid, sizeof c->uid, "zeroth");
    capture_dns_add(&p1)->qtype = 28;
    capture_pdns_add(&p0, "example.org", &ip, 500);
    capture_pdns_add(&p1, "example.org", &ip, 200);
    capture_pdns_add(&p1, "example.org", &ip, 900);
    damage_note(&p1.damage, "limit.z", 9);
    capture_result_absorb(&r, &p0);
    capture_result_absorb(&r, &p1);
    capture_result_order(&r);
    CU_ASSERT_EQUAL(r.nconns, 3);
    CU_ASSERT_STRING_EQUAL(capture_conn(&r, 0)->uid, "zeroth");
    CU_ASSERT_STRING_EQUAL(capture_conn(&r, 1)->uid, "first");
    CU_ASSERT_STRING_EQUAL(capture_conn(&r, 2)->uid, "second");
    CU_ASSERT_EQUAL(r.ndns, 1);
    CU_ASSERT_EQUAL(r.dns[0].qtype, 28);
    CU_ASSERT_EQUAL(r.npdns, 1);
    CU_ASSERT_EQUAL(r.pdns[0].first, 200);
    CU_ASSERT_EQUAL(r.pdns[0].last, 900);
    CU_ASSERT_EQUAL(damage_total(&r.damage), 1);
    capture_result_free(&r);
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

/* One-shot hex of p[0..n) with md (the reference the streaming set must equal). */
static void oneshot_hex(const EVP_MD *md, const uint8_t *p, size_t n, char *out)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    CU_ASSERT_FATAL(EVP_Digest(p, n, d, &len, md, NULL) == 1);
    hex_lower(d, len, out);
}

/* Where a body's hashes came from. */
enum digest_source { HASHED, EXACT, MEMO, EITHER /* one of the two memos */ };

/* The body fed in uneven pieces: the hashes equal one-shot ones whether the
 * body is held (small) or streamed (past DIGEST_HOLD_MAX), found again byte
 * for byte (all hashes from the copy) or by its SHA-256 (MD5/SHA-1 from the
 * memo), and come from where expected. */
static void check_body(const uint8_t *p, size_t n, bool md5, bool sha1, enum digest_source from)
{
    digest_set_t d;
    digest_set_init(&d, md5, sha1);
    digest_set_update(&d, NULL, 0); /* an empty piece, as an empty segment gives */
    for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 + 7)
        digest_set_update(&d, p + off, off + step > n ? n - off : step);
    char m[33], s1[41], s256[65], want[129];
    uint64_t hits = digest_memo_hits(), exact = digest_exact_hits();
    digest_set_final(&d, m, s1, s256);
    digest_set_free(&d);
    if (from == EITHER) {
        CU_ASSERT_EQUAL(digest_exact_hits() - exact + digest_memo_hits() - hits, 1u);
    } else {
        CU_ASSERT_EQUAL(digest_exact_hits() - exact, from == EXACT ? 1u : 0u);
        CU_ASSERT_EQUAL(digest_memo_hits() - hits, from == MEMO ? 1u : 0u);
    }
    oneshot_hex(EVP_sha256(), p, n, want);
    CU_ASSERT_STRING_EQUAL(s256, want);
    if (md5)
        oneshot_hex(EVP_md5(), p, n, want);
    CU_ASSERT_STRING_EQUAL(m, md5 ? want : "");
    if (sha1)
        oneshot_hex(EVP_sha1(), p, n, want);
    CU_ASSERT_STRING_EQUAL(s1, sha1 ? want : "");
}

static void digest_set_memo_gives_the_same_hashes(void)
{
    size_t big = DIGEST_HOLD_MAX + 12345;
    uint8_t *p = xmalloc(big);
    for (size_t i = 0; i < big; i++)
        p[i] = (uint8_t)(i * 2654435761u >> 13);
    check_body(p, 1000, true, true, HASHED);
    check_body(p, 1000, true, true, EXACT); /* the same body again */
    check_body(p, 999, true, true, HASHED); /* one byte less: another body */
    uint8_t *q = xmalloc(1000);
    memcpy(q, p, 1000);
    q[10] ^= 1; /* same length, same sampled bytes, one byte else: compared, another body */
    check_body(q, 1000, true, true, HASHED);
    free(q);
    check_body(p, 0, true, true, HASHED); /* empty: nothing to keep */
    check_body(p, 0, true, true, MEMO);
    check_body(p + 7, 5000, true, false, HASHED);
    check_body(p + 7, 5000, true, true, EXACT); /* SHA-1 computed from the copy's bytes */
    check_body(p + 7, 5000, false, true, EXACT);
    check_body(p + 7, 5000, false, false, EXACT);       /* --hash sha256: held and found too */
    check_body(p, DIGEST_HOLD_MAX, true, true, HASHED); /* exactly held */
    check_body(p, DIGEST_HOLD_MAX, true, true, EXACT);
    check_body(p, big, true, true, HASHED); /* streamed: never from the memos */
    check_body(p, big, true, true, HASHED);
    check_body(p, big, false, false, HASHED);
    /* copies are bounded (16 MiB): past them a new body is kept only in
     * place of the one in its slot, else its second copy is found by its
     * SHA-256 (MD5/SHA-1 from the memo); the hashes are the same */
    size_t fill = DIGEST_HOLD_MAX;
    uint8_t *r = xmalloc(fill);
    for (unsigned k = 0; k < 80; k++) {
        for (size_t i = 0; i < fill; i++)
            r[i] = (uint8_t)((i + k) * 2246822519u >> 11);
        digest_set_t d;
        digest_set_init(&d, true, true);
        digest_set_update(&d, r, fill);
        char m[33], s1[41], s256[65];
        digest_set_final(&d, m, s1, s256);
        digest_set_free(&d);
    }
    for (size_t i = 0; i < 3000; i++)
        r[i] = (uint8_t)(i * 40503u >> 5);
    check_body(r, 3000, true, true, HASHED);
    check_body(r, 3000, true, true, EITHER);
    free(r);
    free(p);
}

static const cu_test_t tests[] = {
    {"cursor_reads_big_endian_and_stops_when_short", cursor_reads_big_endian_and_stops_when_short},
    {"cursor_sub_and_seek_stay_in_bounds", cursor_sub_and_seek_stay_in_bounds},
    {"json_escapes_control_quotes_and_invalid_utf8", json_escapes_control_quotes_and_invalid_utf8},
    {"json_time_keeps_capture_precision", json_time_keeps_capture_precision},
    {"string_copy_of_null_aborts_naming_the_caller", string_copy_of_null_aborts_naming_the_caller},
    {"damage_counts_by_reason_and_keeps_first_frames",
     damage_counts_by_reason_and_keeps_first_frames},
    {"damage_keeps_smallest_frames_in_any_order", damage_keeps_smallest_frames_in_any_order},
    {"reserved_buffer_is_an_empty_string", reserved_buffer_is_an_empty_string},
    {"logstore_absorbs_and_merges_by_order", logstore_absorbs_and_merges_by_order},
    {"logstore_packs_captures_into_one_file", logstore_packs_captures_into_one_file},
    {"logstore_merges_rows_across_windows", logstore_merges_rows_across_windows},
    {"flow_hash_is_symmetric_and_spreads", flow_hash_is_symmetric_and_spreads},
    {"capture_parts_merge_in_order", capture_parts_merge_in_order},
    {"flow_route_spreads_web_keeps_pairs", flow_route_spreads_web_keeps_pairs},
    {"digest_set_memo_gives_the_same_hashes", digest_set_memo_gives_the_same_hashes},
    {NULL, NULL}};

CU_MAIN("core", tests)
