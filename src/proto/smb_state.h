/*
 * smb_state.h — what smb.c, smb1.c and smb2.c share about one SMB
 * connection: pending requests, connected trees, open files, the NTLM
 * challenge.  Internal to the SMB parser (see smb.h for the interface).
 */
#ifndef PCAPCASE_SMB_STATE_H
#define PCAPCASE_SMB_STATE_H

#include "core/buf.h"
#include "core/cursor.h"
#include "credential.h"
#include "ntlmssp.h"
#include "smb.h"

/* [MS-FSCC] 2.4 file information classes a SET_INFO may carry (SMB2
 * SET_INFO; SMB1 TRANS2 SET_*_INFORMATION as pass-through levels, these
 * plus 1000) that change what an open did to its file. */
#define SMB_INFO_RENAME 10      /* FileRenameInformation */
#define SMB_INFO_DISPOSITION 13 /* FileDispositionInformation */

/* NT status codes read in both dialects (MS-ERREF 2.3). */
#define STATUS_SUCCESS 0x00000000u
#define STATUS_MORE_PROCESSING 0xC0000016u /* a SESSION_SETUP goes on */

typedef struct smb_pending {
    uint64_t id; /* SMB2 message id, SMB1 pid << 16 | mid */
    uint16_t command;
    uint8_t fid[16];  /* READ/WRITE/CLOSE file id (SMB1: 2 bytes) */
    uint64_t session; /* SMB2 session id of the request (0: SMB1) */
    uint32_t tree;    /* READ: the request's tree (for a file whose open is not seen) */
    uint64_t offset;
    uint32_t length;
    char *name;    /* CREATE file name, TREE_CONNECT path (owned) */
    uint8_t *data; /* a compound WRITE waiting for its file id (owned) */
    size_t data_len;
    uint32_t create_options; /* SMB2 CREATE: FILE_DELETE_ON_CLOSE is kept */
    uint8_t info_class;      /* SET_INFO of a file: rename or disposition (SMB2 classes) */
    bool delete_pending;     /* ... FileDispositionInformation's DeletePending */
    uint16_t tid;            /* SMB1: the tree of a command on a path */
    char *new_name;          /* SMB1 rename by path: the new path (owned) */
    bool by_fid;             /* SMB1 TRANS2 SET_FILE_INFORMATION (not by path) */
    uint64_t frame;          /* SMB1 command on a path, a READ: the request's frame */
    bool read_unknown;       /* a READ of a file id whose open was not seen when asked */
} smb_pending_t;

/* An open file is the connection's own (owner set, session 0: SMB1, or
 * SMB2 before a session) or its session's (owner NULL). */
typedef struct smb_open {
    bool used, ending;
    uint8_t fid[16];
    const smb_conn_t *owner;
    uint64_t session;
    uint32_t tree;
    smb_file_t f;
    char *share, *name; /* owned; f.share/f.name point here */
    char *renamed;      /* owned; f.renamed_to points here */
} smb_open_t;

typedef struct smb_tree {
    uint32_t tid;
    char *path;
} smb_tree_t;

/* A tree of an SMB2 session, for the channels that did not connect it. */
typedef struct smb_session_tree {
    uint64_t session;
    uint32_t tid;
    char *path;
} smb_session_tree_t;

/* A session and how many live connections carried it (id 0: a free slot). */
typedef struct smb_session {
    uint64_t id;
    size_t conns;
} smb_session_t;

/* Open files (open addressing on the file id), sessions (open addressing
 * on the session id: the connections between two hosts may carry tens of
 * thousands, 64 each) and their trees: one connection's, or shared by the
 * connections between two hosts. */
struct smb_sessions {
    smb_open_t *open;
    size_t open_slots, nopen;
    smb_session_t *sess;
    size_t sess_slots, nsess;
    smb_session_tree_t trees[SMB_MAX_TREES];
    size_t ntrees;
    size_t conns;
};

/* SMB1 raw mode ([MS-CIFS] 2.2.4.22, 2.2.4.25): the next message of a
 * direction is a file's bytes with no SMB header. */
typedef struct smb_raw {
    bool expected;
    uint8_t fid[16];
    uint32_t tree;
    uint64_t offset;
} smb_raw_t;

typedef struct smb_dir {
    uint8_t hdr[4];
    unsigned nhdr;
    uint32_t need; /* message bytes still to gather */
    uint64_t skip; /* bytes of an oversized message still to skip */
    bool lost;     /* after a gap: hunting for a header */
    buf_t msg;
    uint64_t frame; /* frame of the message's first byte */
} smb_dir_t;

struct smb_conn {
    const smb_callbacks_t *cb;
    void *ctx;
    smb_dir_t dir[2];
    smb_pending_t *pend; /* grown as requests wait, to SMB_MAX_PENDING */
    size_t npend, pend_cap;
    smb_sessions_t *tab; /* open files: shared, or the connection's own */
    bool own_tab;
    uint64_t sessions[SMB_MAX_CONN_SESSIONS]; /* the SMB2 sessions it carried */
    size_t nsessions;
    smb_tree_t trees[SMB_MAX_TREES];
    size_t ntrees;
    ntlm_challenge_t chal;
    bool has_chal;
    uint8_t smb1_challenge[8]; /* SMB1 negotiate challenge (pre-NTLMSSP logins) */
    bool has_smb1_challenge;
    cred_held_t login; /* an NTLM login waiting for its SESSION_SETUP answer */
    uint64_t next_key;
    unsigned dialect;    /* of the message being read: 1 = SMB1, 2 = SMB2/3 */
    uint64_t frame;      /* of the message being read (its first byte) */
    smb_raw_t raw_read;  /* READ_RAW asked: the server's next message is its data */
    smb_raw_t raw_write; /* WRITE_RAW's interim answer: the client's next message is */
    smb_stats_t st;
};

/* Count an event of a kind of trouble (a counter of smb_stats_t with its
 * _at frames) at frame. */
void smb_count(uint64_t *count, smb_frames_t *at, uint64_t frame);
#define SMB_COUNT_AT(s, kind, frame) smb_count(&(s)->st.kind, &(s)->st.kind##_at, (frame))
/* ... in the message being read. */
#define SMB_COUNT(s, kind) SMB_COUNT_AT(s, kind, (s)->frame)

/* Pending requests. */
smb_pending_t *smb_pending_add(smb_conn_t *s, uint64_t id, uint16_t command);
/* Find and remove the request answered (the caller frees name after use
 * with smb_pending_done). */
bool smb_pending_take(smb_conn_t *s, uint64_t id, uint16_t command, smb_pending_t *out);
void smb_pending_done(smb_pending_t *p);

/* The connection carries SMB2 session id (0: none). */
void smb_session_use(smb_conn_t *s, uint64_t session);

/* Trees.  session: the SMB2 session (0: SMB1), whose channels share them. */
void smb_tree_set(smb_conn_t *s, uint64_t session, uint32_t tid, char *path);
const char *smb_tree_path(const smb_conn_t *s, uint64_t session, uint32_t tid);

/* Open files by session and file id (16 bytes; SMB1 uses the first 2):
 * session 0 is the connection's own. */
smb_open_t *smb_open_find(smb_conn_t *s, uint64_t session, const uint8_t fid[16]);
/* Register an open file (takes name); reports it open. */
smb_open_t *smb_open_add(smb_conn_t *s, uint64_t session, const uint8_t fid[16], unsigned dialect,
                         uint32_t tree, char *name, uint64_t size, const smb_times_t *t,
                         bool is_dir, uint64_t frame);
void smb_open_close(smb_conn_t *s, uint64_t session, const uint8_t fid[16], uint64_t frame);
/* The server accepted a SET_INFO of o that p asked for: FileDisposition
 * (p->delete_pending) or FileRename (p->name, taken). */
void smb_open_set_info(smb_open_t *o, smb_pending_t *p);

/* File data events.  The file is looked up by session and file id; bytes
 * on a file id whose open is not in the capture, or a read asked of it,
 * open it there (tree: the command's; name unknown, open_not_seen set;
 * counted in unknown_file).  A read asked of a file id not open yet is
 * kept in its pending request p (NULL: none) until its answer comes, or
 * never does (the id reused, the connection ended), and the file opened
 * then as of the request (its open's answer may still come before); a
 * read never answered still leaves the file's rows. */
void smb_file_read_request(smb_conn_t *s, smb_pending_t *p, uint64_t session, uint32_t tree,
                           const uint8_t fid[16], uint64_t off, uint32_t len, uint64_t frame);
void smb_file_read(smb_conn_t *s, uint64_t session, uint32_t tree, const uint8_t fid[16],
                   uint64_t off, cursor_t data, uint64_t frame);
void smb_file_write(smb_conn_t *s, uint64_t session, uint32_t tree, const uint8_t fid[16],
                    uint64_t off, cursor_t data, uint64_t frame);

/* Security blobs of session setups (NTLMSSP anywhere inside). */
void smb_security_blob(smb_conn_t *s, bool is_orig, cursor_t blob);
/* An NTLM login without NTLMSSP (SMB1 session setup, non-extended). */
void smb_ntlm_login(smb_conn_t *s, ntlm_auth_t *a);
/* The server answered a SESSION_SETUP with status: the login held (if
 * any) is reported, accepted or refused ("more processing": not yet). */
void smb_login_answer(smb_conn_t *s, uint32_t status);

/* The dialect parsers: one message each. */
void smb1_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame);
void smb2_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame);
/* The raw data of an SMB1 READ_RAW or WRITE_RAW when the direction's next
 * message is one (true: msg was it; empty: the server had nothing). */
bool smb1_raw_message(smb_conn_t *s, bool is_orig, cursor_t msg, uint64_t frame);

#endif
