/* fuzz_keylog.c — the NSS key-log parser on arbitrary text: every line is
 * either stored, ignored or reported, and lookups of what was stored work. */
#include "proto/keylog.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keylog_t *k = keylog_new();
    keylog_add(k, "fuzz", data, size);
    keylog_add(k, "again", data, size); /* the same text twice: duplicates only */
    const keylog_stats_t *st = keylog_stats(k);
    if (keylog_reported(k) > KEYLOG_MAX_REPORTED || st->sessions > st->secrets)
        abort();
    for (size_t i = 0; i < keylog_reported(k); i++)
        if (!keylog_report(k, i) || !strstr(keylog_report(k, i), ": "))
            abort();
    uint8_t cr[32] = {0};
    if (size >= 32)
        memcpy(cr, data, 32);
    keylog_find(k, cr);
    keylog_free(k);
    return 0;
}
