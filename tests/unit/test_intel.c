/* test_intel.c — intel indicators: normal forms, the set, matching, and
 * reading Zeek intel files and plain lists.  Values are the sample
 * incident's (sample_pcaps/incident.truth.json): its C2 address and domain,
 * the beacon URL, a carved file's hashes, certificate fingerprints, JA3/JA4
 * of its TLS clients. */
#include "case/intel.h"
#include "case/intel_norm.h"
#include "cu_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The normal form of text as t for comparing: text keys as they are, address
 * keys as their text, "!" + the reason when t refuses it, "*" in front when
 * it matches subdomains. */
static const char *norm(intel_type_t t, const char *text)
{
    static char out[512];
    buf_t key = BUF_INIT;
    bool sub;
    const char *why;
    if (!intel_normalise(t, text, strlen(text), &key, &sub, &why))
        snprintf(out, sizeof out, "!%s", why);
    else if (t == INTEL_ADDR || t == INTEL_SUBNET)
        intel_addr_key_text(t, key.data, key.len, out);
    else
        snprintf(out, sizeof out, "%s%s", sub ? "*" : "", buf_cstr(&key));
    buf_free(&key);
    return out;
}

static void addresses_and_subnets_normalise_refanged_and_mapped(void)
{
    CU_ASSERT_STRING_EQUAL(norm(INTEL_ADDR, "203.0.113.66"), "203.0.113.66");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_ADDR, "203.0.113[.]66"), "203.0.113.66");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_ADDR, "::ffff:203.0.113.66"), "203.0.113.66");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_ADDR, "[2001:DB8::0:1]"), "2001:db8::1");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_ADDR, "203.0.113.256"), "!not an IPv4 or IPv6 address");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "203.0.113.66/24"), "203.0.113.0/24");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "203.0.113.66/27"), "203.0.113.64/27");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "2001:db8:ffff::/33"), "2001:db8:8000::/33");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "0.0.0.0/0"), "0.0.0.0/0");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "203.0.113.0/33"), "!prefix length past 32");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "203.0.113.0"),
                           "!not a subnet (ADDRESS/PREFIX-LENGTH)");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SUBNET, "203.0.113.0/2x"),
                           "!not a subnet (ADDRESS/PREFIX-LENGTH)");
}

static void domains_fold_case_and_mark_subdomain_indicators(void)
{
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "C2.Bad-Domain.TEST."), "c2.bad-domain.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "c2[.]bad-domain[.]test"), "c2.bad-domain.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "*.bad-domain.test"), "*bad-domain.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, ".bad-domain.test"), "*bad-domain.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "_dmarc.example-shop.test"),
                           "_dmarc.example-shop.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "bad domain.test"),
                           "!a domain name has letters, digits, '-', '_' and dots only");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "c2..bad-domain.test"),
                           "!empty label in a domain name");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, "bad-domain.test.."),
                           "!empty label in a domain name");
    char label[80];
    memset(label, 'a', 64);
    strcpy(label + 64, ".test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_DOMAIN, label), "!a domain label is at most 63 characters");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_EMAIL, "<Alice@Example-Shop.TEST>"),
                           "alice@example-shop.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_EMAIL, "alice[at]example-shop[.]test"),
                           "alice@example-shop.test");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_EMAIL, "@example-shop.test"),
                           "!not an e-mail address (local@domain)");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_EMAIL, "a{b@example-shop.test"),
                           "!an e-mail address's local part has letters, digits and "
                           "!#$%&'*+-/=?^_`|~. only");
}

static void urls_lose_scheme_default_port_fragment_and_user_info(void)
{
    const char *beacon = "c2.bad-domain.test/beacon";
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://c2.bad-domain.test/beacon"), beacon);
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "HTTP://C2.Bad-Domain.test.:80/beacon#x"), beacon);
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "hxxp://c2[.]bad-domain[.]test/beacon"), beacon);
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "c2.bad-domain.test/beacon"), beacon);
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "https://www.example-shop.test:443/admin/"),
                           "www.example-shop.test/admin/");
    /* 80 and 443 are left out whatever the scheme: the key has none, and
     * must read back to itself (fuzz_intel: "https://h:80/8" gave "h:80/8",
     * which reads as "h/8"); decrypted HTTPS is written "h:443/..." */
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://www.example-shop.test:443/admin/"),
                           "www.example-shop.test/admin/");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "hxxps://c2.bad-domain.test:80/8"),
                           "c2.bad-domain.test/8");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "c2.bad-domain.test:443/8"), "c2.bad-domain.test/8");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "https://c2.bad-domain.test:8443/8"),
                           "c2.bad-domain.test:8443/8");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://admin:secret@www.example-shop.test"),
                           "www.example-shop.test/");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://[2001:DB8::1]:8080/a?b=%2f%7e"),
                           "[2001:db8::1]:8080/a?b=%2F~");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "www.example-shop.test?q=1"),
                           "www.example-shop.test/?q=1");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "ftp://files.test/x"),
                           "!only http:// and https:// URLs are matched");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://files.test:99999/x"),
                           "!the URL's port is not a number from 0 to 65535");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://files.test/a b"),
                           "!a URL has no spaces or control characters");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http:///x"), "!a URL needs a host");
    /* the host is refanged, the path is kept as it is */
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "hxxps://cdn[.]files[.]test/a[.]b"),
                           "cdn.files.test/a[.]b");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://[::ffff:203.0.113.66]:80/x"), "203.0.113.66/x");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://files!.test/"),
                           "!a domain name has letters, digits, '-', '_' and dots only");
    /* "h/x:" is no scheme: the URL reads the same once normalised */
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "http://h.test/x://y"), "h.test/x://y");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "h.test/x://y"), "h.test/x://y");
    /* a '%' that starts no escape is "%25", so it pairs with nothing decoded */
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "h.test/%%62e0"), "h.test/%25be0");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_URL, "h.test/%25be0"), "h.test/%25be0");
}

static void hashes_and_fingerprints_are_lower_case_hex_of_known_lengths(void)
{
    /* incident.truth.json: the leaf certificate of www.example-shop.test */
    CU_ASSERT_STRING_EQUAL(
        norm(INTEL_CERT_HASH, "89C05FEF6475CE39806A0366117726E3405A54023CAEF6E34F7ECFDEDACCE8FC"),
        "89c05fef6475ce39806a0366117726e3405a54023caef6e34f7ecfdedacce8fc");
    CU_ASSERT_STRING_EQUAL(
        norm(INTEL_CERT_HASH, "73:AE:B1:B7:51:35:47:E1:84:6D:6C:04:B7:AE:F3:4D:93:CE:23:84"),
        "73aeb1b7513547e1846d6c04b7aef34d93ce2384");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_FILE_HASH, "caa46457000a732732ccfafeaf2bcf6c"),
                           "caa46457000a732732ccfafeaf2bcf6c");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_FILE_HASH, "caa46457000a732732ccfafeaf2bcf6"),
                           "!not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_FILE_HASH, "zaa46457000a732732ccfafeaf2bcf6c"),
                           "!not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)");
    /* ssl.ndjson of the sample incident */
    CU_ASSERT_STRING_EQUAL(norm(INTEL_JA3, "871A754AF286DFB70C1B53C6887C62E0"),
                           "871a754af286dfb70c1b53c6887c62e0");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_JA4, "t12d2807h2_d943125447b4_a44c6288192a"),
                           "t12d2807h2_d943125447b4_a44c6288192a");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_JA4, "x12d2807h2_d943125447b4_a44c6288192a"),
                           "!not a JA4 fingerprint (like t13d1516h2_8daaf6152771_b186095e22b6)");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_JA4, "t12d2807h2_d943125447b4_a44c6288192"),
                           "!not a JA4 fingerprint (like t13d1516h2_8daaf6152771_b186095e22b6)");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_JA4S, "t130200_1301_a56c5b993250"),
                           "t130200_1301_a56c5b993250");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_USER_NAME, "Administrator"), "Administrator");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_SOFTWARE, "curl/7.88.1"), "curl/7.88.1");
    CU_ASSERT_STRING_EQUAL(norm(INTEL_FILE_NAME, "invoice\x01.pdf"),
                           "!contains a control character");
}

/* The types intel_infer gives text, and the value it keeps. */
static unsigned infer(const char *text, const char **value)
{
    static char v[256];
    const char *p, *why;
    size_t n;
    unsigned t = intel_infer(text, strlen(text), &p, &n, &why);
    snprintf(v, sizeof v, "%.*s", (int)n, p);
    if (value)
        *value = t ? v : why;
    return t;
}

static void plain_list_tokens_get_their_type_inferred(void)
{
    const char *v;
    CU_ASSERT_EQUAL(infer("203.0.113.66", NULL), INTEL_BIT(INTEL_ADDR));
    CU_ASSERT_EQUAL(infer("2001:db8::66", NULL), INTEL_BIT(INTEL_ADDR));
    CU_ASSERT_EQUAL(infer("203.0.113[.]66", NULL), INTEL_BIT(INTEL_ADDR));
    CU_ASSERT_EQUAL(infer("203.0.113.64/26", NULL), INTEL_BIT(INTEL_SUBNET));
    CU_ASSERT_EQUAL(infer("c2.bad-domain.test", NULL), INTEL_BIT(INTEL_DOMAIN));
    CU_ASSERT_EQUAL(infer("*.bad-domain.test", NULL), INTEL_BIT(INTEL_DOMAIN));
    CU_ASSERT_EQUAL(infer(".bad-domain.test", NULL), INTEL_BIT(INTEL_DOMAIN));
    CU_ASSERT_EQUAL(infer("http://c2.bad-domain.test/beacon", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("hxxp://c2[.]bad-domain[.]test/beacon", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("c2.bad-domain.test/beacon", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("203.0.113.66/beacon", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("c2.bad-domain.test:8080/beacon", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("http://user@c2.bad-domain.test/", NULL), INTEL_BIT(INTEL_URL));
    CU_ASSERT_EQUAL(infer("d7fe359891ad20be786440c30fee030f99ee9d400565517a807a89224dec589e", NULL),
                    INTEL_BIT(INTEL_FILE_HASH) | INTEL_BIT(INTEL_CERT_HASH));
    CU_ASSERT_EQUAL(infer("alice@example-shop.test", NULL), INTEL_BIT(INTEL_EMAIL));
    CU_ASSERT_EQUAL(infer("ja3:871a754af286dfb70c1b53c6887c62e0", &v), INTEL_BIT(INTEL_JA3));
    CU_ASSERT_STRING_EQUAL(v, "871a754af286dfb70c1b53c6887c62e0");
    CU_ASSERT_EQUAL(infer("JA3S:ec74a5c51106f0419184d0dd08fb05bc", NULL), INTEL_BIT(INTEL_JA3S));
    CU_ASSERT_EQUAL(infer("t12d280700_d943125447b4_e7e480e5a997", NULL), INTEL_BIT(INTEL_JA4));
    CU_ASSERT_EQUAL(infer("t130200_1301_a56c5b993250", NULL), INTEL_BIT(INTEL_JA4S));
    /* not indicators: a bare word, a version-like number, an unsupported scheme */
    CU_ASSERT_EQUAL(infer("localhost", NULL), 0);
    CU_ASSERT_EQUAL(infer("1.2.3", NULL), 0);
    CU_ASSERT_EQUAL(infer("ftp://files.test/x", &v), 0);
    CU_ASSERT_STRING_EQUAL(v, "only http:// and https:// URLs are matched");
}

static const intel_meta_t feed_a = {"feed-a", "C2 of the lab incident", NULL, INTEL_SEVERITY_UNSET};

static intel_set_t *set_of(const char *const *lines, unsigned types)
{
    intel_set_t *s = intel_new();
    const char *why;
    for (; *lines; lines++)
        CU_ASSERT_EQUAL(intel_add(s, types, *lines, strlen(*lines), &feed_a, &why), 0);
    return s;
}

static void address_matches_itself_and_every_subnet_around_it_longest_first(void)
{
    intel_set_t *s = intel_new();
    const char *why;
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_ADDR), "203.0.113.66", 12, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_SUBNET), "203.0.0.0/16", 12, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_SUBNET), "203.0.113.64/26", 15, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_SUBNET), "2001:db8::/32", 13, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_ADDR), "203.0.113.66", 12, &feed_a, &why), 1);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_ADDR), "203.0.113.666", 13, &feed_a, &why), -1);
    CU_ASSERT_EQUAL(intel_count(s), 4);

    intel_id_t hits[INTEL_MAX_HITS];
    ipaddr_t ip;
    ipaddr_parse("203.0.113.66", &ip);
    CU_ASSERT_EQUAL_FATAL(intel_match_addr(s, &ip, hits), 3);
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[0]), "203.0.113.66");
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[1]), "203.0.113.64/26");
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[2]), "203.0.0.0/16");
    CU_ASSERT_EQUAL(intel_matched_type(s, hits[0], INTEL_ADDR), INTEL_ADDR);
    CU_ASSERT_EQUAL(intel_matched_type(s, hits[1], INTEL_ADDR), INTEL_SUBNET);
    ipaddr_parse("203.0.113.10", &ip);
    CU_ASSERT_EQUAL(intel_match_addr(s, &ip, hits), 1); /* the /16 only */
    ipaddr_parse("198.51.100.53", &ip);
    CU_ASSERT_EQUAL(intel_match_addr(s, &ip, hits), 0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_ADDR, "2001:db8::66", 12, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_ADDR, "2001:db9::66", 12, hits), 0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_ADDR, "::ffff:203.0.113.66", 19, hits), 3);
    intel_free(s);
}

static void domain_matches_exactly_or_under_a_subdomain_indicator(void)
{
    const char *const list[] = {"c2.bad-domain.test", ".bad-domain.test", "*.files.test", NULL};
    intel_set_t *s = set_of(list, INTEL_BIT(INTEL_DOMAIN));
    intel_id_t hits[INTEL_MAX_HITS];
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_DOMAIN, "C2.bad-domain.test.", 19, hits), 2);
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[0]), "c2.bad-domain.test");
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[1]), "*.bad-domain.test");
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "update.bad-domain.test", 22, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "bad-domain.test", 15, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "a.b.cdn.files.test", 18, hits), 1);
    /* a label boundary, not a string suffix */
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "notbad-domain.test", 18, hits), 0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "www.example-shop.test", 21, hits), 0);
    /* an exact indicator does not match its subdomains */
    CU_ASSERT_EQUAL(intel_match(s, INTEL_DOMAIN, "x.c2.bad-domain.test", 20, hits), 1);
    CU_ASSERT_STRING_EQUAL(intel_indicator_text(s, hits[0]), "*.bad-domain.test");
    /* seen as something else, a domain indicator does not match */
    CU_ASSERT_EQUAL(intel_match(s, INTEL_SOFTWARE, "c2.bad-domain.test", 18, hits), 0);
    intel_free(s);
}

static void urls_hashes_and_fingerprints_match_in_their_normal_form(void)
{
    intel_set_t *s = intel_new();
    const char *why;
    const char *url = "http://c2.bad-domain.test/beacon";
    const char *sha1 = "73aeb1b7513547e1846d6c04b7aef34d93ce2384"; /* a certificate */
    const char *pdf = "caa46457000a732732ccfafeaf2bcf6c";          /* index.html's MD5 */
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_URL), url, strlen(url), &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_CERT_HASH), sha1, 40, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_FILE_HASH), pdf, 32, &feed_a, &why), 0);
    CU_ASSERT_EQUAL(
        intel_add(s, INTEL_BIT(INTEL_JA3), "871a754af286dfb70c1b53c6887c62e0", 32, &feed_a, &why),
        0);
    intel_id_t hits[INTEL_MAX_HITS];
    const char *seen = "C2.bad-domain.test:80/beacon";
    CU_ASSERT_EQUAL(intel_match(s, INTEL_URL, seen, strlen(seen), hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_URL, "c2.bad-domain.test/beacon2", 26, hits), 0);
    CU_ASSERT_EQUAL(
        intel_match(s, INTEL_CERT_HASH, "73AEB1B7513547E1846D6C04B7AEF34D93CE2384", 40, hits), 1);
    /* given as a certificate's, it is not a file's, and the reverse */
    CU_ASSERT_EQUAL(intel_match(s, INTEL_FILE_HASH, sha1, 40, hits), 0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_CERT_HASH, pdf, 32, hits), 0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_FILE_HASH, pdf, 32, hits), 1);
    /* a JA3 and an MD5 with the same digits are different indicators */
    CU_ASSERT_EQUAL(intel_match(s, INTEL_JA3, "871a754af286dfb70c1b53c6887c62e0", 32, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_FILE_HASH, "871a754af286dfb70c1b53c6887c62e0", 32, hits),
                    0);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_JA3S, "871a754af286dfb70c1b53c6887c62e0", 32, hits), 0);
    /* a hash from a plain list may be either */
    CU_ASSERT_EQUAL(intel_add(s, INTEL_BIT(INTEL_FILE_HASH) | INTEL_BIT(INTEL_CERT_HASH), sha1, 40,
                              &feed_a, &why),
                    1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_FILE_HASH, sha1, 40, hits), 1);
    CU_ASSERT_EQUAL(
        intel_add(s, INTEL_BIT(INTEL_ADDR) | INTEL_BIT(INTEL_DOMAIN), "a.test", 6, &feed_a, &why),
        -1);
    CU_ASSERT_STRING_EQUAL(why, "not an IPv4 or IPv6 address");
    intel_free(s);
}

static void feeds_of_one_indicator_are_merged_by_source(void)
{
    intel_set_t *s = intel_new();
    const char *why, *c2 = "203.0.113.66";
    intel_meta_t a1 = {"feed-a", "first", NULL, 1}, a2 = {"feed-a", "updated", "https://x.test", 2},
                 b = {"feed-b", NULL, NULL, INTEL_SEVERITY_UNSET};
    intel_add(s, INTEL_BIT(INTEL_ADDR), c2, 12, &a1, &why);
    intel_add(s, INTEL_BIT(INTEL_ADDR), c2, 12, &b, &why);
    intel_add(s, INTEL_BIT(INTEL_ADDR), c2, 12, &a2, &why);
    intel_meta_t m;
    CU_ASSERT_TRUE_FATAL(intel_indicator_meta(s, 0, 0, &m));
    CU_ASSERT_STRING_EQUAL(m.source, "feed-a");
    CU_ASSERT_STRING_EQUAL(m.desc, "updated");
    CU_ASSERT_STRING_EQUAL(m.url, "https://x.test");
    CU_ASSERT_EQUAL(m.severity, 2);
    CU_ASSERT_TRUE_FATAL(intel_indicator_meta(s, 0, 1, &m));
    CU_ASSERT_STRING_EQUAL(m.source, "feed-b");
    CU_ASSERT_PTR_NULL(m.desc);
    CU_ASSERT_EQUAL(m.severity, INTEL_SEVERITY_UNSET);
    CU_ASSERT_FALSE(intel_indicator_meta(s, 0, 2, &m));
    CU_ASSERT_EQUAL(intel_indicator_severity(s, 0), 2);
    const char *d = "c2.bad-domain.test";
    intel_add(s, INTEL_BIT(INTEL_DOMAIN), d, strlen(d), &b, &why);
    CU_ASSERT_EQUAL(intel_indicator_severity(s, 1), INTEL_DEFAULT_SEVERITY);
    intel_free(s);
}

/* Load text as a file named name; messages into *msgs (caller frees). */
static intel_set_t *load_text(const char *name, const char *text, size_t piece, char **msgs,
                              const intel_file_info_t **fi)
{
    intel_set_t *s = intel_new();
    size_t len;
    FILE *diag = open_memstream(msgs, &len);
    intel_loader_t *l = intel_loader_begin(s, name, diag);
    size_t n = strlen(text);
    for (size_t off = 0; off < n; off += piece)
        intel_loader_feed(l, text + off, n - off < piece ? n - off : piece);
    *fi = intel_loader_end(l);
    fclose(diag);
    return s;
}

static const char zeek_file[] =
    "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\t"
    "meta.severity\n"
    "203.0.113.66\tIntel::ADDR\tlab-ir\tC2 server\t-\tT\thigh\n"
    "c2.bad-domain.test\tIntel::DOMAIN\tlab-ir\tC2 domain\thttps://ir.test/1\tT\t-\n"
    "# a comment\n"
    "\n"
    "c2.bad-domain.test/beacon\tIntel::URL\t-\tbeacon\\x09URL\t-\tF\tmedium\n"
    "203.0.113.66\tIntel::ADDR\tlab-ir\tC2 server (again)\t-\tT\thigh\n"
    "203.0.113.67\tIntel::ADDRESS\tlab-ir\t-\t-\tT\t-\n"
    "203.0.113.68 Intel::ADDR lab-ir\n"
    "203.0.113.69\tIntel::ADDR\tlab-ir\t-\t-\tT\turgent\n"
    "-\tIntel::ADDR\tlab-ir\t-\t-\tT\t-\n"
    "d7fe359891ad20be786440c30fee030f99ee9d40056\tIntel::FILE_HASH\tlab-ir\t-\t-\tT\t-\r\n"
    "89c05fef6475ce39806a0366117726e3405a54023caef6e34f7ecfdedacce8fc\tIntel::CERT_HASH\t"
    "lab-ir\tleaf\t(empty)\tT\tlow";

static void zeek_intel_file_is_read_with_bad_lines_named_and_skipped(void)
{
    char *msgs;
    const intel_file_info_t *fi;
    intel_set_t *s = load_text("/cases/iocs/lab.intel", zeek_file, sizeof zeek_file, &msgs, &fi);
    CU_ASSERT_STRING_EQUAL(fi->format, "zeek");
    CU_ASSERT_EQUAL(fi->lines, 13);
    CU_ASSERT_EQUAL(fi->indicators, 5);
    CU_ASSERT_EQUAL(fi->already_known, 1);
    CU_ASSERT_EQUAL(fi->bad_lines, 5);
    CU_ASSERT_EQUAL(intel_count(s), 4);
    CU_ASSERT_STRING_EQUAL(
        msgs, "pcapcase: /cases/iocs/lab.intel:1: columns not used by pcapcase: meta.do_notice\n"
              "pcapcase: /cases/iocs/lab.intel:8: indicator_type 'Intel::ADDRESS' is not one of "
              "Intel::ADDR, SUBNET, DOMAIN, URL, FILE_HASH, CERT_HASH, EMAIL, USER_NAME, "
              "FILE_NAME, SOFTWARE, JA3, JA3S, JA4, JA4S; line skipped\n"
              "pcapcase: /cases/iocs/lab.intel:9: 1 field where #fields names 7 (columns must be "
              "separated by the #separator, a tab by default, not spaces); line skipped\n"
              "pcapcase: /cases/iocs/lab.intel:10: meta.severity 'urgent' is not high, medium, "
              "low, info (or critical, 3 to 0); line skipped\n"
              "pcapcase: /cases/iocs/lab.intel:11: no indicator; line skipped\n"
              "pcapcase: /cases/iocs/lab.intel:12: "
              "'d7fe359891ad20be786440c30fee030f99ee9d40056' as Intel::FILE_HASH: not an MD5, "
              "SHA-1 or SHA-256 (32, 40 or 64 hex digits); line skipped\n");
    intel_id_t hits[INTEL_MAX_HITS];
    intel_meta_t m;
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_ADDR, "203.0.113.66", 12, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.desc, "C2 server (again)");
    CU_ASSERT_EQUAL(intel_indicator_severity(s, hits[0]), 3);
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_URL, "c2.bad-domain.test/beacon", 25, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.source, "lab.intel"); /* unset: the file's name */
    CU_ASSERT_STRING_EQUAL(m.desc, "beacon\tURL");
    CU_ASSERT_EQUAL(m.severity, 2);
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_DOMAIN, "c2.bad-domain.test", 18, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.url, "https://ir.test/1");
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_CERT_HASH,
                                      "89c05fef6475ce39806a0366117726e3405a54023caef6e34f7ecfdedac"
                                      "ce8fc",
                                      64, hits),
                          1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_PTR_NULL(m.url); /* (empty) */
    CU_ASSERT_EQUAL(m.severity, 1);
    /* the same file a byte at a time reads the same */
    char *msgs1;
    const intel_file_info_t *fi1;
    intel_set_t *s1 = load_text("/cases/iocs/lab.intel", zeek_file, 1, &msgs1, &fi1);
    CU_ASSERT_STRING_EQUAL(msgs1, msgs);
    CU_ASSERT_EQUAL(intel_count(s1), 4);
    CU_ASSERT_STRING_EQUAL(fi1->sha256, fi->sha256);
    free(msgs);
    free(msgs1);
    intel_free(s);
    intel_free(s1);
}

static void zeek_separator_and_markers_come_from_the_header(void)
{
    const char text[] = "#separator \\x2c\n"
                        "#set_separator,|\n"
                        "#empty_field,EMPTY\n"
                        "#unset_field,NONE\n"
                        "#fields,indicator,indicator_type,meta.source,meta.desc\n"
                        "alice@example-shop.test,Intel::EMAIL,NONE,EMPTY\n"
                        "curl/7.88.1,Intel::SOFTWARE,ua-feed,curl\\x2c old\n";
    char *msgs;
    const intel_file_info_t *fi;
    intel_set_t *s = load_text("sep.intel", text, 7, &msgs, &fi);
    CU_ASSERT_STRING_EQUAL(msgs, "");
    CU_ASSERT_EQUAL(fi->indicators, 2);
    intel_id_t hits[INTEL_MAX_HITS];
    intel_meta_t m;
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_EMAIL, "Alice@example-shop.test", 23, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.source, "sep.intel");
    CU_ASSERT_PTR_NULL(m.desc);
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_SOFTWARE, "curl/7.88.1", 11, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.desc, "curl, old");
    free(msgs);
    intel_free(s);
    /* without the indicator_type column nothing can be read, and every
     * line says so */
    s = load_text("nocol.intel", "#fields\tindicator\tmeta.source\n203.0.113.66\tx\n", 64, &msgs,
                  &fi);
    CU_ASSERT_EQUAL(fi->bad_lines, 1);
    CU_ASSERT_EQUAL(intel_count(s), 0);
    CU_ASSERT_STRING_EQUAL(msgs, "pcapcase: nocol.intel:1: #fields has no indicator and "
                                 "indicator_type columns (separated by the #separator, a tab by "
                                 "default): the file's lines cannot be read\n"
                                 "pcapcase: nocol.intel:2: no usable #fields line before this "
                                 "line; line skipped\n");
    free(msgs);
    intel_free(s);
}

static void plain_list_reads_one_indicator_per_line_with_descriptions(void)
{
    const char text[] = "\xef\xbb\xbf# IOCs of the lab incident\r\n"
                        "203.0.113[.]66   C2 server\r\n"
                        "  hxxp://c2[.]bad-domain[.]test/beacon\r\n"
                        "*.bad-domain.test # the whole domain\r\n"
                        "d7fe359891ad20be786440c30fee030f99ee9d400565517a807a89224dec589e\r\n"
                        "ja3:871a754af286dfb70c1b53c6887c62e0\r\n"
                        "not an indicator\r\n"
                        "\r\n"
                        "t12d2807h2_d943125447b4_a44c6288192a";
    char *msgs;
    const intel_file_info_t *fi;
    intel_set_t *s = load_text("/tmp/lab-iocs.txt", text, 3, &msgs, &fi);
    CU_ASSERT_STRING_EQUAL(fi->format, "list");
    CU_ASSERT_EQUAL(fi->lines, 9);
    CU_ASSERT_EQUAL(fi->indicators, 6);
    CU_ASSERT_EQUAL(fi->bad_lines, 1);
    CU_ASSERT_STRING_EQUAL(msgs, "pcapcase: /tmp/lab-iocs.txt:7: 'not': not an address, subnet, "
                                 "domain, URL, hash, e-mail address, JA3 or JA4 (other types "
                                 "need a Zeek intel file); line skipped\n");
    intel_id_t hits[INTEL_MAX_HITS];
    intel_meta_t m;
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_ADDR, "203.0.113.66", 12, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.source, "lab-iocs.txt");
    CU_ASSERT_STRING_EQUAL(m.desc, "C2 server");
    CU_ASSERT_EQUAL_FATAL(intel_match(s, INTEL_DOMAIN, "update.bad-domain.test", 22, hits), 1);
    CU_ASSERT_TRUE(intel_indicator_meta(s, hits[0], 0, &m));
    CU_ASSERT_STRING_EQUAL(m.desc, "the whole domain");
    CU_ASSERT_EQUAL(intel_match(s, INTEL_URL, "c2.bad-domain.test/beacon", 25, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_FILE_HASH,
                                "d7fe359891ad20be786440c30fee030f99ee9d400565517a807a89224dec589e",
                                64, hits),
                    1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_JA3, "871a754af286dfb70c1b53c6887c62e0", 32, hits), 1);
    CU_ASSERT_EQUAL(intel_match(s, INTEL_JA4, "t12d2807h2_d943125447b4_a44c6288192a", 36, hits), 1);
    /* sha256sum of the text */
    CU_ASSERT_STRING_EQUAL(fi->sha256,
                           "9f620bca4197e815c86d8d830ab717eb6c76f2954ff08a285d0ea458a14c382f");
    free(msgs);
    intel_free(s);
}

static void overlong_lines_and_many_bad_lines_are_bounded(void)
{
    buf_t text = BUF_INIT;
    buf_append_str(&text, "203.0.113.66\n");
    for (int i = 0; i < 70000; i++)
        buf_append_byte(&text, 'a');
    buf_append_str(&text, "\n203.0.113.67\n");
    for (int i = 0; i < 25; i++)
        buf_printf(&text, "bad-%d\n", i);
    char *msgs;
    const intel_file_info_t *fi;
    intel_set_t *s = load_text("big.txt", buf_cstr(&text), 4096, &msgs, &fi);
    CU_ASSERT_EQUAL(fi->lines, 28);
    CU_ASSERT_EQUAL(fi->indicators, 2);
    CU_ASSERT_EQUAL(fi->bad_lines, 26);
    CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "pcapcase: big.txt:2: longer than 65536 bytes; line "
                                        "skipped\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "pcapcase: big.txt:22: 'bad-18'"));
    CU_ASSERT_PTR_NULL(strstr(msgs, "'bad-19'"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(msgs, "pcapcase: big.txt: 6 more messages not shown (26 bad lines in all)\n"));
    free(msgs);
    intel_free(s);
    buf_free(&text);
}

static void missing_file_is_an_error_and_a_file_is_hashed(void)
{
    intel_set_t *s = intel_new();
    char err[256];
    CU_ASSERT_EQUAL(intel_load_file(s, "/nonexistent/iocs.txt", NULL, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/iocs.txt: No such file or directory");
    char path[] = "/tmp/pcapcase-intel-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "x", 1), 1);
    close(fd);
    CU_ASSERT_EQUAL(intel_load_file(s, path, NULL, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(intel_nfiles(s), 2); /* the missing one is listed with why */
    CU_ASSERT_STRING_EQUAL(intel_file(s, 0)->path, "/nonexistent/iocs.txt");
    CU_ASSERT_STRING_EQUAL(intel_file(s, 0)->error, "No such file or directory");
    CU_ASSERT_STRING_EQUAL(intel_file(s, 0)->sha256, "");
    CU_ASSERT_STRING_EQUAL(intel_file(s, 1)->path, path);
    CU_ASSERT_PTR_NULL(intel_file(s, 1)->error);
    CU_ASSERT_STRING_EQUAL(intel_file(s, 1)->sha256,
                           "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    CU_ASSERT_EQUAL(intel_file(s, 1)->bad_lines, 1);
    unlink(path);
    intel_free(s);
}

static const cu_test_t tests[] = {
    {"addresses_and_subnets_normalise_refanged_and_mapped",
     addresses_and_subnets_normalise_refanged_and_mapped},
    {"domains_fold_case_and_mark_subdomain_indicators",
     domains_fold_case_and_mark_subdomain_indicators},
    {"urls_lose_scheme_default_port_fragment_and_user_info",
     urls_lose_scheme_default_port_fragment_and_user_info},
    {"hashes_and_fingerprints_are_lower_case_hex_of_known_lengths",
     hashes_and_fingerprints_are_lower_case_hex_of_known_lengths},
    {"plain_list_tokens_get_their_type_inferred", plain_list_tokens_get_their_type_inferred},
    {"address_matches_itself_and_every_subnet_around_it_longest_first",
     address_matches_itself_and_every_subnet_around_it_longest_first},
    {"domain_matches_exactly_or_under_a_subdomain_indicator",
     domain_matches_exactly_or_under_a_subdomain_indicator},
    {"urls_hashes_and_fingerprints_match_in_their_normal_form",
     urls_hashes_and_fingerprints_match_in_their_normal_form},
    {"feeds_of_one_indicator_are_merged_by_source", feeds_of_one_indicator_are_merged_by_source},
    {"zeek_intel_file_is_read_with_bad_lines_named_and_skipped",
     zeek_intel_file_is_read_with_bad_lines_named_and_skipped},
    {"zeek_separator_and_markers_come_from_the_header",
     zeek_separator_and_markers_come_from_the_header},
    {"plain_list_reads_one_indicator_per_line_with_descriptions",
     plain_list_reads_one_indicator_per_line_with_descriptions},
    {"overlong_lines_and_many_bad_lines_are_bounded",
     overlong_lines_and_many_bad_lines_are_bounded},
    {"missing_file_is_an_error_and_a_file_is_hashed",
     missing_file_is_an_error_and_a_file_is_hashed},
    {NULL, NULL}};

CU_MAIN("intel", tests)
