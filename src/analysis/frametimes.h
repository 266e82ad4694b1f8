/*
 * frametimes.h — the times of a connection's recent frames.
 *
 * The text-protocol parsers (proto/ftp.c, smtp.c) report where a command
 * started by frame number only (they are pure: no clock); their analysers
 * remember the time of each frame they fed and look it up here to give a
 * row the time of its command, as Zeek does.  A small ring: the parsers
 * keep a bounded number of commands waiting, so older frames are never
 * asked for; an unknown frame falls back to the caller's "now".
 */
#ifndef PCAPCASE_FRAMETIMES_H
#define PCAPCASE_FRAMETIMES_H

#include "core/types.h"

#include <stdint.h>

/* Frames remembered: twice the commands any of our parsers keeps waiting
 * (SMTP_MAX_PENDING, 64). */
#define FRAMETIMES_KEPT 128

typedef struct frametimes {
    struct {
        uint64_t frame;
        ts_ns_t ts;
    } v[FRAMETIMES_KEPT];
    unsigned n;
} frametimes_t;

static inline void frametimes_add(frametimes_t *t, uint64_t frame, ts_ns_t ts)
{
    unsigned last = (t->n + FRAMETIMES_KEPT - 1) % FRAMETIMES_KEPT;
    if (t->n && t->v[last].frame == frame)
        return;
    t->v[t->n % FRAMETIMES_KEPT].frame = frame;
    t->v[t->n % FRAMETIMES_KEPT].ts = ts;
    t->n++;
}

/* The time of frame, or fallback when it is not remembered. */
static inline ts_ns_t frametimes_get(const frametimes_t *t, uint64_t frame, ts_ns_t fallback)
{
    for (unsigned i = 0; i < FRAMETIMES_KEPT && i < t->n; i++)
        if (t->v[i].frame == frame)
            return t->v[i].ts;
    return fallback;
}

#endif
