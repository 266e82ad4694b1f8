/*
 * tcpseq.h — comparing TCP sequence and acknowledgement numbers.
 *
 * Sequence numbers wrap at 2^32, so "before" is decided by the signed
 * difference (RFC 1982 serial-number arithmetic, as RFC 9293 §3.4 uses
 * it): a is before b when b is less than 2^31 ahead of a.
 */
#ifndef PCAPCASE_TCPSEQ_H
#define PCAPCASE_TCPSEQ_H

#include <stdbool.h>
#include <stdint.h>

/* a < b in sequence space */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

#endif
