/* merged.c — correlation across the captures of a case; see merged.h. */
#include "case/merged.h"

#include "case/case.h"
#include "case/findings.h"
#include "case/hosts.h"
#include "case/names.h"

#include <stdlib.h>
#include <string.h>

void case_model_finish(case_t *k)
{
    k->hosts = hosts_build(k);
    k->findings = findings_run(k, k->opts ? &k->opts->thresholds : &findings_defaults);
}

void case_free(case_t *k)
{
    names_free(k->names);
    hosts_free(k->hosts);
    findings_free(k->findings);
    free(k->r);
    memset(k, 0, sizeof *k);
}
