/* test_compare.c — compare's order statistics in bounded memory (delaysum). */
#include "compare/delaysum.h"
#include "cu_main.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* A deterministic spread of delays: negative (clock offset not yet
 * removed), sub-microsecond, milliseconds and seconds. */
static double value(uint32_t i)
{
    uint32_t h = i * 2654435761u;
    double base = (double)(h % 100000) / 1e6; /* 0 .. 0.1 s */
    switch (i % 5) {
    case 0:
        return -base;
    case 1:
        return (double)(h % 1000) / 1e9; /* under 1 µs */
    case 2:
        return base;
    case 3:
        return base * 40; /* up to 4 s */
    default:
        return 0;
    }
}

static void exact_below_the_limit(void)
{
    delaysum_t d;
    ds_init(&d, 1000);
    double v[1000];
    for (uint32_t i = 0; i < 1000; i++)
        ds_add(&d, v[i] = value(i));
    qsort(v, 1000, sizeof *v, cmp_double);
    CU_ASSERT_TRUE(ds_is_exact(&d));
    for (uint64_t r = 0; r < 1000; r += 37)
        CU_ASSERT_EQUAL(ds_rank(&d, r), v[r]);
    CU_ASSERT_EQUAL(d.min, v[0]);
    CU_ASSERT_EQUAL(d.max, v[999]);
    ds_free(&d);
}

static void histogram_within_a_thousandth(void)
{
    enum { N = 200000 };
    delaysum_t d;
    ds_init(&d, 1000);
    double *v = malloc(N * sizeof *v);
    for (uint32_t i = 0; i < N; i++)
        ds_add(&d, v[i] = value(i));
    qsort(v, N, sizeof *v, cmp_double);
    CU_ASSERT_FALSE(ds_is_exact(&d));
    CU_ASSERT_EQUAL(d.n, N);
    int bad = 0;
    for (uint64_t r = 0; r < N; r += 101) {
        double got = ds_rank(&d, r), want = v[r];
        /* half a bucket: 1/2048 of the value, or half a nanosecond */
        if (fabs(got - want) > fabs(want) / 2048 + 0.5e-9)
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(ds_rank(&d, 0), v[0]); /* the extremes are exact */
    CU_ASSERT_EQUAL(ds_rank(&d, N - 1), v[N - 1]);
    CU_ASSERT_EQUAL(ds_rank(&d, N * 3 / 10), 0.0); /* zeros (ranks 20-40 %) stay zero */
    ds_free(&d);
    free(v);
}

static void out_of_range_values_are_clamped_not_lost(void)
{
    delaysum_t d;
    ds_init(&d, 0); /* histogram from the first value */
    ds_add(&d, 1e12);
    ds_add(&d, -1e12);
    ds_add(&d, 0.5);
    CU_ASSERT_EQUAL(d.n, 3);
    CU_ASSERT_EQUAL(ds_rank(&d, 0), -1e12);
    CU_ASSERT_TRUE(fabs(ds_rank(&d, 1) - 0.5) < 0.5 / 1024);
    CU_ASSERT_EQUAL(ds_rank(&d, 2), 1e12);
    ds_free(&d);
}

static const cu_test_t tests[] = {
    {"exact below the limit", exact_below_the_limit},
    {"histogram quantiles within 0.1 %", histogram_within_a_thousandth},
    {"out-of-range values clamped, not lost", out_of_range_values_are_clamped_not_lost},
    {NULL, NULL}};

CU_MAIN("compare", tests)
