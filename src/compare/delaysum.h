/*
 * delaysum.h — order statistics of delays in bounded memory.
 *
 * Values are kept exactly up to a limit chosen by the caller; past it they
 * move into a log-linear histogram of nanoseconds (1024 buckets per power of
 * two, so a reported quantile is within 0.1 % of the true one; values under
 * 1024 ns are kept to the nanosecond).  The minimum and the maximum are
 * always exact.  The histogram allocates a 4 KiB page per power of two that
 * actually occurs, so a connection whose delays span 100 µs to 100 ms costs
 * about 40 KiB however many packets it has.
 */
#ifndef PCAPCASE_DELAYSUM_H
#define PCAPCASE_DELAYSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds_hist;

typedef struct delaysum {
    uint64_t n;
    double min, max;
    double *exact; /* the values while n <= limit */
    uint32_t nexact, capexact, limit;
    bool sorted;
    struct ds_hist *hist; /* past the limit */
} delaysum_t;

void ds_init(delaysum_t *d, uint32_t exact_limit);
void ds_add(delaysum_t *d, double v);
/* The value of rank r (0-based, r < n) in ascending order: exact while
 * ds_is_exact, else the middle of its histogram bucket, clamped to
 * [min, max] (the first and last ranks are min and max exactly). */
double ds_rank(delaysum_t *d, uint64_t r);
bool ds_is_exact(const delaysum_t *d);
void ds_free(delaysum_t *d);

#endif
