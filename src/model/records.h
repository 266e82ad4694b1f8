/*
 * records.h — what the analysers find, as typed records.
 *
 * An analyser (src/analysis/) turns a connection's bytes into records: one
 * DNS exchange, one HTTP transaction, one carved file, one TLS session, one
 * certificate sighting, ...  It hands each finished record to a record sink
 * (sink.h) and forgets it; it never formats a log row or writes a file.  The
 * sink (implemented above, in write/record_spool.c) formats the row with that
 * log's one writer, spools it, and keeps what the case needs for
 * correlation and findings (the summaries of model.h).
 *
 * Records borrow: every pointer in a record is valid only during the sink
 * call that receives it, and the sink copies what it keeps.  Fields that
 * point at parser output (proto/) are the parser's own typed structures —
 * the writers read them as they are, so no field is converted twice.
 */
#ifndef PCAPCASE_RECORDS_H
#define PCAPCASE_RECORDS_H

#include "core/types.h"
#include "proto/dns.h"
#include "proto/fileasm.h"
#include "proto/http.h"
#include "proto/imf.h"
#include "proto/tls.h"
#include "proto/x509.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which connection a record belongs to, as the logs name it: the uid and
 * Zeek's id (originator and responder address and port). */
typedef struct conn_ident {
    char uid[UID_LEN];
    ipaddr_t orig, resp;
    uint16_t orig_p, resp_p;
} conn_ident_t;

/* One DNS query and its response, or either alone (dns.ndjson).  Both
 * messages are what proto/dns.h parsed. */
typedef struct dns_exchange {
    conn_ident_t conn;
    bool tcp;                  /* DNS over TCP (else UDP) */
    const char *transport;     /* NULL: DNS itself; "doh" (DNS over HTTPS, RFC 8484),
                                  "doh-cleartext" (the same over plain HTTP), "dot"
                                  (DNS over TLS, RFC 7858, decrypted) */
    const dns_msg_t *query;    /* NULL: a response without its query */
    const dns_msg_t *response; /* NULL: a query without an answer */
    ts_ns_t query_ts, response_ts;
    uint64_t query_frame, response_frame;
} dns_exchange_t;

/* The exchange's question: the query's, or the response's when the query
 * asked none (an inverse query asks with an answer record). */
static inline const dns_msg_t *dns_exchange_question(const dns_exchange_t *x)
{
    const dns_msg_t *q = x->query, *r = x->response;
    return q && !q->qname && r && r->qname ? r : (q ? q : r);
}

/* A name resolved to an address, for the passive-DNS table: a DNS answer,
 * a DHCP host name or a NetBIOS registration. */
typedef struct name_sighting {
    const char *name;
    ipaddr_t addr;
    ts_ns_t ts;
} name_sighting_t;

/* One HTTP request and its response, or what there is of them
 * (http.ndjson). */
typedef struct http_record {
    conn_ident_t conn;
    ts_ns_t ts;                /* the request's, else the response's */
    const http_txn_t *txn;     /* as proto/http.h parsed it */
    uint64_t request_body_len; /* decoded body bytes */
    uint64_t response_body_len;
    const char *orig_fuid; /* files.ndjson ids of the bodies, NULL when none */
    const char *resp_fuid;
    const char *resp_mime; /* the sniffer's type of the response body, or NULL */
    bool decrypted;        /* carried in TLS that was decrypted with the key log */
    /* A CONNECT answered 2xx: what its tunnel carried — the analyser that
     * read it ("ssl", "http", ...), "unknown" (bytes no analyser took) or
     * "none" (no bytes); NULL for every other request.  Static. */
    const char *tunnel;
} http_record_t;

/* One file: a carved HTTP body, or a whole object assembled from 206
 * parts (files.ndjson).  NULL strings and "" digests are left out of the
 * row. */
typedef struct file_record {
    conn_ident_t conn;
    char fuid[UID_LEN];
    ts_ns_t ts;                         /* the first byte's */
    bool has_duration;                  /* an assembled object has none */
    ts_ns_t duration;                   /* first to last byte */
    const char *source;                 /* "HTTP" */
    const char *mime;                   /* from the content (libmagic) */
    const char *description;            /* libmagic's description of the content */
    const char *declared_mime;          /* Content-Type */
    const char *filename;               /* Content-Disposition or the URL's last segment */
    bool is_orig;                       /* sent by the originator */
    uint64_t seen_bytes;                /* decoded bytes */
    int64_t total_bytes;                /* Content-Length or the 206 total; -1 when unknown */
    uint64_t missing_bytes;             /* lost in gaps */
    const file_range_t *missing_ranges; /* where: file offsets, or for HTTP
                                         * offsets of the body as sent (the first ones) */
    size_t nmissing_ranges;
    const char *md5, *sha1, *sha256; /* hex of the decoded bytes; "" when none were */
    bool extracted;                  /* kept as evidence: artifacts/<sha256> */
    bool partial;                    /* not the whole file: artifacts/<sha256>.partial */
    const char *url;
    const char *content_encoding;
    const char *encoded_sha256;   /* of the bytes as sent, when they were encoded */
    bool encoded_extracted;       /* the bytes as sent kept too: artifacts/<encoded_sha256> */
    bool encoded_partial;         /* ... not all of them: artifacts/<encoded_sha256>.partial */
    bool decode_failed;           /* content decoding stopped early (truncated_reason says why) */
    uint64_t decode_error_offset; /* then: the wire offset where it stopped */
    const char *content_range;
    const char *decoding_note;
    uint64_t trailing_bytes;           /* after the end of a compressed stream */
    const char *const *assembled_from; /* fuids of the parts, for an assembled object */
    size_t nassembled;
    bool decrypted; /* carried in TLS that was decrypted with the key log */
    bool truncated;
    const char *truncated_reason;
    uint64_t first_frame, last_frame;
    const char *section; /* IMAP: the FETCH item of a section fetched alone ("BODY[2]") */
} file_record_t;

/* What became of decrypting a TLS session (only tried with a key log). */
typedef enum ssl_decryption {
    SSL_DECRYPT_NOT_TRIED = 0,   /* no key log given: the row says nothing */
    SSL_DECRYPT_DONE,            /* records authenticated and decrypted */
    SSL_DECRYPT_NO_KEY,          /* the key log has no secret for this session */
    SSL_DECRYPT_FAILED,          /* keys found, but no record authenticated with them */
    SSL_DECRYPT_UNSUPPORTED,     /* a version or cipher suite we cannot decrypt */
    SSL_DECRYPT_NO_SERVER_HELLO, /* the keys cannot be chosen without the ServerHello */
} ssl_decryption_t;

/* One TLS handshake as seen in clear text (ssl.ndjson), with what the
 * findings read of the server's leaf certificate. */
typedef struct ssl_record {
    conn_ident_t conn;
    ts_ns_t ts; /* the first TLS bytes */
    uint64_t frame;
    const tls_info_t *tls;               /* as proto/tls.h parsed it */
    const char *const *chain_fps;        /* SHA-256 of each of tls->nchain certificates,
                                            NULL where one did not parse */
    const char *const *client_chain_fps; /* the same for tls->nclient_chain */
    const x509_info_t *leaf;             /* the server's first certificate, NULL when none parsed */
    bool leaf_expired;                   /* outside its validity at the time of the handshake */
    bool sni_mismatch;                   /* the leaf does not cover the SNI */
    ssl_decryption_t decryption;
    uint64_t records_decrypted; /* both directions, authenticated */
    uint64_t records_rejected;  /* did not authenticate, or could not be read as records */
    const char *inner;          /* the protocol read in the plaintext ("http"), or NULL */
} ssl_record_t;

/* One certificate seen in one connection (x509.ndjson merges the sightings
 * of a certificate by fingerprint). */
typedef struct cert_sighting {
    conn_ident_t conn;
    ts_ns_t ts;
    uint64_t frame;          /* where the certificate message began */
    const x509_info_t *cert; /* its fields; cert->sha256 is the fingerprint */
    bool expired_at_capture;
} cert_sighting_t;

/* One FTP command with its final reply (ftp.ndjson: Zeek's ftp.log).
 * Strings are NULL when Zeek would log "-". */
typedef struct ftp_record {
    conn_ident_t conn; /* the control connection */
    ts_ns_t ts;        /* the command's */
    const char *user, *password;
    const char *command, *arg; /* arg: a URL for RETR, STOR, STOU, APPE */
    const char *mime_type;     /* of the file transferred, when known at the reply */
    int64_t file_size;         /* -1 when not announced */
    unsigned reply_code;       /* 0 when no reply came */
    const char *reply_msg;
    bool has_data_channel;
    bool passive;
    ipaddr_t dc_orig, dc_resp; /* who connects to whom for the data */
    uint16_t dc_resp_p;
    const char *fuid; /* the file on the data channel, when one started */
    bool decrypted;   /* read inside TLS after AUTH TLS, decrypted with the key log */
    uint64_t cmd_frame, reply_frame;
} ftp_record_t;

/* One SMTP transaction (smtp.ndjson: Zeek's smtp.log).  hdr is the
 * message's header as proto/imf.h parsed it, NULL when no message was
 * sent. */
typedef struct smtp_record {
    conn_ident_t conn;
    ts_ns_t ts;     /* the transaction's first command */
    unsigned depth; /* Zeek's trans_depth */
    const char *helo, *mailfrom;
    const char *const *rcptto;
    size_t nrcpt;
    const imf_headers_t *hdr;
    const char *last_reply;
    bool tls;
    bool decrypted;           /* read from STARTTLS's TLS, decrypted with the key log */
    const char *const *fuids; /* the message's parts in files.ndjson */
    size_t nfuids;
    const char *eml_fuid; /* the whole message in files.ndjson, or NULL */
    uint64_t first_frame, last_frame;
} smtp_record_t;

/* One file opened over SMB, when it is closed (smb_files.ndjson, like
 * Zeek's smb_files.log).  Times are 0 when the create answer was not seen.
 * An SMB1 delete or rename by path (no open) is a row of its own, when the
 * server accepted it: ts the request's, no fuid, size or times, closed. */
typedef struct smb_file_record {
    conn_ident_t conn;
    ts_ns_t ts;            /* the open (a path action: its request) */
    const char *fuid;      /* its files.ndjson row, NULL when no bytes moved */
    const char *action;    /* "SMB::FILE_DELETE", "SMB::FILE_RENAME", "SMB::FILE_WRITE",
                            * "SMB::FILE_READ", "SMB::FILE_OPEN" */
    const char *path;      /* the share */
    const char *name;      /* after a rename: the new name */
    const char *prev_name; /* a rename's old name, NULL otherwise */
    uint64_t size;
    ts_ns_t modified, accessed, created, changed;
    uint64_t seen_bytes, missing_bytes;
    bool complete; /* every byte of [0, size) was read or written */
    bool closed;   /* a close was seen (else the connection ended with it open) */
    uint64_t first_frame, last_frame;
} smb_file_record_t;

/* A login seen in a connection (credentials.ndjson): clear-text passwords
 * (HTTP Basic, FTP, SMTP, POP3, IMAP) and challenge/response (NTLM over
 * SMB, hashed: not clear text).  The secret goes to credentials.ndjson only;
 * the case keeps no secret (model.h's cred_rec_t) and the reports show it
 * only when asked (--show-secrets). */
typedef struct credential {
    conn_ident_t conn;
    ts_ns_t ts;
    const char *proto; /* static: "http-basic", "ftp", "smtp", "pop3", "imap", "smb", "kerberos" */
    const char *username;
    bool has_password;
    uint64_t frame;
    const char *mechanism;     /* static: "USER/PASS", "AUTH PLAIN", "NetNTLMv2", ... or NULL */
    const char *domain, *host; /* NTLM domain and workstation, or NULL */
    const char *secret;        /* the password as sent, or the hashcat line; NULL when unseen */
    bool hashed;               /* secret is a challenge/response (hashcat) line, not clear text */
    const char *outcome;       /* "accepted", "rejected", or NULL when no answer was seen */
    bool decrypted; /* sent inside TLS and read with the key log: not clear text on the wire */
} credential_t;

/* A carved file whose content disagrees with its declared type. */
typedef struct mime_mismatch {
    conn_ident_t conn;
    ts_ns_t ts;
    const char *url, *declared, *sniffed, *sha256;
    uint64_t frame;
} mime_mismatch_t;

/* One complete, unencoded part of a 206 response carved on its own
 * ("bytes A-B/T"), or a whole multipart/byteranges body (boundary set, range
 * fields zero): the case assembles whole objects from them. */
typedef struct range_part {
    conn_ident_t conn;
    ts_ns_t ts;
    const char *url;
    uint64_t start, end, total; /* end inclusive */
    const char *boundary;       /* multipart/byteranges, or NULL */
    const char *sha256;         /* the part's artifact */
    const char *fuid;
    uint64_t first_frame, last_frame;
} range_part_t;

/* A value seen in the traffic that matched indicators of --intel
 * (intel.ndjson): Zeek's Intel::Seen with what it matched.  Made by the
 * case's intel tap (case/intel_tap.c) from the other records, not by an
 * analyser.  Lists hold each item once, in the order the indicators
 * matched (an address's own entry, then its subnets longest first). */
typedef struct intel_sighting {
    conn_ident_t conn; /* uid "" when the value belongs to no connection */
    ts_ns_t ts;
    uint64_t frame;
    const char *value;          /* seen.indicator: the value as seen */
    const char *value_type;     /* seen.indicator_type: "Intel::DOMAIN" */
    const char *where;          /* seen.where: "DNS::IN_REQUEST" */
    const char *fuid;           /* the file whose hash or name it is, or NULL */
    const char *file_mime;      /* that file's sniffed type, or NULL */
    const char *file_desc;      /* that file's URL, or NULL */
    const char *const *matched; /* the indicator types that matched */
    size_t nmatched;
    const char *const *sources; /* their feeds */
    size_t nsources;
    const char *const *indicators; /* the indicators as the case shows them */
    const uint32_t *indicator_ids; /* ... and their ids in the intel set */
    size_t nindicators;
} intel_sighting_t;

#endif
