/* log_ssl.c — see log_ssl.h. */
#include "write/log_ssl.h"

#include "core/jsonw.h"
#include "write/log_row.h"

#include <stdio.h>

const log_column_t log_ssl_columns[] = {
    LOG_CONN_COLUMNS,
    {"version", LOG_STRING, LOG_IN_SHEET},
    {"cipher", LOG_STRING, LOG_IN_SHEET},
    {"server_name", LOG_STRING, LOG_IN_SHEET},
    {"next_protocol", LOG_STRING, LOG_IN_SHEET},
    {"established", LOG_BOOL, LOG_IN_SHEET},
    {"cert_chain_fps", LOG_LIST, LOG_IN_SHEET},
    {"client_cert_chain_fps", LOG_LIST, 0},
    {"ja3", LOG_STRING, LOG_IN_SHEET},
    {"ja4", LOG_STRING, LOG_IN_SHEET},
    {"ja3s", LOG_STRING, LOG_IN_SHEET},
    {"client_alpn", LOG_STRING, 0},
    {"certificates", LOG_STRING, 0},
    {"decryption", LOG_STRING, LOG_IN_SHEET},
    {"decrypted_records", LOG_COUNT, 0},
    {"rejected_records", LOG_COUNT, 0},
    {"decrypted_protocol", LOG_STRING, 0},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"frame", LOG_COUNT, LOG_IN_SHEET},
    {"damaged", LOG_STRING, 0},
    {NULL, 0, 0},
};

/* The fingerprints of a chain's certificates that parsed. */
static void fps(jsonw_t *w, const char *key, const char *const *fp, size_t n)
{
    jw_key(w, key);
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        if (fp[i])
            jw_str(w, fp[i]);
    jw_arr_end(w);
}

/* version, cipher, server_name, next_protocol: what the hellos chose. */
static void negotiated(jsonw_t *w, const tls_info_t *in)
{
    uint16_t ver = in->server_hello ? in->server_version : in->client_version;
    char vbuf[24];
    if (in->server_hello || in->client_hello)
        jw_kv_str(w, "version", tls_version_name(ver, vbuf));
    if (in->server_hello) {
        const char *cn = tls_cipher_name(in->cipher);
        char hex[16];
        snprintf(hex, sizeof hex, "0x%04x", in->cipher);
        jw_kv_str(w, "cipher", cn ? cn : hex);
    }
    if (in->sni)
        jw_kv_str(w, "server_name", in->sni);
    if (in->alpn_chosen)
        jw_kv_str(w, "next_protocol", in->alpn_chosen);
}

/* What decrypting with the key log gave (nothing without a key log). */
static void decryption(jsonw_t *w, const ssl_record_t *s)
{
    static const char *const outcome[] = {
        [SSL_DECRYPT_DONE] = "decrypted",
        [SSL_DECRYPT_NO_KEY] = "no_key",
        [SSL_DECRYPT_FAILED] = "not_authenticated",
        [SSL_DECRYPT_UNSUPPORTED] = "unsupported",
        [SSL_DECRYPT_NO_SERVER_HELLO] = "no_server_hello",
    };
    if (s->decryption == SSL_DECRYPT_NOT_TRIED)
        return;
    jw_kv_str(w, "decryption", outcome[s->decryption]);
    if (s->records_decrypted)
        jw_kv_uint(w, "decrypted_records", s->records_decrypted);
    if (s->records_rejected)
        jw_kv_uint(w, "rejected_records", s->records_rejected);
    if (s->inner)
        jw_kv_str(w, "decrypted_protocol", s->inner);
}

void log_ssl_row(buf_t *out, const ssl_record_t *s, const char *pcap, int ts_digits)
{
    const tls_info_t *in = s->tls;
    jsonw_t w;
    log_row_begin(&w, out, s->ts, ts_digits, &s->conn);
    negotiated(&w, in);
    jw_kv_bool(&w, "established", in->established);
    fps(&w, "cert_chain_fps", s->chain_fps, in->nchain);
    if (in->nclient_chain)
        fps(&w, "client_cert_chain_fps", s->client_chain_fps, in->nclient_chain);
    if (in->client_hello) {
        jw_kv_str(&w, "ja3", in->ja3);
        jw_kv_str(&w, "ja4", in->ja4);
    }
    if (in->server_hello)
        jw_kv_str(&w, "ja3s", in->ja3s);
    if (in->alpn_offered)
        jw_kv_str(&w, "client_alpn", in->alpn_offered);
    if (in->tls13)
        jw_kv_str(&w, "certificates",
                  in->decrypted_hs ? "decrypted (TLS 1.3)" : "encrypted (TLS 1.3)");
    decryption(&w, s);
    jw_kv_str(&w, "pcap", pcap);
    jw_kv_uint(&w, "frame", s->frame);
    if (in->damaged)
        jw_kv_str(&w, "damaged", in->damaged);
    jw_obj_end(&w);
}
