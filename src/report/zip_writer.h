/*
 * zip_writer.h — a small streaming ZIP writer for the workbook (xlsx_book.h).
 *
 * An XLSX file is a ZIP archive of XML parts.  This writes one: each entry is
 * a sequence of pieces already deflated (or stored) that the writer copies in
 * order behind a local header whose CRC-32 and sizes are known, then the
 * central directory, with ZIP64 records only when a size, an offset or the
 * number of entries needs them.  Every entry carries the same fixed DOS time
 * (1980-01-01 00:00), so the same parts give the same bytes.
 *
 * Pieces come from zdef_t: a raw deflate stream (zlib) written to a FILE
 * (a sheet's rows, as they are produced: memory stays bounded) or to a
 * buffer (the small parts).  A piece ended with zdef_end(d, false) is
 * flushed to a byte boundary without the final-block bit, so that another
 * independent deflate stream may follow it in the same entry: that is how a
 * sheet's head (its column widths, known only at its end) is put in front
 * of rows compressed before it.  The entry's CRC is combined from the
 * pieces' (crc32_combine).
 *
 * Ownership: zip_writer_t owns nothing it is given; the FILE passed to
 * zip_open stays the caller's (zip_close does not close it).  Failure: the
 * first write error is kept (errno in zip->err_errno) and every later call
 * is a no-op; zip_close returns -1 then.
 */
#ifndef PCAPCASE_ZIP_WRITER_H
#define PCAPCASE_ZIP_WRITER_H

#include "core/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

/* One deflate stream being written. */
typedef struct zdef {
    z_stream z;
    FILE *file; /* where the compressed bytes go, or NULL: into mem */
    buf_t *mem;
    uint32_t crc;    /* of the raw bytes */
    uint64_t raw;    /* bytes in */
    uint64_t packed; /* bytes out */
    int err;         /* errno of the first failed write, or EIO for zlib; 0 */
    unsigned char out[1 << 16];
} zdef_t;

/* Start a raw deflate stream at level (1..9) into file, or into mem when
 * file is NULL.  0, or -1 (zlib out of memory). */
int zdef_init(zdef_t *d, int level, FILE *file, buf_t *mem);
void zdef_write(zdef_t *d, const void *p, size_t n);
/* End the stream: final (the last block) or only flushed to a byte boundary
 * (another stream follows in the same entry).  Frees zlib's state.  0, or -1
 * (d->err says why). */
int zdef_end(zdef_t *d, bool final);

/* A piece of an entry: packed bytes in memory or in a file (read from its
 * start), with the CRC and length of the raw bytes they stand for. */
typedef struct zip_piece {
    const void *mem;
    FILE *file;
    uint64_t packed, raw;
    uint32_t crc;
} zip_piece_t;

typedef struct zip_writer zip_writer_t;

zip_writer_t *zip_open(FILE *out);
/* An entry of pieces deflated (zdef_t; the last one ended final). */
void zip_add_deflated(zip_writer_t *z, const char *name, const zip_piece_t *pieces, size_t n);
/* An entry of len bytes, deflated at level (0: stored as they are, for data
 * already compressed such as PNG). */
void zip_add(zip_writer_t *z, const char *name, const void *data, size_t len, int level);
/* The central directory; frees z.  0, or -1 with errno set (the first
 * failure's). */
int zip_close(zip_writer_t *z);
/* Free z without finishing the archive. */
void zip_abandon(zip_writer_t *z);

#endif
