/*
 * dots.c — see dots.h.  Pixels are premultiplied 0xAARRGGBB words (RGB24:
 * the same with the alpha byte unused); OVER with a solid colour s at
 * coverage a (0-255, opacity and mask together) is d' = (s a + d (255 - a))
 * / 255 per channel, rounded, as cairo's image backend computes it.
 */
#include "dots.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define DOTS_Q 8        /* centre positions per pixel, each axis */
#define DOTS_SS 16      /* coverage samples per pixel, each axis */
#define DOTS_MIN_R 0.25 /* pixels */
#define DOTS_MAX_R 32.0

/* Coverage of [i, i + 1) by [a, b), 0-255. */
static uint8_t span_cover(int i, double a, double b)
{
    double lo = fmax(a, i), hi = fmin(b, i + 1.0);
    return hi > lo ? (uint8_t)lround((hi - lo) * 255) : 0;
}

/* How much of the pixel [x, x + 1) x [y, y + 1) (relative to the centre)
 * a disc of squared radius rr covers, 0-1: sampled DOTS_SS x DOTS_SS where
 * the edge crosses it. */
static double cover(double x, double y, double rr)
{
    double nx = x > 0 ? x : x + 1 < 0 ? -(x + 1) : 0, ny = y > 0 ? y : y + 1 < 0 ? -(y + 1) : 0;
    double fx = fmax(fabs(x), fabs(x + 1)), fy = fmax(fabs(y), fabs(y + 1));
    if (nx * nx + ny * ny >= rr)
        return 0;
    if (fx * fx + fy * fy <= rr)
        return 1;
    int inside = 0;
    for (int sy = 0; sy < DOTS_SS; sy++) {
        double py = y + (sy + 0.5) / DOTS_SS;
        for (int sx = 0; sx < DOTS_SS; sx++) {
            double px = x + (sx + 0.5) / DOTS_SS;
            inside += px * px + py * py <= rr;
        }
    }
    return (double)inside / (DOTS_SS * DOTS_SS);
}

/* The disc's masks, opacity included: for each of DOTS_Q x DOTS_Q centre
 * offsets (qx / DOTS_Q, qy / DOTS_Q) from the corner of the centre's pixel,
 * side x side pixels, the centre's pixel at (k, k). */
static uint8_t *make_masks(double radius, double alpha, int k, int side)
{
    size_t one = (size_t)side * (size_t)side;
    uint8_t *m = malloc((size_t)DOTS_Q * DOTS_Q * one);
    if (!m)
        return NULL;
    double rr = radius * radius;
    for (int qy = 0; qy < DOTS_Q; qy++)
        for (int qx = 0; qx < DOTS_Q; qx++) {
            uint8_t *mask = m + ((size_t)qy * DOTS_Q + (size_t)qx) * one;
            for (int j = 0; j < side; j++)
                for (int i = 0; i < side; i++)
                    mask[j * side + i] = (uint8_t)lround(
                        alpha * 255.0 *
                        cover(i - k - (double)qx / DOTS_Q, j - k - (double)qy / DOTS_Q, rr));
        }
    return m;
}

static inline uint32_t blend(uint32_t d, const uint32_t s[4], uint32_t a)
{
    uint32_t out = 0;
    for (int c = 0; c < 4; c++) {
        uint32_t dc = (d >> (8 * c)) & 0xFF;
        uint32_t t = s[c] * a + dc * (255 - a) + 128;
        out |= ((t + (t >> 8)) >> 8) << (8 * c);
    }
    return out;
}

int dots_stamp(cairo_t *cr, const double *x, const double *y, size_t n, double r, unsigned rgb,
               double alpha, const dots_clip_t *clip)
{
    cairo_surface_t *t = cairo_get_target(cr);
    if (cairo_get_group_target(cr) != t || cairo_surface_get_type(t) != CAIRO_SURFACE_TYPE_IMAGE ||
        cairo_get_operator(cr) != CAIRO_OPERATOR_OVER)
        return -1;
    cairo_format_t fmt = cairo_image_surface_get_format(t);
    if (fmt != CAIRO_FORMAT_RGB24 && fmt != CAIRO_FORMAT_ARGB32)
        return -1;
    double dx = 0, dy = 0, dsx = 1, dsy = 1;
    cairo_surface_get_device_offset(t, &dx, &dy);
    cairo_surface_get_device_scale(t, &dsx, &dsy);
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    double sc = m.xx;
    if (dx != 0 || dy != 0 || dsx != 1 || dsy != 1 || m.xy != 0 || m.yx != 0 || !(sc > 0) ||
        fabs(m.yy - sc) > 1e-9 * sc)
        return -1;
    double radius = r * sc;
    if (!(radius >= DOTS_MIN_R && radius <= DOTS_MAX_R) || !(alpha >= 0 && alpha <= 1))
        return -1;
    int w = cairo_image_surface_get_width(t), h = cairo_image_surface_get_height(t);
    double box[4] = {fmax(0, clip->x0 * sc + m.x0), fmax(0, clip->y0 * sc + m.y0),
                     fmin(w, clip->x1 * sc + m.x0), fmin(h, clip->y1 * sc + m.y0)};
    if (!(box[2] > box[0] && box[3] > box[1]))
        return 0; /* nothing of it on the surface */
    int k = (int)ceil(radius) + 1, side = 2 * k + 1;
    uint8_t *masks = make_masks(radius, alpha, k, side);
    int bx0 = (int)floor(box[0]), by0 = (int)floor(box[1]);
    int bx1 = (int)ceil(box[2]), by1 = (int)ceil(box[3]);
    uint8_t *colc = malloc((size_t)(bx1 > bx0 ? bx1 - bx0 : 1));
    uint8_t *rowc = malloc((size_t)(by1 > by0 ? by1 - by0 : 1));
    if (!masks || !colc || !rowc) {
        free(masks), free(colc), free(rowc);
        return -1;
    }
    for (int i = bx0; i < bx1; i++)
        colc[i - bx0] = span_cover(i, box[0], box[2]);
    for (int j = by0; j < by1; j++)
        rowc[j - by0] = span_cover(j, box[1], box[3]);
    const uint32_t s[4] = {rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF, 0xFF};
    cairo_surface_flush(t);
    unsigned char *data = cairo_image_surface_get_data(t);
    int stride = cairo_image_surface_get_stride(t);
    for (size_t p = 0; p < n; p++) {
        double cx = x[p] * sc + m.x0, cy = y[p] * sc + m.y0;
        if (!(cx > bx0 - k && cx < bx1 + k && cy > by0 - k && cy < by1 + k))
            continue; /* outside the clip, or NaN */
        long qcx = lround(cx * DOTS_Q), qcy = lround(cy * DOTS_Q);
        long ix = (long)floor((double)qcx / DOTS_Q), iy = (long)floor((double)qcy / DOTS_Q);
        const uint8_t *mask =
            masks + ((size_t)(qcy - iy * DOTS_Q) * DOTS_Q + (size_t)(qcx - ix * DOTS_Q)) *
                        (size_t)side * (size_t)side;
        long x0 = ix - k > bx0 ? ix - k : bx0, x1 = ix + k + 1 < bx1 ? ix + k + 1 : bx1;
        long y0 = iy - k > by0 ? iy - k : by0, y1 = iy + k + 1 < by1 ? iy + k + 1 : by1;
        for (long j = y0; j < y1; j++) {
            uint32_t *row = (uint32_t *)(void *)(data + j * stride);
            const uint8_t *mrow = mask + (j - (iy - k)) * side;
            uint32_t rc = rowc[j - by0];
            for (long i = x0; i < x1; i++) {
                uint32_t a = mrow[i - (ix - k)];
                if (!a)
                    continue;
                uint32_t cc = colc[i - bx0] * rc;
                if (cc != 255 * 255)
                    a = (a * cc + 255 * 255 / 2) / (255 * 255);
                row[i] = blend(row[i], s, a);
            }
        }
    }
    cairo_surface_mark_dirty(t);
    free(masks), free(colc), free(rowc);
    return 0;
}
