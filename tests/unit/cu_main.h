/*
 * cu_main.h — the shared main() of every CUnit suite.
 *
 * Each tests/unit/test_*.c defines a table of tests and calls CU_MAIN(name,
 * table).  The program runs the suite with CUnit's basic interface (which
 * prints the summary lines CI reads) and exits non-zero on any failure.
 *
 * A test that cannot run here (an input outside the repository is missing)
 * calls cu_skip() and returns: when nothing failed, the program then exits
 * with CU_SKIP_STATUS, which ctest reports as "skipped" (SKIP_RETURN_CODE in
 * CMakeLists.txt), so a suite never passes on checks it did not make.
 */
#ifndef PCAPCASE_CU_MAIN_H
#define PCAPCASE_CU_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

/* The exit status ctest reports as "skipped" (the autotools convention). */
#define CU_SKIP_STATUS 77

static unsigned cu_skipped;
static const char *cu_suite = "";

/* Records that `test` did not run and why (one line on stdout). */
static inline void cu_skip(const char *test, const char *why)
{
    printf("\nSKIP %s/%s: %s\n", cu_suite, test, why);
    cu_skipped++;
}

typedef struct cu_test {
    const char *name;
    void (*fn)(void);
} cu_test_t;

static inline int cu_run(const char *suite_name, const cu_test_t *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    cu_suite = suite_name;
    CU_pSuite s = CU_add_suite(suite_name, NULL, NULL);
    for (const cu_test_t *t = tests; t->name; t++)
        CU_add_test(s, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    if (!failed && cu_skipped)
        printf("%s: %u tests skipped\n", suite_name, cu_skipped);
    return failed ? 1 : cu_skipped ? CU_SKIP_STATUS : 0;
}

#define CU_MAIN(suite, table)                                                                      \
    int main(void)                                                                                 \
    {                                                                                              \
        return cu_run(suite, table);                                                               \
    }

#endif
