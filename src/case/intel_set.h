/*
 * intel_set.h — what the intel loader (intel_load.c) needs of the set
 * (intel_set.c) beyond the public interface of intel.h: a place for the
 * record of each file it reads.
 */
#ifndef PCAPCASE_INTEL_SET_H
#define PCAPCASE_INTEL_SET_H

#include "case/intel.h"

/* Start the record of a file named name (copied); returns its index for
 * intel_file_mut. */
size_t intel_file_begin(intel_set_t *s, const char *name);
intel_file_info_t *intel_file_mut(intel_set_t *s, size_t i);

#endif
