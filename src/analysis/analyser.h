/*
 * analyser.h — what a protocol analyser is, and the one table of them.
 *
 * An analyser reads one connection's bytes (through a pure parser of proto/)
 * and reports what it finds as typed records to the capture's record sink
 * (model/sink.h); carved bodies and certificates go to the evidence store
 * (model/evidence.h).  It never formats a log row or writes a file.
 *
 * Every analyser is one line of the table in analysers.c — its name, its
 * transport, its well-known ports, how it is detected, its callbacks and
 * flags — as Suricata registers app-layer parsers and Zeek its analyser
 * plugins.  The dispatcher (dispatch.c) reads the table and nothing else
 * about protocols:
 *
 *   - TCP: the first reassembled bytes of a connection, in either direction,
 *     choose its analyser — the first entry whose detect() accepts them —
 *     and the analyser then gets both byte streams (data, gap, end) until
 *     the connection finishes.  Detection is by content first (an HTTP
 *     request line, a TLS record header); the ports are a hint some
 *     detectors use (DNS over TCP, FTP), so services on odd ports are still
 *     understood.  A connection whose handshake was seen but that carried
 *     no byte is offered, when it finishes, to the AN_EXPECTED entries (by
 *     addresses and port: an empty FTP transfer's data connection); the one
 *     that takes it is started and finished at once, without data.
 *   - UDP: each datagram goes to the first entry whose detect() accepts it;
 *     a connection keeps one state per analyser that took a datagram.  A
 *     flow's first datagrams that none took are kept (bounded) until an
 *     AN_EXPECTED entry takes the flow, which then gets them first: a TFTP
 *     server's first block captured before the client's request.
 *   - An analyser with AN_STARTTLS (a plain-text protocol that may switch to
 *     TLS) gives way, when the client's bytes start TLS (the entry with
 *     after_starttls), to that analyser for the rest of the connection.
 *   - Inner streams: the TLS analyser, when the key log has the session's
 *     keys, hands the decrypted application data to an inner analyser of
 *     the same connection (an_inner_*): the entry whose alpn is the
 *     protocol the handshake chose, else the first entry with an alpn
 *     whose detect() accepts the first plaintext bytes — before those an
 *     AN_EXPECTED entry (an announced FTP data connection, taken at the
 *     first record decrypted, so it is its stream even with no plaintext
 *     at all: an_inner_take_expected), then the entry
 *     whose tls_ports has the server's port (IMAPS, POP3S, SMTPS, FTPS,
 *     DNS over TLS: implicit TLS).  Its context says
 *     decrypted, so its records are marked.  After STARTTLS the inner
 *     analyser is the plain-text one the connection started with
 *     (an_inner_new_starttls), resumed past its greeting.
 *   - Tunnels: HTTP, when a CONNECT is answered 2xx, hands the rest of the
 *     connection to an inner stream too (an_inner_new_tunnel): there every
 *     TCP entry with callbacks may take it, detected as on a connection of
 *     its own to the CONNECT's target port.  Its records carry the
 *     connection's uid, and the connection's service names both protocols
 *     as Zeek does ("http,ssl").  STARTTLS inside is followed as on a
 *     connection.
 *
 * Adding a protocol: docs/design.md, "Adding a protocol analyser".
 */
#ifndef PCAPCASE_ANALYSER_H
#define PCAPCASE_ANALYSER_H

#include "analysis/analysis.h"
#include "flow/conn.h"
#include "model/evidence.h"
#include "model/records.h"
#include "model/sink.h"
#include "proto/credential.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct analyser analyser_t;
typedef struct filemagic filemagic_t;

/* What the analysers of one capture share, across connections: made by the
 * dispatcher with the capture, freed after its last connection finished.
 * One member per analyser that needs one (FTP's data channels join two
 * connections), plus libmagic, opened the first time a file is carved
 * (an_magic). */
typedef struct an_shared {
    struct ftp_registry *ftp;   /* app_ftp.c: announced data channels */
    struct tftp_registry *tftp; /* app_tftp.c: read and write requests */
    /* app_smb.c: the open files of SMB sessions, per pair of hosts (SMB 3
     * multichannel spreads a session over several connections; workers
     * shard by the address pair, so all of a pair's are in one worker) */
    struct smb_registry *smb;
    filemagic_t *magic;      /* NULL until needed, or when libmagic failed */
    struct x509_cache *x509; /* certificates parsed (an_x509_cache), NULL until needed */
    bool magic_failed;
} an_shared_t;

/* One capture's analysis as one analyser sees it (the dispatcher keeps one
 * per table entry). */
typedef struct an_ctx {
    const analyser_t *self; /* this analyser's table entry */
    const analysis_opts_t *opts;
    const record_sink_t *records;
    const evidence_store_t *evidence; /* NULL: nothing is kept (no case folder) */
    damage_t *damage;                 /* the capture's damage table */
    bool decrypted;                   /* an inner stream: the bytes are decrypted TLS plaintext */
    an_shared_t *shared;              /* the capture's shared state (dispatch.c) */
    unsigned tunnel;                  /* an inner stream: CONNECT tunnels around it (0: none) */
    /* The TLS entry after STARTTLS: the plain-text analyser it took over
     * from, whose protocol the decrypted plaintext continues; copied into
     * that inner stream's context, where it tells the analyser to resume
     * after the greeting.  NULL everywhere else. */
    const analyser_t *starttls_from;
} an_ctx_t;

/*
 * The callbacks of an analyser.  State is the analyser's own, made by new()
 * for one connection and released by finish(); the connection outlives it.
 *   new     start on connection c; never NULL.
 *   data    bytes from the originator (is_orig) or the responder: a TCP
 *           stream's next bytes, in order, or one UDP datagram's payload;
 *           frame and ts are those of the packet that carried them.  p is
 *           only valid during the call.
 *   gap     (may be NULL) len bytes of the stream were never captured.
 *   end     (may be NULL) that direction's stream ended (FIN, RST, end of
 *           capture); no data for it follows.
 *   finish  the connection is finished: report the last records, free.
 *   capture_end (may be NULL) the capture's last connection is finished:
 *           report what waited for another connection (FTP transfers whose
 *           data channel never came), free the analyser's shared state.
 *   unread  (may be NULL; an AN_EXPECTED entry's) connection c was taken by
 *           another analyser that cannot see inside it (TLS without the
 *           session's keys): if c is a connection this analyser expects,
 *           its transfer is reported as not read, because of why (static).
 *           Called through an_unread(), by the analyser that took c.
 */
typedef struct analyser_ops {
    void *(*new)(const an_ctx_t *ctx, conn_t *c);
    void (*data)(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame, ts_ns_t ts);
    void (*gap)(void *state, bool is_orig, uint64_t len);
    void (*end)(void *state, bool is_orig);
    void (*finish)(void *state);
    void (*capture_end)(const struct an_ctx *ctx);
    void (*unread)(const struct an_ctx *ctx, const conn_t *c, const char *why);
} analyser_ops_t;

/* Transports (analyser_t.transport). */
enum { AN_TCP = 1, AN_UDP = 2 };

/* Flags (analyser_t.flags). */
enum {
    /* A plain-text protocol that may switch to TLS after STARTTLS (or AUTH
     * TLS): the client's bytes are checked for the start of TLS. */
    AN_STARTTLS = 1,
    /* With AN_STARTTLS: the plaintext of the TLS that follows continues
     * this protocol, and (with the session's keys) this analyser reads it,
     * resumed past its greeting (an_inner_new_starttls). */
    AN_STARTTLS_RESUMES = 2,
    /* Its detect() matches a connection another analyser announced (an
     * FTP data channel, by addresses and port), not bytes: inside decrypted
     * TLS (FTP's PROT P data connections) it is asked before the entries
     * that go by the plaintext's first bytes, and a file starting "GET "
     * stays a file.  A connection that carried no byte at all (an empty
     * transfer) is offered to these entries only, when it finishes: their
     * detect() is then given n == 0 and p NULL.  UDP (a TFTP transfer's
     * port): a flow's first datagrams that no entry took are kept, and
     * given to such an entry first when it takes the flow (the announcing
     * request may be captured after them). */
    AN_EXPECTED = 4
};

struct analyser {
    const char *name;      /* the analyser; conn.ndjson's service when it claims one */
    unsigned transport;    /* AN_TCP or AN_UDP */
    const uint16_t *ports; /* well-known ports, 0-terminated: a hint for detect() */
    /* Is this ours?  Given the first bytes of a TCP connection (either
     * direction) or a UDP datagram's payload; ctx->self is this entry. */
    bool (*detect)(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n);
    const analyser_ops_t *ops; /* NULL: recognised, not analysed yet (only watched) */
    unsigned flags;            /* AN_* */
    /* NULL, or: do these client bytes start this protocol on a connection
     * whose analyser has AN_STARTTLS?  (TLS: a ClientHello.) */
    bool (*after_starttls)(const uint8_t *p, size_t n);
    /* NULL, or the ALPN protocol id (RFC 7301) that names this protocol
     * inside TLS: such an entry may run on a decrypted stream. */
    const char *alpn;
    /* NULL, or this protocol's well-known ports over implicit TLS (TLS from
     * the first byte, RFC 8314: submissions 465, IMAPS 993, POP3S 995; FTPS
     * 990; DNS over TLS 853), 0-terminated: a decrypted stream to one of
     * them, without an ALPN, is this protocol. */
    const uint16_t *tls_ports;
};

/* The table (analysers.c), ended by an entry with name NULL. */
extern const analyser_t analysers[];

/* Detectors by port, for protocols without a content signature: one of the
 * connection's ports, or the responder's (the server's) port, is one of
 * self->ports. */
bool an_detect_any_port(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                        size_t n);
bool an_detect_server_port(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p,
                           size_t n);
/* Is port one of the 0-terminated list? */
bool an_port_in(const uint16_t *ports, uint16_t port);

/* The capture's libmagic (opened on first use; NULL when it cannot be:
 * noted once as "limit.libmagic_unavailable" at frame). */
filemagic_t *an_magic(const an_ctx_t *ctx, uint64_t frame);
/* The worker's certificate parse cache (proto/x509.h; made on first use). */
struct x509_cache *an_x509_cache(const an_ctx_t *ctx);

/* Connection c, which the analyser of ctx took, cannot be read (TLS
 * without the session's keys): every AN_EXPECTED entry's unread() is told
 * why (static), so the transfer that announced c says so. */
void an_unread(const an_ctx_t *ctx, const conn_t *c, const char *why);

/* Hand a login a parser reported (proto/credential.h) to the sink as a
 * credential record of protocol proto (static), seen at ts in frame. */
void an_credential(const an_ctx_t *ctx, const conn_t *c, const char *proto, const proto_cred_t *pc,
                   ts_ns_t ts, uint64_t frame);

/* The analyser names the connection's service (conn.ndjson): its name;
 * inside a CONNECT tunnel "http,NAME" (Zeek's list).  A decrypted inner
 * stream does not rename it (a decrypted connection stays ssl). */
void an_claim(const an_ctx_t *ctx, conn_t *c);
/* The connection's uid and addresses as records name them. */
void an_conn_ident(const conn_t *c, conn_ident_t *out);
/* The record of a finished connection (conn.ndjson), without a name hint. */
void an_conn_record(const conn_t *c, conn_rec_t *out);
/* The responder was called name inside connection c (TLS SNI, HTTP Host).
 * The first name given is kept (copied) for the connection's record: its
 * name_hint, conn.ndjson's resp_name when DNS gave none.  (The dispatcher
 * keeps it; see dispatch.c.) */
void an_name_hint(conn_t *c, const char *name);
/* What a plain-text analyser that resumes inside TLS after STARTTLS
 * (AN_STARTTLS_RESUMES) needs from before the switch, kept with the
 * connection for its decrypted plaintext: POP3's greeting, whose APOP
 * challenge came in clear before STLS (RFC 2595 4: no greeting follows
 * the handshake).  Set replaces (copied; NULL clears); the text lives until
 * the connection is finished.  NULL when none was left. */
void an_starttls_carry_set(conn_t *c, const char *text);
const char *an_starttls_carry(const conn_t *c);

/*
 * An inner stream: a protocol carried inside another analyser's protocol on
 * the same connection (HTTP inside decrypted TLS).  The outer analyser owns
 * it: an_inner_new() when the plaintext may start, then the plaintext of
 * each direction in order, and an_inner_finish() before its own records.
 * The inner analyser is chosen at the first bytes (see the top of this
 * file); bytes before one takes the stream are counted and dropped.
 */
typedef struct an_inner an_inner_t;

/* outer: the outer analyser's context (its evidence, sink, damage).
 * alpn: the protocol the handshake chose, or NULL (copied).  Never NULL. */
an_inner_t *an_inner_new(const an_ctx_t *outer, conn_t *c, const char *alpn);
/* The plaintext of TLS begun by STARTTLS: the analyser outer->starttls_from
 * (not NULL) reads it, its context saying decrypted and starttls_from (so
 * it expects no greeting).  Never NULL. */
an_inner_t *an_inner_new_starttls(const an_ctx_t *outer, conn_t *c);
/* The stream after a CONNECT answered 2xx: any TCP analyser may take it,
 * detected as if c went to target_port (the CONNECT's; 0 when unknown) —
 * the connection's own ports are the proxy's.  Never NULL. */
an_inner_t *an_inner_new_tunnel(const an_ctx_t *outer, conn_t *c, uint16_t target_port);
void an_inner_data(an_inner_t *in, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                   ts_ns_t ts);
void an_inner_gap(an_inner_t *in, bool is_orig, uint64_t len);
void an_inner_end(an_inner_t *in, bool is_orig);
/* The name of the analyser running inside, or NULL while none is. */
const char *an_inner_name(const an_inner_t *in);
/* Before any byte: the AN_EXPECTED entries, which go by the connection and
 * not by bytes, may take the stream now (unless the ALPN names an entry) —
 * so that a stream that will carry no byte at all (an empty FTP transfer
 * under PROT P) is still theirs, an empty file.  True when one took it
 * (an_inner_name() names it); the stream's bytes, if any, then go to it. */
bool an_inner_take_expected(an_inner_t *in);
/* Bytes no analyser took (before one did, or all when none did). */
uint64_t an_inner_unread(const an_inner_t *in);
/* conn.ndjson's service for analyser name inside a CONNECT tunnel
 * ("http,ssl"; static), or "http" for a name with no such entry. */
const char *an_tunnel_service(const char *name);
/* Finish the inner analyser (its last records) and free; NULL-safe. */
void an_inner_finish(an_inner_t *in);

#endif
