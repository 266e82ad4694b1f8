/*
 * cu_corpus.h — where unit tests find the external test corpus (Zeek's
 * traces, tcpdump's captures), which is not part of the repository.
 *
 * The corpus is $PCAPCASE_CORPUS when set, else CORPUS_DIR (CMakeLists.txt
 * defines it as ../shared/corpus beside the source tree).  A test that reads
 * it starts with CU_REQUIRE_CORPUS(): without the corpus the test is recorded
 * as skipped (see cu_skip in cu_main.h) instead of failing or crashing on a
 * missing file.  Paths come from corpus_path(), valid until eight later calls.
 */
#ifndef PCAPCASE_CU_CORPUS_H
#define PCAPCASE_CU_CORPUS_H

#include "cu_main.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifndef CORPUS_DIR
#error "CORPUS_DIR must be defined (CMakeLists.txt does it for tests/unit)"
#endif

static inline const char *corpus_dir(void)
{
    const char *env = getenv("PCAPCASE_CORPUS");
    return env && env[0] ? env : CORPUS_DIR;
}

/* The path of `rel` inside the corpus.  A ring of buffers, so that a few
 * paths can be used in one expression. */
static inline const char *corpus_path(const char *rel)
{
    enum { RING = 8 };
    static char ring[RING][PATH_MAX];
    static unsigned next;
    char *p = ring[next++ % RING];
    snprintf(p, PATH_MAX, "%s/%s", corpus_dir(), rel);
    return p;
}

/* True when the corpus is there; otherwise records `test` as skipped. */
static inline bool corpus_present(const char *test)
{
    struct stat st;
    if (stat(corpus_path("zeek-traces"), &st) == 0 && S_ISDIR(st.st_mode))
        return true;
    char why[PATH_MAX + 128];
    snprintf(why, sizeof why,
             "needs the external test corpus (zeek-traces/), not found at %s: "
             "set PCAPCASE_CORPUS to the corpus folder",
             corpus_dir());
    cu_skip(test, why);
    return false;
}

#define CU_REQUIRE_CORPUS()                                                                        \
    do {                                                                                           \
        if (!corpus_present(__func__))                                                             \
            return;                                                                                \
    } while (0)

#endif
