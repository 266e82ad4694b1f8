/* enrich.c — loading the case's --intel and --mmdb files; see pipeline.h.
 *
 * Files are loaded before any capture is analysed: the intel set is matched
 * against every capture's records as they are made (case/intel_tap.h), and
 * the MMDB files name the hosts when the case is merged.  A file that cannot
 * be used is said once on stderr and listed in case.json with the reason;
 * the case is made without it (exit status 1, as for a damaged capture). */
#include "pipeline/pipeline.h"

#include <stdio.h>

static size_t load_intel(const path_list_t *paths, case_opts_t *o)
{
    size_t unusable = 0;
    o->intel = intel_new();
    for (size_t i = 0; i < paths->n; i++) {
        char err[1024];
        if (intel_load_file(o->intel, paths->v[i], stderr, err, sizeof err) != 0) {
            fprintf(stderr, "pcapcase: --intel %s; its indicators are not matched\n", err);
            unusable++;
            continue;
        }
        const intel_file_info_t *fi = intel_file(o->intel, intel_nfiles(o->intel) - 1);
        if (!o->quiet)
            fprintf(stderr, "pcapcase: %s: %llu indicator line(s) (%s format), %llu bad\n",
                    fi->path, (unsigned long long)fi->indicators, fi->format,
                    (unsigned long long)fi->bad_lines);
    }
    return unusable;
}

static size_t load_mmdb(const path_list_t *paths, case_opts_t *o)
{
    size_t unusable = 0;
    o->geoip = geoip_new();
    for (size_t i = 0; i < paths->n; i++) {
        char err[1024];
        if (geoip_add(o->geoip, paths->v[i], err, sizeof err) != 0) {
            fprintf(stderr, "pcapcase: --mmdb %s; not used\n", err);
            unusable++;
        }
    }
    return unusable;
}

size_t case_enrich_load(const case_inputs_t *in, case_opts_t *o)
{
    size_t unusable = 0;
    if (in->intel.n)
        unusable += load_intel(&in->intel, o);
    if (in->mmdb.n)
        unusable += load_mmdb(&in->mmdb, o);
    return unusable;
}

void case_enrich_free(case_opts_t *o)
{
    intel_free(o->intel);
    geoip_free(o->geoip);
    o->intel = NULL;
    o->geoip = NULL;
}
