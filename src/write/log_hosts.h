/*
 * log_hosts.h — hosts.ndjson: one row per address of the case (case/hosts.h)
 * with its MAC addresses and vendors, names, activity and captures.
 */
#ifndef PCAPCASE_LOG_HOSTS_H
#define PCAPCASE_LOG_HOSTS_H

#include "case/merged.h"
#include "write/log_columns.h"

extern const log_column_t log_hosts_columns[];

/* Write k->hosts to path (atomically), by address.  Returns the number of
 * rows, or -1 with errno set. */
long long log_hosts_write(const case_t *k, const char *path);

#endif
