/* hosts.c — see hosts.h. */
#include "hosts.h"

#include "case/case.h"
#include "core/fsutil.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUI_CSV "/usr/share/ieee-data/oui.csv"

typedef struct oui {
    uint32_t prefix;
    char *name;
} oui_t;

static oui_t *oui_table;
static size_t oui_n;
static pthread_once_t oui_once = PTHREAD_ONCE_INIT;

static int cmp_oui(const void *a, const void *b)
{
    uint32_t x = ((const oui_t *)a)->prefix, y = ((const oui_t *)b)->prefix;
    return x < y ? -1 : x > y;
}

/* Parse "MA-L,002272,Name,Address" (Name may be quoted). */
static void oui_load(void)
{
    char *vb;
    FILE *f = fs_fopen_big(OUI_CSV, "r", &vb); /* 6 MB */
    if (!f)
        return;
    char line[1024];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *a = strchr(line, ',');
        if (!a || strncmp(line, "MA-L", 4) != 0)
            continue;
        char *hex = a + 1, *name = strchr(hex, ',');
        if (!name || name - hex != 6)
            continue;
        *name++ = 0;
        char *end;
        if (*name == '"') {
            name++;
            end = strchr(name, '"');
        } else {
            end = strchr(name, ',');
        }
        if (end)
            *end = 0;
        if (oui_n == cap) {
            cap = cap ? cap * 2 : 4096;
            oui_table = xreallocarray(oui_table, cap, sizeof *oui_table);
        }
        oui_table[oui_n].prefix = (uint32_t)strtoul(hex, NULL, 16);
        oui_table[oui_n++].name = xstrdup(name);
    }
    fs_fclose_big(f, vb);
    xqsort(oui_table, oui_n, sizeof *oui_table, cmp_oui);
}

const char *oui_vendor(const uint8_t mac[6])
{
    pthread_once(&oui_once, oui_load);
    oui_t key = {(uint32_t)mac[0] << 16 | (uint32_t)mac[1] << 8 | mac[2], NULL};
    oui_t *hit = bsearch(&key, oui_table, oui_n, sizeof *oui_table, cmp_oui);
    return hit ? hit->name : NULL;
}

static int cmp_addr(const void *a, const void *b)
{
    return ipaddr_cmp(a, b);
}

static int cmp_host(const void *a, const void *b)
{
    return ipaddr_cmp(&((const host_t *)a)->ip, &((const host_t *)b)->ip);
}

/* Address -> index map built by sorting (addresses are few compared with
 * connections; a sort keeps the code small and the output ordered). */
static host_t *lookup(hosts_t *h, const ipaddr_t *ip)
{
    host_t key;
    key.ip = *ip;
    return bsearch(&key, h->v, h->n, sizeof *h->v, cmp_host);
}

static void add_mac(host_t *h, const uint8_t mac[6])
{
    static const uint8_t zero[6];
    if (memcmp(mac, zero, 6) == 0 || (mac[0] & 1)) /* none, or multicast/broadcast */
        return;
    for (unsigned i = 0; i < h->nmacs; i++)
        if (memcmp(h->macs[i], mac, 6) == 0)
            return;
    if (h->nmacs < HOSTS_MAX_MACS)
        memcpy(h->macs[h->nmacs++], mac, 6);
}

static void add_port(host_t *h, uint16_t port)
{
    for (unsigned i = 0; i < h->nports; i++)
        if (h->server_ports[i] == port)
            return;
    h->server_port_count++;
    if (h->nports < HOSTS_MAX_SERVER_PORTS)
        h->server_ports[h->nports++] = port;
}

/* The slot of name in h's hint index: its own, or the free one it goes to. */
static uint32_t *hint_slot(const host_t *h, const char *name)
{
    size_t mask = h->nhint_slots - 1;
    for (size_t i = hash_fnv1a(name, strlen(name), 0) & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &h->hint_slots[i];
        if (!*slot || strcmp(h->hint_names[*slot - 1], name) == 0)
            return slot;
    }
}

/* A name once per host: found through a hash index (a server sent tens of
 * thousands of different Host or SNI names — scanners, random subdomains —
 * made a list compared name by name quadratic: 40,000 took 12 s). */
static void add_hint(host_t *h, const char *name)
{
    if (h->nhints * 2 >= h->nhint_slots) { /* grow the index, at most half full */
        free(h->hint_slots);
        h->nhint_slots = h->nhint_slots ? h->nhint_slots * 2 : 16;
        h->hint_slots = xcalloc(h->nhint_slots, sizeof *h->hint_slots);
        for (size_t i = 0; i < h->nhints; i++)
            *hint_slot(h, h->hint_names[i]) = (uint32_t)(i + 1);
    }
    uint32_t *slot = hint_slot(h, name);
    if (*slot)
        return;
    if (h->nhints == h->caphints) {
        h->caphints = h->caphints ? h->caphints * 2 : 4;
        h->hint_names = xreallocarray(h->hint_names, h->caphints, sizeof *h->hint_names);
    }
    h->hint_names[h->nhints++] = name;
    *slot = (uint32_t)h->nhints;
}

static void seen(host_t *h, const conn_rec_t *c)
{
    bool new_host = h->ncaps == 0; /* (0 is a time: captures with broken clocks have it) */
    if (new_host || c->ts < h->first)
        h->first = c->ts;
    if (new_host || c->last_ts > h->last)
        h->last = c->last_ts;
    if (h->ncaps && h->caps[h->ncaps - 1] == c->capture)
        return;
    if (h->ncaps == h->capcaps) {
        h->capcaps = h->capcaps ? h->capcaps * 2 : 2;
        h->caps = xreallocarray(h->caps, h->capcaps, sizeof *h->caps);
    }
    h->caps[h->ncaps++] = c->capture;
}

/* The responder really answered: a service on that port. */
static bool answered(const conn_rec_t *c)
{
    static const char *const up[] = {"SF", "S1", "S2", "S3", "RSTO", "RSTR"};
    if (c->proto == 17)
        return c->resp_pkts > 0;
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++)
        if (strcmp(conn_rec_state(c), up[i]) == 0)
            return true;
    return false;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each host's lists in a stable order: names and ports for reading,
 * captures by rank. */
static void sort_lists(host_t *h)
{
    free(h->hint_slots); /* the index is for building only */
    h->hint_slots = NULL;
    h->nhint_slots = 0;
    xqsort(h->hint_names, h->nhints, sizeof *h->hint_names, cmp_cstr);
    xqsort(h->server_ports, h->nports, sizeof *h->server_ports, cmp_u16);
    xqsort(h->caps, h->ncaps, sizeof *h->caps, cmp_u32);
}

static char *dup_known(const char *s)
{
    return s[0] ? xstrdup(s) : NULL;
}

/* What the --mmdb databases say about h. */
static void locate(geoip_t *g, host_t *h)
{
    geoip_info_t in;
    if (!geoip_lookup(g, &h->ip, &in))
        return;
    h->asn = in.asn;
    memcpy(h->country_code, in.country, sizeof h->country_code);
    h->as_org = dup_known(in.as_org);
    h->country = dup_known(in.country_name);
    h->city = dup_known(in.city);
}

hosts_t *hosts_build(const case_t *k)
{
    hosts_t *h = xcalloc(1, sizeof *h);
    size_t cap = 0;
    for (size_t i = 0; i < k->n; i++)
        cap += 2 * k->r[i]->nconns;
    ipaddr_t *all = xcalloc(cap ? cap : 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            all[n++] = capture_conn(k->r[i], j)->orig;
            all[n++] = capture_conn(k->r[i], j)->resp;
        }
    /* unique addresses first: host_t is large, addresses are repeated */
    xqsort(all, n, sizeof *all, cmp_addr);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || !ipaddr_eq(&all[u - 1], &all[i]))
            all[u++] = all[i];
    h->v = xcalloc(u ? u : 1, sizeof *h->v);
    for (size_t i = 0; i < u; i++)
        h->v[i].ip = all[i];
    h->n = u;
    free(all);
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->r[i]->nconns; j++) {
            const conn_rec_t *c = capture_conn(k->r[i], j);
            host_t *o = lookup(h, &c->orig), *r = lookup(h, &c->resp);
            seen(o, c);
            seen(r, c);
            o->conns_orig++;
            r->conns_resp++;
            o->bytes_sent += c->orig_ip_bytes, o->bytes_recv += c->resp_ip_bytes;
            r->bytes_sent += c->resp_ip_bytes, r->bytes_recv += c->orig_ip_bytes;
            if (c->has_mac) {
                add_mac(o, c->mac_orig);
                add_mac(r, c->mac_resp);
            }
            if (answered(c) && (c->proto == 6 || c->proto == 17))
                add_port(r, c->resp_p);
            if (c->name_hint)
                add_hint(r, c->name_hint);
        }
    for (size_t i = 0; i < h->n; i++)
        sort_lists(&h->v[i]);
    if (k->opts && k->opts->geoip)
        for (size_t i = 0; i < h->n; i++)
            locate(k->opts->geoip, &h->v[i]);
    return h;
}

const host_t *hosts_find(const hosts_t *h, const ipaddr_t *ip)
{
    return lookup((hosts_t *)h, ip);
}

void hosts_free(hosts_t *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].hint_names);
        free(h->v[i].hint_slots);
        free(h->v[i].caps);
        free(h->v[i].as_org), free(h->v[i].country), free(h->v[i].city);
    }
    free(h->v);
    free(h);
}
