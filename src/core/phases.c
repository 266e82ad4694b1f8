/* phases.c — phase times; see phases.h. */
#include "phases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* VmHWM of this process, in MB (0 if /proc cannot tell). */
static long peak_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb / 1024;
}

/* CPU seconds of this process so far, every thread, user and system. */
static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void phase(phases_t *ph, const char *name)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double s = (double)(t.tv_sec - ph->t0.tv_sec) + (double)(t.tv_nsec - ph->t0.tv_nsec) / 1e9;
    double cpu = cpu_seconds();
    if (name && ph->len < sizeof ph->line)
        ph->len += (size_t)snprintf(ph->line + ph->len, sizeof ph->line - ph->len,
                                    " %s %.3f %s_cpu %.3f %s_peak_mb %ld", name, s, name,
                                    cpu - ph->cpu0, name, peak_mb());
    ph->t0 = t;
    ph->cpu0 = cpu;
}

void phases_print(phases_t *ph)
{
    if (getenv("PCAPCASE_TIMINGS"))
        fprintf(stderr, "pcapcase: timings (s):%s\n", ph->line);
}
