/*
 * logfmt.h — field formatting shared by every log writer.
 *
 * Zeek's conventions: `ts` as epoch seconds (a JSON number, µs or ns digits
 * after the point according to the capture's resolution), durations in
 * seconds, the connection 4-tuple as id.orig_h / id.orig_p / id.resp_h /
 * id.resp_p.
 */
#ifndef PCAPCASE_LOGFMT_H
#define PCAPCASE_LOGFMT_H

#include "core/jsonw.h"
#include "core/types.h"

void lf_time(jsonw_t *w, const char *key, ts_ns_t ts, int digits);
void lf_duration(jsonw_t *w, const char *key, ts_ns_t d, int digits);
void lf_addr(jsonw_t *w, const char *key, const ipaddr_t *a);
/* id.orig_h, id.orig_p, id.resp_h, id.resp_p */
/* The members every folder summary (case.json, compare.json) opens with:
 * "tool" {name, version} and "command_line" (argv[0..argc)). */
void lf_tool(jsonw_t *w, int argc, char *const *argv);
void lf_conn_id(jsonw_t *w, const ipaddr_t *oh, uint16_t op, const ipaddr_t *rh, uint16_t rp);
/* "aa:bb:cc:dd:ee:ff" into out[18] */
char *mac_str(const uint8_t mac[6], char out[18]);

#endif
