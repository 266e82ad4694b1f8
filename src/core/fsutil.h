/*
 * fsutil.h — writing case files safely.
 *
 * Every file under CASE is written to a temporary name in the same folder
 * and renamed into place when complete (rename is atomic on POSIX), so an
 * interrupted run never leaves a half-written file under the final name.
 * Also: mkdir -p, content-addressed writes that skip existing objects, the
 * INCOMPLETE marker of a folder being rewritten, and the record of the
 * first write failure.
 *
 * Write failures (full disk, permission denied, a file where a folder
 * should be) are not data problems: a run that meets one ends with exit
 * status 4 and one line naming the path and the system's reason.  Writers
 * deep in the pipeline (the artifact writer thread, certificate saving,
 * log spools) cannot stop the run themselves, so every function here that
 * fails also records the failure (the first one of the process wins, any
 * thread); the driver asks fs_first_failure() after each phase.  Code that
 * writes by other means records its failures with fs_note_failure().
 */
#ifndef PCAPCASE_FSUTIL_H
#define PCAPCASE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The stdio buffer of files of megabytes written or read line by line
 * (atomic_big_buffer, fs_fopen_big). */
#define FS_BIG_BUFFER (256 * 1024)

typedef struct atomic_file {
    FILE *f;
    char *tmp;
    char *path;
    char *buf; /* atomic_big_buffer's, or NULL */
} atomic_file_t;

/* Open a temporary file beside path.  0, or -1 with errno set. */
int atomic_open(atomic_file_t *af, const char *path);
/* Flush, fsync-free close and rename over path.  0, or -1 with errno set
 * (the temporary file is removed on failure). */
int atomic_commit(atomic_file_t *af);
/* Close and remove the temporary file. */
void atomic_abort(atomic_file_t *af);
/* Give the file just opened a stdio buffer of FS_BIG_BUFFER bytes (a log or
 * page of megabytes goes out in large writes, not 4 KiB ones); commit and
 * abort free it. */
void atomic_big_buffer(atomic_file_t *af);
/* Write a whole buffer atomically to path. */
int atomic_write(const char *path, const void *data, size_t len);

/* Content-addressed objects (artifacts/<sha256>, certs/<sha256>.der): the
 * name says what the content is, so an object already there is the same one
 * and is kept.  atomic_commit_once finishes a file opened with atomic_open
 * (on any placeholder name in the same folder, for content whose name is
 * only known at the end) under path; write_once writes a buffer.  Both
 * return 0 when the object is there afterwards, -1 with errno set if not
 * (the temporary file is removed either way); *created (when not NULL) says
 * whether this call put it there (false: it was there already). */
int atomic_commit_once(atomic_file_t *af, const char *path, bool *created);
int write_once(const char *path, const void *data, size_t len, bool *created);

/* mkdir -p; 0 or -1 with errno set (ENOTDIR when path is a file). */
int mkdir_p(const char *path, int mode);

/* Record a failure to `what` ("write", "create folder", ...) path with
 * errno value err, unless one was recorded before.  Thread-safe. */
void fs_note_failure(const char *path, const char *what, int err);
/* The first failure recorded, as "PATH: cannot WHAT: REASON", into out;
 * false (out untouched) when there was none. */
bool fs_first_failure(char *out, size_t size);

/* DIR/INCOMPLETE, holding note, marks a folder whose files are being
 * replaced: written before the first change, removed after the last
 * (fs_mark_complete).  0, or -1 with the failure recorded. */
int fs_mark_incomplete(const char *dir, const char *note);
void fs_mark_complete(const char *dir);
bool path_exists(const char *path);
bool path_is_dir(const char *path);

/* fopen(path, mode) with a stdio buffer of FS_BIG_BUFFER bytes (the logs the
 * reports read back: 4 KiB per system call otherwise); *buf is that buffer,
 * to give to fs_fclose_big.  NULL (errno set, *buf NULL) when fopen fails. */
FILE *fs_fopen_big(const char *path, const char *mode, char **buf);
/* An unnamed temporary file, read-write, in dir (O_TMPFILE: it is gone
 * when closed, and when the process dies), else one of tmpfile()'s; its
 * descriptor, or -1 with errno. */
int fs_scratch_fd(const char *dir);
/* fclose(f) (f may be NULL), then free buf; fclose's result. */
int fs_fclose_big(FILE *f, char *buf);

#endif
