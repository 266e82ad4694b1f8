/*
 * smb.h — an SMB connection (SMB1/CIFS and SMB2/SMB3 without encryption)
 * incrementally: which files were opened, read and written, and who logged
 * on.
 *
 * The stream is split into NetBIOS session messages (4-byte header, RFC
 * 1002; also the "direct TCP" framing of port 445), each holding one SMB1
 * command chain (AndX) or one or more SMB2 PDUs (compounded with
 * NextCommand) — but for SMB1's raw mode, whose data is a message with no
 * SMB header: the server's after a READ_RAW request, the client's after
 * the server's interim WRITE_RAW answer.  Requests are matched with responses by message id (SMB2)
 * or multiplex id and process id (SMB1): a READ response carries no file id
 * or offset, its request does.  Tree connects give share names, creates
 * give file names, sizes and times and the file id later commands use.
 *
 * The caller sees files, not PDUs: open, each piece read or written with
 * its offset (assemble them with fileasm.h), close; renames and deletes of
 * an open file are told at its close, SMB1's by path as they happen.  Session setups give
 * NTLM logins (ntlmssp.h) as hashcat lines; SMB1's pre-NTLMSSP
 * challenge/response logins too.  Encrypted (SMB3 transform) and
 * compressed messages are counted and skipped.  Everything is capped: a
 * message past SMB_MAX_MESSAGE is skipped (counted), tables are bounded.
 *
 * An SMB2/SMB3 file id belongs to the session, not to the connection: SMB 3
 * multichannel binds several TCP connections (channels) to one session
 * ([MS-SMB2] 3.2.5.3.1, SMB2_SESSION_FLAG_BINDING) and a file opened on
 * one is read, written and closed on any.  The open files and trees of
 * sessions therefore live in an smb_sessions_t the caller may share among
 * the connections between the same two hosts (session ids are chosen by
 * the server); SMB1 files, and SMB2 ones of session 0, stay the
 * connection's own.
 */
#ifndef PCAPCASE_SMB_H
#define PCAPCASE_SMB_H

#include "credential.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NetBIOS messages kept whole: SMB2 READ/WRITE are at most 8 MiB
 * (MaxReadSize of current Windows and Samba) plus headers. */
#define SMB_MAX_MESSAGE ((8u << 20) + 65536)
/* Requests waiting for responses (SMB2 credits allow a few hundred). */
#define SMB_MAX_PENDING 1024
/* Files open at once between two hosts (smb_many_open_files_500 holds 500). */
#define SMB_MAX_OPEN 8192
/* Trees connected at once. */
#define SMB_MAX_TREES 256
/* A WRITE compounded after a CREATE names its file only through the
 * CREATE's answer: its data waits for it, up to this much (compounds carry
 * small files; larger writes are never compounded in practice). */
#define SMB_MAX_DEFERRED_WRITE (1u << 20)
/* A path or share name kept (UTF-8 bytes). */
#define SMB_MAX_NAME 1024
/* Sessions one connection carries (one per user logged on over it):
 * beyond, a session is counted as dropped and its files still open are
 * ended with the last connection between the two hosts. */
#define SMB_MAX_CONN_SESSIONS 64

/* FILETIME values from the create response (100 ns since 1601), 0 if none. */
typedef struct smb_times {
    uint64_t created, accessed, modified, changed;
} smb_times_t;

typedef struct smb_file {
    uint64_t key;      /* 1, 2, ... per open on the connection that opened it */
    unsigned dialect;  /* 1 = SMB1, 2 = SMB2/3 */
    const char *share; /* "\\\\SERVER\\share" as connected, "" if unseen */
    const char *name;  /* path inside the share, "" if unseen */
    uint64_t size;     /* end of file at open, grown by writes past it */
    smb_times_t times;
    bool is_dir, is_pipe;
    void *user; /* what the open callback returned for this open */
    /* SMB2: what this open did to the file (reported at the close) */
    const char *renamed_to; /* a rename (FileRenameInformation) was accepted: the new path */
    bool deleted;           /* delete on close (create option or FileDispositionInformation) */
    /* read or written with no open in the capture (its CREATE came before
     * the capture began, or was not captured): name, size and times are
     * unknown, and the file is never whole */
    bool open_not_seen;
} smb_file_t;

/* What an SMB1 command did to a file or directory it named by path, with no
 * open (SMB_COM_DELETE, SMB_COM_DELETE_DIRECTORY, SMB_COM_RENAME,
 * SMB_COM_NT_RENAME, TRANS2_SET_PATH_INFORMATION with disposition or rename
 * information): reported when the server accepted it. */
typedef enum smb_path_kind { SMB_PATH_DELETE, SMB_PATH_RENAME } smb_path_kind_t;

typedef struct smb_path_action {
    smb_path_kind_t kind;
    const char *share;    /* "\\SERVER\share" as connected, "" if unseen */
    const char *name;     /* the path as the client sent it (may hold wildcards) */
    const char *new_name; /* SMB_PATH_RENAME: the new path, else NULL */
    bool is_dir;          /* SMB_COM_DELETE_DIRECTORY */
    uint64_t request_frame;
} smb_path_action_t;

/* ctx is that of the connection the event happened on: with a shared
 * smb_sessions_t, a file opened on one connection may be read, written
 * and closed on another (f->user is the same throughout). */
typedef struct smb_callbacks {
    /* Returns the caller's pointer for the open (f->user from then on). */
    void *(*open)(void *ctx, const smb_file_t *f, uint64_t frame);
    /* Data read from (server's response) or written to (client's request)
     * the file at offset. */
    void (*read)(void *ctx, const smb_file_t *f, uint64_t offset, const uint8_t *p, size_t n,
                 uint64_t frame);
    void (*write)(void *ctx, const smb_file_t *f, uint64_t offset, const uint8_t *p, size_t n,
                  uint64_t frame);
    /* The file was closed (frame 0: the last connection of its session
     * ended with it open). */
    void (*close)(void *ctx, const smb_file_t *f, uint64_t frame);
    void (*credential)(void *ctx, const proto_cred_t *c);
    /* (may be NULL) A READ of length bytes at offset was asked of the file
     * (SMB2): the answer may never be seen, and the file is then known to
     * be incomplete rather than untouched. */
    void (*read_request)(void *ctx, const smb_file_t *f, uint64_t offset, uint64_t length,
                         uint64_t frame);
    /* (may be NULL) An SMB1 action on a path (see smb_path_action_t), at
     * the frame of the server's answer. */
    void (*path_action)(void *ctx, const smb_path_action_t *a, uint64_t frame);
} smb_callbacks_t;

/* Where a kind of trouble happened on the connection: the smallest frame
 * numbers of its events (the frame of the first byte of the NetBIOS
 * message concerned), up to SMB_STAT_FRAMES, sorted. */
#define SMB_STAT_FRAMES 5
typedef struct smb_frames {
    uint64_t v[SMB_STAT_FRAMES];
    unsigned n;
} smb_frames_t;

/* What could not be followed, for the damage counters; each counter the
 * damage table reports has the frames of its first events in its _at. */
typedef struct smb_stats {
    uint64_t messages, pdus;
    uint64_t encrypted;    /* SMB3 transform messages */
    uint64_t compressed;   /* SMB3 compression messages */
    uint64_t oversized;    /* messages past SMB_MAX_MESSAGE, skipped */
    uint64_t malformed;    /* PDUs whose fields ran past their message */
    uint64_t lost;         /* messages cut by a gap in the stream */
    uint64_t unmatched;    /* responses without their request */
    uint64_t unknown_file; /* file ids read or written whose open is not in the capture
                            * (each followed as a file with open_not_seen set) */
    uint64_t dropped;      /* requests or files past the table caps */
    uint64_t not_smb;      /* session messages that were not SMB */
    smb_frames_t encrypted_at, compressed_at, oversized_at, malformed_at, lost_at, unknown_file_at,
        dropped_at;
} smb_stats_t;

typedef struct smb_conn smb_conn_t;
typedef struct smb_sessions smb_sessions_t;

/* The open files and trees of the SMB2 sessions of one pair of hosts. */
smb_sessions_t *smb_sessions_new(void);
/* Connections made with t that are not freed yet. */
size_t smb_sessions_conns(const smb_sessions_t *t);
/* Free a table no connection uses (its files were all closed). NULL-safe. */
void smb_sessions_free(smb_sessions_t *t);

/* shared: the table of the connection's pair of hosts, shared with the
 * other connections between them (kept until the last is freed), or NULL:
 * a table of the connection's own. */
smb_conn_t *smb_conn_new(const smb_callbacks_t *cb, void *ctx, smb_sessions_t *shared);
void smb_conn_data(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
/* A gap: the message being read is lost; framing resynchronises on the next
 * header that looks like NetBIOS + SMB. */
void smb_conn_gap(smb_conn_t *s, bool is_orig, uint64_t len);
const smb_stats_t *smb_conn_stats(const smb_conn_t *s);
/* Close (close callback with frame 0) the files of the connection's own
 * and of the sessions no other connection of the table carries, and free.
 * NULL-safe. */
void smb_conn_free(smb_conn_t *s);

/* Does this look like the start of an SMB session message? */
bool smb_detect(const uint8_t *p, size_t n);

/* Parse one SMB1 or SMB2 message (without the 4-byte NetBIOS header):
 * used by the stream reader and by the fuzzer. */
void smb_conn_message(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);

#endif
