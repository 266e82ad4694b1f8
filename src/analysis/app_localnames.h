/*
 * app_localnames.h — names hosts give themselves on the local network (DHCP
 * host names, NetBIOS name-service registrations; proto/localnames.h) go to
 * passive DNS, so hosts.ndjson's names and conn.ndjson's orig_name/resp_name
 * show them like DNS answers.  Neither names the connection's service.
 */
#ifndef PCAPCASE_APP_LOCALNAMES_H
#define PCAPCASE_APP_LOCALNAMES_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_dhcp_ops, app_nbns_ops;

/* DHCP runs between its two ports: both of the connection's ports are one
 * of self->ports. */
bool app_dhcp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);

#endif
