/*
 * magic_compare.c — the hand-written sniffer (src/proto/mime.h) against
 * libmagic (src/proto/filemagic.h) on a folder of carved files: speed of
 * each, and where their MIME types agree.  The measurement behind
 * docs/dependencies.md ("libmagic").
 *
 *   magic_compare DIR [ROUNDS]     (build: tests/tools/magic_compare.sh)
 *
 * Prints one line per file where the two disagree (with MAGIC_COMPARE_ALL
 * set: "name TAB sniffer TAB libmagic" for every file), then the totals.
 * Times are CPU time of this process, so a busy machine disturbs them less.
 */
#include "proto/filemagic.h"
#include "proto/mime.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: robust to a busy machine */
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The sniffer names a few types differently from libmagic; these are the
 * same answer. */
static int same(const char *a, const char *b)
{
    static const char *const alias[][2] = {
        {"application/x-executable", "application/x-pie-executable"},
        {"application/x-executable", "application/x-sharedlib"},
        {"text/xml", "application/xml"},
        {"application/x-java-applet", "application/x-java-applet"},
        {"application/x-ole-storage", "application/CDFV2"},
        {"application/x-ole-storage", "application/msword"},
        {"application/x-ole-storage", "application/vnd.ms-excel"},
        {"image/vnd.microsoft.icon", "image/x-icon"},
    };
    if (strcmp(a, b) == 0)
        return 1;
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (strcmp(a, alias[i][0]) == 0 && strcmp(b, alias[i][1]) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: magic_compare DIR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    char err[256];
    filemagic_t *fm = filemagic_open(err, sizeof err);
    if (!fm) {
        fprintf(stderr, "magic_compare: %s\n", err);
        return 3;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 3;
    }
    struct dirent *e;
    size_t files = 0, agree = 0, bytes = 0;
    double t_sniff = 0, t_magic = 0;
    static unsigned char buf[FILEMAGIC_BYTES];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (!n)
            continue;
        files++;
        bytes += n;
        const char *s = NULL;
        char mime[FILEMAGIC_MAX_TEXT], desc[FILEMAGIC_MAX_TEXT];
        double t0 = now();
        for (int r = 0; r < rounds; r++)
            s = mime_sniff(buf, n < MIME_SNIFF_BYTES ? n : MIME_SNIFF_BYTES);
        double t1 = now();
        for (int r = 0; r < rounds; r++)
            filemagic_identify(fm, buf, n, mime, sizeof mime, desc, sizeof desc);
        double t2 = now();
        t_sniff += t1 - t0;
        t_magic += t2 - t1;
        if (same(s, mime))
            agree++;
        if (getenv("MAGIC_COMPARE_ALL"))
            printf("%s\t%s\t%s\n", e->d_name, s, mime);
        else if (!same(s, mime))
            printf("%-12.12s sniff=%-28s magic=%-34s %.60s\n", e->d_name, s, mime, desc);
    }
    closedir(d);
    filemagic_close(fm);
    printf("files %zu, agree %zu (%.1f %%)\n", files, agree, files ? 100.0 * agree / files : 0);
    printf("sniffer  %.2f us/file\nlibmagic %.2f us/file (mime + description)\n",
           files ? 1e6 * t_sniff / files / rounds : 0, files ? 1e6 * t_magic / files / rounds : 0);
    return 0;
}
