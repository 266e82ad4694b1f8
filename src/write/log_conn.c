/* log_conn.c — see log_conn.h. */
#include "log_conn.h"

#include "case/names.h"
#include "core/fsutil.h"
#include "core/jsonw.h"
#include "core/logfmt.h"
#include "core/xalloc.h"
#include "write/log_row.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

const log_column_t log_conn_columns[] = {
    LOG_CONN_COLUMNS,
    {"proto", LOG_STRING, LOG_IN_SHEET},
    {"service", LOG_STRING, LOG_IN_SHEET},
    {"duration", LOG_INTERVAL, LOG_IN_SHEET},
    {"orig_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"resp_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"conn_state", LOG_STRING, LOG_IN_SHEET},
    {"missed_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"history", LOG_STRING, LOG_IN_SHEET},
    {"orig_pkts", LOG_COUNT, LOG_IN_SHEET},
    {"orig_ip_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"resp_pkts", LOG_COUNT, LOG_IN_SHEET},
    {"resp_ip_bytes", LOG_COUNT, LOG_IN_SHEET},
    {"vlan", LOG_COUNT, LOG_IN_SHEET},
    {"ip_proto", LOG_COUNT, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"first_frame", LOG_COUNT, LOG_IN_SHEET},
    {"last_frame", LOG_COUNT, LOG_IN_SHEET},
    {"retransmits", LOG_COUNT, LOG_IN_SHEET},
    {"zero_windows", LOG_COUNT, LOG_IN_SHEET},
    {"rtt_syn", LOG_INTERVAL, LOG_IN_SHEET},
    {"orig_name", LOG_STRING, LOG_IN_SHEET},
    {"resp_name", LOG_STRING, LOG_IN_SHEET},
    {NULL, 0, 0},
};

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

typedef struct conn_ref {
    const conn_rec_t *c;
    uint32_t rank;
} conn_ref_t;

static int cmp_conn_ref(const void *a, const void *b)
{
    const conn_ref_t *x = a, *y = b;
    if (x->c->ts != y->c->ts)
        return x->c->ts < y->c->ts ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->c->uid, y->c->uid);
}

long long log_conn_write(const case_t *k, const char *path)
{
    size_t total = 0;
    for (size_t i = 0; i < k->n; i++)
        total += k->r[i]->nconns;
    conn_ref_t *refs = xcalloc(total ? total : 1, sizeof *refs);
    size_t j = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t c = 0; c < k->r[i]->nconns; c++)
            refs[j++] = (conn_ref_t){capture_conn(k->r[i], c), (uint32_t)i};
    xqsort(refs, total, sizeof *refs, cmp_conn_ref);
    atomic_file_t af;
    if (atomic_open(&af, path) != 0) {
        free(refs);
        return -1;
    }
    buf_t row = BUF_INIT;
    for (size_t i = 0; i < total; i++) {
        const conn_rec_t *c = refs[i].c;
        const capture_result_t *r = k->r[refs[i].rank];
        const char *on = names_lookup(k->names, &c->orig, c->ts);
        const char *rn = names_lookup(k->names, &c->resp, c->ts);
        if (!rn)
            rn = c->name_hint;
        buf_clear(&row);
        log_conn_row(&row, c, r->name, r->ts_digits, on, rn);
        buf_append_byte(&row, '\n');
        fwrite(row.data, 1, row.len, af.f);
    }
    buf_free(&row);
    free(refs);
    if (atomic_commit(&af) != 0)
        return -1;
    return (long long)total;
}
