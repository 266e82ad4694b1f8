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
 * used the channel.  A data connection that carried nothing (the
 * dispatcher offers it when it finishes, or TLS when a decrypted session
 * had no plaintext) is an empty file when the side that sends the file
 * closed it (FIN: the end of file in FTP's stream mode), otherwise a row
 * without bytes, truncated ("data_connection_not_closed").  A data
 * connection another analyser could not read (TLS without the session's
 * keys) comes through the table's unread hook ("tls_not_decrypted").
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

#endif
