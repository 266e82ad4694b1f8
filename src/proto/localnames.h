/*
 * localnames.h — names hosts give themselves on the local network.
 *
 * DHCP (RFC 2131/2132): a client's Host Name (option 12) or Client FQDN
 * (option 81, RFC 4702) with the address it has or asks for: yiaddr in an
 * ACK, Requested IP (option 50) in a REQUEST, ciaddr otherwise.
 * NetBIOS name service (RFC 1002, UDP 137): unique names in registrations,
 * refreshes and positive query responses, with their NB addresses.
 *
 * Both read only through a cursor; a name is kept only when it is printable
 * text (NetBIOS's "\x01\x02__MSBROWSE__\x02" and group names are skipped).
 */
#ifndef PCAPCASE_LOCALNAMES_H
#define PCAPCASE_LOCALNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCALNAME_MAX 256
#define NBNS_MAX_NAMES 8

typedef struct localname {
    char name[LOCALNAME_MAX];
    uint8_t addr[4];
} localname_t;

/* A DHCP message's host name and address; false when there is none. */
bool dhcp_host_name(const uint8_t *p, size_t len, localname_t *out);
/* NetBIOS name service: unique names with addresses; returns how many. */
size_t nbns_names(const uint8_t *p, size_t len, localname_t *out, size_t max);

#endif
