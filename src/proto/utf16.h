/*
 * utf16.h — UTF-16LE text from Windows protocols (SMB names, NTLM fields)
 * as UTF-8 for the logs.
 */
#ifndef PCAPCASE_UTF16_H
#define PCAPCASE_UTF16_H

#include "core/cursor.h"

#include <stdbool.h>
#include <stddef.h>

/* The UTF-16LE (unicode) or Latin-1 (!unicode) text in c as UTF-8, stopping
 * at a NUL character or after max output bytes.  Unpaired surrogates
 * become U+FFFD, control characters '?'.  Never NULL; caller frees. */
char *utf16_to_utf8(cursor_t c, bool unicode, size_t max);

#endif
