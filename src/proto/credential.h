/*
 * credential.h — a login seen in a protocol exchange, as the protocol
 * parsers report it (FTP, SMTP, POP3, IMAP, NTLM over SMB or HTTP).
 *
 * The parsers are pure: they fill this struct and hand it to a callback;
 * who keeps it, and whether the secret is ever shown, is the caller's
 * business (the report hides secrets unless asked).  All strings are owned
 * by the parser and valid only during the callback.
 */
#ifndef PCAPCASE_CREDENTIAL_H
#define PCAPCASE_CREDENTIAL_H

#include <stdbool.h>
#include <stdint.h>

typedef enum cred_outcome {
    CRED_UNKNOWN,  /* no answer seen (capture ended, one side only) */
    CRED_ACCEPTED, /* the server said yes */
    CRED_REJECTED, /* the server said no */
} cred_outcome_t;

typedef struct proto_cred {
    const char *mechanism; /* static: "USER/PASS", "AUTH PLAIN", "AUTH LOGIN", "APOP",
                              "LOGIN", "AUTHENTICATE PLAIN", "NetNTLMv1", "NetNTLMv2" */
    const char *user;      /* as sent; never NULL ("" when none) */
    const char *domain;    /* NTLM domain, or NULL */
    const char *host;      /* NTLM workstation, or NULL */
    const char *secret;    /* the password as sent, or the hashcat line for challenge/response */
    bool secret_is_hash;   /* secret is a hashcat line (NetNTLM 5500/5600) or an APOP digest */
    cred_outcome_t outcome;
    uint64_t frame; /* the frame that carried the login when it is reported later (at its
                       answer: SMB); 0: the frame being read */
} proto_cred_t;

/* A login whole when it was sent, held (owned copies) until the server
 * answers the command that carried it: a client may pipeline several
 * (POP3, IMAP), and each must be reported with its own answer. */
typedef struct cred_held {
    const char *mechanism; /* static, as in proto_cred_t; NULL: nothing held */
    char *user, *secret;
    char *domain, *host; /* NTLM's, or NULL */
    bool secret_is_hash;
    uint64_t frame; /* as in proto_cred_t (0 unless the holder sets it) */
} cred_held_t;

/* Hold copies of user and secret (NULL reads as ""). */
void cred_hold(cred_held_t *h, const char *mechanism, const char *user, const char *secret,
               bool secret_is_hash);
/* The same with NTLM's domain and workstation (either may be NULL). */
void cred_hold_ntlm(cred_held_t *h, const char *mechanism, const char *user, const char *domain,
                    const char *host, const char *secret);
/* Report what is held (if anything) to report(ctx, ...) with outcome, and let it go. */
void cred_release(cred_held_t *h, void (*report)(void *ctx, const proto_cred_t *c), void *ctx,
                  cred_outcome_t outcome);

#endif
