/* conn.c — the connection table; see conn.h. */
#include "conn.h"

#include "core/xalloc.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_TCP, LIST_CLOSED, LIST_OTHER, NLISTS };

static const ts_ns_t list_timeout[NLISTS] = {CONN_TCP_TIMEOUT_NS, CONN_CLOSE_DELAY_NS,
                                             CONN_UDP_TIMEOUT_NS};

typedef struct conn_list {
    conn_t *head, *tail;
} conn_list_t;

struct conn_table {
    conn_t **buckets;
    size_t nbuckets;
    uint64_t live, total;
    conn_list_t lists[NLISTS];
    conn_finish_fn on_finish;
    void *ctx;
    uint64_t salt;
    damage_t *damage;
    uint64_t max_live; /* CONN_MAX_LIVE, or the worker's share of it */
};

/* ---- key handling ---- */

/* ICMP has no ports: Zeek uses the type as the originator "port" and the type
 * of the expected answer (or the code) as the responder "port", so a request
 * and its reply share one connection. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    static const uint8_t v4[][2] = {{8, 0}, {13, 14}, {15, 16}, {17, 18}, {10, 9}};
    static const uint8_t v6[][2] = {{128, 129}, {133, 134}, {135, 136}, {130, 131}};
    const uint8_t(*t)[2] = proto == IPPROTO_ICMP ? v4 : v6;
    size_t n = proto == IPPROTO_ICMP ? 5 : 4;
    for (size_t i = 0; i < n; i++) {
        if (t[i][0] == type)
            return t[i][1];
        if (t[i][1] == type)
            return t[i][0];
    }
    return -1;
}

static void packet_ports(const packet_t *p, uint16_t *sp, uint16_t *dp)
{
    if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
        *sp = p->sport, *dp = p->dport;
    } else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
        int cp = icmp_counterpart(p->proto, p->icmp_type);
        *sp = p->icmp_type;
        *dp = cp >= 0 ? (uint16_t)cp : p->icmp_code;
    } else {
        *sp = *dp = 0;
    }
}

static uint64_t key_hash(const ipaddr_t *a, uint16_t ap, const ipaddr_t *b, uint16_t bp,
                         uint8_t proto, uint16_t vlan)
{
    /* order-independent: hash the smaller endpoint first */
    int c = ipaddr_cmp(a, b);
    if (c > 0 || (c == 0 && ap > bp)) {
        const ipaddr_t *t = a;
        a = b, b = t;
        uint16_t tp = ap;
        ap = bp, bp = tp;
    }
    uint64_t h = hash_fnv1a(a->a, 16, 0);
    h = hash_fnv1a(b->a, 16, h);
    (void)vlan; /* not hashed: the reverse direction may use another VLAN */
    uint32_t extra[2] = {(uint32_t)ap << 16 | bp, (uint32_t)proto};
    return hash_fnv1a(extra, sizeof extra, h);
}

/* 0 = no match, 1 = same direction as the originator, 2 = reverse */
static int key_match(const conn_t *c, const ipaddr_t *s, uint16_t sp, const ipaddr_t *d,
                     uint16_t dp, uint8_t proto, uint16_t vlan)
{
    /* Packets in the originator's direction must carry the same VLAN; the
     * other direction may come back on another VLAN (a router between VLANs
     * seen on a trunk port), as Zeek, which ignores VLANs, would pair them. */
    if (c->proto != proto)
        return 0;
    if (c->orig_p == sp && c->resp_p == dp && ipaddr_eq(&c->orig, s) && ipaddr_eq(&c->resp, d))
        return c->vlan == vlan ? 1 : 0;
    if (c->orig_p == dp && c->resp_p == sp && ipaddr_eq(&c->orig, d) && ipaddr_eq(&c->resp, s))
        return 2;
    return 0;
}

/* ---- lists ---- */

static void list_unlink(conn_table_t *t, conn_t *c)
{
    conn_list_t *l = &t->lists[c->list];
    if (c->lprev)
        c->lprev->lnext = c->lnext;
    else
        l->head = c->lnext;
    if (c->lnext)
        c->lnext->lprev = c->lprev;
    else
        l->tail = c->lprev;
    c->lprev = c->lnext = NULL;
}

static void list_append(conn_table_t *t, conn_t *c, uint8_t which)
{
    conn_list_t *l = &t->lists[which];
    c->list = which;
    c->lprev = l->tail;
    c->lnext = NULL;
    if (l->tail)
        l->tail->lnext = c;
    else
        l->head = c;
    l->tail = c;
}

/* ---- table ---- */

conn_table_t *conn_table_new(conn_finish_fn on_finish, void *ctx, uint64_t uid_salt,
                             damage_t *damage)
{
    conn_table_t *t = xcalloc(1, sizeof *t);
    t->nbuckets = 1 << 14;
    t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
    t->on_finish = on_finish;
    t->ctx = ctx;
    t->salt = uid_salt;
    t->damage = damage;
    t->max_live = CONN_MAX_LIVE;
    return t;
}

void conn_table_set_max_live(conn_table_t *t, uint64_t max_live)
{
    t->max_live = max_live ? max_live : 1;
}

static size_t bucket_of(const conn_table_t *t, const conn_t *c)
{
    return key_hash(&c->orig, c->orig_p, &c->resp, c->resp_p, c->proto, c->vlan) &
           (t->nbuckets - 1);
}

static void grow(conn_table_t *t)
{
    size_t n = t->nbuckets * 2;
    conn_t **nb = xcalloc(n, sizeof *nb);
    for (size_t i = 0; i < t->nbuckets; i++) {
        conn_t *c = t->buckets[i];
        while (c) {
            conn_t *next = c->hnext;
            size_t b =
                key_hash(&c->orig, c->orig_p, &c->resp, c->resp_p, c->proto, c->vlan) & (n - 1);
            c->hnext = nb[b];
            nb[b] = c;
            c = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
}

static void finish(conn_table_t *t, conn_t *c)
{
    size_t b = bucket_of(t, c);
    conn_t **pp = &t->buckets[b];
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    list_unlink(t, c);
    t->live--;
    if (t->on_finish)
        t->on_finish(t->ctx, c);
    free(c);
}

static int cmp_seq(const void *a, const void *b)
{
    uint64_t x = (*(conn_t *const *)a)->seq_no, y = (*(conn_t *const *)b)->seq_no;
    return x < y ? -1 : x > y;
}

void conn_table_free(conn_table_t *t)
{
    if (!t)
        return;
    conn_t **all = xcalloc(t->live ? t->live : 1, sizeof *all);
    size_t n = 0;
    for (int l = 0; l < NLISTS; l++)
        for (conn_t *c = t->lists[l].head; c; c = c->lnext)
            all[n++] = c;
    xqsort(all, n, sizeof *all, cmp_seq);
    for (size_t i = 0; i < n; i++)
        finish(t, all[i]);
    free(all);
    free(t->buckets);
    free(t);
}

static void make_uid(const conn_table_t *t, conn_t *c)
{
    uint64_t parts[2] = {t->salt, c->first_frame};
    uint64_t h1 = hash_fnv1a(parts, sizeof parts, 0);
    zeek_id('C', h1, hash_fnv1a(&h1, sizeof h1, 0x9E3779B97F4A7C15ULL), c->uid);
}

/* Well-known server ports used to pick the originator when the first packet
 * seen is mid-conversation (no SYN): the side on the service port responds. */
static bool likely_server_port(uint16_t p)
{
    return p < 1024 || p == 1080 || p == 1433 || p == 1521 || p == 3128 || p == 3306 || p == 3389 ||
           p == 5060 || p == 5353 || p == 5355 || p == 5432 || p == 6379 || p == 8000 ||
           p == 8080 || p == 8443 || p == 8888 || p == 9200 || p == 27017;
}

static conn_t *create(conn_table_t *t, const packet_t *p, uint16_t sp, uint16_t dp, uint64_t frame,
                      ts_ns_t ts)
{
    if (t->live >= t->max_live) {
        /* evict the least recently active: TCP list head is the oldest TCP,
         * compare list heads and take the oldest overall */
        conn_t *victim = NULL;
        for (int l = 0; l < NLISTS; l++) {
            conn_t *h = t->lists[l].head;
            if (h && (!victim || h->last_ts < victim->last_ts))
                victim = h;
        }
        if (victim) {
            damage_note(t->damage, "limit.conn_evicted_at_cap", victim->first_frame);
            finish(t, victim);
        }
    }
    if (t->live >= t->nbuckets)
        grow(t);
    conn_t *c = xcalloc(1, sizeof *c);
    bool flip = false;
    if (p->proto == IPPROTO_TCP) {
        if ((p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
            flip = true;
        else if (!(p->tcp_flags & TCP_SYN) && likely_server_port(p->sport) &&
                 !likely_server_port(p->dport))
            flip = true;
    } else if (p->proto == IPPROTO_UDP) {
        flip = likely_server_port(p->sport) && !likely_server_port(p->dport);
    } else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
        /* a reply seen first: the replier is the responder */
        int cp = icmp_counterpart(p->proto, p->icmp_type);
        flip = cp >= 0 && (p->icmp_type == 0 || p->icmp_type == 14 || p->icmp_type == 16 ||
                           p->icmp_type == 18 || p->icmp_type == 129 || p->icmp_type == 136);
    }
    c->proto = p->proto;
    c->vlan = p->vlan;
    if (!flip) {
        c->orig = p->src, c->resp = p->dst, c->orig_p = sp, c->resp_p = dp;
    } else {
        c->orig = p->dst, c->resp = p->src, c->orig_p = dp, c->resp_p = sp;
        c->flipped = true;
        if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
            c->history[c->hist_len++] = '^';
            c->history[c->hist_len] = 0;
        }
    }
    c->first_ts = c->last_ts = ts;
    c->first_frame = frame;
    c->seq_no = t->total++;
    c->ep[0].wscale = c->ep[1].wscale = -1;
    make_uid(t, c);
    size_t b = bucket_of(t, c);
    c->hnext = t->buckets[b];
    t->buckets[b] = c;
    list_append(t, c, p->proto == IPPROTO_TCP ? LIST_TCP : LIST_OTHER);
    t->live++;
    return c;
}

/* ---- TCP state ---- */

static const char hist_letters[] = "SHFRDATWGIQ";

static void history_add(conn_t *c, int side, char letter, bool once)
{
    const char *pos = strchr(hist_letters, letter);
    uint32_t bit = pos ? 1u << (pos - hist_letters) : 0;
    conn_endpoint_t *ep = &c->ep[side];
    if (once && (ep->hist_once & bit))
        return;
    ep->hist_once |= bit;
    if (c->hist_len < CONN_HISTORY_MAX) {
        c->history[c->hist_len++] = side == 0 ? letter : (char)tolower((unsigned char)letter);
        c->history[c->hist_len] = 0;
    }
}

/* Unwrap a 32-bit sequence number to a 64-bit offset from the ISN, using the
 * previous packet's position: valid while consecutive packets of a direction
 * are within 2 GiB of each other, which TCP's window guarantees. */
static uint64_t seq_rel(const conn_endpoint_t *ep, uint32_t seq)
{
    int64_t rel = (int64_t)ep->last_rel + (int32_t)(seq - ep->last_seq);
    return rel < 0 ? 0 : (uint64_t)rel;
}

static void tcp_update(conn_t *c, int side, const packet_t *p)
{
    conn_endpoint_t *ep = &c->ep[side], *peer = &c->ep[1 - side];
    uint8_t f = p->tcp_flags;
    bool syn = f & TCP_SYN, fin = f & TCP_FIN, rst = f & TCP_RST, ack = f & TCP_ACK;
    uint32_t len = p->payload_wire;
    if (!ep->seq_init) {
        ep->seq_init = true;
        ep->isn = p->seq;
        ep->last_seq = p->seq;
        ep->last_rel = 0;
        ep->max_end = 0;
    }
    uint64_t rel = seq_rel(ep, p->seq);
    uint64_t end = rel + len + (syn ? 1 : 0) + (fin ? 1 : 0);
    if (tcp_retrans_below_highest(len, syn, end, ep->max_end)) {
        ep->retransmits++;
        history_add(c, side, 'T', true);
    }
    if (end > ep->max_end)
        ep->max_end = end;
    ep->last_seq = p->seq;
    ep->last_rel = rel;
    if (syn) {
        ep->saw_syn = true;
        if (p->wscale >= 0)
            ep->wscale = p->wscale;
        if (p->mss)
            ep->mss = p->mss;
    }
    if (fin)
        ep->saw_fin = true;
    /* history (Zeek's update_history) */
    int bits = syn + fin + rst;
    if (bits > 1)
        history_add(c, side, fin && rst ? 'I' : 'Q', true);
    else if (syn)
        history_add(c, side, ack ? 'H' : 'S', true);
    else if (fin)
        history_add(c, side, 'F', true);
    else if (rst)
        history_add(c, side, 'R', true);
    else if (ack && len == 0)
        history_add(c, side, 'A', true);
    if (len > 0)
        history_add(c, side, 'D', true);
    if (p->win == 0 && !rst && !syn && ack) {
        ep->zero_windows++;
        history_add(c, side, 'W', true);
    }
    ep->last_win = p->win;
    /* endpoint states (Zeek's TCP endpoint state machine, simplified) */
    if (rst) {
        ep->state = EP_RESET;
    } else if (fin) {
        if (ep->state != EP_RESET)
            ep->state = EP_CLOSED;
    } else if (syn) {
        if (ep->state == EP_INACTIVE)
            ep->state = ack ? EP_SYN_ACK_SENT : EP_SYN_SENT;
    } else {
        if (ep->state == EP_INACTIVE)
            ep->state = EP_PARTIAL;
        else if (ep->state == EP_SYN_SENT || ep->state == EP_SYN_ACK_SENT) {
            ep->state = EP_ESTABLISHED;
            if (peer->state == EP_SYN_SENT || peer->state == EP_SYN_ACK_SENT)
                peer->state = EP_ESTABLISHED;
        }
    }
}

static bool tcp_closed(const conn_t *c)
{
    const conn_endpoint_t *o = &c->ep[0], *r = &c->ep[1];
    return o->state == EP_RESET || r->state == EP_RESET ||
           (o->state == EP_CLOSED && r->state == EP_CLOSED);
}

static bool expired(const conn_t *c, ts_ns_t now)
{
    return now - c->last_ts > list_timeout[c->list];
}

conn_t *conn_packet(conn_table_t *t, const packet_t *p, uint64_t frame, ts_ns_t ts, bool *is_orig)
{
    uint16_t sp, dp;
    packet_ports(p, &sp, &dp);
    size_t b = key_hash(&p->src, sp, &p->dst, dp, p->proto, p->vlan) & (t->nbuckets - 1);
    conn_t *c = t->buckets[b];
    int m = 0;
    for (; c; c = c->hnext)
        if ((m = key_match(c, &p->src, sp, &p->dst, dp, p->proto, p->vlan)))
            break;
    if (c && (expired(c, ts) || (p->proto == IPPROTO_TCP && c->list == LIST_CLOSED &&
                                 (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN))) {
        finish(t, c); /* idle too long, or port reuse after close */
        c = NULL;
    }
    if (!c) {
        c = create(t, p, sp, dp, frame, ts);
        m = ipaddr_eq(&c->orig, &p->src) && c->orig_p == sp ? 1 : 2;
        if (ipaddr_eq(&p->src, &p->dst) && sp == dp)
            m = 1;
    }
    int side = m == 1 ? 0 : 1;
    *is_orig = side == 0;
    if (ts > c->last_ts)
        c->last_ts = ts;
    c->last_frame = frame;
    conn_endpoint_t *ep = &c->ep[side];
    ep->pkts++;
    ep->ip_bytes += p->ip_len;
    ep->payload_bytes += p->payload_wire;
    if (p->has_mac && !c->has_mac) {
        c->has_mac = true;
        memcpy(side == 0 ? c->mac_orig : c->mac_resp, p->mac_src, 6);
        memcpy(side == 0 ? c->mac_resp : c->mac_orig, p->mac_dst, 6);
    }
    if (p->proto == IPPROTO_TCP) {
        tcp_update(c, side, p);
        tcp_handshake_note(&c->hs, side == 0, p->tcp_flags, ts);
    } else if (p->proto == IPPROTO_UDP && p->payload_wire > 0) {
        history_add(c, side, 'D', true);
    }
    uint8_t want = p->proto == IPPROTO_TCP ? (tcp_closed(c) ? LIST_CLOSED : LIST_TCP) : LIST_OTHER;
    list_unlink(t, c);
    list_append(t, c, want);
    return c;
}

void conn_note_gap(conn_t *c, int side, uint64_t len)
{
    c->missed_bytes += len;
    history_add(c, side, 'G', true);
}

void conn_flip(conn_t *c)
{
    /* Only identity and per-side figures move; the hash bucket is the same
     * because the key hash is direction-independent. */
    ipaddr_t ip = c->orig;
    c->orig = c->resp, c->resp = ip;
    uint16_t p = c->orig_p;
    c->orig_p = c->resp_p, c->resp_p = p;
    conn_endpoint_t ep = c->ep[0];
    c->ep[0] = c->ep[1], c->ep[1] = ep;
    uint8_t mac[6];
    memcpy(mac, c->mac_orig, 6);
    memcpy(c->mac_orig, c->mac_resp, 6);
    memcpy(c->mac_resp, mac, 6);
    c->flipped = !c->flipped;
    if (c->hist_len < CONN_HISTORY_MAX) {
        c->history[c->hist_len++] = '^';
        c->history[c->hist_len] = 0;
    }
}

void conn_expire(conn_table_t *t, ts_ns_t now)
{
    for (int l = 0; l < NLISTS; l++) {
        conn_t *c;
        while ((c = t->lists[l].head) && expired(c, now))
            finish(t, c);
    }
}

uint64_t conn_table_live(const conn_table_t *t)
{
    return t->live;
}
uint64_t conn_table_total(const conn_table_t *t)
{
    return t->total;
}

uint64_t conn_size(const conn_t *c, int side)
{
    const conn_endpoint_t *ep = &c->ep[side];
    if (c->proto != IPPROTO_TCP)
        return ep->payload_bytes;
    if (!ep->seq_init)
        return 0;
    uint64_t s = ep->max_end;
    if (ep->saw_syn && s > 0)
        s--;
    if (ep->saw_fin && s > 0)
        s--;
    return s;
}

ts_ns_t conn_rtt_syn(const conn_t *c)
{
    return tcp_handshake_rtt(&c->hs);
}

/* Zeek's conn_state(), base/protocols/conn/main.zeek. */
const char *conn_state_name(const conn_t *c)
{
    const conn_endpoint_t *o = &c->ep[0], *r = &c->ep[1];
    if (c->proto == IPPROTO_UDP) {
        if (o->pkts)
            return r->pkts ? "SF" : "S0";
        return r->pkts ? "SHR" : "OTH";
    }
    if (c->proto != IPPROTO_TCP)
        return "OTH";
    int os = o->state, rs = r->state;
    bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
    bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;
    if (rs == EP_RESET) {
        if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
            (os == EP_RESET && conn_size(c, 0) == 0 && conn_size(c, 1) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == EP_RESET) {
        if (r_inactive) {
            /* /^\^?S[^HAFGIQ]*R.*$/ on the history */
            const char *h = c->history;
            if (*h == '^')
                h++;
            if (*h == 'S') {
                h++;
                while (*h && !strchr("HAFGIQ", *h) && *h != 'R')
                    h++;
                if (*h == 'R')
                    return "RSTOS0";
            }
            return "OTH";
        }
        return "RSTO";
    }
    if (rs == EP_CLOSED && os == EP_CLOSED)
        return "SF";
    if (os == EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == EP_SYN_SENT && rs == EP_INACTIVE)
        return "S0";
    if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
        return "S1";
    return "OTH";
}
