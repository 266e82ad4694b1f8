/*
 * ranges.h — whole objects assembled from 206 Partial Content parts.
 *
 * Each complete, unencoded part ("Content-Range: bytes A-B/T") is carved on
 * its own by the HTTP analyser, which also reports it (a range_part_t record,
 * kept as range_rec_t).  Once all captures are read, parts with the same URL and total length T,
 * from any connection or capture, are chained from byte 0: when they cover [0, T) without a hole
 * and agree byte for byte where they overlap, the whole object is written to artifacts/<sha256> and
 * gets its own files.ndjson row (assembled_from: the parts' fuids; ts, uid and pcap of the part
 * that arrived last).  Incomplete sets stay as their parts.
 *
 * It lives with the writers because it is evidence work: it reads the parts'
 * artifacts back and writes the whole object.
 */
#ifndef PCAPCASE_RANGES_H
#define PCAPCASE_RANGES_H

#include "case/merged.h"

#include <stddef.h>

/* Returns how many whole objects were assembled. */
size_t ranges_assemble(case_t *k);

#endif
