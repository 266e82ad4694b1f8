/*
 * log_x509.h — x509.ndjson: one row per certificate of the case (by the
 * SHA-256 of its DER) with Zeek's x509.log fields and every connection and
 * capture it was seen in.
 */
#ifndef PCAPCASE_LOG_X509_H
#define PCAPCASE_LOG_X509_H

#include "case/merged.h"
#include "write/log_columns.h"

extern const log_column_t log_x509_columns[];

/* Write the case's certificates to path (atomically).  Returns the number
 * of rows, or -1 with errno set. */
long long log_x509_write(const case_t *k, const char *path);

#endif
