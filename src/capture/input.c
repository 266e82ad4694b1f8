/* input.c — see input.h. */
#include "input.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Raw read size: large enough that syscalls and hashing calls are amortised,
 * small enough to stay in L2/L3 while it is hashed and inflated. */
#define INPUT_RAW_CHUNK (1u << 20)

struct input {
    int fd;
    uint64_t size;
    uint64_t consumed;
    EVP_MD_CTX *sha;
    bool gzip;
    bool raw_eof;
    bool gz_done;     /* no more decompressed data will come */
    bool member_output; /* the current gzip member produced output */
    unsigned members; /* gzip members completed */
    z_stream zs;
    uint8_t *raw;     /* raw chunk buffer (gzip mode) */
    char err[160];
};

static ssize_t read_raw(input_t *in, void *dst, size_t n)
{
    ssize_t r;
    do {
        r = read(in->fd, dst, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        snprintf(in->err, sizeof in->err, "read error: %s", strerror(errno));
        return -1;
    }
    if (r == 0)
        in->raw_eof = true;
    if (r > 0) {
        EVP_DigestUpdate(in->sha, dst, (size_t)r);
        in->consumed += (uint64_t)r;
    }
    return r;
}

input_t *input_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        close(fd);
        return NULL;
    }
    input_t *in = xcalloc(1, sizeof *in);
    in->fd = fd;
    in->size = (uint64_t)st.st_size;
    in->sha = EVP_MD_CTX_new();
    if (!in->sha || !EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL)) {
        snprintf(err, errlen, "cannot initialise SHA-256");
        input_close(in);
        return NULL;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    /* Peek at the first two bytes without losing them: read them into the
     * raw buffer that gzip mode would use anyway. */
    in->raw = xmalloc(INPUT_RAW_CHUNK);
    ssize_t r = read_raw(in, in->raw, 2);
    if (r < 0) {
        snprintf(err, errlen, "%s", in->err);
        input_close(in);
        return NULL;
    }
    if (r == 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
        in->gzip = true;
        if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK) {
            snprintf(err, errlen, "cannot initialise zlib");
            input_close(in);
            return NULL;
        }
    }
    in->zs.next_in = in->raw;
    in->zs.avail_in = (uInt)r;
    return in;
}

/* Plain mode: serve the peeked bytes first, then read straight into dst. */
static ssize_t read_plain(input_t *in, uint8_t *dst, size_t n)
{
    if (in->zs.avail_in > 0) {
        size_t k = in->zs.avail_in < n ? in->zs.avail_in : n;
        memcpy(dst, in->zs.next_in, k);
        in->zs.next_in += k;
        in->zs.avail_in -= (uInt)k;
        return (ssize_t)k;
    }
    return read_raw(in, dst, n);
}

static ssize_t read_gzip(input_t *in, uint8_t *dst, size_t n)
{
    in->zs.next_out = dst;
    in->zs.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    while (in->zs.avail_out > 0 && !in->gz_done) {
        if (in->zs.avail_in == 0 && !in->raw_eof) {
            ssize_t r = read_raw(in, in->raw, INPUT_RAW_CHUNK);
            if (r < 0)
                return -1;
            in->zs.next_in = in->raw;
            in->zs.avail_in = (uInt)r;
        }
        uInt before = in->zs.avail_out;
        int rc = inflate(&in->zs, Z_NO_FLUSH);
        if (in->zs.avail_out != before)
            in->member_output = true;
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            if (in->zs.avail_in == 0 && !in->raw_eof) {
                ssize_t r = read_raw(in, in->raw, INPUT_RAW_CHUNK);
                if (r < 0)
                    return -1;
                in->zs.next_in = in->raw;
                in->zs.avail_in = (uInt)r;
            }
            if (in->zs.avail_in == 0 || inflateReset(&in->zs) != Z_OK)
                in->gz_done = true;
            in->member_output = false;
            in->members++;
            continue;
        }
        if (rc == Z_BUF_ERROR && in->zs.avail_in == 0 && in->raw_eof) {
            if (in->member_output)
                snprintf(in->err, sizeof in->err, "gzip stream is truncated");
            in->gz_done = true;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            /* Bytes after a complete member that are not another member are
             * trailing padding (gzip itself ignores them); inside a member
             * they are corruption. */
            if (in->member_output || in->members == 0)
                snprintf(in->err, sizeof in->err, "gzip data is corrupt (%s)",
                         in->zs.msg ? in->zs.msg : "inflate error");
            in->gz_done = true;
            break;
        }
    }
    size_t got = n - in->zs.avail_out;
    if (got == 0 && in->err[0])
        return -1;
    return (ssize_t)got;
}

ssize_t input_read(input_t *in, void *dst, size_t n)
{
    if (n == 0)
        return 0;
    return in->gzip ? read_gzip(in, dst, n) : read_plain(in, dst, n);
}

void input_finish(input_t *in, uint8_t out[32])
{
    while (!in->raw_eof) {
        if (read_raw(in, in->raw, INPUT_RAW_CHUNK) < 0)
            break;
    }
    unsigned int len = 32;
    EVP_DigestFinal_ex(in->sha, out, &len);
}

bool input_is_gzip(const input_t *in) { return in->gzip; }
uint64_t input_raw_size(const input_t *in) { return in->size; }
uint64_t input_raw_consumed(const input_t *in) { return in->consumed; }
const char *input_error(const input_t *in) { return in->err[0] ? in->err : NULL; }

void input_close(input_t *in)
{
    if (!in)
        return;
    if (in->gzip)
        inflateEnd(&in->zs);
    if (in->sha)
        EVP_MD_CTX_free(in->sha);
    if (in->fd >= 0)
        close(in->fd);
    free(in->raw);
    free(in);
}
