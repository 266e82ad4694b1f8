/* zip_writer.c — ZIP archive of deflated pieces; see zip_writer.h.
 *
 * The format (PKWARE's APPNOTE 6.3): per entry a local header, the data,
 * and at the end a central directory of the entries and its end record.
 * Sizes are known before an entry's header is written (its pieces are
 * complete), so no data descriptors.  ZIP64 extra fields and end records
 * are written only for the values that do not fit 32 (16) bits. */
#include "report/zip_writer.h"

#include "core/xalloc.h"

#include <errno.h>
#include <string.h>

/* 1980-01-01 00:00:00, the first DOS date: every entry's, so that the same
 * parts give the same archive. */
#define ZIP_DOS_DATE 0x0021
#define ZIP_DOS_TIME 0x0000
#define ZIP_MAX32 0xFFFFFFFFu
#define ZIP_MAX16 0xFFFFu

int zdef_init(zdef_t *d, int level, FILE *file, buf_t *mem)
{
    memset(&d->z, 0, sizeof d->z);
    d->file = file, d->mem = mem;
    d->crc = (uint32_t)crc32(0, Z_NULL, 0);
    d->raw = d->packed = 0;
    d->err = 0;
    /* -15: raw deflate (no zlib header), as ZIP wants; 8: zlib's default memory */
    if (deflateInit2(&d->z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        d->err = ENOMEM;
        return -1;
    }
    return 0;
}

static void zdef_emit(zdef_t *d, size_t n)
{
    if (d->err || n == 0)
        return;
    if (d->file) {
        if (fwrite(d->out, 1, n, d->file) != n)
            d->err = errno ? errno : EIO;
    } else {
        buf_append(d->mem, d->out, n);
    }
    d->packed += n;
}

static void zdef_run(zdef_t *d, int flush)
{
    int rc;
    do {
        d->z.next_out = d->out, d->z.avail_out = sizeof d->out;
        rc = deflate(&d->z, flush);
        if (rc == Z_STREAM_ERROR) {
            d->err = EIO;
            return;
        }
        zdef_emit(d, sizeof d->out - d->z.avail_out);
    } while (d->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

void zdef_write(zdef_t *d, const void *p, size_t n)
{
    d->crc = (uint32_t)crc32_z(d->crc, p, n);
    d->raw += n;
    d->z.next_in = (Bytef *)(uintptr_t)p, d->z.avail_in = (uInt)n;
    /* n fits uInt: callers write buffers of at most a few megabytes */
    zdef_run(d, Z_NO_FLUSH);
}

int zdef_end(zdef_t *d, bool final)
{
    d->z.next_in = NULL, d->z.avail_in = 0;
    zdef_run(d, final ? Z_FINISH : Z_SYNC_FLUSH);
    deflateEnd(&d->z);
    return d->err ? -1 : 0;
}

typedef struct zip_entry {
    char *name;
    uint16_t method;
    uint32_t crc;
    uint64_t packed, raw, offset;
} zip_entry_t;

struct zip_writer {
    FILE *out;
    uint64_t pos;
    zip_entry_t *e;
    size_t n, cap;
    int err;
};

zip_writer_t *zip_open(FILE *out)
{
    zip_writer_t *z = xcalloc(1, sizeof *z);
    z->out = out;
    return z;
}

static void put(zip_writer_t *z, const void *p, size_t n)
{
    if (z->err)
        return;
    if (fwrite(p, 1, n, z->out) != n)
        z->err = errno ? errno : EIO;
    z->pos += n;
}

/* Little-endian fields into a header being built. */
static void le16(buf_t *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    buf_append(b, x, 2);
}
static void le32(buf_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_append(b, x, 4);
}
static void le64(buf_t *b, uint64_t v)
{
    le32(b, (uint32_t)v);
    le32(b, (uint32_t)(v >> 32));
}

static bool big(uint64_t v)
{
    return v >= ZIP_MAX32;
}

static void local_header(zip_writer_t *z, const zip_entry_t *e)
{
    buf_t h = BUF_INIT;
    bool z64 = big(e->packed) || big(e->raw);
    size_t nlen = strlen(e->name);
    le32(&h, 0x04034b50);
    le16(&h, z64 ? 45 : 20); /* version needed: 4.5 for ZIP64, else 2.0 (deflate) */
    le16(&h, 0);             /* flags */
    le16(&h, e->method);
    le16(&h, ZIP_DOS_TIME);
    le16(&h, ZIP_DOS_DATE);
    le32(&h, e->crc);
    le32(&h, z64 ? ZIP_MAX32 : (uint32_t)e->packed);
    le32(&h, z64 ? ZIP_MAX32 : (uint32_t)e->raw);
    le16(&h, (uint32_t)nlen);
    le16(&h, z64 ? 20 : 0);
    buf_append(&h, e->name, nlen);
    if (z64) {
        le16(&h, 0x0001), le16(&h, 16);
        le64(&h, e->raw), le64(&h, e->packed);
    }
    put(z, h.data, h.len);
    buf_free(&h);
}

static zip_entry_t *new_entry(zip_writer_t *z, const char *name, uint16_t method)
{
    if (z->n == z->cap) {
        z->cap = z->cap ? z->cap * 2 : 32;
        z->e = xrealloc(z->e, z->cap * sizeof *z->e);
    }
    zip_entry_t *e = &z->e[z->n++];
    memset(e, 0, sizeof *e);
    e->name = xstrdup(name);
    e->method = method;
    e->offset = z->pos;
    return e;
}

static void copy_file(zip_writer_t *z, FILE *f, uint64_t n)
{
    unsigned char chunk[1 << 16];
    if (fflush(f) != 0 || fseeko(f, 0, SEEK_SET) != 0) {
        z->err = errno ? errno : EIO;
        return;
    }
    while (n > 0 && !z->err) {
        size_t want = n < sizeof chunk ? (size_t)n : sizeof chunk;
        size_t got = fread(chunk, 1, want, f);
        if (got != want) {
            z->err = ferror(f) && errno ? errno : EIO;
            return;
        }
        put(z, chunk, got);
        n -= got;
    }
}

void zip_add_deflated(zip_writer_t *z, const char *name, const zip_piece_t *pieces, size_t n)
{
    zip_entry_t *e = new_entry(z, name, 8);
    e->crc = (uint32_t)crc32(0, Z_NULL, 0);
    for (size_t i = 0; i < n; i++) {
        e->crc = (uint32_t)crc32_combine64(e->crc, pieces[i].crc, (z_off64_t)pieces[i].raw);
        e->packed += pieces[i].packed, e->raw += pieces[i].raw;
    }
    local_header(z, e);
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].file)
            copy_file(z, pieces[i].file, pieces[i].packed);
        else
            put(z, pieces[i].mem, (size_t)pieces[i].packed);
    }
}

void zip_add(zip_writer_t *z, const char *name, const void *data, size_t len, int level)
{
    if (level == 0) {
        zip_entry_t *e = new_entry(z, name, 0);
        e->crc = (uint32_t)crc32_z(0, data, len);
        e->packed = e->raw = len;
        local_header(z, e);
        put(z, data, len);
        return;
    }
    buf_t mem = BUF_INIT;
    zdef_t *d = xmalloc(sizeof *d);
    if (zdef_init(d, level, NULL, &mem) != 0) {
        z->err = ENOMEM;
        free(d);
        return;
    }
    zdef_write(d, data, len);
    zdef_end(d, true);
    zip_piece_t p = {.mem = mem.data, .packed = d->packed, .raw = d->raw, .crc = d->crc};
    if (d->err && !z->err)
        z->err = d->err;
    zip_add_deflated(z, name, &p, 1);
    free(d);
    buf_free(&mem);
}

static void central_entry(buf_t *h, const zip_entry_t *e)
{
    size_t nlen = strlen(e->name);
    bool bu = big(e->raw), bp = big(e->packed), bo = big(e->offset);
    uint32_t xlen = 8u * (bu + bp + bo);
    le32(h, 0x02014b50);
    le16(h, xlen ? 45 : 20); /* made by */
    le16(h, xlen ? 45 : 20); /* needed */
    le16(h, 0);
    le16(h, e->method);
    le16(h, ZIP_DOS_TIME);
    le16(h, ZIP_DOS_DATE);
    le32(h, e->crc);
    le32(h, bp ? ZIP_MAX32 : (uint32_t)e->packed);
    le32(h, bu ? ZIP_MAX32 : (uint32_t)e->raw);
    le16(h, (uint32_t)nlen);
    le16(h, xlen ? xlen + 4 : 0);
    le16(h, 0); /* comment */
    le16(h, 0); /* disk */
    le16(h, 0); /* internal attributes */
    le32(h, 0); /* external attributes */
    le32(h, bo ? ZIP_MAX32 : (uint32_t)e->offset);
    buf_append(h, e->name, nlen);
    if (xlen) { /* the ZIP64 extra: the overflowing values, in this order */
        le16(h, 0x0001), le16(h, xlen);
        if (bu)
            le64(h, e->raw);
        if (bp)
            le64(h, e->packed);
        if (bo)
            le64(h, e->offset);
    }
}

static void zip_free(zip_writer_t *z)
{
    for (size_t i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    free(z);
}

int zip_close(zip_writer_t *z)
{
    buf_t h = BUF_INIT;
    uint64_t cd_off = z->pos;
    for (size_t i = 0; i < z->n; i++)
        central_entry(&h, &z->e[i]);
    uint64_t cd_len = h.len, n = z->n;
    if (big(cd_off) || big(cd_len) || n >= ZIP_MAX16) {
        uint64_t eocd64 = cd_off + cd_len;
        le32(&h, 0x06064b50); /* ZIP64 end of central directory record */
        le64(&h, 44);
        le16(&h, 45), le16(&h, 45);
        le32(&h, 0), le32(&h, 0);
        le64(&h, n), le64(&h, n);
        le64(&h, cd_len), le64(&h, cd_off);
        le32(&h, 0x07064b50); /* its locator */
        le32(&h, 0);
        le64(&h, eocd64);
        le32(&h, 1);
    }
    le32(&h, 0x06054b50);
    le16(&h, 0), le16(&h, 0);
    le16(&h, n >= ZIP_MAX16 ? ZIP_MAX16 : (uint32_t)n);
    le16(&h, n >= ZIP_MAX16 ? ZIP_MAX16 : (uint32_t)n);
    le32(&h, big(cd_len) ? ZIP_MAX32 : (uint32_t)cd_len);
    le32(&h, big(cd_off) ? ZIP_MAX32 : (uint32_t)cd_off);
    le16(&h, 0);
    put(z, h.data, h.len);
    buf_free(&h);
    if (!z->err && fflush(z->out) != 0)
        z->err = errno ? errno : EIO;
    int err = z->err;
    zip_free(z);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

void zip_abandon(zip_writer_t *z)
{
    if (z)
        zip_free(z);
}
