/* logfmt.c — see logfmt.h. */
#include "logfmt.h"

#include <stdio.h>

static void split(ts_ns_t ts, int digits, int64_t *sec, uint32_t *frac)
{
    int64_t s = ts / NS_PER_SEC;
    int64_t ns = ts % NS_PER_SEC;
    if (ns < 0)
        ns += NS_PER_SEC, s--;
    *sec = s;
    *frac = digits == 9 ? (uint32_t)ns : (uint32_t)(ns / 1000);
}

void lf_time(jsonw_t *w, const char *key, ts_ns_t ts, int digits)
{
    int64_t s;
    uint32_t f;
    if (digits != 9)
        digits = 6;
    split(ts, digits, &s, &f);
    jw_key(w, key);
    jw_ts(w, s, f, digits);
}

void lf_duration(jsonw_t *w, const char *key, ts_ns_t d, int digits)
{
    lf_time(w, key, d, digits);
}

void lf_addr(jsonw_t *w, const char *key, const ipaddr_t *a)
{
    char s[IPADDR_STRLEN];
    jw_kv_str(w, key, ipaddr_str(a, s));
}

void lf_conn_id(jsonw_t *w, const ipaddr_t *oh, uint16_t op, const ipaddr_t *rh, uint16_t rp)
{
    lf_addr(w, "id.orig_h", oh);
    jw_kv_uint(w, "id.orig_p", op);
    lf_addr(w, "id.resp_h", rh);
    jw_kv_uint(w, "id.resp_p", rp);
}

char *mac_str(const uint8_t mac[6], char out[18])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
    return out;
}

void lf_tool(jsonw_t *w, int argc, char *const *argv)
{
    jw_key(w, "tool");
    jw_obj_begin(w);
    jw_kv_str(w, "name", "pcapcase");
    jw_kv_str(w, "version", PCAPCASE_VERSION);
    jw_obj_end(w);
    jw_key(w, "command_line");
    jw_arr_begin(w);
    for (int i = 0; i < argc; i++)
        jw_str(w, argv[i]);
    jw_arr_end(w);
}
