/* main.c — pcapcase's entry point: dispatch to a sub-command. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__) /* known after any libc header */
#include <malloc.h>
#endif

static const char usage_text[] =
    "usage: pcapcase COMMAND [OPTIONS] ...\n"
    "\n"
    "A network-forensics workbench: one case from many captures.\n"
    "\n"
    "commands:\n"
    "  analyze  [-o CASE] [--name TEXT] [--bpf FILTER] [--tz UTC|local|+HH:MM]\n"
    "           [--no-carve] [--max-body BYTES] [--hash LIST]\n"
    "           [--threshold NAME=VALUE] [--shard K/N] [--jobs N] [--quiet] PCAP...\n"
    "           analyse captures into a case folder (default ./case)\n"
    "  merge    -o CASE PARTIAL...\n"
    "           merge the partial cases of 'analyze --shard K/N' into one case\n"
    "  compare  [-o DIR] [--label-a TEXT] [--label-b TEXT] [--nat] [--window S] A.pcap B.pcap\n"
    "           compare two captures of the same traffic from two vantage points\n"
    "  carve    [-o DIR] PCAP...   extract HTTP objects only (default ./carved)\n"
    "  trace    PCAP (--flow A:P-B:Q | --uid UID) [--json]\n"
    "           one TCP connection packet by packet\n"
    "  summary  [--json] PCAP...   capinfos-like overview of each file\n"
    "  verify   CASE               re-hash the captures and evidence listed in\n"
    "           CASE/manifest.txt; non-zero exit naming what changed or went missing\n"
    "\n"
    "  pcapcase --help | --version | COMMAND --help\n"
    "\n"
    "Exit status: 0 done; 1 done, but some input was damaged; 2 usage error;\n"
    "3 no usable input; 4 the output could not be written (stderr names the path\n"
    "and the reason); 130 interrupted.\n";

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "pcapcase%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'pcapcase %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

bool parse_tz(const char *s, int *offset_sec)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "utc") == 0 || strcmp(s, "Z") == 0) {
        *offset_sec = 0;
        return true;
    }
    if (strcmp(s, "local") == 0) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        *offset_sec = (int)tm.tm_gmtoff;
        return true;
    }
    int h, m;
    char sign, extra;
    if (sscanf(s, "%c%2d:%2d%c", &sign, &h, &m, &extra) == 3 && (sign == '+' || sign == '-') &&
        h >= 0 && h <= 14 && m >= 0 && m < 60 && strlen(s) == 6) {
        *offset_sec = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
        return true;
    }
    return false;
}

bool parse_bytes(const char *s, unsigned long long *out)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10, end++;
    else if (*end == 'm' || *end == 'M')
        shift = 20, end++;
    else if (*end == 'g' || *end == 'G')
        shift = 30, end++;
    if (*end == 'i')
        end++;
    if (*end == 'B')
        end++;
    if (*end || end == s || (shift && v > (~0ULL >> shift)))
        return false;
    *out = v << shift;
    return true;
}

/* glibc's allocator hands memory back to the kernel as soon as it can:
 * blocks from 128 KiB up are mapped and unmapped one by one (until its
 * threshold adapts), and a thread's arena is trimmed whenever 128 KiB lie
 * free at its top — then touched again, page by page, for the next body,
 * chart or sheet.  On a virtual machine each of those page faults costs
 * several microseconds.  Blocks up to 4 MiB come from the arenas and up to
 * 32 MiB of free memory stays at an arena's top: 30 % fewer page faults and
 * 8-12 % less wall time on many small HTTP objects (bro.org x 200, 101 MB),
 * peak RSS +3-5 MB (docs/performance.md, "the allocator keeps what it
 * freed").  A GLIBC_TUNABLES that sets malloc parameters wins. */
static void allocator_keep_freed(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    const char *t = getenv("GLIBC_TUNABLES");
    if (t && strstr(t, "glibc.malloc."))
        return;
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}

int main(int argc, char **argv)
{
    allocator_keep_freed();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("pcapcase %s\n", PCAPCASE_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "analyze") == 0 || strcmp(cmd, "analyse") == 0)
        return cmd_analyze(argc - 1, argv + 1, false);
    if (strcmp(cmd, "carve") == 0)
        return cmd_analyze(argc - 1, argv + 1, true);
    if (strcmp(cmd, "summary") == 0)
        return cmd_summary(argc - 1, argv + 1);
    if (strcmp(cmd, "trace") == 0)
        return cmd_trace(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
