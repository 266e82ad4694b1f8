/* intel_norm.c — normal forms of indicators; see intel_norm.h. */
#include "intel_norm.h"

#include <string.h>

/* Longest text an address or subnet can be, refanged, with brackets. */
#define ADDR_TEXT_MAX 64

typedef bool (*norm_fn)(const char *in, size_t n, buf_t *key, bool *subdomains, const char **why);

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static bool has_ctl_or_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_ctl((unsigned char)s[i]) || s[i] == ' ')
            return true;
    return false;
}

static void append_lower(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    for (size_t i = 0; i < n; i++)
        b->data[b->len++] = (uint8_t)lower(s[i]);
    b->data[b->len] = 0;
}

/* ---- refanging ---------------------------------------------------------- */

/* The marks inside a value; each begins with a bracket.  "hxxp" is undone
 * only as a scheme, "hxxp://" or "hxxps://" at the start. */
static const struct {
    const char *from, *to;
} defang_marks[] = {
    {"[.]", "."}, {"(.)", "."}, {"{.}", "."},  {"[dot]", "."},
    {"[:]", ":"}, {"[@]", "@"}, {"[at]", "@"},
};

static bool is_bracket(char c)
{
    return c == '[' || c == '(' || c == '{';
}

/* Does in begin with a defanged scheme, "hxxp://" or "hxxps://"? */
static bool hxxp_scheme(const char *in, size_t n)
{
    return (n >= 7 && strncasecmp(in, "hxxp://", 7) == 0) ||
           (n >= 8 && strncasecmp(in, "hxxps://", 8) == 0);
}

/* Is in defanged at all?  Most values are not, and are used as they are. */
static bool defanged(const char *in, size_t n)
{
    if (hxxp_scheme(in, n))
        return true;
    for (size_t i = 0; i < n; i++)
        if (is_bracket(in[i]))
            return true;
    return false;
}

/* The length of the mark at p (n bytes left), its meaning appended to out;
 * 0 if there is none. */
static size_t mark_at(const char *p, size_t n, buf_t *out)
{
    for (size_t k = 0; k < sizeof defang_marks / sizeof *defang_marks; k++) {
        size_t fl = strlen(defang_marks[k].from);
        if (fl <= n && strncasecmp(p, defang_marks[k].from, fl) == 0) {
            buf_append_str(out, defang_marks[k].to);
            return fl;
        }
    }
    return 0;
}

/* in with the defang marks undone, into out (cleared first). */
static void refang(const char *in, size_t n, buf_t *out)
{
    buf_clear(out);
    size_t i = 0;
    if (hxxp_scheme(in, n)) {
        buf_append_str(out, "http");
        i = 4;
    }
    while (i < n) {
        size_t fl = is_bracket(in[i]) ? mark_at(in + i, n - i, out) : 0;
        if (fl)
            i += fl;
        else
            buf_append_byte(out, (uint8_t)in[i++]);
    }
}

/* ---- addresses and subnets ---------------------------------------------- */

size_t intel_addr_key(const ipaddr_t *ip, uint8_t out[17])
{
    out[0] = ip->family;
    size_t len = ip->family == 4 ? 4 : 16;
    memcpy(out + 1, ip->a, len);
    return 1 + len;
}

/* in as an address: brackets dropped, "::ffff:a.b.c.d" made IPv4. */
static bool parse_addr(const char *in, size_t n, ipaddr_t *ip)
{
    if (n >= 2 && in[0] == '[' && in[n - 1] == ']')
        in++, n -= 2;
    char tmp[ADDR_TEXT_MAX];
    if (n == 0 || n >= sizeof tmp || memchr(in, 0, n))
        return false;
    memcpy(tmp, in, n);
    tmp[n] = 0;
    if (!ipaddr_parse(tmp, ip))
        return false;
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (ip->family == 6 && memcmp(ip->a, mapped, 12) == 0) {
        memmove(ip->a, ip->a + 12, 4);
        memset(ip->a + 4, 0, 12);
        ip->family = 4;
    }
    return true;
}

static bool norm_addr(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    ipaddr_t ip;
    if (!parse_addr(in, n, &ip)) {
        *why = "not an IPv4 or IPv6 address";
        return false;
    }
    uint8_t k[17];
    buf_append(key, k, intel_addr_key(&ip, k));
    return true;
}

static bool norm_subnet(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    const char *slash = memchr(in, '/', n);
    ipaddr_t ip;
    *why = "not a subnet (ADDRESS/PREFIX-LENGTH)";
    if (!slash || !parse_addr(in, (size_t)(slash - in), &ip))
        return false;
    unsigned bits = ip.family == 4 ? 32 : 128, len = 0;
    const char *p = slash + 1, *end = in + n;
    if (p == end || end - p > 3)
        return false;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        len = len * 10 + (unsigned)(*p - '0');
    }
    if (len > bits) {
        *why = ip.family == 4 ? "prefix length past 32" : "prefix length past 128";
        return false;
    }
    for (unsigned i = 0; i < 16; i++) { /* clear the host bits */
        unsigned keep = len > i * 8 ? len - i * 8 : 0;
        ip.a[i] &= keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
    }
    buf_append_byte(key, ip.family);
    buf_append_byte(key, (uint8_t)len);
    buf_append(key, ip.a, ip.family == 4 ? 4 : 16);
    return true;
}

void intel_addr_key_text(intel_type_t t, const uint8_t *key, size_t n, char *out)
{
    ipaddr_t ip = {0};
    size_t off = t == INTEL_SUBNET ? 2 : 1;
    ip.family = n > 0 ? key[0] : 0;
    if (n > off)
        memcpy(ip.a, key + off, n - off > 16 ? 16 : n - off);
    ipaddr_str(&ip, out);
    if (t == INTEL_SUBNET && n >= 2)
        sprintf(out + strlen(out), "/%u", key[1]);
}

/* ---- names ---------------------------------------------------------------- */

/* Letters, digits, '-', '_' and bytes past ASCII (IDNs written as UTF-8). */
static bool is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
}

/* Append in as a lower-case domain name without trailing dot; false with
 * why when it is not one. */
static bool append_domain(const char *in, size_t n, buf_t *key, const char **why)
{
    if (n > 0 && in[n - 1] == '.')
        n--;
    if (n == 0 || n > INTEL_MAX_DOMAIN) {
        *why = n ? "a domain name is at most 253 characters" : "empty domain name";
        return false;
    }
    size_t start = key->len, label = 0;
    append_lower(key, in, n);
    for (size_t i = start; i < key->len; i++) {
        unsigned char c = key->data[i];
        if (c == '.') {
            if (label == 0) {
                *why = "empty label in a domain name";
                return false;
            }
            label = 0;
        } else if (!is_label_char(c)) {
            *why = "a domain name has letters, digits, '-', '_' and dots only";
            return false;
        } else if (++label > 63) {
            *why = "a domain label is at most 63 characters";
            return false;
        }
    }
    if (label == 0) { /* "name.." : a dot after the one dropped */
        *why = "empty label in a domain name";
        return false;
    }
    return true;
}

static bool norm_domain(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    if (n >= 2 && in[0] == '*' && in[1] == '.')
        in += 2, n -= 2, *sub = true;
    else if (n >= 1 && in[0] == '.')
        in++, n--, *sub = true;
    return append_domain(in, n, key, why);
}

/* RFC 5322 atext and '.', without the braces (which would read as defang
 * marks), and UTF-8 (RFC 6531). */
static bool is_local_part_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`|~.", c));
}

static bool norm_email(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    if (n >= 2 && in[0] == '<' && in[n - 1] == '>')
        in++, n -= 2;
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (in[i] == '@')
            at = in + i;
    if (!at || at == in) {
        *why = "not an e-mail address (local@domain)";
        return false;
    }
    for (const char *p = in; p < at; p++)
        if (!is_local_part_char((unsigned char)*p)) {
            *why = "an e-mail address's local part has letters, digits and !#$%&'*+-/=?^_`|~. "
                   "only";
            return false;
        }
    append_lower(key, in, (size_t)(at - in) + 1);
    return append_domain(at + 1, (size_t)(in + n - at - 1), key, why);
}

/* ---- URLs ----------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : lower(c) - 'a' + 10;
}

/* Path and query with %-escapes normalised (RFC 3986 6.2.2): escapes of
 * unreserved characters decoded, the others in upper case, and a '%' that
 * starts no escape written as "%25" (as browsers send it) so that no '%'
 * is left to pair with decoded characters into a new escape. */
static void append_url_path(buf_t *key, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '%') {
            buf_append_byte(key, (uint8_t)p[i]);
        } else if (i + 2 < n && is_hex(p[i + 1]) && is_hex(p[i + 2])) {
            unsigned char c = (unsigned char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            if (is_unreserved(c)) {
                buf_append_byte(key, c);
            } else {
                char esc[4] = {'%', hex[c >> 4], hex[c & 15], 0};
                buf_append_str(key, esc);
            }
            i += 2;
        } else {
            buf_append_str(key, "%25");
        }
    }
}

/* The port text p (n bytes) as a number; -1 if not one. */
static long parse_port(const char *p, size_t n)
{
    long v = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

/* Longest scheme looked for before "://" ("https", "hxxps"). */
#define URL_MAX_SCHEME 8

/* The length of the scheme before "://" at in (letters, digits, + - .),
 * 0 when in has none. */
static size_t scheme_len(const char *in, size_t n)
{
    for (size_t i = 0; i < n && i <= URL_MAX_SCHEME; i++) {
        char c = lower(in[i]);
        if (c == ':')
            return i > 0 && i + 2 < n && in[i + 1] == '/' && in[i + 2] == '/' ? i : 0;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 0;
}

/* The host of a URL: a domain name, an IPv4 address, or an IPv6 address in
 * brackets (written canonically). */
static bool append_url_host(const char *h, size_t n, buf_t *key, const char **why)
{
    if (n == 0) {
        *why = "a URL needs a host";
        return false;
    }
    if (h[0] != '[')
        return append_domain(h, n, key, why);
    ipaddr_t ip;
    char text[IPADDR_STRLEN];
    if (!parse_addr(h, n, &ip)) {
        *why = "the URL's host is not an IPv6 address in brackets";
        return false;
    }
    buf_printf(key, ip.family == 6 ? "[%s]" : "%s", ipaddr_str(&ip, text));
    return true;
}

/* A port the key leaves out: the scheme is not in the key (as in Zeek's
 * Intel::URL), so neither are the ports of the web's two schemes.  A key
 * must read back to itself: with https's 443 alone dropped, "https://h:80/"
 * gave "h:80/", which read without its scheme is "h/"; and decrypted HTTPS
 * requests, written "h:443/..." as Zeek's build_url does, must meet
 * "https://h/..." indicators. */
static bool web_port(long port)
{
    return port == 80 || port == 443;
}

/* Scheme and authority (refanged): the host and a port other than 80 and
 * 443 into key. */
static bool append_url_authority(const char *in, size_t n, buf_t *key, const char **why)
{
    size_t sl = scheme_len(in, n);
    if (sl) {
        bool web = (sl == 4 && strncasecmp(in, "http", 4) == 0) ||
                   (sl == 5 && strncasecmp(in, "https", 5) == 0);
        if (!web) {
            *why = "only http:// and https:// URLs are matched";
            return false;
        }
        in += sl + 3, n -= sl + 3;
    }
    const char *end = in + n;
    for (const char *q = end; q > in; q--) /* user info: up to the last '@' */
        if (q[-1] == '@') {
            in = q;
            break;
        }
    const char *host_end = in;
    if (in < end && *in == '[') {
        host_end = memchr(in, ']', (size_t)(end - in));
        host_end = host_end ? host_end + 1 : end;
    } else {
        while (host_end < end && *host_end != ':')
            host_end++;
    }
    if (!append_url_host(in, (size_t)(host_end - in), key, why))
        return false;
    if (host_end == end)
        return true;
    long port = *host_end == ':' ? parse_port(host_end + 1, (size_t)(end - host_end - 1)) : -1;
    if (port < 0) {
        *why = "the URL's port is not a number from 0 to 65535";
        return false;
    }
    if (!web_port(port))
        buf_printf(key, ":%ld", port);
    return true;
}

/* A URL is refanged in its scheme and authority only: defanging marks the
 * host, and a path may hold brackets of its own. */
static bool norm_url(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    if (has_ctl_or_space(in, n)) {
        *why = "a URL has no spaces or control characters";
        return false;
    }
    size_t sl = scheme_len(in, n), auth_end = sl ? sl + 3 : 0;
    while (auth_end < n && in[auth_end] != '/' && in[auth_end] != '?' && in[auth_end] != '#')
        auth_end++;
    bool ok;
    if (defanged(in, auth_end)) {
        buf_t plain = BUF_INIT;
        refang(in, auth_end, &plain);
        ok = append_url_authority((const char *)plain.data, plain.len, key, why);
        buf_free(&plain);
    } else {
        ok = append_url_authority(in, auth_end, key, why);
    }
    if (!ok)
        return false;
    const char *rest = in + auth_end, *frag = memchr(rest, '#', n - auth_end);
    size_t rn = (size_t)((frag ? frag : in + n) - rest);
    if (rn == 0 || *rest != '/')
        buf_append_byte(key, '/');
    append_url_path(key, rest, rn);
    return true;
}

/* ---- hashes and fingerprints ---------------------------------------------- */

/* Append the hex digits of in (colons between bytes allowed when colons) in
 * lower case; false if anything else is there. */
static bool append_hex(const char *in, size_t n, buf_t *key, bool colons)
{
    buf_reserve(key, n);
    for (size_t i = 0; i < n; i++) {
        if (colons && in[i] == ':' && i % 3 == 2)
            continue;
        if (!is_hex(in[i]))
            return false;
        key->data[key->len++] = (uint8_t)lower(in[i]);
    }
    key->data[key->len] = 0;
    return true;
}

static bool norm_hash(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    size_t start = key->len;
    bool colons = n > 2 && in[2] == ':';
    if (append_hex(in, n, key, colons)) {
        size_t digits = key->len - start;
        if (digits == 32 || digits == 40 || digits == 64)
            return true;
    }
    *why = "not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)";
    return false;
}

static bool norm_ja3(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    if (n == 32 && append_hex(in, n, key, false))
        return true;
    *why = "a JA3 or JA3S fingerprint is 32 hex digits";
    return false;
}

/* A JA4-style fingerprint: a readable part of a_len characters that begins
 * with the transport (t TCP, q QUIC, d DTLS), then '_' and hex parts of the
 * given lengths. */
static bool norm_ja4_like(const char *in, size_t n, size_t a_len, size_t b_len, size_t c_len,
                          buf_t *key)
{
    if (n != a_len + 1 + b_len + 1 + c_len || in[a_len] != '_' || in[a_len + 1 + b_len] != '_')
        return false;
    char t = lower(in[0]);
    if (t != 't' && t != 'q' && t != 'd')
        return false;
    for (size_t i = 1; i < a_len; i++) {
        char c = lower(in[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    append_lower(key, in, a_len + 1);
    if (!append_hex(in + a_len + 1, b_len, key, false))
        return false;
    buf_append_byte(key, '_');
    return append_hex(in + a_len + 2 + b_len, c_len, key, false);
}

static bool norm_ja4(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    /* t13d1516h2_8daaf6152771_b186095e22b6: transport, version, SNI d/i,
     * cipher and extension counts, ALPN; then two truncated SHA-256s. */
    if (norm_ja4_like(in, n, 10, 12, 12, key))
        return true;
    *why = "not a JA4 fingerprint (like t13d1516h2_8daaf6152771_b186095e22b6)";
    return false;
}

static bool norm_ja4s(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    /* t130200_1301_a56c5b993250: transport, version, extension count, ALPN;
     * the chosen cipher; a truncated SHA-256 of the extensions. */
    if (norm_ja4_like(in, n, 7, 4, 12, key))
        return true;
    *why = "not a JA4S fingerprint (like t130200_1301_a56c5b993250)";
    return false;
}

static bool norm_text(const char *in, size_t n, buf_t *key, bool *sub, const char **why)
{
    for (size_t i = 0; i < n; i++)
        if (is_ctl((unsigned char)in[i]) || in[i] == 0) {
            *why = "contains a control character";
            return false;
        }
    if (n == 0) {
        *why = "empty";
        return false;
    }
    buf_append(key, in, n);
    return true;
}

/* ---- the type table ------------------------------------------------------- */

static const struct {
    const char *name;
    norm_fn normalise;
    bool refang;
} type_table[INTEL_NTYPES] = {
    [INTEL_ADDR] = {"Intel::ADDR", norm_addr, true},
    [INTEL_SUBNET] = {"Intel::SUBNET", norm_subnet, true},
    [INTEL_DOMAIN] = {"Intel::DOMAIN", norm_domain, true},
    [INTEL_URL] = {"Intel::URL", norm_url, false}, /* refangs its host itself */
    [INTEL_FILE_HASH] = {"Intel::FILE_HASH", norm_hash, false},
    [INTEL_CERT_HASH] = {"Intel::CERT_HASH", norm_hash, false},
    [INTEL_EMAIL] = {"Intel::EMAIL", norm_email, true},
    [INTEL_USER_NAME] = {"Intel::USER_NAME", norm_text, false},
    [INTEL_FILE_NAME] = {"Intel::FILE_NAME", norm_text, false},
    [INTEL_SOFTWARE] = {"Intel::SOFTWARE", norm_text, false},
    [INTEL_JA3] = {"Intel::JA3", norm_ja3, false},
    [INTEL_JA3S] = {"Intel::JA3S", norm_ja3, false},
    [INTEL_JA4] = {"Intel::JA4", norm_ja4, false},
    [INTEL_JA4S] = {"Intel::JA4S", norm_ja4s, false},
};

const char *intel_type_name(intel_type_t t)
{
    return t < INTEL_NTYPES ? type_table[t].name : "Intel::UNKNOWN";
}

bool intel_type_parse(const char *s, size_t n, intel_type_t *out)
{
    for (int t = 0; t < INTEL_NTYPES; t++)
        if (strlen(type_table[t].name) == n && memcmp(type_table[t].name, s, n) == 0) {
            *out = (intel_type_t)t;
            return true;
        }
    return false;
}

bool intel_normalise(intel_type_t t, const char *in, size_t n, buf_t *key, bool *subdomains,
                     const char **why)
{
    *subdomains = false;
    *why = "unknown indicator type";
    if (t >= INTEL_NTYPES)
        return false;
    if (!type_table[t].refang || !defanged(in, n))
        return type_table[t].normalise(in, n, key, subdomains, why);
    buf_t plain = BUF_INIT;
    refang(in, n, &plain);
    bool ok = type_table[t].normalise((const char *)plain.data, plain.len, key, subdomains, why);
    buf_free(&plain);
    return ok;
}

/* ---- plain lists: what a token is ------------------------------------------ */

static const struct {
    const char *prefix;
    intel_type_t type;
} type_prefixes[] = {
    {"ja3:", INTEL_JA3},
    {"ja3s:", INTEL_JA3S},
    {"ja4:", INTEL_JA4},
    {"ja4s:", INTEL_JA4S},
};

/* Does in normalise as t?  (Uses a scratch key.)  why may be NULL. */
static bool is_a(intel_type_t t, const char *in, size_t n, const char **why)
{
    buf_t scratch = BUF_INIT;
    const char *reason;
    bool sub, ok = intel_normalise(t, in, n, &scratch, &sub, why ? why : &reason);
    buf_free(&scratch);
    return ok;
}

/* A name that is clearly a domain: valid, with a dot, and a last label that
 * is not all digits (so "1.2.3" is not taken for one). */
static bool looks_like_domain(const char *in, size_t n)
{
    if (!is_a(INTEL_DOMAIN, in, n, NULL))
        return false;
    if (n >= 2 && in[0] == '*' && in[1] == '.')
        in += 2, n -= 2;
    else if (n >= 1 && in[0] == '.')
        in++, n--;
    if (n && in[n - 1] == '.')
        n--;
    if (!memchr(in, '.', n))
        return false;
    size_t i = n;
    while (i && in[i - 1] != '.')
        i--;
    for (; i < n; i++)
        if (in[i] < '0' || in[i] > '9')
            return true;
    return false;
}

/* The host of a URL written without scheme ("host[:port]/..."): a domain or
 * an address. */
static bool looks_like_host(const char *in, size_t n)
{
    ipaddr_t ip;
    if (parse_addr(in, n, &ip))
        return true;
    const char *colon = memchr(in, ':', n);
    if (colon && parse_port(colon + 1, (size_t)(in + n - colon - 1)) >= 0)
        n = (size_t)(colon - in);
    return looks_like_domain(in, n) || parse_addr(in, n, &ip);
}

unsigned intel_infer(const char *in, size_t n, const char **value, size_t *vn, const char **why)
{
    *why = "not an address, subnet, domain, URL, hash, e-mail address, JA3 or JA4 (other "
           "types need a Zeek intel file)";
    *value = in;
    *vn = n;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < sizeof type_prefixes / sizeof *type_prefixes; i++) {
        size_t pl = strlen(type_prefixes[i].prefix);
        if (n > pl && strncasecmp(in, type_prefixes[i].prefix, pl) == 0) {
            *value = in + pl;
            *vn = n - pl;
            return INTEL_BIT(type_prefixes[i].type);
        }
    }
    if (is_a(INTEL_ADDR, in, n, NULL))
        return INTEL_BIT(INTEL_ADDR);
    if (is_a(INTEL_SUBNET, in, n, NULL))
        return INTEL_BIT(INTEL_SUBNET);
    if (is_a(INTEL_JA4, in, n, NULL))
        return INTEL_BIT(INTEL_JA4);
    if (is_a(INTEL_JA4S, in, n, NULL))
        return INTEL_BIT(INTEL_JA4S);
    if (is_a(INTEL_FILE_HASH, in, n, NULL))
        return INTEL_BIT(INTEL_FILE_HASH) | INTEL_BIT(INTEL_CERT_HASH);
    /* URLs before e-mail: "http://user@host/" has an '@' too. */
    buf_t plain = BUF_INIT;
    refang(in, n, &plain);
    const char *p = (const char *)plain.data;
    size_t pn = plain.len;
    bool has_scheme = scheme_len(p, pn) > 0;
    const char *slash = memchr(p, '/', pn);
    unsigned types = 0;
    if (has_scheme || (slash && looks_like_host(p, (size_t)(slash - p))))
        types = is_a(INTEL_URL, in, n, why) ? INTEL_BIT(INTEL_URL) : 0;
    else if (memchr(p, '@', pn))
        types = is_a(INTEL_EMAIL, in, n, why) ? INTEL_BIT(INTEL_EMAIL) : 0;
    else if (looks_like_domain(p, pn))
        types = INTEL_BIT(INTEL_DOMAIN);
    buf_free(&plain);
    return types;
}
