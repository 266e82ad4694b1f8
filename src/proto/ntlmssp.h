/*
 * ntlmssp.h — NTLM authentication messages ([MS-NLMP]) as carried by SMB
 * session setup, HTTP "Authorization: NTLM" and other SPNEGO users.
 *
 * The CHALLENGE gives the server challenge, the AUTHENTICATE gives user,
 * domain, workstation and the client's responses; together they make a
 * NetNTLMv1 or NetNTLMv2 line in hashcat's format (modes 5500 and 5600) so
 * an examiner can test how strong the password was.  Every field is read
 * through the bounds-checked cursor; a field whose offset/length points
 * outside the message is left empty and the message flagged.
 */
#ifndef PCAPCASE_NTLMSSP_H
#define PCAPCASE_NTLMSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTLMSSP_NEGOTIATE 1
#define NTLMSSP_CHALLENGE 2
#define NTLMSSP_AUTHENTICATE 3
/* NTLMSSP_NEGOTIATE_UNICODE: strings are UTF-16LE, else OEM (taken as Latin-1). */
#define NTLMSSP_FLAG_UNICODE 0x00000001u
/* Longest NT response believed: a v2 response is 16 bytes plus a blob of
 * AV pairs (names, timestamps), a few hundred bytes in practice. */
#define NTLMSSP_MAX_RESPONSE 4096
/* Longest user, domain or host name kept (UTF-8 bytes). */
#define NTLMSSP_MAX_NAME 512

typedef struct ntlm_challenge {
    uint8_t server_challenge[8];
    uint32_t flags;
    char *target; /* target (domain) name, or NULL */
} ntlm_challenge_t;

typedef struct ntlm_auth {
    char *user, *domain, *host; /* UTF-8, never NULL after a successful parse */
    uint8_t *lm, *nt;           /* responses (owned), lengths below */
    size_t lm_len, nt_len;
    uint32_t flags;
    bool damaged; /* a field pointed outside the message */
} ntlm_auth_t;

/* Offset of the "NTLMSSP\0" signature in a security blob (raw or inside
 * SPNEGO/GSS-API), or -1. */
long ntlmssp_find(const uint8_t *p, size_t n);
/* The message type at p (1, 2, 3), or 0 when p is not NTLMSSP. */
unsigned ntlmssp_type(const uint8_t *p, size_t n);
bool ntlmssp_parse_challenge(const uint8_t *p, size_t n, ntlm_challenge_t *out);
bool ntlmssp_parse_auth(const uint8_t *p, size_t n, ntlm_auth_t *out);
void ntlm_challenge_free(ntlm_challenge_t *c);
void ntlm_auth_free(ntlm_auth_t *a);

/* The NTLMSSP message in an HTTP Authorization / WWW-Authenticate /
 * Proxy-Authorization value ("NTLM <base64>" or "Negotiate <base64>",
 * case-insensitive): decoded into out (at most cap bytes), returning its
 * length, or -1 when the value carries no NTLMSSP message. */
long ntlmssp_http_token(const char *value, uint8_t *out, size_t cap);

/* The hashcat line for an AUTHENTICATE answering server_challenge:
 *   v2 (NT response > 24 bytes): user::domain:challenge:ntproofstr:blob
 *   v1 (24-byte responses):      user::domain:lm:nt:challenge
 * *mechanism is set to "NetNTLMv2" or "NetNTLMv1".  NULL for anonymous
 * logins (no user, or empty responses) and malformed responses.  Caller
 * frees. */
char *ntlm_hashcat(const ntlm_auth_t *a, const uint8_t server_challenge[8], const char **mechanism);

#endif
