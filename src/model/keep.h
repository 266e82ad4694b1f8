/*
 * keep.h — what the case keeps of each record.
 *
 * Most of a record goes to its log row and is not needed again; the case
 * keeps a summary of some records in the capture's result for correlation
 * and findings across captures (model.h: connections, passive DNS, DNS and
 * TLS summaries, credentials, MIME mismatches, 206 parts, certificate
 * sightings).  A record sink calls these after writing the row; each copies
 * what it keeps (records borrow, see records.h).
 */
#ifndef PCAPCASE_KEEP_H
#define PCAPCASE_KEEP_H

#include "model/model.h"
#include "model/records.h"

void capture_keep_conn(capture_result_t *r, const conn_rec_t *c);
void capture_keep_dns(capture_result_t *r, const dns_exchange_t *x);
void capture_keep_name(capture_result_t *r, const name_sighting_t *n);
void capture_keep_ssl(capture_result_t *r, const ssl_record_t *s);
void capture_keep_certificate(capture_result_t *r, const cert_sighting_t *c, int ts_digits);
void capture_keep_credential(capture_result_t *r, const credential_t *c);
void capture_keep_mime_mismatch(capture_result_t *r, const mime_mismatch_t *m);
void capture_keep_range_part(capture_result_t *r, const range_part_t *p);
void capture_keep_intel(capture_result_t *r, const intel_sighting_t *s);
/* r's own copy of certificate x's fields, made the first time it is seen
 * (by fingerprint); the copy lives as long as r. */
const x509_info_t *capture_cert_intern(capture_result_t *r, const x509_info_t *x);

#endif
