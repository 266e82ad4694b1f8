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

static long long write_dns(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_DNS, path);
}

static long long write_http(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_HTTP, path);
}

static long long write_files(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_FILES, path);
}

static long long write_ssl(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_SSL, path);
}

static long long write_intel(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_INTEL, path);
}

/* Is log t part of this case?  intel.ndjson only with --intel files, so a
 * case without them is what it was before they existed. */
static bool wanted(const case_t *k, int t)
{
    return t != TABLE_INTEL || k->opts->intel;
}

static long long write_ftp(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_FTP, path);
}

static long long write_smtp(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_SMTP, path);
}

static long long write_smb_files(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_SMB_FILES, path);
}

static long long write_credentials(const case_t *k, const char *path)
{
    return merge_spooled(k, LOG_CREDENTIALS, path);
}

/* Each log's writer: returns its row count, or -1 with errno set. */
static long long (*const writers[TABLE_COUNT])(const case_t *k, const char *path) = {
    [TABLE_CONN] = log_conn_write,
    [TABLE_DNS] = write_dns,
    [TABLE_HTTP] = write_http,
    [TABLE_FILES] = write_files,
    [TABLE_SSL] = write_ssl,
    [TABLE_X509] = log_x509_write,
    [TABLE_HOSTS] = log_hosts_write,
    [TABLE_FINDINGS] = log_findings_write,
    [TABLE_INTEL] = write_intel,
    [TABLE_FTP] = write_ftp,
    [TABLE_SMTP] = write_smtp,
    [TABLE_SMB_FILES] = write_smb_files,
    [TABLE_CREDENTIALS] = write_credentials,
};

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
        k->rows[t] = writers[t](k, p);
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
