/* http2.c — HTTP/2 framing, streams and HPACK into HTTP transactions; see http2.h. */
#include "http2.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"

#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t preface[H2_PREFACE_LEN] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Frame types and flags (RFC 9113 6). */
enum {
    F_DATA = 0,
    F_HEADERS = 1,
    F_PRIORITY = 2,
    F_RST_STREAM = 3,
    F_SETTINGS = 4,
    F_PUSH_PROMISE = 5,
    F_PING = 6,
    F_GOAWAY = 7,
    F_WINDOW_UPDATE = 8,
    F_CONTINUATION = 9
};
enum {
    FL_END_STREAM = 0x1,
    FL_ACK = 0x1,
    FL_END_HEADERS = 0x4,
    FL_PADDED = 0x8,
    FL_PRIORITY = 0x20
};
enum { SETTINGS_HEADER_TABLE_SIZE = 1 };
#define FRAME_HEADER_LEN 9
/* HPACK's default dynamic table size (RFC 7541 6.5.2). */
#define HPACK_DEFAULT_TABLE 4096

typedef struct stream {
    uint32_t id;
    http_txn_t *txn;
    bool ended[2];   /* END_STREAM seen, per direction (0 = client) */
    bool body[2];    /* body_begin called */
    bool headers[2]; /* the final (non-1xx) header block seen */
} stream_t;

typedef enum rx {
    RX_PREFACE, /* the client's 24-byte connection preface */
    RX_HEADER,  /* a 9-byte frame header */
    RX_PAYLOAD, /* a non-DATA frame, buffered */
    RX_PAD_LEN, /* a padded DATA frame's pad length byte */
    RX_DATA,    /* DATA payload, streamed */
    RX_SKIP,    /* padding, or a frame we do not keep */
    RX_DEAD,    /* lost: nothing more is parsed in this direction */
} rx_t;

/* A header block in progress (HEADERS or PUSH_PROMISE, then CONTINUATION). */
typedef struct block {
    bool open;
    uint32_t sid;    /* the frame's stream */
    uint32_t target; /* the stream whose message the block describes (promised for a push) */
    bool request;    /* request headers (client HEADERS, PUSH_PROMISE) or response */
    bool apply;      /* keep the fields (false: trailers, stream not kept) */
    bool end_stream; /* the HEADERS frame had END_STREAM */
    size_t list_size;
} block_t;

typedef struct h2dir {
    rx_t rx;
    size_t preface_have;
    uint8_t hdr[FRAME_HEADER_LEN];
    size_t hdr_have;
    uint32_t len, sid;
    uint8_t type, flags;
    uint32_t left;      /* payload bytes of the current frame still to come */
    uint32_t data_left; /* DATA bytes before the padding */
    buf_t payload;
    nghttp2_hd_inflater *hpack; /* decodes the blocks this direction sends */
    bool hpack_lost;
    size_t table_size; /* the largest SETTINGS_HEADER_TABLE_SIZE the peer allowed */
    block_t block;
    bool ended;
} h2dir_t;

struct h2_conn {
    const http_callbacks_t *cb;
    void *ctx;
    h2dir_t d[2];
    stream_t *streams;
    size_t nstreams, cap;
    unsigned depth;
    h2_stats_t st;
    uint64_t frame; /* the packet being parsed */
    ts_ns_t ts;
};

/* RFC 9113 6.5 and 11.3: a SETTINGS frame is type 4; the registered
 * settings are 1-6 (RFC 9113), 8 (RFC 8441) and 9 (RFC 9218). */
#define H2_FRAME_SETTINGS 4
#define H2_SETTING_LEN 6
#define H2_FIRST_SETTINGS_MAX (16 * H2_SETTING_LEN)

static bool known_setting(uint16_t id)
{
    return (id >= 1 && id <= 6) || id == 8 || id == 9;
}

bool h2_detect_server(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint32_t len, stream;
    uint8_t type, flags;
    if (!cursor_u24be(&c, &len) || !cursor_u8(&c, &type) || !cursor_u8(&c, &flags) ||
        !cursor_u32be(&c, &stream))
        return false;
    if (type != H2_FRAME_SETTINGS || flags != 0 || stream != 0 || len % H2_SETTING_LEN ||
        len > H2_FIRST_SETTINGS_MAX || !cursor_has(&c, len))
        return false;
    for (uint32_t i = 0; i < len / H2_SETTING_LEN; i++) {
        uint16_t id;
        uint32_t value;
        if (!cursor_u16be(&c, &id) || !cursor_u32be(&c, &value) || !known_setting(id))
            return false;
    }
    return true;
}

bool h2_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    const uint8_t *b;
    size_t k = n < H2_PREFACE_LEN ? n : H2_PREFACE_LEN;
    return k >= 16 && cursor_bytes(&c, k, &b) && memcmp(b, preface, k) == 0;
}

static void protocol_error(h2_conn_t *h, const char *what)
{
    h->st.protocol_errors++;
    if (!h->st.damaged)
        h->st.damaged = what;
}

h2_conn_t *h2_conn_new(const http_callbacks_t *cb, void *ctx)
{
    h2_conn_t *h = xcalloc(1, sizeof *h);
    h->cb = cb;
    h->ctx = ctx;
    for (int i = 0; i < 2; i++) {
        if (nghttp2_hd_inflate_new(&h->d[i].hpack) != 0) {
            h->d[i].hpack = NULL;
            h->d[i].hpack_lost = true;
        }
        h->d[i].table_size = HPACK_DEFAULT_TABLE;
        h->d[i].rx = i == 0 ? RX_PREFACE : RX_HEADER;
    }
    return h;
}

const h2_stats_t *h2_conn_stats(const h2_conn_t *h)
{
    return &h->st;
}

/* ---- streams ------------------------------------------------------------ */

static stream_t *stream_find(h2_conn_t *h, uint32_t id)
{
    for (size_t i = h->nstreams; i-- > 0;) /* the newest are the busiest */
        if (h->streams[i].id == id)
            return &h->streams[i];
    return NULL;
}

/* A new stream and its transaction, or NULL past H2_MAX_STREAMS. */
static stream_t *stream_new(h2_conn_t *h, uint32_t id, bool pushed)
{
    if (h->nstreams == H2_MAX_STREAMS) {
        h->st.limit_streams++;
        return NULL;
    }
    if (h->nstreams == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->streams = xreallocarray(h->streams, h->cap, sizeof *h->streams);
    }
    stream_t *s = &h->streams[h->nstreams++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->txn = http_txn_new();
    s->txn->depth = ++h->depth;
    s->txn->stream_id = id;
    s->txn->pushed = pushed;
    s->txn->version = xstrdup("2");
    s->ended[0] = pushed; /* a pushed stream has no request half */
    h->st.streams++;
    h->st.pushed += pushed;
    return s;
}

static http_msg_t *msg_of(stream_t *s, int dir)
{
    return dir ? &s->txn->resp : &s->txn->req;
}

/* Report s and drop it from the table. */
static void stream_done(h2_conn_t *h, stream_t *s)
{
    for (int dir = 0; dir < 2; dir++)
        if (s->body[dir] && !s->ended[dir])
            h->cb->body_end(h->ctx, s->txn, dir == 0);
    h->cb->txn_done(h->ctx, s->txn);
    http_txn_free(s->txn);
    /* keep the table in creation order: flushes report streams in order */
    size_t i = (size_t)(s - h->streams);
    memmove(s, s + 1, (h->nstreams - i - 1) * sizeof *s);
    h->nstreams--;
}

/* Direction dir of s ended (END_STREAM); the stream is done when both are. */
static void stream_end(h2_conn_t *h, stream_t *s, int dir)
{
    if (s->ended[dir])
        return;
    s->ended[dir] = true;
    if (s->body[dir])
        h->cb->body_end(h->ctx, s->txn, dir == 0);
    if (s->ended[0] && s->ended[1])
        stream_done(h, s);
}

/* Every open stream ends now; what was not complete says why. */
static void streams_flush(h2_conn_t *h, const char *why)
{
    while (h->nstreams) {
        stream_t *s = &h->streams[0];
        for (int dir = 0; dir < 2; dir++) {
            http_msg_t *m = msg_of(s, dir);
            if (!s->ended[dir] && (m->has || dir == 1) && !m->incomplete)
                m->incomplete = why;
        }
        stream_done(h, s);
    }
}

static void note_packet(http_msg_t *m, uint64_t frame, ts_ns_t ts)
{
    if (!m->has) {
        m->has = true;
        m->first_frame = frame;
        m->ts = ts;
    }
    m->last_frame = frame;
    m->end_ts = ts;
}

/* ---- header blocks -------------------------------------------------------- */

static char *dup_field(const uint8_t *p, size_t n)
{
    return xstrndup((const char *)p, n);
}

static void apply_field(http_txn_t *t, bool request, const nghttp2_nv *nv)
{
    const char *name = (const char *)nv->name;
    size_t nl = nv->namelen;
#define IS(s) (nl == sizeof(s) - 1 && memcmp(name, s, nl) == 0)
    if (nl && name[0] == ':') { /* pseudo-header fields */
        if (request && IS(":method")) {
            free(t->method);
            t->method = dup_field(nv->value, nv->valuelen);
        } else if (request && IS(":path")) {
            free(t->uri);
            t->uri = dup_field(nv->value, nv->valuelen);
        } else if (request && IS(":authority")) {
            free(t->host);
            t->host = dup_field(nv->value, nv->valuelen);
        } else if (!request && IS(":status") && nv->valuelen == 3) {
            t->status = (nv->value[0] - '0') * 100 + (nv->value[1] - '0') * 10 + nv->value[2] - '0';
            if (t->status < 100 || t->status > 999) {
                t->status = 0;
                http_txn_weird(t, "http2_bad_status");
            }
        }
        return;
    }
#undef IS
    http_txn_header(t, request, name, nl, (const char *)nv->value, nv->valuelen);
}

/* A 1xx response is interim: forget it, the real one follows. */
static void interim_response(http_txn_t *t)
{
    http_msg_t *m = &t->resp;
    free(m->ctype), free(m->cenc), free(m->te), free(m->cdisp), free(m->crange);
    memset(m, 0, sizeof *m);
    m->clen = -1;
    t->status = 0;
}

static void block_done(h2_conn_t *h, int dir)
{
    block_t *b = &h->d[dir].block;
    b->open = false;
    stream_t *s = stream_find(h, b->target);
    if (!s)
        return;
    if (b->apply) {
        http_txn_t *t = s->txn;
        int side = b->request ? 0 : 1;
        if (side == 1 && t->status >= 100 && t->status < 200) {
            interim_response(t);
            return;
        }
        s->headers[side] = true;
        if (side == 1 && !t->resp_version)
            t->resp_version = xstrdup("2");
    }
    if (b->end_stream)
        stream_end(h, s, dir);
}

/* Feed one fragment of the open block to dir's inflater. */
static void inflate_fragment(h2_conn_t *h, int dir, cursor_t frag, bool final)
{
    h2dir_t *d = &h->d[dir];
    block_t *b = &d->block;
    if (d->hpack_lost) {
        if (final)
            block_done(h, dir);
        return;
    }
    stream_t *s = b->apply ? stream_find(h, b->target) : NULL;
    const uint8_t *in = NULL;
    size_t inlen = cursor_left(&frag);
    cursor_bytes(&frag, inlen, &in);
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t rv = nghttp2_hd_inflate_hd2(d->hpack, &nv, &flags, in, inlen, final);
        if (rv < 0) {
            h->st.hpack_errors++;
            d->hpack_lost = true;
            if (s)
                http_txn_weird(s->txn, "http2_hpack_error");
            break;
        }
        in += rv, inlen -= (size_t)rv;
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            b->list_size += nv.namelen + nv.valuelen + 32;
            if (b->list_size > H2_MAX_HEADER_LIST) {
                h->st.limit_headers++;
                if (s)
                    http_txn_weird(s->txn, "http2_header_list_too_long");
            } else if (s) {
                apply_field(s->txn, b->request, &nv);
            }
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(d->hpack);
            break;
        }
        if (!inlen && !(flags & NGHTTP2_HD_INFLATE_EMIT))
            break;
    }
    if (final)
        block_done(h, dir);
}

/* Which stream and message a new block from dir describes. */
static void block_begin(h2_conn_t *h, int dir, uint32_t sid, uint32_t target, bool push,
                        bool end_stream)
{
    h2dir_t *d = &h->d[dir];
    block_t *b = &d->block;
    memset(b, 0, sizeof *b);
    b->open = true;
    b->sid = sid;
    b->target = target;
    b->request = dir == 0 || push;
    b->end_stream = end_stream;
    if (d->hpack && !d->hpack_lost)
        nghttp2_hd_inflate_change_table_size(d->hpack, d->table_size);
    stream_t *s = stream_find(h, target);
    if (!s && (dir == 0 || push)) {
        s = stream_new(h, target, push);
    } else if (!s) { /* a response to a request we did not see */
        s = stream_new(h, target, false);
        if (s) {
            s->ended[0] = true;
            http_txn_weird(s->txn, "response_without_request");
        }
    }
    if (!s)
        return;
    int side = b->request ? 0 : 1;
    b->apply = !s->headers[side]; /* a second block is trailers */
    note_packet(msg_of(s, side), h->frame, h->ts);
    if (d->hpack_lost && b->apply)
        http_txn_weird(s->txn, "http2_hpack_state_lost");
}

/* ---- frames ------------------------------------------------------------------ */

/* Strip the pad length byte and the padding of a PADDED frame's payload. */
static bool unpad(h2_conn_t *h, int dir, cursor_t *c)
{
    uint8_t pad;
    if (!(h->d[dir].flags & FL_PADDED))
        return true;
    if (!cursor_u8(c, &pad) || pad > cursor_left(c)) {
        protocol_error(h, "http2.bad_padding");
        return false;
    }
    c->end -= pad;
    return true;
}

static void frame_headers(h2_conn_t *h, int dir, cursor_t c)
{
    h2dir_t *d = &h->d[dir];
    if (!d->sid || (dir == 0 && d->sid % 2 == 0) || !unpad(h, dir, &c) ||
        ((d->flags & FL_PRIORITY) && !cursor_skip(&c, 5))) { /* clients open odd streams */
        protocol_error(h, "http2.bad_headers");
        d->hpack_lost = true; /* the block is lost, and with it the table */
        return;
    }
    block_begin(h, dir, d->sid, d->sid, false, d->flags & FL_END_STREAM);
    inflate_fragment(h, dir, c, d->flags & FL_END_HEADERS);
}

static void frame_push_promise(h2_conn_t *h, int dir, cursor_t c)
{
    h2dir_t *d = &h->d[dir];
    uint32_t promised;
    if (dir != 1 || !d->sid || !unpad(h, dir, &c) || !cursor_u32be(&c, &promised) ||
        !(promised & 0x7fffffff) || promised % 2) { /* servers promise even streams */
        protocol_error(h, "http2.bad_push_promise");
        d->hpack_lost = true;
        return;
    }
    block_begin(h, dir, d->sid, promised & 0x7fffffff, true, false);
    inflate_fragment(h, dir, c, d->flags & FL_END_HEADERS);
}

static void frame_continuation(h2_conn_t *h, int dir, cursor_t c)
{
    h2dir_t *d = &h->d[dir];
    if (!d->block.open || d->block.sid != d->sid) {
        protocol_error(h, "http2.unexpected_continuation");
        d->hpack_lost = true;
        return;
    }
    inflate_fragment(h, dir, c, d->flags & FL_END_HEADERS);
}

static void frame_rst_stream(h2_conn_t *h, int dir, cursor_t c)
{
    uint32_t code;
    stream_t *s = stream_find(h, h->d[dir].sid);
    h->st.resets++;
    if (!cursor_u32be(&c, &code)) {
        protocol_error(h, "http2.bad_rst_stream");
        return;
    }
    if (!s)
        return;
    for (int side = 0; side < 2; side++) {
        http_msg_t *m = msg_of(s, side);
        if (!s->ended[side] && (m->has || side == 1))
            m->incomplete = "rst_stream";
    }
    stream_done(h, s);
}

static void frame_settings(h2_conn_t *h, int dir, cursor_t c)
{
    uint16_t id;
    uint32_t value;
    if (h->d[dir].flags & FL_ACK)
        return;
    if (cursor_left(&c) % 6) {
        protocol_error(h, "http2.bad_settings");
        return;
    }
    while (cursor_u16be(&c, &id) && cursor_u32be(&c, &value)) {
        /* our peer may now use a table this large when it encodes for us */
        h2dir_t *peer = &h->d[!dir];
        if (id == SETTINGS_HEADER_TABLE_SIZE && value > peer->table_size)
            peer->table_size = value;
    }
}

static void frame_goaway(h2_conn_t *h, cursor_t c)
{
    uint32_t last, code;
    h->st.goaways++;
    if (cursor_u32be(&c, &last) && cursor_u32be(&c, &code))
        h->st.goaway_error = code;
}

/* A buffered (non-DATA) frame is complete. */
static void frame_done(h2_conn_t *h, int dir)
{
    h2dir_t *d = &h->d[dir];
    static const uint8_t empty[1];
    /* an empty frame has no buffer; a cursor over NULL must not be advanced */
    cursor_t c =
        d->payload.data ? cursor_make(d->payload.data, d->payload.len) : cursor_make(empty, 0);
    if (d->block.open && d->type != F_CONTINUATION) {
        protocol_error(h, "http2.interrupted_header_block");
        d->block.open = false;
        d->hpack_lost = true;
    }
    switch (d->type) {
    case F_HEADERS:
        frame_headers(h, dir, c);
        break;
    case F_PUSH_PROMISE:
        frame_push_promise(h, dir, c);
        break;
    case F_CONTINUATION:
        frame_continuation(h, dir, c);
        break;
    case F_RST_STREAM:
        frame_rst_stream(h, dir, c);
        break;
    case F_SETTINGS:
        frame_settings(h, dir, c);
        break;
    case F_GOAWAY:
        frame_goaway(h, c);
        break;
    default: /* PRIORITY, PING, WINDOW_UPDATE, extensions: nothing to keep */
        break;
    }
    buf_clear(&d->payload);
}

/* A DATA frame ended (payload and padding consumed). */
static void data_done(h2_conn_t *h, int dir)
{
    h2dir_t *d = &h->d[dir];
    stream_t *s = stream_find(h, d->sid);
    if (s && (d->flags & FL_END_STREAM))
        stream_end(h, s, dir);
}

static void data_bytes(h2_conn_t *h, int dir, const uint8_t *p, size_t n)
{
    stream_t *s = stream_find(h, h->d[dir].sid);
    if (!s || !n)
        return;
    http_msg_t *m = msg_of(s, dir);
    note_packet(m, h->frame, h->ts);
    if (!s->body[dir]) {
        s->body[dir] = true;
        h->cb->body_begin(h->ctx, s->txn, dir == 0);
    }
    m->body_len += n;
    h->cb->body_data(h->ctx, s->txn, dir == 0, p, n, h->frame, h->ts);
}

/* The 9-byte header is complete: decide how its payload is read. */
static void frame_header(h2_conn_t *h, int dir)
{
    h2dir_t *d = &h->d[dir];
    cursor_t c = cursor_make(d->hdr, FRAME_HEADER_LEN);
    uint32_t sid = 0, len = 0;
    cursor_u24be(&c, &len);
    cursor_u8(&c, &d->type);
    cursor_u8(&c, &d->flags);
    cursor_u32be(&c, &sid);
    d->len = d->left = len;
    d->sid = sid & 0x7fffffff;
    d->hdr_have = 0;
    h->st.frames[dir]++;
    if (d->type == F_DATA) {
        if (!d->sid)
            protocol_error(h, "http2.data_on_stream_0");
        d->data_left = len;
        d->rx = d->flags & FL_PADDED ? RX_PAD_LEN : RX_DATA;
    } else if (len > H2_MAX_FRAME_BUFFER) {
        h->st.limit_frame++;
        if (d->type == F_HEADERS || d->type == F_PUSH_PROMISE || d->type == F_CONTINUATION)
            d->hpack_lost = true;
        d->rx = RX_SKIP;
    } else {
        d->rx = RX_PAYLOAD;
    }
}

/* Payload bytes of the current frame were all read. */
static void payload_end(h2_conn_t *h, int dir)
{
    h2dir_t *d = &h->d[dir];
    if (d->type == F_DATA)
        data_done(h, dir);
    else if (d->rx == RX_PAYLOAD)
        frame_done(h, dir);
    d->rx = RX_HEADER;
}

static size_t min_left(const cursor_t *in, size_t want)
{
    return want < cursor_left(in) ? want : cursor_left(in);
}

/* One step of dir's parser over in. */
static void step(h2_conn_t *h, int dir, cursor_t *in)
{
    h2dir_t *d = &h->d[dir];
    const uint8_t *p = NULL;
    size_t k;
    switch (d->rx) {
    case RX_PREFACE:
        k = min_left(in, H2_PREFACE_LEN - d->preface_have);
        cursor_bytes(in, k, &p);
        if (memcmp(p, preface + d->preface_have, k)) {
            protocol_error(h, "http2.bad_preface");
            d->rx = RX_DEAD;
            return;
        }
        d->preface_have += k;
        if (d->preface_have == H2_PREFACE_LEN)
            d->rx = RX_HEADER;
        return;
    case RX_HEADER:
        k = min_left(in, FRAME_HEADER_LEN - d->hdr_have);
        cursor_copy(in, d->hdr + d->hdr_have, k);
        d->hdr_have += k;
        if (d->hdr_have == FRAME_HEADER_LEN)
            frame_header(h, dir);
        break;
    case RX_PAYLOAD:
        k = min_left(in, d->left);
        cursor_bytes(in, k, &p);
        buf_append(&d->payload, p, k);
        d->left -= (uint32_t)k;
        break;
    case RX_PAD_LEN: {
        uint8_t pad = 0;
        if (!d->left || !cursor_u8(in, &pad) || pad >= d->left) {
            protocol_error(h, "http2.bad_padding");
            d->left -= d->left ? 1 : 0;
            d->data_left = 0;
            d->rx = RX_SKIP;
            break;
        }
        d->left--;
        d->data_left = d->left - pad;
        d->rx = RX_DATA;
        break;
    }
    case RX_DATA:
        k = min_left(in, d->data_left);
        cursor_bytes(in, k, &p);
        data_bytes(h, dir, p, k);
        d->data_left -= (uint32_t)k;
        d->left -= (uint32_t)k;
        if (!d->data_left)
            d->rx = RX_SKIP; /* the padding, if any */
        break;
    case RX_SKIP:
        k = min_left(in, d->left);
        cursor_skip(in, k);
        d->left -= (uint32_t)k;
        break;
    case RX_DEAD:
        cursor_skip(in, cursor_left(in));
        return;
    }
    if (d->rx != RX_HEADER && d->rx != RX_PAD_LEN && !d->left)
        payload_end(h, dir);
}

void h2_conn_data(h2_conn_t *h, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                  ts_ns_t ts)
{
    int dir = is_orig ? 0 : 1;
    cursor_t in = cursor_make(p, n);
    h->frame = frame;
    h->ts = ts;
    while (!cursor_empty(&in) && h->d[dir].rx != RX_DEAD)
        step(h, dir, &in);
}

void h2_conn_upgraded(h2_conn_t *h, const http_txn_t *r)
{
    stream_t *s = stream_new(h, 1, false);
    http_txn_t *t = s->txn;
    t->method = r->method ? xstrdup(r->method) : NULL;
    t->uri = r->uri ? xstrdup(r->uri) : NULL;
    t->host = r->host ? xstrdup(r->host) : NULL;
    t->user_agent = r->user_agent ? xstrdup(r->user_agent) : NULL;
    t->referrer = r->referrer ? xstrdup(r->referrer) : NULL;
    t->username = r->username ? xstrdup(r->username) : NULL;
    t->password = r->password ? xstrdup(r->password) : NULL;
    t->has_password = r->has_password;
    t->req.has = r->req.has;
    t->req.first_frame = r->req.first_frame, t->req.last_frame = r->req.last_frame;
    t->req.ts = r->req.ts, t->req.end_ts = r->req.end_ts;
    s->ended[0] = true; /* the request was HTTP/1.1, complete */
    s->headers[0] = true;
}

void h2_conn_gap(h2_conn_t *h, bool is_orig, uint64_t len)
{
    int dir = is_orig ? 0 : 1;
    h->d[dir].rx = RX_DEAD;
    h->d[dir].hpack_lost = true;
    for (size_t i = 0; i < h->nstreams; i++) {
        stream_t *s = &h->streams[i];
        http_msg_t *m = msg_of(s, dir);
        if (!s->ended[dir] && !m->incomplete) {
            m->incomplete = "gap";
            m->missing += len;
        }
    }
}

void h2_conn_end(h2_conn_t *h, bool is_orig)
{
    h->d[is_orig ? 0 : 1].ended = true;
    if (h->d[0].ended && h->d[1].ended)
        streams_flush(h, "connection_closed");
}

void h2_conn_free(h2_conn_t *h)
{
    if (!h)
        return;
    streams_flush(h, "connection_closed");
    for (int i = 0; i < 2; i++) {
        nghttp2_hd_inflate_del(h->d[i].hpack);
        buf_free(&h->d[i].payload);
    }
    free(h->streams);
    free(h);
}
