/* smb1.c — SMB1/CIFS commands ([MS-CIFS] 2.2): negotiate, session setup
 * (NTLMSSP and the older challenge/response), tree connect, NT create,
 * read, write and close, following AndX chains; the older opens, reads
 * and writes (OPEN_ANDX, the core protocol's OPEN, CREATE, CREATE_NEW,
 * READ, WRITE, WRITE_AND_CLOSE, LOCK_AND_READ, WRITE_AND_UNLOCK, and the
 * raw mode's READ_RAW and WRITE_RAW, whose data is a NetBIOS message with
 * no SMB header); and what changes a file
 * without reading or writing it: delete and rename by path (SMB_COM_DELETE,
 * DELETE_DIRECTORY, RENAME, NT_RENAME, TRANS2_SET_PATH_INFORMATION), by
 * file id (TRANS2_SET_FILE_INFORMATION) and delete-on-close at the create. */
#include "core/xalloc.h"
#include "smb_state.h"
#include "utf16.h"

#include <stdlib.h>
#include <string.h>

#define SMB1_HEADER 32
#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_UNICODE 0x8000
#define SMB1_CAP_EXTENDED_SECURITY 0x80000000u
#define SMB1_NO_ANDX 0xFF
/* AndX chains longer than this are loops or attacks. */
#define SMB1_MAX_ANDX 16

#define SMB1_DELETE_DIRECTORY 0x01
#define SMB1_OPEN 0x02
#define SMB1_CREATE 0x03
#define SMB1_CLOSE 0x04
#define SMB1_DELETE 0x06
#define SMB1_RENAME 0x07
#define SMB1_READ 0x0A
#define SMB1_WRITE 0x0B
#define SMB1_CREATE_NEW 0x0F
#define SMB1_LOCK_AND_READ 0x13
#define SMB1_WRITE_AND_UNLOCK 0x14
#define SMB1_READ_RAW 0x1A
#define SMB1_WRITE_RAW 0x1D
#define SMB1_WRITE_COMPLETE 0x20 /* WRITE_RAW's final answer */
#define SMB1_WRITE_AND_CLOSE 0x2C
#define SMB1_OPEN_ANDX 0x2D
#define SMB1_TRANSACTION2 0x32
#define SMB1_NT_RENAME 0xA5
#define SMB1_READ_ANDX 0x2E
#define SMB1_WRITE_ANDX 0x2F
#define SMB1_NEGOTIATE 0x72
#define SMB1_SESSION_SETUP_ANDX 0x73
#define SMB1_TREE_CONNECT_ANDX 0x75
#define SMB1_NT_CREATE_ANDX 0xA2
#define SMB1_DIRECTORY 1
/* The extended NT Create AndX response's word count as written, and as sent. */
#define SMB1_NT_CREATE_EXT_WC_SAID 42
#define SMB1_NT_CREATE_EXT_WC_SENT 50
#define SMB1_BUFFER_FORMAT_DATA 0x01  /* before core READ/WRITE data */
#define SMB1_BUFFER_FORMAT_ASCII 0x04 /* before each path in a command's bytes */
#define SMB1_ATTR_DIRECTORY 0x0010    /* SMB_FILE_ATTRIBUTES */
/* OPEN_ANDX answers: 15 words, or 19 in the extended form ([MS-SMB] 2.2.4.1.2) */
#define SMB1_OPEN_ANDX_WORDS 15
#define SMB1_NT_RENAME_RENAME_FILE 0x0104 /* NT_RENAME levels: not links or copies */
#define FILE_DELETE_ON_CLOSE 0x00001000u  /* NT_CREATE_ANDX CreateOptions */
/* TRANS2 subcommands and the SET_*_INFORMATION levels that delete or rename. */
#define TRANS2_SET_PATH_INFORMATION 0x06
#define TRANS2_SET_FILE_INFORMATION 0x08
#define SMB_SET_FILE_DISPOSITION_INFO 0x0102
#define SMB_INFO_PASSTHROUGH 1000 /* + an [MS-FSCC] file information class */
/* The TRANS2 request's words before its setup words ([MS-CIFS] 2.2.4.46.1). */
#define TRANS2_REQUEST_WORDS 14

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
        cursor_t w = b->words, by = b->bytes;
        uint32_t options = 0;
        if (b->wc != 24)
            return;
        /* AndX, reserved, name length, flags, root fid, access, allocation,
         * attributes, share access, disposition */
        if (!cursor_skip(&w, 4 + 1 + 2 + 4 + 4 + 4 + 8 + 4 + 4 + 4) || !cursor_u32le(&w, &options))
            options = 0;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_NT_CREATE_ANDX);
        if (p) {
            p->name = string(&by, h);
            p->length = h->tid;
            p->create_options = options;
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
        smb_open_t *o = smb_open_add(s, 0, key, 1, h->tid ? h->tid : p.length, p.name, eof, &t,
                                     dir == SMB1_DIRECTORY, frame);
        p.name = NULL;
        if (o && (p.create_options & FILE_DELETE_ON_CLOSE))
            o->f.deleted = true;
    }
    smb_pending_done(&p);
}

/* A read of count bytes at off was asked of fid: the file is read (its
 * answer may never come), and followed even when its open was not seen. */
static void read_asked(smb_conn_t *s, smb_pending_t *p, const smb1_hdr_t *h, uint16_t fid,
                       uint64_t off, uint32_t count, uint64_t frame)
{
    uint8_t key[16];
    fid16(fid, key);
    smb_file_read_request(s, p, 0, h->tid, key, off, count, frame);
}

static void read_andx(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                      cursor_t msg, uint64_t frame)
{
    if (is_orig) {
        cursor_t w = b->words;
        uint16_t fid, maxc;
        uint32_t off, high = 0, maxc_high = 0;
        if ((b->wc != 10 && b->wc != 12) || !cursor_skip(&w, 4) || !cursor_u16le(&w, &fid) ||
            !cursor_u32le(&w, &off) || !cursor_u16le(&w, &maxc) || !cursor_skip(&w, 2) ||
            !cursor_u32le(&w, &maxc_high))
            return;
        if (b->wc == 12 && !(cursor_skip(&w, 2) && cursor_u32le(&w, &high)))
            return;
        /* Timeout_or_MaxCountHigh ([MS-SMB] 2.2.4.2.1): a count's high
         * bits, or a timeout (all ones, from older clients) */
        uint32_t count = maxc | (maxc_high != 0xffffffffu ? (maxc_high & 0xffff) << 16 : 0);
        smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_READ_ANDX);
        if (p) {
            fid16(fid, p->fid);
            p->offset = (uint64_t)high << 32 | off;
            p->tree = h->tid;
        }
        read_asked(s, p, h, fid, (uint64_t)high << 32 | off, count, frame);
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
            smb_file_read(s, 0, p.tree, p.fid, p.offset, data, frame);
        else
            SMB_COUNT(s, malformed);
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
        smb_file_write(s, 0, h->tid, key, (uint64_t)high << 32 | off, data, frame);
    else
        SMB_COUNT(s, malformed);
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

/* A path in a command's bytes: a buffer format byte, then the string. */
static char *path_string(cursor_t *bytes, const smb1_hdr_t *h)
{
    uint8_t format = 0;
    if (!cursor_u8(bytes, &format) || format != SMB1_BUFFER_FORMAT_ASCII)
        return NULL;
    return string(bytes, h);
}

/* ---- the older opens, reads and writes ([MS-CIFS] 2.2.4.3, 2.2.4.4,
 * 2.2.4.15, 2.2.4.11, 2.2.4.12, 2.2.4.40, 2.2.4.41) ---- */

/* UTIME (seconds since 1970, 0: none) as a FILETIME. */
static uint64_t utime_filetime(uint32_t t)
{
    return t ? (uint64_t)t * 10000000u + 116444736000000000ull : 0;
}

/* An open's request: its name waits for the answer's file id. */
static void open_request(smb_conn_t *s, const smb1_hdr_t *h, uint8_t cmd, char *name)
{
    smb_pending_t *p = name ? smb_pending_add(s, pending_id(h), cmd) : NULL;
    if (!p) {
        free(name);
        return;
    }
    p->name = name;
    p->tree = h->tid;
}

/* The answer to an open that p asked for gave fid. */
static void open_answered(smb_conn_t *s, const smb1_hdr_t *h, smb_pending_t *p, uint16_t fid,
                          uint64_t size, uint32_t utime, uint16_t attrs, uint64_t frame)
{
    uint8_t key[16];
    fid16(fid, key);
    smb_times_t t = {0, 0, utime_filetime(utime), 0};
    smb_open_add(s, 0, key, 1, h->tid ? h->tid : p->tree, p->name, size, &t,
                 (attrs & SMB1_ATTR_DIRECTORY) != 0, frame);
    p->name = NULL;
}

/* OPEN_ANDX: 15 words and the file name (no buffer format) asked; 15 words
 * (19 extended: a server file id and access rights after the same fields)
 * answered: fid, attributes, last write time, data size. */
static void open_andx(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                      uint64_t frame)
{
    if (is_orig) {
        cursor_t by = b->bytes;
        if (b->wc == SMB1_OPEN_ANDX_WORDS)
            open_request(s, h, SMB1_OPEN_ANDX, string(&by, h));
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_OPEN_ANDX, &p))
        return;
    cursor_t w = b->words;
    uint16_t fid, attrs;
    uint32_t mtime, size;
    if (b->wc >= SMB1_OPEN_ANDX_WORDS && cursor_skip(&w, 4) && cursor_u16le(&w, &fid) &&
        cursor_u16le(&w, &attrs) && cursor_u32le(&w, &mtime) && cursor_u32le(&w, &size))
        open_answered(s, h, &p, fid, size, mtime, attrs, frame);
    else
        SMB_COUNT(s, malformed);
    smb_pending_done(&p);
}

/* OPEN (2 words), CREATE and CREATE_NEW (3 words) asked, a path in the
 * bytes; OPEN answered with fid, attributes, time and size (7 words),
 * the creates with a fid (1 word) of a file now empty. */
static void core_open(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd,
                      const block_t *b, uint64_t frame)
{
    if (is_orig) {
        cursor_t by = b->bytes;
        if (b->wc == (cmd == SMB1_OPEN ? 2 : 3))
            open_request(s, h, cmd, path_string(&by, h));
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), cmd, &p))
        return;
    cursor_t w = b->words;
    uint16_t fid, attrs = 0;
    uint32_t mtime = 0, size = 0;
    bool ok = cursor_u16le(&w, &fid);
    if (cmd == SMB1_OPEN)
        ok = ok && b->wc == 7 && cursor_u16le(&w, &attrs) && cursor_u32le(&w, &mtime) &&
             cursor_u32le(&w, &size);
    if (ok)
        open_answered(s, h, &p, fid, size, mtime, attrs, frame);
    else
        SMB_COUNT(s, malformed);
    smb_pending_done(&p);
}

/* Core data in the bytes: buffer format 1 (or 0 when any0), a 16-bit
 * length, the data. */
static bool core_data(cursor_t by, bool any0, cursor_t *data)
{
    uint8_t format = 0;
    uint16_t len;
    return cursor_u8(&by, &format) &&
           (format == SMB1_BUFFER_FORMAT_DATA || (any0 && format == 0)) &&
           cursor_u16le(&by, &len) && cursor_sub(&by, len, data);
}

/* READ and LOCK_AND_READ: fid, count, 32-bit offset asked (5 words); the
 * data answered (samba's LOCK_AND_READ answer has buffer format 0, not 1). */
static void core_read(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd,
                      const block_t *b, uint64_t frame)
{
    if (is_orig) {
        cursor_t w = b->words;
        uint16_t fid, count;
        uint32_t off;
        if (b->wc != 5 || !cursor_u16le(&w, &fid) || !cursor_u16le(&w, &count) ||
            !cursor_u32le(&w, &off))
            return;
        smb_pending_t *p = smb_pending_add(s, pending_id(h), cmd);
        if (p) {
            fid16(fid, p->fid);
            p->offset = off;
            p->tree = h->tid;
        }
        read_asked(s, p, h, fid, off, count, frame);
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), cmd, &p))
        return;
    cursor_t data;
    if (b->wc == 5 && core_data(b->bytes, cmd == SMB1_LOCK_AND_READ, &data))
        smb_file_read(s, 0, p.tree, p.fid, p.offset, data, frame);
    else
        SMB_COUNT(s, malformed);
    smb_pending_done(&p);
}

/* WRITE and WRITE_AND_UNLOCK: fid, count, 32-bit offset (5 words) and the data; WRITE_AND_CLOSE:
 * fid, count, offset, last write time (6 words, or 12), a pad byte and the
 * data, the file closed by its answer. */
static void core_write(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd,
                       const block_t *b, uint64_t frame)
{
    if (!is_orig) {
        smb_pending_t p;
        if (cmd == SMB1_WRITE_AND_CLOSE && smb_pending_take(s, pending_id(h), cmd, &p)) {
            smb_open_close(s, 0, p.fid, frame);
            smb_pending_done(&p);
        }
        return;
    }
    cursor_t w = b->words, by = b->bytes, data;
    uint16_t fid, count;
    uint32_t off;
    bool and_close = cmd == SMB1_WRITE_AND_CLOSE;
    if (b->wc != (and_close ? 6 : 5) && !(and_close && b->wc == 12))
        return;
    if (!cursor_u16le(&w, &fid) || !cursor_u16le(&w, &count) || !cursor_u32le(&w, &off))
        return;
    bool ok = and_close ? cursor_skip(&by, 1) && cursor_sub(&by, count, &data)
                        : core_data(by, false, &data);
    uint8_t key[16];
    fid16(fid, key);
    if (ok)
        smb_file_write(s, 0, h->tid, key, off, data, frame);
    else
        SMB_COUNT(s, malformed);
    smb_pending_t *p = and_close ? smb_pending_add(s, pending_id(h), cmd) : NULL;
    if (p)
        memcpy(p->fid, key, 16);
}

/* ---- raw mode ([MS-CIFS] 2.2.4.22, 2.2.4.25) ---- */

/* READ_RAW: fid, offset, max and min count, timeout, reserved (8 words),
 * OffsetHigh (10); answered by the data alone, a NetBIOS message with no
 * SMB header (empty: nothing to read, or refused). */
static void read_raw(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                     uint64_t frame)
{
    cursor_t w = b->words;
    uint16_t fid, maxc;
    uint32_t off, high = 0;
    if (!is_orig || (b->wc != 8 && b->wc != 10) || !cursor_u16le(&w, &fid) ||
        !cursor_u32le(&w, &off) || !cursor_u16le(&w, &maxc) || !cursor_skip(&w, 2 + 4 + 2))
        return;
    if (b->wc == 10 && !cursor_u32le(&w, &high))
        return;
    uint64_t at = (uint64_t)high << 32 | off;
    s->raw_read = (smb_raw_t){true, {0}, h->tid, at};
    fid16(fid, s->raw_read.fid);
    read_asked(s, NULL, h, fid, at, maxc, frame);
}

/* WRITE_RAW: fid, total count, reserved, offset, timeout, write mode,
 * reserved, the count and offset of the data the request carries (12
 * words), OffsetHigh (14).  That data is written at offset; the server's
 * interim answer (WRITE_RAW, 1 word; samba's is the request's header sent
 * back, its reply flag clear) asks for the rest, which the client sends
 * as a NetBIOS message with no SMB header, written after it.  A refusal is
 * an error answer (samba's says WRITE_COMPLETE); the final answer
 * (WRITE_COMPLETE; samba's says WRITE_RAW) comes only in write-through
 * mode or on error. */
static void write_raw(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b,
                      cursor_t msg, uint64_t frame)
{
    if (!is_orig) {
        smb_pending_t p;
        if (!smb_pending_take(s, pending_id(h), SMB1_WRITE_RAW, &p)) {
            s->st.unmatched--; /* samba's final answer says WRITE_RAW too */
            return;
        }
        s->raw_write = (smb_raw_t){true, {0}, p.tree, p.offset};
        memcpy(s->raw_write.fid, p.fid, 16);
        smb_pending_done(&p);
        return;
    }
    cursor_t w = b->words, data;
    uint16_t fid, dlen, doff;
    uint32_t off, high = 0;
    if ((b->wc != 12 && b->wc != 14) || !cursor_u16le(&w, &fid) || !cursor_skip(&w, 2 + 2) ||
        !cursor_u32le(&w, &off) || !cursor_skip(&w, 4 + 2 + 4) || !cursor_u16le(&w, &dlen) ||
        !cursor_u16le(&w, &doff))
        return;
    if (b->wc == 14 && !cursor_u32le(&w, &high))
        return;
    uint64_t at = (uint64_t)high << 32 | off;
    uint8_t key[16];
    fid16(fid, key);
    if (dlen) {
        if (!cursor_seek(&msg, doff) || !cursor_sub(&msg, dlen, &data)) {
            SMB_COUNT(s, malformed);
            return;
        }
        smb_file_write(s, 0, h->tid, key, at, data, frame);
    }
    smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_WRITE_RAW);
    if (p) {
        memcpy(p->fid, key, 16);
        p->tree = h->tid;
        p->offset = at + dlen;
    }
}

bool smb1_raw_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame)
{
    smb_raw_t *r = is_orig ? &s->raw_write : &s->raw_read;
    if (!r->expected)
        return false;
    r->expected = false;
    s->dialect = 1;
    if (is_orig)
        smb_file_write(s, 0, r->tree, r->fid, r->offset, msg, frame);
    else
        smb_file_read(s, 0, r->tree, r->fid, r->offset, msg, frame);
    return true;
}

/* ---- what is done to files by path, and TRANS2 SET_*_INFORMATION ---- */

/* A request naming a path (old) and maybe a second one (new): waits for
 * the server's answer. */
static void path_request(smb_conn_t *s, const smb1_hdr_t *h, uint8_t cmd, char *old, char *new,
                         uint64_t frame)
{
    smb_pending_t *p = old ? smb_pending_add(s, pending_id(h), cmd) : NULL;
    if (!p) {
        free(old), free(new);
        return;
    }
    p->name = old;
    p->new_name = new;
    p->tid = h->tid;
    p->frame = frame;
}

/* The server accepted what p asked for on its path. */
static void path_done(smb_conn_t *s, const smb_pending_t *p, smb_path_kind_t kind, bool is_dir,
                      uint64_t frame)
{
    if (!s->cb->path_action || (kind == SMB_PATH_RENAME && !p->new_name))
        return;
    smb_path_action_t a = {kind,    smb_tree_path(s, 0, p->tid), p->name, p->new_name, is_dir,
                           p->frame};
    s->cb->path_action(s->ctx, &a, frame);
}

/* DELETE, DELETE_DIRECTORY, RENAME and NT_RENAME: the request's paths, the
 * answer's success ([MS-CIFS] 2.2.4.7, 2.2.4.2, 2.2.4.8, 2.2.4.66). */
static void by_path(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd, const block_t *b,
                    uint64_t frame)
{
    if (is_orig) {
        cursor_t w = b->words, by = b->bytes;
        uint16_t level = SMB1_NT_RENAME_RENAME_FILE;
        if (cmd == SMB1_NT_RENAME && !(cursor_skip(&w, 2) && cursor_u16le(&w, &level)))
            return;
        char *old = path_string(&by, h);
        char *new = cmd == SMB1_RENAME || cmd == SMB1_NT_RENAME ? path_string(&by, h) : NULL;
        if (level != SMB1_NT_RENAME_RENAME_FILE) /* a hard link, a copy: nothing renamed, */
            free(new), new = NULL;               /* but its answer is expected all the same */
        path_request(s, h, cmd, old, new, frame);
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), cmd, &p))
        return;
    bool rename = cmd == SMB1_RENAME || cmd == SMB1_NT_RENAME;
    path_done(s, &p, rename ? SMB_PATH_RENAME : SMB_PATH_DELETE, cmd == SMB1_DELETE_DIRECTORY,
              frame);
    smb_pending_done(&p);
}

typedef struct trans2 {
    uint16_t sub;
    cursor_t params, data;
} trans2_t;

/* A TRANS2 request whose parameters and data all came in it (secondary
 * requests, for larger ones, are not followed). */
static bool trans2_request(cursor_t msg, const block_t *b, trans2_t *t)
{
    cursor_t w = b->words, m = msg;
    uint16_t total_params, total_data, nparams, params_at, ndata, data_at;
    uint8_t setups = 0;
    if (b->wc < TRANS2_REQUEST_WORDS + 1 || !cursor_u16le(&w, &total_params) ||
        !cursor_u16le(&w, &total_data) || !cursor_skip(&w, 2 + 2 + 1 + 1 + 2 + 4 + 2) ||
        !cursor_u16le(&w, &nparams) || !cursor_u16le(&w, &params_at) || !cursor_u16le(&w, &ndata) ||
        !cursor_u16le(&w, &data_at) || !cursor_u8(&w, &setups) || !cursor_skip(&w, 1) || !setups ||
        !cursor_u16le(&w, &t->sub))
        return false;
    if (nparams != total_params || ndata != total_data)
        return false;
    return cursor_seek(&m, params_at) && cursor_sub(&m, nparams, &t->params) &&
           cursor_seek(&m, data_at) && cursor_sub(&m, ndata, &t->data);
}

/* The information a SET_*_INFORMATION level carries, into p: a delete
 * (disposition) or a rename (the new name in p->new_name).  False for the
 * levels that do neither. */
static bool set_info_data(const smb1_hdr_t *h, uint16_t level, cursor_t data, smb_pending_t *p)
{
    uint8_t del = 0;
    uint32_t nlen;
    cursor_t name;
    if (level == SMB_SET_FILE_DISPOSITION_INFO ||
        level == SMB_INFO_PASSTHROUGH + SMB_INFO_DISPOSITION) {
        p->info_class = SMB_INFO_DISPOSITION;
        p->delete_pending = cursor_u8(&data, &del) && del;
        return true;
    }
    /* FileRenameInformation, SMB1 form: ReplaceIfExists, 3 reserved bytes,
     * RootDirectory, FileNameLength, FileName ([MS-CIFS] 2.2.8.4) */
    if (level != SMB_INFO_PASSTHROUGH + SMB_INFO_RENAME || !cursor_skip(&data, 1 + 3 + 4) ||
        !cursor_u32le(&data, &nlen) || !cursor_sub(&data, nlen, &name))
        return false;
    p->info_class = SMB_INFO_RENAME;
    p->new_name = utf16_to_utf8(name, h->flags2 & SMB1_FLAGS2_UNICODE, SMB_MAX_NAME);
    return true;
}

/* TRANS2_SET_PATH_INFORMATION / SET_FILE_INFORMATION that delete or
 * rename: by path, reported at the answer; by file id, kept on the open
 * (reported at its close, as SMB2's SET_INFO). */
static void trans2_set_request(smb_conn_t *s, const smb1_hdr_t *h, const trans2_t *t,
                               uint64_t frame)
{
    cursor_t prm = t->params;
    uint16_t fid = 0, level;
    if (t->sub == TRANS2_SET_FILE_INFORMATION) {
        if (!cursor_u16le(&prm, &fid) || !cursor_u16le(&prm, &level))
            return;
    } else if (t->sub != TRANS2_SET_PATH_INFORMATION || !cursor_u16le(&prm, &level) ||
               !cursor_skip(&prm, 4)) {
        return;
    }
    smb_pending_t q = {0};
    if (!set_info_data(h, level, t->data, &q))
        return;
    smb_pending_t *p = smb_pending_add(s, pending_id(h), SMB1_TRANSACTION2);
    if (!p) {
        smb_pending_done(&q);
        return;
    }
    p->info_class = q.info_class;
    p->delete_pending = q.delete_pending;
    p->tid = h->tid;
    p->frame = frame;
    if (t->sub == TRANS2_SET_FILE_INFORMATION) {
        fid16(fid, p->fid);
        p->name = q.new_name; /* smb_open_set_info's new name */
        p->by_fid = true;
    } else {
        p->name = string(&prm, h);
        p->new_name = q.new_name;
    }
}

static void trans2(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, const block_t *b, cursor_t msg,
                   uint64_t frame)
{
    if (is_orig) {
        trans2_t t;
        if (trans2_request(msg, b, &t))
            trans2_set_request(s, h, &t, frame);
        return;
    }
    smb_pending_t p;
    if (!smb_pending_take(s, pending_id(h), SMB1_TRANSACTION2, &p)) {
        s->st.unmatched--; /* answers to the TRANS2 subcommands we do not follow */
        return;
    }
    if (p.by_fid) {
        smb_open_t *o = smb_open_find(s, 0, p.fid);
        if (o)
            smb_open_set_info(o, &p);
    } else if (p.info_class == SMB_INFO_RENAME) {
        path_done(s, &p, SMB_PATH_RENAME, false, frame);
    } else if (p.delete_pending) {
        path_done(s, &p, SMB_PATH_DELETE, false, frame);
    }
    smb_pending_done(&p);
}

static bool is_andx(uint8_t cmd)
{
    return cmd == SMB1_SESSION_SETUP_ANDX || cmd == SMB1_TREE_CONNECT_ANDX ||
           cmd == SMB1_NT_CREATE_ANDX || cmd == SMB1_READ_ANDX || cmd == SMB1_WRITE_ANDX ||
           cmd == 0x74 /* LOGOFF_ANDX */ || cmd == SMB1_OPEN_ANDX || cmd == 0x24 /* LOCKING_ANDX */;
}

static void command(smb_conn_t *s, bool is_orig, const smb1_hdr_t *h, uint8_t cmd, const block_t *b,
                    cursor_t msg, uint64_t frame)
{
    s->st.pdus++;
    if (!is_orig && cmd == SMB1_SESSION_SETUP_ANDX)
        smb_login_answer(s, h->status);
    /* error replies carry no words; an interim "more processing" session
     * setup reply does carry the NTLMSSP challenge */
    if (!is_orig && h->status != STATUS_SUCCESS &&
        !(cmd == SMB1_SESSION_SETUP_ANDX && h->status == STATUS_MORE_PROCESSING)) {
        smb_pending_t p;
        /* samba's refusal of a WRITE_RAW says WRITE_COMPLETE */
        uint8_t asked = cmd == SMB1_WRITE_COMPLETE ? SMB1_WRITE_RAW : cmd;
        if (smb_pending_take(s, pending_id(h), asked, &p))
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
    case SMB1_OPEN_ANDX:
        open_andx(s, is_orig, h, b, frame);
        break;
    case SMB1_OPEN:
    case SMB1_CREATE:
    case SMB1_CREATE_NEW:
        core_open(s, is_orig, h, cmd, b, frame);
        break;
    case SMB1_READ:
    case SMB1_LOCK_AND_READ:
        core_read(s, is_orig, h, cmd, b, frame);
        break;
    case SMB1_WRITE:
    case SMB1_WRITE_AND_UNLOCK:
    case SMB1_WRITE_AND_CLOSE:
        core_write(s, is_orig, h, cmd, b, frame);
        break;
    case SMB1_READ_RAW:
        read_raw(s, is_orig, h, b, frame);
        break;
    case SMB1_WRITE_RAW:
        write_raw(s, is_orig, h, b, msg, frame);
        break;
    case SMB1_DELETE:
    case SMB1_DELETE_DIRECTORY:
    case SMB1_RENAME:
    case SMB1_NT_RENAME:
        by_path(s, is_orig, h, cmd, b, frame);
        break;
    case SMB1_TRANSACTION2:
        trans2(s, is_orig, h, b, msg, frame);
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
        SMB_COUNT(s, malformed);
        return;
    }
    /* a reply from the client, or a request from the server (samba's
     * interim WRITE_RAW answer is the request's header sent back, its
     * reply flag clear) */
    if (!!(h.flags & SMB1_FLAGS_REPLY) == is_orig && (is_orig || h.command != SMB1_WRITE_RAW)) {
        SMB_COUNT(s, malformed);
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
            SMB_COUNT(s, malformed);
            return;
        }
        prev = off;
        cmd = next;
    }
}
