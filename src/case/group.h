/*
 * group.h — the detectors' one way of forming groups: sort records by a key,
 * then visit each run of records with an equal key (a beacon's series, a
 * scanner's probes, a domain's DNS queries, a server's certificate...).
 *
 * Every detector used to repeat the same sort-then-scan loop; this is that
 * loop once.  The sort is a stable merge sort, so the order inside a group is
 * the `within` order, then input order: detectors' output never depends on
 * the C library's qsort.
 *
 * The collectors gather pointers to every record of one kind in the case,
 * in capture order; the caller frees the array (never the records).
 */
#ifndef PCAPCASE_GROUP_H
#define PCAPCASE_GROUP_H

#include "case/merged.h"

#include <stddef.h>

typedef int (*group_cmp_fn)(const void *a, const void *b);

typedef struct grouping {
    group_cmp_fn key;    /* 0 when a and b belong in one group; orders the groups */
    group_cmp_fn within; /* order inside a group (time, uid...); NULL: input order */
} grouping_t;

/* Called once per group: items[0..n) share one key.  The items may be
 * reordered by the callee but not freed. */
typedef void (*group_visit_fn)(void *items, size_t n, void *ctx);

/* Sorts base[0..n) (elements of `size` bytes) by g->key then g->within and
 * visits each group in key order.  base may be NULL when n is 0. */
void group_by(void *base, size_t n, size_t size, const grouping_t *g, group_visit_fn visit,
              void *ctx);
/* Only the sort. */
void group_sort(void *base, size_t n, size_t size, const grouping_t *g);

/* Pointers to every record of the case, in capture order (*n gets the count;
 * the array is never NULL). */
const conn_rec_t **case_conns(const case_t *k, size_t *n);
const dns_rec_t **case_dns(const case_t *k, size_t *n);
const tls_rec_t **case_tls(const case_t *k, size_t *n);
const cred_rec_t **case_creds(const case_t *k, size_t *n);

/* Seconds of time the captures cover (overlapping captures counted once):
 * the observation window a series is measured against. */
double case_observed_seconds(const case_t *k);
/* Seconds of [from, to] that some capture covers. */
double case_observed_between(const case_t *k, ts_ns_t from, ts_ns_t to);

#endif
