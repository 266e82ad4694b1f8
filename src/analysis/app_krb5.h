/*
 * app_krb5.h — Kerberos (RFC 4120) on port 88, over UDP and TCP, read for
 * one thing: the pre-authentication of AS-REQs (proto/krb5.c).  Each one is
 * a credential (credentials.ndjson, proto "kerberos"): the client principal,
 * its realm as the domain, and the encrypted timestamp as a hashcat line
 * (modes 7500, 19800, 19900) an examiner can test offline; the KDC's answer
 * on the same connection gives the outcome (an AS-REP: accepted;
 * KRB-ERROR PREAUTH_FAILED or BAD_INTEGRITY: rejected; anything else or
 * nothing: unknown).
 *
 * Over TCP each message is a record with a 4-byte length in front (RFC 4120
 * 7.2.2); records are gathered up to KRB5_MAX_TCP_RECORD.  The connection's
 * service is not claimed: there is no krb.log yet, and conn.ndjson stays as
 * it was.
 */
#ifndef PCAPCASE_APP_KRB5_H
#define PCAPCASE_APP_KRB5_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_krb5_ops;

/* A datagram or stream to or from one of self's ports (the KDC's). */
bool app_krb5_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);

#endif
