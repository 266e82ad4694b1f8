/*
 * text.c — sanitising, measuring, placing and shortening chart text (see
 * text.h).  Uses cairo's "toy" text API with DejaVu Sans: enough for labels
 * in Latin, Greek and Cyrillic without adding pango to the dependencies.
 */
#include "text.h"

#include "theme.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */
static const char ELLIPSIS[] = "\xE2\x80\xA6";    /* U+2026 */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid.  Rejects
 * overlong forms, surrogates and code points past U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4, cp = c & 0x07;
    else
        return 0;
    if (avail < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    return need;
}

char *text_sanitize(const char *src, size_t max_bytes, bool *oom)
{
    if (!src)
        return NULL;
    size_t in_len = strlen(src);
    /* Every input byte becomes at most 3 output bytes (U+FFFD). */
    size_t cap = (in_len < max_bytes ? in_len : max_bytes) * 3 + 1;
    char *out = malloc(cap);
    if (!out) {
        if (oom)
            *oom = true;
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    while (i < in_len) {
        size_t n = utf8_valid_len(s + i, in_len - i);
        const char *piece = (const char *)s + i;
        size_t piece_len = n;
        char space = ' ';
        if (n == 0) {
            piece = REPLACEMENT, piece_len = 3, n = 1;
        } else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7F)) {
            piece = &space, piece_len = 1;
        }
        if (o + piece_len > max_bytes)
            break;
        memcpy(out + o, piece, piece_len);
        o += piece_len;
        i += n;
    }
    out[o] = '\0';
    return out;
}

void text_font(cairo_t *cr, double size, bool bold, unsigned rgb)
{
    cairo_select_font_face(cr, THEME_FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

double text_line_height(cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_font_matrix(cr, &m);
    return m.yy * THEME_LINE_SPACING;
}

/* DejaVu Sans vertical metrics, in em. */
#define DEJAVU_ASCENT 0.928
#define DEJAVU_DESCENT 0.236
#define DEJAVU_DIGIT_HEIGHT 0.729

/* Offset from the anchor y to the baseline: ay 0 puts y at the top of the
 * line box, 1 at its bottom, anything between centres the digits on y. */
static double baseline_offset(cairo_t *cr, double ay)
{
    cairo_matrix_t m;
    cairo_get_font_matrix(cr, &m);
    double size = m.yy;
    double half_leading = size * (THEME_LINE_SPACING - DEJAVU_ASCENT - DEJAVU_DESCENT) / 2;
    if (ay <= 0.0)
        return half_leading + size * DEJAVU_ASCENT;
    if (ay >= 1.0)
        return -(half_leading + size * DEJAVU_DESCENT);
    return size * DEJAVU_DIGIT_HEIGHT / 2;
}

void text_draw(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    double w = text_width(cr, s);
    cairo_move_to(cr, x - w * ax, y + baseline_offset(cr, ay));
    cairo_show_text(cr, s);
    cairo_new_path(cr);
}

void text_draw_vertical(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -1.5707963267948966);
    text_draw(cr, 0, 0, s, ax, ay);
    cairo_restore(cr);
}

/* Byte offset of the character boundary at or before i. */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Build head(keep_head bytes) + "…" + tail(keep_tail bytes) into out. */
static void join_ellipsis(const char *s, size_t len, size_t keep_head, size_t keep_tail, char *out,
                          size_t cap)
{
    size_t o = 0;
    if (keep_head + 3 + keep_tail + 1 > cap)
        keep_head = keep_tail = 0;
    memcpy(out + o, s, keep_head), o += keep_head;
    memcpy(out + o, ELLIPSIS, 3), o += 3;
    memcpy(out + o, s + len - keep_tail, keep_tail), o += keep_tail;
    out[o] = '\0';
}

bool text_fit(cairo_t *cr, const char *s, double max_width, bool middle, char *out, size_t cap)
{
    size_t len = strlen(s);
    if (cap == 0)
        return false;
    if (len < cap && text_width(cr, s) <= max_width) {
        memcpy(out, s, len + 1);
        return false;
    }
    /* Binary search on how many bytes to keep; widths grow with the count. */
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        size_t head = middle ? char_start(s, (mid + 1) / 2) : char_start(s, mid);
        size_t tail = middle ? len - char_start(s, len - mid / 2) : 0;
        join_ellipsis(s, len, head, tail, out, cap);
        if (text_width(cr, out) <= max_width)
            lo = mid;
        else
            hi = mid - 1;
    }
    size_t head = middle ? char_start(s, (lo + 1) / 2) : char_start(s, lo);
    size_t tail = middle ? len - char_start(s, len - lo / 2) : 0;
    join_ellipsis(s, len, head, tail, out, cap);
    return true;
}
