/*
 * app_tftp.h — TFTP (RFC 1350, 2347-2349; proto/tftp.c): a read or write
 * request to port 69 announces a transfer that runs between the server's
 * new port and the client's port — another UDP connection.  The request
 * analyser keeps each request in the capture's TFTP registry; the transfer
 * analyser takes the connection that has the client's address and port and
 * the server's address, puts its DATA blocks in order (16-bit block numbers
 * wrap) and reports the file (files.ndjson, source TFTP, the requested file
 * name): carved when the last, short block came and none was missing, else
 * partial with its missing bytes.  A server that answers from port 69
 * itself keeps the transfer on the request's connection: the request
 * analyser then runs a transfer of its own.
 */
#ifndef PCAPCASE_APP_TFTP_H
#define PCAPCASE_APP_TFTP_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_tftp_ops;      /* requests to port 69 */
extern const analyser_ops_t app_tftp_data_ops; /* a transfer */

/* A request to one of self's ports that parses as RRQ or WRQ. */
bool app_tftp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                     size_t n);
/* A datagram between a requesting client's port and its server. */
bool app_tftp_data_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                          size_t n);

#endif
