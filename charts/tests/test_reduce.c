/*
 * test_reduce.c — large series get small without losing what a reader looks
 * for: M4 keeps every spike and gap, grid thinning keeps outliers, a chart
 * holding ten million points keeps a few tens of thousands, and histogram
 * bins centre round values.
 */
#include "chart_internal.h"
#include "cu_main.h"
#include "histogram.h"
#include "reduce.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

static void m4_keeps_every_extreme_and_the_ends(void)
{
    size_t n = 1000000, columns = 1000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *ox = malloc(REDUCE_M4_CAP(columns) * sizeof *ox);
    double *oy = malloc(REDUCE_M4_CAP(columns) * sizeof *oy);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i, y[i] = sin((double)i / 1000.0);
    y[123457] = 50; /* one-sample spikes */
    y[876543] = -50;
    size_t m = reduce_m4(x, y, n, 0, (double)(n - 1), columns, ox, oy);
    CU_ASSERT(m <= 4 * columns);
    CU_ASSERT(m >= 2 * columns);
    double hi = -INFINITY, lo = INFINITY;
    bool ordered = true;
    for (size_t i = 0; i < m; i++) {
        hi = fmax(hi, oy[i]), lo = fmin(lo, oy[i]);
        if (i && ox[i] <= ox[i - 1])
            ordered = false;
    }
    CU_ASSERT_DOUBLE_EQUAL(hi, 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(lo, -50, 0);
    CU_ASSERT(ordered);
    CU_ASSERT_DOUBLE_EQUAL(ox[0], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(ox[m - 1], (double)(n - 1), 0);
    free(x), free(y), free(ox), free(oy);
}

static void m4_keeps_gaps_and_edge_neighbours(void)
{
    enum { N = 10000, COLUMNS = 50 };
    static double x[N], y[N], ox[REDUCE_M4_CAP(COLUMNS)], oy[REDUCE_M4_CAP(COLUMNS)];
    for (size_t i = 0; i < N; i++)
        x[i] = (double)i, y[i] = (double)(i % 17);
    y[5000] = NAN;
    size_t m = reduce_m4(x, y, N, 1000, 9000, COLUMNS, ox, oy);
    size_t gaps = 0;
    for (size_t i = 0; i < m; i++)
        gaps += isnan(oy[i]);
    CU_ASSERT_EQUAL(gaps, 1);
    /* The last point before the range and the first after it stay, so a
     * line runs into both edges of the plot. */
    CU_ASSERT_DOUBLE_EQUAL(ox[0], 999, 0);
    CU_ASSERT_DOUBLE_EQUAL(ox[m - 1], 9001, 0);
}

static void grid_thinning_keeps_outliers(void)
{
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    double *ox = malloc(N * sizeof *ox), *oy = malloc(N * sizeof *oy);
    for (size_t i = 0; i < N; i++)
        x[i] = 1 + (double)(i % 100) * 1e-3, y[i] = 1 + (double)(i % 77) * 1e-3;
    x[N / 2] = 1e6, y[N / 2] = 1e9; /* the one that matters */
    size_t m = reduce_grid(x, y, N, 1, 1e6, true, 1, 1e9, true, 256, 256, ox, oy);
    CU_ASSERT(m < 1000);
    bool found = false;
    for (size_t i = 0; i < m; i++)
        found |= ox[i] == 1e6 && oy[i] == 1e9;
    CU_ASSERT(found);
    free(x), free(y), free(ox), free(oy);
}

static void stacked_dots_keep_a_few_per_spot(void)
{
    /* 100 dots on one spot, 100 spread out, and one outside the box */
    enum { N = 201 };
    double x[N], y[N], ox[N], oy[N];
    for (int i = 0; i < 100; i++)
        x[i] = 10.01 + i * 1e-4, y[i] = 20.02;
    for (int i = 100; i < 200; i++)
        x[i] = (double)(i - 100), y[i] = 5;
    x[200] = -3, y[200] = 5;
    size_t m = reduce_stack(x, y, N, 0, 100, 0, 50, 400, 200, 6, ox, oy);
    CU_ASSERT_EQUAL(m, 6 + 100 + 1);
    /* the first six of the stack, then the others in order */
    CU_ASSERT_DOUBLE_EQUAL(ox[5], 10.01 + 5e-4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ox[6], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(ox[m - 1], -3, 0);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void chart_keeps_ten_million_points_as_a_few_thousand(void)
{
    size_t n = 10000000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i * 1e-3, y[i] = (double)(i % 1000);
    y[n / 2 + 1] = 1e6;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    chart_t *c = chart_new(CHART_LINE, "big");
    CU_ASSERT_EQUAL(chart_add_series(c, "s", x, y, n), 0);
    /* Measured, not asserted: timing depends on the machine. */
    fprintf(stderr, "\n    10M points added and reduced in %.3f s ", seconds_since(&t0));
    const chart_series_t *s = &c->series[0];
    CU_ASSERT(s->n <= 4 * CHART_KEEP_COLUMNS);
    double hi = 0;
    for (size_t i = 0; i < s->n; i++)
        hi = fmax(hi, s->y[i]);
    CU_ASSERT_DOUBLE_EQUAL(hi, 1e6, 0);
    chart_free(c);
    free(x), free(y);
}

static void unsorted_line_series_are_sorted(void)
{
    double x[] = {3, 1, 2, NAN, 0}, y[] = {30, 10, 20, 99, 0};
    chart_t *c = chart_new(CHART_LINE, NULL);
    CU_ASSERT_EQUAL(chart_add_series(c, NULL, x, y, 5), 0);
    const chart_series_t *s = &c->series[0];
    CU_ASSERT_EQUAL(s->n, 4); /* the NaN x is dropped */
    for (size_t i = 0; i < s->n; i++)
        CU_ASSERT_DOUBLE_EQUAL(s->y[i], s->x[i] * 10, 0);
    chart_free(c);
}

static void histogram_bins_centre_round_values(void)
{
    enum { N = 1000 };
    double v[N];
    for (int i = 0; i < N; i++)
        v[i] = 2.0 + ((i * 7919) % 101 - 50) * 0.0008; /* 2.0 +- 0.04 */
    chart_t *c = chart_new(CHART_HISTOGRAM, NULL);
    CU_ASSERT_EQUAL(chart_add_series(c, "iv", v, NULL, N), 0);
    hist_bins_t h;
    CU_ASSERT_EQUAL(hist_compute(c, &h), 0);
    CU_ASSERT(h.n >= 4 && h.n <= HIST_MAX_BINS);
    double k = (2.0 - h.lo) / h.width - 0.5; /* 2.0 is a bin centre */
    CU_ASSERT_DOUBLE_EQUAL(k, round(k), 1e-9);
    double total = 0;
    for (size_t i = 0; i < h.n; i++)
        total += h.counts[0][i];
    CU_ASSERT_DOUBLE_EQUAL(total, N, 0);
    hist_free(&h);
    /* An outlier far away widens bins instead of making thousands. */
    v[0] = 5000;
    chart_t *c2 = chart_new(CHART_HISTOGRAM, NULL);
    chart_add_series(c2, "iv", v, NULL, N);
    CU_ASSERT_EQUAL(hist_compute(c2, &h), 0);
    CU_ASSERT(h.n <= HIST_MAX_BINS + 1);
    hist_free(&h);
    chart_free(c);
    chart_free(c2);
}

static const cu_test_t tests[] = {
    {"m4_keeps_every_extreme_and_the_ends", m4_keeps_every_extreme_and_the_ends},
    {"m4_keeps_gaps_and_edge_neighbours", m4_keeps_gaps_and_edge_neighbours},
    {"grid_thinning_keeps_outliers", grid_thinning_keeps_outliers},
    {"stacked_dots_keep_a_few_per_spot", stacked_dots_keep_a_few_per_spot},
    {"chart_keeps_ten_million_points_as_a_few_thousand",
     chart_keeps_ten_million_points_as_a_few_thousand},
    {"unsorted_line_series_are_sorted", unsorted_line_series_are_sorted},
    {"histogram_bins_centre_round_values", histogram_bins_centre_round_values},
    {NULL, NULL},
};

CU_MAIN("charts.reduce", tests)
