/*
 * test_dots.c — dots stamped into pixels (dots.c) against the same dots
 * filled by cairo: the same ink, the same place, overlaps that darken as
 * OVER does, the clip kept (its fractional edges too), and every target the
 * stamp cannot serve left to cairo untouched.
 */
#include "cu_main.h"
#include "dots.h"
#include "palette.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define W 64
#define H 48
#define RGB 0x1F77B4u
#define ALPHA 0.65

static const dots_clip_t all = {-1e9, -1e9, 1e9, 1e9};

static cairo_surface_t *white(cairo_format_t fmt)
{
    cairo_surface_t *s = cairo_image_surface_create(fmt, W, H);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    return s;
}

/* The same dots filled by cairo, one by one, as draw_series.c did. */
static void cairo_dots(cairo_t *cr, const double *x, const double *y, size_t n, double r,
                       double alpha)
{
    palette_source(cr, RGB, alpha);
    for (size_t i = 0; i < n; i++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, x[i], y[i], r, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

static uint32_t px(cairo_surface_t *s, int x, int y)
{
    cairo_surface_flush(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    return ((const uint32_t *)(const void *)(d + y * cairo_image_surface_get_stride(s)))[x] &
           0xFFFFFF;
}

/* Ink: the sum over pixels of how far the red channel is below white. */
static double ink(cairo_surface_t *s, double *cx, double *cy)
{
    double sum = 0, sx = 0, sy = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = 255 - (double)(px(s, x, y) >> 16);
            sum += v, sx += v * (x + 0.5), sy += v * (y + 0.5);
        }
    if (cx)
        *cx = sum > 0 ? sx / sum : 0, *cy = sum > 0 ? sy / sum : 0;
    return sum;
}

static int max_diff(cairo_surface_t *a, cairo_surface_t *b)
{
    int m = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 24; c += 8) {
                int d = abs((int)((px(a, x, y) >> c) & 0xFF) - (int)((px(b, x, y) >> c) & 0xFF));
                m = d > m ? d : m;
            }
    return m;
}

/* One dot at several sub-pixel positions and two scales: the ink and its
 * centre match cairo's to within 3 % and 0.075 pixel (centres are rounded
 * to an eighth of a pixel), and no
 * pixel is more than a fifth of full scale away (the disc's edge). */
static void a_dot_is_cairos_dot(void)
{
    const double pos[][2] = {{20, 20}, {20.3, 19.6}, {31.77, 22.12}, {40.5, 30.5}};
    for (int scale = 1; scale <= 2; scale++)
        for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
            double x = pos[i][0] / scale, y = pos[i][1] / scale;
            cairo_surface_t *a = white(CAIRO_FORMAT_RGB24), *b = white(CAIRO_FORMAT_RGB24);
            cairo_t *ca = cairo_create(a), *cb = cairo_create(b);
            cairo_scale(ca, scale, scale), cairo_scale(cb, scale, scale);
            CU_ASSERT_EQUAL(dots_stamp(ca, &x, &y, 1, 2.6, RGB, ALPHA, &all), 0);
            cairo_dots(cb, &x, &y, 1, 2.6, ALPHA);
            cairo_destroy(ca), cairo_destroy(cb);
            double ax, ay, bx, by, ia = ink(a, &ax, &ay), ib = ink(b, &bx, &by);
            CU_ASSERT(ib > 0 && fabs(ia - ib) / ib < 0.03);
            CU_ASSERT(fabs(ax - bx) < 0.075 && fabs(ay - by) < 0.075);
            CU_ASSERT(fabs(ax - pos[i][0]) < 0.07 && fabs(ay - pos[i][1]) < 0.07);
            CU_ASSERT(max_diff(a, b) <= 50);
            cairo_surface_destroy(a), cairo_surface_destroy(b);
        }
}

/* The centre of a dot is fully covered: white under OVER at 0.65 once, and
 * twice for two dots on one spot, as cairo gives (to one level). */
static void overlaps_darken_as_over_does(void)
{
    double x[] = {30.5, 30.5}, y[] = {20.5, 20.5};
    for (size_t n = 1; n <= 2; n++) {
        cairo_surface_t *a = white(CAIRO_FORMAT_RGB24), *b = white(CAIRO_FORMAT_RGB24);
        cairo_t *ca = cairo_create(a), *cb = cairo_create(b);
        CU_ASSERT_EQUAL(dots_stamp(ca, x, y, n, 2.6, RGB, ALPHA, &all), 0);
        cairo_dots(cb, x, y, n, 2.6, ALPHA);
        cairo_destroy(ca), cairo_destroy(cb);
        uint32_t pa = px(a, 30, 20), pb = px(b, 30, 20);
        double keep = pow(1 - ALPHA, (double)n);
        int want_r = (int)lround(0x1F * (1 - keep) + 255 * keep);
        CU_ASSERT(abs((int)(pa >> 16) - want_r) <= 1);
        for (int c = 0; c < 24; c += 8)
            CU_ASSERT(abs((int)((pa >> c) & 0xFF) - (int)((pb >> c) & 0xFF)) <= 1);
        cairo_surface_destroy(a), cairo_surface_destroy(b);
    }
}

/* Nothing outside the clip rectangle; a pixel the clip cuts in half gets
 * about half the paint; a dot wholly outside or at NaN paints nothing. */
static void the_clip_holds(void)
{
    cairo_surface_t *a = white(CAIRO_FORMAT_ARGB32), *b = white(CAIRO_FORMAT_ARGB32);
    cairo_t *ca = cairo_create(a), *cb = cairo_create(b);
    const dots_clip_t clip = {10, 10, 30.5, 30};
    cairo_rectangle(ca, 10, 10, 20.5, 20), cairo_clip(ca);
    cairo_rectangle(cb, 10, 10, 20.5, 20), cairo_clip(cb);
    double x[] = {30, 10, 60, NAN, 20}, y[] = {20, 10, 40, 5, NAN};
    CU_ASSERT_EQUAL(dots_stamp(ca, x, y, 5, 4, RGB, 1.0, &clip), 0);
    cairo_dots(cb, x, y, 2, 4, 1.0); /* the two that are inside */
    cairo_destroy(ca), cairo_destroy(cb);
    for (int yy = 0; yy < H; yy++)
        for (int xx = 0; xx < W; xx++)
            if (xx < 10 || xx > 30 || yy < 10 || yy >= 30)
                CU_ASSERT_EQUAL(px(a, xx, yy), 0xFFFFFF);
    unsigned half = px(a, 30, 20) >> 16; /* column 30 is half inside */
    CU_ASSERT(half > 0x1F + 80 && half < 255 - 80);
    CU_ASSERT(abs((int)half - (int)(px(b, 30, 20) >> 16)) <= 8);
    CU_ASSERT_EQUAL(px(a, 29, 20), RGB); /* opaque, wholly inside */
    CU_ASSERT(fabs(ink(a, NULL, NULL) - ink(b, NULL, NULL)) / ink(b, NULL, NULL) < 0.03);
    cairo_surface_destroy(a), cairo_surface_destroy(b);
}

/* What the stamp cannot serve it leaves alone and says so. */
static void other_targets_are_left_to_cairo(void)
{
    double x = 20, y = 20;
    cairo_surface_t *a = white(CAIRO_FORMAT_RGB24);
    cairo_t *cr = cairo_create(a);
    cairo_rotate(cr, 0.3); /* a rotation */
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_identity_matrix(cr);
    cairo_scale(cr, 2, 1); /* a scale that is not uniform */
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_identity_matrix(cr);
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 0.1, RGB, ALPHA, &all), -1); /* too small */
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 40, RGB, ALPHA, &all), -1);  /* too large */
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    cairo_push_group(cr);
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_pattern_destroy(cairo_pop_group(cr));
    cairo_destroy(cr);
    CU_ASSERT_EQUAL(ink(a, NULL, NULL), 0);
    cairo_surface_destroy(a);
    cairo_surface_t *a8 = cairo_image_surface_create(CAIRO_FORMAT_A8, W, H);
    cr = cairo_create(a8);
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_destroy(cr);
    cairo_surface_destroy(a8);
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cr = cairo_create(rec);
    CU_ASSERT_EQUAL(dots_stamp(cr, &x, &y, 1, 2.6, RGB, ALPHA, &all), -1);
    cairo_destroy(cr);
    cairo_surface_destroy(rec);
}

static const cu_test_t tests[] = {
    {"a_dot_is_cairos_dot", a_dot_is_cairos_dot},
    {"overlaps_darken_as_over_does", overlaps_darken_as_over_does},
    {"the_clip_holds", the_clip_holds},
    {"other_targets_are_left_to_cairo", other_targets_are_left_to_cairo},
    {NULL, NULL},
};

CU_MAIN("charts.dots", tests)
