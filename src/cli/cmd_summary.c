/* cmd_summary.c — `pcapcase summary`: a capinfos-like overview of each file. */
#include "cli/cli.h"

#include "capture/capture.h"
#include "pipeline/pipeline.h"
#include "core/digest.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/logfmt.h"
#include "write/case_json.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char summary_help[] =
    "usage: pcapcase summary [--json] PCAP...\n"
    "\n"
    "Per file: format, link types, packets, data size, first and last packet time,\n"
    "duration, data rate, average packet size and SHA-256 (the figures capinfos\n"
    "gives).  A folder means every capture in it.\n"
    "\n"
    "      --json   one JSON object per file (NDJSON)\n"
    "  -h, --help   this text\n";

typedef struct summary {
    uint64_t packets, data_bytes, cap_bytes;
    ts_ns_t first, last;
    char sha[65];
    int rc;
} summary_t;

static void fmt_time(ts_ns_t t, int digits, char *out, size_t len)
{
    time_t s = (time_t)(t / NS_PER_SEC);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
    long frac = (long)(t % NS_PER_SEC);
    if (digits == 9)
        snprintf(out, len, "%s.%09ld UTC", base, frac);
    else
        snprintf(out, len, "%s.%06ld UTC", base, frac / 1000);
}

static void print_text(const char *path, capture_t *c, const summary_t *s)
{
    int d = capture_ts_digits(c);
    double dur = s->packets > 1 ? (double)(s->last - s->first) / 1e9 : 0;
    char first[64] = "n/a", last[64] = "n/a";
    if (s->packets) {
        fmt_time(s->first, d, first, sizeof first);
        fmt_time(s->last, d, last, sizeof last);
    }
    const uint16_t *lts;
    size_t nl = capture_linktypes(c, &lts);
    printf("File name:           %s\n", path);
    printf("File format:         %s\n", capture_format_name(c));
    printf("Link types:          ");
    for (size_t i = 0; i < nl; i++)
        printf("%s%s (%u)", i ? ", " : "", linktype_name(lts[i]), lts[i]);
    printf("\nTime precision:      %s\n", d == 9 ? "nanoseconds" : "microseconds");
    printf("Number of packets:   %llu\n", (unsigned long long)s->packets);
    printf("File size:           %llu bytes\n", (unsigned long long)capture_raw_size(c));
    printf("Data size:           %llu bytes\n", (unsigned long long)s->data_bytes);
    printf("Captured data size:  %llu bytes\n", (unsigned long long)s->cap_bytes);
    printf("Capture duration:    %.6f seconds\n", dur);
    printf("First packet time:   %s\n", first);
    printf("Last packet time:    %s\n", last);
    if (dur > 0) {
        printf("Data byte rate:      %.2f bytes/s\n", (double)s->data_bytes / dur);
        printf("Data bit rate:       %.2f bits/s\n", (double)s->data_bytes * 8 / dur);
        printf("Average packet rate: %.2f packets/s\n", (double)s->packets / dur);
    } else {
        printf("Data byte rate:      n/a\nData bit rate:       n/a\nAverage packet rate: n/a\n");
    }
    if (s->packets)
        printf("Average packet size: %.2f bytes\n", (double)s->data_bytes / (double)s->packets);
    else
        printf("Average packet size: n/a\n");
    printf("SHA256:              %s\n", s->sha);
    damage_t *dm = capture_damage(c);
    for (size_t i = 0; i < dm->n; i++)
        printf("Damaged:             %s x%llu (first frame %llu)\n", dm->v[i].reason,
               (unsigned long long)dm->v[i].count,
               (unsigned long long)(dm->v[i].nframes ? dm->v[i].frames[0] : 0));
    printf("\n");
}

static void print_json(const char *path, capture_t *c, const summary_t *s)
{
    buf_t b = BUF_INIT;
    jsonw_t w;
    jw_init(&w, &b, false);
    int d = capture_ts_digits(c);
    jw_obj_begin(&w);
    jw_kv_str(&w, "path", path);
    jw_kv_str(&w, "format", capture_format_name(c));
    const uint16_t *lts;
    size_t nl = capture_linktypes(c, &lts);
    jw_key(&w, "link_types");
    jw_arr_begin(&w);
    for (size_t i = 0; i < nl; i++)
        jw_str(&w, linktype_name(lts[i]));
    jw_arr_end(&w);
    jw_kv_int(&w, "ts_digits", d);
    jw_kv_uint(&w, "packets", s->packets);
    jw_kv_uint(&w, "file_size", capture_raw_size(c));
    jw_kv_uint(&w, "data_size", s->data_bytes);
    jw_kv_uint(&w, "captured_size", s->cap_bytes);
    double dur = s->packets > 1 ? (double)(s->last - s->first) / 1e9 : 0;
    if (s->packets) {
        lf_time(&w, "first_ts", s->first, d);
        lf_time(&w, "last_ts", s->last, d);
    }
    jw_kv_double(&w, "duration", dur, 6);
    if (dur > 0) {
        jw_kv_double(&w, "data_byte_rate", (double)s->data_bytes / dur, 2);
        jw_kv_double(&w, "data_bit_rate", (double)s->data_bytes * 8 / dur, 2);
        jw_kv_double(&w, "packet_rate", (double)s->packets / dur, 2);
    }
    if (s->packets)
        jw_kv_double(&w, "avg_packet_size", (double)s->data_bytes / (double)s->packets, 2);
    jw_kv_str(&w, "sha256", s->sha);
    case_json_damage(&w, capture_damage(c));
    jw_obj_end(&w);
    puts(buf_cstr(&b));
    buf_free(&b);
}

static int summarise(const char *path, bool json)
{
    char err[256];
    capture_t *c = capture_open(path, err, sizeof err);
    if (!c) {
        fprintf(stderr, "pcapcase: %s: %s\n", path, err);
        return EXIT_NO_INPUT;
    }
    summary_t s;
    memset(&s, 0, sizeof s);
    capture_pkt_t p;
    int rc;
    while ((rc = capture_next(c, &p)) == 1) {
        if (s.packets == 0 || p.ts < s.first)
            s.first = p.ts;
        if (p.ts > s.last)
            s.last = p.ts;
        s.packets++;
        s.data_bytes += p.origlen;
        s.cap_bytes += p.caplen;
    }
    uint8_t sha[32];
    capture_sha256(c, sha);
    hex_lower(sha, sizeof sha, s.sha);
    if (json)
        print_json(path, c, &s);
    else
        print_text(path, c, &s);
    if (rc < 0)
        fprintf(stderr, "pcapcase: %s: damaged input: %s\n", path,
                capture_damage(c)->n ? capture_damage(c)->v[0].reason : "unreadable");
    capture_close(c);
    return rc < 0 ? EXIT_DAMAGED : EXIT_OK;
}

int cmd_summary(int argc, char **argv)
{
    static const struct option longs[] = {
        {"json", no_argument, 0, 'J'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool json = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'J')
            json = true;
        else if (c == 'h') {
            fputs(summary_help, stdout);
            return EXIT_OK;
        } else
            return usage_error("summary", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind >= argc)
        return usage_error("summary", "no capture given");
    case_inputs_t in;
    memset(&in, 0, sizeof in);
    int worst = EXIT_OK, usable = 0, total = 0;
    for (int i = optind; i < argc; i++) {
        char err[1024];
        if (case_inputs_add(&in, argv[i], err, sizeof err) != 0) {
            fprintf(stderr, "pcapcase: %s\n", err);
            worst = EXIT_DAMAGED;
        }
    }
    for (size_t i = 0; i < in.n; i++) {
        int rc = summarise(in.paths[i], json);
        total++;
        if (rc != EXIT_NO_INPUT)
            usable++;
        if (rc != EXIT_OK)
            worst = EXIT_DAMAGED;
    }
    case_inputs_free(&in);
    if (usable == 0)
        return EXIT_NO_INPUT;
    (void)total;
    return worst;
}
