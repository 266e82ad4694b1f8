/* test_intel_tap.c — the intel tap (case/intel_tap.c): which values of which
 * records are looked up, under which seen.where, and that every record still
 * reaches the sink behind it.  Records are built by hand with the sample
 * incident's values. */
#include "case/intel_tap.h"
#include "cu_main.h"

#include <stdio.h>
#include <string.h>

/* The sink behind the tap: counts records, keeps sightings as text. */
typedef struct seen_log {
    int records;
    char rows[32][256];
    uint64_t frames[32];
    int n;
} seen_log_t;

static void on_any(void *ctx)
{
    ((seen_log_t *)ctx)->records++;
}
static void on_conn(void *ctx, const conn_rec_t *r)
{
    (void)r, on_any(ctx);
}
static void on_dns(void *ctx, const dns_exchange_t *r)
{
    (void)r, on_any(ctx);
}
static void on_http(void *ctx, const http_record_t *r)
{
    (void)r, on_any(ctx);
}
static void on_file(void *ctx, const file_record_t *r)
{
    (void)r, on_any(ctx);
}
static void on_ssl(void *ctx, const ssl_record_t *r)
{
    (void)r, on_any(ctx);
}
static void on_cert(void *ctx, const cert_sighting_t *r)
{
    (void)r, on_any(ctx);
}
static void on_cred(void *ctx, const credential_t *r)
{
    (void)r, on_any(ctx);
}

/* "where type value -> indicator[,indicator] uid" */
static void on_intel(void *ctx, const intel_sighting_t *s)
{
    seen_log_t *l = ctx;
    if (l->n == 32)
        return;
    l->frames[l->n] = s->frame;
    char *row = l->rows[l->n++];
    int o = snprintf(row, 256, "%s %s %s ->", s->where, s->value_type, s->value);
    for (size_t i = 0; i < s->nindicators && o < 200; i++)
        o += snprintf(row + o, (size_t)(256 - o), "%s%s", i ? "," : " ", s->indicators[i]);
    snprintf(row + o, (size_t)(256 - o), " %s", s->conn.uid);
}

static record_sink_t sink_for(seen_log_t *l)
{
    return (record_sink_t){.ctx = l,
                           .conn = on_conn,
                           .dns = on_dns,
                           .http = on_http,
                           .file = on_file,
                           .ssl = on_ssl,
                           .certificate = on_cert,
                           .credential = on_cred,
                           .intel = on_intel};
}

static intel_set_t *lab_set(void)
{
    static const char feed[] = "#fields\tindicator\tindicator_type\tmeta.source\n"
                               "203.0.113.66\tIntel::ADDR\tlab\n"
                               "203.0.113.64/26\tIntel::SUBNET\tsubnets\n"
                               "*.bad-domain.test\tIntel::DOMAIN\tlab\n"
                               "c2.bad-domain.test/beacon\tIntel::URL\tlab\n"
                               "c2.bad-domain.test:8080/x\tIntel::URL\tlab\n"
                               "203.0.113.66:8080/beacon\tIntel::URL\tlab\n"
                               "curl/7.88.1\tIntel::SOFTWARE\tlab\n"
                               "admin@example-shop.test\tIntel::EMAIL\tlab\n"
                               "admin@example-shop.test\tIntel::USER_NAME\tlab\n"
                               "t12d2807h2_d943125447b4_a44c6288192a\tIntel::JA4\tlab\n";
    intel_set_t *s = intel_new();
    intel_loader_t *l = intel_loader_begin(s, "lab.intel", NULL);
    intel_loader_feed(l, feed, sizeof feed - 1);
    intel_loader_end(l);
    CU_ASSERT_EQUAL(intel_count(s), 10);
    return s;
}

static conn_ident_t beacon_conn(void)
{
    conn_ident_t c = {.orig_p = 46212, .resp_p = 80};
    strcpy(c.uid, "CBeacon0000000001");
    ipaddr_parse("10.77.0.10", &c.orig);
    ipaddr_parse("203.0.113.66", &c.resp);
    return c;
}

static void http_values_are_looked_up_as_zeek_builds_them(void)
{
    intel_set_t *s = lab_set();
    seen_log_t log = {0};
    record_sink_t next = sink_for(&log);
    intel_tap_t tap;
    intel_tap_init(&tap, &next, s);
    http_txn_t x = {.method = "GET",
                    .uri = "/beacon",
                    .host = "C2.bad-domain.test",
                    .user_agent = "curl/7.88.1",
                    .referrer = "https://c2.bad-domain.test:443/beacon"};
    x.req.has = true, x.req.first_frame = 2345;
    http_record_t h = {.conn = beacon_conn(), .ts = 1795403004007288000, .txn = &x};
    tap.sink.http(tap.sink.ctx, &h);
    /* Host with a port; the URL then names it (Zeek's build_url) */
    x.host = "c2.bad-domain.test:8080", x.uri = "/x", x.user_agent = NULL, x.referrer = NULL;
    tap.sink.http(tap.sink.ctx, &h);
    /* no Host: the server's address, and the port when not 80 */
    x.host = NULL, x.uri = "/beacon";
    h.conn.resp_p = 8080;
    tap.sink.http(tap.sink.ctx, &h);
    CU_ASSERT_EQUAL(log.records, 3);
    CU_ASSERT_EQUAL_FATAL(log.n, 7);
    CU_ASSERT_STRING_EQUAL(log.rows[0], "HTTP::IN_HOST_HEADER Intel::DOMAIN C2.bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[1], "HTTP::IN_URL Intel::URL C2.bad-domain.test/beacon -> "
                                        "c2.bad-domain.test/beacon CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[2],
                           "HTTP::IN_REFERRER_HEADER Intel::URL https://c2.bad-domain.test:443/"
                           "beacon -> c2.bad-domain.test/beacon CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[3], "HTTP::IN_USER_AGENT_HEADER Intel::SOFTWARE curl/7.88.1 "
                                        "-> curl/7.88.1 CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[4], "HTTP::IN_HOST_HEADER Intel::DOMAIN c2.bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[5], "HTTP::IN_URL Intel::URL c2.bad-domain.test:8080/x -> "
                                        "c2.bad-domain.test:8080/x CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[6], "HTTP::IN_URL Intel::URL 203.0.113.66:8080/beacon -> "
                                        "203.0.113.66:8080/beacon CBeacon0000000001");
    intel_free(s);
}

static void addresses_match_themselves_and_their_subnets(void)
{
    intel_set_t *s = lab_set();
    seen_log_t log = {0};
    record_sink_t next = sink_for(&log);
    intel_tap_t tap;
    intel_tap_init(&tap, &next, s);
    conn_ident_t id = beacon_conn();
    conn_rec_t c = {.orig = id.orig, .resp = id.resp, .orig_p = 46212, .resp_p = 80};
    memcpy(c.uid, id.uid, sizeof c.uid);
    tap.sink.conn(tap.sink.ctx, &c);
    CU_ASSERT_EQUAL(log.records, 1);
    CU_ASSERT_EQUAL_FATAL(log.n, 1);
    CU_ASSERT_STRING_EQUAL(log.rows[0], "Conn::IN_RESP Intel::ADDR 203.0.113.66 -> "
                                        "203.0.113.66,203.0.113.64/26 CBeacon0000000001");
    intel_free(s);
}

static void certificates_tls_and_credentials_are_looked_up(void)
{
    intel_set_t *s = lab_set();
    seen_log_t log = {0};
    record_sink_t next = sink_for(&log);
    intel_tap_t tap;
    intel_tap_init(&tap, &next, s);
    x509_info_t x = {.cn = "Example Shop Lab Root CA", .nsan_dns = 1};
    x.san_dns[0] = "*.bad-domain.test";
    cert_sighting_t cs = {.conn = beacon_conn(), .frame = 593, .cert = &x};
    tap.sink.certificate(tap.sink.ctx, &cs);
    tls_info_t in = {.ja4 = "t12d2807h2_d943125447b4_a44c6288192a"};
    ssl_record_t sr = {.conn = beacon_conn(), .frame = 590, .tls = &in};
    tap.sink.ssl(tap.sink.ctx, &sr);
    credential_t cr = {
        .conn = beacon_conn(), .proto = "http-basic", .username = "admin@example-shop.test"};
    tap.sink.credential(tap.sink.ctx, &cr);
    cr.proto = "ftp";
    cr.username = "anonymous";
    tap.sink.credential(tap.sink.ctx, &cr);
    CU_ASSERT_EQUAL(log.records, 4);
    CU_ASSERT_EQUAL_FATAL(log.n, 4);
    /* a wildcard SAN is looked up as the domain under it */
    CU_ASSERT_STRING_EQUAL(log.rows[0], "X509::IN_CERT Intel::DOMAIN bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[1], "SSL::IN_CLIENT_HELLO Intel::JA4 "
                                        "t12d2807h2_d943125447b4_a44c6288192a -> "
                                        "t12d2807h2_d943125447b4_a44c6288192a CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[2], "HTTP::IN_AUTHORIZATION_HEADER Intel::USER_NAME "
                                        "admin@example-shop.test -> admin@example-shop.test "
                                        "CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[3], "HTTP::IN_AUTHORIZATION_HEADER Intel::EMAIL "
                                        "admin@example-shop.test -> admin@example-shop.test "
                                        "CBeacon0000000001");
    intel_free(s);
}

/* The query name where dns.ndjson shows it: the query's question, or the
 * response's when the query's could not be read; answers at the response. */
static void dns_questions_and_answers_are_looked_up(void)
{
    intel_set_t *s = lab_set();
    seen_log_t log = {0};
    record_sink_t next = sink_for(&log);
    intel_tap_t tap;
    intel_tap_init(&tap, &next, s);
    dns_answer_t ans[2] = {{.text = "c2.bad-domain.test", .type = 5 /* CNAME */},
                           {.text = "203.0.113.66", .type = 1, .family = 4}};
    memcpy(ans[1].addr, (const uint8_t[]){203, 0, 113, 66}, 4);
    dns_msg_t q = {.qname = "www.bad-domain.test", .qtype = 1};
    dns_msg_t r = {.qr = true, .qname = "www.bad-domain.test", .answers = ans, .nanswers = 2};
    dns_exchange_t x = {.conn = beacon_conn(),
                        .query = &q,
                        .response = &r,
                        .query_frame = 10,
                        .response_frame = 11};
    tap.sink.dns(tap.sink.ctx, &x);
    q.qname = NULL; /* the query's question unreadable: the response's is shown */
    x.query_frame = 20, x.response_frame = 21, r.nanswers = 0;
    tap.sink.dns(tap.sink.ctx, &x);
    CU_ASSERT_EQUAL(log.records, 2);
    CU_ASSERT_EQUAL_FATAL(log.n, 4);
    CU_ASSERT_STRING_EQUAL(log.rows[0], "DNS::IN_REQUEST Intel::DOMAIN www.bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_EQUAL(log.frames[0], 10);
    CU_ASSERT_STRING_EQUAL(log.rows[1], "DNS::IN_RESPONSE Intel::DOMAIN c2.bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_EQUAL(log.frames[1], 11);
    CU_ASSERT_STRING_EQUAL(log.rows[2], "DNS::IN_RESPONSE Intel::ADDR 203.0.113.66 -> "
                                        "203.0.113.66,203.0.113.64/26 CBeacon0000000001");
    CU_ASSERT_STRING_EQUAL(log.rows[3], "DNS::IN_REQUEST Intel::DOMAIN www.bad-domain.test -> "
                                        "*.bad-domain.test CBeacon0000000001");
    CU_ASSERT_EQUAL(log.frames[3], 21);
    intel_free(s);
}

static const cu_test_t tests[] = {
    {"dns_questions_and_answers_are_looked_up", dns_questions_and_answers_are_looked_up},
    {"http_values_are_looked_up_as_zeek_builds_them",
     http_values_are_looked_up_as_zeek_builds_them},
    {"addresses_match_themselves_and_their_subnets", addresses_match_themselves_and_their_subnets},
    {"certificates_tls_and_credentials_are_looked_up",
     certificates_tls_and_credentials_are_looked_up},
    {NULL, NULL}};

CU_MAIN("intel_tap", tests)
