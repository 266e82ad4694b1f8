/* chartlist.c — see chartlist.h. */
#include "chartlist.h"

#include "core/xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* Reading order: the whole case first, then who and what, then findings,
 * then single connections; a comparison's delays before the clock they
 * depend on; a chart of a kind not listed goes last. */
static const char *const order[] = {
    "bandwidth.",    "bandwidth_capture_",
    "protocol_mix",  "talkers_over_time",
    "top_talkers",   "top_organisations",
    "dns_over_time", "duration_bytes",
    "beacon_",       "tcp_",
    "one_way_delay", "clock_offset",
    "losses",        "window_both_points",
};

static size_t rank(const char *name)
{
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strncmp(name, order[i], strlen(order[i])) == 0)
            return i;
    return sizeof order / sizeof order[0];
}

/* TCP charts of one connection side by side: tcp_window_UID before
 * tcp_sequence_UID, connections in uid order. */
static const char *tcp_uid(const char *name, int *kind)
{
    static const char *const kinds[] = {"tcp_window_", "tcp_sequence_"};
    for (int k = 0; k < 2; k++)
        if (strncmp(name, kinds[k], strlen(kinds[k])) == 0) {
            *kind = k;
            return name + strlen(kinds[k]);
        }
    *kind = 2;
    return name;
}

static int cmp_chart(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t rx = rank(x), ry = rank(y);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int kx, ky;
    const char *ux = tcp_uid(x, &kx), *uy = tcp_uid(y, &ky);
    int c = strcmp(ux, uy);
    if (c)
        return c;
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return strcmp(x, y);
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
    xqsort(names, *n, sizeof *names, cmp_chart);
    return names;
}
