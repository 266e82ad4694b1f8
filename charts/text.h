/*
 * text.h — text on charts: making caller strings safe to draw, measuring and
 * placing them, and shortening labels that do not fit.
 *
 * Labels often come from traffic (host names, SNI, URLs), so every string is
 * sanitised when it enters a chart: cairo refuses invalid UTF-8 by putting
 * the whole drawing context into an error state, and control characters
 * would draw as boxes.
 */
#ifndef PCAPCASE_CHARTS_TEXT_H
#define PCAPCASE_CHARTS_TEXT_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

/* A malloc'd copy of src that is valid UTF-8 (invalid bytes become U+FFFD,
 * control characters a space), at most max_bytes long, cut at a character
 * boundary.  NULL src gives NULL; NULL is also returned when memory is
 * exhausted (*oom set to true then).  Caller frees. */
char *text_sanitize(const char *src, size_t max_bytes, bool *oom);

/* Select the theme font at size (bold or not) and the colour 0xRRGGBB. */
void text_font(cairo_t *cr, double size, bool bold, unsigned rgb);

/* Advance width of s in the current font. */
double text_width(cairo_t *cr, const char *s);

/* Line height of the current font (size times THEME_LINE_SPACING). */
double text_line_height(cairo_t *cr);

/* Draw s with (x, y) as an anchor: ax 0 = left edge, 0.5 = centre, 1 = right
 * edge; ay 0 = top of the line, 0.5 = middle of the digits, 1 = bottom. */
void text_draw(cairo_t *cr, double x, double y, const char *s, double ax, double ay);

/* Same, rotated 90 degrees counter-clockwise (for y axis labels): ax runs
 * along the text, ay across it. */
void text_draw_vertical(cairo_t *cr, double x, double y, const char *s, double ax, double ay);

/* Fit s into max_width in the current font, replacing removed characters
 * with "…" — at the end, or in the middle (keeps an address and its domain
 * suffix readable).  Writes into out (NUL-terminated, cap bytes).  Returns
 * true if s had to be shortened. */
bool text_fit(cairo_t *cr, const char *s, double max_width, bool middle, char *out, size_t cap);

#endif
