/* app_proto.c — choosing and driving the protocol analysers; see app_proto.h.
 *
 * A stream's analyser is chosen from its first bytes (and, for DNS, the
 * port).  HTTP and TLS analysers are being added; until then other TCP
 * streams are only reassembled (their gaps are still counted). */
#include "app_proto.h"

#include "analysis/app_dns.h"
#include "analysis/app_http.h"
#include "analysis/app_tls.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "proto/localnames.h"
#include "proto/tls.h"

#include <netinet/in.h>
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void app_proto_init(app_proto_ctx_t *ctx, const an_ctx_t *an)
{
    ctx->an = an;
}

void app_proto_free(app_proto_ctx_t *ctx)
{
    (void)ctx;
}

/* DHCP and NetBIOS names go to the passive-DNS table: hosts.ndjson's names
 * and conn.ndjson's orig_name/resp_name then show them like DNS answers. */
static void local_names(const an_ctx_t *an, const packet_t *p, ts_ns_t ts, bool nbns)
{
    localname_t v[NBNS_MAX_NAMES];
    size_t n = nbns ? nbns_names(p->payload, p->payload_len, v, NBNS_MAX_NAMES)
                    : dhcp_host_name(p->payload, p->payload_len, v);
    for (size_t i = 0; i < n; i++) {
        name_sighting_t s = {.name = v[i].name, .addr = {.family = 4}, .ts = ts};
        memcpy(s.addr.a, v[i].addr, 4);
        an->records->name_seen(an->records->ctx, &s);
    }
}

void app_udp(app_proto_ctx_t *ctx, conn_t *c, const packet_t *p, bool is_orig, uint64_t frame,
             ts_ns_t ts)
{
    if ((app_dns_port(p->sport) || app_dns_port(p->dport)) &&
        dns_looks_like(p->payload, p->payload_len))
        app_dns_message(ctx->an, c, (dns_state_t **)&c->app, is_orig, p->payload, p->payload_len,
                        frame, ts, false);
    else if ((p->sport == 67 || p->sport == 68) && (p->dport == 67 || p->dport == 68))
        local_names(ctx->an, p, ts, false);
    else if (p->sport == 137 || p->dport == 137)
        local_names(ctx->an, p, ts, true);
}

/* The first bytes of the connection (either direction) pick the analyser. */
static void decide(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig,
                   const uint8_t *data, size_t len)
{
    if (s->kind != APP_UNKNOWN)
        return;
    if (c->orig_p == 53 || c->resp_p == 53) {
        s->kind = APP_DNS_TCP;
    } else if (http_detect(data, len, is_orig)) {
        s->kind = APP_HTTP;
        s->parser = app_http_new(ctx->an, c);
    } else if (is_orig && tls_detect(data, len)) {
        s->kind = APP_TLS;
        s->parser = app_tls_new(ctx->an, c);
    } else {
        s->kind = APP_NONE;
        /* SMTP, submission, POP3, IMAP, FTP, GridFTP, XMPP, LDAP, IRC upgrade with STARTTLS */
        static const uint16_t ports[] = {25, 587, 110, 143, 21, 2811, 5222, 5269, 389, 6667};
        for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
            s->starttls |= c->resp_p == ports[i];
    }
}

/* FTP control channel: USER and PASS in clear text (the password is only
 * noted as present, never kept). */
static void ftp_credentials(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, const uint8_t *data,
                            size_t len, uint64_t frame, ts_ns_t ts)
{
    for (size_t i = 0; i + 5 <= len; i++) {
        if (i && data[i - 1] != '\n')
            continue;
        if (strncasecmp((const char *)data + i, "USER ", 5) == 0) {
            size_t e = i + 5;
            while (e < len && data[e] != '\r' && data[e] != '\n' && e - i < 260)
                e++;
            free(s->ftp_user);
            s->ftp_user = xstrndup((const char *)data + i + 5, e - i - 5);
            s->ftp_pass = false;
        } else if (strncasecmp((const char *)data + i, "PASS ", 5) == 0 && s->ftp_user &&
                   !s->ftp_pass) {
            s->ftp_pass = true;
            credential_t cr = {.ts = ts,
                               .proto = "ftp",
                               .username = s->ftp_user,
                               .has_password =
                                   i + 5 < len && data[i + 5] != '\r' && data[i + 5] != '\n',
                               .frame = frame};
            an_conn_ident(c, &cr.conn);
            ctx->an->records->credential(ctx->an->records->ctx, &cr);
        }
    }
}

void app_stream_data(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig,
                     const uint8_t *data, size_t len, uint64_t off, uint64_t frame, ts_ns_t ts)
{
    (void)off;
    decide(ctx, s, c, is_orig, data, len);
    switch (s->kind) {
    case APP_DNS_TCP:
        app_dns_stream(ctx->an, c, (dns_state_t **)&s->parser, is_orig, data, len, frame, ts);
        break;
    case APP_HTTP:
        app_http_data(s->parser, is_orig, data, len, frame, ts);
        break;
    case APP_TLS:
        app_tls_data(s->parser, is_orig, data, len, frame, ts);
        break;
    case APP_NONE:
        if (c->resp_p == 21 && is_orig)
            ftp_credentials(ctx, s, c, data, len, frame, ts);
        /* after STARTTLS, the client's next segment is a ClientHello */
        if (s->starttls && is_orig && len > 5 && tls_detect(data, len) && data[5] == 1) {
            s->kind = APP_TLS;
            s->parser = app_tls_new(ctx->an, c);
            app_tls_data(s->parser, is_orig, data, len, frame, ts);
        }
        break;
    default:
        break;
    }
}

void app_stream_gap(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig, uint64_t off,
                    uint64_t len)
{
    (void)ctx, (void)c, (void)off;
    if (s->kind == APP_HTTP)
        app_http_gap(s->parser, is_orig, len);
    else if (s->kind == APP_TLS)
        app_tls_gap(s->parser, is_orig);
}

void app_stream_end(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c, bool is_orig)
{
    (void)ctx, (void)c;
    if (s->kind == APP_HTTP)
        app_http_end(s->parser, is_orig);
}

char *app_conn_done(app_proto_ctx_t *ctx, app_session_t *s, conn_t *c)
{
    if (!s) {
        if (c->proto == IPPROTO_UDP)
            app_dns_done(ctx->an, c, (dns_state_t **)&c->app);
        return NULL;
    }
    if (s->kind == APP_DNS_TCP)
        app_dns_done(ctx->an, c, (dns_state_t **)&s->parser);
    if (s->kind == APP_HTTP) {
        app_http_free(s->parser);
        s->parser = NULL;
    }
    if (s->kind == APP_TLS) {
        app_tls_free(s->parser);
        s->parser = NULL;
    }
    free(s->ftp_user);
    s->ftp_user = NULL;
    char *hint = s->name_hint;
    s->name_hint = NULL;
    return hint;
}
