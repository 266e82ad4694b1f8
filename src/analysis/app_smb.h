/*
 * app_smb.h — SMB1/SMB2/SMB3 (unencrypted; proto/smb.c): every file opened
 * gets an smb_file_record_t when it is closed (smb_files.ndjson), and what
 * was read or written of it is assembled by offset (proto/fileasm.c).  A
 * whole file is carved (artifacts/, a files.ndjson row with source SMB); a
 * file with holes gets its files.ndjson row with the missing ranges and is
 * never hashed or kept as the file.  NTLMSSP logins are credential records.
 */
#ifndef PCAPCASE_APP_SMB_H
#define PCAPCASE_APP_SMB_H

#include "analysis/analyser.h"

extern const analyser_ops_t app_smb_ops;

/* The start of a NetBIOS session message carrying SMB, or an SMB port. */
bool app_smb_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n);

#endif
