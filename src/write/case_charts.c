/* case_charts.c — see case_charts.h: the case-wide charts and the beacons'
 * on the calling thread, the TCP charts of the top connections (the
 * costliest: thousands of segments each, PNG and PDF) on a second thread
 * when there is a second core; the caller's work that needs no chart goes
 * on meanwhile.  (With the beacons on the second thread too, the first
 * waited 0.05-0.15 s for it on the 1 GB benchmark.)  Each chart family has
 * its file (case_chart_*.c). */
#include "case_charts.h"

#include "case_chart_kit.h"
#include "tcp_charts.h"

#include "core/fsutil.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Charts of an earlier run on this case folder go: a connection or finding
 * charted then may not be charted now, and the report lists what is there. */
static void remove_old_charts(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 &&
            (strcmp(e->d_name + l - 4, ".png") == 0 || strcmp(e->d_name + l - 4, ".pdf") == 0)) {
            char *p = xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
}

/* The TCP charts of connections, drawn beside the others when there is a
 * second core. */
typedef struct detail_job {
    const case_t *k;
    char err[512];
    int written; /* -1 on failure */
} detail_job_t;

static void *detail_charts(void *arg)
{
    detail_job_t *j = arg;
    int t = tcp_charts_write(j->k, j->err, sizeof j->err);
    j->written = t < 0 ? -1 : 2 * t;
    return NULL;
}

int case_charts_write(const case_t *k, case_charts_meanwhile_fn meanwhile, void *ctx, char *err,
                      size_t errlen)
{
    char *dir = xasprintf("%s/charts", k->opts->out_dir);
    int rc = mkdir_p(dir, 0755);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
    else
        remove_old_charts(dir);
    free(dir);
    if (rc != 0)
        return -1;
    detail_job_t job = {.k = k};
    pthread_t t;
    bool threaded = k->opts->jobs > 1 && pthread_create(&t, NULL, detail_charts, &job) == 0;
    int written = 0;
    rc = case_chart_bandwidth(k, &written, err, errlen) ||
         case_chart_protocol_mix(k, err, errlen) || case_chart_talkers_over_time(k, err, errlen) ||
         case_chart_top_talkers(k, err, errlen) ||
         case_chart_top_organisations(k, &written, err, errlen) ||
         case_chart_duration_bytes(k, err, errlen) || case_chart_dns_over_time(k, err, errlen);
    int beacons = rc == 0 ? case_chart_beacons(k, err, errlen) : -1;
    if (beacons < 0)
        rc = -1;
    char merr[512] = "";
    int mrc = rc == 0 && meanwhile ? meanwhile(ctx, merr, sizeof merr) : 0;
    if (threaded)
        pthread_join(t, NULL);
    else if (rc == 0)
        detail_charts(&job);
    if (rc != 0)
        return -1;
    if (mrc != 0) {
        snprintf(err, errlen, "%s", merr);
        return -1;
    }
    if (job.written < 0) {
        snprintf(err, errlen, "%s", job.err);
        return -1;
    }
    return written + 5 + 2 * beacons + job.written;
}
