/*
 * test_format.c — values and tick labels as people write them: SI and
 * binary prefixes, bit rates, durations, clock times in a zone with the date
 * shown once, and ticks that share prefix and decimals along an axis.
 */
#include "cu_main.h"
#include "format.h"

#include <math.h>
#include <string.h>

#define LOCAL_MIDNIGHT 1795384800.0 /* 2026-11-23 00:00 at +02:00 */

static void check_value(double v, chart_format_t f, const char *unit, const char *want)
{
    char out[FORMAT_MAX];
    chart_format_value(out, sizeof out, v, f, unit);
    CU_ASSERT_STRING_EQUAL(out, want);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "\n    %g -> \"%s\", want \"%s\"", v, out, want);
}

static void si_values_use_three_digits_and_a_prefix(void)
{
    check_value(1536000, CHART_FMT_SI, "B/s", "1.5 MB/s");
    check_value(1536000.0 * 8, CHART_FMT_SI, "bit/s", "12.3 Mbit/s");
    check_value(153600, CHART_FMT_SI, "B/s", "154 kB/s");
    check_value(999, CHART_FMT_SI, "B", "999 B");
    check_value(999960, CHART_FMT_SI, "B", "1 MB"); /* not "1000 kB" */
    check_value(2e9, CHART_FMT_SI, "bit/s", "2 Gbit/s");
    check_value(0, CHART_FMT_SI, "B", "0 B");
    check_value(1500, CHART_FMT_SI, NULL, "1.5k");
    check_value(-2500000, CHART_FMT_SI, "B", "-2.5 MB");
}

static void binary_values_use_kib_mib(void)
{
    check_value(1536, CHART_FMT_BINARY, "B", "1.5 KiB");
    check_value(1048576, CHART_FMT_BINARY, "B", "1 MiB");
    check_value(4.6e9, CHART_FMT_BINARY, "B", "4.3 GiB");
    check_value(1023, CHART_FMT_BINARY, "B", "1023 B");
    check_value(1048575, CHART_FMT_BINARY, "B", "1 MiB");
}

static void durations_pick_a_readable_unit(void)
{
    check_value(0.25, CHART_FMT_DURATION, NULL, "250 ms");
    check_value(0.0000031, CHART_FMT_DURATION, NULL, "3.1 \xC2\xB5s");
    check_value(2, CHART_FMT_DURATION, NULL, "2 s");
    check_value(90, CHART_FMT_DURATION, NULL, "1.5 min");
    check_value(7200, CHART_FMT_DURATION, NULL, "2 h");
    check_value(3 * 86400, CHART_FMT_RELTIME, NULL, "3 d");
    check_value(0, CHART_FMT_DURATION, NULL, "0 s");
}

static void plain_numbers_group_thousands(void)
{
    check_value(12000, CHART_FMT_NUMBER, NULL, "12,000");
    check_value(-1234567.5, CHART_FMT_NUMBER, NULL, "-1.2M");
    check_value(999999, CHART_FMT_NUMBER, NULL, "999,999");
    check_value(2.5, CHART_FMT_NUMBER, NULL, "2.5");
    check_value(0.256, CHART_FMT_NUMBER, NULL, "0.26");
    check_value(15, CHART_FMT_NUMBER, "pkt/s", "15 pkt/s");
    check_value(NAN, CHART_FMT_NUMBER, NULL, "n/a");
    check_value(INFINITY, CHART_FMT_SI, "B", "n/a");
}

static void clock_time_in_a_fixed_zone(void)
{
    char out[64];
    CU_ASSERT_STRING_EQUAL(chart_format_time(out, sizeof out, LOCAL_MIDNIGHT, 7200),
                           "2026-11-23 00:00:00");
    CU_ASSERT_STRING_EQUAL(chart_format_time(out, sizeof out, LOCAL_MIDNIGHT, 0),
                           "2026-11-22 22:00:00");
    check_value(LOCAL_MIDNIGHT + 0.9, CHART_FMT_TIME, NULL, "2026-11-22 22:00:00");
}

/* Labels of ticks v[0..n-1] with format f. */
static void labels(const double *v, size_t n, double step, chart_format_t f, const char *unit,
                   bool log, int tz, char out[][FORMAT_MAX])
{
    tick_style_t ts;
    format_tick_style(&ts, f, unit, log, v, n, step, tz);
    for (size_t i = 0; i < n; i++)
        format_tick(&ts, v[i], out[i], FORMAT_MAX);
}

static void ticks_share_prefix_and_decimals(void)
{
    double v[] = {0, 5e5, 1e6, 1.5e6};
    char out[4][FORMAT_MAX];
    labels(v, 4, 5e5, CHART_FMT_SI, "B/s", false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "0");
    CU_ASSERT_STRING_EQUAL(out[1], "0.5 MB/s");
    CU_ASSERT_STRING_EQUAL(out[2], "1.0 MB/s");
    CU_ASSERT_STRING_EQUAL(out[3], "1.5 MB/s");
    double neg[] = {-1e5, -5e4, 0};
    labels(neg, 3, 5e4, CHART_FMT_SI, "B/s", false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "\xE2\x88\x92"
                                   "100 kB/s"); /* U+2212 minus */
    double w[] = {0, 20000, 40000};
    labels(w, 3, 20000, CHART_FMT_NUMBER, NULL, false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[2], "40,000");
    double b[] = {0, 536870912, 1073741824, 1610612736};
    labels(b, 4, 536870912, CHART_FMT_BINARY, "B", false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[1], "0.5 GiB");
    CU_ASSERT_STRING_EQUAL(out[3], "1.5 GiB");
}

static void relative_time_ticks_read_as_seconds_or_minutes(void)
{
    double v[] = {0, 0.5, 1, 1.5, 2};
    char out[5][FORMAT_MAX];
    labels(v, 5, 0.5, CHART_FMT_RELTIME, NULL, false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "0 s");
    CU_ASSERT_STRING_EQUAL(out[1], "0.5 s");
    CU_ASSERT_STRING_EQUAL(out[2], "1.0 s");
    double m[] = {0, 300, 600};
    labels(m, 3, 300, CHART_FMT_RELTIME, NULL, false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[1], "5 min");
    double s[] = {60, 90, 120};
    labels(s, 3, 30, CHART_FMT_RELTIME, NULL, false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[1], "90 s");
    double ms[] = {0, 0.02, 0.04};
    labels(ms, 3, 0.02, CHART_FMT_DURATION, NULL, false, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "0 ms");
    CU_ASSERT_STRING_EQUAL(out[2], "40 ms");
}

static void log_ticks_carry_their_own_prefix(void)
{
    double v[] = {1, 32768, 1073741824};
    char out[4][FORMAT_MAX];
    labels(v, 3, 0, CHART_FMT_BINARY, "B", true, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "1 B");
    CU_ASSERT_STRING_EQUAL(out[1], "32 KiB");
    CU_ASSERT_STRING_EQUAL(out[2], "1 GiB");
    double d[] = {0.001, 60, 600, 3600};
    labels(d, 4, 0, CHART_FMT_DURATION, NULL, true, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "1 ms");
    CU_ASSERT_STRING_EQUAL(out[1], "1 min");
    CU_ASSERT_STRING_EQUAL(out[2], "10 min");
    CU_ASSERT_STRING_EQUAL(out[3], "1 h");
    double n[] = {1000, 1e6};
    labels(n, 2, 0, CHART_FMT_NUMBER, NULL, true, 0, out);
    CU_ASSERT_STRING_EQUAL(out[0], "1,000");
    CU_ASSERT_STRING_EQUAL(out[1], "1M");
}

static void time_ticks_show_the_date_once(void)
{
    /* 22:00 .. 02:00 local: the date under the first tick and at midnight. */
    double v[] = {LOCAL_MIDNIGHT - 7200, LOCAL_MIDNIGHT - 3600, LOCAL_MIDNIGHT,
                  LOCAL_MIDNIGHT + 3600};
    tick_style_t ts;
    format_tick_style(&ts, CHART_FMT_TIME, NULL, false, v, 4, 3600, 7200);
    char out[FORMAT_MAX], date[FORMAT_MAX];
    format_tick(&ts, v[0], out, sizeof out);
    format_tick_date(&ts, v[0], v[0], true, date, sizeof date);
    CU_ASSERT_STRING_EQUAL(out, "22:00");
    CU_ASSERT_STRING_EQUAL(date, "2026-11-22");
    format_tick_date(&ts, v[1], v[0], false, date, sizeof date);
    CU_ASSERT_STRING_EQUAL(date, "");
    format_tick(&ts, v[2], out, sizeof out);
    format_tick_date(&ts, v[2], v[1], false, date, sizeof date);
    CU_ASSERT_STRING_EQUAL(out, "00:00");
    CU_ASSERT_STRING_EQUAL(date, "2026-11-23");
    /* The same instant in UTC. */
    format_tick_style(&ts, CHART_FMT_TIME, NULL, false, v, 4, 3600, 0);
    format_tick(&ts, v[2], out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "22:00");
}

static void time_ticks_follow_the_step(void)
{
    double v[] = {LOCAL_MIDNIGHT, LOCAL_MIDNIGHT + 86400};
    tick_style_t ts;
    char out[FORMAT_MAX], date[FORMAT_MAX];
    format_tick_style(&ts, CHART_FMT_TIME, NULL, false, v, 2, 86400, 7200);
    format_tick(&ts, v[1], out, sizeof out);
    format_tick_date(&ts, v[0], v[0], true, date, sizeof date);
    CU_ASSERT_STRING_EQUAL(out, "Nov 24");
    CU_ASSERT_STRING_EQUAL(date, "2026");
    double s[] = {LOCAL_MIDNIGHT + 5, LOCAL_MIDNIGHT + 10};
    format_tick_style(&ts, CHART_FMT_TIME, NULL, false, s, 2, 5, 7200);
    format_tick(&ts, s[1], out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "00:00:10");
    double f[] = {LOCAL_MIDNIGHT + 0.25, LOCAL_MIDNIGHT + 0.5};
    format_tick_style(&ts, CHART_FMT_TIME, NULL, false, f, 2, 0.25, 7200);
    format_tick(&ts, f[0], out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "00:00:00.25");
}

static void labels_never_overflow_small_buffers(void)
{
    char tiny[6];
    chart_format_value(tiny, sizeof tiny, 123456789, CHART_FMT_SI, "bit/s");
    CU_ASSERT_EQUAL(strlen(tiny), 5);
    char none[1] = {'x'};
    chart_format_value(none, 0, 1, CHART_FMT_SI, "B"); /* len 0: untouched */
    CU_ASSERT_EQUAL(none[0], 'x');
}

static const cu_test_t tests[] = {
    {"si_values_use_three_digits_and_a_prefix", si_values_use_three_digits_and_a_prefix},
    {"binary_values_use_kib_mib", binary_values_use_kib_mib},
    {"durations_pick_a_readable_unit", durations_pick_a_readable_unit},
    {"plain_numbers_group_thousands", plain_numbers_group_thousands},
    {"clock_time_in_a_fixed_zone", clock_time_in_a_fixed_zone},
    {"ticks_share_prefix_and_decimals", ticks_share_prefix_and_decimals},
    {"relative_time_ticks_read_as_seconds_or_minutes",
     relative_time_ticks_read_as_seconds_or_minutes},
    {"log_ticks_carry_their_own_prefix", log_ticks_carry_their_own_prefix},
    {"time_ticks_show_the_date_once", time_ticks_show_the_date_once},
    {"time_ticks_follow_the_step", time_ticks_follow_the_step},
    {"labels_never_overflow_small_buffers", labels_never_overflow_small_buffers},
    {NULL, NULL},
};

CU_MAIN("charts.format", tests)
