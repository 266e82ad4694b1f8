/* report_bench.c — what the reports cost per row: rewrites report.html and
 * report.xlsx of a finished case folder (as `pcapcase analyze` left it) and
 * prints the time of each, the workbook split into its sheets of the logs
 * (report_xlsx_begin: every row, each sheet deflated as it is written) and
 * the rest (report_xlsx_finish: summary, charts, the archive's directory),
 * and the microseconds per log row.
 *
 *   cmake --build build --target report_bench
 *   build/report_bench CASE [REPEATS]      (default 3; the fastest run counts)
 *
 * One thread, nothing else running in the process: the cost of the work, not
 * of its overlap with the charts that `analyze --jobs 2` arranges.  The
 * times are the process's CPU time (user + system), which other programs on
 * a shared machine do not inflate as they do the wall time; the wall time of
 * the whole is printed beside.  The folder's reports are replaced by
 * identical ones. */
#include "report/report.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_of(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Rows of every log of the case (lines of logs/NAME.ndjson). */
static long long log_rows(const char *dir)
{
    static const char *const logs[] = {"conn", "dns",       "http",        "files", "ssl",
                                       "x509", "hosts",     "findings",    "intel", "ftp",
                                       "smtp", "smb_files", "credentials", NULL};
    long long n = 0;
    for (int i = 0; logs[i]; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/logs/%s.ndjson", dir, logs[i]);
        FILE *f = fopen(p, "r");
        int c;
        while (f && (c = getc(f)) != EOF)
            n += c == '\n';
        if (f)
            fclose(f);
    }
    return n;
}

static int tz_of(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/case.json", dir);
    json_object *cj = json_object_from_file(p), *v;
    int tz =
        cj && json_object_object_get_ex(cj, "tz_offset_seconds", &v) ? json_object_get_int(v) : 0;
    json_object_put(cj);
    return tz;
}

static double min_of(double a, double b)
{
    return a < b ? a : b;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: report_bench CASE [REPEATS]\n");
        return 2;
    }
    const char *dir = argv[1];
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    long long rows = log_rows(dir);
    int tz = tz_of(dir);
    double html = 1e9, begin = 1e9, finish = 1e9, wall = 1e9;
    char err[1024];
    for (int r = 0; r < (reps > 0 ? reps : 1); r++) {
        double w0 = clock_of(CLOCK_MONOTONIC), t0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        if (report_html_write(dir, err, sizeof err) != 0) {
            fprintf(stderr, "report_bench: %s\n", err);
            return 1;
        }
        double t1 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        report_xlsx_t *x;
        if (report_xlsx_begin(dir, tz, &x, err, sizeof err) != 0) {
            fprintf(stderr, "report_bench: %s\n", err);
            return 1;
        }
        double t2 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        if (report_xlsx_finish(x, err, sizeof err) != 0) {
            fprintf(stderr, "report_bench: %s\n", err);
            return 1;
        }
        double t3 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
        wall = min_of(wall, clock_of(CLOCK_MONOTONIC) - w0);
        html = min_of(html, t1 - t0), begin = min_of(begin, t2 - t1);
        finish = min_of(finish, t3 - t2);
    }
    double per = rows > 0 ? 1e6 / (double)rows : 0;
    printf("case %s: %lld log rows; CPU seconds, fastest of %d\n", dir, rows, reps);
    printf("report.html            %7.3f s  %6.2f us/row\n", html, html * per);
    printf("report.xlsx log sheets %7.3f s  %6.2f us/row\n", begin, begin * per);
    printf("report.xlsx rest       %7.3f s  %6.2f us/row (summary, charts, closing)\n", finish,
           finish * per);
    printf("both                   %7.3f s  %6.2f us/row (wall %.3f s)\n", html + begin + finish,
           (html + begin + finish) * per, wall);
    return 0;
}
