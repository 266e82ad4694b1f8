/*
 * ticks.h — where the ticks of an axis go: "nice" steps (1, 2, 5 x 10^k),
 * power-of-two steps for binary units, decades for log axes, and clock-
 * friendly steps for time (1 s, 15 s, 5 min, 1 h, 1 d, ...) aligned to the
 * displayed time zone so ticks fall on round local times.
 *
 * Pure arithmetic, no cairo: tests call these directly.
 */
#ifndef PCAPCASE_CHARTS_TICKS_H
#define PCAPCASE_CHARTS_TICKS_H

#include <stdbool.h>
#include <stddef.h>

/* The most ticks any axis gets: far more than fit as labels on the largest
 * chart (16384 units / 64 units per label), and it bounds the arrays. */
#define TICKS_MAX 256

/* The smallest 1-2-5 step that gives at most `target` intervals over range
 * (range > 0, target >= 1). */
double ticks_nice_step(double range, int target);

/* Like ticks_nice_step, but for byte quantities: powers of two from 1 up
 * (512 B, 1 KiB, 256 MiB, ...), 1-2-5 below 1. */
double ticks_binary_step(double range, int target);

/* Step for a duration axis in seconds: 1-2-5 below a second, then
 * 1 2 5 10 15 30 s, 1 2 5 10 15 30 min, 1 2 3 6 12 h, 1 2 d, 1 2 4 weeks,
 * then 1-2-5 multiples of 4 weeks. */
double ticks_time_step(double span, int target);

/* Multiples of step within [lo, hi] (both ends included within a rounding
 * tolerance), shifted so that (tick + offset) is a multiple of step: offset
 * is 0 for numbers and the zone offset for clock times.  Values within a
 * millionth of a step of zero are written as exactly 0.  Returns the count
 * written to out (at most cap). */
size_t ticks_linear(double lo, double hi, double step, double offset, double *out, size_t cap);

/* Round values a log axis stops at, per kind of unit: powers of ten
 * (1-2-5 when dense); powers of two for bytes (1 KiB, 32 KiB, 1 MiB);
 * decimal below ten seconds, then clock units for durations (1 min, 10 min,
 * 1 h, 1 d) — "16.7 min" and "95.4 MiB" are not values people think in. */
typedef enum log_ladder { LADDER_DECIMAL, LADDER_BINARY, LADDER_DURATION } log_ladder_t;

/* Major ticks of a log axis over [lo, hi] (0 < lo < hi): the densest level
 * of the ladder that gives at most `target` ticks, or every k-th rung of
 * the sparsest.  Decades (durations: below 10 s) also get minor ticks (2..9 x 10^k) in
 * minor for a light grid; *n_minor is set (0 otherwise).  Returns the number
 * of major ticks. */
size_t ticks_log(log_ladder_t kind, double lo, double hi, int target, double *out, size_t cap,
                 double *minor, size_t minor_cap, size_t *n_minor);

/* Widen [lo, hi] to the nearest round rungs outside it (decades; powers of
 * 32 for bytes; 1 s, 10 s, 1 min, 10 min, 1 h, 1 d for durations). */
void ticks_log_bounds(log_ladder_t kind, double lo, double hi, double *out_lo, double *out_hi);

#endif
