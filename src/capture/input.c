/* input.c — see input.h.
 *
 * Raw bytes are read in chunks into a small ring.  A hasher thread runs
 * SHA-256 over each chunk while the decoding thread inflates or copies it
 * onward, so hashing the evidence (≈1.7 GB/s with SHA-NI) no longer sits on
 * the decoding path.  A slot is refilled only after the hasher is done with
 * it, and the consumer only ever uses the newest chunk. */
#include "input.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Raw read size: large enough that syscalls and hashing calls are amortised,
 * small enough to stay in cache while it is hashed and inflated. */
#define INPUT_RAW_CHUNK (1u << 20)
/* Chunks in flight between reader and hasher. */
#define INPUT_RING 8

typedef struct chunk {
    uint8_t *data;
    size_t len;
} chunk_t;

struct input {
    int fd;
    uint64_t size;
    uint64_t consumed;
    bool raw_eof;
    char err[160];
    /* hashing thread */
    EVP_MD_CTX *sha;
    chunk_t ring[INPUT_RING];
    uint64_t filled, hashed; /* chunks read / hashed so far */
    bool closing;
    bool hash; /* false: a second look at a file already hashed */
    pthread_t hasher;
    bool hasher_running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* the newest chunk, being consumed */
    const uint8_t *cur;
    size_t cur_left;
    /* gzip */
    bool gzip;
    bool gz_done;       /* no more decompressed data will come */
    bool member_output; /* the current gzip member produced output */
    unsigned members;   /* gzip members completed */
    z_stream zs;
};

static void *hash_loop(void *arg)
{
    input_t *in = arg;
    pthread_mutex_lock(&in->lock);
    for (;;) {
        while (in->hashed == in->filled && !in->closing)
            pthread_cond_wait(&in->cond, &in->lock);
        if (in->hashed == in->filled)
            break;
        chunk_t *c = &in->ring[in->hashed % INPUT_RING];
        pthread_mutex_unlock(&in->lock);
        EVP_DigestUpdate(in->sha, c->data, c->len);
        pthread_mutex_lock(&in->lock);
        in->hashed++;
        pthread_cond_broadcast(&in->cond);
    }
    pthread_mutex_unlock(&in->lock);
    return NULL;
}

/* Read the next raw chunk (hashing it in the background) and make it the
 * current one.  Returns its length, 0 at end of file, -1 on error. */
static ssize_t next_chunk(input_t *in)
{
    if (in->raw_eof)
        return 0;
    pthread_mutex_lock(&in->lock);
    /* the slot is free once the chunk INPUT_RING before it has been hashed */
    while (in->filled >= INPUT_RING && in->hashed < in->filled - INPUT_RING + 1)
        pthread_cond_wait(&in->cond, &in->lock);
    pthread_mutex_unlock(&in->lock);
    chunk_t *c = &in->ring[in->filled % INPUT_RING];
    ssize_t r;
    do {
        r = read(in->fd, c->data, INPUT_RAW_CHUNK);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        snprintf(in->err, sizeof in->err, "read error: %s", strerror(errno));
        return -1;
    }
    if (r == 0) {
        in->raw_eof = true;
        return 0;
    }
    c->len = (size_t)r;
    in->consumed += (uint64_t)r;
    in->cur = c->data;
    in->cur_left = c->len;
    pthread_mutex_lock(&in->lock);
    in->filled++;
    if (!in->hash)
        in->hashed = in->filled; /* nobody hashes: the slot is free at once */
    pthread_cond_broadcast(&in->cond);
    pthread_mutex_unlock(&in->lock);
    return r;
}

input_t *input_open(const char *path, bool hash, char *err, size_t errlen)
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
    pthread_mutex_init(&in->lock, NULL);
    pthread_cond_init(&in->cond, NULL);
    for (int i = 0; i < INPUT_RING; i++)
        in->ring[i].data = xmalloc(INPUT_RAW_CHUNK);
    in->hash = hash;
    if (hash) {
        in->sha = EVP_MD_CTX_new();
        if (!in->sha || !EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL)) {
            snprintf(err, errlen, "cannot initialise SHA-256");
            input_close(in);
            return NULL;
        }
        if (pthread_create(&in->hasher, NULL, hash_loop, in) != 0) {
            snprintf(err, errlen, "cannot start the hashing thread");
            input_close(in);
            return NULL;
        }
        in->hasher_running = true;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (next_chunk(in) < 0) {
        snprintf(err, errlen, "%s", in->err);
        input_close(in);
        return NULL;
    }
    if (in->cur_left >= 2 && in->cur[0] == 0x1f && in->cur[1] == 0x8b) {
        in->gzip = true;
        if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK) {
            snprintf(err, errlen, "cannot initialise zlib");
            input_close(in);
            return NULL;
        }
        in->zs.next_in = (uint8_t *)in->cur;
        in->zs.avail_in = (uInt)in->cur_left;
        in->cur_left = 0;
    }
    return in;
}

static ssize_t read_plain(input_t *in, uint8_t *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (in->cur_left == 0) {
            ssize_t r = next_chunk(in);
            if (r < 0)
                return got ? (ssize_t)got : -1;
            if (r == 0)
                break;
        }
        size_t k = in->cur_left < n - got ? in->cur_left : n - got;
        memcpy(dst + got, in->cur, k);
        in->cur += k;
        in->cur_left -= k;
        got += k;
    }
    return (ssize_t)got;
}

/* Feed inflate the next raw chunk; false at end of file or on error. */
static bool gzip_refill(input_t *in, bool *error)
{
    ssize_t r = next_chunk(in);
    if (r < 0)
        *error = true;
    if (r <= 0)
        return false;
    in->zs.next_in = (uint8_t *)in->cur;
    in->zs.avail_in = (uInt)in->cur_left;
    in->cur_left = 0;
    return true;
}

static ssize_t read_gzip(input_t *in, uint8_t *dst, size_t n)
{
    in->zs.next_out = dst;
    in->zs.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    bool error = false;
    while (in->zs.avail_out > 0 && !in->gz_done) {
        if (in->zs.avail_in == 0 && !in->raw_eof && !gzip_refill(in, &error) && error)
            return -1;
        uInt before = in->zs.avail_out;
        int rc = inflate(&in->zs, Z_NO_FLUSH);
        if (in->zs.avail_out != before)
            in->member_output = true;
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            if (in->zs.avail_in == 0 && !in->raw_eof && !gzip_refill(in, &error) && error)
                return -1;
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

static void stop_hasher(input_t *in)
{
    if (!in->hasher_running)
        return;
    pthread_mutex_lock(&in->lock);
    in->closing = true;
    pthread_cond_broadcast(&in->cond);
    pthread_mutex_unlock(&in->lock);
    pthread_join(in->hasher, NULL);
    in->hasher_running = false;
}

void input_finish(input_t *in, uint8_t out[32])
{
    if (!in->hash) {
        memset(out, 0, 32);
        return;
    }
    while (next_chunk(in) > 0)
        ;
    stop_hasher(in); /* hashes every chunk still queued, then exits */
    unsigned int len = 32;
    EVP_DigestFinal_ex(in->sha, out, &len);
}

bool input_is_gzip(const input_t *in)
{
    return in->gzip;
}
uint64_t input_raw_size(const input_t *in)
{
    return in->size;
}
uint64_t input_raw_consumed(const input_t *in)
{
    return in->consumed;
}
const char *input_error(const input_t *in)
{
    return in->err[0] ? in->err : NULL;
}

void input_close(input_t *in)
{
    if (!in)
        return;
    stop_hasher(in);
    if (in->gzip)
        inflateEnd(&in->zs);
    if (in->sha)
        EVP_MD_CTX_free(in->sha);
    if (in->fd >= 0)
        close(in->fd);
    for (int i = 0; i < INPUT_RING; i++)
        free(in->ring[i].data);
    pthread_mutex_destroy(&in->lock);
    pthread_cond_destroy(&in->cond);
    free(in);
}
