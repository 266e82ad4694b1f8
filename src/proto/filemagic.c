/* filemagic.c — libmagic wrapper, its cache and the sniffer's share; see
 * filemagic.h. */
#include "filemagic.h"

#include "core/xalloc.h"
#include "proto/mime.h"

#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers remembered per filemagic_t (per analysis thread), direct-mapped by
 * the SHA-256: 4096 slots of 48 bytes plus the answers' text, about 0.5 MB
 * when full.  The 1 GB benchmark has 3 169 distinct bodies among 4 137; a
 * slot taken by another file only means asking libmagic again. */
#define FILEMAGIC_CACHE_SLOTS 4096

typedef struct cached {
    uint8_t key[32]; /* SHA-256 */
    char *mime, *desc;
} cached_t;

struct filemagic {
    magic_t mime; /* MAGIC_MIME_TYPE answers */
    magic_t desc; /* plain descriptions */
    cached_t *cache;
    filemagic_stats_t stats;
};

/* No decompression: a gzip'd file is reported as gzip, as the sniffer does
 * (and a body is typed as it was served, after its Content-Encoding was
 * undone).  The other MAGIC_NO_CHECK_* flags changed nothing measurable in
 * CPU time on the corpus (docs/dependencies.md), and NO_CHECK_JSON,
 * NO_CHECK_ENCODING and NO_CHECK_TEXT changed answers, so libmagic runs
 * with its checks otherwise as `file` runs them. */
#define FILEMAGIC_FLAGS (MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR)

/* Types the sniffer names from a signature libmagic reads the same way;
 * for these the sniffer's MIME type stands and libmagic only describes.
 * Not ZIP (libmagic tells Office documents, JARs and EPUBs from plain
 * archives), not OLE, not executables (libmagic tells DOS from PE), not
 * anything textual. */
static const char *const strong_types[] = {"image/png", "image/jpeg", "image/gif",
                                           "application/pdf", "application/gzip"};

/* Descriptions (up to the first comma) that always come with one MIME
 * type, by the way libmagic makes them: the text encodings are what it
 * says of text no rule of its database recognised (MIME type text/plain),
 * "JSON text data" comes from its built-in JSON parser, "data" from no
 * match at all, and the HTML, JavaScript and assembler rules all carry that
 * type (assembler: the CSS of the 1 GB benchmark, 84 files whose second
 * run cost ~3 ms each, libmagic's regex rules on text).  A
 * description found here saves the second libmagic run (the MIME type);
 * any other is asked for.  Checked file by file against libmagic asked for
 * both (tests/tools/magic_compare.sh -v; docs/dependencies.md). */
static const struct {
    const char *desc, *mime;
} desc_mime[] = {
    {"ASCII text", "text/plain"},           {"ISO-8859 text", "text/plain"},
    {"Unicode text", "text/plain"},         {"UTF-8 Unicode text", "text/plain"},
    {"JSON text data", "application/json"}, {"data", "application/octet-stream"},
    {"HTML document", "text/html"},         {"JavaScript source", "application/javascript"},
    {"assembler source", "text/x-asm"},
};

/* The MIME type desc implies, or NULL. */
static const char *mime_of_desc(const char *desc)
{
    size_t n = strcspn(desc, ",");
    for (size_t i = 0; i < sizeof desc_mime / sizeof *desc_mime; i++)
        if (strlen(desc_mime[i].desc) == n && strncmp(desc, desc_mime[i].desc, n) == 0)
            return desc_mime[i].mime;
    return NULL;
}

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
    f->cache = xcalloc(FILEMAGIC_CACHE_SLOTS, sizeof *f->cache);
    return f;
}

static bool answer(filemagic_t *f, magic_t m, const uint8_t *p, size_t n, char *out, size_t outlen)
{
    if (!out || !outlen)
        return true;
    f->stats.magic_runs++;
    const char *r = magic_buffer(m, p, n);
    snprintf(out, outlen, "%s", r ? r : "");
    return r != NULL;
}

bool filemagic_identify(filemagic_t *m, const uint8_t *p, size_t n, char *mime, size_t mimelen,
                        char *desc, size_t desclen)
{
    if (n > FILEMAGIC_BYTES)
        n = FILEMAGIC_BYTES;
    bool ok = answer(m, m->mime, p, n, mime, mimelen);
    return answer(m, m->desc, p, n, desc, desclen) && ok;
}

/* The sniffer's answer when it is one of strong_types, else NULL. */
static const char *strong_sniff(const uint8_t *p, size_t n)
{
    const char *s = mime_sniff(p, n < MIME_SNIFF_BYTES ? n : MIME_SNIFF_BYTES);
    for (size_t i = 0; s && i < sizeof strong_types / sizeof *strong_types; i++)
        if (strcmp(s, strong_types[i]) == 0)
            return s;
    return NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The cache slot of a SHA-256 given in hex, with its key; NULL when sha256
 * is not 64 lower-case hex digits. */
static cached_t *slot_of(filemagic_t *m, const char *sha256, uint8_t key[32])
{
    if (!sha256 || strlen(sha256) != 64)
        return NULL;
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(sha256[2 * i]), lo = hexval(sha256[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return NULL;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    return &m->cache[h % FILEMAGIC_CACHE_SLOTS];
}

bool filemagic_type(filemagic_t *m, const char *sha256, const uint8_t *p, size_t n, filetype_t *out)
{
    m->stats.asked++;
    uint8_t key[32];
    cached_t *c = slot_of(m, sha256, key);
    if (c && c->mime && memcmp(c->key, key, sizeof key) == 0) {
        m->stats.cached++;
        snprintf(out->mime, sizeof out->mime, "%s", c->mime);
        snprintf(out->desc, sizeof out->desc, "%s", c->desc);
        return out->mime[0] && out->desc[0];
    }
    if (n > FILEMAGIC_BYTES)
        n = FILEMAGIC_BYTES;
    const char *strong = strong_sniff(p, n);
    bool ok;
    if (strong) {
        m->stats.sniffed++;
        snprintf(out->mime, sizeof out->mime, "%s", strong);
        ok = answer(m, m->desc, p, n, out->desc, sizeof out->desc);
    } else {
        ok = answer(m, m->desc, p, n, out->desc, sizeof out->desc);
        const char *implied = ok ? mime_of_desc(out->desc) : NULL;
        if (implied)
            snprintf(out->mime, sizeof out->mime, "%s", implied);
        else
            ok = answer(m, m->mime, p, n, out->mime, sizeof out->mime) && ok;
    }
    if (c) {
        free(c->mime), free(c->desc);
        memcpy(c->key, key, sizeof key);
        c->mime = xstrdup(out->mime);
        c->desc = xstrdup(out->desc);
    }
    return ok;
}

filemagic_stats_t filemagic_stats(const filemagic_t *m)
{
    return m->stats;
}

void filemagic_close(filemagic_t *m)
{
    if (!m)
        return;
    if (m->mime)
        magic_close(m->mime);
    if (m->desc)
        magic_close(m->desc);
    for (size_t i = 0; m->cache && i < FILEMAGIC_CACHE_SLOTS; i++)
        free(m->cache[i].mime), free(m->cache[i].desc);
    free(m->cache);
    free(m);
}
