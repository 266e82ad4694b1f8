/* mime.c — magic-number sniffing; see mime.h. */
#include "mime.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct magic {
    size_t off;
    const char *bytes;
    size_t len;
    const char *type;
} magic_t;

#define M(off, lit, type)                                                                          \
    {                                                                                              \
        off, lit, sizeof(lit) - 1, type                                                            \
    }

static const magic_t magics[] = {
    M(0, "\x89PNG\r\n\x1a\n", "image/png"),
    M(0, "\xff\xd8\xff", "image/jpeg"),
    M(0, "GIF87a", "image/gif"),
    M(0, "GIF89a", "image/gif"),
    M(0, "%PDF-", "application/pdf"),
    M(0, "PK\x03\x04", "application/zip"),
    M(0, "PK\x05\x06", "application/zip"),
    M(0, "\x1f\x8b", "application/gzip"),
    M(0, "BZh", "application/x-bzip2"),
    M(0,
      "\xfd"
      "7zXZ\x00",
      "application/x-xz"),
    M(0, "7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    M(0, "Rar!\x1a\x07", "application/x-rar"),
    M(0, "MZ", "application/x-dosexec"),
    M(0,
      "\x7f"
      "ELF",
      "application/x-executable"),
    M(0, "\xca\xfe\xba\xbe", "application/x-java-applet"),
    M(0, "FWS", "application/x-shockwave-flash"),
    M(0, "CWS", "application/x-shockwave-flash"),
    M(0, "BM", "image/bmp"),
    M(0, "\x00\x00\x01\x00", "image/vnd.microsoft.icon"),
    M(4, "ftyp", "video/mp4"),
    M(0, "OggS", "audio/ogg"),
    M(0, "ID3", "audio/mpeg"),
    M(0, "MSCF", "application/vnd.ms-cab-compressed"),
    M(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    M(0, "{\\rtf", "text/rtf"),
    M(0, "wOFF", "font/woff"),
    M(0, "wOF2", "font/woff2"),
    M(0, "\x00\x61\x73\x6d", "application/wasm"),
    M(0, "-----BEGIN CERTIFICATE", "application/x-pem-file"),
};

static bool starts_ci(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && strncasecmp((const char *)p, s, n) == 0;
}

static const char *sniff_text(const uint8_t *p, size_t len)
{
    size_t i = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3; /* UTF-8 BOM */
    while (i < len && isspace(p[i]))
        i++;
    const uint8_t *t = p + i;
    size_t tl = len - i;
    if (starts_ci(t, tl, "<!doctype html") || starts_ci(t, tl, "<html") ||
        starts_ci(t, tl, "<head") || starts_ci(t, tl, "<body") || starts_ci(t, tl, "<script"))
        return "text/html";
    if (starts_ci(t, tl, "<?xml")) {
        /* SVG is XML; say so when the root says so */
        for (size_t k = 0; k + 4 < tl && k < 400; k++)
            if (t[k] == '<' && strncasecmp((const char *)t + k, "<svg", 4) == 0)
                return "image/svg+xml";
        return "text/xml";
    }
    if (starts_ci(t, tl, "<svg"))
        return "image/svg+xml";
    size_t printable = 0;
    for (size_t k = 0; k < len; k++)
        if (p[k] >= 0x20 || p[k] == '\n' || p[k] == '\r' || p[k] == '\t' || p[k] >= 0x80)
            printable++;
    if (printable * 100 < len * 95)
        return NULL;
    if (tl && (t[0] == '{' || t[0] == '['))
        return "application/json";
    return "text/plain";
}

const char *mime_sniff(const uint8_t *p, size_t len)
{
    if (!len)
        return NULL;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        const magic_t *m = &magics[i];
        if (len >= m->off + m->len && memcmp(p + m->off, m->bytes, m->len) == 0) {
            if (strcmp(m->type, "image/bmp") == 0 && len < 14)
                continue;
            return m->type;
        }
    }
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "image/webp";
    const char *t = sniff_text(p, len);
    return t ? t : "application/octet-stream";
}

void mime_collect(uint8_t buf[MIME_SNIFF_BYTES], size_t *have, const uint8_t *p, size_t len)
{
    size_t k = MIME_SNIFF_BYTES - *have < len ? MIME_SNIFF_BYTES - *have : len;
    memcpy(buf + *have, p, k);
    *have += k;
}

/* Executable code, by the sniffer's names and libmagic's (which tells a
 * DOS program from a Windows one and a position-independent ELF file from
 * a fixed one). */
static bool executable(const char *t)
{
    static const char *const v[] = {
        "application/x-dosexec",    "application/vnd.microsoft.portable-executable",
        "application/x-executable", "application/x-pie-executable",
        "application/x-sharedlib",  "application/x-mach-binary",
        "application/x-java-applet"};
    for (size_t i = 0; t && i < sizeof v / sizeof *v; i++)
        if (strcmp(t, v[i]) == 0)
            return true;
    return false;
}

/* Content that can carry code or other files: worth a look when it arrives
 * under a label a browser would render or a filter would wave through.
 * libmagic names OLE files by what they hold (application/msword, ...,
 * application/CDFV2) and ZIP files too (a JAR, an Office document); a
 * trailing '.' matches a family by prefix. */
static bool container(const char *t)
{
    static const char *const v[] = {"application/zip",
                                    "application/java-archive",
                                    "application/vnd.openxmlformats-officedocument.",
                                    "application/vnd.oasis.opendocument.",
                                    "application/x-rar",
                                    "application/x-7z-compressed",
                                    "application/vnd.ms-cab-compressed",
                                    "application/x-ole-storage",
                                    "application/CDFV2",
                                    "application/msword",
                                    "application/vnd.ms-excel",
                                    "application/vnd.ms-powerpoint",
                                    "application/vnd.ms-office",
                                    "application/pdf",
                                    "text/rtf",
                                    "application/x-shockwave-flash",
                                    "application/wasm"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        size_t n = strlen(v[i]);
        if (v[i][n - 1] == '.' ? strncmp(t, v[i], n) == 0 : strcmp(t, v[i]) == 0)
            return true;
    }
    return false;
}

/* Labels of passive content: images, media, fonts, text, style and script. */
static bool passive_label(const char *d)
{
    static const char *const v[] = {"image/",
                                    "audio/",
                                    "video/",
                                    "font/",
                                    "text/",
                                    "application/javascript",
                                    "application/x-javascript",
                                    "application/json",
                                    "application/xml"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (strncasecmp(d, v[i], strlen(v[i])) == 0)
            return true;
    return false;
}

bool mime_suspicious_mismatch(const char *declared, const char *sniffed)
{
    if (!declared || !sniffed || !*declared)
        return false;
    if (executable(sniffed))
        /* an executable labelled as anything but a binary download */
        return strncasecmp(declared, "application/octet-stream", 24) != 0 &&
               strncasecmp(declared, "application/x-msdownload", 24) != 0 &&
               strncasecmp(declared, "application/x-dosexec", 21) != 0 &&
               strncasecmp(declared, "application/x-executable", 24) != 0 &&
               strncasecmp(declared, "application/java", 16) != 0 &&
               strncasecmp(declared, "application/vnd.microsoft.portable-executable", 45) != 0;
    /* an archive, document or plug-in content dressed as passive content
     * (text/rtf labelled text/rtf or text/richtext is what it says) */
    return container(sniffed) && passive_label(declared) &&
           strncasecmp(declared, sniffed, strlen(sniffed)) != 0 &&
           !(strcmp(sniffed, "text/rtf") == 0 && strncasecmp(declared, "text/richtext", 13) == 0);
}
