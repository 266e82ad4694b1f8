/*
 * render.c — turning a chart into PNG, PDF or SVG bytes, in a file or in
 * memory.  One drawing routine serves all three surfaces, so the printed
 * PDF and the on-screen PNG are the same picture.
 *
 * Files are written to a temporary name in the same folder and renamed into
 * place: a crash or a full disk never leaves a half-written chart in a case.
 * PDFs get fixed creation and modification dates so the same chart gives
 * the same bytes (cairo would stamp the current time); SVGs get stable,
 * page-unique ids (svgfix.h).
 */
#include "chart_internal.h"

#include "draw.h"
#include "frame.h"
#include "svgfix.h"
#include "theme.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fixed date written into PDFs: the epoch is as neutral as any, and a
 * reader can tell at once it is not a real creation time. */
#define RENDER_PDF_DATE "1970-01-01T00:00:00Z"

/* PNG pixel scale limits: below 1/4 text is unreadable, above 4 the file is
 * huge for no gain on any screen. */
#define RENDER_MIN_SCALE 0.25
#define RENDER_MAX_SCALE 4.0

typedef enum out_kind { OUT_PNG, OUT_PDF, OUT_SVG } out_kind_t;

/* Where the bytes go: a FILE or a growing memory buffer. */
typedef struct sink {
    FILE *file;
    unsigned char *buf;
    size_t len, cap;
    bool failed;
} sink_t;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink_t *s = closure;
    if (s->failed)
        return CAIRO_STATUS_WRITE_ERROR;
    if (s->file) {
        if (fwrite(data, 1, length, s->file) != length)
            s->failed = true;
        return s->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
    }
    if (s->len + length > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + length)
            cap *= 2;
        unsigned char *nb = realloc(s->buf, cap);
        if (!nb) {
            s->failed = true;
            return CAIRO_STATUS_NO_MEMORY;
        }
        s->buf = nb, s->cap = cap;
    }
    memcpy(s->buf + s->len, data, length);
    s->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* ---- Drawing one chart on any surface ------------------------------------ */

static void set_font_options(cairo_t *cr)
{
    /* No hinting: glyph advances then match between PNG and PDF, so the
     * layout measured once is the layout drawn everywhere. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

static int draw_chart(chart_t *c, cairo_t *cr, double w, double h)
{
    frame_t *f = calloc(1, sizeof *f);
    if (!f)
        return chart_fail(c, "out of memory");
    set_font_options(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    int rc = frame_layout(cr, c, w, h, f);
    if (rc == 0) {
        draw_grid(cr, c, f);
        if (!f->empty)
            rc = draw_series(cr, c, f);
        draw_markers(cr, c, f);
        draw_axes(cr, c, f);
        draw_legend(cr, c, f);
        draw_titles(cr, f);
        if (f->empty)
            draw_empty_note(cr, c, f);
    }
    frame_free(f);
    free(f);
    if (rc == 0 && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        return chart_fail(c, "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    return rc;
}

static int check_size(chart_t *c, double w, double h)
{
    if (!(w >= CHART_MIN_SIZE && w <= CHART_MAX_SIZE && h >= CHART_MIN_SIZE && h <= CHART_MAX_SIZE))
        return chart_fail(c, "size %gx%g outside %dx%d .. %dx%d", w, h, CHART_MIN_SIZE,
                          CHART_MIN_SIZE, CHART_MAX_SIZE, CHART_MAX_SIZE);
    return 0;
}

static int surface_failed(chart_t *c, cairo_surface_t *s, const char *what)
{
    return chart_fail(c, "%s: %s", what, cairo_status_to_string(cairo_surface_status(s)));
}

static void png_sink(png_structp p, png_bytep data, size_t len)
{
    if (sink_write(png_get_io_ptr(p), data, (unsigned int)len) != CAIRO_STATUS_SUCCESS)
        png_error(p, "write failed");
}

static void png_noflush(png_structp p)
{
    (void)p;
}

/* The opaque RGB24 image as an 8-bit RGB PNG.  Cairo's own writer lets
 * libpng try every row filter at zlib's default level, and on a small case
 * that PNG compression was most of the run.  Charts are mostly flat colour
 * with horizontal structure: the Up filter alone at zlib level 4 gives files
 * within 2 % of that size in about half the time (sample case: 16 charts,
 * 530 -> 537 kB, charts phase 0.93 -> 0.5 s).  Level 3, zlib's fastest
 * strategy with its longest matches, takes about 0.6 of level 4's time for
 * 7 % more bytes (the 14 charts of the 1 GB benchmark: 906 -> 974 kB,
 * deflate 158 -> 97 ms).  Level 1 (2026-11-30, the same 14 PNGs encoded
 * every way in one run): 27 % less encoding time than level 3 (0.165 ->
 * 0.120 s) for 2.7 % more bytes (1,212 -> 1,244 kB); Z_RLE at level 1 or 3,
 * the Sub filter, or level 6 with Z_RLE were no faster than plain level 1
 * and 8-20 % larger.  The pixels are the same.  0, or -1 when writing
 * failed. */
#define PNG_ZLIB_LEVEL 1

static int encode_png(cairo_surface_t *s, sink_t *out)
{
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    unsigned char *row = malloc((size_t)w * 3);
    if (!p || !info || !row || !data) {
        png_destroy_write_struct(&p, &info);
        free(row);
        return -1;
    }
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_write_struct(&p, &info);
        free(row);
        return -1;
    }
    png_set_write_fn(p, out, png_sink, png_noflush);
    png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(p, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_set_compression_level(p, PNG_ZLIB_LEVEL);
    png_write_info(p, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *px = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            row[3 * x] = (unsigned char)(px[x] >> 16);
            row[3 * x + 1] = (unsigned char)(px[x] >> 8);
            row[3 * x + 2] = (unsigned char)px[x];
        }
        png_write_row(p, row);
    }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    return 0;
}

static int render_png(chart_t *c, sink_t *out, double w, double h, double scale)
{
    int pw = (int)lround(w * scale), ph = (int)lround(h * scale);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        int rc = surface_failed(c, s, "cannot create the image");
        cairo_surface_destroy(s);
        return rc;
    }
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, (double)pw / w, (double)ph / h);
    int rc = draw_chart(c, cr, w, h);
    cairo_destroy(cr);
    if (rc == 0) {
        if (encode_png(s, out) != 0)
            rc = chart_fail(c, "writing PNG: %s", out->failed ? "write error" : "encoder error");
    }
    cairo_surface_destroy(s);
    return rc;
}

static cairo_surface_t *vector_surface(chart_t *c, out_kind_t kind, sink_t *out, double w, double h)
{
    if (kind == OUT_SVG)
        return cairo_svg_surface_create_for_stream(sink_write, out, w, h);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(sink_write, out, w, h);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, RENDER_PDF_DATE);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, RENDER_PDF_DATE);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "pcapcase charts");
    if (c->title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, c->title);
    return s;
}

static int render_vector(chart_t *c, out_kind_t kind, sink_t *out, double w, double h)
{
    cairo_surface_t *s = vector_surface(c, kind, out, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        int rc = surface_failed(c, s, "cannot create the document");
        cairo_surface_destroy(s);
        return rc;
    }
    cairo_t *cr = cairo_create(s);
    int rc = draw_chart(c, cr, w, h);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = surface_failed(c, s, kind == OUT_SVG ? "writing SVG" : "writing PDF");
    cairo_surface_destroy(s);
    return rc;
}

/* SVG goes through memory first, to get stable, page-unique ids. */
static int render_svg(chart_t *c, sink_t *out, double w, double h)
{
    sink_t raw = {0};
    int rc = render_vector(c, OUT_SVG, &raw, w, h);
    if (rc == 0 && raw.failed)
        rc = chart_fail(c, "out of memory writing SVG");
    size_t len = 0;
    unsigned char *fixed = rc == 0 ? svgfix_ids(raw.buf, raw.len, &len) : NULL;
    free(raw.buf);
    if (rc == 0 && !fixed)
        rc = chart_fail(c, "out of memory writing SVG");
    if (rc == 0 && sink_write(out, fixed, (unsigned)len) != CAIRO_STATUS_SUCCESS)
        rc = chart_fail(c, "writing SVG failed");
    free(fixed);
    return rc;
}

static int render_to(chart_t *c, out_kind_t kind, sink_t *out, double w, double h, double scale)
{
    c->error[0] = '\0';
    if (check_size(c, w, h) != 0)
        return -1;
    if (kind == OUT_PNG)
        return render_png(c, out, w, h, scale);
    if (kind == OUT_SVG)
        return render_svg(c, out, w, h);
    return render_vector(c, kind, out, w, h);
}

/* ---- Files: temporary name, then rename ------------------------------------ */

static int render_file(chart_t *c, out_kind_t kind, const char *path, double w, double h,
                       double scale)
{
    if (!path || !path[0])
        return chart_fail(c, "no output path");
    size_t len = strlen(path) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(len);
    if (!tmp)
        return chart_fail(c, "out of memory");
    snprintf(tmp, len, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = chart_fail(c, "%s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    fchmod(fd, 0644); /* like every other file in a case (mkstemp gives 0600) */
    sink_t out = {.file = fdopen(fd, "wb")};
    if (!out.file) {
        close(fd);
        unlink(tmp);
        free(tmp);
        return chart_fail(c, "%s: %s", path, strerror(errno));
    }
    int rc = render_to(c, kind, &out, w, h, scale);
    if (fclose(out.file) != 0 && rc == 0)
        rc = chart_fail(c, "%s: %s", path, strerror(errno));
    if (rc == 0 && out.failed)
        rc = chart_fail(c, "%s: write failed", path);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = chart_fail(c, "%s: %s", path, strerror(errno));
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int check_scale(chart_t *c, double scale)
{
    if (!(scale >= RENDER_MIN_SCALE && scale <= RENDER_MAX_SCALE))
        return chart_fail(c, "scale %g outside %g .. %g", scale, RENDER_MIN_SCALE,
                          RENDER_MAX_SCALE);
    return 0;
}

int chart_render_png(chart_t *c, const char *path, int width, int height)
{
    return render_file(c, OUT_PNG, path, width, height, 1.0);
}

int chart_render_png_scaled(chart_t *c, const char *path, int width, int height, double scale)
{
    if (check_scale(c, scale) != 0)
        return -1;
    if ((double)width * scale > CHART_MAX_SIZE || (double)height * scale > CHART_MAX_SIZE)
        return chart_fail(c, "scaled size over %d pixels", CHART_MAX_SIZE);
    return render_file(c, OUT_PNG, path, width, height, scale);
}

int chart_render_pdf(chart_t *c, const char *path, double width_pt, double height_pt)
{
    return render_file(c, OUT_PDF, path, width_pt, height_pt, 1.0);
}

int chart_render_svg(chart_t *c, const char *path, double width_pt, double height_pt)
{
    return render_file(c, OUT_SVG, path, width_pt, height_pt, 1.0);
}

/* ---- Memory ------------------------------------------------------------------ */

static int render_mem(chart_t *c, out_kind_t kind, double w, double h, double scale,
                      unsigned char **out, size_t *out_len)
{
    if (!out || !out_len)
        return chart_fail(c, "no output buffer");
    *out = NULL, *out_len = 0;
    sink_t sink = {0};
    int rc = render_to(c, kind, &sink, w, h, scale);
    if (rc == 0 && sink.failed)
        rc = chart_fail(c, "out of memory");
    if (rc != 0) {
        free(sink.buf);
        return rc;
    }
    /* A NUL after the bytes (not counted) lets callers treat SVG as text. */
    if (sink_write(&sink, (const unsigned char *)"", 1) != CAIRO_STATUS_SUCCESS) {
        free(sink.buf);
        return chart_fail(c, "out of memory");
    }
    *out = sink.buf, *out_len = sink.len - 1;
    return 0;
}

int chart_render_png_mem(chart_t *c, int width, int height, double scale, unsigned char **out,
                         size_t *out_len)
{
    if (check_scale(c, scale) != 0)
        return -1;
    if ((double)width * scale > CHART_MAX_SIZE || (double)height * scale > CHART_MAX_SIZE)
        return chart_fail(c, "scaled size over %d pixels", CHART_MAX_SIZE);
    return render_mem(c, OUT_PNG, width, height, scale, out, out_len);
}

int chart_render_svg_mem(chart_t *c, double width_pt, double height_pt, unsigned char **out,
                         size_t *out_len)
{
    return render_mem(c, OUT_SVG, width_pt, height_pt, 1.0, out, out_len);
}

int chart_render_pdf_mem(chart_t *c, double width_pt, double height_pt, unsigned char **out,
                         size_t *out_len)
{
    return render_mem(c, OUT_PDF, width_pt, height_pt, 1.0, out, out_len);
}
