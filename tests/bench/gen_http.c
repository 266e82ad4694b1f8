/* gen_http.c — HTTP/1.1 traffic: bodies with real file signatures, GETs on keep-alive
 * connections, responses with Content-Length, chunked and gzip framing, POST uploads, and
 * the beacon's poll.
 *
 * Binary bodies are random bytes inside a valid container head (PNG chunks with CRCs, a
 * stored ZIP entry, JPEG comment segments, a PDF stream) so MIME sniffing and dissectors
 * see well-formed files; text bodies are made of words so gzip has something to compress.
 * A few "popular" objects (logos, style sheets, scripts) are fetched again and again, so
 * carving has duplicates to deduplicate.
 */
#include "gencap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* ---- bodies ---- */

typedef enum { K_PNG, K_JPEG, K_PDF, K_ZIP, K_EXE, K_HTML, K_JSON, K_JS, K_CSS, K_COUNT } kind_t;

typedef struct {
    const char *mime, *ext, *dir;
    int text;
    uint64_t lo, hi; /* size range, log-uniform */
    unsigned weight; /* how often a GET fetches this kind */
} kind_info_t;

static const kind_info_t KINDS[K_COUNT] = {
    [K_PNG] = {"image/png", "png", "/static/img/", 0, 512, 512u << 10, 20},
    [K_JPEG] = {"image/jpeg", "jpg", "/photos/", 0, 2048, 1u << 20, 14},
    [K_PDF] = {"application/pdf", "pdf", "/docs/", 0, 8192, 2u << 20, 6},
    [K_ZIP] = {"application/zip", "zip", "/downloads/", 0, 16384, 4u << 20, 3},
    [K_EXE] = {"application/x-msdownload", "exe", "/downloads/", 0, 65536, 4u << 20, 1},
    [K_HTML] = {"text/html", "html", "/", 1, 1024, 256u << 10, 24},
    [K_JSON] = {"application/json", "json", "/api/v1/", 1, 256, 128u << 10, 16},
    [K_JS] = {"application/javascript", "js", "/static/js/", 1, 2048, 256u << 10, 10},
    [K_CSS] = {"text/css", "css", "/static/css/", 1, 1024, 64u << 10, 6},
};

static const char *const WORDS[128] = {
    "the",     "network", "packet",  "server",   "client",  "data",     "stream",  "value",
    "report",  "order",   "account", "price",    "product", "service",  "update",  "system",
    "user",    "session", "time",    "record",   "case",    "evidence", "file",    "image",
    "page",    "content", "search",  "result",   "item",    "list",     "news",    "story",
    "weather", "market",  "share",   "video",    "music",   "photo",    "travel",  "hotel",
    "flight",  "city",    "country", "world",    "team",    "game",     "score",   "player",
    "season",  "league",  "health",  "doctor",   "science", "research", "energy",  "power",
    "green",   "blue",    "red",     "black",    "white",   "small",    "large",   "new",
    "old",     "first",   "last",    "best",     "free",    "online",   "mobile",  "cloud",
    "secure",  "private", "public",  "open",     "close",   "start",    "stop",    "read",
    "write",   "send",    "receive", "buy",      "sell",    "pay",      "ship",    "track",
    "login",   "logout",  "profile", "settings", "help",    "contact",  "about",   "home",
    "and",     "or",      "with",    "from",     "into",    "over",     "under",   "after",
    "before",  "during",  "about",   "against",  "between", "through",  "without", "within",
    "alpha",   "beta",    "gamma",   "delta",    "omega",   "sigma",    "kappa",   "lambda",
    "monday",  "tuesday", "friday",  "january",  "march",   "october",  "summer",  "winter",
};

/* Appends about n bytes of words separated by spaces, sep every few words. */
static void put_words(bytes_t *b, size_t n, const char *sep, unsigned every)
{
    size_t end = b->len + n;
    bytes_reserve(b, n + 64);
    unsigned count = 0;
    while (b->len < end) {
        uint64_t r = rng_next(&g_rng);
        for (int k = 0; k < 8 && b->len < end; k++, r >>= 7) {
            const char *w = WORDS[r & 127];
            size_t wl = strlen(w);
            bytes_reserve(b, wl + 8);
            memcpy(b->data + b->len, w, wl);
            b->len += wl;
            if (++count % every == 0)
                bytes_put(b, sep, strlen(sep));
            else
                b->data[b->len++] = ' ';
        }
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

static void put_le16(bytes_t *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    bytes_put(b, x, 2);
}

static void put_le32(bytes_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    bytes_put(b, x, 4);
}

static void put_random(bytes_t *b, size_t n)
{
    bytes_reserve(b, n);
    rng_fill(&g_rng, b->data + b->len, n);
    b->len += n;
}

static void png_chunk(bytes_t *b, const char *type, size_t n, const uint8_t *data)
{
    bytes_u32(b, (uint32_t)n);
    size_t at = b->len;
    bytes_put(b, type, 4);
    if (data)
        bytes_put(b, data, n);
    else
        put_random(b, n);
    bytes_u32(b, (uint32_t)crc32(0, b->data + at, (uInt)(4 + n)));
}

static void make_png(bytes_t *b, size_t size)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    bytes_put(b, sig, 8);
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)rng_range(&g_rng, 16, 4096));
    put_be32(ihdr + 4, (uint32_t)rng_range(&g_rng, 16, 4096));
    ihdr[8] = 8, ihdr[9] = 6, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0;
    png_chunk(b, "IHDR", 13, ihdr);
    size_t fixed = 8 + 25 + 12 + 12;
    png_chunk(b, "IDAT", size > fixed ? size - fixed : 64, NULL);
    png_chunk(b, "IEND", 0, NULL);
}

static void make_jpeg(bytes_t *b, size_t size)
{
    static const uint8_t head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',  'F',
                                   0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
    bytes_put(b, head, sizeof head);
    /* Comment segments carry the bulk: a JPEG parser walks them as well-formed markers. */
    size_t left = size > sizeof head + 2 ? size - sizeof head - 2 : 0;
    while (left > 4) {
        size_t n = left - 4 > 65533 ? 65533 : left - 4;
        bytes_u16(b, 0xfffe);
        bytes_u16(b, (unsigned)(n + 2));
        put_random(b, n);
        left -= n + 4;
    }
    bytes_u16(b, 0xffd9);
}

static void make_pdf(bytes_t *b, size_t size)
{
    bytes_printf(
        b, "%%PDF-1.5\n%%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    size_t n = size > 400 ? size - 400 : 256;
    bytes_printf(b, "3 0 obj\n<< /Length %zu /Filter /FlateDecode >>\nstream\n", n);
    put_random(b, n);
    bytes_printf(b, "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 4 >>\n%%%%EOF\n");
}

static void make_zip(bytes_t *b, size_t size)
{
    char name[40];
    snprintf(name, sizeof name, "%s-%s.bin", WORDS[rng_range(&g_rng, 0, 127)],
             WORDS[rng_range(&g_rng, 0, 127)]);
    size_t nl = strlen(name), n = size > 200 ? size - 200 : 256;
    bytes_t data = {0};
    put_random(&data, n);
    uint32_t crc = (uint32_t)crc32(0, data.data, (uInt)n);
    unsigned dostime = 0x6000, dosdate = 0x576e; /* 2023-11-14 12:00 */
    size_t lfh = b->len;
    put_le32(b, 0x04034b50), put_le16(b, 20), put_le16(b, 0), put_le16(b, 0);
    put_le16(b, dostime), put_le16(b, dosdate), put_le32(b, crc);
    put_le32(b, (uint32_t)n), put_le32(b, (uint32_t)n), put_le16(b, (unsigned)nl), put_le16(b, 0);
    bytes_put(b, name, nl);
    bytes_put(b, data.data, n);
    size_t cd = b->len;
    put_le32(b, 0x02014b50), put_le16(b, 0x031e), put_le16(b, 20), put_le16(b, 0), put_le16(b, 0);
    put_le16(b, dostime), put_le16(b, dosdate), put_le32(b, crc);
    put_le32(b, (uint32_t)n), put_le32(b, (uint32_t)n), put_le16(b, (unsigned)nl);
    put_le16(b, 0), put_le16(b, 0), put_le16(b, 0), put_le16(b, 0), put_le32(b, 0x81a40000u);
    put_le32(b, (uint32_t)(lfh));
    bytes_put(b, name, nl);
    size_t cdlen = b->len - cd;
    put_le32(b, 0x06054b50), put_le16(b, 0), put_le16(b, 0), put_le16(b, 1), put_le16(b, 1);
    put_le32(b, (uint32_t)cdlen), put_le32(b, (uint32_t)(cd - lfh)), put_le16(b, 0);
    bytes_free(&data);
}

static void make_exe(bytes_t *b, size_t size)
{
    uint8_t mz[128] = {'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff};
    mz[60] = 0x80; /* e_lfanew */
    bytes_put(b, mz, 64);
    static const char stub[] = "\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
                               "This program cannot be run in DOS mode.\r\r\n$";
    bytes_put(b, stub, sizeof stub - 1);
    while (b->len < 0x80)
        bytes_u8(b, 0);
    bytes_put(b, "PE\0\0\x64\x86", 6);
    put_random(b, size > 0x100 ? size - 0x86 : 128);
}

static void make_html(bytes_t *b, size_t size)
{
    bytes_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    put_words(b, 24, " ", 100);
    bytes_printf(
        b,
        "</title>\n<link rel=\"stylesheet\" href=\"/static/css/site.css\">\n</head>\n<body>\n<p>");
    put_words(b, size > 200 ? size - 200 : 64, "</p>\n<p>", 40);
    bytes_printf(b, "</p>\n</body>\n</html>\n");
}

static void make_json(bytes_t *b, size_t size)
{
    bytes_printf(b, "{\"status\":\"ok\",\"items\":[");
    size_t end = b->len + size;
    for (unsigned i = 0; b->len < end; i++) {
        bytes_printf(b,
                     "%s{\"id\":%u,\"name\":\"%s %s\",\"price\":%u.%02u,\"tags\":[\"%s\",\"%s\"]}",
                     i ? "," : "", (unsigned)rng_range(&g_rng, 1, 999999),
                     WORDS[rng_range(&g_rng, 0, 127)], WORDS[rng_range(&g_rng, 0, 127)],
                     (unsigned)rng_range(&g_rng, 1, 999), (unsigned)rng_range(&g_rng, 0, 99),
                     WORDS[rng_range(&g_rng, 0, 127)], WORDS[rng_range(&g_rng, 0, 127)]);
    }
    bytes_printf(b, "]}\n");
}

static void make_js(bytes_t *b, size_t size)
{
    bytes_printf(b, "\"use strict\";\n");
    size_t end = b->len + size;
    while (b->len < end) {
        const char *a = WORDS[rng_range(&g_rng, 0, 127)], *c = WORDS[rng_range(&g_rng, 0, 127)];
        bytes_printf(b, "function %s_%s(x, y) {\n  // ", a, c);
        put_words(b, 40, " ", 100);
        bytes_printf(b, "\n  return x * %u + y;\n}\n", (unsigned)rng_range(&g_rng, 2, 99));
    }
}

static void make_css(bytes_t *b, size_t size)
{
    size_t end = b->len + size;
    while (b->len < end)
        bytes_printf(b, ".%s-%s {\n  color: #%06x;\n  margin: %upx %upx;\n}\n",
                     WORDS[rng_range(&g_rng, 0, 127)], WORDS[rng_range(&g_rng, 0, 127)],
                     (unsigned)rng_range(&g_rng, 0, 0xffffff), (unsigned)rng_range(&g_rng, 0, 32),
                     (unsigned)rng_range(&g_rng, 0, 32));
}

static void make_body(bytes_t *b, kind_t k, size_t size)
{
    switch (k) {
    case K_PNG:
        make_png(b, size);
        break;
    case K_JPEG:
        make_jpeg(b, size);
        break;
    case K_PDF:
        make_pdf(b, size);
        break;
    case K_ZIP:
        make_zip(b, size);
        break;
    case K_EXE:
        make_exe(b, size);
        break;
    case K_HTML:
        make_html(b, size);
        break;
    case K_JSON:
        make_json(b, size);
        break;
    case K_JS:
        make_js(b, size);
        break;
    case K_CSS:
        make_css(b, size);
        break;
    case K_COUNT:
        break;
    }
}

static void gzip_bytes(bytes_t *out, const uint8_t *in, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fprintf(stderr, "gencap: deflateInit2 failed\n");
        exit(4);
    }
    size_t bound = deflateBound(&z, (uLong)n);
    bytes_reserve(out, bound);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out->data + out->len;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        fprintf(stderr, "gencap: deflate failed\n");
        exit(4);
    }
    out->len += bound - z.avail_out;
    deflateEnd(&z);
}

/* ---- popular objects: the same bytes fetched again and again ---- */

typedef struct {
    const char *uri;
    kind_t kind;
    size_t size;
    bytes_t body, gz;
} popular_t;

static popular_t POPULAR[] = {
    {"/static/img/logo.png", K_PNG, 8200, {0}, {0}},
    {"/favicon.png", K_PNG, 1500, {0}, {0}},
    {"/static/css/site.css", K_CSS, 22000, {0}, {0}},
    {"/static/js/app.js", K_JS, 85000, {0}, {0}},
    {"/static/js/vendor.js", K_JS, 160000, {0}, {0}},
    {"/static/img/banner.jpg", K_JPEG, 150000, {0}, {0}},
    {"/api/v1/config.json", K_JSON, 3000, {0}, {0}},
    {"/docs/terms.pdf", K_PDF, 240000, {0}, {0}},
};
enum { NPOPULAR = sizeof POPULAR / sizeof POPULAR[0] };

static bytes_t g_notfound; /* nginx's 404 page: the same on every server */

void http_init(void)
{
    for (size_t i = 0; i < NPOPULAR; i++) {
        make_body(&POPULAR[i].body, POPULAR[i].kind, POPULAR[i].size);
        if (KINDS[POPULAR[i].kind].text)
            gzip_bytes(&POPULAR[i].gz, POPULAR[i].body.data, POPULAR[i].body.len);
    }
    bytes_printf(&g_notfound, "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                              "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0"
                              "</center>\r\n</body>\r\n</html>\r\n");
}

/* ---- messages ---- */

static const char *const USER_AGENTS[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 "
    "Safari/537.36",
    "curl/7.88.1",
    "Microsoft-CryptoAPI/10.0",
};

static void http_date(char *out, size_t n, uint64_t ts)
{
    time_t t = (time_t)(ts / 1000000000u);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void put_request(bytes_t *b, const char *method, const char *uri, const host_t *server,
                        const char *ua, const char *extra)
{
    bytes_printf(b,
                 "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
                 "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n%s"
                 "Connection: keep-alive\r\n\r\n",
                 method, uri, server->name, ua, extra ? extra : "");
}

void http_response_head(bytes_t *out, const char *mime, size_t clen, uint64_t ts)
{
    char date[64];
    http_date(date, sizeof date, ts);
    bytes_printf(out,
                 "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: %s\r\nContent-Type: %s\r\n"
                 "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                 date, mime, clen);
}

/* Appends the body framed as chunks of varying size. */
static void put_chunked(bytes_t *out, const uint8_t *p, size_t n)
{
    while (n) {
        size_t c = (size_t)rng_range(&g_rng, 512, 32768);
        if (c > n)
            c = n;
        bytes_printf(out, "%zx\r\n", c);
        bytes_put(out, p, c);
        bytes_printf(out, "\r\n");
        p += c, n -= c;
    }
    bytes_printf(out, "0\r\n\r\n");
}

/* One response: head and framed body appended to out, truth recorded. */
static void put_response(bytes_t *out, int status, const char *mime, const bytes_t *body,
                         const bytes_t *gz_cached, int want_gzip, int chunked, int close,
                         uint64_t ts, const char *uri)
{
    char date[64];
    http_date(date, sizeof date, ts);
    const char *msg = status == 200   ? "OK"
                      : status == 201 ? "Created"
                      : status == 304 ? "Not Modified"
                                      : "Not Found";
    bytes_printf(out, "HTTP/1.1 %d %s\r\nServer: nginx/1.24.0\r\nDate: %s\r\n", status, msg, date);
    switch (status) {
    case 200:
        g_truth.http_status_200++;
        break;
    case 201:
        g_truth.http_status_201++;
        break;
    case 304:
        g_truth.http_status_304++;
        break;
    default:
        g_truth.http_status_404++;
        break;
    }
    if (status == 304) {
        bytes_printf(out, "ETag: \"%08x\"\r\nConnection: %s\r\n\r\n", (unsigned)rng_next(&g_rng),
                     close ? "close" : "keep-alive");
        return;
    }
    bytes_t gz = {0};
    const bytes_t *wire = body;
    if (want_gzip) {
        if (gz_cached && gz_cached->len)
            wire = gz_cached;
        else {
            gzip_bytes(&gz, body->data, body->len);
            wire = &gz;
        }
        g_truth.http_gzip++;
    }
    bytes_printf(out, "Content-Type: %s\r\n", mime);
    if (want_gzip)
        bytes_printf(out, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
    if (chunked) {
        bytes_printf(out, "Transfer-Encoding: chunked\r\n");
        g_truth.http_chunked++;
    } else
        bytes_printf(out, "Content-Length: %zu\r\n", wire->len);
    if (status == 200)
        bytes_printf(out, "ETag: \"%08x-%zx\"\r\nAccept-Ranges: bytes\r\n",
                     (unsigned)rng_next(&g_rng), body->len);
    bytes_printf(out, "Connection: %s\r\n\r\n", close ? "close" : "keep-alive");
    if (chunked)
        put_chunked(out, wire->data, wire->len);
    else
        bytes_put(out, wire->data, wire->len);
    if (body->len)
        truth_body(body->data, body->len, wire->data, wire->len, mime, want_gzip, chunked,
                   BODY_RESPONSE, uri);
    bytes_free(&gz);
}

static kind_t pick_kind(void)
{
    unsigned total = 0;
    for (int k = 0; k < K_COUNT; k++)
        total += KINDS[k].weight;
    unsigned r = (unsigned)rng_range(&g_rng, 0, total - 1);
    for (int k = 0; k < K_COUNT; k++) {
        if (r < KINDS[k].weight)
            return (kind_t)k;
        r -= KINDS[k].weight;
    }
    return K_HTML;
}

static void make_uri(char *uri, size_t n, kind_t k)
{
    const kind_info_t *ki = &KINDS[k];
    const char *a = WORDS[rng_range(&g_rng, 0, 127)], *b = WORDS[rng_range(&g_rng, 0, 127)];
    unsigned id = (unsigned)rng_range(&g_rng, 1, 99999);
    if (k == K_JSON)
        snprintf(uri, n, "%s%s?id=%u&page=%u", ki->dir, a, id, (unsigned)rng_range(&g_rng, 1, 20));
    else if (k == K_HTML)
        snprintf(uri, n, "/%s/%s-%u.html", a, b, id);
    else
        snprintf(uri, n, "%s%s-%s-%u.%s", ki->dir, a, b, id, ki->ext);
}

/* One GET and its response on connection c; returns nothing, advances c->t. */
static void http_get(session_t *s, tcp_conn_t *c, const char *ua, int last, int close_by_server)
{
    char uri[160];
    bytes_t req = {0}, resp = {0}, body = {0};
    double r = rng_unit(&g_rng);
    popular_t *pop = NULL;
    kind_t k;
    if (r < 0.25) {
        pop = &POPULAR[rng_range(&g_rng, 0, NPOPULAR - 1)];
        k = pop->kind;
        snprintf(uri, sizeof uri, "%s", pop->uri);
    } else {
        k = pick_kind();
        make_uri(uri, sizeof uri, k);
    }
    int status = 200;
    double rs = rng_unit(&g_rng);
    if (pop && rs < 0.15)
        status = 304;
    else if (rs < 0.04)
        status = 404;
    char extra[200] = "";
    if (status == 304)
        snprintf(extra, sizeof extra, "If-None-Match: \"%08x\"\r\n", (unsigned)rng_next(&g_rng));
    else if (rng_unit(&g_rng) < 0.5)
        snprintf(extra, sizeof extra, "Referer: http://%s/\r\n", c->h[DIR_S2C]->name);
    put_request(&req, "GET", uri, c->h[DIR_S2C], ua, extra);
    g_truth.http_get++;
    g_truth.http_transactions++;

    app_send(s, c, DIR_C2S, req.data, req.len, 0);
    c->t += c->rtt + rng_range(&g_rng, 200000, 30000000); /* server think 0.2 .. 30 ms */

    const kind_info_t *ki = &KINDS[k];
    const bytes_t *gzc = NULL;
    if (status == 404) {
        bytes_put(&body, g_notfound.data, g_notfound.len);
        ki = &KINDS[K_HTML];
    } else if (status == 200 && pop) {
        bytes_put(&body, pop->body.data, pop->body.len);
        gzc = &pop->gz;
    } else if (status == 200)
        make_body(&body, k, rng_logu(&g_rng, ki->lo, ki->hi));
    int gz = status == 200 && ki->text && rng_unit(&g_rng) < 0.6;
    int chunked = status != 304 && rng_unit(&g_rng) < 0.3;
    put_response(&resp, status, ki->mime, &body, gzc, gz, chunked, last && close_by_server, c->t,
                 uri);
    app_send(s, c, DIR_S2C, resp.data, resp.len, 1);
    bytes_free(&req);
    bytes_free(&resp);
    bytes_free(&body);
}

void http_session(session_t *s, host_t *client, host_t *server, uint64_t t)
{
    if (rng_unit(&g_rng) < 0.5)
        t = dns_lookup(s, client, server, client->v6, t) + rng_range(&g_rng, 100000, 3000000);
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, https_enabled() ? 443 : 80, t);
    tcp_handshake(s, &c);
    if (https_enabled())
        https_begin(s, &c);
    const char *ua = USER_AGENTS[rng_range(&g_rng, 0, 3)];
    unsigned n = rng_unit(&g_rng) < 0.6 ? 1 : (unsigned)rng_range(&g_rng, 2, 8);
    int close_by_server = rng_unit(&g_rng) < 0.3;
    g_truth.http_connections++;
    if (n > 1)
        g_truth.http_keepalive_connections++;
    for (unsigned i = 0; i < n; i++) {
        c.t += i == 0 ? rng_range(&g_rng, 50000, 2000000) : rng_range(&g_rng, 1000000, 800000000);
        http_get(s, &c, ua, i + 1 == n, close_by_server);
    }
    c.t += close_by_server ? rng_range(&g_rng, 10000, 200000)
                           : rng_range(&g_rng, 5000000, 3000000000u);
    https_end(&c);
    tcp_close(s, &c, close_by_server ? DIR_S2C : DIR_C2S);
}

void http_post_session(session_t *s, host_t *client, host_t *server, uint64_t t)
{
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, https_enabled() ? 443 : 80, t);
    tcp_handshake(s, &c);
    if (https_enabled())
        https_begin(s, &c);
    static const kind_t up[] = {K_ZIP, K_PDF, K_JPEG, K_PNG};
    kind_t k = up[rng_range(&g_rng, 0, 3)];
    bytes_t body = {0}, req = {0}, resp = {0}, reply = {0};
    make_body(&body, k, rng_logu(&g_rng, 16384, 2u << 20));
    char uri[128];
    snprintf(uri, sizeof uri, "/upload/%s-%u.%s", WORDS[rng_range(&g_rng, 0, 127)],
             (unsigned)rng_range(&g_rng, 1, 99999), KINDS[k].ext);
    bytes_printf(&req,
                 "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
                 "Content-Type: %s\r\nContent-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                 uri, server->name, USER_AGENTS[4], KINDS[k].mime, body.len);
    bytes_put(&req, body.data, body.len);
    truth_body(body.data, body.len, body.data, body.len, KINDS[k].mime, 0, 0, BODY_REQUEST, uri);
    g_truth.http_post++;
    g_truth.http_transactions++;
    g_truth.http_connections++;
    c.t += rng_range(&g_rng, 50000, 2000000);
    app_send(s, &c, DIR_C2S, req.data, req.len, 0);
    c.t += c.rtt + rng_range(&g_rng, 1000000, 40000000);
    bytes_printf(&reply, "{\"status\":\"stored\",\"id\":%u,\"bytes\":%zu}\n",
                 (unsigned)rng_range(&g_rng, 1, 0x7fffffff), body.len);
    put_response(&resp, 201, "application/json", &reply, NULL, 0, 0, 0, c.t, uri);
    app_send(s, &c, DIR_S2C, resp.data, resp.len, 1);
    c.t += rng_range(&g_rng, 100000, 5000000);
    https_end(&c);
    tcp_close(s, &c, DIR_C2S);
    bytes_free(&body), bytes_free(&req), bytes_free(&resp), bytes_free(&reply);
}

void http_beacon_session(session_t *s, host_t *client, host_t *server, uint64_t t)
{
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, https_enabled() ? 443 : 80, t);
    tcp_handshake(s, &c);
    if (https_enabled())
        https_begin(s, &c);
    bytes_t req = {0}, resp = {0}, body = {0};
    bytes_printf(&req,
                 "GET /api/v2/poll?id=5f3a9c HTTP/1.1\r\nHost: %s\r\n"
                 "User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)\r\n"
                 "Accept: */*\r\nConnection: close\r\n\r\n",
                 server->name);
    g_truth.http_get++;
    g_truth.http_transactions++;
    g_truth.http_connections++;
    c.t += rng_range(&g_rng, 50000, 500000);
    app_send(s, &c, DIR_C2S, req.data, req.len, 0);
    c.t += c.rtt + rng_range(&g_rng, 500000, 3000000);
    bytes_printf(&body, "{\"cmd\":\"sleep\",\"interval\":60}\n");
    put_response(&resp, 200, "application/json", &body, NULL, 0, 0, 1, c.t,
                 "/api/v2/poll?id=5f3a9c");
    app_send(s, &c, DIR_S2C, resp.data, resp.len, 1);
    c.t += rng_range(&g_rng, 10000, 100000);
    https_end(&c);
    tcp_close(s, &c, DIR_S2C);
    bytes_free(&req), bytes_free(&resp), bytes_free(&body);
}

uint64_t http_upload(session_t *s, host_t *client, host_t *server, uint64_t t, size_t bytes,
                     const char *method, int chunked)
{
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, 80, t);
    tcp_handshake(s, &c);
    bytes_t body = {0}, req = {0}, resp = {0};
    bytes_reserve(&body, bytes);
    rng_fill(&g_rng, body.data, bytes);
    body.len = bytes;
    bytes_printf(&req,
                 "%s /upload/%08x.bin HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                 "Content-Type: application/octet-stream\r\n",
                 method, (unsigned)rng_next(&g_rng), server->name, USER_AGENTS[4]);
    if (chunked) {
        bytes_printf(&req, "Transfer-Encoding: chunked\r\n\r\n");
        put_chunked(&req, body.data, body.len);
    } else {
        bytes_printf(&req, "Content-Length: %zu\r\n\r\n", bytes);
        bytes_put(&req, body.data, body.len);
    }
    g_truth.http_transactions++;
    g_truth.http_connections++;
    c.t += rng_range(&g_rng, 50000, 2000000);
    tcp_send(s, &c, DIR_C2S, req.data, req.len, 0);
    c.t += c.rtt + rng_range(&g_rng, 1000000, 40000000);
    bytes_printf(&resp, "HTTP/1.1 201 Created\r\nServer: nginx/1.24.0\r\nContent-Length: 2\r\n"
                        "Connection: close\r\n\r\nok");
    tcp_send(s, &c, DIR_S2C, resp.data, resp.len, 1);
    c.t += rng_range(&g_rng, 100000, 5000000);
    tcp_close(s, &c, DIR_C2S);
    bytes_free(&body), bytes_free(&req), bytes_free(&resp);
    return c.t;
}

uint64_t http_poll(session_t *s, host_t *client, host_t *server, uint64_t t, const char *uri,
                   size_t req_pad, size_t resp_bytes)
{
    tcp_conn_t c;
    tcp_conn_init(&c, client, host_port(client), server, 80, t);
    tcp_handshake(s, &c);
    bytes_t req = {0}, resp = {0};
    bytes_printf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nCookie: s=", uri,
                 server->name, USER_AGENTS[0]);
    for (size_t i = 0; i < req_pad; i++)
        bytes_u8(&req, "0123456789abcdef"[rng_range(&g_rng, 0, 15)]);
    bytes_printf(&req, "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    c.t += rng_range(&g_rng, 50000, 500000);
    tcp_send(s, &c, DIR_C2S, req.data, req.len, 0);
    c.t += c.rtt + rng_range(&g_rng, 500000, 3000000);
    bytes_printf(&resp,
                 "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: application/"
                 "octet-stream\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                 resp_bytes);
    size_t at = resp.len;
    bytes_reserve(&resp, resp_bytes);
    rng_fill(&g_rng, resp.data + at, resp_bytes);
    resp.len += resp_bytes;
    tcp_send(s, &c, DIR_S2C, resp.data, resp.len, 1);
    c.t += rng_range(&g_rng, 10000, 100000);
    tcp_close(s, &c, DIR_S2C);
    g_truth.http_transactions++;
    g_truth.http_connections++;
    bytes_free(&req), bytes_free(&resp);
    return c.t;
}
