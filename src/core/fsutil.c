/* fsutil.c — see fsutil.h. */
#include "fsutil.h"

#include "core/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_open(atomic_file_t *af, const char *path)
{
    memset(af, 0, sizeof *af);
    af->path = xstrdup(path);
    af->tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        free(af->tmp), free(af->path);
        memset(af, 0, sizeof *af);
        return -1;
    }
    fchmod(fd, 0644);
    af->f = fdopen(fd, "w");
    if (!af->f) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        free(af->tmp), free(af->path);
        memset(af, 0, sizeof *af);
        errno = e;
        return -1;
    }
    return 0;
}

int atomic_commit(atomic_file_t *af)
{
    int rc = 0;
    if (fflush(af->f) != 0 || ferror(af->f))
        rc = -1;
    int e = errno;
    if (fclose(af->f) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc == 0 && rename(af->tmp, af->path) != 0)
        rc = -1, e = errno;
    if (rc != 0)
        unlink(af->tmp);
    free(af->tmp), free(af->path);
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
    free(af->tmp), free(af->path);
    memset(af, 0, sizeof *af);
}

int atomic_write(const char *path, const void *data, size_t len)
{
    atomic_file_t af;
    if (atomic_open(&af, path) != 0)
        return -1;
    if (len && fwrite(data, 1, len, af.f) != len) {
        int e = errno;
        atomic_abort(&af);
        errno = e;
        return -1;
    }
    return atomic_commit(&af);
}

int atomic_commit_once(atomic_file_t *af, const char *path)
{
    free(af->path);
    af->path = xstrdup(path);
    if (!path_exists(path))
        return atomic_commit(af);
    atomic_abort(af); /* the same content is already stored */
    return 0;
}

int write_once(const char *path, const void *data, size_t len)
{
    return path_exists(path) ? 0 : atomic_write(path, data, len);
}

int mkdir_p(const char *path, int mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, (mode_t)mode);
    free(p);
    if (rc != 0 && errno == EEXIST && path_is_dir(path))
        rc = 0;
    return rc;
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
