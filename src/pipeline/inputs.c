/* inputs.c — which files make up the case; see case.h. */
#include "pipeline/pipeline.h"

#include "core/xalloc.h"
#include "core/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void push(case_inputs_t *in, const char *path)
{
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->paths[i], path) == 0)
            return; /* same path twice: analyse once */
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 16;
        in->paths = xreallocarray(in->paths, in->cap, sizeof *in->paths);
    }
    in->paths[in->n++] = xstrdup(path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Capture-looking names inside a folder; other files (notes, truth.json) are
 * skipped so pointing at an evidence folder just works. */
static bool capture_name(const char *n)
{
    static const char *const ext[] = {".pcap",   ".pcapng", ".cap",   ".pcap.gz", ".pcapng.gz",
                                      ".cap.gz", ".dmp",    ".trace", ".gz"};
    size_t l = strlen(n);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (l > e && strcasecmp(n + l - e, ext[i]) == 0)
            return true;
    }
    return false;
}

int case_inputs_add(case_inputs_t *in, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        push(in, path);
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: cannot list folder: %s", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !capture_name(e->d_name))
            continue;
        char *full = xasprintf("%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                names = xreallocarray(names, cap, sizeof *names);
            }
            names[n++] = full;
        } else {
            free(full);
        }
    }
    closedir(d);
    xqsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        push(in, names[i]);
        free(names[i]);
    }
    free(names);
    if (n == 0) {
        snprintf(err, errlen, "%s: folder holds no capture files (.pcap, .pcapng, .gz)", path);
        return -1;
    }
    return 0;
}

void case_inputs_add_previous(case_inputs_t *in, const char *case_dir)
{
    char *p = xasprintf("%s/case.json", case_dir);
    json_object *root = path_exists(p) ? json_object_from_file(p) : NULL;
    free(p);
    json_object *ev;
    if (!root || !json_object_object_get_ex(root, "evidence", &ev) ||
        !json_object_is_type(ev, json_type_array)) {
        if (root)
            json_object_put(root);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(ev); i++) {
        json_object *item = json_object_array_get_idx(ev, i), *path;
        if (json_object_object_get_ex(item, "path", &path) &&
            json_object_is_type(path, json_type_string) &&
            path_exists(json_object_get_string(path)))
            push(in, json_object_get_string(path));
    }
    json_object_put(root);
}

void case_inputs_free(case_inputs_t *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    memset(in, 0, sizeof *in);
}
