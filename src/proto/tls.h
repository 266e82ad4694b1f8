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
 * chain.  In TLS 1.3 certificates are encrypted; tls13 says so.
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

tls_stream_t *tls_new(void);
/* Feed reassembled bytes of one direction (is_client: the ClientHello side). */
void tls_data(tls_stream_t *t, bool is_client, const uint8_t *p, size_t n);
/* Skip len missing bytes: the record layer is lost in that direction. */
void tls_gap(tls_stream_t *t, bool is_client);
const tls_info_t *tls_info(const tls_stream_t *t);
void tls_free(tls_stream_t *t);

/* Does this look like a TLS record (handshake) header? */
bool tls_detect(const uint8_t *p, size_t n);
/* "TLSv12", "TLSv13", "SSLv3", "TLSv13-draft23", "unknown-NNN" into out. */
const char *tls_version_name(uint16_t v, char out[24]);
/* IANA cipher suite name, or NULL when not in our table. */
const char *tls_cipher_name(uint16_t c);

#endif
