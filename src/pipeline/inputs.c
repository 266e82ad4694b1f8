/* inputs.c — which files make up the case; see case.h. */
#include "pipeline/pipeline.h"

#include "capture/capture.h"
#include "core/xalloc.h"
#include "core/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void path_list_add(path_list_t *l, const char *given)
{
    char real[PATH_MAX];
    const char *path = realpath(given, real) ? real : given;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], path) == 0)
            return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = xstrdup(path);
}

void path_list_free(path_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

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

/* A capture by its content, whatever its name: a pcap or pcapng header,
 * or gzip whose first inflated bytes are one. */
static bool capture_content(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint8_t head[512];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    if (n < 4)
        return false;
    if (capture_magic(head, (size_t)n))
        return true;
    if (head[0] != 0x1f || head[1] != 0x8b)
        return false;
    uint8_t inner[4];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return false;
    zs.next_in = head;
    zs.avail_in = (uInt)n;
    zs.next_out = inner;
    zs.avail_out = sizeof inner;
    int rc = inflate(&zs, Z_SYNC_FLUSH);
    bool ok = (rc == Z_OK || rc == Z_STREAM_END) && zs.avail_out == 0 &&
              capture_magic(inner, sizeof inner);
    inflateEnd(&zs);
    return ok;
}

/* A pcapcase case folder (its artifacts and charts are not evidence). */
static bool case_folder(const char *dir)
{
    char *json = xasprintf("%s/case.json", dir), *man = xasprintf("%s/manifest.txt", dir);
    bool is = path_exists(json) && path_exists(man);
    free(json), free(man);
    return is;
}

/* Folders entered below the one given, at most. */
#define INPUT_MAX_DEPTH 32

/* The capture files of folder path and its subfolders, sorted by name at
 * each level, into names (appended). */
static void walk(case_inputs_t *in, const char *path, unsigned depth, char ***names, size_t *n,
                 size_t *cap)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    char **here = NULL;
    size_t nhere = 0, caphere = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (nhere == caphere) {
            caphere = caphere ? caphere * 2 : 16;
            here = xreallocarray(here, caphere, sizeof *here);
        }
        here[nhere++] = xasprintf("%s/%s", path, e->d_name);
    }
    closedir(d);
    xqsort(here, nhere, sizeof *here, cmp_str);
    for (size_t i = 0; i < nhere; i++) {
        struct stat st, lst;
        char *full = here[i];
        if (lstat(full, &lst) == 0 && S_ISDIR(lst.st_mode)) {
            if (case_folder(full))
                in->case_folders++;
            else if (depth < INPUT_MAX_DEPTH)
                walk(in, full, depth + 1, names, n, cap);
        } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            const char *base = strrchr(full, '/') + 1;
            if (capture_name(base) || capture_content(full)) {
                if (*n == *cap) {
                    *cap = *cap ? *cap * 2 : 16;
                    *names = xreallocarray(*names, *cap, sizeof **names);
                }
                (*names)[(*n)++] = full;
                continue;
            }
            in->not_captures++;
        }
        free(full);
    }
    free(here);
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
    closedir(d);
    char **names = NULL;
    size_t n = 0, cap = 0;
    walk(in, path, 0, &names, &n, &cap);
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

/* The "path" of each object of root's array key, to add(ctx, path). */
static void each_listed_path(json_object *root, const char *key, void (*add)(void *, const char *),
                             void *ctx)
{
    json_object *list;
    if (!json_object_object_get_ex(root, key, &list) || !json_object_is_type(list, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i), *path;
        if (json_object_object_get_ex(item, "path", &path) &&
            json_object_is_type(path, json_type_string))
            add(ctx, json_object_get_string(path));
    }
}

static void add_capture_if_there(void *in, const char *path)
{
    if (path_exists(path))
        push(in, path);
}

static void add_path(void *list, const char *path)
{
    path_list_add(list, path);
}

void case_inputs_add_previous(case_inputs_t *in, const char *case_dir)
{
    char *p = xasprintf("%s/case.json", case_dir);
    json_object *root = path_exists(p) ? json_object_from_file(p) : NULL;
    free(p);
    if (!root)
        return;
    each_listed_path(root, "evidence", add_capture_if_there, in);
    json_object *intel;
    if (json_object_object_get_ex(root, "intel", &intel))
        each_listed_path(intel, "files", add_path, &in->intel);
    each_listed_path(root, "mmdb", add_path, &in->mmdb);
    json_object_put(root);
}

void case_inputs_free(case_inputs_t *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    path_list_free(&in->intel);
    path_list_free(&in->mmdb);
    memset(in, 0, sizeof *in);
}
