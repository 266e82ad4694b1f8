/*
 * keylog.h — TLS session keys from an NSS key log (SSLKEYLOGFILE).
 *
 * Browsers, curl, OpenSSL's s_client and many EDR/proxy tools write the keys
 * of every TLS session they make in the NSS key-log format: one
 * "LABEL <client random hex> <secret hex>" per line, '#' comments and blank
 * lines allowed.  Decryption needs:
 *
 *   CLIENT_RANDOM                    TLS <= 1.2: the 48-byte master secret
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET  TLS 1.3 handshake keys (encrypted
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET    EncryptedExtensions, Certificate, ...)
 *   CLIENT_TRAFFIC_SECRET_0          TLS 1.3 application data (KeyUpdate
 *   SERVER_TRAFFIC_SECRET_0            derives the next ones from these)
 *   CLIENT_EARLY_TRAFFIC_SECRET      TLS 1.3 0-RTT data
 *
 * EARLY_EXPORTER_SECRET and EXPORTER_SECRET (they protect nothing on the
 * wire) and RSA (OpenSSL's pre-master line beside CLIENT_RANDOM) are accepted
 * and ignored, as are CLIENT/SERVER_TRAFFIC_SECRET_<n> for n > 0 (OpenSSL
 * 3.0 writes a literal "_N"): KeyUpdate secrets are derived from secret 0.  Anything else — an
 * unknown label, bad hex, a client random that is not 32 bytes, a secret of the wrong size, a
 * second, different secret for the same label and session — is a bad line: counted and reported as
 * "FILE:LINE: reason" (the first KEYLOG_MAX_REPORTED of them), never silently dropped.  The same
 * line twice is not an error (tools append to one file; logs are concatenated).
 *
 * Pure: the caller reads the file and hands the bytes over, with the name to
 * use in messages.  Keys are looked up by client random, which is what the
 * ClientHello of every session carries in clear text.
 */
#ifndef PCAPCASE_KEYLOG_H
#define PCAPCASE_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sessions kept.  A browser writes a few thousand per day; 1 M sessions is
 * ~330 MB of entries, more than any real key log and a bound on a hostile
 * one.  Lines past it are counted (keylog_stats.over_limit). */
#define KEYLOG_MAX_SESSIONS (1u << 20)
/* Longest line accepted: a label (<= 31 chars), 64 hex digits of client
 * random and 96 of a SHA-384 secret fit in 200; 1 KiB leaves room for
 * whitespace and stray text while bounding what one bad line may hold. */
#define KEYLOG_MAX_LINE 1024
/* Bad lines reported by file and line number; the rest are only counted. */
#define KEYLOG_MAX_REPORTED 20
/* Largest secret: SHA-384's 48 bytes (TLS 1.2 master secrets are 48 too). */
#define KEYLOG_MAX_SECRET 48

typedef enum keylog_label {
    KEYLOG_MASTER_SECRET, /* CLIENT_RANDOM */
    KEYLOG_CLIENT_EARLY,
    KEYLOG_CLIENT_HANDSHAKE,
    KEYLOG_SERVER_HANDSHAKE,
    KEYLOG_CLIENT_TRAFFIC_0,
    KEYLOG_SERVER_TRAFFIC_0,
    KEYLOG_NLABELS
} keylog_label_t;

typedef struct keylog_secret {
    uint8_t len; /* 0: not in the key log */
    uint8_t v[KEYLOG_MAX_SECRET];
} keylog_secret_t;

/* The keys of one session. */
typedef struct keylog_entry {
    uint8_t client_random[32];
    keylog_secret_t secret[KEYLOG_NLABELS];
} keylog_entry_t;

typedef struct keylog_stats {
    uint64_t lines;      /* lines read, comments and blank ones included */
    uint64_t secrets;    /* secret lines stored (duplicates of a stored one excluded) */
    uint64_t sessions;   /* distinct client randoms */
    uint64_t ignored;    /* lines with a label we do not need (exporter secrets) */
    uint64_t bad;        /* bad lines (reported or counted) */
    uint64_t over_limit; /* lines dropped past KEYLOG_MAX_SESSIONS */
} keylog_stats_t;

typedef struct keylog keylog_t;

/* An empty key log; never NULL.  Free with keylog_free(). */
keylog_t *keylog_new(void);
/* Parse len bytes of key-log text (a whole file) into k; name is used in the
 * bad-line messages ("NAME:LINE: reason").  Several files may be added to
 * one key log.  Returns the number of bad lines in this text. */
uint64_t keylog_add(keylog_t *k, const char *name, const uint8_t *text, size_t len);
/* The same for a piece of a file that starts at line first_line (a file read
 * in chunks cut at line ends). */
uint64_t keylog_add_at(keylog_t *k, const char *name, uint64_t first_line, const uint8_t *text,
                       size_t len);
/* The keys for the session whose ClientHello carried client_random, or NULL.
 * The entry belongs to k and stays valid until the next keylog_add() or
 * keylog_free(). */
const keylog_entry_t *keylog_find(const keylog_t *k, const uint8_t client_random[32]);
const keylog_stats_t *keylog_stats(const keylog_t *k);
/* The i-th reported bad line ("NAME:LINE: reason"), i < keylog_reported(k). */
size_t keylog_reported(const keylog_t *k);
const char *keylog_report(const keylog_t *k, size_t i);
/* NULL-safe. */
void keylog_free(keylog_t *k);

/* "CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", ... */
const char *keylog_label_name(keylog_label_t l);

#endif
