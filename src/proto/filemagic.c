/* filemagic.c — libmagic wrapper; see filemagic.h. */
#include "filemagic.h"

#include "core/xalloc.h"

#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct filemagic {
    magic_t mime; /* MAGIC_MIME_TYPE answers */
    magic_t desc; /* plain descriptions */
};

/* No decompression (a gzip'd file is reported as gzip, as the sniffer
 * does) and no following of anything outside the buffer. */
#define FILEMAGIC_FLAGS (MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR)

static magic_t cookie(int flags, char *err, size_t errlen)
{
    magic_t m = magic_open(flags | FILEMAGIC_FLAGS);
    if (!m) {
        snprintf(err, errlen, "libmagic: cannot open a cookie");
        return NULL;
    }
    if (magic_load(m, NULL) != 0) {
        snprintf(err, errlen, "libmagic: cannot load its database: %s",
                 magic_error(m) ? magic_error(m) : "unknown error");
        magic_close(m);
        return NULL;
    }
    size_t max = FILEMAGIC_BYTES;
    magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
    return m;
}

filemagic_t *filemagic_open(char *err, size_t errlen)
{
    filemagic_t *f = xcalloc(1, sizeof *f);
    f->mime = cookie(MAGIC_MIME_TYPE, err, errlen);
    f->desc = f->mime ? cookie(MAGIC_NONE, err, errlen) : NULL;
    if (!f->desc) {
        filemagic_close(f);
        return NULL;
    }
    return f;
}

static bool answer(magic_t m, const uint8_t *p, size_t n, char *out, size_t outlen)
{
    if (!out || !outlen)
        return true;
    const char *r = magic_buffer(m, p, n);
    snprintf(out, outlen, "%s", r ? r : "");
    return r != NULL;
}

bool filemagic_identify(filemagic_t *m, const uint8_t *p, size_t n, char *mime, size_t mimelen,
                        char *desc, size_t desclen)
{
    if (n > FILEMAGIC_BYTES)
        n = FILEMAGIC_BYTES;
    bool ok = answer(m->mime, p, n, mime, mimelen);
    return answer(m->desc, p, n, desc, desclen) && ok;
}

void filemagic_close(filemagic_t *m)
{
    if (!m)
        return;
    if (m->mime)
        magic_close(m->mime);
    if (m->desc)
        magic_close(m->desc);
    free(m);
}
