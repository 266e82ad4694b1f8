/* smb2.c — SMB2/SMB3 PDUs ([MS-SMB2] 2.2): session setup, tree connect,
 * create, read, write, close; compounded PDUs followed by NextCommand. */
#include "core/xalloc.h"
#include "smb_state.h"
#include "utf16.h"

#include <stdlib.h>
#include <string.h>

#define SMB2_HEADER 64
#define SMB2_FLAG_RESPONSE 0x00000001u
#define SMB2_FLAG_ASYNC 0x00000002u
#define SMB2_FLAG_RELATED 0x00000004u

#define SMB2_SESSION_SETUP 0x0001
#define SMB2_TREE_CONNECT 0x0003
#define SMB2_CREATE 0x0005
#define SMB2_CLOSE 0x0006
#define SMB2_READ 0x0008
#define SMB2_WRITE 0x0009
#define SMB2_SET_INFO 0x0011

#define STATUS_PENDING 0x00000103u
#define STATUS_BUFFER_OVERFLOW 0x80000005u
#define FILE_ATTRIBUTE_DIRECTORY 0x10u
#define FILE_DELETE_ON_CLOSE 0x00001000u /* CREATE option */
#define SMB2_0_INFO_FILE 0x01

typedef struct smb2_hdr {
    uint32_t status;
    uint16_t command;
    uint32_t flags, next;
    uint64_t mid;
    uint32_t tree;
    uint64_t session; /* related compound requests: the chain's */
} smb2_hdr_t;

/* The file id of a related compound request: FFFF... means "the file the
 * previous create in the chain opened". */
typedef struct chain {
    uint8_t last_fid[16];
    bool has_fid;
    uint64_t session; /* of the previous PDU */
} chain_t;

static bool header(cursor_t *c, smb2_hdr_t *h)
{
    uint16_t size;
    uint64_t async;
    if (!cursor_skip(c, 4) || !cursor_u16le(c, &size) || size != SMB2_HEADER ||
        !cursor_skip(c, 2) || !cursor_u32le(c, &h->status) || !cursor_u16le(c, &h->command) ||
        !cursor_skip(c, 2) || !cursor_u32le(c, &h->flags) || !cursor_u32le(c, &h->next) ||
        !cursor_u64le(c, &h->mid))
        return false;
    if (h->flags & SMB2_FLAG_ASYNC) {
        if (!cursor_u64le(c, &async))
            return false;
        h->tree = 0;
    } else if (!cursor_skip(c, 4) || !cursor_u32le(c, &h->tree)) {
        return false;
    }
    return cursor_u64le(c, &h->session) && cursor_skip(c, 16); /* signature */
}

/* Bytes at (offset, length) counted from the PDU's header. */
static bool at(cursor_t pdu, uint32_t off, uint32_t len, cursor_t *out)
{
    return cursor_seek(&pdu, cursor_offset(&pdu) + off) && cursor_sub(&pdu, len, out);
}

/* The FileId of related compound requests: "the file the previous create
 * in the chain opens" ([MS-SMB2] 3.2.4.1.4). */
static const uint8_t any_fid[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static void fid_of(cursor_t *c, uint8_t fid[16], chain_t *ch, bool related)
{
    if (!cursor_copy(c, fid, 16))
        memset(fid, 0, 16);
    if (related && ch->has_fid && memcmp(fid, any_fid, 16) == 0)
        memcpy(fid, ch->last_fid, 16);
}

/* A request still naming "the previous create's file" is resolved in the
 * response compound, where the create's answer came just before. */
static void resolve(uint8_t fid[16], const chain_t *ch)
{
    if (ch->has_fid && memcmp(fid, any_fid, 16) == 0)
        memcpy(fid, ch->last_fid, 16);
}

static bool session_setup(smb_conn_t *s, bool is_orig, cursor_t pdu, cursor_t body)
{
    uint16_t off, len;
    cursor_t blob;
    if (is_orig ? !cursor_skip(&body, 2 + 1 + 1 + 4 + 4) : !cursor_skip(&body, 2 + 2))
        return false;
    if (!cursor_u16le(&body, &off) || !cursor_u16le(&body, &len) || !at(pdu, off, len, &blob))
        return false;
    smb_security_blob(s, is_orig, blob);
    return true;
}

static bool tree_connect(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t pdu,
                         cursor_t body)
{
    if (is_orig) {
        uint16_t off, len;
        cursor_t path;
        if (!cursor_skip(&body, 2 + 2) || !cursor_u16le(&body, &off) ||
            !cursor_u16le(&body, &len) || !at(pdu, off, len, &path))
            return false;
        smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
        if (p) {
            p->name = utf16_to_utf8(path, true, SMB_MAX_NAME);
            p->session = h->session;
        }
        return true;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, h->mid, h->command, &p))
        return true;
    if (h->status == STATUS_SUCCESS)
        smb_tree_set(s, p.session ? p.session : h->session, h->tree, p.name), p.name = NULL;
    smb_pending_done(&p);
    return true;
}

static bool create(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t pdu, cursor_t body,
                   chain_t *ch, uint64_t frame)
{
    if (is_orig) {
        uint16_t off, len;
        uint32_t options;
        cursor_t name;
        if (!cursor_skip(&body, 40) || !cursor_u32le(&body, &options) ||
            !cursor_u16le(&body, &off) || !cursor_u16le(&body, &len))
            return false;
        if (!len)
            name = cursor_make(NULL, 0);
        else if (!at(pdu, off, len, &name))
            return false;
        smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
        if (p) {
            p->name = utf16_to_utf8(name, true, SMB_MAX_NAME);
            p->length = h->tree;
            p->session = h->session;
            p->create_options = options;
        }
        return true;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, h->mid, h->command, &p))
        return true;
    smb_times_t t;
    uint64_t alloc, eof;
    uint32_t attrs;
    uint8_t fid[16];
    bool ok = h->status == STATUS_SUCCESS && cursor_skip(&body, 2 + 1 + 1 + 4) &&
              cursor_u64le(&body, &t.created) && cursor_u64le(&body, &t.accessed) &&
              cursor_u64le(&body, &t.modified) && cursor_u64le(&body, &t.changed) &&
              cursor_u64le(&body, &alloc) && cursor_u64le(&body, &eof) &&
              cursor_u32le(&body, &attrs) && cursor_skip(&body, 4) && cursor_copy(&body, fid, 16);
    if (ok) {
        uint32_t tree = h->tree ? h->tree : p.length;
        smb_open_t *o = smb_open_add(s, p.session, fid, 2, tree, p.name, eof, &t,
                                     attrs & FILE_ATTRIBUTE_DIRECTORY, frame);
        if (o && (p.create_options & FILE_DELETE_ON_CLOSE))
            o->f.deleted = true;
        p.name = NULL;
        memcpy(ch->last_fid, fid, 16);
        ch->has_fid = true;
    }
    smb_pending_done(&p);
    return ok || h->status != STATUS_SUCCESS;
}

static bool read_pdu(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t pdu, cursor_t body,
                     chain_t *ch, uint64_t frame)
{
    if (is_orig) {
        uint32_t len;
        uint64_t off;
        uint8_t fid[16];
        if (!cursor_skip(&body, 2 + 1 + 1) || !cursor_u32le(&body, &len) ||
            !cursor_u64le(&body, &off))
            return false;
        fid_of(&body, fid, ch, h->flags & SMB2_FLAG_RELATED);
        smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
        if (p) {
            memcpy(p->fid, fid, 16);
            p->offset = off;
            p->length = len;
            p->session = h->session;
            p->tree = h->tree;
        }
        if (memcmp(fid, any_fid, 16) != 0) /* else: the compound's create, not answered yet */
            smb_file_read_request(s, p, h->session, h->tree, fid, off, len, frame);
        return true;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, h->mid, h->command, &p))
        return true;
    resolve(p.fid, ch);
    uint8_t doff = 0;
    uint32_t dlen;
    cursor_t data;
    bool ok = true;
    if (h->status == STATUS_SUCCESS || h->status == STATUS_BUFFER_OVERFLOW) {
        ok = cursor_skip(&body, 2) && cursor_u8(&body, &doff) && cursor_skip(&body, 1) &&
             cursor_u32le(&body, &dlen) && at(pdu, doff, dlen, &data);
        if (ok)
            smb_file_read(s, p.session, p.tree, p.fid, p.offset, data, frame);
    }
    smb_pending_done(&p);
    return ok;
}

static bool write_pdu(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t pdu, cursor_t body,
                      chain_t *ch, uint64_t frame)
{
    if (!is_orig) {
        smb_pending_t p;
        if (smb_pending_take(s, h->mid, h->command, &p)) {
            if (p.data && h->status == STATUS_SUCCESS) { /* a deferred compound write */
                resolve(p.fid, ch);
                smb_file_write(s, p.session, p.tree, p.fid, p.offset,
                               cursor_make(p.data, p.data_len), frame);
            }
            smb_pending_done(&p);
        }
        return true;
    }
    uint16_t doff;
    uint32_t len;
    uint64_t off;
    uint8_t fid[16];
    cursor_t data;
    if (!cursor_skip(&body, 2) || !cursor_u16le(&body, &doff) || !cursor_u32le(&body, &len) ||
        !cursor_u64le(&body, &off))
        return false;
    fid_of(&body, fid, ch, h->flags & SMB2_FLAG_RELATED);
    if (!at(pdu, doff, len, &data))
        return false;
    smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
    if (memcmp(fid, any_fid, 16) != 0) {
        smb_file_write(s, h->session, h->tree, fid, off, data, frame);
        return true;
    }
    /* compounded after a create whose file id only its answer will tell */
    if (p && cursor_left(&data) <= SMB_MAX_DEFERRED_WRITE) {
        memcpy(p->fid, fid, 16);
        p->session = h->session;
        p->tree = h->tree;
        p->offset = off;
        p->data_len = cursor_left(&data);
        p->data = xmalloc(p->data_len ? p->data_len : 1);
        cursor_copy(&data, p->data, p->data_len);
    } else {
        SMB_COUNT(s, dropped);
    }
    return true;
}

static bool close_pdu(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t body, chain_t *ch,
                      uint64_t frame)
{
    if (is_orig) {
        uint8_t fid[16];
        if (!cursor_skip(&body, 2 + 2 + 4))
            return false;
        fid_of(&body, fid, ch, h->flags & SMB2_FLAG_RELATED);
        smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
        if (p) {
            memcpy(p->fid, fid, 16);
            p->session = h->session;
        }
        return true;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, h->mid, h->command, &p))
        return true;
    resolve(p.fid, ch);
    if (h->status == STATUS_SUCCESS)
        smb_open_close(s, p.session, p.fid, frame);
    smb_pending_done(&p);
    return true;
}

/* SET_INFO of a file: a rename (FileRenameInformation, the new path) or a
 * delete (FileDispositionInformation), applied when the server accepts it. */
static bool set_info(smb_conn_t *s, bool is_orig, const smb2_hdr_t *h, cursor_t pdu, cursor_t body,
                     chain_t *ch)
{
    if (is_orig) {
        uint8_t type, cls, fid[16];
        uint32_t blen, nlen;
        uint16_t boff;
        cursor_t buf, name;
        if (!cursor_skip(&body, 2) || !cursor_u8(&body, &type) || !cursor_u8(&body, &cls) ||
            !cursor_u32le(&body, &blen) || !cursor_u16le(&body, &boff) || !cursor_skip(&body, 6))
            return false;
        fid_of(&body, fid, ch, h->flags & SMB2_FLAG_RELATED);
        if (type != SMB2_0_INFO_FILE || (cls != SMB_INFO_RENAME && cls != SMB_INFO_DISPOSITION))
            return true;
        if (!at(pdu, boff, blen, &buf))
            return false;
        smb_pending_t *p = smb_pending_add(s, h->mid, h->command);
        if (!p)
            return true;
        memcpy(p->fid, fid, 16);
        p->session = h->session;
        p->info_class = cls;
        if (cls == SMB_INFO_DISPOSITION) {
            uint8_t del = 0;
            p->delete_pending = cursor_u8(&buf, &del) && del;
        } else if (cursor_skip(&buf, 1 + 7 + 8) && cursor_u32le(&buf, &nlen) &&
                   cursor_sub(&buf, nlen, &name)) {
            p->name = utf16_to_utf8(name, true, SMB_MAX_NAME);
        }
        return true;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, h->mid, h->command, &p))
        return true;
    resolve(p.fid, ch);
    smb_open_t *o = h->status == STATUS_SUCCESS ? smb_open_find(s, p.session, p.fid) : NULL;
    if (o)
        smb_open_set_info(o, &p);
    smb_pending_done(&p);
    return true;
}

static bool pdu(smb_conn_t *s, bool is_orig, cursor_t whole, const smb2_hdr_t *h, cursor_t body,
                chain_t *ch, uint64_t frame)
{
    if (!is_orig && h->status == STATUS_PENDING && (h->flags & SMB2_FLAG_ASYNC))
        return true; /* an interim answer: the real one follows */
    if (!is_orig && h->command == SMB2_SESSION_SETUP)
        smb_login_answer(s, h->status);
    switch (h->command) {
    case SMB2_SESSION_SETUP:
        return session_setup(s, is_orig, whole, body);
    case SMB2_TREE_CONNECT:
        return tree_connect(s, is_orig, h, whole, body);
    case SMB2_CREATE:
        return create(s, is_orig, h, whole, body, ch, frame);
    case SMB2_READ:
        return read_pdu(s, is_orig, h, whole, body, ch, frame);
    case SMB2_WRITE:
        return write_pdu(s, is_orig, h, whole, body, ch, frame);
    case SMB2_CLOSE:
        return close_pdu(s, is_orig, h, body, ch, frame);
    case SMB2_SET_INFO:
        return set_info(s, is_orig, h, whole, body, ch);
    default:
        return true;
    }
}

void smb2_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame)
{
    chain_t ch = {{0}, false, 0};
    for (;;) {
        cursor_t whole = cursor_rest(&msg), c = whole;
        smb2_hdr_t h;
        if (!header(&c, &h)) {
            SMB_COUNT(s, malformed);
            return;
        }
        cursor_t one = whole;
        if (h.next) {
            if (h.next < SMB2_HEADER || !cursor_sub(&msg, h.next, &one)) {
                SMB_COUNT(s, malformed);
                return;
            }
        }
        s->st.pdus++;
        if ((h.flags & SMB2_FLAG_RELATED) && ch.session && is_orig)
            h.session = ch.session;
        ch.session = h.session;
        smb_session_use(s, h.session);
        cursor_t rest_of_one = cursor_rest(&one);
        cursor_skip(&rest_of_one, SMB2_HEADER);
        if (!pdu(s, is_orig, cursor_rest(&one), &h, rest_of_one, &ch, frame))
            SMB_COUNT(s, malformed);
        if (!h.next)
            return;
    }
}
