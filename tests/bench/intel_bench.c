/*
 * intel_bench.c — the intel set's micro-benchmark: load N generated
 * indicators from a Zeek intel file and measure lookups per second.
 *
 *   intel_bench [N] [DIR]     (tests/bench/intel.sh builds and runs it)
 *   intel_bench --write N FILE   only write the generated feed (tests/bench/run.sh --intel)
 *
 * The file (DIR/intel-N.txt) mixes the types the way threat feeds do —
 * mostly addresses, domains and hashes, some URLs and subnets — from a fixed
 * seed, so runs compare.  Lookups use values of which one in a hundred is a
 * listed indicator (or falls under a listed subnet or "*." domain), the rest
 * random, because a case's values are mostly not in any feed.  Times are
 * CPU seconds of the process (one thread).
 */
#include "case/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* CPU seconds of this process: the machine is shared, and wall time would
 * measure the other users too. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

static const char *const words[] = {"update", "cdn",  "login", "secure", "mail",  "files",
                                    "api",    "shop", "bank",  "cloud",  "track", "static"};
static const char *const tlds[] = {"com", "net", "org", "info", "xyz", "top", "ru", "io"};

static void random_domain(char *out, size_t n)
{
    snprintf(out, n, "%s-%llx.%s", words[rnd() % 12], (unsigned long long)(rnd() % 100000000),
             tlds[rnd() % 8]);
}

static void random_hex(char *out, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < digits; i++)
        out[i] = hex[rnd() % 16];
    out[digits] = 0;
}

static void random_v4(char *out, size_t n)
{
    uint64_t r = rnd();
    snprintf(out, n, "%u.%u.%u.%u", (unsigned)(r % 223 + 1), (unsigned)(r >> 8 & 255),
             (unsigned)(r >> 16 & 255), (unsigned)(r >> 24 & 255));
}

/* One indicator line of the feed mix into out; its type. */
static intel_type_t random_indicator(char *out, size_t n)
{
    unsigned pick = (unsigned)(rnd() % 100);
    char v[160];
    intel_type_t t;
    if (pick < 40) {
        random_v4(v, sizeof v), t = INTEL_ADDR;
    } else if (pick < 44) {
        snprintf(v, sizeof v, "2001:db8:%x:%x::%x", (unsigned)(rnd() % 65536),
                 (unsigned)(rnd() % 65536), (unsigned)(rnd() % 65536));
        t = INTEL_ADDR;
    } else if (pick < 48) {
        static const unsigned lens[] = {16, 20, 22, 24, 24, 24, 28};
        char a[64];
        random_v4(a, sizeof a);
        snprintf(v, sizeof v, "%s/%u", a, lens[rnd() % 7]);
        t = INTEL_SUBNET;
    } else if (pick < 70) {
        random_domain(v, sizeof v), t = INTEL_DOMAIN;
    } else if (pick < 73) {
        char d[100];
        random_domain(d, sizeof d);
        snprintf(v, sizeof v, "*.%s", d), t = INTEL_DOMAIN;
    } else if (pick < 83) {
        char d[100];
        random_domain(d, sizeof d);
        snprintf(v, sizeof v, "http://%s/%s/%llx.php", d, words[rnd() % 12],
                 (unsigned long long)rnd());
        t = INTEL_URL;
    } else if (pick < 95) {
        random_hex(v, pick < 89 ? 64 : 32), t = INTEL_FILE_HASH;
    } else if (pick < 98) {
        random_hex(v, 32), t = INTEL_JA3;
    } else {
        char d[100];
        random_domain(d, sizeof d);
        snprintf(v, sizeof v, "user%llu@%s", (unsigned long long)(rnd() % 100000), d);
        t = INTEL_EMAIL;
    }
    snprintf(out, n, "%s", v);
    return t;
}

/* Every HIT_EVERY-th lookup is of a listed value. */
#define HIT_EVERY 100
#define SAMPLE_EVERY 50

typedef struct sample {
    intel_type_t t;
    char v[160];
} sample_t;

static void bench_lookups(const intel_set_t *s, intel_type_t t, const sample_t *listed,
                          size_t nlisted, size_t count)
{
    /* values first, so only the lookups are timed */
    char(*values)[160] = malloc(count * sizeof *values);
    size_t nl = 0;
    for (size_t i = 0; i < count; i++) {
        const sample_t *hit = NULL;
        if (i % HIT_EVERY == 0)
            for (size_t tries = 0; tries < nlisted && !hit; tries++) {
                const sample_t *c = &listed[(nl++) % nlisted];
                if (c->t == t || (t == INTEL_ADDR && c->t == INTEL_SUBNET))
                    hit = c;
            }
        if (hit && t == INTEL_DOMAIN && hit->v[0] == '*')
            snprintf(values[i], 160, "www%s", hit->v + 1); /* under a "*." entry */
        else if (hit && t == INTEL_ADDR && hit->t == INTEL_SUBNET)
            snprintf(values[i], 160, "%.*s", (int)strcspn(hit->v, "/"), hit->v);
        else if (hit)
            snprintf(values[i], 160, "%s", hit->v);
        else if (t == INTEL_DOMAIN)
            snprintf(values[i], 160, "www.%s-%llx.com", words[rnd() % 12],
                     (unsigned long long)rnd());
        else if (t == INTEL_URL)
            snprintf(values[i], 160, "www.example-%llx.com/index.php?id=%llu",
                     (unsigned long long)rnd(), (unsigned long long)(rnd() % 1000));
        else if (t == INTEL_FILE_HASH)
            random_hex(values[i], 64);
        else
            random_v4(values[i], 160);
    }
    intel_id_t hits[INTEL_MAX_HITS];
    size_t found = 0;
    double t0 = now();
    if (t == INTEL_ADDR) {
        ipaddr_t *ips = malloc(count * sizeof *ips);
        for (size_t i = 0; i < count; i++)
            ipaddr_parse(values[i], &ips[i]);
        t0 = now();
        for (size_t i = 0; i < count; i++)
            found += intel_match_addr(s, &ips[i], hits) > 0;
        free(ips);
    } else {
        for (size_t i = 0; i < count; i++)
            found += intel_match(s, t, values[i], strlen(values[i]), hits) > 0;
    }
    double dt = now() - t0;
    printf("intel: %-16s %9.2f M lookups/s  (%zu lookups, %zu matched, %.0f ns each)\n",
           intel_type_name(t), (double)count / dt / 1e6, count, found, dt / (double)count * 1e9);
    free(values);
}

/* Write n generated indicators to path as a Zeek intel file; every
 * SAMPLE_EVERY-th goes to listed (up to nlisted, may be NULL).  The number
 * kept, or -1 when path cannot be written. */
static long write_feed(const char *path, size_t n, sample_t *listed, size_t nlisted)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t k = 0;
    fprintf(f, "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n");
    for (size_t i = 0; i < n; i++) {
        char v[sizeof listed[0].v];
        intel_type_t t = random_indicator(v, sizeof v);
        fprintf(f, "%s\t%s\tfeed-%zu\t-\n", v, intel_type_name(t), i % 10);
        if (listed && i % SAMPLE_EVERY == 0 && k < nlisted) {
            listed[k].t = t;
            snprintf(listed[k++].v, sizeof listed[0].v, "%s", v);
        }
    }
    fclose(f);
    return (long)k;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--write") == 0) /* the feed only (tests/bench/run.sh) */
        return write_feed(argv[3], strtoull(argv[2], NULL, 10), NULL, 0) < 0 ? 3 : 0;
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/intel-%zu.txt", dir, n);
    size_t nlisted = n / SAMPLE_EVERY + 1;
    sample_t *listed = calloc(nlisted, sizeof *listed);

    double t0 = now();
    long k = write_feed(path, n, listed, nlisted);
    if (k < 0)
        return 3;
    struct stat st;
    stat(path, &st);
    printf("intel: generated %zu indicators, %.1f MB, in %.2f CPU s (%s)\n", n,
           (double)st.st_size / 1e6, now() - t0, path);

    long rss0 = rss_mb();
    intel_set_t *s = intel_new();
    char err[256];
    t0 = now();
    if (intel_load_file(s, path, stderr, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    double load = now() - t0;
    const intel_file_info_t *fi = intel_file(s, 0);
    printf("intel: loaded %llu lines -> %zu indicators (%llu repeated, %llu bad) in %.2f CPU s "
           "(%.2f M lines/s), peak RSS +%ld MB\n",
           (unsigned long long)fi->lines, intel_count(s), (unsigned long long)fi->already_known,
           (unsigned long long)fi->bad_lines, load, (double)fi->lines / load / 1e6,
           rss_mb() - rss0);
    static const intel_type_t kinds[] = {INTEL_ADDR, INTEL_DOMAIN, INTEL_URL, INTEL_FILE_HASH};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        bench_lookups(s, kinds[i], listed, (size_t)k, 2000000);
    intel_free(s);
    free(listed);
    remove(path);
    return 0;
}
