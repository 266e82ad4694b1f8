/*
 * dots.h — translucent discs of one colour stamped straight into an image
 * surface's pixels.
 *
 * A time-sequence graph or a scatter chart has thousands of dots, each
 * filled on its own so that overlaps darken.  Through cairo each one is a
 * path: an arc flattened, tessellated and scan-converted (5-8 us a dot).
 * Here a dot is a precomputed coverage mask blended into the pixels with
 * OVER, as cairo would, the clip rectangle's edges antialiased too.  The
 * masks are sampled 16 x 16 per pixel where the edge crosses it, at centres
 * rounded to an eighth of a pixel: the same ink as cairo's within 2 %, the
 * same picture to the eye.
 */
#ifndef PCAPCASE_CHARTS_DOTS_H
#define PCAPCASE_CHARTS_DOTS_H

#include <cairo.h>
#include <stddef.h>

/* The rectangle (user space) dots are painted within: the clip the caller
 * set, whose fractional edges cairo's own clip extents round away. */
typedef struct dots_clip {
    double x0, y0, x1, y1;
} dots_clip_t;

/* Paint n discs of radius r (user space) centred on (x[i], y[i]), in order,
 * colour rgb (0xRRGGBB) at opacity alpha, onto cr's target, within clip
 * (cairo's own clip, when one is set, must hold it).  Only for an RGB24 or
 * ARGB32 image surface, no group pushed, the OVER operator, a uniform
 * scale with no rotation and a radius of 1/4 to 32 pixels: otherwise
 * nothing is painted and -1 is returned (draw the dots through cairo
 * then).  0 when painted. */
int dots_stamp(cairo_t *cr, const double *x, const double *y, size_t n, double r, unsigned rgb,
               double alpha, const dots_clip_t *clip);

#endif
