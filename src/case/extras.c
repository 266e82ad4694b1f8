/* extras.c — correlation and the outputs built on the merged case:
 * x509.ndjson, hosts.ndjson, findings.ndjson. */
#include "case/merged.h"

#include "case/case.h"
#include "case/findings.h"
#include "case/hosts.h"
#include "case/names.h"
#include "core/jsonw.h"
#include "core/xalloc.h"
#include "core/fsutil.h"
#include "core/logfmt.h"
#include "write/log_x509.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const table_names[TABLE_COUNT] = {"conn", "dns",  "http",  "files",
                                              "ssl",  "x509", "hosts", "findings"};

void case_model_finish(case_t *k)
{
    k->hosts = hosts_build(k);
    k->findings = findings_run(k, k->opts ? &k->opts->thresholds : &findings_defaults);
}

int case_write_extras(case_t *k, char *err, size_t errlen)
{
    char *xp = xasprintf("%s/logs/x509.ndjson", k->opts->out_dir);
    k->rows[TABLE_X509] = log_x509_write(k, xp);
    if (k->rows[TABLE_X509] < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", xp, strerror(errno));
        free(xp);
        return -1;
    }
    free(xp);
    char *p = xasprintf("%s/logs/hosts.ndjson", k->opts->out_dir);
    k->rows[TABLE_HOSTS] = hosts_write(k, p);
    int rc = k->rows[TABLE_HOSTS] < 0 ? -1 : 0;
    if (rc == 0) {
        free(p);
        p = xasprintf("%s/logs/findings.ndjson", k->opts->out_dir);
        k->rows[TABLE_FINDINGS] = findings_write(k, p);
        rc = k->rows[TABLE_FINDINGS] < 0 ? -1 : 0;
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", p, strerror(errno));
    free(p);
    return rc;
}

void case_free(case_t *k)
{
    names_free(k->names);
    hosts_free(k->hosts);
    findings_free(k->findings);
    free(k->r);
    memset(k, 0, sizeof *k);
}
