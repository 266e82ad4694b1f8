/*
 * peers.h — how many hosts contact a destination: the baseline that tells a
 * fleet's routine (every machine polls the update server, many people use
 * the webmail) from one host's private habit.
 *
 * Built once from the case's connections: distinct originators per responder
 * address and per server name (SNI or HTTP Host), and the population (every
 * distinct originator).  Lookups are binary searches.
 */
#ifndef PCAPCASE_PEERS_H
#define PCAPCASE_PEERS_H

#include "model/model.h"

#include <stddef.h>

typedef struct peers peers_t;

peers_t *peers_build(const conn_rec_t *const *conns, size_t n);
void peers_free(peers_t *p);
/* Distinct originators that connected to this address / this server name. */
unsigned peers_by_addr(const peers_t *p, const ipaddr_t *resp);
unsigned peers_by_name(const peers_t *p, const char *name);
/* Distinct originators in the case. */
unsigned peers_population(const peers_t *p);

#endif
