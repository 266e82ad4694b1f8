/* app_ftp.c — see app_ftp.h.
 *
 * Commands are read where a line starts in the client's stream; a command
 * split across two segments is not seen (the credential note is a hint for
 * the analyst, not a transcript).  proto/ftp.c is the full control-channel
 * parser (replies, data channels, transfers); wiring it in, with ftp.ndjson,
 * is the FTP analyser's next step — this one keeps today's credential note
 * exactly. */
#include "analysis/app_ftp.h"

#include "core/cursor.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest user name kept: RFC 959 sets no limit and real ones are short; a
 * hostile client must not make us keep a megabyte per connection. */
#define FTP_MAX_USER 255
/* A command verb ("USER", "PASS") and its space. */
#define FTP_VERB_LEN 4

typedef struct ftp_state {
    const an_ctx_t *ctx;
    conn_t *c;
    char *user; /* USER seen on this control connection (owned) */
    bool pass;  /* ... and PASS after it */
} ftp_state_t;

/* A command line at the start of a cursor: verb, space, argument. */
typedef struct ftp_line {
    char verb[FTP_VERB_LEN + 1];
    const uint8_t *arg;
    size_t arg_len; /* up to CR, LF or the end of the segment */
} ftp_line_t;

static bool command_line(cursor_t c, ftp_line_t *out)
{
    uint8_t sp, b;
    if (!cursor_copy(&c, out->verb, FTP_VERB_LEN) || !cursor_u8(&c, &sp) || sp != ' ')
        return false;
    out->verb[FTP_VERB_LEN] = 0;
    out->arg = c.p;
    for (out->arg_len = 0; cursor_u8(&c, &b) && b != '\r' && b != '\n';)
        out->arg_len++;
    return true;
}

static void *ftp_new(const an_ctx_t *ctx, conn_t *c)
{
    ftp_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    return s;
}

/* USER and then PASS make a credential (with or without a password). */
static void command(ftp_state_t *s, const ftp_line_t *cmd, uint64_t frame, ts_ns_t ts)
{
    if (strcasecmp(cmd->verb, "USER") == 0) {
        free(s->user);
        s->user = xstrndup((const char *)cmd->arg,
                           cmd->arg_len < FTP_MAX_USER ? cmd->arg_len : FTP_MAX_USER);
        s->pass = false;
    } else if (strcasecmp(cmd->verb, "PASS") == 0 && s->user && !s->pass) {
        s->pass = true;
        credential_t cr = {.ts = ts,
                           .proto = "ftp",
                           .username = s->user,
                           .has_password = cmd->arg_len > 0,
                           .frame = frame};
        an_conn_ident(s->c, &cr.conn);
        s->ctx->records->credential(s->ctx->records->ctx, &cr);
    }
}

static void ftp_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    if (!is_orig)
        return;
    cursor_t c = cursor_make(p, n);
    while (!cursor_empty(&c)) { /* c is at the start of a line */
        ftp_line_t cmd;
        if (command_line(c, &cmd))
            command(state, &cmd, frame, ts);
        uint8_t b;
        while (cursor_u8(&c, &b) && b != '\n')
            ;
    }
}

static void ftp_finish(void *state)
{
    ftp_state_t *s = state;
    free(s->user);
    free(s);
}

const analyser_ops_t app_ftp_ops = {ftp_new, ftp_data, NULL, NULL, ftp_finish};
