/* extras.c — correlation and the outputs built on the merged case.
 *
 * Work in progress: hosts, findings, charts and reports are being added;
 * until they are, only the per-capture logs and case.json are written. */
#include "case/merged.h"

#include "case/names.h"

#include <stdlib.h>
#include <string.h>

const char *const table_names[TABLE_COUNT] = {"conn", "dns",   "http",  "files",
                                              "ssl",  "x509", "hosts", "findings"};

void case_model_finish(case_t *k) { (void)k; }

int case_write_extras(case_t *k, char *err, size_t errlen)
{
    (void)k, (void)err, (void)errlen;
    return 0;
}

void case_free(case_t *k)
{
    names_free(k->names);
    free(k->r);
    memset(k, 0, sizeof *k);
}
