/*
 * svgfix.h — making cairo's SVG output stable and safe to inline.
 *
 * cairo numbers the root group of every SVG from a process-wide counter
 * (`<g id="surface6">`), so the same chart gives different bytes depending
 * on what was drawn before it; and every SVG it writes reuses the same glyph
 * and clip ids (`glyph0-1`, `clip1`), so two charts inlined in one HTML page
 * would pick up each other's glyphs.  svgfix renumbers the surfaces from 1
 * and prefixes every id and reference with a hash of the document.
 */
#ifndef PCAPCASE_CHARTS_SVGFIX_H
#define PCAPCASE_CHARTS_SVGFIX_H

#include <stddef.h>

/* The rewritten document as a malloc'd buffer of *out_len bytes (caller
 * frees), or NULL when memory is exhausted. */
unsigned char *svgfix_ids(const unsigned char *in, size_t len, size_t *out_len);

#endif
