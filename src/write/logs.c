/* logs.c — writing CASE/logs/; see logs.h. */
#include "write/logs.h"

#include "case/case.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "write/log_conn.h"
#include "write/log_findings.h"
#include "write/log_hosts.h"
#include "write/log_x509.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const table_names[TABLE_COUNT] = {[TABLE_CONN] = "conn",
                                              [TABLE_DNS] = "dns",
                                              [TABLE_HTTP] = "http",
                                              [TABLE_FILES] = "files",
                                              [TABLE_SSL] = "ssl",
                                              [TABLE_X509] = "x509",
                                              [TABLE_HOSTS] = "hosts",
                                              [TABLE_FINDINGS] = "findings",
                                              [TABLE_INTEL] = "intel",
                                              [TABLE_FTP] = "ftp",
                                              [TABLE_SMTP] = "smtp",
                                              [TABLE_SMB_FILES] = "smb_files",
                                              [TABLE_CREDENTIALS] = "credentials"};

/* Logs of protocols most captures do not carry are written only when they
 * have rows (as Zeek writes a log only when something is logged), so a case
 * without FTP has no empty ftp.ndjson and its case.json no "ftp" table. */
static bool only_with_rows(int t)
{
    return t >= TABLE_FTP;
}

/* Merge the captures' spools of log kind into path. */
static long long merge_spooled(const case_t *k, enum log_kind kind, const char *path)
{
    logstore_t **stores = xcalloc(k->n ? k->n : 1, sizeof *stores);
    for (size_t i = 0; i < k->n; i++) {
        stores[i] = &k->r[i]->logs[kind];
        stores[i]->rank = (int)i;
    }
    long long n = logstore_merge(stores, k->n, path);
    free(stores);
    return n;
}

/* Is log t part of this case?  intel.ndjson only with --intel files, so a
 * case without them is what it was before they existed. */
static bool wanted(const case_t *k, int t)
{
    return t != TABLE_INTEL || k->opts->intel;
}

/* Where each log's rows come from: its own writer, which builds them from
 * the case model and returns its row count (-1 with errno set), or, when
 * that is NULL, the captures' spools of one log kind, merged. */
static const struct log_source {
    long long (*write)(const case_t *k, const char *path);
    enum log_kind spooled;
} sources[TABLE_COUNT] = {
    [TABLE_CONN] = {log_conn_write, 0},
    [TABLE_DNS] = {NULL, LOG_DNS},
    [TABLE_HTTP] = {NULL, LOG_HTTP},
    [TABLE_FILES] = {NULL, LOG_FILES},
    [TABLE_SSL] = {NULL, LOG_SSL},
    [TABLE_X509] = {log_x509_write, 0},
    [TABLE_HOSTS] = {log_hosts_write, 0},
    [TABLE_FINDINGS] = {log_findings_write, 0},
    [TABLE_INTEL] = {NULL, LOG_INTEL},
    [TABLE_FTP] = {NULL, LOG_FTP},
    [TABLE_SMTP] = {NULL, LOG_SMTP},
    [TABLE_SMB_FILES] = {NULL, LOG_SMB_FILES},
    [TABLE_CREDENTIALS] = {NULL, LOG_CREDENTIALS},
};

/* Log t into path: its row count, or -1 with errno set. */
static long long write_log(const case_t *k, int t, const char *path)
{
    const struct log_source *src = &sources[t];
    return src->write ? src->write(k, path) : merge_spooled(k, src->spooled, path);
}

int case_logs_write(case_t *k, char *err, size_t errlen)
{
    char *dir = xasprintf("%s/logs", k->opts->out_dir);
    if (mkdir_p(dir, 0755) != 0) {
        snprintf(err, errlen, "%s: cannot create folder: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    int rc = 0;
    for (int t = 0; t < TABLE_COUNT && rc == 0; t++) {
        char *p = xasprintf("%s/%s.ndjson", dir, table_names[t]);
        if (!wanted(k, t)) {
            k->rows[t] = -1; /* not in case.json either */
            unlink(p);       /* one a run with --intel left (none is kept: see inputs.c) */
            free(p);
            continue;
        }
        k->rows[t] = write_log(k, t, p);
        if (k->rows[t] < 0) {
            snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
            rc = -1;
        } else if (k->rows[t] == 0 && only_with_rows(t)) {
            unlink(p);
            k->rows[t] = -1;
        }
        free(p);
    }
    free(dir);
    return rc;
}
