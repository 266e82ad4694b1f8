/*
 * filemagic.h — what a carved file is, from its content, by libmagic (the
 * `file` command's database): a MIME type and a one-line description for
 * every carved file, whatever protocol carried it (HTTP bodies, FTP data
 * channels, e-mail parts, SMB and TFTP files).
 *
 * Cost: libmagic takes 0.1 to 3 ms of CPU per file (text is the slow case:
 * every text rule of its database is tried), against about 1 µs for the
 * hand-written sniffer (mime.h).  Two things keep that bounded:
 *  - answers are remembered by the file's SHA-256 (a bounded table per
 *    filemagic_t): a body served again is typed once.  libmagic's answer is
 *    a function of the bytes, so the cache cannot change an answer, only
 *    skip asking;
 *  - for a few strong binary signatures (PNG, JPEG, GIF, PDF, gzip) the
 *    sniffer's MIME type is taken and libmagic is asked only for the
 *    description: on every such file of the corpus and the benchmark the
 *    two name the same type.  Text, and anything the sniffer cannot name,
 *    goes to libmagic: first for the description, then for the MIME type
 *    unless the description implies it ("ASCII text" is text/plain, "HTML
 *    document" text/html: filemagic.c lists them), which halves the runs
 *    for the common text types.
 * docs/dependencies.md ("libmagic and the sniffer") has the measurements.
 *
 * A libmagic cookie is not thread-safe: each analysis thread opens its own
 * filemagic_t.  Only the first FILEMAGIC_BYTES bytes are examined.
 */
#ifndef PCAPCASE_FILEMAGIC_H
#define PCAPCASE_FILEMAGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a file examined: libmagic's own tests look at most at the
 * first 1 MiB (its bytes_max default); 64 KiB decides every format in the
 * corpus and keeps the cost per file bounded (fewer bytes changed the
 * answers for text: docs/dependencies.md). */
#define FILEMAGIC_BYTES 65536
/* Longest MIME type kept ("application/vnd.openxmlformats-..." fits). */
#define FILEMAGIC_MAX_MIME 128
/* Longest description kept (libmagic's descriptions of archives can run on). */
#define FILEMAGIC_MAX_TEXT 256

typedef struct filemagic filemagic_t;

/* A file's type: "" where libmagic could not tell. */
typedef struct filetype {
    char mime[FILEMAGIC_MAX_MIME]; /* "application/pdf" */
    char desc[FILEMAGIC_MAX_TEXT]; /* "PDF document, version 1.4" */
} filetype_t;

/* What a filemagic_t did, for tests and measurements. */
typedef struct filemagic_stats {
    uint64_t asked;      /* filemagic_type calls */
    uint64_t cached;     /* ... answered from the cache */
    uint64_t sniffed;    /* ... whose MIME type the sniffer gave */
    uint64_t magic_runs; /* magic_buffer calls (a full answer is two) */
} filemagic_stats_t;

/* Load the database; NULL when libmagic or its database is missing, with
 * the reason in err (at least 256 bytes). */
filemagic_t *filemagic_open(char *err, size_t errlen);
/* The type of a file whose SHA-256 is sha256 (64 hex digits; NULL or ""
 * when unknown: then not cached) and whose first bytes are p[0..n), n > 0
 * (only FILEMAGIC_BYTES are read).  false when libmagic could not tell
 * (that part of out is ""). */
bool filemagic_type(filemagic_t *m, const char *sha256, const uint8_t *p, size_t n,
                    filetype_t *out);
/* MIME type and description straight from libmagic, no cache, no sniffer
 * (for measurements).  Either output may be NULL. */
bool filemagic_identify(filemagic_t *m, const uint8_t *p, size_t n, char *mime, size_t mimelen,
                        char *desc, size_t desclen);
filemagic_stats_t filemagic_stats(const filemagic_t *m);
/* NULL-safe. */
void filemagic_close(filemagic_t *m);

#endif
