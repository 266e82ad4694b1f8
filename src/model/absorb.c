/* absorb.c — one capture's result from its workers' parts, in one order;
 * see model.h (capture_result_absorb, capture_result_order) and
 * core/order.h for why the order does not depend on the number of workers. */
#include "model/keep.h"
#include "model/model.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Append part's n elements of size sz at *src to *dst (count *dn, room
 * *dcap); part's array is freed, ownership of what the elements point to
 * moves with them. */
static void append(void **dst, size_t *dn, size_t *dcap, void **src, size_t *sn, size_t sz)
{
    if (*sn) {
        if (*dn + *sn > *dcap) {
            *dcap = *dn + *sn;
            *dst = xreallocarray(*dst, *dcap, sz);
        }
        memcpy((char *)*dst + *dn * sz, *src, *sn * sz);
        *dn += *sn;
    }
    free(*src);
    *src = NULL;
    *sn = 0;
}

#define APPEND(field, count, room)                                                                 \
    append((void **)&r->field, &r->count, &r->room, (void **)&part->field, &part->count,           \
           sizeof *r->field)

static void absorb_conns(capture_result_t *r, capture_result_t *part)
{
    for (size_t b = 0; b < part->nblocks; b++) {
        size_t first = b * CONN_BLOCK;
        for (size_t i = first; i < part->nconns && i < first + CONN_BLOCK; i++)
            *capture_conn_add(r) = *capture_conn(part, i); /* name_hint moves */
        free(part->conn_blocks[b]); /* peak memory: one block more, not a copy */
    }
    free(part->conn_blocks);
    part->conn_blocks = NULL;
    part->nblocks = part->nconns = 0;
}

static void absorb_certs(capture_result_t *r, capture_result_t *part)
{
    for (size_t i = 0; i < part->ncerts; i++)
        part->certs[i].fields = capture_cert_intern(r, part->certs[i].fields);
    APPEND(certs, ncerts, capcerts);
}

static void absorb_counts(tls_decrypt_counts_t *d, const tls_decrypt_counts_t *s)
{
    d->sessions += s->sessions;
    d->decrypted += s->decrypted;
    d->no_key += s->no_key;
    d->failed += s->failed;
    d->unsupported += s->unsupported;
    d->no_server_hello += s->no_server_hello;
    d->records_rejected += s->records_rejected;
}

void capture_result_absorb(capture_result_t *r, capture_result_t *part)
{
    absorb_conns(r, part);
    APPEND(dns, ndns, capdns);
    APPEND(tls, ntls, captls);
    APPEND(creds, ncreds, capcreds);
    APPEND(mimes, nmimes, capmimes);
    APPEND(ranges, nranges, capranges);
    APPEND(intel, nintel, capintel);
    APPEND(tcp_segs, ntcp_segs, captcp_segs); /* their arrays move */
    absorb_certs(r, part);
    for (size_t i = 0; i < part->npdns; i++) {
        capture_pdns_add(r, part->pdns[i].name, &part->pdns[i].addr, part->pdns[i].first);
        capture_pdns_add(r, part->pdns[i].name, &part->pdns[i].addr, part->pdns[i].last);
    }
    for (int k = 0; k < LOG_SPOOLED_COUNT; k++)
        logstore_absorb(&r->logs[k], &part->logs[k]);
    absorb_counts(&r->decrypt, &part->decrypt);
    damage_merge(&r->damage, &part->damage);
    /* the part's name and path were r's, lent */
    part->name = part->path = NULL;
    capture_result_free(part);
}

typedef struct keyed {
    rec_order_t ord;
    size_t idx;
} keyed_t;

static int cmp_keyed(const void *a, const void *b)
{
    return rec_order_cmp(&((const keyed_t *)a)->ord, &((const keyed_t *)b)->ord);
}

/* The connection records in order, moved in place along the permutation's
 * cycles (a sorted copy would double the largest array of the case). */
static void order_conns(capture_result_t *r)
{
    size_t n = r->nconns;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = rec_order_cmp(&capture_conn(r, i - 1)->ord, &capture_conn(r, i)->ord) <= 0;
    if (sorted)
        return;
    keyed_t *k = xcalloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed_t){capture_conn(r, i)->ord, i};
    xqsort(k, n, sizeof *k, cmp_keyed);
    /* k[i].idx: the record that belongs at i; SIZE_MAX once placed */
    for (size_t i = 0; i < n; i++) {
        if (k[i].idx == SIZE_MAX || k[i].idx == i) {
            k[i].idx = SIZE_MAX;
            continue;
        }
        conn_rec_t tmp = *capture_conn(r, i);
        size_t j = i;
        for (;;) {
            size_t from = k[j].idx;
            k[j].idx = SIZE_MAX;
            if (from == i) {
                *capture_conn(r, j) = tmp;
                break;
            }
            *capture_conn(r, j) = *capture_conn(r, from);
            j = from;
        }
    }
    free(k);
}

#define ORDER_ARRAY(T, arr, n)                                                                     \
    do {                                                                                           \
        xqsort(r->arr, r->n, sizeof(T), cmp_##T);                                                  \
    } while (0)

#define CMP_BY_ORD(T)                                                                              \
    static int cmp_##T(const void *a, const void *b)                                               \
    {                                                                                              \
        return rec_order_cmp(&((const T *)a)->ord, &((const T *)b)->ord);                          \
    }

CMP_BY_ORD(dns_rec_t)
CMP_BY_ORD(tls_rec_t)
CMP_BY_ORD(cred_rec_t)
CMP_BY_ORD(mime_rec_t)
CMP_BY_ORD(range_rec_t)
CMP_BY_ORD(cert_rec_t)
CMP_BY_ORD(intel_rec_t)

void capture_result_order(capture_result_t *r)
{
    order_conns(r);
    ORDER_ARRAY(dns_rec_t, dns, ndns);
    ORDER_ARRAY(tls_rec_t, tls, ntls);
    ORDER_ARRAY(cred_rec_t, creds, ncreds);
    ORDER_ARRAY(mime_rec_t, mimes, nmimes);
    ORDER_ARRAY(range_rec_t, ranges, nranges);
    ORDER_ARRAY(cert_rec_t, certs, ncerts);
    ORDER_ARRAY(intel_rec_t, intel, nintel);
}
