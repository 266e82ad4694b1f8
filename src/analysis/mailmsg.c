/* mailmsg.c — see mailmsg.h. */
#include "analysis/mailmsg.h"

#include "analysis/carve.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Part file ids are made from the message's index and the part's: this
 * many parts per message get distinct ids (imf hands out at most
 * IMF_MAX_PARTS). */
#define MAILMSG_PART_SLOTS 65536

struct mailmsg {
    const an_ctx_t *ctx;
    conn_ident_t conn;
    const char *source;
    bool is_orig;
    uint64_t index;
    carve_t whole; /* the .eml */
    imf_t *imf;
    carve_t part; /* the leaf part being read */
    bool in_part;
    char **fuids;
    size_t nfuids;
    char fuid[UID_LEN]; /* the .eml's, "" until reported */
    uint64_t frame;     /* of the bytes being fed */
    ts_ns_t ts;
    bool ended;
    bool ending;             /* in mailmsg_end: a part ending now was cut there */
    const char *partial_why; /* only part of the message was delivered (static) */
    bool attached_only;      /* carve only message/rfc822 parts (the whole is carved) */
    unsigned nesting;        /* messages around this one */
    mailmsg_t *attached;     /* the message/rfc822 part being read, parsed as a message */
    carve_t wire;            /* the message as sent (dot-stuffing kept), when fed */
    bool wire_open;          /* ... begun */
    bool wire_kept;          /* ... ended, and different from the message */
    char *section;           /* an IMAP section fetched alone ("BODY[2]"), NULL for a message */
    bool decode;             /* its bytes go to the MIME parser (always for a message) */
};

static mailmsg_t *make(const an_ctx_t *ctx, const conn_ident_t *conn, const char *source,
                       bool is_orig, uint64_t index, bool attached_only, unsigned nesting);

/* The files.ndjson row of a carved object of the message. */
static void report(mailmsg_t *m, const carve_t *cv, const char *fuid, const char *filename,
                   const char *declared)
{
    file_record_t f = {0};
    carve_record(cv, &f);
    f.conn = m->conn;
    memcpy(f.fuid, fuid, sizeof f.fuid);
    f.source = m->source;
    f.filename = filename;
    f.declared_mime = declared;
    f.is_orig = m->is_orig;
    f.decrypted = m->ctx->decrypted;
    if (cv == &m->whole) {
        f.section = m->section;
        if (m->wire_kept) {
            f.content_encoding = "dot-stuffing";
            f.encoded_sha256 = m->wire.sha256;
            f.encoded_extracted = m->wire.kept;
            f.encoded_partial = m->wire.truncated_reason != NULL;
        }
    }
    m->ctx->records->file(m->ctx->records->ctx, &f);
}

static void on_headers(void *ctx, const imf_headers_t *h)
{
    (void)ctx, (void)h; /* read after the end (mailmsg_headers) */
}

static bool is_message(const imf_part_t *part)
{
    return part->media_type && strcmp(part->media_type, "message/rfc822") == 0;
}

static void on_part_begin(void *ctx, const imf_part_t *part)
{
    mailmsg_t *m = ctx;
    if (m->attached_only && !is_message(part))
        return;
    carve_begin(&m->part, m->ctx);
    m->in_part = true;
    if (is_message(part) && m->nesting < MAILMSG_MAX_NESTING)
        m->attached = make(m->ctx, &m->conn, m->source, m->is_orig,
                           m->index * MAILMSG_PART_SLOTS + part->index, true, m->nesting + 1);
}

static void on_part_data(void *ctx, const imf_part_t *part, const uint8_t *p, size_t n)
{
    mailmsg_t *m = ctx;
    (void)part;
    if (!m->in_part)
        return;
    carve_data(&m->part, p, n, m->frame, m->ts);
    if (m->attached)
        mailmsg_data(m->attached, p, n, m->frame, m->ts);
}

static void on_part_end(void *ctx, const imf_part_t *part)
{
    mailmsg_t *m = ctx;
    if (!m->in_part)
        return;
    if (m->attached) {
        mailmsg_end(m->attached, true);
        mailmsg_free(m->attached);
        m->attached = NULL;
    }
    m->in_part = false;
    if (part->missing)
        carve_gap(&m->part, part->missing);
    if (m->ending && m->partial_why && !m->part.truncated_reason)
        m->part.truncated_reason = m->partial_why;
    carve_end(&m->part);
    if (m->part.seen) {
        char fuid[UID_LEN];
        carve_fuid(m->conn.uid, m->index * MAILMSG_PART_SLOTS + part->index, fuid);
        report(m, &m->part, fuid, part->filename, part->media_type);
        m->fuids = xreallocarray(m->fuids, m->nfuids + 1, sizeof *m->fuids);
        m->fuids[m->nfuids++] = xstrdup(fuid);
    }
    carve_free(&m->part);
}

static const imf_callbacks_t imf_cb = {on_headers, on_part_begin, on_part_data, on_part_end};

static mailmsg_t *make(const an_ctx_t *ctx, const conn_ident_t *conn, const char *source,
                       bool is_orig, uint64_t index, bool attached_only, unsigned nesting)
{
    mailmsg_t *m = xcalloc(1, sizeof *m);
    m->ctx = ctx;
    m->conn = *conn;
    m->source = source;
    m->is_orig = is_orig;
    m->index = index;
    m->attached_only = attached_only;
    m->nesting = nesting;
    if (!attached_only)
        carve_begin(&m->whole, ctx);
    m->imf = imf_new(&imf_cb, m);
    m->decode = true;
    return m;
}

mailmsg_t *mailmsg_new(const an_ctx_t *ctx, const conn_t *c, const char *source, bool is_orig,
                       uint64_t index)
{
    conn_ident_t id;
    an_conn_ident(c, &id);
    return make(ctx, &id, source, is_orig, index, false, 0);
}

mailmsg_t *mailmsg_new_attached_only(const an_ctx_t *ctx, const conn_t *c, const char *source,
                                     bool is_orig, uint64_t index)
{
    conn_ident_t id;
    an_conn_ident(c, &id);
    return make(ctx, &id, source, is_orig, index, true, 1);
}

mailmsg_t *mailmsg_new_section(const an_ctx_t *ctx, const conn_t *c, const char *source,
                               uint64_t index, const char *section, const uint8_t *headers,
                               size_t nheaders)
{
    mailmsg_t *m = mailmsg_new(ctx, c, source, false, index);
    m->section = xstrdup(section);
    m->decode = headers != NULL;
    if (headers) {
        imf_feed(m->imf, headers, nheaders);
        /* the block as fetched ends with its blank line; one cut short
         * still ends where the content starts */
        if (nheaders < 2 || memcmp(headers + nheaders - 2, "\n\n", 2) != 0) {
            if (nheaders < 4 || memcmp(headers + nheaders - 4, "\r\n\r\n", 4) != 0)
                imf_feed(m->imf, (const uint8_t *)"\r\n\r\n",
                         nheaders && headers[nheaders - 1] == '\n' ? 2 : 4);
        }
    }
    return m;
}

void mailmsg_set_partial(mailmsg_t *m, const char *why)
{
    m->partial_why = why;
}

void mailmsg_data(mailmsg_t *m, const uint8_t *p, size_t n, uint64_t frame, ts_ns_t ts)
{
    if (m->ended)
        return;
    m->frame = frame;
    m->ts = ts;
    if (!m->attached_only)
        carve_data(&m->whole, p, n, frame, ts);
    if (m->decode)
        imf_feed(m->imf, p, n);
}

void mailmsg_wire(mailmsg_t *m, const uint8_t *p, size_t n)
{
    if (m->ended || m->attached_only)
        return;
    if (!m->wire_open)
        carve_begin(&m->wire, m->ctx);
    m->wire_open = true;
    carve_data(&m->wire, p, n, m->frame, m->ts);
}

void mailmsg_gap(mailmsg_t *m, uint64_t len)
{
    if (m->ended)
        return;
    if (m->wire_open)
        carve_gap(&m->wire, len);
    if (!m->attached_only)
        carve_gap(&m->whole, len);
    if (m->decode)
        imf_gap(m->imf, len);
}

void mailmsg_end(mailmsg_t *m, bool complete)
{
    if (m->ended)
        return;
    m->ended = true;
    m->ending = true;
    if (m->decode)
        imf_end(m->imf);
    m->ending = false;
    /* parts past IMF_MAX_PARTS are not carved on their own (the message
     * still is, whole): counted, never silently left out */
    if (m->decode && imf_parts_dropped(m->imf))
        damage_add(m->ctx->damage, "limit.mime_parts", imf_parts_dropped(m->imf), m->frame);
    if (m->attached_only)
        return;
    if (m->partial_why && !m->whole.truncated_reason)
        m->whole.truncated_reason = m->partial_why;
    if (!complete && !m->whole.truncated_reason)
        m->whole.truncated_reason = "unterminated";
    carve_end(&m->whole);
    if (m->wire_open && m->wire.seen != m->whole.seen) { /* dots were stuffed: keep what was sent */
        m->wire.truncated_reason = m->whole.truncated_reason;
        carve_end(&m->wire);
        m->wire_kept = true;
    }
    if (m->whole.seen) {
        carve_fuid(m->conn.uid, m->index * MAILMSG_PART_SLOTS, m->fuid);
        report(m, &m->whole, m->fuid, NULL, m->section ? NULL : "message/rfc822");
    }
}

const imf_headers_t *mailmsg_headers(const mailmsg_t *m)
{
    return imf_headers(m->imf);
}

const char *mailmsg_fuid(const mailmsg_t *m)
{
    return m->fuid[0] ? m->fuid : NULL;
}

const char *const *mailmsg_fuids(const mailmsg_t *m, size_t *n)
{
    *n = m->nfuids;
    return (const char *const *)m->fuids;
}

void mailmsg_free(mailmsg_t *m)
{
    if (!m)
        return;
    mailmsg_end(m, false);
    imf_free(m->imf);
    mailmsg_free(m->attached);
    if (m->in_part)
        carve_free(&m->part);
    if (!m->attached_only)
        carve_free(&m->whole);
    if (m->wire_open)
        carve_free(&m->wire); /* unchanged from the message: dropped unseen */
    for (size_t i = 0; i < m->nfuids; i++)
        free(m->fuids[i]);
    free(m->fuids);
    free(m->section);
    free(m);
}
