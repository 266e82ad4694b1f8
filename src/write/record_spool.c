/* record_spool.c — rows to spools, summaries to the capture; see
 * record_spool.h. */
#include "write/record_spool.h"

#include "flow/flowhash.h"
#include "model/keep.h"
#include "write/log_credentials.h"
#include "write/log_dns.h"
#include "write/log_files.h"
#include "write/log_ftp.h"
#include "write/log_smb_files.h"
#include "write/log_smtp.h"
#include "write/log_http.h"
#include "write/log_intel.h"
#include "write/log_ssl.h"

static int digits(const capture_result_t *r)
{
    return r->ts_digits ? r->ts_digits : TS_DIGITS_DEFAULT;
}

/* Spool the row in b into log k and free b. */
static void spool(capture_result_t *r, enum log_kind k, ts_ns_t ts, buf_t *b)
{
    rec_order_t ord = capture_order_next(r);
    logstore_add_ordered(&r->logs[k], ts, &ord, (const char *)b->data, b->len);
    buf_free(b);
}

/* Record rec's row, as its log's writer row_fn makes it (log_*_row: buffer,
 * record, capture name, time digits), spooled into log kind at time ts.  A
 * macro because each writer takes its own record type. */
#define SPOOL_ROW(r, kind, ts, row_fn, rec)                                                        \
    do {                                                                                           \
        buf_t row_ = BUF_INIT;                                                                     \
        row_fn(&row_, rec, (r)->name, digits(r));                                                  \
        spool(r, kind, ts, &row_);                                                                 \
    } while (0)

static void on_conn(void *ctx, const conn_rec_t *c)
{
    capture_keep_conn(ctx, c);
}

static void on_dns(void *ctx, const dns_exchange_t *x)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_DNS, x->query ? x->query_ts : x->response_ts, log_dns_row, x);
    capture_keep_dns(r, x);
}

static void on_name(void *ctx, const name_sighting_t *n)
{
    capture_keep_name(ctx, n);
}

static void on_http(void *ctx, const http_record_t *h)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_HTTP, h->ts, log_http_row, h);
}

static void on_file(void *ctx, const file_record_t *f)
{
    capture_result_t *r = ctx;
    /* An analyser's capture-wide state reports files when the capture ends
     * (FTP transfers whose connections finished first): order them by their
     * own connection's route (core/order.h), which no other worker has;
     * files come from TCP or UDP connections. */
    if (r->at.hi == ORDER_END)
        r->at.mid =
            flow_route_hash(true, &f->conn.orig, f->conn.orig_p, &f->conn.resp, f->conn.resp_p);
    SPOOL_ROW(r, LOG_FILES, f->ts, log_files_row, f);
}

static void on_credential(void *ctx, const credential_t *c)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_CREDENTIALS, c->ts, log_credentials_row, c);
    capture_keep_credential(r, c);
}

static void on_mime_mismatch(void *ctx, const mime_mismatch_t *m)
{
    capture_keep_mime_mismatch(ctx, m);
}

static void on_range_part(void *ctx, const range_part_t *p)
{
    capture_keep_range_part(ctx, p);
}

static void on_ftp(void *ctx, const ftp_record_t *f)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_FTP, f->ts, log_ftp_row, f);
}

static void on_smtp(void *ctx, const smtp_record_t *m)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_SMTP, m->ts, log_smtp_row, m);
}

static void on_smb_file(void *ctx, const smb_file_record_t *m)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_SMB_FILES, m->ts, log_smb_files_row, m);
}

static void on_ssl(void *ctx, const ssl_record_t *s)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_SSL, s->ts, log_ssl_row, s);
    capture_keep_ssl(r, s);
}

static void on_certificate(void *ctx, const cert_sighting_t *c)
{
    capture_result_t *r = ctx;
    capture_keep_certificate(r, c, digits(r));
}

static void on_intel(void *ctx, const intel_sighting_t *s)
{
    capture_result_t *r = ctx;
    SPOOL_ROW(r, LOG_INTEL, s->ts, log_intel_row, s);
    capture_keep_intel(r, s);
}

void record_spool_init(record_sink_t *sink, capture_result_t *r, const char *spool_dir)
{
    for (int i = 0; i < LOG_SPOOLED_COUNT; i++)
        logstore_init(&r->logs[i], spool_dir);
    *sink = RECORD_SINK_ON(r);
}
