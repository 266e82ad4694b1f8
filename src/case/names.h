/*
 * names.h — passive DNS across the whole case: which name an address had.
 *
 * Built from every DNS answer in every capture (name -> address, first and
 * last seen).  conn.ndjson's orig_name/resp_name and hosts.ndjson's names come
 * from here.  When several names resolved to one address, the one resolved
 * most recently before the connection started wins; ties break by name so the
 * answer is deterministic.
 */
#ifndef PCAPCASE_NAMES_H
#define PCAPCASE_NAMES_H

#include "model/model.h"

typedef struct names names_t;

names_t *names_build(capture_result_t *const *results, size_t n);
/* Name for addr around time ts, or NULL.  The string belongs to the table. */
const char *names_lookup(const names_t *t, const ipaddr_t *addr, ts_ns_t ts);
/* All names of addr (sorted, unique); returns count, *out owned by the table. */
size_t names_all(const names_t *t, const ipaddr_t *addr, const char *const **out);
void names_free(names_t *t);

#endif
