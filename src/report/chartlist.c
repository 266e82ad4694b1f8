/* chartlist.c — see chartlist.h. */
#include "chartlist.h"

#include "core/xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **chartlist(const char *dir, size_t *n)
{
    char *cdir = xasprintf("%s/charts", dir);
    DIR *d = opendir(cdir);
    free(cdir);
    char **names = NULL;
    *n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".png") == 0) {
            names = xreallocarray(names, *n + 1, sizeof *names);
            names[(*n)++] = xstrdup(e->d_name);
        }
    }
    if (d)
        closedir(d);
    xqsort(names, *n, sizeof *names, cmp_str);
    return names;
}

void chartlist_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
