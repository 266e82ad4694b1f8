/*
 * artwriter.h — carved files written on their own thread.
 *
 * Creating a file is the slowest thing the carver does (ext4 searches for a
 * free inode; after a large case was deleted that search alone took a fifth
 * of the analysis time).  The HTTP analyser hands each finished in-memory
 * body to this writer and goes on decoding; the writer skips artifacts that
 * already exist and writes the rest atomically (temporary name, rename).
 *
 * The queue holds at most ARTWRITER_MAX_QUEUED bytes: a producer waits when
 * it is full, so memory stays bounded however fast bodies come.  Without a
 * running writer (a program that never started it), artwriter_put writes at
 * once on the caller's thread.  Writes that fail are noted as
 * "limit.artifact_write_failed" in the damage table given with the body,
 * when artwriter_stop() runs (one thread only by then).
 */
#ifndef PCAPCASE_ARTWRITER_H
#define PCAPCASE_ARTWRITER_H

#include "core/damage.h"

#include <stddef.h>
#include <stdint.h>

#define ARTWRITER_MAX_QUEUED ((size_t)64 << 20)

void artwriter_start(void);
/* Write data (len bytes, malloc'd, taken over) to path (malloc'd, taken
 * over) unless a file is already there. */
void artwriter_put(char *path, uint8_t *data, size_t len, damage_t *damage, uint64_t frame);
/* Wait for every queued write, stop the thread and note the failures. */
void artwriter_stop(void);

#endif
