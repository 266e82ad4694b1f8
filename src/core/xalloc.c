/* xalloc.c — see xalloc.h. */
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(size_t n)
{
    fprintf(stderr, "pcapcase: out of memory allocating %zu bytes\n", n);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die_oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        die_oom(SIZE_MAX);
    return xrealloc(p, count * size);
}

void *xgrow_to(void *p, size_t *cap, size_t need, size_t size, int fill)
{
    if (need < *cap)
        return p;
    size_t n = *cap ? *cap : 256;
    while (n <= need)
        n *= 2;
    p = xreallocarray(p, n, size);
    memset((char *)p + *cap * size, fill, (n - *cap) * size);
    *cap = n;
    return p;
}

static void die_null(const char *what, const char *file, int line)
{
    fprintf(stderr, "pcapcase: internal error: %s(NULL) at %s:%d\n", what, file, line);
    abort();
}

char *xstrdup_at(const char *s, const char *file, int line)
{
    if (!s)
        die_null("xstrdup", file, line);
    return xstrndup_at(s, strlen(s), file, line);
}

char *xstrndup_at(const char *s, size_t n, const char *file, int line)
{
    if (!s)
        die_null("xstrndup", file, line);
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
