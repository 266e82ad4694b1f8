/*
 * smb.h — an SMB connection (SMB1/CIFS and SMB2/SMB3 without encryption)
 * incrementally: which files were opened, read and written, and who logged
 * on.
 *
 * The stream is split into NetBIOS session messages (4-byte header, RFC
 * 1002; also the "direct TCP" framing of port 445), each holding one SMB1
 * command chain (AndX) or one or more SMB2 PDUs (compounded with
 * NextCommand).  Requests are matched with responses by message id (SMB2)
 * or multiplex id and process id (SMB1): a READ response carries no file id
 * or offset, its request does.  Tree connects give share names, creates
 * give file names, sizes and times and the file id later commands use.
 *
 * The caller sees files, not PDUs: open, each piece read or written with
 * its offset (assemble them with fileasm.h), close.  Session setups give
 * NTLM logins (ntlmssp.h) as hashcat lines; SMB1's pre-NTLMSSP
 * challenge/response logins too.  Encrypted (SMB3 transform) and
 * compressed messages are counted and skipped.  Everything is capped: a
 * message past SMB_MAX_MESSAGE is skipped (counted), tables are bounded.
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
/* Files open at once per connection (smb_many_open_files_500 holds 500). */
#define SMB_MAX_OPEN 8192
/* Trees connected at once. */
#define SMB_MAX_TREES 256
/* A WRITE compounded after a CREATE names its file only through the
 * CREATE's answer: its data waits for it, up to this much (compounds carry
 * small files; larger writes are never compounded in practice). */
#define SMB_MAX_DEFERRED_WRITE (1u << 20)
/* A path or share name kept (UTF-8 bytes). */
#define SMB_MAX_NAME 1024

/* FILETIME values from the create response (100 ns since 1601), 0 if none. */
typedef struct smb_times {
    uint64_t created, accessed, modified, changed;
} smb_times_t;

typedef struct smb_file {
    uint64_t key;      /* 1, 2, ... per open on the connection */
    unsigned dialect;  /* 1 = SMB1, 2 = SMB2/3 */
    const char *share; /* "\\\\SERVER\\share" as connected, "" if unseen */
    const char *name;  /* path inside the share, "" if unseen */
    uint64_t size;     /* end of file at open, grown by writes past it */
    smb_times_t times;
    bool is_dir, is_pipe;
} smb_file_t;

typedef struct smb_callbacks {
    void (*open)(void *ctx, const smb_file_t *f, uint64_t frame);
    /* Data read from (server's response) or written to (client's request)
     * the file at offset. */
    void (*read)(void *ctx, const smb_file_t *f, uint64_t offset, const uint8_t *p, size_t n,
                 uint64_t frame);
    void (*write)(void *ctx, const smb_file_t *f, uint64_t offset, const uint8_t *p, size_t n,
                  uint64_t frame);
    /* The file was closed (frame 0: the connection ended with it open). */
    void (*close)(void *ctx, const smb_file_t *f, uint64_t frame);
    void (*credential)(void *ctx, const proto_cred_t *c);
    /* (may be NULL) A READ of length bytes at offset was asked of the file
     * (SMB2): the answer may never be seen, and the file is then known to
     * be incomplete rather than untouched. */
    void (*read_request)(void *ctx, const smb_file_t *f, uint64_t offset, uint64_t length,
                         uint64_t frame);
} smb_callbacks_t;

/* What could not be followed, for the damage counters. */
typedef struct smb_stats {
    uint64_t messages, pdus;
    uint64_t encrypted;    /* SMB3 transform messages */
    uint64_t compressed;   /* SMB3 compression messages */
    uint64_t oversized;    /* messages past SMB_MAX_MESSAGE, skipped */
    uint64_t malformed;    /* PDUs whose fields ran past their message */
    uint64_t unmatched;    /* responses without their request */
    uint64_t unknown_file; /* reads/writes on a file id never opened in the capture */
    uint64_t dropped;      /* requests or files past the table caps */
    uint64_t not_smb;      /* session messages that were not SMB */
} smb_stats_t;

typedef struct smb_conn smb_conn_t;

smb_conn_t *smb_conn_new(const smb_callbacks_t *cb, void *ctx);
void smb_conn_data(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
/* A gap: the message being read is lost; framing resynchronises on the next
 * header that looks like NetBIOS + SMB. */
void smb_conn_gap(smb_conn_t *s, bool is_orig, uint64_t len);
const smb_stats_t *smb_conn_stats(const smb_conn_t *s);
/* Close open files (close callback with frame 0) and free.  NULL-safe. */
void smb_conn_free(smb_conn_t *s);

/* Does this look like the start of an SMB session message? */
bool smb_detect(const uint8_t *p, size_t n);

/* Parse one SMB1 or SMB2 message (without the 4-byte NetBIOS header):
 * used by the stream reader and by the fuzzer. */
void smb_conn_message(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);

#endif
