/* test_partial.c — the partial case of a shard (write/partial.c): a
 * capture's result with every field set (each to a value of its own) comes
 * back from partial_write/partial_read equal field by field, log rows
 * included; a second shard's read adds tallies and appends records; a
 * different description, a cut file and a foreign file are refused with the
 * reason. */
#include "core/xalloc.h"
#include "cu_main.h"
#include "model/keep.h"
#include "write/partial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pcapcase-test-partial-XXXXXX";
static uint64_t counter;

/* A value no other field has. */
static uint64_t v(void)
{
    return ++counter * 1000003u + 7;
}

static char *s(const char *what)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s-%llu", what, (unsigned long long)v());
    return strdup(buf);
}

static ipaddr_t addr(void)
{
    ipaddr_t a;
    memset(&a, 0, sizeof a);
    a.family = (v() & 1) ? 4 : 6;
    for (size_t i = 0; i < sizeof a.a; i++)
        a.a[i] = (uint8_t)v();
    return a;
}

static rec_order_t ord(void)
{
    return (rec_order_t){v(), v(), (uint32_t)v()};
}

static bool same_ord(const rec_order_t *a, const rec_order_t *b)
{
    return rec_order_cmp(a, b) == 0;
}

static void uid(char *out)
{
    snprintf(out, UID_LEN, "C%llu", (unsigned long long)v());
}

static x509_info_t cert(void)
{
    x509_info_t x;
    memset(&x, 0, sizeof x);
    snprintf(x.sha256, sizeof x.sha256, "%064llu", (unsigned long long)v());
    snprintf(x.sha1, sizeof x.sha1, "%040llu", (unsigned long long)v());
    x.version = (long)v();
    x.serial = s("serial"), x.subject = s("subject"), x.issuer = s("issuer"), x.cn = s("cn");
    x.not_before = (int64_t)v(), x.not_after = (int64_t)v();
    x.key_alg = s("ka"), x.sig_alg = s("sa"), x.key_type = NULL, x.curve = s("curve");
    x.key_length = (int)v();
    for (int i = 0; i < 3; i++)
        x.san_dns[x.nsan_dns++] = s("dns");
    x.san_ip[x.nsan_ip++] = s("ip");
    x.ca = 1, x.path_len = (long)v(), x.self_signed = true, x.flaws = (unsigned)v();
    return x;
}

/* A capture's result with every field set, two of each record. */
static void fill(capture_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->path = s("/cases/in.pcap"), r->name = s("in.pcap");
    r->size = v();
    for (int i = 0; i < 32; i++)
        r->sha256[i] = (uint8_t)(i * 7 + 1);
    for (int i = 0; i < 32; i++)
        snprintf(r->sha256_hex + 2 * i, 3, "%02x", r->sha256[i]);
    snprintf(r->format, sizeof r->format, "pcapng");
    r->linktypes[0] = 1, r->linktypes[1] = 113, r->nlinktypes = 2;
    r->ts_digits = 9;
    r->packets = v(), r->bytes_captured = v(), r->bytes_wire = v(), r->ip_packets = v();
    r->first_ts = (ts_ns_t)v(), r->last_ts = (ts_ns_t)v();
    damage_add(&r->damage, "tcp.bad_checksum", 5, 17);
    damage_add(&r->damage, "tcp.bad_checksum", 0, 23);
    damage_add(&r->damage, "limit.flow", 2, 0);
    r->dstats.non_ip = v(), r->dstats.fragments = v(), r->dstats.unsupported_link = v();
    r->damaged = true;
    snprintf(r->error, sizeof r->error, "some error");
    for (int i = 0; i < 2; i++) {
        conn_rec_t *c = capture_conn_add(r);
        c->ts = (ts_ns_t)v(), c->last_ts = (ts_ns_t)v(), c->rtt_syn = -1;
        c->orig = addr(), c->resp = addr();
        c->orig_p = (uint16_t)v(), c->resp_p = (uint16_t)v(), c->vlan = (uint16_t)v();
        c->proto = 6, c->state_idx = (uint8_t)(v() % 13);
        uid(c->uid);
        snprintf(c->history, sizeof c->history, "ShADadFf");
        c->service = i ? "http" : NULL;
        c->orig_bytes = v(), c->resp_bytes = v(), c->missed_bytes = v();
        c->orig_pkts = v(), c->resp_pkts = v(), c->orig_ip_bytes = v(), c->resp_ip_bytes = v();
        c->first_frame = v(), c->last_frame = v(), c->retransmits = v(), c->zero_windows = v();
        for (int j = 0; j < 6; j++)
            c->mac_orig[j] = (uint8_t)v(), c->mac_resp[j] = (uint8_t)v();
        c->has_mac = true;
        c->name_hint = i ? s("host") : NULL;
        c->capture = (uint32_t)v();
        c->ord = ord();
    }
    for (int k = 0; k < LOG_SPOOLED_COUNT; k++) {
        CU_ASSERT_EQUAL_FATAL(logstore_init(&r->logs[k], dir), 0);
        for (int i = 0; i < k + 1; i++) {
            char row[80];
            int n = snprintf(row, sizeof row, "{\"log\":%d,\"row\":%d,\"v\":%llu}", k, i,
                             (unsigned long long)v());
            rec_order_t o = ord();
            logstore_add_ordered(&r->logs[k], (ts_ns_t)v(), &o, row, (size_t)n);
        }
    }
    for (int i = 0; i < 3; i++) {
        r->rates = realloc(r->rates, (size_t)(i + 1) * sizeof *r->rates);
        rate_bin_t *b = &r->rates[i];
        b->sec = (int64_t)v(), b->tcp = v(), b->udp = v(), b->other = v();
        r->nrates = r->caprates = (size_t)i + 1;
    }
    ipaddr_t a = addr();
    capture_pdns_add(r, "example.org", &a, 100);
    capture_pdns_add(r, "example.org", &a, 300);
    capture_pdns_add(r, "other.example", &a, 200);
    for (int i = 0; i < 2; i++) {
        dns_rec_t *d = capture_dns_add(r);
        d->ts = (ts_ns_t)v(), d->client = addr(), d->server = addr();
        d->query = i ? s("q") : NULL;
        d->qtype = (uint16_t)v(), d->rcode = i ? -1 : 3, d->frame = v();
        uid(d->uid);
        d->capture = (uint32_t)v();
        d->ord = ord();
        tls_rec_t *t = capture_tls_add(r);
        t->ts = (ts_ns_t)v(), t->client = addr(), t->server = addr(), t->server_p = 443;
        t->sni = s("sni"), t->ja3 = s("ja3"), t->ja4 = i ? NULL : s("ja4");
        t->cert_fp = s("fp"), t->cert_cn = s("cn");
        t->cert_sans = calloc(3, sizeof *t->cert_sans);
        t->cert_sans[t->ncert_sans++] = s("san");
        t->cert_sans[t->ncert_sans++] = s("san");
        t->self_signed = true, t->expired = i, t->sni_mismatch = !i;
        t->frame = v();
        uid(t->uid);
        t->capture = (uint32_t)v();
        t->ord = ord();
        cred_rec_t *c = capture_cred_add(r);
        c->ts = (ts_ns_t)v(), c->client = addr(), c->server = addr(), c->server_p = 21;
        c->proto = i ? "ftp" : "smb", c->username = s("user");
        c->has_password = true, c->hashed = i, c->frame = v();
        uid(c->uid);
        c->capture = (uint32_t)v();
        c->ord = ord();
        mime_rec_t *m = capture_mime_add(r);
        m->ts = (ts_ns_t)v(), m->client = addr(), m->server = addr();
        m->url = s("url"), m->declared = s("decl"), m->sniffed = s("sniff"), m->sha256 = s("sha");
        m->frame = v();
        uid(m->uid);
        m->capture = (uint32_t)v();
        m->ord = ord();
        intel_rec_t *n = capture_intel_add(r);
        n->indicator = (uint32_t)v(), n->ts = (ts_ns_t)v(), n->frame = v();
        uid(n->uid);
        n->orig = addr(), n->resp = addr(), n->where = "DNS::IN_REQUEST";
        n->capture = (uint32_t)v();
        n->ord = ord();
        range_rec_t *g = capture_range_add(r);
        g->ts = (ts_ns_t)v(), g->url = s("url"), g->start = v(), g->end = v(), g->total = v();
        g->file_off = v(), g->boundary = i ? s("b") : NULL;
        snprintf(g->sha256, sizeof g->sha256, "%064llu", (unsigned long long)v());
        uid(g->fuid), uid(g->uid);
        g->orig = addr(), g->resp = addr(), g->orig_p = (uint16_t)v(), g->resp_p = (uint16_t)v();
        g->first_frame = v(), g->last_frame = v(), g->capture = (uint32_t)v();
        g->ord = ord();
    }
    for (int i = 0; i < 2; i++) { /* segments kept for the TCP charts */
        r->tcp_segs = xreallocarray(r->tcp_segs, r->ntcp_segs + 1, sizeof *r->tcp_segs);
        r->captcp_segs = r->ntcp_segs + 1;
        tcp_segs_t *t = &r->tcp_segs[r->ntcp_segs++];
        memset(t, 0, sizeof *t);
        uid(t->uid);
        t->bytes = v(), t->first_frame = v(), t->dropped = v();
        t->late_syn[1] = true, t->late_wscale[0] = -1, t->late_wscale[1] = 7;
        t->n = t->cap = 3 + (size_t)i;
        t->seg = xcalloc(t->n, sizeof *t->seg);
        for (size_t j = 0; j < t->n; j++)
            t->seg[j] = (tcp_kept_seg_t){(ts_ns_t)v(),
                                         (uint32_t)v(),
                                         (uint32_t)v(),
                                         (uint32_t)v(),
                                         (uint32_t)v(),
                                         (uint16_t)v(),
                                         (uint8_t)v(),
                                         -1,
                                         (uint8_t)(j == 1 ? 2 : 0),
                                         j % 2 == 0};
        t->nsack = t->sack_cap = 2;
        t->sack = xcalloc(2, sizeof *t->sack);
        for (size_t j = 0; j < 2; j++)
            t->sack[j][0] = (uint32_t)v(), t->sack[j][1] = (uint32_t)v();
    }
    r->decrypt = (tls_decrypt_counts_t){v(), v(), v(), v(), v(), v(), v()};
    x509_info_t x = cert(), y = cert();
    const x509_info_t *certs[] = {&x, &y, &x};
    for (int i = 0; i < 3; i++) {
        cert_sighting_t c;
        memset(&c, 0, sizeof c);
        uid(c.conn.uid);
        c.ts = (ts_ns_t)v(), c.cert = certs[i], c.expired_at_capture = i == 1;
        capture_keep_certificate(r, &c, 6 + i);
        r->certs[r->ncerts - 1].capture = (uint32_t)v();
        r->certs[r->ncerts - 1].ord = ord();
    }
    x509_info_free(&x), x509_info_free(&y);
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define EQ(f) CU_ASSERT_TRUE(memcmp(&a->f, &b->f, sizeof a->f) == 0)
#define EQS(f) CU_ASSERT_TRUE(same_str(a->f, b->f))

static void same_conn(const conn_rec_t *a, const conn_rec_t *b)
{
    EQ(ts);
    EQ(last_ts);
    EQ(rtt_syn);
    EQ(orig);
    EQ(resp);
    EQ(orig_p);
    EQ(resp_p);
    EQ(vlan);
    EQ(proto);
    EQ(state_idx);
    EQ(uid);
    EQ(history);
    EQS(service);
    EQ(orig_bytes);
    EQ(resp_bytes);
    EQ(missed_bytes);
    EQ(orig_pkts);
    EQ(resp_pkts);
    EQ(orig_ip_bytes);
    EQ(resp_ip_bytes);
    EQ(first_frame);
    EQ(last_frame);
    EQ(retransmits);
    EQ(zero_windows);
    EQ(mac_orig);
    EQ(mac_resp);
    EQ(has_mac);
    EQS(name_hint);
    EQ(capture);
    CU_ASSERT_TRUE(same_ord(&a->ord, &b->ord));
}

static void same_x509(const x509_info_t *a, const x509_info_t *b)
{
    EQ(sha256);
    EQ(sha1);
    EQ(version);
    EQS(serial);
    EQS(subject);
    EQS(issuer);
    EQS(cn);
    EQ(not_before);
    EQ(not_after);
    EQS(key_alg);
    EQS(sig_alg);
    EQS(key_type);
    EQS(curve);
    EQ(key_length);
    EQ(nsan_dns);
    EQ(nsan_ip);
    EQ(ca);
    EQ(path_len);
    EQ(self_signed);
    EQ(flaws);
    for (size_t i = 0; i < a->nsan_dns && i < b->nsan_dns; i++)
        EQS(san_dns[i]);
    for (size_t i = 0; i < a->nsan_ip && i < b->nsan_ip; i++)
        EQS(san_ip[i]);
}

/* Row i of a log spool, as written (with its newline). */
static char *row_text(logstore_t *ls, size_t i)
{
    char *buf = NULL;
    size_t cap = 0;
    long n = logstore_read(ls, i, &buf, &cap);
    CU_ASSERT_EQUAL_FATAL(n, (long)ls->rows[i].len);
    buf = realloc(buf, (size_t)n + 1);
    buf[n] = '\0';
    return buf;
}

static void same_records(const capture_result_t *a, const capture_result_t *b)
{
    CU_ASSERT_EQUAL_FATAL(a->ndns, b->ndns);
    for (size_t i = 0; i < a->ndns; i++) {
        const dns_rec_t *x = &a->dns[i], *y = &b->dns[i];
        CU_ASSERT_TRUE(x->ts == y->ts && ipaddr_eq(&x->client, &y->client) &&
                       ipaddr_eq(&x->server, &y->server) && same_str(x->query, y->query) &&
                       x->qtype == y->qtype && x->rcode == y->rcode && x->frame == y->frame &&
                       !strcmp(x->uid, y->uid) && x->capture == y->capture &&
                       same_ord(&x->ord, &y->ord));
    }
    CU_ASSERT_EQUAL_FATAL(a->ntls, b->ntls);
    for (size_t i = 0; i < a->ntls; i++) {
        const tls_rec_t *x = &a->tls[i], *y = &b->tls[i];
        CU_ASSERT_TRUE(x->ts == y->ts && ipaddr_eq(&x->client, &y->client) &&
                       ipaddr_eq(&x->server, &y->server) && x->server_p == y->server_p &&
                       same_str(x->sni, y->sni) && same_str(x->ja3, y->ja3) &&
                       same_str(x->ja4, y->ja4) && same_str(x->cert_fp, y->cert_fp) &&
                       same_str(x->cert_cn, y->cert_cn) && x->ncert_sans == y->ncert_sans &&
                       x->self_signed == y->self_signed && x->expired == y->expired &&
                       x->sni_mismatch == y->sni_mismatch && x->frame == y->frame &&
                       !strcmp(x->uid, y->uid) && x->capture == y->capture &&
                       same_ord(&x->ord, &y->ord));
        for (size_t j = 0; j < x->ncert_sans && j < y->ncert_sans; j++)
            CU_ASSERT_STRING_EQUAL(x->cert_sans[j], y->cert_sans[j]);
    }
    CU_ASSERT_EQUAL_FATAL(a->ncreds, b->ncreds);
    for (size_t i = 0; i < a->ncreds; i++) {
        const cred_rec_t *x = &a->creds[i], *y = &b->creds[i];
        CU_ASSERT_TRUE(x->ts == y->ts && ipaddr_eq(&x->client, &y->client) &&
                       ipaddr_eq(&x->server, &y->server) && x->server_p == y->server_p &&
                       same_str(x->proto, y->proto) && same_str(x->username, y->username) &&
                       x->has_password == y->has_password && x->hashed == y->hashed &&
                       x->frame == y->frame && !strcmp(x->uid, y->uid) &&
                       x->capture == y->capture && same_ord(&x->ord, &y->ord));
    }
    CU_ASSERT_EQUAL_FATAL(a->nmimes, b->nmimes);
    for (size_t i = 0; i < a->nmimes; i++) {
        const mime_rec_t *x = &a->mimes[i], *y = &b->mimes[i];
        CU_ASSERT_TRUE(x->ts == y->ts && ipaddr_eq(&x->client, &y->client) &&
                       ipaddr_eq(&x->server, &y->server) && same_str(x->url, y->url) &&
                       same_str(x->declared, y->declared) && same_str(x->sniffed, y->sniffed) &&
                       same_str(x->sha256, y->sha256) && x->frame == y->frame &&
                       !strcmp(x->uid, y->uid) && x->capture == y->capture &&
                       same_ord(&x->ord, &y->ord));
    }
    CU_ASSERT_EQUAL_FATAL(a->nintel, b->nintel);
    for (size_t i = 0; i < a->nintel; i++) {
        const intel_rec_t *x = &a->intel[i], *y = &b->intel[i];
        CU_ASSERT_TRUE(x->indicator == y->indicator && x->ts == y->ts && x->frame == y->frame &&
                       !strcmp(x->uid, y->uid) && ipaddr_eq(&x->orig, &y->orig) &&
                       ipaddr_eq(&x->resp, &y->resp) && same_str(x->where, y->where) &&
                       x->capture == y->capture && same_ord(&x->ord, &y->ord));
    }
    CU_ASSERT_EQUAL_FATAL(a->nranges, b->nranges);
    for (size_t i = 0; i < a->nranges; i++) {
        const range_rec_t *x = &a->ranges[i], *y = &b->ranges[i];
        CU_ASSERT_TRUE(x->ts == y->ts && same_str(x->url, y->url) && x->start == y->start &&
                       x->end == y->end && x->total == y->total && x->file_off == y->file_off &&
                       same_str(x->boundary, y->boundary) && !strcmp(x->sha256, y->sha256) &&
                       !strcmp(x->fuid, y->fuid) && !strcmp(x->uid, y->uid) &&
                       ipaddr_eq(&x->orig, &y->orig) && ipaddr_eq(&x->resp, &y->resp) &&
                       x->orig_p == y->orig_p && x->resp_p == y->resp_p &&
                       x->first_frame == y->first_frame && x->last_frame == y->last_frame &&
                       x->capture == y->capture && same_ord(&x->ord, &y->ord));
    }
    CU_ASSERT_EQUAL_FATAL(a->ncerts, b->ncerts);
    CU_ASSERT_EQUAL_FATAL(a->cert_fields.n, b->cert_fields.n);
    for (size_t i = 0; i < a->ncerts; i++) {
        const cert_rec_t *x = &a->certs[i], *y = &b->certs[i];
        CU_ASSERT_TRUE(!strcmp(x->fp, y->fp) && x->ts == y->ts && !strcmp(x->uid, y->uid) &&
                       x->capture == y->capture && x->expired_at_capture == y->expired_at_capture &&
                       x->ts_digits == y->ts_digits && same_ord(&x->ord, &y->ord));
        same_x509(x->fields, y->fields);
        CU_ASSERT_STRING_EQUAL(y->fields->sha256, y->fp);
    }
}

static void same_result(capture_result_t *a, capture_result_t *b)
{
    EQS(path);
    EQS(name);
    EQ(size);
    EQ(sha256);
    EQ(sha256_hex);
    EQ(format);
    EQ(linktypes);
    EQ(nlinktypes);
    EQ(ts_digits);
    EQ(packets);
    EQ(bytes_captured);
    EQ(bytes_wire);
    EQ(ip_packets);
    EQ(first_ts);
    EQ(last_ts);
    EQ(dstats);
    EQ(damaged);
    EQ(unusable);
    EQ(error);
    EQ(decrypt);
    CU_ASSERT_EQUAL_FATAL(a->damage.n, b->damage.n);
    for (size_t i = 0; i < a->damage.n; i++) {
        EQS(damage.v[i].reason);
        EQ(damage.v[i].count);
        EQ(damage.v[i].nframes);
        EQ(damage.v[i].frames);
    }
    CU_ASSERT_EQUAL_FATAL(a->nconns, b->nconns);
    for (size_t i = 0; i < a->nconns; i++)
        same_conn(capture_conn(a, i), capture_conn(b, i));
    for (int k = 0; k < LOG_SPOOLED_COUNT; k++) {
        CU_ASSERT_EQUAL_FATAL(a->logs[k].n, b->logs[k].n);
        for (size_t i = 0; i < a->logs[k].n; i++) {
            CU_ASSERT_EQUAL(a->logs[k].rows[i].ts, b->logs[k].rows[i].ts);
            CU_ASSERT_TRUE(same_ord(&a->logs[k].rows[i].ord, &b->logs[k].rows[i].ord));
            char *x = row_text(&a->logs[k], i), *y = row_text(&b->logs[k], i);
            CU_ASSERT_STRING_EQUAL(x, y);
            free(x), free(y);
        }
    }
    CU_ASSERT_EQUAL_FATAL(a->nrates, b->nrates);
    CU_ASSERT_EQUAL(memcmp(a->rates, b->rates, a->nrates * sizeof *a->rates), 0);
    CU_ASSERT_EQUAL_FATAL(a->npdns, b->npdns);
    for (size_t i = 0; i < a->npdns; i++) {
        EQS(pdns[i].name);
        EQ(pdns[i].addr);
        EQ(pdns[i].first);
        EQ(pdns[i].last);
    }
    CU_ASSERT_EQUAL_FATAL(a->ntcp_segs, b->ntcp_segs);
    for (size_t i = 0; i < a->ntcp_segs; i++) {
        const tcp_segs_t *x = &a->tcp_segs[i], *y = &b->tcp_segs[i];
        CU_ASSERT_TRUE(!strcmp(x->uid, y->uid) && x->bytes == y->bytes &&
                       x->first_frame == y->first_frame && x->dropped == y->dropped &&
                       !memcmp(x->late_syn, y->late_syn, sizeof x->late_syn) &&
                       !memcmp(x->late_wscale, y->late_wscale, sizeof x->late_wscale));
        CU_ASSERT_EQUAL_FATAL(x->n, y->n);
        for (size_t j = 0; j < x->n; j++) {
            const tcp_kept_seg_t *p = &x->seg[j], *q = &y->seg[j];
            CU_ASSERT_TRUE(p->ts == q->ts && p->frame_off == q->frame_off && p->seq == q->seq &&
                           p->ack == q->ack && p->len == q->len && p->win == q->win &&
                           p->flags == q->flags && p->wscale == q->wscale && p->nsack == q->nsack &&
                           p->fwd == q->fwd);
        }
        CU_ASSERT_EQUAL_FATAL(x->nsack, y->nsack);
        CU_ASSERT_EQUAL(memcmp(x->sack, y->sack, x->nsack * sizeof *x->sack), 0);
    }
    same_records(a, b);
}

static partial_head_t head(const capture_result_t *r)
{
    partial_head_t h;
    memset(&h, 0, sizeof h);
    h.shard_k = 2, h.shard_n = 3;
    partial_head_opt(&h, "bpf", "tcp port 80");
    partial_head_opt(&h, "name", "case one");
    h.ninputs = 1;
    h.inputs = calloc(1, sizeof *h.inputs);
    h.input_sha256 = calloc(1, sizeof *h.input_sha256);
    h.inputs[0] = strdup(r->path);
    h.input_sha256[0] = strdup(r->sha256_hex);
    return h;
}

static char *partial_path(const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void test_round_trip(void)
{
    capture_result_t a, b;
    fill(&a);
    partial_head_t h = head(&a), back;
    char *path = partial_path("one.bin"), err[512] = "";
    capture_result_t *list[] = {&a};
    CU_ASSERT_EQUAL_FATAL(partial_write(path, &h, list, err, sizeof err), 0);
    memset(&b, 0, sizeof b);
    CU_ASSERT_EQUAL_FATAL(partial_read(path, &back, &b, 1, dir, err, sizeof err), 0);
    CU_ASSERT_EQUAL(back.shard_k, 2);
    CU_ASSERT_EQUAL(back.shard_n, 3);
    CU_ASSERT_EQUAL_FATAL(back.nopts, 2);
    CU_ASSERT_STRING_EQUAL(back.opts[0], "bpf=tcp port 80");
    CU_ASSERT_STRING_EQUAL(back.opts[1], "name=case one");
    CU_ASSERT_EQUAL_FATAL(back.ninputs, 1);
    CU_ASSERT_STRING_EQUAL(back.inputs[0], a.path);
    CU_ASSERT_STRING_EQUAL(back.input_sha256[0], a.sha256_hex);
    same_result(&a, &b);
    /* the damage as one analysis keeps it: counts and first frames */
    CU_ASSERT_STRING_EQUAL(b.damage.v[0].reason, "tcp.bad_checksum");
    CU_ASSERT_EQUAL(b.damage.v[0].count, 5);
    CU_ASSERT_EQUAL(b.damage.v[0].nframes, 2);
    CU_ASSERT_EQUAL(b.damage.v[1].count, 2);
    CU_ASSERT_EQUAL(b.pdns[0].first, 100);
    CU_ASSERT_EQUAL(b.pdns[0].last, 300);
    /* the sightings of one certificate share its fields, as keep.c makes them */
    CU_ASSERT_EQUAL(b.cert_fields.n, 2);
    CU_ASSERT_PTR_EQUAL(b.certs[0].fields, b.certs[2].fields);
    partial_head_free(&h), partial_head_free(&back);
    capture_result_free(&a), capture_result_free(&b);
    free(path);
}

/* A second shard read into the same result: its description must agree;
 * tallies add up, records and rows are appended. */
static void test_second_shard_appends(void)
{
    capture_result_t a, b;
    fill(&a);
    partial_head_t h = head(&a), back;
    char *path = partial_path("two.bin"), err[512] = "";
    capture_result_t *list[] = {&a};
    CU_ASSERT_EQUAL_FATAL(partial_write(path, &h, list, err, sizeof err), 0);
    memset(&b, 0, sizeof b);
    CU_ASSERT_EQUAL_FATAL(partial_read(path, &back, &b, 1, dir, err, sizeof err), 0);
    partial_head_free(&back);
    CU_ASSERT_EQUAL_FATAL(partial_read(path, &back, &b, 1, dir, err, sizeof err), 0);
    partial_head_free(&back);
    CU_ASSERT_EQUAL(b.packets, 2 * a.packets);
    CU_ASSERT_EQUAL(b.decrypt.records_rejected, 2 * a.decrypt.records_rejected);
    CU_ASSERT_EQUAL(b.nconns, 2 * a.nconns);
    CU_ASSERT_EQUAL(b.logs[LOG_HTTP].n, 2 * a.logs[LOG_HTTP].n);
    CU_ASSERT_EQUAL(b.ncerts, 2 * a.ncerts);
    CU_ASSERT_EQUAL(b.cert_fields.n, a.cert_fields.n); /* one copy per certificate */
    CU_ASSERT_EQUAL(b.npdns, a.npdns);                 /* a union */
    CU_ASSERT_EQUAL(b.nrates, a.nrates);               /* summed per second */
    CU_ASSERT_EQUAL(b.rates[1].tcp, 2 * a.rates[1].tcp);
    CU_ASSERT_EQUAL(b.damage.v[0].count, 2 * a.damage.v[0].count);
    CU_ASSERT_STRING_EQUAL(b.path, a.path);
    /* a shard that saw the capture differently is refused */
    b.last_ts++;
    CU_ASSERT_EQUAL(partial_read(path, &back, &b, 1, dir, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "description of a capture differs"));
    partial_head_free(&back);
    partial_head_free(&h);
    capture_result_free(&a), capture_result_free(&b);
    free(path);
}

/* A file cut short, or not a partial, is refused naming the file. */
static void test_refuses_damaged(void)
{
    capture_result_t a, b;
    fill(&a);
    partial_head_t h = head(&a), back;
    char *path = partial_path("cut.bin"), err[512] = "";
    capture_result_t *list[] = {&a};
    CU_ASSERT_EQUAL_FATAL(partial_write(path, &h, list, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CU_ASSERT_EQUAL(truncate(path, size - 10), 0);
    memset(&b, 0, sizeof b);
    CU_ASSERT_EQUAL(partial_read(path, &back, &b, 1, dir, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ends early"));
    partial_head_free(&back);
    capture_result_free(&b);
    f = fopen(path, "wb");
    fputs("{\"not\": \"a partial\"}\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(partial_read(path, &back, NULL, 0, dir, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a pcapcase partial case"));
    partial_head_free(&back);
    partial_head_free(&h);
    capture_result_free(&a);
    free(path);
}

static void test_cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static const cu_test_t tests[] = {{"round_trip", test_round_trip},
                                  {"second_shard_appends", test_second_shard_appends},
                                  {"refuses_damaged", test_refuses_damaged},
                                  {"cleanup", test_cleanup},
                                  {NULL, NULL}};

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    return cu_run("partial", tests);
}
