/* keylog.c — the NSS key-log parser and its client-random index; see keylog.h. */
#include "keylog.h"

#include "core/cursor.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const label_names[KEYLOG_NLABELS] = {
    [KEYLOG_MASTER_SECRET] = "CLIENT_RANDOM",
    [KEYLOG_CLIENT_EARLY] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [KEYLOG_CLIENT_HANDSHAKE] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [KEYLOG_SERVER_HANDSHAKE] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [KEYLOG_CLIENT_TRAFFIC_0] = "CLIENT_TRAFFIC_SECRET_0",
    [KEYLOG_SERVER_TRAFFIC_0] = "SERVER_TRAFFIC_SECRET_0",
};

/* Labels of the format we do not need: exporter secrets protect nothing on
 * the wire, and OpenSSL writes an "RSA <encrypted pre-master prefix>
 * <pre-master>" line beside the CLIENT_RANDOM line of every RSA key exchange
 * (the CLIENT_RANDOM line is enough). */
static const char *const ignored_labels[] = {"EARLY_EXPORTER_SECRET", "EXPORTER_SECRET", "RSA"};

struct keylog {
    keylog_entry_t *entries;
    size_t n, cap;
    uint32_t *slots; /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;   /* power of two, > 2 * n */
    keylog_stats_t stats;
    char *reported[KEYLOG_MAX_REPORTED];
    size_t nreported;
};

const char *keylog_label_name(keylog_label_t l)
{
    return l < KEYLOG_NLABELS ? label_names[l] : "?";
}

keylog_t *keylog_new(void)
{
    return xcalloc(1, sizeof(keylog_t));
}

void keylog_free(keylog_t *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nreported; i++)
        free(k->reported[i]);
    free(k->entries);
    free(k->slots);
    free(k);
}

const keylog_stats_t *keylog_stats(const keylog_t *k)
{
    return &k->stats;
}

size_t keylog_reported(const keylog_t *k)
{
    return k->nreported;
}

const char *keylog_report(const keylog_t *k, size_t i)
{
    return i < k->nreported ? k->reported[i] : NULL;
}

/* Client randoms are random: their first 8 bytes are a good hash. */
static size_t slot_of(const uint8_t cr[32], size_t nslots)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | cr[i];
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 17) & (nslots - 1);
}

static uint32_t *find_slot(const keylog_t *k, const uint8_t cr[32])
{
    if (!k->nslots)
        return NULL;
    for (size_t s = slot_of(cr, k->nslots);; s = (s + 1) & (k->nslots - 1)) {
        uint32_t v = k->slots[s];
        if (!v || !memcmp(k->entries[v - 1].client_random, cr, 32))
            return &k->slots[s];
    }
}

static void grow_index(keylog_t *k)
{
    size_t n = k->nslots ? k->nslots * 2 : 1024;
    free(k->slots);
    k->slots = xcalloc(n, sizeof *k->slots);
    k->nslots = n;
    for (size_t i = 0; i < k->n; i++)
        *find_slot(k, k->entries[i].client_random) = (uint32_t)(i + 1);
}

const keylog_entry_t *keylog_find(const keylog_t *k, const uint8_t client_random[32])
{
    uint32_t *s = find_slot(k, client_random);
    return s && *s ? &k->entries[*s - 1] : NULL;
}

/* The entry for cr, created when new; NULL past KEYLOG_MAX_SESSIONS. */
static keylog_entry_t *entry_for(keylog_t *k, const uint8_t cr[32])
{
    if (2 * (k->n + 1) >= k->nslots)
        grow_index(k);
    uint32_t *s = find_slot(k, cr);
    if (*s)
        return &k->entries[*s - 1];
    if (k->n >= KEYLOG_MAX_SESSIONS)
        return NULL;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->entries = xreallocarray(k->entries, k->cap, sizeof *k->entries);
    }
    keylog_entry_t *e = &k->entries[k->n++];
    memset(e, 0, sizeof *e);
    memcpy(e->client_random, cr, 32);
    *s = (uint32_t)k->n;
    k->stats.sessions++;
    return e;
}

static void bad_line(keylog_t *k, const char *name, uint64_t line, const char *why)
{
    k->stats.bad++;
    if (k->nreported < KEYLOG_MAX_REPORTED)
        k->reported[k->nreported++] = xasprintf("%s:%llu: %s", name, (unsigned long long)line, why);
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The next whitespace-separated word of a line. */
static bool next_word(cursor_t *c, cursor_t *word)
{
    uint8_t b;
    while (cursor_peek_u8(c, &b) && is_blank(b))
        cursor_skip(c, 1);
    size_t n = 0;
    cursor_t probe = *c;
    while (cursor_u8(&probe, &b) && !is_blank(b))
        n++;
    return n && cursor_sub(c, n, word);
}

/* Hex digits of word into out (at most max bytes); -1 when not hex or too long. */
static int hex_decode(cursor_t word, uint8_t *out, size_t max)
{
    size_t n = cursor_left(&word);
    if (n % 2 || n / 2 > max)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t a = 0, b = 0;
        cursor_u8(&word, &a);
        cursor_u8(&word, &b);
        int hi = hexval(a), lo = hexval(b);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

static bool word_is(cursor_t w, const char *s)
{
    size_t n = strlen(s);
    const uint8_t *p;
    return cursor_left(&w) == n && cursor_bytes(&w, n, &p) && !memcmp(p, s, n);
}

/* CLIENT_TRAFFIC_SECRET_<n> / SERVER_TRAFFIC_SECRET_<n> for n > 0 (and
 * OpenSSL 3.0's literal "_N"): secrets after a KeyUpdate.  We derive those
 * from secret 0 ourselves, so they are accepted and not needed. */
static bool later_traffic_secret(cursor_t w)
{
    static const char *const prefixes[] = {"CLIENT_TRAFFIC_SECRET_", "SERVER_TRAFFIC_SECRET_"};
    const size_t plen = 22;
    const uint8_t *p;
    if (cursor_left(&w) <= plen)
        return false;
    cursor_t rest = w;
    cursor_bytes(&rest, plen, &p);
    if (memcmp(p, prefixes[0], plen) && memcmp(p, prefixes[1], plen))
        return false;
    return !word_is(rest, "0");
}

static int label_of(cursor_t w)
{
    for (int l = 0; l < KEYLOG_NLABELS; l++)
        if (word_is(w, label_names[l]))
            return l;
    if (later_traffic_secret(w))
        return KEYLOG_NLABELS;
    for (size_t i = 0; i < sizeof ignored_labels / sizeof ignored_labels[0]; i++)
        if (word_is(w, ignored_labels[i]))
            return KEYLOG_NLABELS; /* known, not needed */
    return -1;
}

/* Why the secret does not fit its label, or NULL.  TLS 1.2 master secrets
 * are 48 bytes; TLS 1.3 secrets are as long as the suite's hash (SHA-256 or
 * SHA-384). */
static const char *secret_size_error(int label, int len)
{
    if (label == KEYLOG_MASTER_SECRET)
        return len == 48 ? NULL : "CLIENT_RANDOM secret is not 48 bytes";
    return len == 32 || len == 48 ? NULL : "traffic secret is not 32 or 48 bytes";
}

/* One line without its newline. */
static void parse_line(keylog_t *k, const char *name, uint64_t lineno, cursor_t line)
{
    cursor_t w_label, w_random, w_secret, w_extra;
    uint8_t first;
    size_t length = cursor_left(&line);
    if (!next_word(&line, &w_label) || (cursor_peek_u8(&w_label, &first) && first == '#'))
        return; /* blank or comment */
    if (length > KEYLOG_MAX_LINE) {
        bad_line(k, name, lineno, "line too long");
        return;
    }
    int label = label_of(w_label);
    if (label < 0) {
        bad_line(k, name, lineno, "unknown label");
        return;
    }
    if (!next_word(&line, &w_random) || !next_word(&line, &w_secret)) {
        bad_line(k, name, lineno, "expected LABEL CLIENT_RANDOM SECRET");
        return;
    }
    if (next_word(&line, &w_extra)) {
        bad_line(k, name, lineno, "text after the secret");
        return;
    }
    if (label == KEYLOG_NLABELS) {
        k->stats.ignored++;
        return;
    }
    uint8_t cr[32], secret[KEYLOG_MAX_SECRET];
    if (hex_decode(w_random, cr, sizeof cr) != 32) {
        bad_line(k, name, lineno, "client random is not 64 hex digits");
        return;
    }
    int slen = hex_decode(w_secret, secret, sizeof secret);
    if (slen < 0) {
        bad_line(k, name, lineno, "secret is not hex or longer than 48 bytes");
        return;
    }
    const char *size_error = secret_size_error(label, slen);
    if (size_error) {
        bad_line(k, name, lineno, size_error);
        return;
    }
    keylog_entry_t *e = entry_for(k, cr);
    if (!e) {
        k->stats.over_limit++;
        return;
    }
    keylog_secret_t *s = &e->secret[label];
    if (s->len) {
        if (s->len != slen || memcmp(s->v, secret, (size_t)slen))
            bad_line(k, name, lineno, "a different secret for this session was given before");
        return;
    }
    s->len = (uint8_t)slen;
    memcpy(s->v, secret, (size_t)slen);
    k->stats.secrets++;
}

uint64_t keylog_add(keylog_t *k, const char *name, const uint8_t *text, size_t len)
{
    return keylog_add_at(k, name, 1, text, len);
}

uint64_t keylog_add_at(keylog_t *k, const char *name, uint64_t first_line, const uint8_t *text,
                       size_t len)
{
    uint64_t bad_before = k->stats.bad, lineno = first_line - 1;
    cursor_t c = cursor_make(text, len);
    while (!cursor_empty(&c)) {
        long nl = cursor_find(&c, '\n');
        size_t n = nl < 0 ? cursor_left(&c) : (size_t)nl;
        cursor_t line;
        cursor_sub(&c, n, &line);
        cursor_skip(&c, 1); /* the newline, when there is one */
        lineno++;
        if (cursor_find(&line, '\0') >= 0)
            bad_line(k, name, lineno, "NUL byte (not a text file?)");
        else
            parse_line(k, name, lineno, line);
    }
    k->stats.lines += lineno - (first_line - 1);
    return k->stats.bad - bad_before;
}
