/*
 * krb5.h — the pre-authentication of a Kerberos AS-REQ (RFC 4120 5.4.1,
 * PA-ENC-TIMESTAMP): who asked for a ticket, in which realm, and the
 * timestamp encrypted with a key derived from their password — which an
 * examiner can test offline like a NetNTLM response (hashcat modes 7500 for
 * RC4-HMAC, 19800 and 19900 for AES128/AES256).
 *
 * Input is one Kerberos message: a UDP datagram, or a TCP record with its
 * 4-byte length in front (both are accepted).  DER is read through the
 * bounds-checked cursor; only the fields needed are decoded.
 */
#ifndef PCAPCASE_KRB5_H
#define PCAPCASE_KRB5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest encrypted timestamp believed: 36 bytes plus a 16-byte checksum
 * (RC4) or 12-byte HMAC (AES), with room for a confounder and padding. */
#define KRB5_MAX_CIPHER 256
/* A principal name or realm kept (UTF-8 bytes). */
#define KRB5_MAX_NAME 256
/* DER nesting followed: AS-REQ is six levels deep. */
#define KRB5_MAX_DEPTH 8

#define KRB5_ETYPE_AES128 17
#define KRB5_ETYPE_AES256 18
#define KRB5_ETYPE_RC4_HMAC 23

typedef struct krb5_preauth {
    char *cname; /* client principal, components joined by '/' (owned) */
    char *realm; /* (owned) */
    int32_t etype;
    uint8_t cipher[KRB5_MAX_CIPHER];
    size_t cipher_len;
} krb5_preauth_t;

/* An AS-REQ carrying PA-ENC-TIMESTAMP: true and *out filled (free with
 * krb5_preauth_free).  false for anything else (other messages, AS-REQs
 * without pre-authentication, malformed DER). */
bool krb5_parse_as_req(const uint8_t *p, size_t n, krb5_preauth_t *out);
void krb5_preauth_free(krb5_preauth_t *a);

/* What a KDC answered an AS-REQ (one UDP datagram or TCP record, as for
 * krb5_parse_as_req; for an AS-REP only its first bytes are needed). */
typedef enum krb5_answer {
    KRB5_ANSWER_OTHER,  /* not an AS-REP or KRB-ERROR, or malformed */
    KRB5_ANSWER_AS_REP, /* a ticket: the pre-authentication was accepted */
    KRB5_ANSWER_ERROR,  /* KRB-ERROR; *error_code set */
} krb5_answer_t;

/* The KDC's "wrong password" (the encrypted timestamp did not decrypt):
 * KDC_ERR_PREAUTH_FAILED, and KRB_AP_ERR_BAD_INTEGRITY, which MIT's KDC
 * sends instead (krb/kinit.pcap). */
#define KRB5_ERR_PREAUTH_FAILED 24
#define KRB5_ERR_BAD_INTEGRITY 31

krb5_answer_t krb5_parse_answer(const uint8_t *p, size_t n, int32_t *error_code);

/* The hashcat line: "$krb5pa$23$user$realm$salt$" + encrypted timestamp +
 * checksum (mode 7500), or "$krb5pa$18$user$realm$" + cipher (19900; 17:
 * 19800).  NULL for other encryption types.  Caller frees. */
char *krb5_hashcat(const krb5_preauth_t *a);

#endif
