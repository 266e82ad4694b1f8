/* gencap.h — shared types of gencap, the benchmark capture generator.
 *
 * gencap writes large captures whose content is known exactly, so benchmarks can be run on
 * realistic traffic and tests can compare pcapcase's output with the truth file written
 * beside the capture.  Everything is drawn from one seeded PRNG in a fixed order, so the
 * same seed and options give a byte-identical capture.
 *
 * The pieces:
 *   gen_pkt.c    sessions (packet lists sorted by time), Ethernet/IP/TCP/UDP framing with
 *                checksums, TCP connection helpers (handshake, bulk transfer, teardown)
 *   gen_http.c   HTTP/1.1 bodies and transactions (Content-Length, chunked, gzip, POST)
 *   gen_tls.c    TLS 1.2 handshakes with the fixed certificates from certs/, app data
 *   gen_dns.c    DNS transactions, NTP and syslog background traffic
 *   gen_truth.c  what was generated, and the FILE.truth.json writer
 *   gen_detect.c the detection benchmark's planted activities (--plant KIND): beacons,
 *                tunnels, scans, exfiltration and benign fleets, listed in the truth file
 *   gencap.c     options, hosts, the scheduler that interleaves sessions, the pcap writer,
 *                the adversarial modes
 */
#ifndef GENCAP_H
#define GENCAP_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* ---- PRNG: xoshiro256**, seeded with splitmix64 ---- */

typedef struct {
    uint64_t s[4];
} rng_t;

void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_next(rng_t *r);
/* Uniform in [lo, hi] (inclusive). */
uint64_t rng_range(rng_t *r, uint64_t lo, uint64_t hi);
/* Uniform in [0, 1). */
double rng_unit(rng_t *r);
/* Exponentially distributed with the given mean. */
double rng_exp(rng_t *r, double mean);
/* Log-uniform in [lo, hi]: as many small as big objects per decade, like real web sizes. */
uint64_t rng_logu(rng_t *r, uint64_t lo, uint64_t hi);
void rng_fill(rng_t *r, void *buf, size_t len);

/* The one generator every part draws from, in program order (that is what makes runs
 * reproducible). */
extern rng_t g_rng;

/* ---- allocation: the generator has no way to go on without memory ---- */

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* A growable byte buffer. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
} bytes_t;

void bytes_reserve(bytes_t *b, size_t extra);
void bytes_put(bytes_t *b, const void *p, size_t n);
void bytes_printf(bytes_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bytes_u8(bytes_t *b, unsigned v);
void bytes_u16(bytes_t *b, unsigned v);
void bytes_u24(bytes_t *b, unsigned v);
void bytes_u32(bytes_t *b, uint32_t v);
void bytes_free(bytes_t *b);

/* ---- hosts ---- */

typedef struct host {
    int v6;
    uint8_t addr[16]; /* IPv4 in the first 4 bytes */
    uint8_t mac[6];
    uint16_t next_port; /* ephemeral port allocator: sequential, never reused in one run */
    uint16_t ip_id;
    uint8_t ttl;         /* as seen at the capture point */
    uint32_t tsval_base; /* TCP timestamp clock offset */
    char name[64];       /* DNS name for servers, "" for clients */
    int chain;           /* TLS certificate chain this server presents (tls_chain_id) */
} host_t;

/* A fresh source port of h; the allocator never hands out the same port twice in a run, so
 * every connection and every DNS query is its own conversation. */
uint16_t host_port(host_t *h);
/* Text form of the address (for the truth file). */
void host_str(const host_t *h, char *out, size_t outlen);

/* The router between the clients and the rest of the world: every off-LAN packet carries
 * its MAC. */
extern const uint8_t g_gateway_mac[6];

/* ---- sessions: one unit of traffic, generated whole, then emitted in time order ---- */

typedef struct {
    uint64_t ts; /* ns since the epoch */
    uint64_t off;
    uint32_t len;
    uint32_t order; /* insertion order, the tie-break that keeps sorting stable */
} pkt_ref_t;

typedef struct session {
    uint64_t id;
    bytes_t buf;
    pkt_ref_t *pk;
    size_t npk, cappk, next;
} session_t;

session_t *session_new(void);
void session_free(session_t *s);
/* Room for one frame of len bytes at time ts; the pointer is valid until the next call. */
uint8_t *session_frame(session_t *s, uint64_t ts, size_t len);
/* Sorts the frames by time; call once, after the last session_frame. */
void session_finish(session_t *s);
/* Bytes the frames will take in the file (record headers included). */
uint64_t session_file_bytes(const session_t *s);

/* ---- framing ---- */

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };
enum { DIR_C2S = 0, DIR_S2C = 1 };

/* One TCP connection between a client and a server as seen near the client. */
typedef struct tcp_conn {
    host_t *h[2]; /* [DIR_C2S] = client, [DIR_S2C] = server: index = sender */
    uint16_t port[2];
    uint32_t isn[2];
    uint32_t seq[2]; /* next sequence number each side sends */
    uint32_t rcv[2]; /* next sequence number each side acknowledges */
    uint8_t wscale[2];
    uint32_t rwnd[2];   /* receive buffer the window field advertises, bytes */
    uint64_t rcvd[2];   /* payload bytes each side has received (window autotuning) */
    uint64_t rtt;       /* ns */
    uint64_t gap[2];    /* ns between full segments sent by each side (its rate) */
    uint32_t mss;       /* payload bytes in a full segment */
    uint32_t flowlabel; /* IPv6 */
    int syn_opts_nmap;  /* SYN options like a scanner's: MSS only */
    int no_ts;          /* no TCP timestamps option (scanner probes) */
    uint64_t t;         /* time cursor: when the next thing may happen */
    uint64_t last[2];   /* time of each side's latest segment: a side's segments leave in
                         * the order they were made, or seq/ack would run backwards */
    void *tls;          /* gen_https.c's record state when the connection carries TLS */
} tcp_conn_t;

/* A connection from client c to server s; c and s must be of the same family. */
void tcp_conn_init(tcp_conn_t *c, host_t *client, uint16_t cport, host_t *server, uint16_t sport,
                   uint64_t t);
/* One segment from side dir with the given flags and payload, acknowledging rcv[dir]. */
void tcp_segment(session_t *s, tcp_conn_t *c, int dir, uint64_t ts, unsigned flags,
                 const uint8_t *data, size_t len);
/* Same with SACK blocks (pairs of absolute sequence numbers) in the options. */
void tcp_segment_sack(session_t *s, tcp_conn_t *c, int dir, uint64_t ts, unsigned flags,
                      const uint8_t *data, size_t len, const uint32_t *sack, int nsack);
/* SYN, SYN-ACK, ACK starting at c->t; leaves c->t after the final ACK. */
void tcp_handshake(session_t *s, tcp_conn_t *c);
/* Sends len bytes from dir starting at c->t in full-size segments at that side's rate; the
 * receiver ACKs every second segment, and the last one too when ack_last (otherwise its
 * answer is expected to carry the ACK).  Leaves c->t at the last data segment. */
void tcp_send(session_t *s, tcp_conn_t *c, int dir, const uint8_t *data, size_t len, int ack_last);
/* FIN from dir, FIN from the other side, last ACK. */
void tcp_close(session_t *s, tcp_conn_t *c, int first_dir);

/* A UDP datagram between hosts a and b (same family). */
void udp_datagram(session_t *s, host_t *src, uint16_t sport, host_t *dst, uint16_t dport,
                  uint64_t ts, const uint8_t *data, size_t len);

/* An ICMP message (IPv4) with the 4 bytes after the checksum and a payload. */
void icmp_packet(session_t *s, host_t *src, host_t *dst, uint64_t ts, unsigned type, unsigned code,
                 uint32_t rest, const uint8_t *data, size_t len);

/* ---- applications ---- */

typedef struct gen_ctx gen_ctx_t;

/* HTTP */
void http_init(void);
/* A visit: maybe a DNS lookup, then one connection with 1..n GETs (keep-alive). */
void http_session(session_t *s, host_t *client, host_t *server, uint64_t t);
/* A connection with one POST upload. */
void http_post_session(session_t *s, host_t *client, host_t *server, uint64_t t);
/* The beacon's poll: one connection, one small GET, always the same answer. */
void http_beacon_session(session_t *s, host_t *client, host_t *server, uint64_t t);
/* The head of a 200 response with Content-Length (the ooo-stream mode uses it too). */
void http_response_head(bytes_t *out, const char *mime, size_t clen, uint64_t ts);

/* One upload of `bytes` random bytes by POST or PUT, chunked or not, on a new connection to
 * port 80; returns when the connection closed.  Not recorded as a truth body (too big to
 * hash for nothing). */
uint64_t http_upload(session_t *s, host_t *client, host_t *server, uint64_t t, size_t bytes,
                     const char *method, int chunked);
/* A poll: one connection, one GET of uri with req_pad extra header bytes, a response of
 * resp_bytes; returns when the connection closed. */
uint64_t http_poll(session_t *s, host_t *client, host_t *server, uint64_t t, const char *uri,
                   size_t req_pad, size_t resp_bytes);
/* HTTPS with keys (gen_https.c, --https-keylog): HTTP sessions carried in TLS 1.2 records
 * on port 443, one CLIENT_RANDOM line per connection written to keylog.  seed feeds TLS's
 * own PRNG, so the HTTP content is the same as without TLS. */
void https_init(FILE *keylog, uint64_t seed);
/* The plain twin of an --https-keylog run (--https-twin): same HTTP content, no TLS. */
void https_split_rng(uint64_t seed);
int https_enabled(void);
/* After tcp_handshake: the TLS handshake; later app_send calls on c are encrypted. */
void https_begin(session_t *s, tcp_conn_t *c);
/* tcp_send for application bytes: sealed into TLS records when c carries TLS. */
void app_send(session_t *s, tcp_conn_t *c, int dir, const uint8_t *data, size_t len, int ack_last);
void https_end(tcp_conn_t *c);

/* TLS */
void tls_init(void);
int tls_chain_id(const char *server_name);
/* "certificates": [...], "handshakes_by_chain": {...} members for the truth file. */
void tls_truth_json(bytes_t *b);
void tls_session(session_t *s, host_t *client, host_t *server, uint64_t t);
/* A TLS connection with SNI sni and up / down bytes of app data in rounds exchanges spread
 * over span ns. */
void tls_session_sized(session_t *s, host_t *client, host_t *server, uint16_t port, const char *sni,
                       uint64_t t, uint64_t up, uint64_t down, unsigned rounds, uint64_t span);

/* ---- detection scenarios (gen_detect.c) ---- */

/* Parses one --plant KIND; 0, or -1 with a message on stderr. */
int plant_add(const char *kind);
size_t plant_count(void);
/* Draws every plant's parameters and hosts (after hosts_init); start and duration in ns. */
void plants_init(uint64_t start, uint64_t duration);
/* When plant i next makes a session (UINT64_MAX: never again). */
uint64_t plant_next(size_t i);
/* Makes plant i's next session into s. */
void plant_step(size_t i, session_t *s);
/* The "plants": [...] member of the truth file (no trailing comma). */
void plants_truth_json(bytes_t *b);
/* gencap.c's host maker and client table, for the plants. */
void host_make_v4(host_t *h, unsigned a, unsigned b, unsigned c, unsigned d, int local);
host_t *client_v4(unsigned i);
enum { GEN_NCLIENTS4 = 240 };

/* DNS and background UDP */
extern host_t *g_resolver, *g_resolver6;
/* One DNS transaction at t for name (type A or AAAA chosen by want_v6); returns when the
 * answer was seen.  Names of hosts answer with that host's address. */
uint64_t dns_lookup(session_t *s, host_t *client, host_t *target, int want_v6, uint64_t t);
/* 1..3 mixed queries: A, AAAA, CNAME chains, NXDOMAIN. */
void dns_session(session_t *s, host_t *client, uint64_t t);
/* A query of type qtype for qname and an answer with rdlen bytes of data (or NXDOMAIN). */
uint64_t dns_raw(session_t *s, host_t *client, const char *qname, unsigned qtype, size_t rdlen,
                 int nx, uint64_t t);
void ntp_exchange(session_t *s, host_t *client, host_t *server, uint64_t t);
void syslog_message(session_t *s, host_t *sender, host_t *collector, uint64_t t);

/* Host tables, built by gencap.c. */
extern host_t **g_servers;
extern size_t g_nservers;
host_t *pick_server(void);
host_t *find_server(const char *name, int v6);

/* ---- truth (gen_truth.c) ---- */

typedef enum { BODY_RESPONSE = 0, BODY_REQUEST = 1 } body_dir_t;

typedef struct truth {
    uint64_t packets, frame_bytes;
    uint64_t first_ts, last_ts;
    uint64_t tcp_conversations, tcp_handshakes, tcp_ipv6, tcp_fin_closed, tcp_rst_closed;
    uint64_t udp_conversations;
    uint64_t http_transactions, http_connections, http_keepalive_connections;
    uint64_t http_get, http_post, http_status_200, http_status_201, http_status_304,
        http_status_404;
    uint64_t http_chunked, http_gzip, http_bodies;
    uint64_t dns_queries, dns_responses, dns_a, dns_aaaa, dns_cname_answers, dns_nxdomain;
    uint64_t tls_handshakes, tls_by_chain[4];
    uint64_t beacon_count;
    uint64_t ntp_exchanges, syslog_messages;
    uint64_t scan_ports, scan_open;
} truth_t;

extern truth_t g_truth;

/* Records one transferred HTTP body.  decoded is what a carver must write; wire is what was
 * on the wire between the headers after de-chunking (equal to decoded when not gzipped). */
void truth_body(const uint8_t *decoded, size_t dlen, const uint8_t *wire, size_t wlen,
                const char *mime, int gzip, int chunked, body_dir_t dir, const char *uri);
void truth_sni(const char *name);
/* Writes the truth file; extra_json is a list of ready-made "key": value members (or ""). */
int truth_write(const char *path, const char *options_json, const char *extra_json);

/* Writes a JSON string literal (quoted, escaped). */
void json_str(bytes_t *b, const char *s);

#endif
