/*
 * fileasm.h — a file assembled from pieces written at offsets (SMB READ and
 * WRITE, TFTP blocks, FTP data after a gap), with the ranges that never came.
 *
 * The assembler keeps the covered ranges (merged, sorted) and passes every
 * piece to a write function the caller chooses (memory, a spill file); it
 * never stores content itself except through fileasm_buffer_write().  It
 * answers the question evidence depends on: is the file whole?  Only then
 * may its bytes be hashed as the file; otherwise the caller reports it
 * partial with fileasm_missing() ranges.  A file is whole when its size is
 * known (fileasm_set_size: SMB end-of-file, an FTP SIZE) and every byte of
 * [0, size) was written, or, with no size known, when the caller declares
 * the end (fileasm_set_size(max_end)) and nothing before it is missing.
 */
#ifndef PCAPCASE_FILEASM_H
#define PCAPCASE_FILEASM_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Separate ranges kept per file.  Sequential writes merge into one; a
 * file read in random order by a client touching a few thousand places is
 * honest, more is an attack on our memory: beyond it the file can no
 * longer be proven whole (fileasm_t.overflow). */
#define FILEASM_MAX_RANGES 4096
#define FILEASM_UNKNOWN_SIZE UINT64_MAX

typedef struct file_range {
    uint64_t start, end; /* [start, end) */
} file_range_t;

typedef void (*fileasm_write_fn)(void *ctx, uint64_t offset, const uint8_t *p, size_t n);

typedef struct fileasm {
    file_range_t *ranges; /* sorted, disjoint, not adjacent */
    size_t nranges, cap;
    uint64_t size;    /* FILEASM_UNKNOWN_SIZE until known */
    uint64_t max_end; /* one past the furthest byte written */
    uint64_t overlap; /* bytes written more than once */
    bool overflow;    /* ranges past FILEASM_MAX_RANGES were not recorded */
    fileasm_write_fn write;
    void *ctx;
} fileasm_t;

void fileasm_init(fileasm_t *f, fileasm_write_fn write, void *ctx);
void fileasm_free(fileasm_t *f);
/* The file's size, when the protocol says it. */
void fileasm_set_size(fileasm_t *f, uint64_t size);
/* n bytes at offset. */
void fileasm_add(fileasm_t *f, uint64_t offset, const uint8_t *p, size_t n);
/* Bytes covered. */
uint64_t fileasm_covered(const fileasm_t *f);
/* Every byte of [0, size) is there (size known, no overflow). */
bool fileasm_complete(const fileasm_t *f);
/* The ranges missing in [0, size or max_end), at most max of them into out
 * (out may be NULL with max 0); returns how many there are in all and
 * sets *missing_bytes. */
size_t fileasm_missing(const fileasm_t *f, file_range_t *out, size_t max, uint64_t *missing_bytes);

/* A write function that keeps pieces in a buf_t (ctx), growing it to the
 * furthest byte (holes are zero-filled) but never past FILEASM_BUFFER_MAX;
 * pieces beyond it are dropped.  For small files and tests. */
#define FILEASM_BUFFER_MAX ((uint64_t)64 << 20)
void fileasm_buffer_write(void *buf_ctx, uint64_t offset, const uint8_t *p, size_t n);

/* A write function that keeps the pieces as they came (ctx: a
 * fileasm_pieces_t), a piece that continues the one before appended to it,
 * so that memory follows the bytes seen, not the offsets they name: a
 * buffer zero-filled to the furthest byte let one byte written 60 MiB into
 * each of many files take 60 MiB each.  Pieces at or past
 * FILEASM_BUFFER_MAX are dropped, as by fileasm_buffer_write; past
 * FILEASM_PIECES_MAX bytes or FILEASM_PIECES_MAX_COUNT pieces kept (the
 * same bytes written again and again) nothing more is kept and `lost` is
 * set: the file can no longer be put together. */
#define FILEASM_PIECES_MAX (2 * FILEASM_BUFFER_MAX)
#define FILEASM_PIECES_MAX_COUNT ((size_t)1 << 20)
typedef struct fileasm_piece {
    uint64_t offset;
    buf_t data;
} fileasm_piece_t;
typedef struct fileasm_pieces {
    fileasm_piece_t *v;
    size_t n, cap;
    uint64_t bytes; /* kept */
    bool lost;      /* a piece below FILEASM_BUFFER_MAX was not kept */
} fileasm_pieces_t;
void fileasm_pieces_write(void *pieces_ctx, uint64_t offset, const uint8_t *p, size_t n);
/* Bytes [0, size) of the file, the pieces laid down in the order they
 * came (the last written wins, holes are zero), into out (cleared first;
 * a single piece from offset 0 is moved there, not copied); false, with
 * out empty, when size is past FILEASM_BUFFER_MAX or a piece was lost. */
bool fileasm_pieces_assemble(fileasm_pieces_t *ps, uint64_t size, buf_t *out);
void fileasm_pieces_free(fileasm_pieces_t *ps);

#endif
