/*
 * buf.h — a growable byte buffer (like Redis' sds, without the header trick).
 *
 * Owns its memory: buf_free() releases it.  data is always NUL-terminated
 * (one spare byte past len) so text built in a buf can be used as a C string.
 */
#ifndef PCAPCASE_BUF_H
#define PCAPCASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_append_str(buf_t *b, const char *s);
void buf_append_byte(buf_t *b, uint8_t c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Drop the first n bytes (n <= len), keeping the rest. */
void buf_consume(buf_t *b, size_t n);
void buf_clear(buf_t *b);
void buf_free(buf_t *b);
/* Hand the storage to the caller (NUL-terminated); b becomes empty. */
char *buf_steal(buf_t *b);
static inline const char *buf_cstr(const buf_t *b)
{
    return b->data ? (const char *)b->data : "";
}

#endif
