/* fsutil.c — see fsutil.h. */
#include "fsutil.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first write failure of the process. */
static struct {
    pthread_mutex_t mu;
    bool set;
    char msg[1024];
} first_failure = {PTHREAD_MUTEX_INITIALIZER, false, ""};

void fs_note_failure(const char *path, const char *what, int err)
{
    pthread_mutex_lock(&first_failure.mu);
    if (!first_failure.set) {
        snprintf(first_failure.msg, sizeof first_failure.msg, "%s: cannot %s: %s", path, what,
                 err ? strerror(err) : "unknown error");
        first_failure.set = true;
    }
    pthread_mutex_unlock(&first_failure.mu);
}

bool fs_first_failure(char *out, size_t size)
{
    pthread_mutex_lock(&first_failure.mu);
    bool set = first_failure.set;
    if (set)
        snprintf(out, size, "%s", first_failure.msg);
    pthread_mutex_unlock(&first_failure.mu);
    return set;
}

/* Record the failure for path and return -1 with errno kept. */
static int failed(const char *path, const char *what, int err)
{
    fs_note_failure(path, what, err);
    errno = err;
    return -1;
}

int atomic_open(atomic_file_t *af, const char *path)
{
    memset(af, 0, sizeof *af);
    af->path = xstrdup(path);
    af->tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        int e = errno;
        free(af->tmp), free(af->path);
        memset(af, 0, sizeof *af);
        return failed(path, "write", e);
    }
    fchmod(fd, 0644);
    af->f = fdopen(fd, "w");
    if (!af->f) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        free(af->tmp), free(af->path);
        memset(af, 0, sizeof *af);
        return failed(path, "write", e);
    }
    return 0;
}

int atomic_commit(atomic_file_t *af)
{
    int rc = 0, e = 0;
    /* a write that failed earlier left the stream in error; the buffered
     * rest fails again here with the same reason */
    if (fflush(af->f) != 0 || ferror(af->f))
        rc = -1, e = errno;
    if (fclose(af->f) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc == 0 && rename(af->tmp, af->path) != 0)
        rc = -1, e = errno;
    if (rc != 0) {
        unlink(af->tmp);
        fs_note_failure(af->path, "write", e);
    }
    free(af->tmp), free(af->path), free(af->buf);
    memset(af, 0, sizeof *af);
    errno = e;
    return rc;
}

void atomic_abort(atomic_file_t *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp)
        unlink(af->tmp);
    free(af->tmp), free(af->path), free(af->buf);
    memset(af, 0, sizeof *af);
}

void atomic_big_buffer(atomic_file_t *af)
{
    if (af->buf)
        return;
    af->buf = xmalloc(FS_BIG_BUFFER);
    setvbuf(af->f, af->buf, _IOFBF, FS_BIG_BUFFER);
}

int atomic_write(const char *path, const void *data, size_t len)
{
    atomic_file_t af;
    if (atomic_open(&af, path) != 0)
        return -1;
    if (len && fwrite(data, 1, len, af.f) != len) {
        int e = errno;
        atomic_abort(&af);
        return failed(path, "write", e);
    }
    return atomic_commit(&af);
}

int atomic_commit_once(atomic_file_t *af, const char *path, bool *created)
{
    free(af->path);
    af->path = xstrdup(path);
    bool fresh = !path_exists(path);
    int rc = 0;
    if (fresh)
        rc = atomic_commit(af);
    else
        atomic_abort(af); /* the same content is already stored */
    if (created)
        *created = fresh && rc == 0;
    return rc;
}

int write_once(const char *path, const void *data, size_t len, bool *created)
{
    bool fresh = !path_exists(path);
    int rc = fresh ? atomic_write(path, data, len) : 0;
    if (created)
        *created = fresh && rc == 0;
    return rc;
}

int mkdir_p(const char *path, int mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return failed(path, "create folder", e);
        }
        *s = '/';
    }
    int rc = mkdir(p, (mode_t)mode);
    int e = errno;
    free(p);
    if (rc == 0 || (e == EEXIST && path_is_dir(path)))
        return 0;
    /* "File exists" would hide the reason: something that is not a folder */
    return failed(path, "create folder", e == EEXIST ? ENOTDIR : e);
}

int fs_mark_incomplete(const char *dir, const char *note)
{
    char *marker = xasprintf("%s/INCOMPLETE", dir);
    int rc = atomic_write(marker, note, strlen(note));
    free(marker);
    return rc;
}

void fs_mark_complete(const char *dir)
{
    char *marker = xasprintf("%s/INCOMPLETE", dir);
    unlink(marker);
    free(marker);
}

bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

FILE *fs_fopen_big(const char *path, const char *mode, char **buf)
{
    *buf = NULL;
    FILE *f = fopen(path, mode);
    if (f) {
        *buf = xmalloc(FS_BIG_BUFFER);
        setvbuf(f, *buf, _IOFBF, FS_BIG_BUFFER);
    }
    return f;
}

int fs_fclose_big(FILE *f, char *buf)
{
    int rc = f ? fclose(f) : 0;
    free(buf);
    return rc;
}

int fs_scratch_fd(const char *dir)
{
    int fd = dir ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
    if (fd >= 0)
        return fd;
    FILE *t = tmpfile();
    if (!t)
        return -1;
    fd = fcntl(fileno(t), F_DUPFD_CLOEXEC, 0);
    int err = errno;
    fclose(t);
    errno = err;
    return fd;
}
