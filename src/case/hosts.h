/*
 * hosts.h — every address in the case, with what we know about it.
 *
 * One entry per IP address across all captures: MAC addresses (with the
 * IEEE vendor), names (DNS answers, TLS SNI, HTTP Host), first and last seen,
 * bytes sent and received, connections as originator and responder, server
 * ports it answered on, and the captures it appears in; with --mmdb, its AS
 * number and organisation, country and city (case/geoip.h).
 * write/log_hosts.c writes them to hosts.ndjson.
 */
#ifndef PCAPCASE_HOSTS_H
#define PCAPCASE_HOSTS_H

#include "case/merged.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Server ports listed per host; a scanned host "answers" on few ports, a
 * busy server on many — the list is for reading, the count is kept whole. */
#define HOSTS_MAX_SERVER_PORTS 32
/* MAC addresses kept per IP (routers put many IPs behind one MAC, not the
 * reverse; more than a few means spoofing or a mirror port mix-up). */
#define HOSTS_MAX_MACS 8

typedef struct host {
    ipaddr_t ip;
    ts_ns_t first, last;
    uint64_t bytes_sent, bytes_recv;
    uint64_t conns_orig, conns_resp;
    uint16_t server_ports[HOSTS_MAX_SERVER_PORTS];
    unsigned nports;
    uint64_t server_port_count;
    uint8_t macs[HOSTS_MAX_MACS][6];
    unsigned nmacs;
    uint32_t *caps; /* capture indices it appears in (sorted; repeats skipped at write) */
    size_t ncaps, capcaps;
    const char **hint_names; /* SNI / Host names, sorted (pointers into conn records) */
    size_t nhints, caphints;
    uint32_t *hint_slots; /* while building: index + 1 into hint_names by name hash (0: free) */
    size_t nhint_slots;
    /* --mmdb: what the databases say (0 / "" / NULL: unknown) */
    uint32_t asn;
    char country_code[4];
    char *as_org, *country, *city; /* owned */
} host_t;

typedef struct hosts {
    host_t *v;
    size_t n;
} hosts_t;

hosts_t *hosts_build(const case_t *k);
/* The host entry for ip, or NULL. */
const host_t *hosts_find(const hosts_t *h, const ipaddr_t *ip);
void hosts_free(hosts_t *h);

/* Vendor name for a MAC from Debian's ieee-data OUI list, or NULL.  The
 * table is loaded on first use; returned strings live until exit. */
const char *oui_vendor(const uint8_t mac[6]);

#endif
