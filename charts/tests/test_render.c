/*
 * test_render.c — rendering: PNG files of the asked pixel size, PDFs and
 * SVGs that are documents, byte-identical output for the same chart, the
 * note of an empty chart, hostile labels, and clean failures (bad sizes,
 * unwritable paths, API misuse) that leave no files behind.
 */
#include "chart_internal.h"
#include "cu_main.h"
#include "frame.h"
#include "text.h"
#include "theme.h"

#include <cairo.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char out_dir[1024];

static const char *path_for(const char *name)
{
    static char p[2048];
    const char *base = getenv("CHARTS_TEST_DIR");
    snprintf(out_dir, sizeof out_dir, "%s", base && base[0] ? base : "/tmp/charts-test-output");
    mkdir(out_dir, 0755);
    snprintf(p, sizeof p, "%s/%s", out_dir, name);
    return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A small but complete chart of every feature. */
static chart_t *sample_chart(void)
{
    enum { N = 500 };
    double x[N], y[N], y2[N];
    for (int i = 0; i < N; i++)
        x[i] = 1795384800.0 + i * 60, y[i] = 1e6 * (1 + sin(i / 30.0)), y2[i] = 0.02 + i * 1e-5;
    chart_t *c = chart_new(CHART_LINE, "Throughput");
    chart_set_subtitle(c, "test");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_axis(c, CHART_Y, "Rate", CHART_FMT_SI, "bit/s");
    chart_set_axis(c, CHART_Y2, "RTT", CHART_FMT_DURATION, NULL);
    chart_set_time_zone(c, 7200, "+02:00");
    chart_add_series(c, "rate", x, y, N);
    int id = chart_add_series(c, "rtt", x, y2, N);
    chart_series_set_axis(c, id, CHART_Y2);
    chart_add_points(c, "events", x + 10, y + 10, 3, CHART_SHAPE_CROSS, CHART_RED);
    chart_add_vline(c, x[250], "change");
    chart_add_hline(c, CHART_Y, 1e6, "mean");
    return c;
}

static void png_has_the_asked_pixel_size(void)
{
    chart_t *c = sample_chart();
    const char *p = path_for("size.png");
    CU_ASSERT_EQUAL_FATAL(chart_render_png(c, p, 640, 360), 0);
    size_t len;
    unsigned char *b = slurp(p, &len);
    CU_ASSERT_FATAL(b != NULL && len > 33);
    CU_ASSERT(memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0);
    CU_ASSERT(memcmp(b + 12, "IHDR", 4) == 0);
    CU_ASSERT_EQUAL(be32(b + 16), 640);
    CU_ASSERT_EQUAL(be32(b + 20), 360);
    free(b);
    /* Scaled for high-density screens: same layout, twice the pixels. */
    p = path_for("size2x.png");
    CU_ASSERT_EQUAL(chart_render_png_scaled(c, p, 640, 360, 2.0), 0);
    cairo_surface_t *s = cairo_image_surface_create_from_png(p);
    CU_ASSERT_EQUAL(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(cairo_image_surface_get_width(s), 1280);
    CU_ASSERT_EQUAL(cairo_image_surface_get_height(s), 720);
    cairo_surface_destroy(s);
    chart_free(c);
}

static void pdf_and_svg_are_documents(void)
{
    chart_t *c = sample_chart();
    const char *p = path_for("doc.pdf");
    CU_ASSERT_EQUAL_FATAL(chart_render_pdf(c, p, 842, 365), 0);
    size_t len;
    unsigned char *b = slurp(p, &len);
    CU_ASSERT_FATAL(b != NULL && len > 100);
    CU_ASSERT(memcmp(b, "%PDF-", 5) == 0);
    b[len] = '\0';
    CU_ASSERT(strstr((char *)b + len - 16, "%%EOF") != NULL);
    free(b);
    p = path_for("doc.svg");
    CU_ASSERT_EQUAL_FATAL(chart_render_svg(c, p, 960, 420), 0);
    b = slurp(p, &len);
    CU_ASSERT_FATAL(b != NULL);
    b[len] = '\0';
    CU_ASSERT(strncmp((char *)b, "<?xml", 5) == 0);
    CU_ASSERT(strstr((char *)b, "<svg") != NULL);
    free(b);
    chart_free(c);
}

/* The round-capped paths of an SVG: for each, the positions of its dots
 * (zero-length "M x y L x y" pieces); returns the number of paths, -1 when
 * a piece is not a dot. */
static int svg_dot_paths(const char *svg, double px[][64], double py[][64], int pn[], int max)
{
    int paths = 0;
    for (const char *q = svg; (q = strstr(q, "stroke-linecap:round;")) != NULL; q++) {
        const char *end = strstr(q, "/>"), *d = strstr(q, " d=\"");
        if (!end || !d || d > end || paths >= max)
            continue;
        d += 4;
        int n = 0;
        double x0, y0, x1, y1;
        int used;
        while (sscanf(d, "M %lf %lf L %lf %lf %n", &x0, &y0, &x1, &y1, &used) == 4) {
            if (x0 != x1 || y0 != y1 || n >= 64)
                return -1;
            px[paths][n] = x0, py[paths][n] = y0, n++;
            d += used;
        }
        pn[paths++] = n;
    }
    return paths;
}

static char *svg_of(chart_t *c)
{
    unsigned char *b = NULL;
    size_t len = 0;
    if (chart_render_svg_mem(c, 600, 300, &b, &len) != 0)
        return NULL;
    char *svg = malloc(len + 1);
    memcpy(svg, b, len), svg[len] = '\0';
    free(b);
    return svg;
}

/* In documents a scatter dot is a zero-length round-capped stroke (two
 * points), not an arc of four curves; dots that do not touch share a
 * stroke (a few strokes for thousands of dots), dots that touch never do,
 * so overlaps darken as in the PNG. */
static void document_dots_are_round_capped_points(void)
{
    enum { N = 40, SAME = 5 };
    double x[N], y[N];
    for (int i = 0; i < N; i++)
        x[i] = i, y[i] = (i * 7) % 13;
    for (int i = 0; i < SAME; i++) /* five dots on one spot */
        x[i] = 20, y[i] = 6;
    chart_t *c = chart_new(CHART_SCATTER, "dots");
    CU_ASSERT_EQUAL_FATAL(chart_add_series(c, "d", x, y, N), 0);
    char *svg = svg_of(c);
    CU_ASSERT_FATAL(svg != NULL);
    static double px[64][64], py[64][64];
    int pn[64];
    int paths = svg_dot_paths(svg, px, py, pn, 64);
    int dots = 0, on_spot_paths = 0;
    for (int k = 0; k < paths; k++) {
        dots += pn[k];
        int here = 0;
        for (int i = 0; i < pn[k]; i++)
            for (int j = 0; j < i; j++) {
                double dx = px[k][i] - px[k][j], dy = py[k][i] - py[k][j];
                CU_ASSERT(dx * dx + dy * dy >= 2 * THEME_DOT_RADIUS * 2 * THEME_DOT_RADIUS);
            }
        for (int i = 0; i < pn[k]; i++)
            here += px[k][i] == px[0][0] && py[k][i] == py[0][0];
        CU_ASSERT(here <= 1);
        on_spot_paths += here;
    }
    CU_ASSERT_EQUAL(dots, N); /* every dot drawn once */
    CU_ASSERT(paths < N / 2); /* in shared strokes */
    CU_ASSERT(paths >= SAME); /* the five on one spot in five of them */
    CU_ASSERT_EQUAL(on_spot_paths, SAME);
    free(svg);
    chart_free(c);
}

static bool same_file(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *x = slurp(a, &la), *y = slurp(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x), free(y);
    return same;
}

static void same_chart_gives_identical_bytes(void)
{
    char a[2048], b[2048];
    const char *ext[] = {"png", "pdf"};
    for (int i = 0; i < 2; i++) {
        chart_t *c1 = sample_chart(), *c2 = sample_chart();
        snprintf(a, sizeof a, "%s", path_for(i ? "same1.pdf" : "same1.png"));
        snprintf(b, sizeof b, "%s", path_for(i ? "same2.pdf" : "same2.png"));
        int r1 = i ? chart_render_pdf(c1, a, 600, 300) : chart_render_png(c1, a, 600, 300);
        int r2 = i ? chart_render_pdf(c2, b, 600, 300) : chart_render_png(c2, b, 600, 300);
        CU_ASSERT(r1 == 0 && r2 == 0);
        CU_ASSERT(same_file(a, b));
        if (!same_file(a, b))
            fprintf(stderr, "\n    %s output differs between runs", ext[i]);
        chart_free(c1);
        chart_free(c2);
    }
}

/* Share of non-white pixels in a box of an image. */
static double ink(cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
    cairo_surface_flush(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    size_t dark = 0, all = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++, all++) {
            uint32_t px;
            memcpy(&px, d + y * stride + x * 4, 4);
            dark += (px & 0xFFFFFF) != 0xFFFFFF;
        }
    return all ? (double)dark / (double)all : 0;
}

static void empty_chart_gets_a_centred_note(void)
{
    chart_t *c = chart_new(CHART_LINE, "DNS queries");
    chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
    chart_set_empty_note(c, "no DNS traffic");
    CU_ASSERT_EQUAL(chart_add_series(c, "q", NULL, NULL, 0), 0);
    CU_ASSERT(!chart_has_data(c));
    const char *p = path_for("empty.png");
    CU_ASSERT_EQUAL_FATAL(chart_render_png(c, p, 800, 400), 0);
    cairo_surface_t *s = cairo_image_surface_create_from_png(p);
    /* Text in the middle band, nothing (but the faint frame) elsewhere. */
    CU_ASSERT(ink(s, 250, 190, 550, 230) > 0.02);
    CU_ASSERT(ink(s, 100, 100, 300, 170) == 0);
    cairo_surface_destroy(s);
    /* A series of NaNs is no data either. */
    double x[] = {1, 2}, y[] = {NAN, NAN};
    chart_t *d = chart_new(CHART_LINE, NULL);
    chart_add_series(d, "n", x, y, 2);
    CU_ASSERT(!chart_has_data(d));
    CU_ASSERT_EQUAL(chart_render_png(d, path_for("nan.png"), 300, 200), 0);
    chart_free(d);
    chart_free(c);
}

static void every_kind_renders(void)
{
    double x[] = {1, 2, 3, 4, 5}, y[] = {3, 1, 4, 1, 5}, z[] = {2, 7, 1, 8, 2};
    const char *labels[] = {"a", "bb", "ccc", "dddd", "eeeee"};
    for (int k = CHART_LINE; k <= CHART_HISTOGRAM; k++) {
        chart_t *c = chart_new((chart_kind_t)k, "kind");
        if (k == CHART_HBARS) {
            CU_ASSERT(chart_add_bars(c, "a", labels, y, 5) == 0);
            CU_ASSERT(chart_add_bars(c, "b", labels, z, 5) == 1);
        } else if (k == CHART_HISTOGRAM) {
            CU_ASSERT(chart_add_series(c, "a", y, NULL, 5) == 0);
        } else {
            CU_ASSERT(chart_add_series(c, "a", x, y, 5) == 0);
            CU_ASSERT(chart_add_series(c, "b", x, z, 5) == 1);
        }
        char name[32];
        snprintf(name, sizeof name, "kind%d.png", k);
        CU_ASSERT_EQUAL(chart_render_png(c, path_for(name), 400, 300), 0);
        unsigned char *buf;
        size_t len;
        CU_ASSERT_EQUAL(chart_render_svg_mem(c, 400, 300, &buf, &len), 0);
        CU_ASSERT(len > 100);
        free(buf);
        chart_free(c);
    }
}

static void hostile_labels_render(void)
{
    const char *labels[] = {"\xff\xfe\x80 bad utf-8", "tab\there\nnewline", "",
                            "\xE2\x82", /* truncated sequence */
                            ("very long label that goes on and on and on and on and on and on "
                             "and on and on and on and on and on and on and on and on and on")};
    double v[] = {5, 4, 3, 2, 1};
    chart_t *c = chart_new(CHART_HBARS, "\xc0\xaf overlong \xed\xa0\x80 surrogate");
    CU_ASSERT_EQUAL(chart_add_bars(c, "\x01name", labels, v, 5), 0);
    CU_ASSERT_EQUAL(chart_render_png(c, path_for("hostile.png"), 500, 300), 0);
    CU_ASSERT_EQUAL(chart_render_pdf(c, path_for("hostile.pdf"), 500, 300), 0);
    chart_free(c);
    bool oom = false;
    char *s = text_sanitize("a\xff"
                            "b\x07",
                            64, &oom);
    CU_ASSERT_STRING_EQUAL(s, "a\xEF\xBF\xBD"
                              "b ");
    free(s);
    s = text_sanitize("\xE2\x82\xAC\xE2\x82\xAC", 4, &oom); /* cut at a boundary */
    CU_ASSERT_STRING_EQUAL(s, "\xE2\x82\xAC");
    free(s);
}

static void long_labels_are_shortened_in_the_middle(void)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    cairo_t *cr = cairo_create(s);
    text_font(cr, 12, false, 0);
    char out[256];
    const char *name = "10.0.0.7 (update-check.very-long-subdomain.suspicious.example)";
    CU_ASSERT(text_fit(cr, name, 200, true, out, sizeof out));
    CU_ASSERT(text_width(cr, out) <= 200);
    CU_ASSERT(strncmp(out, "10.0.0.7", 8) == 0);
    CU_ASSERT(strstr(out, "\xE2\x80\xA6") != NULL);
    CU_ASSERT(strcmp(out + strlen(out) - 8, ".example") != 0 || strlen(out) > 10);
    CU_ASSERT(!text_fit(cr, "short", 200, true, out, sizeof out));
    CU_ASSERT_STRING_EQUAL(out, "short");
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}

/* No temporary files left in the output folder. */
static bool no_temporaries(void)
{
    DIR *d = opendir(out_dir);
    struct dirent *e;
    bool clean = true;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-"))
            clean = false;
    if (d)
        closedir(d);
    return clean;
}

static void failures_are_reported_not_printed(void)
{
    chart_t *c = sample_chart();
    CU_ASSERT_EQUAL(chart_render_png(c, path_for("tiny.png"), 10, 10), -1);
    CU_ASSERT(strstr(chart_error(c), "size") != NULL);
    CU_ASSERT_EQUAL(chart_render_png(c, "/nonexistent-dir/x.png", 400, 300), -1);
    CU_ASSERT(strstr(chart_error(c), "/nonexistent-dir/x.png") != NULL);
    CU_ASSERT_EQUAL(chart_render_png_scaled(c, path_for("s.png"), 400, 300, 9), -1);
    CU_ASSERT_EQUAL(chart_render_pdf(c, path_for("ok.pdf"), 400, 300), 0);
    CU_ASSERT_STRING_EQUAL(chart_error(c), "");
    CU_ASSERT(no_temporaries());
    chart_free(c);
}

static void api_misuse_fails_cleanly(void)
{
    double x[] = {1, 2, 3}, y[] = {1, 2, 3}, x2[] = {1, 2, 4};
    chart_t *c = chart_new(CHART_HBARS, "t");
    CU_ASSERT_EQUAL(chart_add_series(c, "s", x, y, 3), -1);
    CU_ASSERT(chart_error(c)[0] != '\0');
    const char *labels[CHART_MAX_BARS + 1];
    double v[CHART_MAX_BARS + 1] = {0};
    for (int i = 0; i <= CHART_MAX_BARS; i++)
        labels[i] = "x";
    CU_ASSERT_EQUAL(chart_add_bars(c, "b", labels, v, CHART_MAX_BARS + 1), -1);
    CU_ASSERT_EQUAL(chart_add_hline(c, CHART_Y, 1, "no"), -1);
    chart_free(c);
    c = chart_new(CHART_AREA_STACKED, "t");
    CU_ASSERT_EQUAL(chart_add_series(c, "a", x, y, 3), 0);
    CU_ASSERT_EQUAL(chart_add_series(c, "b", x2, y, 3), -1); /* other x */
    CU_ASSERT_EQUAL(chart_series_set_axis(c, 0, CHART_Y2), -1);
    CU_ASSERT_EQUAL(chart_series_set_color(c, 7, CHART_RED), -1);
    CU_ASSERT_EQUAL(chart_set_axis_range(c, CHART_Y, 5, 1), -1);
    chart_free(c);
    c = chart_new(CHART_LINE, "t");
    for (int i = 0; i < CHART_MAX_SERIES; i++)
        CU_ASSERT_EQUAL(chart_add_series(c, "s", x, y, 3), i);
    CU_ASSERT_EQUAL(chart_add_series(c, "s", x, y, 3), -1);
    CU_ASSERT_EQUAL(chart_set_axis_log(c, CHART_X, 1), 0);
    CU_ASSERT_EQUAL(chart_set_axis(c, CHART_X, "t", CHART_FMT_TIME, NULL), -1);
    CU_ASSERT_EQUAL(chart_render_png(c, path_for("many.png"), 400, 300), 0);
    chart_free(c);
    chart_free(NULL);
}

static void memory_output_matches_files(void)
{
    chart_t *c = sample_chart();
    unsigned char *buf;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(chart_render_png_mem(c, 600, 300, 1.0, &buf, &len), 0);
    CU_ASSERT(len > 8 && memcmp(buf, "\x89PNG", 4) == 0);
    const char *p = path_for("mem.png");
    chart_render_png(c, p, 600, 300);
    size_t flen;
    unsigned char *f = slurp(p, &flen);
    CU_ASSERT(flen == len && memcmp(f, buf, len) == 0);
    free(f);
    free(buf);
    chart_free(c);
}

static void svg_is_stable_and_safe_to_inline(void)
{
    chart_t *c = sample_chart(), *d = chart_new(CHART_LINE, "other");
    double x[] = {1, 2}, y[] = {2, 1};
    chart_add_series(d, "s", x, y, 2);
    unsigned char *a, *b, *o;
    size_t la, lb, lo;
    CU_ASSERT_EQUAL_FATAL(chart_render_svg_mem(c, 600, 300, &a, &la), 0);
    CU_ASSERT_EQUAL_FATAL(chart_render_svg_mem(c, 600, 300, &b, &lb), 0);
    CU_ASSERT_EQUAL_FATAL(chart_render_svg_mem(d, 600, 300, &o, &lo), 0);
    CU_ASSERT(a[la] == '\0'); /* usable as a string */
    /* cairo counts surfaces per process; the output must not. */
    CU_ASSERT(la == lb && memcmp(a, b, la) == 0);
    /* Ids differ between different charts, so both can sit in one page. */
    char ida[32] = "", ido[32] = "";
    const char *pa = strstr((char *)a, "id=\""), *po = strstr((char *)o, "id=\"");
    CU_ASSERT_FATAL(pa && po);
    sscanf(pa, "id=\"%31[^-]", ida);
    sscanf(po, "id=\"%31[^-]", ido);
    CU_ASSERT(ida[0] == 'c' && strcmp(ida, ido) != 0);
    CU_ASSERT(strstr((char *)a, "href=\"#glyph") == NULL); /* all prefixed */
    free(a), free(b), free(o);
    chart_free(c);
    chart_free(d);
}

/* Lay c out on a w x h page and hand back the frame (caller frees both). */
static frame_t *layout(chart_t *c, double w, double h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    cairo_t *cr = cairo_create(s);
    frame_t *f = calloc(1, sizeof *f);
    CU_ASSERT(frame_layout(cr, c, w, h, f) == 0);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return f;
}

static void count_axes_have_whole_number_ticks(void)
{
    double x[] = {1.7, 1.8, 1.9, 2.0}, y[] = {1, 3, 2, 1};
    chart_t *c = chart_new(CHART_BARS, "counts");
    chart_add_series(c, "n", x, y, 4);
    frame_t *f = layout(c, 1200, 520);
    CU_ASSERT(f->ty.n >= 2);
    for (size_t i = 0; i < f->ty.n; i++)
        CU_ASSERT_DOUBLE_EQUAL(f->ty.v[i], round(f->ty.v[i]), 0);
    frame_free(f), free(f);
    chart_free(c);
    /* Fractional data still get fractional ticks. */
    double z[] = {0.1, 0.3, 0.2, 0.25};
    c = chart_new(CHART_LINE, "rates");
    chart_add_series(c, "r", x, z, 4);
    f = layout(c, 1200, 520);
    CU_ASSERT(f->ty.n >= 3 && f->ty.v[1] < 1);
    frame_free(f), free(f);
    chart_free(c);
}

static void legend_and_marker_labels_stay_off_the_plot(void)
{
    chart_t *c = sample_chart(); /* two series, points, a vline, an hline */
    frame_t *f = layout(c, 960, 420);
    CU_ASSERT(f->n_legend == 4); /* rate, rtt, events, mean */
    for (size_t i = 0; i < f->n_legend; i++)
        CU_ASSERT(f->legend[i].y + 12 < f->top);
    bool labelled = false;
    for (size_t i = 0; i < c->n_markers; i++)
        if (f->marker_labels[i].shown) {
            labelled = true;
            CU_ASSERT(f->marker_labels[i].y + 10 <= f->top);
        }
    CU_ASSERT(labelled);
    /* Tick labels on the x axis do not overlap. */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    cairo_t *cr = cairo_create(s);
    text_font(cr, 11.5, false, 0);
    for (size_t i = 1; i < f->tx.n; i++) {
        double a = scale_map(&f->sx, f->tx.v[i - 1]), b = scale_map(&f->sx, f->tx.v[i]);
        double wa = text_width(cr, f->tx.label[i - 1]), wb = text_width(cr, f->tx.label[i]);
        CU_ASSERT(b - a > (wa + wb) / 2);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    frame_free(f), free(f);
    chart_free(c);
}

static const cu_test_t tests[] = {
    {"count_axes_have_whole_number_ticks", count_axes_have_whole_number_ticks},
    {"legend_and_marker_labels_stay_off_the_plot", legend_and_marker_labels_stay_off_the_plot},
    {"svg_is_stable_and_safe_to_inline", svg_is_stable_and_safe_to_inline},
    {"png_has_the_asked_pixel_size", png_has_the_asked_pixel_size},
    {"pdf_and_svg_are_documents", pdf_and_svg_are_documents},
    {"document_dots_are_round_capped_points", document_dots_are_round_capped_points},
    {"same_chart_gives_identical_bytes", same_chart_gives_identical_bytes},
    {"empty_chart_gets_a_centred_note", empty_chart_gets_a_centred_note},
    {"every_kind_renders", every_kind_renders},
    {"hostile_labels_render", hostile_labels_render},
    {"long_labels_are_shortened_in_the_middle", long_labels_are_shortened_in_the_middle},
    {"failures_are_reported_not_printed", failures_are_reported_not_printed},
    {"api_misuse_fails_cleanly", api_misuse_fails_cleanly},
    {"memory_output_matches_files", memory_output_matches_files},
    {NULL, NULL},
};

CU_MAIN("charts.render", tests)
