/* log_hosts.c — see log_hosts.h. */
#include "write/log_hosts.h"

#include "case/hosts.h"
#include "case/names.h"
#include "core/fsutil.h"
#include "core/jsonw.h"
#include "core/logfmt.h"

#include <string.h>

const log_column_t log_hosts_columns[] = {
    {"ip", LOG_ADDR, LOG_IN_SHEET},
    {"internal", LOG_BOOL, LOG_IN_SHEET},
    {"macs", LOG_RECORD, LOG_IN_SHEET},
    {"names", LOG_LIST, LOG_IN_SHEET},
    {"asn", LOG_COUNT, LOG_IN_SHEET | LOG_OPTIONAL},
    {"as_org", LOG_STRING, LOG_IN_SHEET | LOG_OPTIONAL},
    {"country_code", LOG_STRING, LOG_IN_SHEET | LOG_OPTIONAL},
    {"country", LOG_STRING, LOG_IN_SHEET | LOG_OPTIONAL},
    {"city", LOG_STRING, LOG_IN_SHEET | LOG_OPTIONAL},
    {"first_ts", LOG_TIME, LOG_IN_SHEET},
    {"last_ts", LOG_TIME, LOG_IN_SHEET},
    {"bytes_sent", LOG_COUNT, LOG_IN_SHEET},
    {"bytes_recv", LOG_COUNT, LOG_IN_SHEET},
    {"conns_orig", LOG_COUNT, LOG_IN_SHEET},
    {"conns_resp", LOG_COUNT, LOG_IN_SHEET},
    {"server_ports", LOG_LIST, LOG_IN_SHEET},
    {"server_port_count", LOG_COUNT, 0},
    {"pcaps", LOG_LIST, LOG_IN_SHEET},
    {NULL, 0, 0},
};

static void macs(jsonw_t *w, const host_t *h)
{
    jw_key(w, "macs");
    jw_arr_begin(w);
    for (unsigned i = 0; i < h->nmacs; i++) {
        char m[18];
        jw_obj_begin(w);
        jw_kv_str(w, "mac", mac_str(h->macs[i], m));
        jw_kv_str(w, "vendor", oui_vendor(h->macs[i]));
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* DNS answers first, then names seen inside connections (not repeated). */
static void names(jsonw_t *w, const case_t *k, const host_t *h)
{
    const char *const *dns;
    size_t nd = names_all(k->names, &h->ip, &dns);
    jw_key(w, "names");
    jw_arr_begin(w);
    for (size_t i = 0; i < nd; i++)
        jw_str(w, dns[i]);
    for (size_t i = 0; i < h->nhints; i++) {
        bool dup = false;
        for (size_t j = 0; j < nd && !dup; j++)
            dup = strcmp(dns[j], h->hint_names[i]) == 0;
        if (!dup)
            jw_str(w, h->hint_names[i]);
    }
    jw_arr_end(w);
}

/* --mmdb: what is known of the host's owner and place (nothing without). */
static void place(jsonw_t *w, const host_t *h)
{
    if (h->asn)
        jw_kv_uint(w, "asn", h->asn);
    if (h->as_org)
        jw_kv_str(w, "as_org", h->as_org);
    if (h->country_code[0])
        jw_kv_str(w, "country_code", h->country_code);
    if (h->country)
        jw_kv_str(w, "country", h->country);
    if (h->city)
        jw_kv_str(w, "city", h->city);
}

static void row(buf_t *out, const case_t *k, const host_t *h, int digits)
{
    jsonw_t w;
    jw_init(&w, out, false);
    jw_obj_begin(&w);
    lf_addr(&w, "ip", &h->ip);
    jw_kv_bool(&w, "internal", ipaddr_is_private(&h->ip));
    macs(&w, h);
    names(&w, k, h);
    place(&w, h);
    lf_time(&w, "first_ts", h->first, digits);
    lf_time(&w, "last_ts", h->last, digits);
    jw_kv_uint(&w, "bytes_sent", h->bytes_sent);
    jw_kv_uint(&w, "bytes_recv", h->bytes_recv);
    jw_kv_uint(&w, "conns_orig", h->conns_orig);
    jw_kv_uint(&w, "conns_resp", h->conns_resp);
    jw_key(&w, "server_ports");
    jw_arr_begin(&w);
    for (unsigned i = 0; i < h->nports; i++)
        jw_uint(&w, h->server_ports[i]);
    jw_arr_end(&w);
    jw_kv_uint(&w, "server_port_count", h->server_port_count);
    jw_key(&w, "pcaps");
    jw_arr_begin(&w);
    for (size_t i = 0; i < h->ncaps; i++)
        if (i == 0 || h->caps[i] != h->caps[i - 1])
            jw_str(&w, k->r[h->caps[i]]->name);
    jw_arr_end(&w);
    jw_obj_end(&w);
    buf_append_byte(out, '\n');
}

long long log_hosts_write(const case_t *k, const char *path)
{
    atomic_file_t af;
    if (atomic_open(&af, path) != 0)
        return -1;
    int digits = k->n ? k->r[0]->ts_digits : TS_DIGITS_DEFAULT;
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < k->hosts->n; i++) {
        buf_clear(&b);
        row(&b, k, &k->hosts->v[i], digits);
        fwrite(b.data, 1, b.len, af.f);
    }
    buf_free(&b);
    if (atomic_commit(&af) != 0)
        return -1;
    return (long long)k->hosts->n;
}
