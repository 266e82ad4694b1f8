/*
 * mime.h — what a file is, from its first bytes, by a small magic-number
 * table of our own; and whether a declared Content-Type hides something.
 *
 * Carved files are typed by libmagic (filemagic.h), which knows thousands
 * of formats where this table knows a few dozen.  The sniffer is about a
 * thousand times faster, so it stays where that matters and its answer is
 * as good: filemagic.h takes its MIME type for a few strong binary
 * signatures (PNG, JPEG, GIF, PDF, gzip) where it names what libmagic names
 * on every file measured, and `carve`'s fast path and a missing libmagic
 * fall back on it.  Names follow libmagic's MIME output.
 * docs/dependencies.md ("libmagic and the sniffer") has the measurements.
 */
#ifndef PCAPCASE_MIME_H
#define PCAPCASE_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a body to keep for sniffing. */
#define MIME_SNIFF_BYTES 512

/* MIME type of content starting with p[0..len) ("application/octet-stream"
 * when unknown, NULL for an empty body).  Returns a static string. */
const char *mime_sniff(const uint8_t *p, size_t len);
/* Keep the first MIME_SNIFF_BYTES of a stream arriving in pieces. */
void mime_collect(uint8_t buf[MIME_SNIFF_BYTES], size_t *have, const uint8_t *p, size_t len);

/* True when a declared Content-Type disagrees with the content's type (as
 * libmagic or the sniffer names it) in a way worth a finding (e.g. an
 * executable served as an image). */
bool mime_suspicious_mismatch(const char *declared, const char *sniffed);

#endif
