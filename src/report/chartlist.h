/*
 * chartlist.h — the chart PNGs of a case or comparison folder, in reading order,
 * for the report writers (HTML embeds them, the workbook inserts them).
 */
#ifndef PCAPCASE_CHARTLIST_H
#define PCAPCASE_CHARTLIST_H

#include <stddef.h>

/* Names (not paths) of the PNG files in DIR/charts in reading order (the
 * whole case, hosts and protocols, findings, single connections; by name
 * within a kind); *n receives the count.
 * The caller frees each name and the array. */
char **chartlist(const char *dir, size_t *n);

#endif
