/*
 * cu_main.h — the shared main() of every CUnit suite.
 *
 * Each tests/unit/test_*.c defines a table of tests and calls CU_MAIN(name,
 * table).  The program runs the suite with CUnit's basic interface (which
 * prints the summary lines CI reads) and exits non-zero on any failure.
 */
#ifndef PCAPCASE_CU_MAIN_H
#define PCAPCASE_CU_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct cu_test {
    const char *name;
    void (*fn)(void);
} cu_test_t;

static inline int cu_run(const char *suite_name, const cu_test_t *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite_name, NULL, NULL);
    for (const cu_test_t *t = tests; t->name; t++)
        CU_add_test(s, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#define CU_MAIN(suite, table)                                                                      \
    int main(void)                                                                                 \
    {                                                                                              \
        return cu_run(suite, table);                                                               \
    }

#endif
