/* log_conn.c — see log_conn.h. */
#include "log_conn.h"

#include "core/jsonw.h"
#include "core/logfmt.h"

#include <netinet/in.h>

void log_conn_row(buf_t *out, const conn_rec_t *c, const char *pcap, int ts_digits,
                  const char *orig_name, const char *resp_name)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_time(&w, "ts", c->ts, ts_digits);
    jw_kv_str(&w, "uid", c->uid);
    lf_conn_id(&w, &c->orig, c->orig_p, &c->resp, c->resp_p);
    jw_kv_str(&w, "proto",
              c->proto == IPPROTO_TCP                                    ? "tcp"
              : c->proto == IPPROTO_UDP                                  ? "udp"
              : (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6) ? "icmp"
                                                                         : "unknown_transport");
    if (c->service)
        jw_kv_str(&w, "service", c->service);
    if (c->last_ts > c->ts)
        lf_duration(&w, "duration", c->last_ts - c->ts, ts_digits);
    bool sized = c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP || c->proto == IPPROTO_ICMP ||
                 c->proto == IPPROTO_ICMPV6;
    if (sized) {
        jw_kv_uint(&w, "orig_bytes", c->orig_bytes);
        jw_kv_uint(&w, "resp_bytes", c->resp_bytes);
    }
    jw_kv_str(&w, "conn_state", conn_rec_state(c));
    jw_kv_uint(&w, "missed_bytes", c->missed_bytes);
    if (c->history[0])
        jw_kv_str(&w, "history", c->history);
    jw_kv_uint(&w, "orig_pkts", c->orig_pkts);
    jw_kv_uint(&w, "orig_ip_bytes", c->orig_ip_bytes);
    jw_kv_uint(&w, "resp_pkts", c->resp_pkts);
    jw_kv_uint(&w, "resp_ip_bytes", c->resp_ip_bytes);
    if (c->vlan)
        jw_kv_uint(&w, "vlan", c->vlan);
    jw_kv_uint(&w, "ip_proto", c->proto);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "first_frame", c->first_frame);
    jw_kv_uint(&w, "last_frame", c->last_frame);
    if (c->proto == IPPROTO_TCP) {
        jw_kv_uint(&w, "retransmits", c->retransmits);
        jw_kv_uint(&w, "zero_windows", c->zero_windows);
        if (c->rtt_syn >= 0)
            lf_duration(&w, "rtt_syn", c->rtt_syn, ts_digits);
    }
    if (orig_name)
        jw_kv_str(&w, "orig_name", orig_name);
    if (resp_name)
        jw_kv_str(&w, "resp_name", resp_name);
    jw_obj_end(&w);
}
