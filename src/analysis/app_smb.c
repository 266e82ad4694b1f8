/* app_smb.c — see app_smb.h.
 *
 * The capture's SMB registry (an_shared_t.smb) holds one smb_sessions_t per
 * pair of hosts that talk SMB: the open files of their sessions, which SMB 3
 * multichannel spreads over several TCP connections.  Each connection
 * between the pair is made with it (smb_conn_new), and a file's state here
 * (smb_fstate_t, the file's f->user) lives from its open, on whichever
 * connection, to its close, on whichever, or to the end of the last
 * connection of its session.  Workers shard by the address pair
 * (flow/flowhash.h), with --shard K/N too, so all connections between two
 * hosts meet in one worker and its an_shared_t. */
#include "analysis/app_smb.h"

#include "analysis/carve.h"
#include "analysis/frametimes.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/xalloc.h"
#include "flow/flowhash.h"
#include "proto/fileasm.h"
#include "proto/smb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FILETIME (100 ns since 1601) of the Unix epoch. */
#define FILETIME_UNIX_EPOCH 116444736000000000ull

/* Pairs of hosts whose SMB connections are live at once (a server's
 * clients): beyond, a connection gets a table of its own (multichannel
 * files are then followed per connection), noted "limit.smb_host_pairs". */
#define SMB_MAX_PAIRS 65536
/* Hash buckets of the registry (a power of two; chains stay short up to
 * tens of thousands of live pairs). */
#define SMB_PAIR_BUCKETS 4096

typedef struct smb_pair {
    struct smb_pair *next;
    ipaddr_t lo, hi;
    smb_sessions_t *tab;
} smb_pair_t;

struct smb_registry {
    smb_pair_t *bucket[SMB_PAIR_BUCKETS];
    size_t n;
};
typedef struct smb_registry smb_registry_t;

typedef struct smb_fstate {
    char fuid[UID_LEN]; /* from the opening connection's uid and the open's key */
    conn_ident_t conn;  /* where its data first moved (else where it was opened) */
    bool moved_conn;    /* conn is where data moved */
    fileasm_t fa;
    fileasm_pieces_t pieces; /* the bytes as they came (fileasm_pieces_write) */
    /* A file that outgrows FILEASM_BUFFER_MAX goes on in a scratch file
     * (see to_scratch): its descriptor, or -1 while the pieces are in
     * memory. */
    int scratch;
    uint64_t scratch_max; /* --max-body: bytes past it are counted, not kept */
    bool scratch_failed;  /* a write to it failed: the file cannot be whole */
    bool dropped;         /* a piece was not kept in memory: never whole */
    uint64_t added;       /* bytes given, overlaps counted again */
    bool read, written, requested;
    uint64_t first_frame, last_frame;
    ts_ns_t open_ts, first_ts, last_ts;
} smb_fstate_t;

typedef struct smb_state {
    const an_ctx_t *ctx;
    conn_t *c;
    conn_ident_t id;
    smb_conn_t *sc;
    smb_sessions_t *tab; /* the pair's (registry), or NULL: the connection's own */
    frametimes_t times;
    ts_ns_t now;
    uint64_t frame; /* of the bytes being fed */
    bool claimed;
} smb_state_t;

static ts_ns_t filetime_ns(uint64_t ft)
{
    return ft > FILETIME_UNIX_EPOCH ? (ts_ns_t)((ft - FILETIME_UNIX_EPOCH) * 100) : 0;
}

static void claim(smb_state_t *s)
{
    if (!s->claimed)
        an_claim(s->ctx, s->c);
    s->claimed = true;
}

static void *on_open(void *ctx, const smb_file_t *f, uint64_t frame)
{
    smb_state_t *s = ctx;
    claim(s);
    smb_fstate_t *fs = xcalloc(1, sizeof *fs);
    carve_fuid(s->id.uid, f->key, fs->fuid);
    fs->conn = s->id;
    fs->open_ts = frametimes_get(&s->times, frame, s->now);
    fileasm_init(&fs->fa, fileasm_pieces_write, &fs->pieces);
    fs->scratch = -1;
    return fs;
}

/* Data of the file moved on this connection: the first time, its rows name
 * this connection (the action's, as Zeek's smb_files.log does). */
static void moved_here(smb_state_t *s, smb_fstate_t *fs)
{
    claim(s);
    if (!fs->moved_conn)
        fs->conn = s->id;
    fs->moved_conn = true;
}

/* Scratch files open at once on this thread (a worker): each is a
 * descriptor, so a capture naming thousands of huge files must not open a
 * descriptor for each ("limit.smb_scratch_files"). */
#define SMB_MAX_SCRATCH 256
/* What a failed write or read of one names (it has no path: O_TMPFILE). */
#define SCRATCH_NAME "a scratch file in the case's artifacts folder"
static _Thread_local unsigned scratch_open;

static void scratch_write(void *ctx, uint64_t offset, const uint8_t *p, size_t n)
{
    smb_fstate_t *fs = ctx;
    if (offset >= fs->scratch_max)
        return;
    if (n > fs->scratch_max - offset)
        n = (size_t)(fs->scratch_max - offset);
    while (n && !fs->scratch_failed) {
        ssize_t w = pwrite(fs->scratch, p, n, (off_t)offset);
        if (w <= 0) {
            fs->scratch_failed = true;
            fs_note_failure(SCRATCH_NAME, "write", errno);
        } else {
            p += w, n -= (size_t)w, offset += (uint64_t)w;
        }
    }
}

/* The piece at off + n would not be kept in memory (past
 * FILEASM_BUFFER_MAX, or past what the pieces may hold): a file this big is
 * put together in a scratch file beside the evidence instead — the pieces so
 * far written there in the order they came (the last write wins), the
 * next ones written at their offsets — and read back once whole.  Only a
 * file plausibly that big: a read inside the size the server gave at the
 * open, or 32 MiB of bytes already given (a write names its own size, and
 * one byte written 100 MiB into each of many files must not open a file
 * each). */
static void to_scratch(smb_state_t *s, const smb_file_t *f, smb_fstate_t *fs, uint64_t off,
                       size_t n, uint64_t frame, bool write)
{
    bool beyond = off + n > FILEASM_BUFFER_MAX || n > FILEASM_PIECES_MAX - fs->pieces.bytes ||
                  fs->pieces.n == FILEASM_PIECES_MAX_COUNT;
    if (fs->scratch >= 0 || !beyond || fs->dropped || fs->pieces.lost || f->open_not_seen)
        return;
    if (fs->added < FILEASM_BUFFER_MAX / 2 && (write || fs->written || off + n > f->size))
        return;
    if (scratch_open >= SMB_MAX_SCRATCH) {
        damage_note(s->ctx->damage, "limit.smb_scratch_files", frame);
        return;
    }
    const evidence_store_t *ev = s->ctx->evidence;
    int fd = ev ? ev->scratch(ev->ctx) : fs_scratch_fd(NULL);
    if (fd < 0) {
        fs_note_failure(SCRATCH_NAME, "create", errno);
        return;
    }
    fs->scratch = fd;
    fs->scratch_max = s->ctx->opts->max_body;
    scratch_open++;
    for (size_t i = 0; i < fs->pieces.n; i++)
        scratch_write(fs, fs->pieces.v[i].offset, fs->pieces.v[i].data.data,
                      fs->pieces.v[i].data.len);
    fileasm_pieces_free(&fs->pieces);
    fs->fa.write = scratch_write;
    fs->fa.ctx = fs;
}

static void piece(smb_state_t *s, const smb_file_t *f, uint64_t off, const uint8_t *p, size_t n,
                  uint64_t frame, bool write)
{
    smb_fstate_t *fs = f->user;
    if (!fs || !n)
        return;
    moved_here(s, fs);
    if (!fs->first_frame) {
        fs->first_frame = frame;
        fs->first_ts = frametimes_get(&s->times, frame, s->now);
    }
    fs->last_frame = frame;
    fs->last_ts = frametimes_get(&s->times, frame, s->now);
    to_scratch(s, f, fs, off, n, frame, write);
    bool lost = fs->pieces.lost;
    fileasm_add(&fs->fa, off, p, n);
    fs->added += n;
    if (fs->scratch < 0 && (off + n > FILEASM_BUFFER_MAX || (fs->pieces.lost && !lost))) {
        damage_note(s->ctx->damage, "limit.smb_file_buffer", frame);
        fs->dropped = true;
    }
    if (write)
        fs->written = true;
    else
        fs->read = true;
}

static void on_read_request(void *ctx, const smb_file_t *f, uint64_t off, uint64_t len,
                            uint64_t frame)
{
    smb_state_t *s = ctx;
    (void)off, (void)len;
    smb_fstate_t *fs = f->user;
    if (!fs)
        return;
    moved_here(s, fs);
    if (!fs->first_frame) {
        fs->first_frame = frame;
        fs->first_ts = frametimes_get(&s->times, frame, s->now);
    }
    if (!fs->last_frame) {
        fs->last_frame = fs->first_frame;
        fs->last_ts = fs->first_ts;
    }
    fs->requested = true;
}

static void on_read(void *ctx, const smb_file_t *f, uint64_t off, const uint8_t *p, size_t n,
                    uint64_t frame)
{
    piece(ctx, f, off, p, n, frame, false);
}

static void on_write(void *ctx, const smb_file_t *f, uint64_t off, const uint8_t *p, size_t n,
                     uint64_t frame)
{
    piece(ctx, f, off, p, n, frame, true);
}

/* Read back from a scratch file in pieces of this size. */
#define SCRATCH_CHUNK ((size_t)1 << 20)

/* The files.ndjson row of a file's bytes: carved when whole (data: its
 * bytes, or the scratch file's), else the ranges that never came. */
static void report_bytes(smb_state_t *s, const smb_file_t *f, smb_fstate_t *fs, const char *fuid,
                         bool whole, const buf_t *data)
{
    carve_t cv;
    carve_begin(&cv, s->ctx);
    file_range_t ranges[CARVE_MAX_RANGES];
    uint64_t missing = 0;
    size_t nr = 0;
    if (whole && fs->scratch >= 0) {
        uint8_t *chunk = xmalloc(SCRATCH_CHUNK);
        for (uint64_t at = 0; at < f->size;) {
            size_t want = f->size - at < SCRATCH_CHUNK ? (size_t)(f->size - at) : SCRATCH_CHUNK;
            if (at >= fs->scratch_max) { /* not kept: the carve counts it (max_body) */
                carve_data(&cv, chunk, (size_t)(f->size - at), fs->first_frame, fs->first_ts);
                break;
            }
            ssize_t r = pread(fs->scratch, chunk, want, (off_t)at);
            if (r <= 0) { /* the run fails with it: this file's row is not to be trusted */
                fs_note_failure(SCRATCH_NAME, "read", r < 0 ? errno : EIO);
                break;
            }
            carve_data(&cv, chunk, (size_t)r, fs->first_frame, fs->first_ts);
            at += (uint64_t)r;
        }
        free(chunk);
    } else if (whole) {
        carve_data(&cv, data->data, (size_t)f->size, fs->first_frame, fs->first_ts);
    } else {
        nr = fileasm_missing(&fs->fa, ranges, CARVE_MAX_RANGES, &missing);
        if (cv.ev)
            s->ctx->evidence->abort(cv.ev);
        cv.ev = NULL;
    }
    carve_end(&cv);
    file_record_t r = {0};
    carve_record(&cv, &r);
    r.conn = fs->conn;
    memcpy(r.fuid, fuid, sizeof r.fuid);
    r.ts = fs->first_ts;
    r.duration = fs->last_ts - fs->first_ts;
    r.first_frame = fs->first_frame;
    r.last_frame = fs->last_frame;
    r.source = "SMB";
    r.filename = f->name[0] ? f->name : NULL;
    r.is_orig = fs->written && !fs->read;
    r.total_bytes = f->open_not_seen ? -1 : (int64_t)f->size;
    if (!whole) {
        r.seen_bytes = fileasm_covered(&fs->fa);
        r.missing_bytes = missing;
        r.missing_ranges = ranges;
        r.nmissing_ranges = nr < CARVE_MAX_RANGES ? nr : CARVE_MAX_RANGES;
        r.md5 = r.sha1 = r.sha256 = "";
        r.truncated = true;
        r.truncated_reason = f->open_not_seen ? "open_not_seen" : "incomplete";
    }
    s->ctx->records->file(s->ctx->records->ctx, &r);
    carve_free(&cv);
}

static void on_close(void *ctx, const smb_file_t *f, uint64_t frame)
{
    smb_state_t *s = ctx;
    smb_fstate_t *fs = f->user;
    if (!fs)
        return;
    bool moved = fs->read || fs->written || fs->requested;
    /* a file whose open was not seen has no known size: what is missing is
     * counted up to the highest byte seen, and it is never whole */
    fileasm_set_size(&fs->fa, f->size && !f->open_not_seen ? f->size : fs->fa.max_end);
    buf_t data = BUF_INIT;
    bool whole = moved && !f->open_not_seen && fileasm_complete(&fs->fa) && f->size &&
                 (fs->scratch >= 0 ? !fs->scratch_failed
                                   : fileasm_pieces_assemble(&fs->pieces, f->size, &data));
    fileasm_pieces_free(&fs->pieces);
    const char *fuid = fs->fuid;
    if (moved)
        report_bytes(s, f, fs, fuid, whole, &data);
    buf_free(&data);
    uint64_t missing = 0;
    fileasm_missing(&fs->fa, NULL, 0, &missing);
    smb_file_record_t r = {.conn = fs->conn,
                           .ts = fs->open_ts,
                           .fuid = moved ? fuid : NULL,
                           .action = f->deleted                  ? "SMB::FILE_DELETE"
                                     : f->renamed_to             ? "SMB::FILE_RENAME"
                                     : fs->written               ? "SMB::FILE_WRITE"
                                     : fs->read || fs->requested ? "SMB::FILE_READ"
                                                                 : "SMB::FILE_OPEN",
                           .path = f->share,
                           .name = f->renamed_to ? f->renamed_to : f->name,
                           .prev_name = f->renamed_to ? f->name : NULL,
                           .size = f->size,
                           .modified = filetime_ns(f->times.modified),
                           .accessed = filetime_ns(f->times.accessed),
                           .created = filetime_ns(f->times.created),
                           .changed = filetime_ns(f->times.changed),
                           .seen_bytes = fileasm_covered(&fs->fa),
                           .missing_bytes = moved ? missing : 0,
                           .complete = whole,
                           .closed = frame != 0,
                           .first_frame = fs->first_frame,
                           .last_frame = frame ? frame : fs->last_frame};
    s->ctx->records->smb_file(s->ctx->records->ctx, &r);
    fileasm_free(&fs->fa);
    if (fs->scratch >= 0) {
        close(fs->scratch);
        scratch_open--;
    }
    free(fs);
}

/* An SMB1 delete or rename by path: a row of its own at the server's
 * answer, timed at the request (no open, so no size, times or bytes). */
static void on_path_action(void *ctx, const smb_path_action_t *a, uint64_t frame)
{
    smb_state_t *s = ctx;
    claim(s);
    bool rename = a->kind == SMB_PATH_RENAME;
    smb_file_record_t r = {.conn = s->id,
                           .ts = frametimes_get(&s->times, a->request_frame, s->now),
                           .action = rename ? "SMB::FILE_RENAME" : "SMB::FILE_DELETE",
                           .path = a->share,
                           .name = rename ? a->new_name : a->name,
                           .prev_name = rename ? a->name : NULL,
                           .closed = true,
                           .first_frame = a->request_frame,
                           .last_frame = frame};
    s->ctx->records->smb_file(s->ctx->records->ctx, &r);
}

static void on_credential(void *ctx, const proto_cred_t *pc)
{
    smb_state_t *s = ctx;
    uint64_t frame = pc->frame ? pc->frame : s->frame; /* held until its answer: its own frame */
    an_credential(s->ctx, s->c, "smb", pc, frametimes_get(&s->times, frame, s->now), frame);
}

static const smb_callbacks_t smb_cb = {on_open,       on_read,         on_write,      on_close,
                                       on_credential, on_read_request, on_path_action};

/* ---- the registry ---- */

/* The pair's bucket: the workers' own hash of the address pair. */
static smb_pair_t **bucket_of(smb_registry_t *r, const ipaddr_t *lo, const ipaddr_t *hi)
{
    return &r->bucket[flow_pair_hash(lo, hi) & (SMB_PAIR_BUCKETS - 1)];
}

/* The table of c's pair of hosts (made on its first connection), or NULL
 * past SMB_MAX_PAIRS. */
static smb_sessions_t *pair_table(const an_ctx_t *ctx, const conn_t *c)
{
    if (!ctx->shared->smb)
        ctx->shared->smb = xcalloc(1, sizeof *ctx->shared->smb);
    smb_registry_t *r = ctx->shared->smb;
    bool orig_first = ipaddr_cmp(&c->orig, &c->resp) <= 0;
    const ipaddr_t *lo = orig_first ? &c->orig : &c->resp;
    const ipaddr_t *hi = orig_first ? &c->resp : &c->orig;
    smb_pair_t **b = bucket_of(r, lo, hi);
    for (smb_pair_t *p = *b; p; p = p->next)
        if (ipaddr_eq(&p->lo, lo) && ipaddr_eq(&p->hi, hi))
            return p->tab;
    if (r->n == SMB_MAX_PAIRS) {
        damage_note(ctx->damage, "limit.smb_host_pairs", c->first_frame);
        return NULL;
    }
    smb_pair_t *p = xcalloc(1, sizeof *p);
    *p = (smb_pair_t){*b, *lo, *hi, smb_sessions_new()};
    *b = p;
    r->n++;
    return p->tab;
}

/* After a connection of the pair was freed: the table goes with its last. */
static void pair_release(const an_ctx_t *ctx, const conn_t *c, smb_sessions_t *tab)
{
    smb_registry_t *r = ctx->shared->smb;
    if (!tab || smb_sessions_conns(tab))
        return;
    bool orig_first = ipaddr_cmp(&c->orig, &c->resp) <= 0;
    for (smb_pair_t **pp =
             bucket_of(r, orig_first ? &c->orig : &c->resp, orig_first ? &c->resp : &c->orig);
         *pp; pp = &(*pp)->next)
        if ((*pp)->tab == tab) {
            smb_pair_t *p = *pp;
            *pp = p->next;
            smb_sessions_free(tab);
            free(p);
            r->n--;
            return;
        }
}

static void *smb_new(const an_ctx_t *ctx, conn_t *c)
{
    smb_state_t *s = xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->c = c;
    an_conn_ident(c, &s->id);
    s->tab = pair_table(ctx, c);
    s->sc = smb_conn_new(&smb_cb, s, s->tab);
    return s;
}

static void smb_data(void *state, bool is_orig, const uint8_t *p, size_t n, uint64_t frame,
                     ts_ns_t ts)
{
    smb_state_t *s = state;
    s->now = ts;
    s->frame = frame;
    frametimes_add(&s->times, frame, ts);
    smb_conn_data(s->sc, is_orig, p, n, frame);
}

static void smb_gap(void *state, bool is_orig, uint64_t len)
{
    smb_state_t *s = state;
    smb_conn_gap(s->sc, is_orig, len);
}

/* A count of the connection into the damage table, with the frames of
 * its first events, as many as it counts (the table keeps the smallest of
 * all connections'). */
static void note(smb_state_t *s, const char *reason, uint64_t count, const smb_frames_t *at)
{
    if (!count)
        return;
    damage_add(s->ctx->damage, reason, count, at->n ? at->v[0] : s->c->first_frame);
    for (unsigned i = 1; i < at->n && i < count; i++)
        damage_add(s->ctx->damage, reason, 0, at->v[i]);
}

/* What could not be followed goes to the damage table. */
static void note_stats(smb_state_t *s)
{
    const smb_stats_t *st = smb_conn_stats(s->sc);
    note(s, "incomplete.smb_encrypted", st->encrypted ? 1 : 0, &st->encrypted_at);
    note(s, "incomplete.smb_compressed", st->compressed ? 1 : 0, &st->compressed_at);
    note(s, "limit.smb_message", st->oversized ? 1 : 0, &st->oversized_at);
    note(s, "limit.smb_tables", st->dropped ? 1 : 0, &st->dropped_at);
    note(s, "incomplete.smb_open_not_seen", st->unknown_file, &st->unknown_file_at);
    note(s, "incomplete.smb_message_lost", st->lost, &st->lost_at);
    /* anomaly., not damage: a PDU our parser cannot read is not proof that
     * the capture is damaged (Zeek's smb1_transaction_request.pcap reads
     * whole in tshark; a variant we do not know looks the same to us) */
    note(s, "anomaly.smb_malformed_pdu", st->malformed, &st->malformed_at);
}

static void smb_finish(void *state)
{
    smb_state_t *s = state;
    note_stats(s);
    smb_conn_free(s->sc); /* closes the files that end with it */
    pair_release(s->ctx, s->c, s->tab);
    free(s);
}

/* Every connection was finished, and each pair's table went with its
 * last: only the registry is left. */
static void smb_capture_end(const an_ctx_t *ctx)
{
    smb_registry_t *r = ctx->shared->smb;
    if (!r)
        return;
    for (size_t i = 0; i < SMB_PAIR_BUCKETS; i++) /* none: a table goes with its last connection */
        for (smb_pair_t *p = r->bucket[i], *next; p; p = next) {
            next = p->next;
            smb_sessions_free(p->tab);
            free(p);
        }
    free(r);
    ctx->shared->smb = NULL;
}

const analyser_ops_t app_smb_ops = {smb_new,    smb_data,        smb_gap, NULL,
                                    smb_finish, smb_capture_end, NULL};

bool app_smb_detect(const an_ctx_t *ctx, const conn_t *c, bool is_orig, const uint8_t *p, size_t n)
{
    (void)is_orig;
    return smb_detect(p, n) || an_port_in(ctx->self->ports, c->resp_p);
}
