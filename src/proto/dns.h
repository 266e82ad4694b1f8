/*
 * dns.h — parsing one DNS message (RFC 1035 and the record types that
 * matter to an investigator), as pure functions over untrusted bytes.
 *
 * Names are read by proto/dnsname.h with its guards (a compression loop is
 * a parse error, never a hang) and kept to DNS_MAX_NAME text characters.
 * Answers are rendered as Zeek renders them in dns.log ("1.2.3.4",
 * "TXT 12 hello world", "RRSIG 1 example.com", ...), so our logs can be
 * compared with Zeek's.  A message is read as far as it goes: what came
 * before damage is kept, and legal oddities (an obsolete or unassigned
 * opcode, a forward compression pointer) are named in weird.
 */
#ifndef PCAPCASE_DNS_H
#define PCAPCASE_DNS_H

#include "proto/dnsname.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fixed header: id, flags and the four section counts (RFC 1035 §4.1.1). */
#define DNS_HEADER_LEN 12
/* 255 octets on the wire (RFC 1035 §2.3.4); escaped text can be longer. */
#define DNS_MAX_NAME 1024
/* Records kept per section; the rest are counted (a response with more is
 * either an attack or a zone transfer, and the log row would be unreadable). */
#define DNS_MAX_RRS 100
/* Questions kept (real messages have one). */
#define DNS_MAX_QUESTIONS 4

typedef struct dns_answer {
    char *text;  /* Zeek-style rendering, owned */
    char *owner; /* the record's name, owned */
    uint32_t ttl;
    uint16_t type;
    uint8_t addr[16]; /* for A/AAAA: the address (passive DNS) */
    uint8_t family;   /* 4, 6 or 0 */
} dns_answer_t;

typedef struct dns_msg {
    uint16_t id;
    bool qr, aa, tc, rd, ra;
    uint8_t opcode, z, rcode;
    uint16_t qdcount, ancount, nscount, arcount;
    char *qname; /* first question, owned, NULL if none */
    uint16_t qtype, qclass;
    dns_answer_t *answers;
    size_t nanswers;
    uint16_t edns_rcode_ext; /* from OPT: extended rcode bits */
    bool has_edns;
    const char *error; /* static reason when the message is damaged, else NULL */
    const char *weird; /* static name of the first legal oddity, else NULL:
                          "obsolete_inverse_query", "unassigned_opcode",
                          "forward_compression_pointer" */
} dns_msg_t;

/* Parse msg.  Returns true when at least the header parsed; out->error says
 * what was damaged (parsing stops there, what came before is kept).  Always
 * call dns_msg_free(). */
bool dns_parse(const uint8_t *msg, size_t len, dns_msg_t *out);
void dns_msg_free(dns_msg_t *m);

const char *dns_qtype_name(uint16_t t);  /* "A", "AAAA", ... or NULL */
const char *dns_rcode_name(uint16_t r);  /* "NOERROR", "NXDOMAIN", ... or NULL */
const char *dns_qclass_name(uint16_t c); /* "C_INTERNET", ... or NULL */

/* Does this UDP payload look like a DNS message (header sane)?  Any opcode
 * counts: unassigned ones are logged with a weird, not dropped. */
bool dns_looks_like(const uint8_t *p, size_t len);

#endif
