/*
 * order.h — the emission order of a record, independent of how many workers
 * analysed the capture.
 *
 * With --jobs N the packets of one capture are spread over N workers by a
 * symmetric hash of the flow's address pair (flow/flowhash.h), so two
 * records made by different workers have no "earlier" between them unless we
 * give them one.  Every record and log row carries a rec_order_t:
 *
 *   hi   where the reader was: 2n while packet n (the capture's n-th record,
 *        filtered or not) was analysed, 2n+1 during the expiry sweep after
 *        it, ORDER_END_CONNS while the connections left at the end are
 *        finished, ORDER_END when the analysers close;
 *   mid  the address-pair hash of the flow the record came from (the packet's
 *        or the finishing connection's);
 *   lo   a counter of the worker that made it.
 *
 * Records with the same hi and mid come from one flow pair, hence from one
 * worker, and that worker made them in the same relative order whatever N
 * is; so sorting by (hi, mid, lo) gives one order for every N.
 */
#ifndef PCAPCASE_ORDER_H
#define PCAPCASE_ORDER_H

#include <stdint.h>

typedef struct rec_order {
    uint64_t hi;
    uint64_t lo;
    uint32_t mid;
} rec_order_t;

#define ORDER_END_CONNS (UINT64_MAX - 1)
#define ORDER_END UINT64_MAX

static inline int rec_order_cmp(const rec_order_t *a, const rec_order_t *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->mid != b->mid)
        return a->mid < b->mid ? -1 : 1;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

#endif
