/* tftp.c — TFTP datagrams and block bookkeeping; see tftp.h. */
#include "tftp.h"

#include "core/cursor.h"
#include "core/xalloc.h"
#include "textline.h"

#include <stdlib.h>
#include <string.h>

/* A NUL-terminated string at c (the NUL is consumed). */
static bool cstring(cursor_t *c, cursor_t *s)
{
    long z = cursor_find(c, 0);
    if (z < 0)
        return false;
    cursor_sub(c, (size_t)z, s);
    cursor_skip(c, 1);
    return true;
}

/* RFC 2347 options: name NUL value NUL pairs. */
static void options(cursor_t *c, tftp_packet_t *t)
{
    cursor_t name, value;
    while (cstring(c, &name) && cstring(c, &value)) {
        uint64_t v;
        cursor_t k = value;
        if (!text_uint(&k, UINT32_MAX, &v) || !cursor_empty(&k))
            continue;
        if (text_eq_ci(&name, "blksize") && v >= TFTP_MIN_BLKSIZE && v <= TFTP_MAX_BLKSIZE)
            t->blksize = (uint32_t)v;
        else if (text_eq_ci(&name, "tsize"))
            t->tsize = (int64_t)v;
    }
}

bool tftp_parse(const uint8_t *p, size_t n, tftp_packet_t *t)
{
    memset(t, 0, sizeof *t);
    t->tsize = -1;
    cursor_t c = cursor_make(p, n), name, mode, msg;
    if (!cursor_u16be(&c, &t->opcode))
        return false;
    switch (t->opcode) {
    case TFTP_RRQ:
    case TFTP_WRQ:
        if (!cstring(&c, &name) || !cstring(&c, &mode) || cursor_empty(&name))
            return false;
        if (!text_eq_ci(&mode, "octet") && !text_eq_ci(&mode, "netascii") &&
            !text_eq_ci(&mode, "mail"))
            return false;
        t->filename = text_dup(&name, TFTP_MAX_STRING);
        t->mode = text_dup(&mode, 16);
        options(&c, t);
        return true;
    case TFTP_OACK:
        options(&c, t);
        return true;
    case TFTP_DATA:
        if (!cursor_u16be(&c, &t->block))
            return false;
        t->len = cursor_left(&c);
        cursor_bytes(&c, t->len, &t->data);
        return t->len <= TFTP_MAX_BLKSIZE;
    case TFTP_ACK:
        return cursor_u16be(&c, &t->block);
    case TFTP_ERROR:
        if (!cursor_u16be(&c, &t->error_code))
            return false;
        if (!cstring(&c, &msg))
            msg = cursor_rest(&c);
        t->error_msg = text_dup(&msg, TFTP_MAX_STRING);
        return true;
    default:
        return false;
    }
}

void tftp_packet_free(tftp_packet_t *t)
{
    free(t->filename), free(t->mode), free(t->error_msg);
    memset(t, 0, sizeof *t);
}

void tftp_transfer_init(tftp_transfer_t *t, uint32_t blksize)
{
    memset(t, 0, sizeof *t);
    t->blksize = blksize ? blksize : TFTP_DEFAULT_BLKSIZE;
    t->next = 1;
}

int32_t tftp_transfer_distance(const tftp_transfer_t *t, uint16_t block)
{
    if (t->done)
        return -1;
    uint16_t want = (uint16_t)t->next;
    if (want == 0 && block == 1 && t->next > 1)
        return 0; /* wrapped to 1, not 0 */
    uint16_t ahead = (uint16_t)(block - want);
    return ahead >= 0x8000 ? (int32_t)ahead - 0x10000 : (int32_t)ahead;
}

bool tftp_transfer_block(tftp_transfer_t *t, uint16_t block, size_t len, uint64_t *offset)
{
    if (t->done) {
        t->duplicates++;
        return false;
    }
    uint16_t want = (uint16_t)t->next;
    if (want == 0 && block == 1 && t->next > 1)
        t->next++; /* wrapped to 1, not 0 */
    else if (block != want) {
        uint16_t ahead = (uint16_t)(block - want);
        if (ahead >= 0x8000) { /* behind: a retransmission */
            t->duplicates++;
            return false;
        }
        t->skipped += ahead;
        t->next += ahead;
    }
    *offset = (t->next - 1) * (uint64_t)t->blksize;
    t->next++;
    t->bytes += len;
    if (len < t->blksize)
        t->done = true;
    return true;
}
