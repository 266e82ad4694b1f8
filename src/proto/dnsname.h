/*
 * dnsname.h — reading a name in DNS wire form: labels (RFC 1035 §3.1) and
 * compression pointers (§4.1.4).  The one label decoder behind DNS messages
 * (dns.c), DHCP's Client FQDN option (RFC 4702) and NetBIOS names (RFC 1002,
 * localnames.c); each gives a function that receives the labels and turns
 * them into its own text.
 *
 * A compression pointer may point anywhere in the message, backwards or
 * forwards: RFC 1035 speaks of "a prior occurrence", but a forward pointer
 * is well defined and tshark and resolvers follow it.  What is refused is a
 * loop: the same pointer read twice in one name, or more than DNS_MAX_JUMPS
 * pointers.  A forward pointer is reported (no encoder writes one; a message
 * with one was made by hand).
 */
#ifndef PCAPCASE_DNSNAME_H
#define PCAPCASE_DNSNAME_H

#include "core/cursor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compression pointers followed for one name.  Legitimate messages need a
 * handful; 64 allows deep chains and ends any loop at once. */
#define DNS_MAX_JUMPS 64

/* Receives each label in order (never the root's empty label).  Returns
 * NULL to go on, or a static reason that stops the walk as a failure. */
typedef const char *(*dns_label_fn)(void *ctx, const uint8_t *label, size_t len);

typedef struct dns_name_reader {
    /* in */
    const cursor_t *msg; /* the whole message pointers index; NULL: no pointers allowed */
    bool partial_ok;     /* the data may end before the root label (RFC 4702 partial name) */
    dns_label_fn label;
    void *ctx;
    /* out */
    const char *err; /* static reason when dns_name_read returned false */
    bool forward;    /* a pointer pointed forward */
} dns_name_reader_t;

/* Read the name at *c, handing each label to r->label.  True when the name
 * was read whole; *c then sits just past the name's bytes at its place (the
 * first pointer's two bytes, or the root label).  False with r->err set:
 * "dns.truncated_name", "dns.bad_label_type" (label types 01/10),
 * "dns.compression_loop", "dns.bad_compression_pointer" (past the message),
 * "dns.compression_not_allowed" (a pointer where msg is NULL), or the
 * reason r->label returned; *c is then unspecified. */
bool dns_name_read(cursor_t *c, dns_name_reader_t *r);

#endif
