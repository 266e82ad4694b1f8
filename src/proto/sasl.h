/*
 * sasl.h — the client side of a SASL exchange in the mail protocols
 * (SMTP AUTH, POP3 AUTH, IMAP AUTHENTICATE): which mechanism, and the user
 * name and password when the mechanism sends them in clear (PLAIN, LOGIN),
 * or the user and the response when it does not (CRAM-MD5; NTLM, whose
 * challenge/response becomes a hashcat line as over SMB and HTTP: the
 * server's challenge comes in its continuation, sasl_server_line; XOAUTH2
 * and OAUTHBEARER, RFC 7628, whose bearer token is sent in clear).
 *
 * The protocol parser starts an exchange with the mechanism and the
 * optional initial response, then hands each client line until the server's
 * final reply; base64 is decoded here (transfer_decode.h).
 */
#ifndef PCAPCASE_SASL_H
#define PCAPCASE_SASL_H

#include "core/cursor.h"
#include "credential.h"

#include <stdbool.h>
#include <stdint.h>

/* A decoded SASL message kept (user names and passwords are short;
 * Kerberos/GSSAPI blobs are larger and not decoded here). */
#define SASL_MAX_MESSAGE 1024
/* NTLM's messages are longer (an NTLMv2 response carries the target's
 * names): as much as ntlmssp.h reads of a response. */
#define SASL_MAX_NTLM 8192

typedef enum sasl_mech {
    SASL_NONE,
    SASL_PLAIN,
    SASL_LOGIN,
    SASL_CRAM_MD5,
    SASL_NTLM,
    SASL_XOAUTH2,
    SASL_OAUTHBEARER,
    SASL_OTHER, /* GSSAPI, SCRAM, DIGEST-MD5: lines are skipped */
} sasl_mech_t;

typedef struct sasl {
    sasl_mech_t mech;
    unsigned step; /* client messages taken so far */
    char *user;    /* owned */
    /* password (PLAIN, LOGIN), "user digest" response (CRAM-MD5), the
     * hashcat line (NTLM) or "Bearer TOKEN" (XOAUTH2, OAUTHBEARER) */
    char *secret;
    char *domain, *host;      /* NTLM's, owned (NULL otherwise) */
    const char *ntlm_version; /* static: "NetNTLMv1" or "NetNTLMv2" once read */
    uint8_t challenge[8];     /* NTLM: the server's, from its CHALLENGE message */
    bool has_challenge;
    bool complete;  /* the credentials are all there */
    bool cancelled; /* the client sent "*" */
} sasl_t;

/* Start: mech is the mechanism word, initial the optional initial response
 * (empty cursor when none; "=" means an empty one). */
void sasl_start(sasl_t *s, cursor_t mech, cursor_t initial);
/* A client line during the exchange. */
void sasl_client_line(sasl_t *s, cursor_t line);
/* The server's continuation during the exchange, its base64 text (what
 * follows SMTP's "334 " or POP3's and IMAP's "+ "). */
void sasl_server_line(sasl_t *s, cursor_t b64);
/* The mechanism's name for a credential record ("AUTH PLAIN", ...), with
 * prefix "AUTH " or "AUTHENTICATE " as given. */
const char *sasl_mech_label(const sasl_t *s, bool imap);
/* The login s read, held until the command's answer (credential.h): its
 * user and secret, CRAM-MD5's response being a hash. */
void sasl_hold(const sasl_t *s, bool imap, cred_held_t *h);
/* The same reported now to report(ctx, ...) with outcome; nothing when s
 * read no user or report is NULL. */
void sasl_report(const sasl_t *s, bool imap, void (*report)(void *ctx, const proto_cred_t *c),
                 void *ctx, cred_outcome_t outcome);
void sasl_free(sasl_t *s);

/* Decode an AUTH PLAIN message ("authzid NUL authcid NUL password", base64).
 * Caller frees *user and *pass. */
bool sasl_decode_plain(cursor_t b64, char **user, char **pass);

#endif
