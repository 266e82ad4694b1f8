/*
 * app_ftp.h — the FTP control channel, as far as we read it: a credential
 * record when a client sends USER and then PASS in clear text (the password
 * is only noted as present, never kept).  FTP may switch to TLS (AUTH TLS).
 */
#ifndef PCAPCASE_APP_FTP_H
#define PCAPCASE_APP_FTP_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_ftp_ops;

#endif
