/*
 * tftp.h — TFTP (RFC 1350, options RFC 2347/2348/2349): one datagram at a
 * time, and the block bookkeeping of one transfer.
 *
 * A transfer starts with a RRQ or WRQ to port 69; the data then flows
 * between two other ports, in blocks numbered from 1 that wrap at 65535
 * (to 0, or to 1 with some implementations), each blksize bytes (512, or
 * what the OACK agreed) but the last.  tftp_transfer_block() turns 16-bit
 * block numbers into file offsets, drops retransmitted blocks, and counts
 * blocks that never came (the caller records those ranges as missing).
 */
#ifndef PCAPCASE_TFTP_H
#define PCAPCASE_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFTP_RRQ 1
#define TFTP_WRQ 2
#define TFTP_DATA 3
#define TFTP_ACK 4
#define TFTP_ERROR 5
#define TFTP_OACK 6
#define TFTP_DEFAULT_BLKSIZE 512
/* RFC 2348 allows block sizes from 8 to 65464 bytes. */
#define TFTP_MIN_BLKSIZE 8
#define TFTP_MAX_BLKSIZE 65464
/* File names and option strings kept (RFC 1350 sets no limit; a request
 * fits in one datagram anyway). */
#define TFTP_MAX_STRING 512

typedef struct tftp_packet {
    uint16_t opcode;
    char *filename, *mode; /* RRQ/WRQ (owned) */
    uint32_t blksize;      /* RRQ/WRQ/OACK option, 0 when absent */
    int64_t tsize;         /* RRQ/WRQ/OACK option, -1 when absent */
    uint16_t block;        /* DATA/ACK */
    const uint8_t *data;   /* DATA payload (points into the datagram) */
    size_t len;
    uint16_t error_code; /* ERROR */
    char *error_msg;     /* ERROR (owned) */
} tftp_packet_t;

/* Parse one datagram; false when it is not TFTP (unknown opcode, RRQ
 * without the NUL-terminated strings).  Free with tftp_packet_free(). */
bool tftp_parse(const uint8_t *p, size_t n, tftp_packet_t *out);
void tftp_packet_free(tftp_packet_t *t);

typedef struct tftp_transfer {
    uint32_t blksize;
    uint64_t next;       /* next block expected, absolute (1-based) */
    uint64_t bytes;      /* data bytes accepted */
    uint64_t duplicates; /* retransmitted blocks dropped */
    uint64_t skipped;    /* blocks that never came */
    bool done;           /* a short block ended the transfer */
} tftp_transfer_t;

void tftp_transfer_init(tftp_transfer_t *t, uint32_t blksize);
/* A DATA block of len bytes arrived: true and *offset = where it belongs
 * when it is new; false for a retransmission or a block after the end. */
bool tftp_transfer_block(tftp_transfer_t *t, uint16_t block, size_t len, uint64_t *offset);
/* Where a DATA block stands against the next one expected, read the way
 * tftp_transfer_block reads it: 0 it is the next, > 0 that many blocks
 * ahead (blocks between are missing so far), < 0 behind (a retransmission,
 * or anything after the end). */
int32_t tftp_transfer_distance(const tftp_transfer_t *t, uint16_t block);

#endif
