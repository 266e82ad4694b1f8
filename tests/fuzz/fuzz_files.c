/* fuzz_files.c — the parsers of files beyond HTTP on arbitrary bytes: FTP,
 * SMTP, POP3, IMAP sessions (the input split into client and server turns),
 * the Internet message/MIME parser, SMB streams and single messages,
 * NTLMSSP, Kerberos AS-REQs, TFTP datagrams and block numbering, the transfer decoders,
 * header parameters, form-post logins, and the file assembler.  The first byte picks the
 * parser; for sessions the second byte sets how turns are cut. */
#include "core/buf.h"
#include "proto/fileasm.h"
#include "proto/formcreds.h"
#include "proto/ftp.h"
#include "proto/imap.h"
#include "proto/imap_body.h"
#include "proto/imf.h"
#include "proto/imf_field.h"
#include "proto/krb5.h"
#include "proto/ntlmssp.h"
#include "proto/pop3.h"
#include "proto/smb.h"
#include "proto/smtp.h"
#include "proto/tftp.h"
#include "proto/transfer_decode.h"

#include <stdlib.h>
#include <string.h>

static void sink(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
}
static void cred(void *ctx, const proto_cred_t *c)
{
    (void)ctx, (void)c;
}
static void tls(void *ctx)
{
    (void)ctx;
}
static void m_data(void *c, const uint8_t *p, size_t n, uint64_t f)
{
    (void)c, (void)p, (void)n, (void)f;
}
static void m_gap(void *c, uint64_t l)
{
    (void)c, (void)l;
}
static void m_end(void *c, bool complete)
{
    (void)c, (void)complete;
}
static void n_begin(void *c, unsigned no, bool partial)
{
    (void)c, (void)no, (void)partial;
}
static void s_begin(void *c, const smtp_txn_t *t)
{
    (void)c, (void)t;
}
static void s_txn(void *c, const smtp_txn_t *t)
{
    (void)c, (void)t;
}
static void f_txn(void *c, const ftp_txn_t *t)
{
    (void)c, (void)t;
}
static void f_expect(void *c, const ftp_data_channel_t *d)
{
    (void)c, (void)d;
}
static void f_transfer(void *c, const char *cmd, const char *arg, int64_t size)
{
    (void)c, (void)cmd, (void)arg, (void)size;
}
static void *b_open(void *c, const smb_file_t *f, uint64_t fr)
{
    (void)c, (void)f, (void)fr;
    return NULL;
}
static void b_close(void *c, const smb_file_t *f, uint64_t fr)
{
    (void)c, (void)f, (void)fr;
}
static void b_data(void *c, const smb_file_t *f, uint64_t off, const uint8_t *p, size_t n,
                   uint64_t fr)
{
    (void)c, (void)f, (void)off, (void)p, (void)n, (void)fr;
}
static void i_part_data(void *c, const imf_part_t *p, const uint8_t *d, size_t n)
{
    (void)c, (void)p, (void)d, (void)n;
}

static const ftp_callbacks_t ftp_cb = {f_txn, f_expect, f_transfer, cred, tls};
static void m_wire(void *c, const uint8_t *p, size_t n)
{
    (void)c, (void)p, (void)n;
}
static const smtp_callbacks_t smtp_cb = {s_begin, m_data, m_gap, m_end, s_txn, cred, tls, m_wire};
static void n_section(void *c, unsigned no, const char *item, bool partial)
{
    (void)c, (void)no, (void)partial;
    (void)strlen(item); /* NUL-terminated, whatever the server wrote */
}
static void n_part(void *c, const imap_part_t *p)
{
    (void)c, (void)strlen(p->section), (void)strlen(p->filename);
}
static void n_structure(void *c, unsigned no, const uint8_t *p, size_t n)
{
    (void)no;
    imap_bodystructure(p, n, n_part, c);
}
static const mailbox_callbacks_t mailbox_cb = {n_begin, m_data,    m_gap,       m_end, cred,
                                               tls,     n_section, n_structure, m_wire};
/* Reads every byte of the names a path action gives. */
static void b_path(void *c, const smb_path_action_t *a, uint64_t fr)
{
    (void)c, (void)fr, (void)strlen(a->share), (void)strlen(a->name);
    if (a->new_name)
        (void)strlen(a->new_name);
}
static const smb_callbacks_t smb_cb = {b_open, b_data, b_data, b_close, cred, NULL, b_path};
static const imf_callbacks_t imf_cb = {NULL, NULL, i_part_data, NULL};

typedef void (*feed_fn)(void *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame);
typedef void (*gap_fn)(void *s, bool is_orig, uint64_t len);

/* Turns of `step` bytes alternate client and server; a byte 0xFE in the
 * input marks a 100-byte gap instead. */
static void session(void *s, feed_fn feed, gap_fn gap, const uint8_t *p, size_t n, size_t step)
{
    bool client = true;
    for (size_t i = 0; i < n; i += step, client = !client) {
        size_t k = n - i < step ? n - i : step;
        if (p[i] == 0xFE && gap)
            gap(s, client, 100);
        else
            feed(s, client, p + i, k, i);
    }
}

static void imf(const uint8_t *p, size_t n, size_t step)
{
    imf_t *m = imf_new(&imf_cb, NULL);
    for (size_t i = 0; i < n; i += step)
        imf_feed(m, p + i, n - i < step ? n - i : step);
    imf_free(m);
}

static void ntlm(const uint8_t *p, size_t n)
{
    ntlm_challenge_t c;
    ntlm_auth_t a;
    if (ntlmssp_parse_challenge(p, n, &c))
        ntlm_challenge_free(&c);
    if (ntlmssp_parse_auth(p, n, &a)) {
        const char *mech;
        uint8_t chal[8] = {0};
        free(ntlm_hashcat(&a, chal, &mech));
        ntlm_auth_free(&a);
    }
    (void)ntlmssp_find(p, n);
    char *hdr = malloc(n + 1);
    memcpy(hdr, p, n);
    hdr[n] = 0;
    uint8_t tok[512];
    (void)ntlmssp_http_token(hdr, tok, sizeof tok);
    free(hdr);
    krb5_preauth_t k;
    if (krb5_parse_as_req(p, n, &k)) {
        free(krb5_hashcat(&k));
        krb5_preauth_free(&k);
    }
    int32_t code;
    (void)krb5_parse_answer(p, n, &code);
}

static void tftp(const uint8_t *p, size_t n)
{
    tftp_packet_t t;
    if (tftp_parse(p, n, &t))
        tftp_packet_free(&t);
    tftp_transfer_t x;
    tftp_transfer_init(&x, 8);
    for (size_t i = 0; i + 2 < n; i += 3) {
        uint64_t off;
        uint16_t b = (uint16_t)(p[i] << 8 | p[i + 1]);
        int32_t d = tftp_transfer_distance(&x, b);
        if (d < -0x8000 || d > 0x7FFF)
            __builtin_trap(); /* a distance is within half the block numbers */
        tftp_transfer_block(&x, b, p[i + 2] % 9, &off);
    }
}

static void decoders(const uint8_t *p, size_t n)
{
    for (int c = 0; c < 3; c++) {
        transfer_decoder_t d;
        transfer_decoder_init(&d, (transfer_coding_t)c, sink, NULL);
        transfer_decoder_feed(&d, p, n / 2);
        transfer_decoder_feed(&d, p + n / 2, n - n / 2);
        transfer_decoder_finish(&d);
    }
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    free(imf_param(s, "filename"));
    free(imf_media_type(s));
    free(imf_decode_words(s, strlen(s)));
    free(s);
    char *u, *pw, *f;
    if (formcreds_find(p, n, &u, &pw, &f))
        free(u), free(pw), free(f);
}

static void assemble(const uint8_t *p, size_t n)
{
    buf_t b = BUF_INIT;
    fileasm_t f;
    fileasm_init(&f, fileasm_buffer_write, &b);
    for (size_t i = 0; i + 3 < n; i += 4)
        fileasm_add(&f, (uint64_t)p[i] << 8 | p[i + 1], p + i,
                    p[i + 2] % 64 < n - i ? p[i + 2] % 64 : n - i);
    fileasm_set_size(&f, f.max_end);
    file_range_t r[4];
    uint64_t missing;
    fileasm_missing(&f, r, 4, &missing);
    (void)fileasm_complete(&f);
    fileasm_free(&f);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const uint8_t *p = data + 2;
    size_t n = size - 2, step = 1 + data[1] % 97;
    void *s;
    switch (data[0] % 11) {
    case 0:
        s = ftp_conn_new(&ftp_cb, NULL);
        session(s, (feed_fn)ftp_conn_data, (gap_fn)ftp_conn_gap, p, n, step);
        ftp_conn_free(s);
        break;
    case 1:
        s = smtp_session_new(&smtp_cb, NULL);
        if (data[1] & 0x80) /* the decrypted rest of a STARTTLS session */
            smtp_session_resume_in_tls(s);
        session(s, (feed_fn)smtp_session_data, (gap_fn)smtp_session_gap, p, n, step);
        smtp_session_free(s);
        break;
    case 2:
        s = pop3_session_new(&mailbox_cb, NULL);
        if (data[1] & 0x80) /* the decrypted rest after STLS */
            pop3_session_resume_in_tls(s, data[1] & 0x40 ? "<1.2@lab>" : NULL);
        session(s, (feed_fn)pop3_session_data, (gap_fn)pop3_session_gap, p, n, step);
        pop3_session_free(s);
        break;
    case 3:
        s = imap_session_new(&mailbox_cb, NULL);
        session(s, (feed_fn)imap_session_data, (gap_fn)imap_session_gap, p, n, step);
        imap_session_free(s);
        break;
    case 4:
        s = smb_conn_new(&smb_cb, NULL, NULL);
        session(s, (feed_fn)smb_conn_data, (gap_fn)smb_conn_gap, p, n, step * 16);
        smb_conn_free(s);
        break;
    case 5: { /* one SMB message from each side, on two connections of one
               * session table (SMB 3 multichannel) */
        smb_sessions_t *t = smb_sessions_new();
        smb_conn_t *a = smb_conn_new(&smb_cb, NULL, t), *b = smb_conn_new(&smb_cb, NULL, t);
        smb_conn_message(a, true, p, n, 1);
        smb_conn_message(b, false, p, n, 2);
        smb_conn_message(b, true, p, n, 3);
        smb_conn_message(a, false, p, n, 4);
        smb_conn_free(a);
        smb_conn_free(b);
        smb_sessions_free(t);
        break;
    }
    case 6:
        imf(p, n, step);
        break;
    case 7:
        ntlm(p, n);
        break;
    case 8:
        tftp(p, n);
        break;
    case 9:
        decoders(p, n);
        break;
    default:
        assemble(p, n);
        break;
    }
    return 0;
}
