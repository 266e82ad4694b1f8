/*
 * tls.h — the clear-text part of a TLS handshake, from both byte streams.
 *
 * Records are detected by their header (content type 20–23, version
 * 0x0300–0x0304, length ≤ 2^14+2048), not by port.  Handshake messages may be
 * split across records and records across segments; messages are collected
 * per direction (capped) until ChangeCipherSpec, after which the handshake is
 * encrypted.  From the ClientHello: SNI, ALPN, versions, ciphers, extensions,
 * groups, signature algorithms — and JA3 / JA4; from the ServerHello: the
 * chosen version and cipher, ALPN, JA3S; from Certificate (TLS ≤ 1.2): the DER
 * chain.  In TLS 1.3 certificates are encrypted; tls13 says so — unless the
 * caller decrypts the records (tls_decrypt.h) and hands the handshake
 * plaintext back (tls_handshake_plain): then EncryptedExtensions gives the
 * ALPN and the Certificate message the chain, as in TLS <= 1.2.
 *
 * An SSLv2-compatible ClientHello (RFC 5246 E.2: 2-byte SSLv2 record header,
 * 3-byte cipher specs, the challenge as client random) is accepted as the
 * first message of the client direction, as old clients and some malware
 * still send it before a TLS ServerHello.
 *
 * Every complete record, clear or encrypted, can be handed to the caller
 * (tls_on_record) after it was parsed here, so a decryptor sees records in
 * order and after the ServerHello that selects its keys.
 */
#ifndef PCAPCASE_TLS_H
#define PCAPCASE_TLS_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Handshake bytes buffered per direction: a long certificate chain is ~16 KiB;
 * 256 KiB covers any real chain and bounds a hostile one. */
#define TLS_MAX_HANDSHAKE (256u << 10)
/* Certificates kept from one chain (real chains have 2–4). */
#define TLS_MAX_CHAIN 10
/* Ciphers/extensions/groups remembered from a hello. */
#define TLS_MAX_LIST 128

typedef struct tls_der {
    uint8_t *der;
    size_t len;
} tls_der_t;

typedef struct tls_info {
    bool client_hello, server_hello;
    uint8_t client_random[32], server_random[32];
    bool sslv2_hello;      /* the ClientHello was in SSLv2-compatible format */
    bool encrypt_then_mac; /* RFC 7366 accepted in the ServerHello */
    bool hello_retry;      /* the first ServerHello was a TLS 1.3 HelloRetryRequest */
    bool decrypted_hs;     /* handshake plaintext was handed back (tls_handshake_plain) */
    bool alpn_from_ee;     /* alpn_chosen came from the (decrypted) EncryptedExtensions */
    uint16_t client_version, server_version; /* negotiated, from supported_versions when given */
    uint16_t cipher;
    char *sni, *alpn_offered, *alpn_chosen; /* owned */
    char ja3[33], ja3s[33], ja4[64];
    char *ja3_string;               /* owned, the text hashed */
    tls_der_t chain[TLS_MAX_CHAIN]; /* the server's certificates */
    size_t nchain;
    tls_der_t client_chain[TLS_MAX_CHAIN]; /* a client certificate, when asked for */
    size_t nclient_chain;
    bool tls13;  /* 1.3 negotiated: certificates are encrypted */
    bool ccs[2]; /* ChangeCipherSpec / encrypted data seen, per direction */
    bool established;
    const char *damaged; /* reason when a message was malformed */
} tls_info_t;

typedef struct tls_stream tls_stream_t;

/* Receives one complete record of a direction: 5-byte header + fragment (or,
 * for an SSLv2-compatible ClientHello, its 2-byte header + body). */
typedef void (*tls_record_fn)(void *ctx, bool is_client, const uint8_t *rec, size_t n);

tls_stream_t *tls_new(void);
/* Hand every complete record to fn(ctx, ...), after it was parsed here. */
void tls_on_record(tls_stream_t *t, tls_record_fn fn, void *ctx);
/* Decrypted handshake bytes of a direction (TLS 1.3: EncryptedExtensions,
 * Certificate, ...; content type 22 plaintext from tls_decrypt.h), in order.
 * Parsed like the clear-text handshake, capped by TLS_MAX_HANDSHAKE. */
void tls_handshake_plain(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n);
/* Feed reassembled bytes of one direction (is_client: the ClientHello side). */
void tls_data(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n);
/* Skip len missing bytes: the record layer is lost in that direction. */
void tls_gap(tls_stream_t *t, bool is_client);
const tls_info_t *tls_info(const tls_stream_t *t);
void tls_free(tls_stream_t *t);

/* Does this look like a TLS record (handshake) header, or an
 * SSLv2-compatible ClientHello offering TLS? */
bool tls_detect(const uint8_t *p, size_t n);
/* "TLSv12", "TLSv13", "SSLv3", "TLSv13-draft23", "unknown-NNN" into out. */
const char *tls_version_name(uint16_t v, char out[24]);
/* IANA cipher suite name, or NULL when not in our table. */
const char *tls_cipher_name(uint16_t c);

#endif
