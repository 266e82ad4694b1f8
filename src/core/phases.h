/*
 * phases.h — phase times for PCAPCASE_TIMINGS.
 *
 * When the variable is set, analyze and compare print one line on stderr,
 * "pcapcase: timings (s): NAME SECONDS NAME_cpu SECONDS NAME_peak_mb N ..."
 * (the benchmark reads it): each phase's wall time, the CPU time all threads
 * spent in it (what a loaded machine does not change much) and the peak
 * resident memory at its end.
 */
#ifndef PCAPCASE_PHASES_H
#define PCAPCASE_PHASES_H

#include <stddef.h>
#include <time.h>

typedef struct phases {
    struct timespec t0;
    double cpu0; /* process CPU seconds when the phase began */
    char line[768];
    size_t len;
} phases_t;

/* Close the phase running since the last call under `name` (NULL: start). */
void phase(phases_t *ph, const char *name);
/* Print the line when PCAPCASE_TIMINGS is set. */
void phases_print(phases_t *ph);

#endif
