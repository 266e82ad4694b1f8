/*
 * filemagic.h — what a carved file is, from its content, by libmagic (the
 * `file` command's database): a MIME type and a one-line description for
 * every carved file, whatever protocol carried it.
 *
 * Why libmagic and the hand-written sniffer (mime.h) both: libmagic knows
 * thousands of formats (Office documents, scripts, certificates, disk
 * images) where the sniffer knows a few dozen, but it is slower and its
 * answers follow the installed database's version.  docs/dependencies.md
 * has the measurement on the corpus and says where each is used.
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
 * corpus and keeps the cost per file bounded. */
#define FILEMAGIC_BYTES 65536
/* Longest answer kept (libmagic's descriptions of archives can run on). */
#define FILEMAGIC_MAX_TEXT 256

typedef struct filemagic filemagic_t;

/* Load the database; NULL when libmagic or its database is missing, with
 * the reason in err (at least 256 bytes). */
filemagic_t *filemagic_open(char *err, size_t errlen);
/* MIME type ("application/pdf") and description ("PDF document, version
 * 1.4") of p[0..n).  Either output may be NULL.  false when libmagic could
 * not tell (outputs set to "" then). */
bool filemagic_identify(filemagic_t *m, const uint8_t *p, size_t n, char *mime, size_t mimelen,
                        char *desc, size_t desclen);
/* NULL-safe. */
void filemagic_close(filemagic_t *m);

#endif
