/*
 * app_ftp.h — FTP: the control connection (proto/ftp.c) and the data
 * connections it announces.
 *
 * The control analyser reports each logged command with its final reply
 * (ftp_record_t, ftp.ndjson as Zeek's ftp.log), the login (a credential
 * record; the password itself is never kept) and every data channel the
 * server accepted (PORT, EPRT, PASV, EPSV) to the capture's FTP registry.
 * The data analyser takes a connection whose responder is such a channel's
 * address and port, carves what flows on it (analysis/carve.h) and reports
 * it as a file with the name of the transfer (RETR, STOR, STOU, APPE) that
 * used the channel.
 *
 * Order: a data connection is recognised when its first bytes arrive, so
 * it may be in the connection table before the reply that announced it
 * (active mode: the server connects before it answers PORT).  Its file is
 * reported when both are known — the data finished and the transfer named —
 * whichever comes last, or, for a transfer whose name never came, when the
 * control connection finishes (or the capture ends): always in capture
 * order, so the same capture gives the same rows.
 */
#ifndef PCAPCASE_APP_FTP_H
#define PCAPCASE_APP_FTP_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_ftp_ops;      /* the control connection */
extern const analyser_ops_t app_ftp_data_ops; /* a data connection */

/* Is this connection's responder an announced data channel?  (The table's
 * detector for ftp-data.) */
bool app_ftp_data_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                         size_t n);

/* Connection c was read by another analyser that could not see inside it
 * (TLS without the session's keys: FTP's PROT P data): when c is an
 * announced data channel, its transfer is reported as a files row without
 * bytes whose truncated_reason is why (static). */
void app_ftp_data_unread(const an_ctx_t *ctx, const conn_t *c, const char *why);

#endif
