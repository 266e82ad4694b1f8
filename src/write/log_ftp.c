/* log_ftp.c — see log_ftp.h. */
#include "write/log_ftp.h"

#include "core/jsonw.h"
#include "core/logfmt.h"
#include "write/log_row.h"

const log_column_t log_ftp_columns[] = {
    LOG_CONN_COLUMNS,
    {"user", LOG_STRING, LOG_IN_SHEET},
    {"password", LOG_STRING, 0},
    {"command", LOG_STRING, LOG_IN_SHEET},
    {"arg", LOG_STRING, LOG_IN_SHEET},
    {"mime_type", LOG_STRING, LOG_IN_SHEET},
    {"file_size", LOG_COUNT, LOG_IN_SHEET},
    {"reply_code", LOG_COUNT, LOG_IN_SHEET},
    {"reply_msg", LOG_STRING, LOG_IN_SHEET},
    {"data_channel.passive", LOG_BOOL, LOG_IN_SHEET},
    {"data_channel.orig_h", LOG_ADDR, LOG_IN_SHEET},
    {"data_channel.resp_h", LOG_ADDR, LOG_IN_SHEET},
    {"data_channel.resp_p", LOG_PORT, LOG_IN_SHEET},
    {"fuid", LOG_STRING, LOG_IN_SHEET},
    {"decrypted", LOG_BOOL, LOG_IN_SHEET},
    {"pcap", LOG_STRING, LOG_IN_SHEET},
    {"command_frame", LOG_COUNT, 0},
    {"reply_frame", LOG_COUNT, 0},
    {NULL, 0, 0},
};

void log_ftp_row(buf_t *out, const ftp_record_t *f, const char *pcap, int ts_digits)
{
    jsonw_t w;
    log_row_begin(&w, out, f->ts, ts_digits, &f->conn);
    log_kv_text(&w, "user", f->user);
    log_kv_text(&w, "password", f->password);
    log_kv_text(&w, "command", f->command);
    log_kv_text(&w, "arg", f->arg);
    log_kv_text(&w, "mime_type", f->mime_type);
    if (f->file_size >= 0)
        jw_kv_int(&w, "file_size", f->file_size);
    if (f->reply_code)
        jw_kv_uint(&w, "reply_code", f->reply_code);
    log_kv_text(&w, "reply_msg", f->reply_msg);
    if (f->has_data_channel) {
        jw_kv_bool(&w, "data_channel.passive", f->passive);
        lf_addr(&w, "data_channel.orig_h", &f->dc_orig);
        lf_addr(&w, "data_channel.resp_h", &f->dc_resp);
        jw_kv_uint(&w, "data_channel.resp_p", f->dc_resp_p);
    }
    log_kv_text(&w, "fuid", f->fuid);
    if (f->decrypted) /* only there when true: rows of plain traffic are unchanged */
        jw_kv_bool(&w, "decrypted", true);
    jw_kv_str(&w, "pcap", pcap);
    if (f->cmd_frame)
        jw_kv_uint(&w, "command_frame", f->cmd_frame);
    if (f->reply_frame)
        jw_kv_uint(&w, "reply_frame", f->reply_frame);
    jw_obj_end(&w);
}
