/*
 * mime.h — what a file is, from its first bytes.
 *
 * A small magic-number table (our own rather than libmagic: libmagic's
 * answers depend on the installed database version, which would make logs
 * differ between machines, and it is far slower than the few dozen types an
 * investigator needs to tell apart).  Names follow libmagic's MIME output.
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

/* True when a declared Content-Type disagrees with sniffed content in a way
 * worth a finding (e.g. an executable served as an image). */
bool mime_suspicious_mismatch(const char *declared, const char *sniffed);

#endif
