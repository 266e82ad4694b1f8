/*
 * model.h — the case model: what one run knows about its captures.
 *
 * Analysis of each capture reports records (records.h) to a sink (sink.h);
 * what the case keeps of them (keep.h) and the capture's own description
 * fill a capture_result_t (no sharing between captures, so captures can be
 * analysed in parallel).  The case then merges the results — hosts, names,
 * certificates, findings — and the writers read the merged case and nothing
 * else.
 *
 * Connection records are kept in memory in compact form (conn_rec_t, ~250
 * bytes) because names for orig_name/resp_name come from DNS answers that may
 * be in another capture; the bulky logs (dns, http, files, ssl) are spooled to
 * disk through logstore.h as they are produced.
 */
#ifndef PCAPCASE_MODEL_H
#define PCAPCASE_MODEL_H

#include "core/damage.h"
#include "core/logstore.h"
#include "core/order.h"
#include "core/types.h"
#include "decode/decode.h"
#include "flow/conn.h"
#include "flow/tcpseries.h"
#include "proto/x509.h"

#include <stdbool.h>
#include <stdint.h>

enum log_kind {
    LOG_DNS,
    LOG_HTTP,
    LOG_FILES,
    LOG_SSL,
    LOG_INTEL,
    LOG_FTP,
    LOG_SMTP,
    LOG_SMB_FILES,
    LOG_CREDENTIALS,
    LOG_SPOOLED_COUNT
};

/* Digits after the second in logged times when a capture says nothing: µs,
 * the classic pcap resolution (a capture's own is ts_digits, 6 or 9). */
#define TS_DIGITS_DEFAULT 6
/* Link types listed per capture in case.json; a file with more is either
 * corrupt or a curiosity, and the first ones tell the story. */
#define CAPTURE_MAX_LINKTYPES 32

typedef struct conn_rec {
    ts_ns_t ts, last_ts;
    ts_ns_t rtt_syn; /* -1 unknown */
    ipaddr_t orig, resp;
    uint16_t orig_p, resp_p;
    uint16_t vlan;
    uint8_t proto;
    uint8_t state_idx; /* index into conn_state names, see model.c */
    char uid[UID_LEN];
    char history[CONN_HISTORY_MAX + 1];
    const char *service; /* static string or NULL */
    uint64_t orig_bytes, resp_bytes, missed_bytes;
    uint64_t orig_pkts, resp_pkts, orig_ip_bytes, resp_ip_bytes;
    uint64_t first_frame, last_frame;
    uint64_t retransmits, zero_windows;
    uint8_t mac_orig[6], mac_resp[6];
    bool has_mac;
    char *name_hint;  /* SNI or HTTP Host seen in this connection (owned) */
    rec_order_t ord;  /* emission order (core/order.h) */
    uint32_t capture; /* index of the capture in the case */
} conn_rec_t;

/* Bytes per second of capture time, by transport, for bandwidth charts. */
typedef struct rate_bin {
    int64_t sec;
    uint64_t tcp, udp, other;
} rate_bin_t;

/* A DNS answer for the passive-DNS table: name resolved to address. */
typedef struct pdns_entry {
    char *name;
    ipaddr_t addr;
    ts_ns_t first, last;
} pdns_entry_t;

/* What the case needs of each DNS exchange (the full row is in dns.ndjson). */
typedef struct dns_rec {
    ts_ns_t ts;
    ipaddr_t client, server;
    char *query; /* owned; NULL when the message had no question */
    uint16_t qtype;
    int16_t rcode; /* -1: no response seen */
    uint64_t frame;
    char uid[UID_LEN];
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
} dns_rec_t;

/* What the case needs of each TLS handshake. */
typedef struct tls_rec {
    ts_ns_t ts;
    ipaddr_t client, server;
    uint16_t server_p;
    char *sni;        /* owned, may be NULL */
    char *ja3;        /* md5 hex, owned, may be NULL */
    char *ja4;        /* owned, may be NULL */
    char *cert_fp;    /* SHA-256 of the leaf certificate, owned, may be NULL */
    char *cert_cn;    /* leaf subject CN, owned, may be NULL */
    char **cert_sans; /* leaf SAN DNS names, owned */
    size_t ncert_sans;
    bool self_signed, expired, sni_mismatch;
    uint64_t frame;
    char uid[UID_LEN];
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
} tls_rec_t;

/* What decrypting TLS with the key log gave in one capture: sessions counted
 * by ssl_decryption_t (records.h).  All zero without a key log. */
typedef struct tls_decrypt_counts {
    uint64_t sessions;         /* TLS connections that reached a ServerHello */
    uint64_t decrypted;        /* ... whose records authenticated and were decrypted */
    uint64_t no_key;           /* ... for which the key log has no secret */
    uint64_t failed;           /* ... whose keys opened no record (a wrong key log) */
    uint64_t unsupported;      /* ... with a version or suite we cannot decrypt */
    uint64_t no_server_hello;  /* TLS connections without one (not in sessions) */
    uint64_t records_rejected; /* records that did not authenticate, never passed on */
} tls_decrypt_counts_t;

/* A login's outcome as the server answered it. */
enum login_outcome { LOGIN_UNKNOWN = 0, LOGIN_ACCEPTED = 1, LOGIN_REJECTED = 2 };

/* A login seen (clear text, challenge/response, or read inside TLS): what the
 * cleartext-credentials and password-guessing findings need, no secret. */
typedef struct cred_rec {
    ts_ns_t ts;
    ipaddr_t client, server;
    uint16_t server_p;
    const char *proto; /* static: "http-basic", "ftp" */
    char *username;    /* owned */
    bool has_password; /* the password itself is never kept */
    bool hashed;       /* a challenge/response (NTLM), not a clear-text password */
    bool in_tls;       /* sent inside TLS (read with the key log): not in clear text */
    uint8_t outcome;   /* enum login_outcome */
    /* FNV-1a of the clear-text password, to count distinct guesses without
     * keeping them; 0 when there is none (hashed, empty or unseen) */
    uint64_t secret_hash;
    uint64_t frame;
    char uid[UID_LEN];
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
} cred_rec_t;

/* A file carved from HTTP whose content type disagrees with its label. */
typedef struct mime_rec {
    ts_ns_t ts;
    ipaddr_t client, server;
    char *url, *declared, *sniffed, *sha256; /* owned */
    uint64_t frame;
    char uid[UID_LEN];
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
} mime_rec_t;

/* One complete part of a 206 Partial Content response ("bytes A-B/T"),
 * carved to artifacts/<sha256>, or a whole multipart/byteranges body whose
 * parts the case reads back (boundary set, range fields zero); the case
 * assembles whole objects from them. */
typedef struct range_rec {
    ts_ns_t ts;
    char *url;                  /* owned */
    uint64_t start, end, total; /* end inclusive */
    uint64_t file_off;          /* where the part's bytes start in its artifact */
    char *boundary;             /* multipart/byteranges: the body holds parts (owned) */
    char sha256[65];
    char fuid[UID_LEN];
    char uid[UID_LEN];
    ipaddr_t orig, resp;
    uint16_t orig_p, resp_p;
    uint64_t first_frame, last_frame;
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
} range_rec_t;

/* One sighting of a certificate; the case merges sightings by fingerprint. */
typedef struct cert_rec {
    char fp[65];
    ts_ns_t ts;
    char uid[UID_LEN];
    rec_order_t ord; /* emission order (core/order.h) */
    uint32_t capture;
    bool expired_at_capture;
    int8_t ts_digits;          /* the capture's time precision when it was seen */
    const x509_info_t *fields; /* shared by the capture's sightings of it (certs_t) */
} cert_rec_t;

/* One indicator of --intel matched by one sighting (a sighting that matches
 * several indicators, an address and its subnet, gives one each): what the
 * intel findings read (the full row is in intel.ndjson). */
typedef struct intel_rec {
    uint32_t indicator; /* its id in the case's intel set (case/intel.h) */
    ts_ns_t ts;
    uint64_t frame;
    char uid[UID_LEN]; /* "" when the value belongs to no connection */
    ipaddr_t orig, resp;
    const char *where; /* static: "Conn::IN_RESP", ... */
    rec_order_t ord;   /* emission order (core/order.h) */
    uint32_t capture;
} intel_rec_t;

/* The certificates of one capture, each once, by fingerprint. */
typedef struct certs {
    x509_info_t **v; /* owned */
    size_t n, cap;
    uint32_t *slots; /* open addressing: index + 1 into v, 0 = empty */
    size_t nslots;
} certs_t;

typedef struct capture_result {
    char *path; /* as given on the command line (or found in a folder) */
    char *name; /* basename, used as "pcap" in logs */
    uint64_t size;
    uint8_t sha256[32];
    char sha256_hex[65];
    char format[16];
    uint16_t linktypes[CAPTURE_MAX_LINKTYPES];
    size_t nlinktypes;
    int ts_digits;
    uint64_t packets, bytes_captured, bytes_wire;
    uint64_t ip_packets;
    ts_ns_t first_ts, last_ts;
    damage_t damage;
    decode_stats_t dstats;
    bool damaged;  /* some of the file could not be read or decoded */
    bool unusable; /* not a capture at all */
    char error[256];
    /* where the analysis is (core/order.h): each record kept and each row
     * spooled takes the next order */
    rec_order_t at;
    /* connections, in blocks of CONN_BLOCK so growing never copies (a copy of
     * a million records would double peak memory) */
    conn_rec_t **conn_blocks;
    size_t nconns, nblocks;
    /* spooled logs */
    logstore_t logs[LOG_SPOOLED_COUNT];
    /* bandwidth */
    rate_bin_t *rates;
    size_t nrates, caprates;
    /* passive DNS: one entry per (name, address), first and last sighting */
    pdns_entry_t *pdns;
    size_t npdns, cappdns;
    uint32_t *pdns_slots; /* open addressing: index + 1 into pdns, 0 = empty */
    size_t npdns_slots;
    /* application summaries for the findings */
    dns_rec_t *dns;
    size_t ndns, capdns;
    tls_rec_t *tls;
    size_t ntls, captls;
    tls_decrypt_counts_t decrypt;
    cred_rec_t *creds;
    size_t ncreds, capcreds;
    mime_rec_t *mimes;
    size_t nmimes, capmimes;
    cert_rec_t *certs;
    size_t ncerts, capcerts;
    certs_t cert_fields; /* what the sightings point to */
    intel_rec_t *intel;  /* --intel matches */
    size_t nintel, capintel;
    range_rec_t *ranges;
    size_t nranges, capranges;
    /* the segments of the connections that may get TCP charts, kept in the
     * analysis's one pass (analysis/tcp_keep.h), in no particular order */
    tcp_segs_t *tcp_segs;
    size_t ntcp_segs, captcp_segs;
} capture_result_t;

#define CONN_BLOCK_SHIFT 16
#define CONN_BLOCK ((size_t)1 << CONN_BLOCK_SHIFT)

/* The i-th connection record of a capture. */
static inline conn_rec_t *capture_conn(const capture_result_t *r, size_t i)
{
    return &r->conn_blocks[i >> CONN_BLOCK_SHIFT][i & (CONN_BLOCK - 1)];
}
/* Append a zeroed record and return it. */
conn_rec_t *capture_conn_add(capture_result_t *r);

/* Append zeroed summary records (the capture field is set later). */
dns_rec_t *capture_dns_add(capture_result_t *r);
tls_rec_t *capture_tls_add(capture_result_t *r);
cred_rec_t *capture_cred_add(capture_result_t *r);
mime_rec_t *capture_mime_add(capture_result_t *r);
cert_rec_t *capture_cert_add(capture_result_t *r);
intel_rec_t *capture_intel_add(capture_result_t *r);
range_rec_t *capture_range_add(capture_result_t *r);
/* The order for the next record made (r->at, then its counter moves on). */
static inline rec_order_t capture_order_next(capture_result_t *r)
{
    rec_order_t o = r->at;
    r->at.lo++;
    return o;
}
/* Record that name resolved to addr at ts (passive DNS). */
void capture_pdns_add(capture_result_t *r, const char *name, const ipaddr_t *addr, ts_ns_t ts);

void capture_result_free(capture_result_t *r);
/* Move everything part holds into r (a capture analysed by several workers:
 * one part each): records, log rows (their spools too), passive DNS,
 * certificates, counts and damage.  part is left freed.  Call
 * capture_result_order() on r once every part is in. */
void capture_result_absorb(capture_result_t *r, capture_result_t *part);
/* Put every kept record array of r in emission order (core/order.h). */
void capture_result_order(capture_result_t *r);
const char *conn_rec_state(const conn_rec_t *c);
uint8_t conn_state_index(const char *name);

#endif
