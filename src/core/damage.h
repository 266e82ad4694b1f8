/*
 * damage.h — counting what could not be decoded, by reason.
 *
 * Nothing is silently dropped: every decoder that gives up on some bytes calls
 * damage_note() with a short static reason string ("ipv4.bad_header_len") and
 * the frame number.  case.json and the report show the counts per reason and
 * the first few frames of each, so an analyst can open them in Wireshark.
 *
 * Reasons must be string literals (the table keeps the pointer, compares by
 * content).  Not thread-safe: one damage_t per capture being read.
 */
#ifndef PCAPCASE_DAMAGE_H
#define PCAPCASE_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

/* First frames kept per reason: enough to open a few examples, bounded. */
#define DAMAGE_FIRST_FRAMES 5

typedef struct damage_entry {
    const char *reason;
    uint64_t count;
    uint64_t frames[DAMAGE_FIRST_FRAMES];
    unsigned nframes;
} damage_entry_t;

typedef struct damage {
    damage_entry_t *v;
    size_t n, cap;
} damage_t;

void damage_note(damage_t *d, const char *reason, uint64_t frame);
void damage_add(damage_t *d, const char *reason, uint64_t count, uint64_t frame);
/* Merge src into dst (counts add, frames kept up to the limit). */
void damage_merge(damage_t *dst, const damage_t *src);
uint64_t damage_total(const damage_t *d);
/* Sort entries by reason so output is deterministic. */
void damage_sort(damage_t *d);
void damage_free(damage_t *d);

/* Keep the max smallest frame numbers in v[0..*n), sorted and without
 * repeats: the same ones whatever order the frames come in (workers note in
 * their own order).  Frame 0 (unknown) is ignored. */
void frames_keep_smallest(uint64_t *v, unsigned *n, unsigned max, uint64_t frame);

#endif
