/*
 * magic_compare.c — the hand-written sniffer (src/proto/mime.h) against
 * libmagic (src/proto/filemagic.h) on a folder of carved files: speed of
 * each, and where their MIME types agree.  The measurement behind
 * docs/dependencies.md ("libmagic").
 *
 *   magic_compare DIR [ROUNDS]        (build: tests/tools/magic_compare.sh)
 *   magic_compare -s DIR [ROUNDS]     libmagic settings against its defaults
 *   magic_compare -y DIR              the sniffer's answers, type by type
 *   magic_compare -v DIR              filemagic_type against libmagic alone
 *
 * Prints one line per file where the two disagree (with MAGIC_COMPARE_ALL
 * set: "name TAB sniffer TAB libmagic" for every file), then the totals.
 * -s times libmagic (MIME type + description) with fewer bytes and with each
 * MAGIC_NO_CHECK_* flag, and lists the files whose answers then differ from
 * the full 64 KiB with only decompression off (what pcapcase used before).
 * -y tabulates, per type the sniffer names, how many files libmagic (as
 * filemagic.c sets it up) names the same: where the sniffer can be trusted.
 * Times are CPU time of this process, so a busy machine disturbs them less.
 */
#include "proto/filemagic.h"
#include "proto/mime.h"

#include <dirent.h>
#include <magic.h>
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

/* The files of a folder, the first FILEMAGIC_BYTES of each. */
typedef struct sample {
    char name[256];
    unsigned char *p;
    size_t n;
} sample_t;

static size_t load(const char *dir, sample_t **out)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        exit(3);
    }
    size_t k = 0, cap = 0;
    sample_t *v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        unsigned char *p = malloc(FILEMAGIC_BYTES);
        size_t n = fread(p, 1, FILEMAGIC_BYTES, f);
        fclose(f);
        if (!n) {
            free(p);
            continue;
        }
        if (k == cap)
            v = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
        snprintf(v[k].name, sizeof v[k].name, "%s", e->d_name);
        v[k].p = p;
        v[k++].n = n;
    }
    closedir(d);
    *out = v;
    return k;
}

static magic_t open_cookie(int flags)
{
    magic_t m = magic_open(flags | MAGIC_ERROR);
    if (!m || magic_load(m, NULL) != 0) {
        fprintf(stderr, "magic_compare: cannot load libmagic\n");
        exit(3);
    }
    size_t max = FILEMAGIC_BYTES;
    magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
    return m;
}

/* One way of running libmagic: check flags and bytes looked at. */
typedef struct setting {
    const char *name;
    int flags;
    size_t bytes;
    size_t regex_max, encoding_max; /* libmagic's parameters; 0: its default */
} setting_t;

/* mime "\t" desc of every file under setting st; the CPU seconds taken. */
static double run(const setting_t *st, sample_t *v, size_t k, int rounds, char **answers)
{
    magic_t mm = open_cookie(MAGIC_MIME_TYPE | st->flags), md = open_cookie(st->flags);
    if (st->regex_max) {
        magic_setparam(mm, MAGIC_PARAM_REGEX_MAX, &st->regex_max);
        magic_setparam(md, MAGIC_PARAM_REGEX_MAX, &st->regex_max);
    }
    if (st->encoding_max) {
        magic_setparam(mm, MAGIC_PARAM_ENCODING_MAX, &st->encoding_max);
        magic_setparam(md, MAGIC_PARAM_ENCODING_MAX, &st->encoding_max);
    }
    double t = 0;
    for (size_t i = 0; i < k; i++) {
        size_t n = v[i].n < st->bytes ? v[i].n : st->bytes;
        const char *a = NULL, *b = NULL;
        double t0 = now();
        for (int r = 0; r < rounds; r++) {
            a = magic_buffer(mm, v[i].p, n);
            b = magic_buffer(md, v[i].p, n);
        }
        t += now() - t0;
        char line[1024];
        snprintf(line, sizeof line, "%s\t%s", a ? a : "?", b ? b : "?");
        answers[i] = strdup(line);
    }
    magic_close(mm);
    magic_close(md);
    return t / rounds;
}

/* The checks whose answers never differed on the corpus files. */
#define SAFE_SKIPS                                                                                 \
    (MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_CDF | MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_ELF |           \
     MAGIC_NO_CHECK_APPTYPE | MAGIC_NO_CHECK_TOKENS)

static int sweep(const char *dir, int rounds, int only)
{
    sample_t *v;
    size_t k = load(dir, &v);
    const int base = MAGIC_NO_CHECK_COMPRESS;
    const setting_t settings[] = {
        {"64K, no COMPRESS (before)", base, 65536},
        {"16K", base, 16384},
        {"4K", base, 4096},
        {"1K", base, 1024},
        {"512", base, 512},
        {"64K +NO_CHECK_TAR", base | MAGIC_NO_CHECK_TAR, 65536},
        {"64K +NO_CHECK_APPTYPE", base | MAGIC_NO_CHECK_APPTYPE, 65536},
        {"64K +NO_CHECK_ELF", base | MAGIC_NO_CHECK_ELF, 65536},
        {"64K +NO_CHECK_CDF", base | MAGIC_NO_CHECK_CDF, 65536},
        {"64K +NO_CHECK_CSV", base | MAGIC_NO_CHECK_CSV, 65536},
        {"64K +NO_CHECK_JSON", base | MAGIC_NO_CHECK_JSON, 65536},
        {"64K +NO_CHECK_TOKENS", base | MAGIC_NO_CHECK_TOKENS, 65536},
        {"64K +NO_CHECK_ENCODING", base | MAGIC_NO_CHECK_ENCODING, 65536},
        {"64K +NO_CHECK_TEXT", base | MAGIC_NO_CHECK_TEXT, 65536},
        {"64K regex_max 4096", base, 65536, 4096, 0},
        {"64K regex_max 1024", base, 65536, 1024, 0},
        {"64K encoding_max 16K", base, 65536, 0, 16384},
        {"64K encoding_max 4K", base, 65536, 0, 4096},
        {"64K +TAR,CDF,CSV,ELF,APPTYPE,TOKENS", base | SAFE_SKIPS, 65536},
        {"16K +TAR,CDF,CSV,ELF,APPTYPE,TOKENS", base | SAFE_SKIPS, 16384},
        {"4K +TAR,CDF,CSV,ELF,APPTYPE,TOKENS", base | SAFE_SKIPS, 4096},
    };
    size_t ns = sizeof settings / sizeof *settings;
    if (only >= 0) { /* one setting alone, for `perf stat` */
        char **a = calloc(k, sizeof *a);
        if ((size_t)only < ns)
            run(&settings[only], v, k, rounds, a);
        return 0;
    }
    char **ref = calloc(k, sizeof *ref), **got = calloc(k, sizeof *got);
    double t_ref = run(&settings[0], v, k, rounds, ref);
    printf("%zu files; CPU per file (MIME type + description), files whose answers differ\n", k);
    printf("%-30s %8.0f us   -\n", settings[0].name, 1e6 * t_ref / k);
    for (size_t s = 1; s < ns; s++) {
        double t = run(&settings[s], v, k, rounds, got);
        size_t dm = 0, dd = 0;
        for (size_t i = 0; i < k; i++) {
            const char *ta = strchr(ref[i], '\t'), *tb = strchr(got[i], '\t');
            if ((size_t)(ta - ref[i]) != (size_t)(tb - got[i]) ||
                strncmp(ref[i], got[i], (size_t)(ta - ref[i])) != 0)
                dm++;
            else if (strcmp(ta, tb) != 0)
                dd++;
        }
        printf("%-30s %8.0f us   mime %zu, description only %zu\n", settings[s].name, 1e6 * t / k,
               dm, dd);
        for (size_t i = 0; i < k; i++) {
            if (strcmp(ref[i], got[i]) != 0 && getenv("MAGIC_COMPARE_ALL"))
                printf("    %-16.16s %-60.60s | %.60s\n", v[i].name, ref[i], got[i]);
            free(got[i]);
        }
    }
    return 0;
}

/* filemagic_type (the sniffer for strong signatures, the MIME type implied
 * by the description) against libmagic asked for both, file by file. */
static int verify(const char *dir)
{
    sample_t *v;
    size_t k = load(dir, &v);
    char err[256];
    filemagic_t *fm = filemagic_open(err, sizeof err);
    if (!fm) {
        fprintf(stderr, "magic_compare: %s\n", err);
        return 3;
    }
    size_t differ = 0;
    double t_fast = 0, t_full = 0;
    uint64_t runs = 0;
    for (size_t i = 0; i < k; i++) {
        filetype_t t;
        char mime[FILEMAGIC_MAX_MIME], desc[FILEMAGIC_MAX_TEXT];
        uint64_t r0 = filemagic_stats(fm).magic_runs;
        double t0 = now();
        filemagic_type(fm, NULL, v[i].p, v[i].n, &t);
        double t1 = now();
        runs += filemagic_stats(fm).magic_runs - r0;
        filemagic_identify(fm, v[i].p, v[i].n, mime, sizeof mime, desc, sizeof desc);
        t_fast += t1 - t0;
        t_full += now() - t1;
        if (strcmp(t.mime, mime) != 0 || strcmp(t.desc, desc) != 0) {
            differ++;
            printf("  %-16.16s %s | %s  against  %s | %s\n", v[i].name, t.mime, t.desc, mime, desc);
        }
    }
    printf("%zu files, %zu differ; MIME type from the sniffer %llu; libmagic runs %llu "
           "(%zu when asked for both)\n",
           k, differ, (unsigned long long)filemagic_stats(fm).sniffed, (unsigned long long)runs,
           2 * k);
    printf("CPU per file: filemagic_type %.0f us, libmagic asked for both %.0f us\n",
           k ? 1e6 * t_fast / (double)k : 0, k ? 1e6 * t_full / (double)k : 0);
    filemagic_close(fm);
    return differ != 0;
}

/* Per type the sniffer names: files, and how many libmagic names the same. */
static int hybrid(const char *dir)
{
    sample_t *v;
    size_t k = load(dir, &v);
    char err[256];
    filemagic_t *fm = filemagic_open(err, sizeof err);
    if (!fm) {
        fprintf(stderr, "magic_compare: %s\n", err);
        return 3;
    }
    enum { MAXT = 64 };
    const char *types[MAXT];
    size_t count[MAXT] = {0}, agree[MAXT] = {0}, nt = 0;
    double cpu[MAXT] = {0};
    for (size_t i = 0; i < k; i++) {
        const char *s = mime_sniff(v[i].p, v[i].n < MIME_SNIFF_BYTES ? v[i].n : MIME_SNIFF_BYTES);
        char mime[FILEMAGIC_MAX_TEXT], desc[FILEMAGIC_MAX_TEXT];
        double t0 = now();
        filemagic_identify(fm, v[i].p, v[i].n, mime, sizeof mime, desc, sizeof desc);
        double dt = now() - t0;
        size_t t = 0;
        while (t < nt && strcmp(types[t], s) != 0)
            t++;
        if (t == nt && nt < MAXT)
            types[nt++] = s;
        if (t == MAXT)
            continue;
        count[t]++;
        cpu[t] += dt;
        if (strcmp(s, mime) == 0)
            agree[t]++;
        else
            printf("  %-16.16s sniffer %-28s libmagic %s\n", v[i].name, s, mime);
    }
    printf("%-36s %6s %6s %10s\n", "sniffer's type", "files", "same", "libmagic");
    for (size_t t = 0; t < nt; t++)
        printf("%-36s %6zu %6zu %7.0f us\n", types[t], count[t], agree[t],
               1e6 * cpu[t] / (double)count[t]);
    filemagic_close(fm);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: magic_compare DIR [ROUNDS]\n");
        return 2;
    }
    if (strcmp(argv[1], "-s") == 0 && argc > 2)
        return sweep(argv[2], argc > 3 ? atoi(argv[3]) : 3, argc > 4 ? atoi(argv[4]) : -1);
    if (strcmp(argv[1], "-y") == 0 && argc > 2)
        return hybrid(argv[2]);
    if (strcmp(argv[1], "-v") == 0 && argc > 2)
        return verify(argv[2]);
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
