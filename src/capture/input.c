/* input.c — see input.h.
 *
 * Raw bytes come in chunks through a small ring.  A hasher thread runs
 * SHA-256 over each chunk while the decoding thread inflates or copies it
 * onward, so hashing the evidence (≈1.7 GB/s with SHA-NI) no longer sits on
 * the decoding path.  A slot is refilled only after the hasher is done with
 * it, and the consumer only ever uses the newest chunk.
 *
 * A regular file's chunks are mapped (mmap, read-only, prefaulted), not
 * read: read() copies every byte from the page cache once more, 0.4 s of
 * CPU per GB on the benchmark.  Each chunk is its own mapping, unmapped when
 * its slot is refilled, so at most INPUT_RING chunks are mapped (resident
 * pages of a mapping count in the process's RSS).  The file's size is taken
 * when it is opened and checked before each chunk is mapped: a file that
 * shrank is a read error, as with read().  A file truncated in the instant
 * between that check and the use of the chunk raises SIGBUS; the handler
 * says so in one line and ends the run (exit 3) instead of crashing.  When
 * mapping fails (a file system without mmap), chunks are read as before. */
#include "input.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Raw read size: large enough that syscalls and hashing calls are amortised,
 * small enough to stay in cache while it is hashed and inflated. */
#define INPUT_RAW_CHUNK (1u << 20)
/* Chunks in flight between reader and hasher. */
#define INPUT_RING 8
_Static_assert(INPUT_RING_BORROW_VALID == INPUT_RING - 1,
               "input.h says how long borrowed bytes live");

typedef struct chunk {
    uint8_t *data;        /* the read buffer (INPUT_RAW_CHUNK bytes), or NULL */
    uint8_t *map;         /* the chunk's mapping, or NULL */
    const uint8_t *bytes; /* the chunk: data or map */
    size_t len;
} chunk_t;

struct input {
    int fd;
    bool mapped; /* chunks are mapped, not read */
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
        EVP_DigestUpdate(in->sha, c->bytes, c->len);
        pthread_mutex_lock(&in->lock);
        in->hashed++;
        pthread_cond_broadcast(&in->cond);
    }
    pthread_mutex_unlock(&in->lock);
    return NULL;
}

/* The slot's earlier mapping, if any, goes (its chunk is hashed and used). */
static void unmap_chunk(chunk_t *c)
{
    if (c->map)
        munmap(c->map, c->len);
    c->map = NULL;
}

/* Read the next raw bytes into the slot's buffer: length, 0, or -1. */
static ssize_t read_chunk(input_t *in, chunk_t *c, const uint8_t **bytes)
{
    if (!c->data)
        c->data = xmalloc(INPUT_RAW_CHUNK);
    ssize_t r;
    do {
        r = read(in->fd, c->data, INPUT_RAW_CHUNK);
    } while (r < 0 && errno == EINTR);
    *bytes = c->data;
    return r;
}

/* Map the next raw bytes (up to the size the file had when opened) into the
 * slot: length, 0 at the end, or -1 (errno set) when the file shrank. */
static ssize_t map_chunk(input_t *in, chunk_t *c, const uint8_t **bytes)
{
    unmap_chunk(c);
    uint64_t left = in->size - in->consumed;
    if (left == 0)
        return 0;
    size_t len = left < INPUT_RAW_CHUNK ? (size_t)left : INPUT_RAW_CHUNK;
    struct stat st;
    if (fstat(in->fd, &st) != 0)
        return -1;
    if ((uint64_t)st.st_size < in->consumed + len) {
        errno = EIO;
        snprintf(in->err, sizeof in->err, "read error: the file shrank while it was read");
        return -1;
    }
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, in->fd, (off_t)in->consumed);
    if (m == MAP_FAILED)
        return -1;
    c->map = m;
    c->len = len;
    *bytes = m;
    return (ssize_t)len;
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
    const uint8_t *bytes;
    ssize_t r = in->mapped ? map_chunk(in, c, &bytes) : read_chunk(in, c, &bytes);
    if (r < 0) {
        if (!in->err[0])
            snprintf(in->err, sizeof in->err, "read error: %s", strerror(errno));
        return -1;
    }
    if (r == 0) {
        in->raw_eof = true;
        return 0;
    }
    c->len = (size_t)r;
    c->bytes = bytes;
    in->consumed += (uint64_t)r;
    in->cur = bytes;
    in->cur_left = c->len;
    pthread_mutex_lock(&in->lock);
    in->filled++;
    if (!in->hash)
        in->hashed = in->filled; /* nobody hashes: the slot is free at once */
    pthread_cond_broadcast(&in->cond);
    pthread_mutex_unlock(&in->lock);
    return r;
}

/* SIGBUS: a mapped capture was truncated under us (see the top comment). */
static void on_sigbus(int sig)
{
    static const char msg[] = "pcapcase: a capture file was truncated while it was being read "
                              "(SIGBUS); the case is incomplete\n";
    (void)sig;
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(3);
}

static bool sigbus_handled;

static void install_sigbus(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigbus_handled = sigaction(SIGBUS, &sa, NULL) == 0;
}

/* Can this file's chunks be mapped?  (The SIGBUS handler is installed
 * first, once for the process.) */
static bool can_map(int fd, uint64_t size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_sigbus);
    if (size == 0 || !sigbus_handled)
        return false;
    void *m = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return false;
    munmap(m, 1);
    return true;
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
    in->mapped = can_map(fd, in->size);
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

ssize_t input_borrow(input_t *in, const uint8_t **p)
{
    if (in->gzip)
        return -2;
    if (in->cur_left == 0) {
        ssize_t r = next_chunk(in);
        if (r <= 0)
            return r;
    }
    size_t k = in->cur_left;
    *p = in->cur;
    in->cur += k;
    in->cur_left = 0;
    return (ssize_t)k;
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
    for (int i = 0; i < INPUT_RING; i++) {
        unmap_chunk(&in->ring[i]);
        free(in->ring[i].data);
    }
    pthread_mutex_destroy(&in->lock);
    pthread_cond_destroy(&in->cond);
    free(in);
}
