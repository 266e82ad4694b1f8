/*
 * ftp.h — the FTP control connection (RFC 959, 2428), incrementally.
 *
 * Fed the two directions of a control connection in arbitrary pieces, it
 * pairs each command with its final reply (pipelined commands queue in
 * order; 1xx replies are preliminary), follows the user name, password and
 * working directory, and reports:
 *   - each command with its final reply (what Zeek's ftp.log has a row for);
 *   - each data connection announced: PORT/EPRT by the client (the server
 *     will connect to the given address) or PASV/EPSV replies (the client
 *     will connect to the given port) — only when the server accepted it;
 *   - each transfer start (a 125/150 reply to RETR, STOR, STOU, APPE, LIST,
 *     NLST, MLSD), with the file name and the size the server announced;
 *   - logins (USER + PASS, with the server's verdict);
 *   - AUTH TLS/SSL accepted: the rest of the connection is TLS.
 * Lines are capped (FTP_MAX_LINE); longer ones are cut and flagged.
 *
 * The address parsers are exposed on their own for unit tests and fuzzing.
 */
#ifndef PCAPCASE_FTP_H
#define PCAPCASE_FTP_H

#include "core/types.h"
#include "credential.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A command or reply line kept: RFC 959 commands are short, paths may be
 * long; 4 KiB covers PATH_MAX while bounding a hostile peer. */
#define FTP_MAX_LINE 4096
/* Reply text kept. */
#define FTP_MAX_REPLY FTP_MAX_LINE
/* Commands waiting for replies (clients pipeline a few; Zeek caps at 20). */
#define FTP_MAX_PENDING 32

typedef struct ftp_data_channel {
    bool passive;  /* PASV/EPSV: the client connects; else the server connects */
    bool has_addr; /* addr given (EPSV gives only a port: the control peer's address) */
    ipaddr_t addr; /* where the connection goes to */
    uint16_t port;
} ftp_data_channel_t;

typedef struct ftp_txn {
    const char *command; /* upper-cased verb, "<init>" for the greeting */
    const char *arg;     /* "" when none; PASS arguments are as sent */
    const char *cwd;     /* working directory the command ran in ("." at first) */
    const char *user;    /* last USER argument, NULL before one */
    const char *password;
    unsigned reply_code; /* final reply; 0 when none came */
    const char *reply_msg;
    int64_t file_size; /* announced by "(N bytes)" in a 1xx reply or a SIZE reply; -1 */
    bool has_data_channel;
    ftp_data_channel_t data; /* for accepted PORT/EPRT/PASV/EPSV */
    bool transfer;           /* a 1xx reply started a data transfer */
    uint64_t cmd_frame, reply_frame;
} ftp_txn_t;

typedef struct ftp_callbacks {
    /* A command got its final reply (or never will: end of stream). */
    void (*txn)(void *ctx, const ftp_txn_t *t);
    /* The server accepted a data channel. */
    void (*expect)(void *ctx, const ftp_data_channel_t *d);
    /* A transfer starts on the last data channel: command (RETR, STOR,...),
     * its argument, the announced size or -1. */
    void (*transfer)(void *ctx, const char *command, const char *arg, int64_t size);
    void (*credential)(void *ctx, const proto_cred_t *c);
    /* AUTH TLS/SSL was accepted: TLS follows on the connection. */
    void (*starttls)(void *ctx);
} ftp_callbacks_t;

typedef struct ftp_conn ftp_conn_t;

/* Never NULL; cb must outlive the connection. */
ftp_conn_t *ftp_conn_new(const ftp_callbacks_t *cb, void *ctx);
void ftp_conn_data(ftp_conn_t *f, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
void ftp_conn_gap(ftp_conn_t *f, bool is_orig, uint64_t len);
/* The connection continues inside TLS after AUTH TLS (the decrypted
 * plaintext, read by a new parser): no greeting comes there, and the
 * TLS is already on. */
void ftp_conn_resume_in_tls(ftp_conn_t *f);
/* Report commands still waiting (reply_code 0) and free.  NULL-safe. */
void ftp_conn_free(ftp_conn_t *f);
/* Lines cut at FTP_MAX_LINE, commands dropped past FTP_MAX_PENDING. */
unsigned ftp_conn_overlong(const ftp_conn_t *f);
unsigned ftp_conn_dropped(const ftp_conn_t *f);
/* Reply lines without a reply code (outside a multi-line reply). */
unsigned ftp_conn_uncoded(const ftp_conn_t *f);

/* Does a server greeting look like FTP ("220 " or "220-")? */
bool ftp_detect(const uint8_t *p, size_t n);

/* "h1,h2,h3,h4,p1,p2" (PORT argument, or inside a 227 reply text: the
 * first run of six comma-separated numbers is taken). */
bool ftp_parse_port(const uint8_t *p, size_t n, ipaddr_t *addr, uint16_t *port);
/* EPRT argument "<d>proto<d>addr<d>port<d>" with any delimiter d. */
bool ftp_parse_eprt(const uint8_t *p, size_t n, ipaddr_t *addr, uint16_t *port);
/* 229 reply text "... (<d><d><d>port<d>)". */
bool ftp_parse_epsv(const uint8_t *p, size_t n, uint16_t *port);
/* The path arg names in directory cwd, lexically, as Zeek's
 * build_path_compressed makes it: an absolute arg replaces cwd, a relative
 * one is appended, "." and "x/.." segments collapse.  Allocated. */
char *ftp_build_path(const char *cwd, const char *arg);

/* "(N bytes)" in a 150 reply text; -1 when absent. */
int64_t ftp_parse_size_note(const uint8_t *p, size_t n);
/* The name a server chose for STOU: "FILE: name" in its preliminary reply
 * (RFC 1123 4.1.2.9), up to the first blank.  Allocated; NULL when absent. */
char *ftp_parse_stou_name(const uint8_t *p, size_t n);

#endif
