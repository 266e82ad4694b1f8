/*
 * x509.h — the fields of an X.509 certificate an investigator reads,
 * parsed by OpenSSL from DER (never by hand), formatted as Zeek's x509.log.
 */
#ifndef PCAPCASE_X509_H
#define PCAPCASE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest certificate parsed; real ones are 1–4 KiB. */
#define X509_MAX_DER (64u << 10)
/* SAN entries kept per kind. */
#define X509_MAX_SANS 64

typedef struct x509_info {
    char sha256[65], sha1[41];
    long version;                  /* 1-based, as Zeek prints it */
    char *serial;                  /* uppercase hex */
    char *subject, *issuer;        /* RFC 2253 text, as Zeek */
    char *cn;                      /* subject CN, or NULL */
    int64_t not_before, not_after; /* epoch seconds */
    char *key_alg, *sig_alg, *key_type, *curve;
    int key_length;
    char *san_dns[X509_MAX_SANS];
    size_t nsan_dns;
    char *san_ip[X509_MAX_SANS];
    size_t nsan_ip;
    int ca;           /* basic_constraints.ca: 1, 0, or -1 when absent */
    long path_len;    /* -1 when absent */
    bool self_signed; /* issuer == subject and the signature verifies with its key */
} x509_info_t;

/* Parse der.  False with *err set (static string) when it is not a
 * certificate; out is then empty.  Always call x509_info_free(). */
bool x509_parse(const uint8_t *der, size_t len, x509_info_t *out, const char **err);
void x509_info_free(x509_info_t *x);
/* Does the certificate cover host name (CN or SAN, with one-label wildcards)? */
bool x509_matches_name(const x509_info_t *x, const char *name);

#endif
