/* smb1.c — SMB1/CIFS commands ([MS-CIFS] 2.2): negotiate, session setup
 * (NTLMSSP and the older challenge/response), tree connect, NT create,
 * read, write and close, following AndX chains. */
#include "core/xalloc.h"
#include "smb_state.h"
#include "utf16.h"

#include <string.h>

#define SMB1_HEADER 32
#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_UNICODE 0x8000
#define SMB1_CAP_EXTENDED_SECURITY 0x80000000u
#define SMB1_NO_ANDX 0xFF
/* AndX chains longer than this are loops or attacks. */
#define SMB1_MAX_ANDX 16

#define SMB1_CLOSE 0x04
#define SMB1_READ_ANDX 0x2E
#define SMB1_WRITE_ANDX 0x2F
#define SMB1_NEGOTIATE 0x72
#define SMB1_SESSION_SETUP_ANDX 0x73
#define SMB1_TREE_CONNECT_ANDX 0x75
#define SMB1_NT_CREATE_ANDX 0xA2
#define STATUS_SUCCESS 0x00000000u
#define STATUS_MORE_PROCESSING 0xC0000016u
#define SMB1_DIRECTORY 1
/* The extended NT Create AndX response's word count as written, and as sent. */
#define SMB1_NT_CREATE_EXT_WC_SAID 42
#define SMB1_NT_CREATE_EXT_WC_SENT 50

typedef struct smb1_hdr {
    uint8_t command;
    uint32_t status;
    uint8_t flags;
    uint16_t flags2, tid, pid, uid, mid;
} smb1_hdr_t;

/* One command block: its words and bytes. */
typedef struct block {
    uint8_t wc;
    cursor_t words, bytes;
} block_t;

static bool header(cursor_t *c, smb1_hdr_t *h)
{
    uint16_t pid_high;
    return cursor_skip(c, 4) && cursor_u8(c, &h->command) && cursor_u32le(c, &h->status) &&
           cursor_u8(c, &h->flags) && cursor_u16le(c, &h->flags2) && cursor_u16le(c, &pid_high) &&
           cursor_skip(c, 8 + 2) && cursor_u16le(c, &h->tid) && cursor_u16le(c, &h->pid) &&
           cursor_u16le(c, &h->uid) && cursor_u16le(c, &h->mid);
}

static bool block_words(cursor_t msg, unsigned words, block_t *b)
{
    uint16_t bc;
    return cursor_sub(&msg, 2u * words, &b->words) && cursor_u16le(&msg, &bc) &&
           cursor_sub(&msg, bc, &b->bytes);
}

/* The extended NT Create AndX response ([MS-SMB] 2.2.4.9.2, asked for with
 * NT_CREATE_REQUEST_EXTENDED_RESPONSE) says 42 words and carries 50 (MS-SMB's
 * product behaviour note; Samba's reply_ntcreate_and_x does the same), and
 * its byte count, which MUST be 0 and carries nothing, is not always set:
 * Windows 2000's in dce-rpc/mapi.pcap holds whatever its buffer held.  Its 50
 * words are taken with no bytes whenever they fit. */
static bool extended_create(cursor_t msg, block_t *b)
{
    if (!cursor_sub(&msg, 2u * SMB1_NT_CREATE_EXT_WC_SENT, &b->words))
        return false;
    b->bytes = cursor_make(NULL, 0);
    return true;
}

/* The block of command cmd at offset off. */
static bool block_at(cursor_t msg, size_t off, uint8_t cmd, bool is_reply, block_t *b)
{
    if (!cursor_seek(&msg, off) || !cursor_u8(&msg, &b->wc))
        return false;
    if (is_reply && cmd == SMB1_NT_CREATE_ANDX && b->wc == SMB1_NT_CREATE_EXT_WC_SAID &&
        extended_create(msg, b))
        return true;
    return block_words(msg, b->wc, b);
}

static uint64_t pending_id(const smb1_hdr_t *h)
{
    return (uint64_t)h->pid << 16 | h->mid;
}

static void fid16(uint16_t fid, uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = (uint8_t)fid;
    out[1] = (uint8_t)(fid >> 8);
}

/* A string in the bytes section: unicode ones are aligned to 2 bytes from
 * the header start. */
static char *string(cursor_t *bytes, const smb1_hdr_t *h)
{
    bool uni = h->flags2 & SMB1_FLAGS2_UNICODE;
    if (uni && (cursor_offset(bytes) & 1))
        cursor_skip(bytes, 1);
    cursor_t rest = cursor_rest(bytes);
    char *s = utf16_to_utf8(rest, uni, SMB_MAX_NAME);
    /* advance past the terminator */
    if (uni) {
        uint16_t u;
        while (cursor_u16le(bytes, &u) && u)
            ;
    } else {
        uint8_t b = 0;
        while (cursor_u8(bytes, &b) && b)
            ;
    }
    return s;
}

static void negotiate(smb_conn_t *s, bool is_orig, const block_t *b)
{
    cursor_t w = b->words, by = b->bytes;
    uint32_t caps;
    uint8_t clen = 0;
    if (is_orig || b->wc != 17)
        return;
    if (!cursor_skip(&w, 2 + 1 + 2 + 2 + 4 + 4 + 4) || !cursor_u32le(&w, &caps) ||
        !cursor_skip(&w, 8 + 2) || !cursor_u8(&w, &clen))
        return;
    if (caps & SMB1_CAP_EXTENDED_SECURITY) {
        if (cursor_skip(&by, 16))
            smb_security_blob(s, false, by);
    } else if (clen == 8 && cursor_copy(&by, s->smb1_challenge, 8)) {
        s->has_smb1_challenge = true;
    }
}

/* Session setup without NTLMSSP: the responses sit in the bytes. */
static void old_login(smb_conn_t *s, const smb1_hdr_t *h, const block_t *b)
{
    cursor_t w = b->words, by = b->bytes, lm, nt;
    uint16_t lml, ntl;
    if (!cursor_skip(&w, 4 + 2 + 2 + 2 + 4) || !cursor_u16le(&w, &lml) || !cursor_u16le(&w, &ntl) ||
        !cursor_sub(&by, lml, &lm) || !cursor_sub(&by, ntl, &nt))
        return;
    ntlm_auth_t a = {0};
    a.user = string(&by, h);
    a.domain = string(&by, h);
    a.host = xstrdup("");
    a.lm_len = cursor_left(&lm);
    a.nt_len = cursor_left(&nt);
    if (a.nt_len && a.nt_len <= NTLMSSP_MAX_RESPONSE) {
        a.lm = xmalloc(a.lm_len + 1);
        a.nt = xmalloc(a.nt_len);
        cursor_copy(&lm, a.lm, a.lm_len);
        cursor_copy(&nt, a.nt, a.nt_len);
        smb_ntlm_login(s, &a);
    }
    ntlm_auth_free(&a);
}

static void session_setup(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b)
{
    cursor_t w = b->words, by = b->bytes, blob;
    uint16_t blen;
    if (is_orig && b->wc == 12) {
        if (cursor_skip(&w, 4 + 2 + 2 + 2 + 4) && cursor_u16le(&w, &blen) &&
            cursor_sub(&by, blen, &blob))
            smb_security_blob(s, true, blob);
    } else if (is_orig && b->wc == 13) {
        old_login(s, h, b);
    } else if (!is_orig && b->wc == 4) {
        if (cursor_skip(&w, 4 + 2) && cursor_u16le(&w, &blen) && cursor_sub(&by, blen, &blob))
            smb_security_blob(s, false, blob);
    }
}

static void tree_connect(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b)
{
    if (is_orig) {
        cursor_t w = b->words, by = b->bytes;
        uint16_t plen;
        if (b->wc != 4 || !cursor_skip(&w, 4 + 2) || !cursor_u16le(&w, &plen) ||
            !cursor_skip(&by, plen))
            return;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_TREE_CONNECT_ANDX);
        if (p)
            p->name = string(&by, h);
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_TREE_CONNECT_ANDX, &p))
        return;
    if (h->status == STATUS_SUCCESS)
        smb_tree_set(s, 0, h->tid, p.name), p.name = NULL;
    smb_pending_done(&p);
}

static void nt_create(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                      uint64_t frame)
{
    if (is_orig) {
        cursor_t by = b->bytes;
        if (b->wc != 24)
            return;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_NT_CREATE_ANDX);
        if (p) {
            p->name = string(&by, h);
            p->length = h->tid;
        }
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_NT_CREATE_ANDX, &p))
        return;
    cursor_t w = b->words;
    uint16_t fid;
    smb_times_t t;
    uint64_t alloc, eof;
    uint32_t attrs;
    uint8_t dir, key[16];
    if (h->status == STATUS_SUCCESS && b->wc >= 34 && cursor_skip(&w, 4 + 1) &&
        cursor_u16le(&w, &fid) && cursor_skip(&w, 4) && cursor_u64le(&w, &t.created) &&
        cursor_u64le(&w, &t.accessed) && cursor_u64le(&w, &t.modified) &&
        cursor_u64le(&w, &t.changed) && cursor_u32le(&w, &attrs) && cursor_u64le(&w, &alloc) &&
        cursor_u64le(&w, &eof) && cursor_skip(&w, 2 + 2) && cursor_u8(&w, &dir)) {
        fid16(fid, key);
        smb_open_add(s, 0, key, 1, h->tid ? h->tid : p.length, p.name, eof, &t,
                     dir == SMB1_DIRECTORY, frame);
        p.name = NULL;
    }
    smb_pending_done(&p);
}

static void read_andx(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                      cursor_t msg, uint64_t frame)
{
    if (is_orig) {
        cursor_t w = b->words;
        uint16_t fid, maxc;
        uint32_t off, high = 0;
        if ((b->wc != 10 && b->wc != 12) || !cursor_skip(&w, 4) || !cursor_u16le(&w, &fid) ||
            !cursor_u32le(&w, &off) || !cursor_u16le(&w, &maxc))
            return;
        if (b->wc == 12 && !(cursor_skip(&w, 2 + 4 + 2) && cursor_u32le(&w, &high)))
            return;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_READ_ANDX);
        if (p) {
            fid16(fid, p->fid);
            p->offset = (uint64_t)high << 32 | off;
        }
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_READ_ANDX, &p))
        return;
    cursor_t w = b->words, data;
    uint16_t dlen, doff, dhigh;
    if (h->status == STATUS_SUCCESS && b->wc == 12 && cursor_skip(&w, 4 + 2 + 2 + 2) &&
        cursor_u16le(&w, &dlen) && cursor_u16le(&w, &doff) && cursor_u16le(&w, &dhigh)) {
        uint32_t len = (uint32_t)dhigh << 16 | dlen;
        if (cursor_seek(&msg, doff) && cursor_sub(&msg, len, &data))
            smb_file_read(s, 0, p.fid, p.offset, data, frame);
        else
            s->st.malformed++;
    }
    smb_pending_done(&p);
}

static void write_andx(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                       cursor_t msg, uint64_t frame)
{
    if (!is_orig)
        return;
    cursor_t w = b->words, data;
    uint16_t fid, dhigh, dlen, doff;
    uint32_t off, high = 0;
    if ((b->wc != 12 && b->wc != 14) || !cursor_skip(&w, 4) || !cursor_u16le(&w, &fid) ||
        !cursor_u32le(&w, &off) || !cursor_skip(&w, 4 + 2 + 2) || !cursor_u16le(&w, &dhigh) ||
        !cursor_u16le(&w, &dlen) || !cursor_u16le(&w, &doff))
        return;
    if (b->wc == 14 && !cursor_u32le(&w, &high))
        return;
    uint32_t len = (uint32_t)dhigh << 16 | dlen;
    uint8_t key[16];
    fid16(fid, key);
    if (cursor_seek(&msg, doff) && cursor_sub(&msg, len, &data))
        smb_file_write(s, 0, key, (uint64_t)high << 32 | off, data, frame);
    else
        s->st.malformed++;
}

static void close_file(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                       uint64_t frame)
{
    if (is_orig) {
        cursor_t w = b->words;
        uint16_t fid;
        if (b->wc != 3 || !cursor_u16le(&w, &fid))
            return;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_CLOSE);
        if (p)
            fid16(fid, p->fid);
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_CLOSE, &p))
        return;
    if (h->status == STATUS_SUCCESS)
        smb_open_close(s, 0, p.fid, frame);
    smb_pending_done(&p);
}

static bool is_andx(uint8_t cmd)
{
    return cmd == SMB1_SESSION_SETUP_ANDX || cmd == SMB1_TREE_CONNECT_ANDX ||
           cmd == SMB1_NT_CREATE_ANDX || cmd == SMB1_READ_ANDX || cmd == SMB1_WRITE_ANDX ||
           cmd == 0x74 /* LOGOFF_ANDX */ || cmd == 0x2D /* OPEN_ANDX */ ||
           cmd == 0x24 /* LOCKING_ANDX */;
}

static void command(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd, const block_t *b,
                    cursor_t msg, uint64_t frame)
{
    s->st.pdus++;
    /* error replies carry no words; an interim "more processing" session
     * setup reply does carry the NTLMSSP challenge */
    if (!is_orig && h->status != STATUS_SUCCESS &&
        !(cmd == SMB1_SESSION_SETUP_ANDX && h->status == STATUS_MORE_PROCESSING)) {
        smb_pending_t p;
        if (smb_pending_take(s, pending_id(h), cmd, &p))
            smb_pending_done(&p);
        else
            s->st.unmatched--; /* errors for commands we do not follow */
        return;
    }
    switch (cmd) {
    case SMB1_NEGOTIATE:
        negotiate(s, is_orig, b);
        break;
    case SMB1_SESSION_SETUP_ANDX:
        session_setup(s, is_orig, h, b);
        break;
    case SMB1_TREE_CONNECT_ANDX:
        tree_connect(s, is_orig, h, b);
        break;
    case SMB1_NT_CREATE_ANDX:
        nt_create(s, is_orig, h, b, frame);
        break;
    case SMB1_READ_ANDX:
        read_andx(s, is_orig, h, b, msg, frame);
        break;
    case SMB1_WRITE_ANDX:
        write_andx(s, is_orig, h, b, msg, frame);
        break;
    case SMB1_CLOSE:
        close_file(s, is_orig, h, b, frame);
        break;
    default:
        break;
    }
}

void smb1_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame)
{
    cursor_t c = msg;
    smb1_hdr_t h;
    block_t b;
    if (!header(&c, &h) || !block_at(msg, SMB1_HEADER, h.command, !is_orig, &b)) {
        s->st.malformed++;
        return;
    }
    if (!!(h.flags & SMB1_FLAGS_REPLY) == is_orig) {
        s->st.malformed++; /* a reply from the client, or a request from the server */
        return;
    }
    uint8_t cmd = h.command;
    size_t prev = SMB1_HEADER;
    for (int i = 0; i < SMB1_MAX_ANDX; i++) {
        command(s, is_orig, &h, cmd, &b, msg, frame);
        cursor_t w = b.words;
        uint8_t next = 0;
        uint16_t off;
        if (!is_andx(cmd) || b.wc < 2 || !cursor_u8(&w, &next) || next == SMB1_NO_ANDX ||
            !cursor_skip(&w, 1) || !cursor_u16le(&w, &off))
            return;
        if (off <= prev || !block_at(msg, off, next, !is_orig, &b)) { /* chains only go forward */
            s->st.malformed++;
            return;
        }
        prev = off;
        cmd = next;
    }
}
