/*
 * timeline.h — the case timeline in case.json.
 *
 * Events, sorted by time (then capture, host, finding; then text): each
 * capture's start and end, each finding's first and last evidence, and when
 * each host named in a finding was first and last seen in any capture.  Times
 * are each capture's own clock: the report shows every capture's range so a
 * reader can see where clocks may disagree.  At most TIMELINE_MAX_EVENTS are
 * listed (the earliest); "timeline_omitted" counts the rest.
 */
#ifndef PCAPCASE_TIMELINE_H
#define PCAPCASE_TIMELINE_H

#include "case/merged.h"

#define TIMELINE_MAX_EVENTS 5000

struct jsonw;
/* Write "timeline": [...] and "timeline_omitted": N into an open object. */
void timeline_json(struct jsonw *w, const case_t *k);

#endif
