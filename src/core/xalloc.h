/*
 * xalloc.h — allocation that never returns NULL.
 *
 * pcapcase cannot do anything useful after malloc fails in the middle of a
 * packet, and unwinding every call chain for that case would hide the real
 * logic.  So, like git's xmalloc, these print one line naming the size and
 * exit with status 3 ("no usable result").  Memory *limits* (per flow, per
 * body) are enforced separately and long before the system runs dry; see
 * limits.h.
 */
#ifndef PCAPCASE_XALLOC_H
#define PCAPCASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow-array helper: realloc p to hold count*size bytes, checking overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
/* Grow an array indexed by ids so that index `need` fits: *cap doubles (from
 * 256) until it does, and the new items are filled with the byte `fill`
 * (0, or 0xFF for "none" ids).  Returns the array. */
void *xgrow_to(void *p, size_t *cap, size_t need, size_t size, int fill);
/* Copies of a string (the first n bytes of s, then a NUL).  s must not be
 * NULL, even with n == 0: a NULL here is a bug in the caller (it is how an
 * absent certificate field once reached memcpy), so these print one line
 * naming the calling file and line and abort() — a core dump or a
 * sanitizer's stack, not a silently empty field.  Callers turn an absent
 * value into NULL fields or "" themselves, deliberately. */
#define xstrdup(s) xstrdup_at((s), __FILE__, __LINE__)
#define xstrndup(s, n) xstrndup_at((s), (n), __FILE__, __LINE__)
char *xstrdup_at(const char *s, const char *file, int line);
char *xstrndup_at(const char *s, size_t n, const char *file, int line);
/* printf into a fresh heap string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* qsort that accepts an empty (possibly NULL) array: qsort(NULL, 0, ...) is
 * undefined behaviour in C even though nothing is sorted. */
#include <stdlib.h>
static inline void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (base && n > 1)
        qsort(base, n, size, cmp);
}
