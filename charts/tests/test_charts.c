/* test_charts.c — tick choice, unit formatting, downsampling, rendering. */
#include "charts.h"
#include "cu_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void nice_steps_are_1_2_5(void)
{
    CU_ASSERT_DOUBLE_EQUAL(chart_nice_step(100, 5), 20, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_nice_step(1, 5), 0.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(chart_nice_step(7, 6), 1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(chart_nice_step(3600, 6), 500, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_nice_step(0.003, 6), 0.0005, 1e-12);
}

static void time_steps_are_clock_friendly(void)
{
    CU_ASSERT_DOUBLE_EQUAL(chart_time_step(60, 6), 10, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_time_step(3600, 6), 600, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_time_step(86400, 6), 21600, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_time_step(7 * 86400, 6), 172800, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(chart_time_step(2, 6), 0.5, 1e-12);
}

static void units_format_like_people_write_them(void)
{
    char b[32];
    chart_format(1536000, UNITS_BYTES, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "1.5 MB");
    chart_format(1500000, UNITS_BITRATE, b, sizeof b); /* bytes/s -> bits */
    CU_ASSERT_STRING_EQUAL(b, "12 Mbit/s");
    chart_format(0.25, UNITS_SECONDS, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "250 ms");
    chart_format(999, UNITS_BYTES, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "999 B");
    chart_format(250000, UNITS_PLAIN, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "250k");
}

static void downsampling_keeps_every_extreme(void)
{
    size_t n = 1000000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i, y[i] = sin((double)i / 1000.0);
    y[123457] = 50;  /* a one-sample spike */
    y[876543] = -50;
    double *ox = malloc(2000 * sizeof *ox), *oy = malloc(2000 * sizeof *oy);
    size_t k = chart_downsample(x, y, n, 1000, ox, oy);
    CU_ASSERT_TRUE(k <= 2000);
    double hi = -INFINITY, lo = INFINITY;
    for (size_t i = 0; i < k; i++)
        hi = fmax(hi, oy[i]), lo = fmin(lo, oy[i]);
    CU_ASSERT_DOUBLE_EQUAL(hi, 50, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(lo, -50, 1e-12);
    for (size_t i = 1; i < k; i++)
        CU_ASSERT_TRUE(ox[i] > ox[i - 1]);
    free(x), free(y), free(ox), free(oy);
}

static void renders_png_of_the_asked_size_and_a_pdf(void)
{
    chart_t *c = chart_new(CHART_LINE, "Test");
    double x[3] = {1700000000, 1700000060, 1700000120}, y[3] = {1, 5, 2};
    chart_x_axis(c, "Time", UNITS_PLAIN, true, false);
    chart_y_axis(c, "Rate", UNITS_BITRATE, false);
    chart_add_series(c, "tcp", x, y, 3);
    CU_ASSERT_EQUAL(chart_render_png(c, "/tmp/pcapcase-chart-test.png", 640, 360), 0);
    CU_ASSERT_EQUAL(chart_render_pdf(c, "/tmp/pcapcase-chart-test.pdf", 640, 360), 0);
    FILE *f = fopen("/tmp/pcapcase-chart-test.png", "rb");
    unsigned char h[24];
    CU_ASSERT_EQUAL(fread(h, 1, 24, f), 24);
    fclose(f);
    CU_ASSERT_EQUAL(memcmp(h, "\x89PNG", 4), 0);
    CU_ASSERT_EQUAL((h[16] << 24 | h[17] << 16 | h[18] << 8 | h[19]), 640); /* IHDR width */
    CU_ASSERT_EQUAL((h[20] << 24 | h[21] << 16 | h[22] << 8 | h[23]), 360);
    f = fopen("/tmp/pcapcase-chart-test.pdf", "rb");
    char p[5] = "";
    CU_ASSERT_EQUAL(fread(p, 1, 4, f), 4);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(p, "%PDF");
    chart_free(c);
    remove("/tmp/pcapcase-chart-test.png");
    remove("/tmp/pcapcase-chart-test.pdf");
}

static void empty_chart_still_renders(void)
{
    chart_t *c = chart_new(CHART_BARS, "Nothing here");
    chart_empty_note(c, "No beacons found");
    CU_ASSERT_EQUAL(chart_render_png(c, "/tmp/pcapcase-chart-empty.png", 400, 300), 0);
    chart_free(c);
    remove("/tmp/pcapcase-chart-empty.png");
}

static const cu_test_t tests[] = {
    {"nice_steps_are_1_2_5", nice_steps_are_1_2_5},
    {"time_steps_are_clock_friendly", time_steps_are_clock_friendly},
    {"units_format_like_people_write_them", units_format_like_people_write_them},
    {"downsampling_keeps_every_extreme", downsampling_keeps_every_extreme},
    {"renders_png_of_the_asked_size_and_a_pdf", renders_png_of_the_asked_size_and_a_pdf},
    {"empty_chart_still_renders", empty_chart_still_renders},
    {NULL, NULL}};

CU_MAIN("charts", tests)
