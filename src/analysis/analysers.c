/* analysers.c — the table of protocol analysers; see analyser.h.
 *
 * One line per protocol.  Order matters: for a TCP connection's first bytes,
 * and for each UDP datagram, the first entry whose detector accepts wins —
 * content signatures before port-only detectors.  Ports are IANA's
 * well-known ones; they are hints that some detectors use (DNS over TCP and
 * FTP have no signature at the start of a stream; a DNS message needs one of
 * the DNS ports besides its shape), never a reason on their own to read a
 * connection as HTTP or TLS.  HTTP/2 is the "http" service too: its line
 * reads the client preface in clear text (prior knowledge); inside TLS the
 * alpn column picks the line for the decrypted stream. */
#include "analysis/analyser.h"

#include "analysis/app_dns.h"
#include "analysis/app_ftp.h"
#include "analysis/app_http.h"
#include "analysis/app_krb5.h"
#include "analysis/app_localnames.h"
#include "analysis/app_mailbox.h"
#include "analysis/app_smb.h"
#include "analysis/app_smtp.h"
#include "analysis/app_tftp.h"
#include "analysis/app_tls.h"

enum {
    PORT_FTP = 21,
    PORT_SMTP = 25,
    PORT_DNS = 53,
    PORT_TFTP = 69,
    PORT_KERBEROS = 88,
    PORT_DHCP_SERVER = 67,
    PORT_DHCP_CLIENT = 68,
    PORT_POP3 = 110,
    PORT_NETBIOS_NS = 137,
    PORT_NETBIOS_SSN = 139,
    PORT_IMAP = 143,
    PORT_LDAP = 389,
    PORT_SMB = 445,
    PORT_SUBMISSIONS = 465,
    PORT_SUBMISSION = 587,
    PORT_DNS_TLS = 853,
    PORT_FTPS = 990,
    PORT_IMAPS = 993,
    PORT_POP3S = 995,
    PORT_GRIDFTP = 2811,
    PORT_MDNS = 5353,
    PORT_LLMNR = 5355,
    PORT_XMPP_CLIENT = 5222,
    PORT_XMPP_SERVER = 5269,
    PORT_IRC = 6667,
};

static const uint16_t dns_ports[] = {PORT_DNS, PORT_MDNS, PORT_LLMNR, 0};
static const uint16_t dns_tcp_ports[] = {PORT_DNS, 0};
static const uint16_t dhcp_ports[] = {PORT_DHCP_SERVER, PORT_DHCP_CLIENT, 0};
static const uint16_t netbios_ns_ports[] = {PORT_NETBIOS_NS, 0};
static const uint16_t tftp_ports[] = {PORT_TFTP, 0};
static const uint16_t krb5_ports[] = {PORT_KERBEROS, 0};
static const uint16_t ftp_ports[] = {PORT_FTP, 0};
static const uint16_t smtp_ports[] = {PORT_SMTP, PORT_SUBMISSION, 0};
static const uint16_t pop3_ports[] = {PORT_POP3, 0};
static const uint16_t imap_ports[] = {PORT_IMAP, 0};
static const uint16_t smb_ports[] = {PORT_SMB, PORT_NETBIOS_SSN, 0};
/* Implicit TLS (RFC 8314, RFC 4217's 990, RFC 7858): the protocol from the
 * first byte inside TLS, read when the key log opens it. */
static const uint16_t dns_tls_ports[] = {PORT_DNS_TLS, 0};
static const uint16_t ftp_tls_ports[] = {PORT_FTPS, 0};
static const uint16_t smtp_tls_ports[] = {PORT_SUBMISSIONS, 0};
static const uint16_t pop3_tls_ports[] = {PORT_POP3S, 0};
static const uint16_t imap_tls_ports[] = {PORT_IMAPS, 0};
/* Plain-text services that may switch to TLS (STARTTLS) and have no
 * analyser yet: GridFTP, XMPP, LDAP, IRC. */
static const uint16_t starttls_ports[] = {PORT_GRIDFTP, PORT_XMPP_CLIENT, PORT_XMPP_SERVER,
                                          PORT_LDAP,    PORT_IRC,         0};

/* clang-format off */
const analyser_t analysers[] = {
    /* name        transport ports             detect                 ops                 flags                              after_starttls        alpn        tls_ports */
    {"dns",        AN_UDP,   dns_ports,        app_dns_detect_udp,    &app_dns_udp_ops,   0,                                 NULL,                 NULL,       NULL},
    {"dhcp",       AN_UDP,   dhcp_ports,       app_dhcp_detect,       &app_dhcp_ops,      0,                                 NULL,                 NULL,       NULL},
    {"netbios-ns", AN_UDP,   netbios_ns_ports, an_detect_any_port,    &app_nbns_ops,      0,                                 NULL,                 NULL,       NULL},
    {"tftp",       AN_UDP,   tftp_ports,       app_tftp_detect,       &app_tftp_ops,      0,                                 NULL,                 NULL,       NULL},
    {"tftp",       AN_UDP,   NULL,             app_tftp_data_detect,  &app_tftp_data_ops, AN_EXPECTED,                       NULL,                 NULL,       NULL},
    {"krb",        AN_UDP,   krb5_ports,       app_krb5_detect,       &app_krb5_ops,      0,                                 NULL,                 NULL,       NULL},
    {"dns",        AN_TCP,   dns_tcp_ports,    an_detect_any_port,    &app_dns_tcp_ops,   0,                                 NULL,                 NULL,       dns_tls_ports},
    {"http",       AN_TCP,   NULL,             app_http2_detect,      &app_http2_ops,     0,                                 NULL,                 "h2",       NULL},
    {"http",       AN_TCP,   NULL,             app_http_detect,       &app_http_ops,      0,                                 NULL,                 "http/1.1", NULL},
    {"ssl",        AN_TCP,   NULL,             app_tls_detect,        &app_tls_ops,       0,                                 app_tls_client_hello, NULL,       NULL},
    {"smb",        AN_TCP,   smb_ports,        app_smb_detect,        &app_smb_ops,       0,                                 NULL,                 NULL,       NULL},
    {"ftp",        AN_TCP,   ftp_ports,        an_detect_server_port, &app_ftp_ops,       AN_STARTTLS | AN_STARTTLS_RESUMES, NULL,                 NULL,       ftp_tls_ports},
    {"smtp",       AN_TCP,   smtp_ports,       app_smtp_detect,       &app_smtp_ops,      AN_STARTTLS | AN_STARTTLS_RESUMES, NULL,                 NULL,       smtp_tls_ports},
    {"pop3",       AN_TCP,   pop3_ports,       app_pop3_detect,       &app_pop3_ops,      AN_STARTTLS | AN_STARTTLS_RESUMES, NULL,                 NULL,       pop3_tls_ports},
    {"imap",       AN_TCP,   imap_ports,       app_imap_detect,       &app_imap_ops,      AN_STARTTLS | AN_STARTTLS_RESUMES, NULL,                 NULL,       imap_tls_ports},
    {"starttls",   AN_TCP,   starttls_ports,   an_detect_server_port, NULL,               AN_STARTTLS,                       NULL,                 NULL,       NULL},
    {"ftp-data",   AN_TCP,   NULL,             app_ftp_data_detect,   &app_ftp_data_ops,  AN_EXPECTED,                       NULL,                 NULL,       NULL},
    {"krb_tcp",    AN_TCP,   krb5_ports,       app_krb5_detect,       &app_krb5_ops,      0,                                 NULL,                 NULL,       NULL},
    {NULL,         0,        NULL,             NULL,                  NULL,               0,                                 NULL,                 NULL,       NULL},
};
/* clang-format on */
