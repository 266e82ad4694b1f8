/*
 * test_ticks.c — tick positions: 1-2-5 steps over many ranges, power-of-two
 * steps for bytes, clock-friendly time steps aligned to the time zone, and
 * log ladders that stop at round values of each unit.
 */
#include "cu_main.h"
#include "ticks.h"

#include <math.h>

/* 2026-11-23 00:00 at +02:00. */
#define LOCAL_MIDNIGHT 1795384800.0

static void nice_steps_are_1_2_5_for_many_ranges(void)
{
    static const struct {
        double range;
        int target;
        double step;
    } cases[] = {
        {100, 5, 20},       {1, 5, 0.2},       {7, 6, 2},        {10, 10, 1},   {3600, 6, 1000},
        {0.003, 6, 0.0005}, {1e9, 8, 2e8},     {12345, 5, 5000}, {0.7, 7, 0.1}, {95, 10, 10},
        {1.05, 8, 0.2},     {2.5e-7, 5, 5e-8}, {42, 1, 50},      {999, 9, 200}, {1e15, 4, 5e14},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got = ticks_nice_step(cases[i].range, cases[i].target);
        CU_ASSERT_DOUBLE_EQUAL(got, cases[i].step, cases[i].step * 1e-9);
        /* Never more intervals than asked for. */
        CU_ASSERT(cases[i].range / got <= cases[i].target + 1e-9);
        double m = got / pow(10, floor(log10(got) + 1e-12));
        CU_ASSERT(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9);
    }
}

static void degenerate_ranges_give_a_usable_step(void)
{
    CU_ASSERT_DOUBLE_EQUAL(ticks_nice_step(0, 5), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(ticks_nice_step(-3, 5), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(ticks_nice_step(NAN, 5), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(ticks_nice_step(10, 0), 10, 1e-12);
}

static void byte_steps_are_powers_of_two(void)
{
    CU_ASSERT_DOUBLE_EQUAL(ticks_binary_step(3.0 * 1073741824, 6), 536870912, 0); /* 512 MiB */
    CU_ASSERT_DOUBLE_EQUAL(ticks_binary_step(1536, 6), 256, 0);
    CU_ASSERT_DOUBLE_EQUAL(ticks_binary_step(262144, 8), 32768, 0); /* 32 KiB */
    CU_ASSERT_DOUBLE_EQUAL(ticks_binary_step(3, 6), 0.5, 1e-12);    /* below 1: 1-2-5 */
}

static void time_steps_are_clock_friendly(void)
{
    static const struct {
        double span;
        int target;
        double step;
    } cases[] = {
        {60, 6, 10},
        {90, 6, 15},
        {3600, 6, 600},
        {1200, 6, 300},
        {10800, 8, 1800},
        {86400, 6, 21600},
        {86400, 12, 7200},
        {7 * 86400, 6, 172800},
        {2, 6, 0.5},
        {0.08, 4, 0.02},
        {200, 8, 30},
        {14 * 86400, 3, 604800},
        {365 * 86400, 6, 5 * 2419200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CU_ASSERT_DOUBLE_EQUAL(ticks_time_step(cases[i].span, cases[i].target), cases[i].step,
                               1e-9);
}

static void linear_ticks_include_both_ends_and_exact_zero(void)
{
    double v[64];
    size_t n = ticks_linear(0, 1, 0.2, 0, v, 64);
    CU_ASSERT_EQUAL(n, 6);
    CU_ASSERT_DOUBLE_EQUAL(v[5], 1.0, 1e-12);
    n = ticks_linear(-1, 1, 0.1, 0, v, 64);
    CU_ASSERT_EQUAL(n, 21);
    CU_ASSERT_EQUAL(v[10], 0.0); /* exactly zero, not 1e-17 */
    CU_ASSERT(!signbit(v[10]));
    n = ticks_linear(0.05, 1.07, 0.2, 0, v, 64);
    CU_ASSERT_EQUAL(n, 5); /* 0.2 .. 1.0 */
    CU_ASSERT_DOUBLE_EQUAL(v[0], 0.2, 1e-12);
    CU_ASSERT_EQUAL(ticks_linear(0, 1e9, 1, 0, v, 64), 64); /* bounded by cap */
}

static void time_ticks_fall_on_round_local_times(void)
{
    double v[64];
    /* From 00:17 local (+02:00) for six hours: ticks on the local hour. */
    size_t n = ticks_linear(LOCAL_MIDNIGHT + 1020, LOCAL_MIDNIGHT + 6 * 3600, 3600, 7200, v, 64);
    CU_ASSERT_EQUAL(n, 6);
    CU_ASSERT_DOUBLE_EQUAL(v[0], LOCAL_MIDNIGHT + 3600, 0);
    /* Day steps: on local midnight, not UTC midnight. */
    n = ticks_linear(LOCAL_MIDNIGHT - 3600, LOCAL_MIDNIGHT + 3 * 86400, 86400, 7200, v, 64);
    CU_ASSERT_DOUBLE_EQUAL(v[0], LOCAL_MIDNIGHT, 0);
    CU_ASSERT_EQUAL(n, 4);
    /* +05:30: 15-minute steps still land on :00/:15/:30/:45 local. */
    n = ticks_linear(LOCAL_MIDNIGHT + 100, LOCAL_MIDNIGHT + 3600, 900, 19800, v, 64);
    CU_ASSERT(n >= 3);
    CU_ASSERT_DOUBLE_EQUAL(fmod(v[0] + 19800, 900), 0, 1e-6);
}

static void log_ticks_use_decades_or_1_2_5(void)
{
    double v[64], minor[256];
    size_t nm;
    size_t n = ticks_log(LADDER_DECIMAL, 1, 1e9, 10, v, 64, minor, 256, &nm);
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_DOUBLE_EQUAL(v[3], 1000, 1e-9);
    CU_ASSERT(nm > 0); /* 2..9 x 10^k */
    n = ticks_log(LADDER_DECIMAL, 1, 1e9, 5, v, 64, minor, 256, &nm);
    CU_ASSERT(n <= 5 && n >= 3); /* every few decades */
    n = ticks_log(LADDER_DECIMAL, 1, 100, 8, v, 64, minor, 256, &nm);
    CU_ASSERT_EQUAL(n, 7); /* 1 2 5 10 20 50 100 */
    CU_ASSERT_DOUBLE_EQUAL(v[5], 50, 1e-9);
    n = ticks_log(LADDER_DECIMAL, 3, 7, 6, v, 64, minor, 256, &nm);
    CU_ASSERT(n >= 2); /* less than a decade still gets ticks */
    CU_ASSERT(v[0] >= 3 && v[n - 1] <= 7);
}

static void log_ticks_for_bytes_are_powers_of_1024_or_32(void)
{
    double v[64], minor[256];
    size_t nm;
    size_t n = ticks_log(LADDER_BINARY, 1, 1099511627776.0, 6, v, 64, minor, 256, &nm);
    CU_ASSERT_EQUAL(n, 5); /* 1 B, 1 KiB, 1 MiB, 1 GiB, 1 TiB */
    CU_ASSERT_DOUBLE_EQUAL(v[2], 1048576, 0);
    CU_ASSERT_EQUAL(nm, 0);
    n = ticks_log(LADDER_BINARY, 1024, 1073741824.0, 8, v, 64, minor, 256, &nm);
    CU_ASSERT_EQUAL(n, 5); /* 1 KiB, 32 KiB, 1 MiB, 32 MiB, 1 GiB */
    CU_ASSERT_DOUBLE_EQUAL(v[1], 32768, 0);
    double lo, hi;
    ticks_log_bounds(LADDER_BINARY, 1300, 700.0 * 1048576, &lo, &hi);
    CU_ASSERT_DOUBLE_EQUAL(lo, 1024, 0);
    CU_ASSERT_DOUBLE_EQUAL(hi, 1073741824.0, 0);
}

static void log_ticks_for_durations_stop_at_clock_units(void)
{
    double v[64], minor[256];
    size_t nm;
    size_t n = ticks_log(LADDER_DURATION, 1e-4, 3600, 12, v, 64, minor, 256, &nm);
    bool minute = false, ten_min = false, hour = false, odd = false;
    for (size_t i = 0; i < n; i++) {
        minute |= v[i] == 60, ten_min |= v[i] == 600, hour |= v[i] == 3600;
        odd |= v[i] == 100 || v[i] == 1000; /* "1.67 min" would be */
    }
    CU_ASSERT(minute && ten_min && hour && !odd);
    double lo, hi;
    ticks_log_bounds(LADDER_DURATION, 0.0003, 2000, &lo, &hi);
    CU_ASSERT_DOUBLE_EQUAL(lo, 1e-4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(hi, 3600, 0);
}

static const cu_test_t tests[] = {
    {"nice_steps_are_1_2_5_for_many_ranges", nice_steps_are_1_2_5_for_many_ranges},
    {"degenerate_ranges_give_a_usable_step", degenerate_ranges_give_a_usable_step},
    {"byte_steps_are_powers_of_two", byte_steps_are_powers_of_two},
    {"time_steps_are_clock_friendly", time_steps_are_clock_friendly},
    {"linear_ticks_include_both_ends_and_exact_zero",
     linear_ticks_include_both_ends_and_exact_zero},
    {"time_ticks_fall_on_round_local_times", time_ticks_fall_on_round_local_times},
    {"log_ticks_use_decades_or_1_2_5", log_ticks_use_decades_or_1_2_5},
    {"log_ticks_for_bytes_are_powers_of_1024_or_32", log_ticks_for_bytes_are_powers_of_1024_or_32},
    {"log_ticks_for_durations_stop_at_clock_units", log_ticks_for_durations_stop_at_clock_units},
    {NULL, NULL},
};

CU_MAIN("charts.ticks", tests)
