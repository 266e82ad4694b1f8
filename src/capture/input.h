/*
 * input.h — reading an evidence file once: read-only, hashed, gunzipped.
 *
 * Evidence must never be modified and must be hashed (SHA-256) into case.json.
 * Doing both in the same pass as decoding means a 10 GB capture is read from
 * disk exactly once.  The file is opened O_RDONLY; every raw byte read feeds
 * the SHA-256; when the file starts with the gzip magic the bytes are inflated
 * on the fly (multi-member gzip supported) so captures are never unpacked to
 * disk.
 *
 * input_finish() reads whatever the decoder did not consume (a capture whose
 * last record is damaged, say) so the hash always covers the whole file.
 */
#ifndef PCAPCASE_INPUT_H
#define PCAPCASE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct input input_t;

/* Open path read-only.  NULL on failure with a one-line reason in err.
 * hash false skips the SHA-256, for a second pass over a file already
 * hashed (such as the charts' look at a few connections); input_finish()
 * then gives 32 zero bytes. */
input_t *input_open(const char *path, bool hash, char *err, size_t errlen);

/* Read up to n decoded bytes into dst.  Returns bytes read, 0 at end of data,
 * -1 on a read or decompression error (reason via input_error()). */
ssize_t input_read(input_t *in, void *dst, size_t n);

/* Zero-copy reading of a plain (not gzip'd) file: the rest of the current
 * chunk (the next one when it is used up), counted as read.  The bytes stay
 * valid and unchanged until INPUT_RING_BORROW_VALID more chunks have been
 * borrowed or read (the ring of chunks the hasher works through).  Returns
 * their number, 0 at end of data, -1 on a read error (input_error()), -2 for
 * a gzip'd file (use input_read()). */
#define INPUT_RING_BORROW_VALID 7
ssize_t input_borrow(input_t *in, const uint8_t **p);

/* Read the remaining raw bytes (for the hash) and put the SHA-256 in out. */
void input_finish(input_t *in, uint8_t out[32]);

bool input_is_gzip(const input_t *in);
uint64_t input_raw_size(const input_t *in);     /* file size in bytes */
uint64_t input_raw_consumed(const input_t *in); /* raw bytes read so far */
const char *input_error(const input_t *in);     /* last error, or NULL */
void input_close(input_t *in);

#endif
