/* imf.c — streaming Internet message and MIME parser; see imf.h. */
#include "imf.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "imf_field.h"
#include "textline.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum mode {
    M_HEADER,   /* an entity's header block */
    M_BODY,     /* a leaf part's body */
    M_PREAMBLE, /* a multipart before its first boundary */
    M_EPILOGUE, /* after a closing boundary: ignored up to an outer boundary */
    M_DONE,
};

/* The header block of the entity being read. */
typedef struct entity_header {
    buf_t field; /* the field being unfolded */
    size_t bytes;
    char *ctype, *cte, *cdisp, *cid, *cdesc;
    bool cut;
} entity_header_t;

struct imf {
    const imf_callbacks_t *cb;
    void *ctx;
    enum mode mode;
    bool top; /* the header being read is the message's */
    line_reader_t header_lines;
    entity_header_t eh;
    imf_headers_t h;
    bool headers_done;
    char *bounds[IMF_MAX_DEPTH]; /* boundaries of open multiparts, outermost first */
    unsigned nbounds;
    imf_part_t *part; /* the open leaf part */
    transfer_decoder_t dec;
    unsigned nparts, dropped;
    /* body line state */
    bool at_bol;  /* the next byte starts a line */
    bool cr_held; /* a CR at the end of the last piece, line end not yet known */
    char eol[2];  /* the line end held back (it belongs to a boundary if one follows) */
    unsigned neol;
    buf_t hold; /* a line starting with '-' gathered to see if it is a boundary */
    uint64_t fed;
    bool ended;
};

imf_t *imf_new(const imf_callbacks_t *cb, void *ctx)
{
    imf_t *m = xcalloc(1, sizeof *m);
    m->cb = cb;
    m->ctx = ctx;
    m->mode = M_HEADER;
    m->top = true;
    line_reader_init(&m->header_lines, IMF_MAX_HEADER_BYTES);
    return m;
}

const imf_headers_t *imf_headers(const imf_t *m)
{
    return &m->h;
}
uint64_t imf_bytes(const imf_t *m)
{
    return m->fed;
}
unsigned imf_parts_dropped(const imf_t *m)
{
    return m->dropped;
}

/* ---- header fields ---- */

static void eh_clear(entity_header_t *e)
{
    free(e->ctype), free(e->cte), free(e->cdisp), free(e->cid), free(e->cdesc);
    buf_free(&e->field);
    memset(e, 0, sizeof *e);
}

static void set_once(char **slot, char *v)
{
    if (*slot)
        free(v);
    else
        *slot = v;
}

/* A top-level field the logs want, by name. */
static void top_field(imf_headers_t *h, const cursor_t *name, const char *v, size_t n)
{
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"from", offsetof(imf_headers_t, from)},
        {"to", offsetof(imf_headers_t, to)},
        {"cc", offsetof(imf_headers_t, cc)},
        {"reply-to", offsetof(imf_headers_t, reply_to)},
        {"subject", offsetof(imf_headers_t, subject)},
        {"date", offsetof(imf_headers_t, date)},
        {"message-id", offsetof(imf_headers_t, message_id)},
        {"in-reply-to", offsetof(imf_headers_t, in_reply_to)},
        {"x-originating-ip", offsetof(imf_headers_t, x_originating_ip)},
        {"user-agent", offsetof(imf_headers_t, user_agent)},
        {"x-mailer", offsetof(imf_headers_t, user_agent)},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
        if (text_eq_ci(name, wanted[i].name)) {
            char **slot = (char **)((char *)h + wanted[i].off);
            set_once(slot, imf_decode_words(v, n));
            return;
        }
    if (text_eq_ci(name, "received")) { /* each hop prepends: the last is the first hop */
        free(h->received[IMF_RECEIVED_KEPT - 1]);
        memmove(h->received + 1, h->received, (IMF_RECEIVED_KEPT - 1) * sizeof *h->received);
        h->received[0] = imf_decode_words(v, n);
    }
}

/* One unfolded field "Name: value" of the current entity. */
static void field_done(imf_t *m)
{
    entity_header_t *e = &m->eh;
    if (!e->field.len)
        return;
    cursor_t c = cursor_make(e->field.data, e->field.len);
    long colon = cursor_find(&c, ':');
    if (colon <= 0) {
        buf_clear(&e->field);
        return;
    }
    cursor_t name;
    cursor_sub(&c, (size_t)colon, &name);
    cursor_skip(&c, 1);
    name = text_trim(name);
    cursor_t val = text_trim(c);
    size_t vl = cursor_left(&val);
#define RAW() text_dup(&val, IMF_MAX_HEADER_BYTES)
    if (text_eq_ci(&name, "content-type"))
        set_once(&e->ctype, RAW());
    else if (text_eq_ci(&name, "content-transfer-encoding"))
        set_once(&e->cte, RAW());
    else if (text_eq_ci(&name, "content-disposition"))
        set_once(&e->cdisp, RAW());
    else if (text_eq_ci(&name, "content-id"))
        set_once(&e->cid, imf_clean_text(val.p, vl));
    else if (text_eq_ci(&name, "content-description"))
        set_once(&e->cdesc, imf_decode_words((const char *)val.p, vl));
#undef RAW
    if (m->top) {
        m->h.nfields++;
        top_field(&m->h, &name, (const char *)val.p, vl);
    }
    buf_clear(&e->field);
}

static void header_line(imf_t *m, cursor_t line, bool overlong);

/* ---- parts ---- */

static void part_sink(void *ctx, const uint8_t *p, size_t n)
{
    imf_t *m = ctx;
    m->part->decoded_bytes += n;
    if (m->cb->part_data)
        m->cb->part_data(m->ctx, m->part, p, n);
}

static void part_begin(imf_t *m)
{
    entity_header_t *e = &m->eh;
    if (m->nparts >= IMF_MAX_PARTS) {
        m->dropped++;
        return;
    }
    imf_part_t *p = xcalloc(1, sizeof *p);
    p->index = ++m->nparts;
    p->depth = m->nbounds;
    p->media_type = imf_media_type(e->ctype);
    if (!p->media_type)
        p->media_type = xstrdup("text/plain");
    p->charset = imf_param(e->ctype, "charset");
    p->filename = imf_param(e->cdisp, "filename");
    if (!p->filename)
        p->filename = imf_param(e->ctype, "name");
    p->disposition = imf_disposition(e->cdisp);
    p->content_id = e->cid ? xstrdup(e->cid) : NULL;
    p->description = e->cdesc ? xstrdup(e->cdesc) : NULL;
    p->coding = transfer_coding_of(e->cte);
    p->header_cut = e->cut;
    m->part = p;
    transfer_decoder_init(&m->dec, p->coding, part_sink, m);
    if (m->cb->part_begin)
        m->cb->part_begin(m->ctx, p);
}

static void part_end(imf_t *m, bool unterminated)
{
    imf_part_t *p = m->part;
    if (!p)
        return;
    transfer_decoder_finish(&m->dec);
    p->bad_encoding = transfer_decoder_bad(&m->dec);
    p->unterminated = unterminated;
    if (m->cb->part_end)
        m->cb->part_end(m->ctx, p);
    free(p->media_type), free(p->charset), free(p->filename), free(p->disposition);
    free(p->content_id), free(p->description);
    free(p);
    m->part = NULL;
}

/* Bytes of body content: to the open part, or nowhere (preamble). */
static void content(imf_t *m, const uint8_t *p, size_t n)
{
    if (!n || m->mode != M_BODY || !m->part)
        return;
    m->part->encoded_bytes += n;
    transfer_decoder_feed(&m->dec, p, n);
}

static void release_eol(imf_t *m)
{
    content(m, (const uint8_t *)m->eol, m->neol);
    m->neol = 0;
}

/* The header block ended: the entity is a multipart or a leaf. */
static void header_done(imf_t *m)
{
    field_done(m);
    entity_header_t *e = &m->eh;
    if (m->top) {
        m->h.content_type = imf_media_type(e->ctype);
        m->h.header_cut = e->cut;
        m->headers_done = true;
        if (m->cb->headers)
            m->cb->headers(m->ctx, &m->h);
        m->top = false;
    }
    char *mt = imf_media_type(e->ctype);
    char *boundary =
        mt && strncmp(mt, "multipart/", 10) == 0 ? imf_param(e->ctype, "boundary") : NULL;
    free(mt);
    if (boundary && *boundary && strlen(boundary) < IMF_BOUNDARY_LINE_MAX - 8 &&
        m->nbounds < IMF_MAX_DEPTH) {
        m->bounds[m->nbounds++] = boundary;
        m->mode = M_PREAMBLE;
    } else {
        free(boundary);
        part_begin(m);
        m->mode = M_BODY;
    }
    eh_clear(e);
    m->at_bol = true;
    m->neol = 0;
}

/* Is the line (without its end) a boundary of an open multipart?  Returns
 * the level (index into bounds) or -1; *closing for "--B--". */
static int boundary_level(const imf_t *m, cursor_t line, bool *closing)
{
    line = text_trim(line); /* transport padding after a boundary is allowed */
    if (!text_eat_ci(&line, "--"))
        return -1;
    for (int i = (int)m->nbounds - 1; i >= 0; i--) {
        size_t bl = strlen(m->bounds[i]);
        if (cursor_left(&line) < bl || memcmp(line.p, m->bounds[i], bl) != 0)
            continue;
        cursor_t rest = line;
        cursor_skip(&rest, bl);
        if (cursor_empty(&rest)) {
            *closing = false;
            return i;
        }
        if (cursor_left(&rest) == 2 && text_starts_ci(&rest, "--")) {
            *closing = true;
            return i;
        }
    }
    return -1;
}

static void at_boundary(imf_t *m, int level, bool closing)
{
    m->neol = 0; /* the line end before a boundary is part of it */
    part_end(m, false);
    while ((int)m->nbounds > level + 1)
        free(m->bounds[--m->nbounds]);
    if (closing) {
        free(m->bounds[--m->nbounds]);
        m->mode = M_EPILOGUE;
    } else {
        m->mode = M_HEADER;
        line_reader_reset(&m->header_lines);
    }
    m->at_bol = true;
}

/* A whole line (gathered in hold or in place) that started with '-'. */
static void dash_line(imf_t *m, cursor_t line, const uint8_t *eol, size_t neol)
{
    bool closing;
    int level = boundary_level(m, line, &closing);
    if (level >= 0) {
        at_boundary(m, level, closing);
        return;
    }
    release_eol(m);
    content(m, line.p, cursor_left(&line));
    memcpy(m->eol, eol, neol);
    m->neol = (unsigned)neol;
    m->at_bol = true;
}

/* Stream body bytes up to a line end (or the piece's end). */
static void stream_line(imf_t *m, cursor_t *c)
{
    long nl = cursor_find(c, '\n');
    size_t n = nl >= 0 ? (size_t)nl : cursor_left(c);
    const uint8_t *p = NULL;
    cursor_bytes(c, n, &p);
    size_t keep = n;
    bool cr = n && p[n - 1] == '\r';
    if (cr)
        keep--;
    if (m->cr_held && (keep || nl < 0)) { /* the earlier CR was content */
        content(m, (const uint8_t *)"\r", 1);
        m->cr_held = false;
    }
    content(m, p, keep);
    if (nl < 0) {
        m->cr_held = m->cr_held || cr;
        return;
    }
    cursor_skip(c, 1);
    m->eol[0] = '\r', m->eol[1] = '\n';
    m->neol = (cr || m->cr_held) ? 2 : 1;
    if (m->neol == 1)
        m->eol[0] = '\n';
    m->cr_held = false;
    m->at_bol = true;
}

static void body_bytes(imf_t *m, cursor_t *c)
{
    uint8_t b = 0;
    if (!m->at_bol) {
        stream_line(m, c);
        return;
    }
    if (!m->hold.len && cursor_peek_u8(c, &b) && (b != '-' || !m->nbounds)) {
        release_eol(m); /* not a boundary line: stream it */
        m->at_bol = false;
        stream_line(m, c);
        return;
    }
    long nl = cursor_find(c, '\n');
    size_t take = nl >= 0 ? (size_t)nl + 1 : cursor_left(c);
    const uint8_t *p = NULL;
    cursor_bytes(c, take, &p);
    buf_append(&m->hold, p, take);
    if (nl < 0 && m->hold.len <= IMF_BOUNDARY_LINE_MAX)
        return;
    cursor_t line = cursor_make(m->hold.data, m->hold.len);
    if (nl < 0) { /* too long to be a boundary */
        release_eol(m);
        content(m, line.p, cursor_left(&line));
        buf_clear(&m->hold);
        m->at_bol = false;
        return;
    }
    size_t neol = 1;
    line.end--;
    if (cursor_left(&line) && line.end[-1] == '\r')
        line.end--, neol = 2;
    dash_line(m, line, neol == 2 ? (const uint8_t *)"\r\n" : (const uint8_t *)"\n", neol);
    buf_clear(&m->hold);
}

/* ---- header lines ---- */

static void header_line(imf_t *m, cursor_t line, bool overlong)
{
    entity_header_t *e = &m->eh;
    uint8_t b = 0;
    if (cursor_empty(&line)) {
        header_done(m);
        return;
    }
    e->bytes += cursor_left(&line) + 2;
    if (overlong || e->bytes > IMF_MAX_HEADER_BYTES) {
        e->cut = true;
        return;
    }
    cursor_peek_u8(&line, &b);
    if (b == ' ' || b == '\t') { /* folded: continues the field */
        if (e->field.len)
            buf_append(&e->field, line.p, cursor_left(&line));
        return;
    }
    field_done(m);
    buf_append(&e->field, line.p, cursor_left(&line));
}

/* A part may start with no header at all: the first line is then the empty
 * line.  A message without a header block (a body fed by mistake) still
 * ends its header at the first empty line. */
void imf_feed(imf_t *m, const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    m->fed += n;
    while (!cursor_empty(&c) && !m->ended) {
        if (m->mode == M_HEADER) {
            cursor_t line;
            bool overlong;
            if (!line_next(&m->header_lines, &c, &line, &overlong))
                break;
            header_line(m, line, overlong);
        } else {
            body_bytes(m, &c);
        }
    }
}

void imf_gap(imf_t *m, uint64_t len)
{
    if (m->part)
        m->part->missing += len;
    buf_clear(&m->hold);
    line_reader_reset(&m->header_lines);
    m->cr_held = false;
    m->neol = 0;
    m->at_bol = m->mode != M_BODY; /* a boundary can be recognised again at a line start */
}

void imf_end(imf_t *m)
{
    if (m->ended)
        return;
    if (m->mode == M_HEADER) {
        cursor_t rest = line_partial(&m->header_lines);
        if (!cursor_empty(&rest)) {
            buf_t copy = BUF_INIT;
            buf_append(&copy, rest.p, cursor_left(&rest));
            header_line(m, cursor_make(copy.data, copy.len), false);
            buf_free(&copy);
        }
        if (m->mode == M_HEADER)
            header_done(m); /* a message that is all header: an empty body part */
    }
    if (m->hold.len) {
        release_eol(m);
        content(m, m->hold.data, m->hold.len);
        buf_clear(&m->hold);
    }
    if (m->cr_held)
        content(m, (const uint8_t *)"\r", 1);
    m->cr_held = false;
    release_eol(m);
    part_end(m, m->nbounds > 0);
    m->mode = M_DONE;
    m->ended = true;
}

void imf_free(imf_t *m)
{
    if (!m)
        return;
    imf_end(m);
    eh_clear(&m->eh);
    line_reader_free(&m->header_lines);
    buf_free(&m->hold);
    for (unsigned i = 0; i < m->nbounds; i++)
        free(m->bounds[i]);
    imf_headers_t *h = &m->h;
    free(h->from), free(h->to), free(h->cc), free(h->reply_to), free(h->subject), free(h->date);
    free(h->message_id), free(h->in_reply_to), free(h->x_originating_ip), free(h->user_agent);
    for (int i = 0; i < IMF_RECEIVED_KEPT; i++)
        free(h->received[i]);
    free(h->content_type);
    free(m);
}
