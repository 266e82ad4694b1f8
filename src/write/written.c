/* written.c — the evidence files this run created; see written.h. */
#include "write/written.h"

#include "core/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct {
    pthread_mutex_t mu;
    char **v;
    size_t n, cap;
    bool sorted;
} W = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, true};

void written_note(const char *path)
{
    char *copy = xstrdup(path);
    pthread_mutex_lock(&W.mu);
    if (W.n == W.cap)
        W.v = xrealloc(W.v, (W.cap = W.cap ? W.cap * 2 : 256) * sizeof *W.v);
    W.v[W.n++] = copy;
    W.sorted = false;
    pthread_mutex_unlock(&W.mu);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool written_created(const char *path)
{
    pthread_mutex_lock(&W.mu);
    if (!W.sorted && W.n)
        qsort(W.v, W.n, sizeof *W.v, cmp_str);
    W.sorted = true;
    bool found = W.n && bsearch(&path, W.v, W.n, sizeof *W.v, cmp_str) != NULL;
    pthread_mutex_unlock(&W.mu);
    return found;
}

void written_clear(void)
{
    pthread_mutex_lock(&W.mu);
    for (size_t i = 0; i < W.n; i++)
        free(W.v[i]);
    free(W.v);
    W.v = NULL;
    W.n = W.cap = 0;
    W.sorted = true;
    pthread_mutex_unlock(&W.mu);
}
