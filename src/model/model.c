/* model.c — small helpers for the case model; see model.h. */
#include "model.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"OTH",  "S0",   "S1",     "SF",    "REJ", "S2", "S3",
                                          "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH",  "SHR"};

uint8_t conn_state_index(const char *name)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (strcmp(state_names[i], name) == 0)
            return (uint8_t)i;
    return 0;
}

const char *conn_rec_state(const conn_rec_t *c)
{
    return c->state_idx < sizeof state_names / sizeof state_names[0] ? state_names[c->state_idx]
                                                                     : "OTH";
}

conn_rec_t *capture_conn_add(capture_result_t *r)
{
    if (r->nconns == r->nblocks * CONN_BLOCK) {
        r->conn_blocks = xreallocarray(r->conn_blocks, r->nblocks + 1, sizeof *r->conn_blocks);
        r->conn_blocks[r->nblocks++] = xmalloc(CONN_BLOCK * sizeof(conn_rec_t));
    }
    conn_rec_t *c = capture_conn(r, r->nconns++);
    memset(c, 0, sizeof *c);
    c->ord = capture_order_next(r);
    return c;
}

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 64;                                                          \
            (arr) = xreallocarray((arr), (cap), sizeof *(arr));                                    \
        }                                                                                          \
        memset(&(arr)[(n)], 0, sizeof *(arr));                                                     \
        (arr)[(n)].ord = capture_order_next(r);                                                    \
    } while (0)

dns_rec_t *capture_dns_add(capture_result_t *r)
{
    GROW(r->dns, r->ndns, r->capdns);
    return &r->dns[r->ndns++];
}

tls_rec_t *capture_tls_add(capture_result_t *r)
{
    GROW(r->tls, r->ntls, r->captls);
    return &r->tls[r->ntls++];
}

cred_rec_t *capture_cred_add(capture_result_t *r)
{
    GROW(r->creds, r->ncreds, r->capcreds);
    return &r->creds[r->ncreds++];
}

mime_rec_t *capture_mime_add(capture_result_t *r)
{
    GROW(r->mimes, r->nmimes, r->capmimes);
    return &r->mimes[r->nmimes++];
}

range_rec_t *capture_range_add(capture_result_t *r)
{
    GROW(r->ranges, r->nranges, r->capranges);
    return &r->ranges[r->nranges++];
}

cert_rec_t *capture_cert_add(capture_result_t *r)
{
    GROW(r->certs, r->ncerts, r->capcerts);
    return &r->certs[r->ncerts++];
}

intel_rec_t *capture_intel_add(capture_result_t *r)
{
    GROW(r->intel, r->nintel, r->capintel);
    return &r->intel[r->nintel++];
}

static size_t pdns_slot(const capture_result_t *r, const char *name, const ipaddr_t *addr)
{
    size_t i = hash_fnv1a(addr->a, sizeof addr->a, hash_fnv1a(name, strlen(name), 0)) &
               (r->npdns_slots - 1);
    for (uint32_t at; (at = r->pdns_slots[i]); i = (i + 1) & (r->npdns_slots - 1))
        if (ipaddr_eq(&r->pdns[at - 1].addr, addr) && strcmp(r->pdns[at - 1].name, name) == 0)
            break;
    return i;
}

/* One entry per (name, address) whatever the order of the sightings, so
 * that parts analysed apart merge into what one pass gives. */
void capture_pdns_add(capture_result_t *r, const char *name, const ipaddr_t *addr, ts_ns_t ts)
{
    if (r->npdns_slots) {
        uint32_t at = r->pdns_slots[pdns_slot(r, name, addr)];
        if (at) {
            pdns_entry_t *e = &r->pdns[at - 1];
            if (ts < e->first)
                e->first = ts;
            if (ts > e->last)
                e->last = ts;
            return;
        }
    }
    if (2 * (r->npdns + 1) > r->npdns_slots) { /* at most half full */
        r->npdns_slots = r->npdns_slots ? 2 * r->npdns_slots : 256;
        free(r->pdns_slots);
        r->pdns_slots = xcalloc(r->npdns_slots, sizeof *r->pdns_slots);
        for (size_t i = 0; i < r->npdns; i++)
            r->pdns_slots[pdns_slot(r, r->pdns[i].name, &r->pdns[i].addr)] = (uint32_t)(i + 1);
    }
    if (r->npdns == r->cappdns) {
        r->cappdns = r->cappdns ? r->cappdns * 2 : 64;
        r->pdns = xreallocarray(r->pdns, r->cappdns, sizeof *r->pdns);
    }
    size_t slot = pdns_slot(r, name, addr);
    pdns_entry_t *e = &r->pdns[r->npdns++];
    e->name = xstrdup(name);
    e->addr = *addr;
    e->first = e->last = ts;
    r->pdns_slots[slot] = (uint32_t)r->npdns;
}

void capture_result_free(capture_result_t *r)
{
    for (size_t i = 0; i < r->ndns; i++)
        free(r->dns[i].query);
    free(r->dns);
    for (size_t i = 0; i < r->ntls; i++) {
        tls_rec_t *t = &r->tls[i];
        free(t->sni), free(t->ja3), free(t->ja4), free(t->cert_fp), free(t->cert_cn);
        for (size_t j = 0; j < t->ncert_sans; j++)
            free(t->cert_sans[j]);
        free(t->cert_sans);
    }
    free(r->tls);
    for (size_t i = 0; i < r->ncreds; i++)
        free(r->creds[i].username);
    free(r->creds);
    for (size_t i = 0; i < r->nranges; i++)
        free(r->ranges[i].url), free(r->ranges[i].boundary);
    free(r->ranges);
    for (size_t i = 0; i < r->ntcp_segs; i++)
        tcp_segs_free(&r->tcp_segs[i]);
    free(r->tcp_segs);
    for (size_t i = 0; i < r->nmimes; i++) {
        mime_rec_t *m = &r->mimes[i];
        free(m->url), free(m->declared), free(m->sniffed), free(m->sha256);
    }
    free(r->mimes);
    free(r->certs);
    free(r->intel);
    for (size_t i = 0; i < r->cert_fields.n; i++) {
        x509_info_free(r->cert_fields.v[i]);
        free(r->cert_fields.v[i]);
    }
    free(r->cert_fields.v);
    free(r->cert_fields.slots);
    free(r->path);
    free(r->name);
    damage_free(&r->damage);
    for (size_t i = 0; i < r->nconns; i++)
        free(capture_conn(r, i)->name_hint);
    for (size_t b = 0; b < r->nblocks; b++)
        free(r->conn_blocks[b]);
    free(r->conn_blocks);
    for (int i = 0; i < LOG_SPOOLED_COUNT; i++)
        logstore_free(&r->logs[i]);
    free(r->rates);
    for (size_t i = 0; i < r->npdns; i++)
        free(r->pdns[i].name);
    free(r->pdns);
    free(r->pdns_slots);
    memset(r, 0, sizeof *r);
}
