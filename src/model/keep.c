/* keep.c — what the case keeps of each record; see keep.h. */
#include "model/keep.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void capture_keep_conn(capture_result_t *r, const conn_rec_t *c)
{
    conn_rec_t *o = capture_conn_add(r);
    rec_order_t ord = o->ord;
    *o = *c;
    o->ord = ord;
    o->name_hint = dup_or_null(c->name_hint);
}

void capture_keep_dns(capture_result_t *r, const dns_exchange_t *x)
{
    const dns_msg_t *m = dns_exchange_question(x);
    dns_rec_t *d = capture_dns_add(r);
    d->ts = x->query ? x->query_ts : x->response_ts;
    d->client = x->conn.orig, d->server = x->conn.resp;
    d->query = dup_or_null(m->qname);
    d->qtype = m->qtype;
    d->rcode = x->response ? (int16_t)x->response->rcode : -1;
    d->frame = x->query ? x->query_frame : x->response_frame;
    memcpy(d->uid, x->conn.uid, sizeof d->uid);
}

void capture_keep_name(capture_result_t *r, const name_sighting_t *n)
{
    capture_pdns_add(r, n->name, &n->addr, n->ts);
}

/* Count the session's decryption outcome. */
static void keep_decryption(tls_decrypt_counts_t *d, const ssl_record_t *s)
{
    d->records_rejected += s->records_rejected;
    switch (s->decryption) {
    case SSL_DECRYPT_NOT_TRIED:
        return;
    case SSL_DECRYPT_NO_SERVER_HELLO:
        d->no_server_hello++;
        return;
    case SSL_DECRYPT_DONE:
        d->decrypted++;
        break;
    case SSL_DECRYPT_NO_KEY:
        d->no_key++;
        break;
    case SSL_DECRYPT_FAILED:
        d->failed++;
        break;
    case SSL_DECRYPT_UNSUPPORTED:
        d->unsupported++;
        break;
    }
    d->sessions++;
}

void capture_keep_ssl(capture_result_t *r, const ssl_record_t *s)
{
    keep_decryption(&r->decrypt, s);
    const tls_info_t *in = s->tls;
    tls_rec_t *tr = capture_tls_add(r);
    tr->ts = s->ts;
    tr->client = s->conn.orig, tr->server = s->conn.resp, tr->server_p = s->conn.resp_p;
    tr->sni = dup_or_null(in->sni);
    tr->ja3 = in->client_hello ? xstrdup(in->ja3) : NULL;
    tr->ja4 = in->client_hello && in->ja4[0] ? xstrdup(in->ja4) : NULL;
    tr->frame = s->frame;
    memcpy(tr->uid, s->conn.uid, sizeof tr->uid);
    const x509_info_t *x = s->leaf;
    if (!x)
        return;
    tr->cert_fp = xstrdup(x->sha256);
    tr->cert_cn = dup_or_null(x->cn);
    tr->self_signed = x->self_signed;
    tr->expired = s->leaf_expired;
    tr->sni_mismatch = s->sni_mismatch;
    tr->cert_sans = xcalloc(x->nsan_dns + 1, sizeof *tr->cert_sans);
    for (size_t k = 0; k < x->nsan_dns; k++)
        tr->cert_sans[tr->ncert_sans++] = xstrdup(x->san_dns[k]);
}

/* A deep copy of a certificate's fields (x509_info_free frees it). */
static x509_info_t *x509_copy(const x509_info_t *x)
{
    x509_info_t *c = xmalloc(sizeof *c);
    x509_info_copy(c, x);
    return c;
}

static size_t cert_slot(const certs_t *t, const char *fp)
{
    size_t i = hash_fnv1a(fp, strlen(fp), 0) & (t->nslots - 1);
    while (t->slots[i] && strcmp(t->v[t->slots[i] - 1]->sha256, fp) != 0)
        i = (i + 1) & (t->nslots - 1);
    return i;
}

/* The capture's copy of certificate x, made on its first sighting. */
const x509_info_t *capture_cert_intern(capture_result_t *r, const x509_info_t *x)
{
    certs_t *t = &r->cert_fields;
    if (t->nslots) {
        uint32_t at = t->slots[cert_slot(t, x->sha256)];
        if (at)
            return t->v[at - 1];
    }
    if (2 * (t->n + 1) > t->nslots) { /* keep the table at most half full */
        t->nslots = t->nslots ? 2 * t->nslots : 64;
        free(t->slots);
        t->slots = xcalloc(t->nslots, sizeof *t->slots);
        for (size_t i = 0; i < t->n; i++)
            t->slots[cert_slot(t, t->v[i]->sha256)] = (uint32_t)(i + 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
    }
    t->v[t->n] = x509_copy(x);
    t->slots[cert_slot(t, x->sha256)] = (uint32_t)(t->n + 1);
    return t->v[t->n++];
}

void capture_keep_certificate(capture_result_t *r, const cert_sighting_t *c, int ts_digits)
{
    cert_rec_t *cr = capture_cert_add(r);
    snprintf(cr->fp, sizeof cr->fp, "%s", c->cert->sha256);
    cr->ts = c->ts;
    memcpy(cr->uid, c->conn.uid, sizeof cr->uid);
    cr->expired_at_capture = c->expired_at_capture;
    cr->ts_digits = (int8_t)ts_digits;
    cr->fields = capture_cert_intern(r, c->cert);
}

void capture_keep_credential(capture_result_t *r, const credential_t *c)
{
    cred_rec_t *cr = capture_cred_add(r);
    cr->ts = c->ts;
    cr->client = c->conn.orig, cr->server = c->conn.resp, cr->server_p = c->conn.resp_p;
    cr->proto = c->proto;
    cr->username = xstrdup(c->username);
    cr->has_password = c->has_password;
    cr->hashed = c->hashed;
    cr->in_tls = c->decrypted;
    cr->outcome = !c->outcome                           ? LOGIN_UNKNOWN
                  : strcmp(c->outcome, "accepted") == 0 ? LOGIN_ACCEPTED
                  : strcmp(c->outcome, "rejected") == 0 ? LOGIN_REJECTED
                                                        : LOGIN_UNKNOWN;
    if (c->secret && c->secret[0] && !c->hashed)
        cr->secret_hash = hash_fnv1a(c->secret, strlen(c->secret), 0) | 1;
    cr->frame = c->frame;
    memcpy(cr->uid, c->conn.uid, sizeof cr->uid);
}

void capture_keep_mime_mismatch(capture_result_t *r, const mime_mismatch_t *m)
{
    mime_rec_t *mr = capture_mime_add(r);
    mr->ts = m->ts;
    mr->client = m->conn.orig, mr->server = m->conn.resp;
    mr->url = dup_or_null(m->url);
    mr->declared = dup_or_null(m->declared);
    mr->sniffed = dup_or_null(m->sniffed);
    mr->sha256 = dup_or_null(m->sha256);
    mr->frame = m->frame;
    memcpy(mr->uid, m->conn.uid, sizeof mr->uid);
}

void capture_keep_range_part(capture_result_t *r, const range_part_t *p)
{
    range_rec_t *rr = capture_range_add(r);
    rr->ts = p->ts;
    rr->url = xstrdup(p->url);
    rr->boundary = dup_or_null(p->boundary);
    rr->start = p->start, rr->end = p->end, rr->total = p->total;
    snprintf(rr->sha256, sizeof rr->sha256, "%s", p->sha256);
    snprintf(rr->fuid, sizeof rr->fuid, "%s", p->fuid);
    memcpy(rr->uid, p->conn.uid, sizeof rr->uid);
    rr->orig = p->conn.orig, rr->resp = p->conn.resp;
    rr->orig_p = p->conn.orig_p, rr->resp_p = p->conn.resp_p;
    rr->first_frame = p->first_frame, rr->last_frame = p->last_frame;
}

void capture_keep_intel(capture_result_t *r, const intel_sighting_t *s)
{
    for (size_t i = 0; i < s->nindicators; i++) {
        intel_rec_t *x = capture_intel_add(r);
        x->indicator = s->indicator_ids[i];
        x->ts = s->ts;
        x->frame = s->frame;
        memcpy(x->uid, s->conn.uid, sizeof x->uid);
        x->orig = s->conn.orig, x->resp = s->conn.resp;
        x->where = s->where;
    }
}
