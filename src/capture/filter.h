/*
 * filter.h — --bpf FILTER through libpcap's compiler.
 *
 * A BPF program is compiled for one link type, and a pcapng file may mix link
 * types, so programs are compiled lazily per link type seen.  A filter that
 * does not compile for the first link type is a usage error (filter_check);
 * one that does not make sense for some other link type in a file (e.g.
 * "ether host" on raw IP) matches nothing there, and that is counted.
 */
#ifndef PCAPCASE_FILTER_H
#define PCAPCASE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bpf_filter bpf_filter_t;

/* Check that expr compiles (for Ethernet).  false with libpcap's message. */
bool filter_check(const char *expr, char *err, size_t errlen);

/* NULL expr means "match everything" (and returns NULL). */
bpf_filter_t *filter_new(const char *expr);
/* true when the frame passes (or f is NULL). */
bool filter_match(bpf_filter_t *f, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t origlen);
void filter_free(bpf_filter_t *f);

#endif
