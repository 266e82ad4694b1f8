/*
 * x509.h — the fields of an X.509 certificate an investigator reads,
 * parsed by OpenSSL from DER (never by hand), formatted as Zeek's x509.log.
 *
 * Certificates on the wire are not always well formed: a name may be empty,
 * a time or an extension unreadable, the whole DER something OpenSSL refuses.
 * What could be read is kept; what could not is a flaw bit (x509_flaws_text
 * says it in words for the log's "note"), never a NULL or a made-up value.
 */
#ifndef PCAPCASE_X509_H
#define PCAPCASE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest certificate parsed; real ones are 1–4 KiB. */
#define X509_MAX_DER (64u << 10)
/* SAN entries kept per kind (more is noted as a flaw). */
#define X509_MAX_SANS 64

/* What was absent or unreadable in a certificate (x509_info_t.flaws). */
enum x509_flaw {
    X509_FLAW_UNREADABLE = 1u << 0,        /* OpenSSL refused the DER: only the digests are set */
    X509_FLAW_TOO_LARGE = 1u << 1,         /* over X509_MAX_DER: only the digests are set */
    X509_FLAW_SERIAL = 1u << 2,            /* serial unreadable: serial is NULL */
    X509_FLAW_SERIAL_NEGATIVE = 1u << 3,   /* RFC 5280 wants a positive serial */
    X509_FLAW_SUBJECT_EMPTY = 1u << 4,     /* subject is "" */
    X509_FLAW_ISSUER_EMPTY = 1u << 5,      /* issuer is "" */
    X509_FLAW_NOT_BEFORE = 1u << 6,        /* not_before unreadable: not_before is 0 */
    X509_FLAW_NOT_AFTER = 1u << 7,         /* not_after unreadable: not_after is 0 */
    X509_FLAW_KEY = 1u << 8,               /* public key not decoded: no key_type/length */
    X509_FLAW_SAN = 1u << 9,               /* subjectAltName present but unreadable */
    X509_FLAW_SAN_IP = 1u << 10,           /* an iPAddress SAN neither 4 nor 16 bytes */
    X509_FLAW_SAN_LIMIT = 1u << 11,        /* more SANs than X509_MAX_SANS */
    X509_FLAW_BASIC_CONSTRAINTS = 1u << 12 /* basicConstraints present but unreadable */
};
/* Room for x509_flaws_text with every flaw set. */
#define X509_NOTE_MAX 512

typedef struct x509_info {
    char sha256[65], sha1[41];
    long version;                  /* 1-based, as Zeek prints it */
    char *serial;                  /* uppercase hex, or NULL (X509_FLAW_SERIAL) */
    char *subject, *issuer;        /* RFC 2253 text, as Zeek; "" when empty */
    char *cn;                      /* subject CN, or NULL */
    int64_t not_before, not_after; /* epoch seconds (see the flaws) */
    char *key_alg, *sig_alg;       /* OpenSSL's long name, or the dotted OID */
    char *key_type, *curve;        /* NULL when not decoded */
    int key_length;
    char *san_dns[X509_MAX_SANS];
    size_t nsan_dns;
    char *san_ip[X509_MAX_SANS];
    size_t nsan_ip;
    int ca;           /* basic_constraints.ca: 1, 0, or -1 when absent */
    long path_len;    /* -1 when absent */
    bool self_signed; /* issuer == subject and the signature verifies with its key */
    unsigned flaws;   /* enum x509_flaw bits; 0 for a well-formed certificate */
} x509_info_t;

/* Parse der.  The digests (sha256, sha1) are always set.  False with *err
 * set (a static damage reason) when OpenSSL cannot read it as a certificate:
 * flaws is then X509_FLAW_UNREADABLE or X509_FLAW_TOO_LARGE and no other
 * field is set.  True otherwise, with what could not be read in flaws.
 * Every char * field is owned by out or NULL; always call x509_info_free(). */
bool x509_parse(const uint8_t *der, size_t len, x509_info_t *out, const char **err);
void x509_info_free(x509_info_t *x);
/* A deep copy of src into dst (free it with x509_info_free). */
void x509_info_copy(x509_info_t *dst, const x509_info_t *src);

/* Servers send the same certificates to every client: a worker parses each
 * DER once and copies the result after that (parsing was a tenth of the
 * analysis on a web/TLS mix).  Keyed by the DER's SHA-256; at most
 * X509_CACHE_SLOTS / 2 certificates, then it starts again empty. */
#define X509_CACHE_SLOTS 4096
typedef struct x509_cache x509_cache_t;
x509_cache_t *x509_cache_new(void);
void x509_cache_free(x509_cache_t *c);
/* x509_parse, through the cache c (NULL: no cache).  Same results. */
bool x509_parse_cached(x509_cache_t *c, const uint8_t *der, size_t len, x509_info_t *out,
                       const char **err);
/* The flaws in words, "; "-separated ("issuer empty; not_valid_before
 * unreadable"), into out (size bytes, X509_NOTE_MAX is enough); "" for none.
 * Returns out. */
const char *x509_flaws_text(unsigned flaws, char *out, size_t size);
/* Was the certificate outside its validity period at epoch second now?
 * A bound that could not be read does not make it so. */
bool x509_expired_at(const x509_info_t *x, int64_t now);
/* Does the certificate cover host name (CN or SAN, with one-label wildcards)? */
bool x509_matches_name(const x509_info_t *x, const char *name);

#endif
