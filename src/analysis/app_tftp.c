/* app_tftp.c — see app_tftp.h. */
#include "analysis/app_tftp.h"

#include "analysis/carve.h"
#include "core/xalloc.h"
#include "proto/tftp.h"

#include <stdlib.h>
#include <string.h>

/* Requests kept per capture: a client asks once per file; a flood of
 * requests must not grow memory without bound ("limit.tftp_requests"). */
#define TFTP_MAX_REQUESTS 65536

typedef struct tftp_request {
    struct tftp_request *next;
    ipaddr_t client, server;
    uint16_t client_p;
    char *filename;
    bool write; /* WRQ: the client sends the file */
    uint32_t blksize;
    const conn_t *taken; /* the transfer's connection, once one took it */
    uint64_t seq;        /* arrival order in the registry */
} tftp_request_t;

/* Requests by the client's address and port (every lookup knows them), each
 * bucket in the order the requests came: a flood of requests, or of packets
 * to port 69, costs a bucket's walk, not the registry's. */
#define TFTP_BUCKETS 4096

typedef struct tftp_registry {
    tftp_request_t *head[TFTP_BUCKETS], **tail[TFTP_BUCKETS];
    size_t n;
    bool full_noted;
    size_t held_bytes; /* DATA bytes held ahead of a missing block, all transfers */
} tftp_registry_t;

static tftp_registry_t *registry(const an_ctx_t *ctx)
{
    if (!ctx->shared->tftp) {
        tftp_registry_t *r = xcalloc(1, sizeof *r);
        for (size_t i = 0; i < TFTP_BUCKETS; i++)
            r->tail[i] = &r->head[i];
        ctx->shared->tftp = r;
    }
    return ctx->shared->tftp;
}

static size_t bucket_of(const ipaddr_t *client, uint16_t client_p)
{
    uint64_t h = hash_fnv1a(client->a, sizeof client->a, 0);
    return (size_t)(hash_fnv1a(&client_p, sizeof client_p, h) % TFTP_BUCKETS);
}

/* The requests a client made from one port, oldest first. */
static tftp_request_t *requests_of(const tftp_registry_t *r, const ipaddr_t *client,
                                   uint16_t client_p)
{
    return r ? r->head[bucket_of(client, client_p)] : NULL;
}

/* ---- requests ---- */

/* A server may answer from port 69 itself rather than from a new port (some
 * embedded and PXE servers do; tshark follows them): the transfer then runs
 * on the request's own connection, and the request analyser hands its
 * packets to a transfer of its own. */
typedef struct tftp_xfer_state tftp_xfer_state_t;
static tftp_xfer_state_t *xfer_open(const an_ctx_t *ctx, conn_t *c, tftp_request_t *q,
                                    unsigned index);
static void xfer_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts);
static void xfer_finish(void *state);

typedef struct tftp_req_state {
    const an_ctx_t *ctx;
    conn_t *c;
    tftp_xfer_state_t *inline_xfer; /* the transfer on this connection, if any */
    unsigned inline_xfers;          /* ... how many there were: each file's fuid index */
} tftp_req_state_t;

static tftp_request_t *own_request(const tftp_registry_t *r, const conn_t *c);

/* A request to port 69; or, on a connection whose request was seen, the
 * transfer's packets when the server answers from port 69 itself. */
bool app_tftp_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    tftp_packet_t pk;
    if (!an_port_in(ctx->self->ports, c->resp_p) || !tftp_parse(p, n, &pk))
        return false;
    bool req = pk.opcode == TFTP_RRQ || pk.opcode == TFTP_WRQ;
    tftp_packet_free(&pk);
    if (req)
        return is_orig;
    const tftp_registry_t *r = ctx->shared->tftp;
    for (const tftp_request_t *q = requests_of(r, &c->orig, c->orig_p); q; q = q->next)
        if (q->taken == c)
            return true;
    return own_request(r, c) != NULL;
}

static void *req_new(const an_ctx_t *ctx, conn_t *c)
{
    tftp_req_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    an_claim(ctx, c);
    return s;
}

/* The same request again (a retransmission) announces nothing new. */
static bool known(const tftp_registry_t *r, const conn_t *c, const char *filename)
{
    for (const tftp_request_t *q = requests_of(r, &c->orig, c->orig_p); q; q = q->next)
        if (!q->taken && q->client_p == c->orig_p && ipaddr_eq(&q->client, &c->orig) &&
            strcmp(q->filename, filename) == 0)
            return true;
    return false;
}

/* This connection's own request not yet taken by a transfer: the newest. */
static tftp_request_t *own_request(const tftp_registry_t *r, const conn_t *c)
{
    tftp_request_t *own = NULL;
    for (tftp_request_t *q = requests_of(r, &c->orig, c->orig_p); q; q = q->next)
        if (!q->taken && q->client_p == c->orig_p && ipaddr_eq(&q->client, &c->orig) &&
            ipaddr_eq(&q->server, &c->resp))
            own = q;
    return own;
}

static void req_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    tftp_req_state_t *s = state;
    tftp_packet_t pk;
    if (!tftp_parse(p, n, &pk))
        return;
    tftp_registry_t *r = registry(s->ctx);
    bool request = pk.opcode == TFTP_RRQ || pk.opcode == TFTP_WRQ;
    if (!request) { /* DATA, ACK, OACK or ERROR on port 69: a transfer here */
        tftp_packet_free(&pk);
        tftp_request_t *q = s->inline_xfer ? NULL : own_request(r, s->c);
        if (q)
            s->inline_xfer = xfer_open(s->ctx, s->c, q, s->inline_xfers++);
        if (s->inline_xfer)
            xfer_data(s->inline_xfer, is_orig, p, n, frame, ts);
        return;
    }
    if (!is_orig) {
        tftp_packet_free(&pk);
        return;
    }
    if (!known(r, s->c, pk.filename)) {
        if (s->inline_xfer) { /* a new request from the same port: that transfer is over */
            xfer_finish(s->inline_xfer);
            s->inline_xfer = NULL;
        }
        if (r->n >= TFTP_MAX_REQUESTS) {
            if (!r->full_noted)
                damage_note(s->ctx->damage, "limit.tftp_requests", frame);
            r->full_noted = true;
        } else {
            tftp_request_t *q = xcalloc(1, sizeof *q);
            q->client = s->c->orig, q->client_p = s->c->orig_p, q->server = s->c->resp;
            q->filename = xstrdup(pk.filename);
            q->write = pk.opcode == TFTP_WRQ;
            q->blksize = pk.blksize;
            q->seq = r->n;
            size_t b = bucket_of(&q->client, q->client_p);
            *r->tail[b] = q;
            r->tail[b] = &q->next;
            r->n++;
        }
    }
    tftp_packet_free(&pk);
}

static void req_finish(void *state)
{
    tftp_req_state_t *s = state;
    if (s->inline_xfer)
        xfer_finish(s->inline_xfer);
    free(s);
}

static void tftp_capture_end(const an_ctx_t *ctx)
{
    tftp_registry_t *r = ctx->shared->tftp;
    if (!r)
        return;
    for (size_t i = 0; i < TFTP_BUCKETS; i++)
        for (tftp_request_t *q = r->head[i], *next; q; q = next) {
            next = q->next;
            free(q->filename);
            free(q);
        }
    free(r);
    ctx->shared->tftp = NULL;
}

const analyser_ops_t app_tftp_ops = {req_new,    req_data,         NULL, NULL,
                                     req_finish, tftp_capture_end, NULL};

/* ---- transfers ---- */

/* The request port itself carries requests, not transfers. */
static const uint16_t tftp_server_ports[] = {69, 0};

/* The request a transfer connection belongs to: the client's address and
 * port on one side, its server's address on the other. */
static tftp_request_t *request_of(const tftp_registry_t *r, const conn_t *c)
{
    /* the client is on either side: the earliest request of both buckets */
    tftp_request_t *best = NULL;
    for (int side = 0; side < 2; side++)
        for (tftp_request_t *q = side ? requests_of(r, &c->resp, c->resp_p)
                                      : requests_of(r, &c->orig, c->orig_p);
             q; q = q->next) {
            if (best && q->seq >= best->seq)
                break; /* a bucket is in arrival order */
            bool orig_is_client = q->client_p == c->orig_p && ipaddr_eq(&q->client, &c->orig) &&
                                  ipaddr_eq(&q->server, &c->resp);
            bool resp_is_client = q->client_p == c->resp_p && ipaddr_eq(&q->client, &c->resp) &&
                                  ipaddr_eq(&q->server, &c->orig);
            if (q->taken == c || (!q->taken && (orig_is_client || resp_is_client) &&
                                  !an_port_in(tftp_server_ports, c->resp_p))) {
                best = q;
                break;
            }
        }
    return best;
}

bool app_tftp_data_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                          size_t n)
{
    (void)is_orig, (void)p, (void)n;
    return request_of(ctx->shared->tftp, c) != NULL;
}

/* Blocks are taken in order only (tftp_transfer_block: a block behind the
 * next is a retransmission, one ahead skips), so each block's bytes go
 * straight into the carve, as an FTP data channel's do: memory per transfer
 * is the carve's, whatever the file's size (a PXE boot's kernel and initrd
 * run to hundreds of MiB; block numbers wrap).
 *
 * A block ahead of the next is held, not taken at once: with the windowsize
 * option (RFC 7440, Windows Deployment Services' PXE boots) the sender sends
 * several blocks per ACK, and a capture on the receiver's side of a loss
 * shows the blocks after the lost one, then the lost one and the rest again
 * once the receiver's ACK has rewound the sender.  Up to TFTP_HOLD_BLOCKS
 * ahead and TFTP_HOLD_BYTES of them wait for the missing block (and at most
 * TFTP_HOLD_TOTAL for all transfers of a worker); past that, or at the
 * transfer's end, the gap is given up (the file is incomplete). */
#define TFTP_HOLD_BLOCKS 128
#define TFTP_HOLD_BYTES (1u << 20)
#define TFTP_HOLD_TOTAL (64u << 20)

typedef struct tftp_held {
    uint16_t block;
    uint8_t *data;
    size_t len;
    uint64_t frame;
    ts_ns_t ts;
} tftp_held_t;

struct tftp_xfer_state {
    const an_ctx_t *ctx;
    conn_t *c;
    tftp_request_t *q;
    tftp_transfer_t t;
    carve_t cv;
    bool sender_is_orig, started;
    bool dropped; /* a block was skipped: the file cannot be whole, its bytes are not kept */
    uint64_t first_frame, last_frame;
    ts_ns_t first_ts, last_ts;
    unsigned index;
    tftp_held_t *held; /* blocks ahead of the next, in arrival order */
    size_t nheld, held_bytes;
};

/* A transfer on c for request q (NULL: none, its packets are ignored);
 * index: the file's among the connection's (its fuid). */
static tftp_xfer_state_t *xfer_open(const an_ctx_t *ctx, conn_t *c, tftp_request_t *q,
                                    unsigned index)
{
    tftp_xfer_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    s->q = q;
    s->index = index;
    if (s->q) {
        s->q->taken = c;
        /* the file goes from the server (RRQ) or the client (WRQ) */
        bool client_is_orig = ipaddr_eq(&s->q->client, &c->orig) && s->q->client_p == c->orig_p;
        s->sender_is_orig = s->q->write ? client_is_orig : !client_is_orig;
        tftp_transfer_init(&s->t, s->q->blksize);
    }
    return s;
}

static void *xfer_new(const an_ctx_t *ctx, conn_t *c)
{
    an_claim(ctx, c);
    return xfer_open(ctx, c, request_of(ctx->shared->tftp, c), 0);
}

/* Takes one DATA block (tftp_transfer_block decides: the next, a skip
 * ahead, or a retransmission dropped). */
static void take(tftp_xfer_state_t *s, uint16_t block, const uint8_t *data, size_t len,
                 uint64_t frame, ts_ns_t ts)
{
    uint64_t off;
    if (!tftp_transfer_block(&s->t, block, len, &off))
        return;
    (void)off; /* in order: the carve's own count is the offset */
    if (!s->started)
        carve_begin(&s->cv, s->ctx); /* at the first block: a request alone carves nothing */
    s->started = true;
    /* a held block comes in after later frames: the span is min to max */
    if (!s->first_frame || frame < s->first_frame)
        s->first_frame = frame, s->first_ts = ts;
    if (frame > s->last_frame)
        s->last_frame = frame, s->last_ts = ts;
    if (s->t.skipped && !s->dropped) {
        /* blocks were skipped: the file will not be whole; what came
         * is counted, not kept (the row says so: "incomplete") */
        s->dropped = true;
        if (s->cv.ev)
            s->ctx->evidence->abort(s->cv.ev);
        s->cv.ev = NULL;
    }
    if (!s->dropped)
        carve_data(&s->cv, data, len, frame, ts);
}

static void unhold(tftp_xfer_state_t *s, size_t i)
{
    s->held_bytes -= s->held[i].len;
    registry(s->ctx)->held_bytes -= s->held[i].len;
    free(s->held[i].data);
    memmove(&s->held[i], &s->held[i + 1], (s->nheld - i - 1) * sizeof *s->held);
    s->nheld--;
}

/* Takes the held blocks that are now next, and drops the ones now behind. */
static void drain(tftp_xfer_state_t *s)
{
    for (size_t i = 0; i < s->nheld;) {
        int32_t d = tftp_transfer_distance(&s->t, s->held[i].block);
        if (d > 0) {
            i++;
            continue;
        }
        if (d == 0) {
            tftp_held_t *h = &s->held[i];
            take(s, h->block, h->data, h->len, h->frame, h->ts);
        } else {
            s->t.duplicates++;
        }
        unhold(s, i);
        i = 0; /* the next one may be anywhere */
    }
}

/* Gives up on the missing blocks: the held ones are taken nearest first. */
static void flush(tftp_xfer_state_t *s)
{
    while (s->nheld) {
        size_t best = 0;
        for (size_t i = 1; i < s->nheld; i++)
            if (tftp_transfer_distance(&s->t, s->held[i].block) <
                tftp_transfer_distance(&s->t, s->held[best].block))
                best = i;
        tftp_held_t *h = &s->held[best];
        take(s, h->block, h->data, h->len, h->frame, h->ts);
        unhold(s, best);
        drain(s);
    }
}

/* A block d ahead of the next: held (true), or false when holding it would
 * pass the bounds (the held ones are then given up and it is taken). */
static bool hold(tftp_xfer_state_t *s, const tftp_packet_t *pk, int32_t d, uint64_t frame,
                 ts_ns_t ts)
{
    for (size_t i = 0; i < s->nheld; i++)
        if (s->held[i].block == pk->block) { /* sent again before the gap filled */
            s->t.duplicates++;
            return true;
        }
    tftp_registry_t *r = registry(s->ctx);
    if (d > TFTP_HOLD_BLOCKS || s->nheld >= TFTP_HOLD_BLOCKS ||
        s->held_bytes + pk->len > TFTP_HOLD_BYTES || r->held_bytes + pk->len > TFTP_HOLD_TOTAL) {
        flush(s);
        return false;
    }
    uint8_t *copy = xmalloc(pk->len ? pk->len : 1);
    if (pk->len)
        memcpy(copy, pk->data, pk->len);
    s->held = xreallocarray(s->held, s->nheld + 1, sizeof *s->held);
    s->held[s->nheld++] = (tftp_held_t){pk->block, copy, pk->len, frame, ts};
    s->held_bytes += pk->len;
    r->held_bytes += pk->len;
    return true;
}

static void xfer_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                      ts_ns_t ts)
{
    tftp_xfer_state_t *s = state;
    tftp_packet_t pk;
    if (!s->q || !tftp_parse(p, n, &pk))
        return;
    if (pk.opcode == TFTP_OACK && !s->started && !s->nheld && pk.blksize) {
        tftp_transfer_init(&s->t, pk.blksize);
    } else if (pk.opcode == TFTP_DATA && is_orig == s->sender_is_orig) {
        int32_t d = tftp_transfer_distance(&s->t, pk.block);
        if (d <= 0 || !hold(s, &pk, d, frame, ts)) {
            take(s, pk.block, pk.data, pk.len, frame, ts);
            drain(s);
        }
    }
    tftp_packet_free(&pk);
}

/* The file: carved when the short last block came and nothing was skipped. */
static void report(tftp_xfer_state_t *s)
{
    carve_t *cv = &s->cv;
    bool whole = s->t.done && !s->t.skipped;
    if (!whole) { /* neither kept nor typed: the bytes are not the file */
        if (cv->ev)
            s->ctx->evidence->abort(cv->ev);
        cv->ev = NULL;
        cv->nhead = 0;
    }
    carve_end(cv);
    if (whole && !s->t.bytes)
        carve_type_empty(cv);
    file_record_t f = {0};
    carve_record(cv, &f);
    an_conn_ident(s->c, &f.conn);
    carve_fuid(s->c->uid, s->index, f.fuid);
    f.ts = s->first_ts;
    f.duration = s->last_ts - s->first_ts;
    f.first_frame = s->first_frame;
    f.last_frame = s->last_frame;
    f.source = "TFTP";
    f.filename = s->q->filename;
    f.is_orig = s->sender_is_orig;
    if (!whole) {
        f.seen_bytes = s->t.bytes;
        f.missing_bytes = s->t.skipped * s->t.blksize;
        f.md5 = f.sha1 = f.sha256 = "";
        f.truncated = true;
        f.truncated_reason = s->t.skipped ? "incomplete" : "unterminated";
    }
    s->ctx->records->file(s->ctx->records->ctx, &f);
}

static void xfer_finish(void *state)
{
    tftp_xfer_state_t *s = state;
    flush(s); /* what never came is missing */
    free(s->held);
    if (s->q && s->started) {
        report(s);
        carve_free(&s->cv);
    }
    free(s);
}

const analyser_ops_t app_tftp_data_ops = {xfer_new, xfer_data, NULL, NULL, xfer_finish, NULL, NULL};
