/* smb.c — SMB connection framing and the state shared by SMB1 and SMB2;
 * see smb.h. */
#include "smb.h"

#include "core/damage.h"
#include "core/xalloc.h"
#include "smb_state.h"

#include <stdlib.h>
#include <string.h>

/* NetBIOS session message type (RFC 1002 4.3.1); keepalives are 0x85. */
#define NBSS_SESSION_MESSAGE 0x00
#define NBSS_HEADER 4
#define SMB_OPEN_MIN_SLOTS 64

smb_conn_t *smb_conn_new(const smb_callbacks_t *cb, void *ctx, smb_sessions_t *shared)
{
    smb_conn_t *s = xcalloc(1, sizeof *s);
    s->cb = cb;
    s->ctx = ctx;
    s->tab = shared ? shared : smb_sessions_new();
    s->own_tab = !shared;
    s->tab->conns++;
    return s;
}

const smb_stats_t *smb_conn_stats(const smb_conn_t *s)
{
    return &s->st;
}

/* Keep the SMB_STAT_FRAMES smallest frames, sorted (messages are read in
 * the order of their first bytes per direction, not across both). */
void smb_count(uint64_t *count, smb_frames_t *at, uint64_t frame)
{
    (*count)++;
    frames_keep_smallest(at->v, &at->n, SMB_STAT_FRAMES, frame);
}

static bool smb_magic(cursor_t c)
{
    uint8_t m[4];
    if (!cursor_copy(&c, m, 4))
        return false;
    return (m[0] == 0xFF || m[0] == 0xFE || m[0] == 0xFD || m[0] == 0xFC) && m[1] == 'S' &&
           m[2] == 'M' && m[3] == 'B';
}

bool smb_detect(const uint8_t *p, size_t n)
{
    cursor_t c = cursor_make(p, n);
    uint8_t type = 0;
    return cursor_u8(&c, &type) && type == NBSS_SESSION_MESSAGE && cursor_skip(&c, 3) &&
           smb_magic(c);
}

void smb_conn_message(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    cursor_t c = cursor_make(p, n);
    uint8_t m0 = 0;
    s->frame = frame;
    s->st.messages++;
    if (smb1_raw_message(s, is_orig, c, frame))
        return;
    if (!smb_magic(c) || !cursor_peek_u8(&c, &m0)) {
        s->st.not_smb++;
        return;
    }
    if (m0 == 0xFF) {
        s->dialect = 1;
        smb1_message(s, is_orig, c, frame);
    } else if (m0 == 0xFE) {
        s->dialect = 2;
        smb2_message(s, is_orig, c, frame);
    } else if (m0 == 0xFD)
        SMB_COUNT(s, encrypted);
    else
        SMB_COUNT(s, compressed);
}

/* ---- framing ---- */

static void dir_reset(smb_dir_t *d)
{
    d->nhdr = 0;
    d->need = 0;
    buf_clear(&d->msg);
}

/* After a gap: find a NetBIOS header followed by an SMB magic in c. */
static bool resync(smb_dir_t *d, cursor_t *c)
{
    while (cursor_left(c) >= 8) {
        cursor_t k = *c;
        uint8_t type = 0;
        cursor_u8(&k, &type);
        cursor_skip(&k, 3);
        if (type == NBSS_SESSION_MESSAGE && smb_magic(k)) {
            d->lost = false;
            return true;
        }
        cursor_skip(c, 1);
    }
    cursor_skip(c, cursor_left(c)); /* keep looking in the next piece */
    return false;
}

static void framed_bytes(smb_conn_t *s, bool is_orig, cursor_t *c, uint64_t frame)
{
    smb_dir_t *d = &s->dir[is_orig ? 0 : 1];
    if (d->lost && !resync(d, c))
        return;
    if (d->skip) {
        size_t n = cursor_left(c) < d->skip ? cursor_left(c) : (size_t)d->skip;
        cursor_skip(c, n);
        d->skip -= n;
        return;
    }
    if (d->nhdr < NBSS_HEADER) {
        if (!d->nhdr)
            d->frame = frame;
        uint8_t b = 0;
        while (d->nhdr < NBSS_HEADER && cursor_u8(c, &b))
            d->hdr[d->nhdr++] = b;
        if (d->nhdr < NBSS_HEADER)
            return;
        uint32_t len = (uint32_t)d->hdr[1] << 16 | (uint32_t)d->hdr[2] << 8 | d->hdr[3];
        if (d->hdr[0] != NBSS_SESSION_MESSAGE) { /* keepalive, request, ...: skip */
            d->skip = len;
            d->nhdr = 0;
            return;
        }
        if (len > SMB_MAX_MESSAGE) {
            SMB_COUNT_AT(s, oversized, d->frame);
            d->skip = len;
            d->nhdr = 0;
            return;
        }
        d->need = len;
        buf_clear(&d->msg);
        if (!len) {
            d->nhdr = 0;
            if ((is_orig ? s->raw_write : s->raw_read).expected) /* no raw data */
                smb_conn_message(s, is_orig, (const uint8_t *)"", 0, d->frame);
            return;
        }
    }
    size_t n = cursor_left(c) < d->need ? cursor_left(c) : d->need;
    const uint8_t *p = NULL;
    cursor_bytes(c, n, &p);
    buf_append(&d->msg, p, n);
    d->need -= (uint32_t)n;
    if (d->need)
        return;
    d->nhdr = 0;
    smb_conn_message(s, is_orig, d->msg.data, d->msg.len, d->frame);
    buf_clear(&d->msg);
}

void smb_conn_data(smb_conn_t *s, bool is_orig, const uint8_t *p, size_t n, uint64_t frame)
{
    cursor_t c = cursor_make(p, n);
    while (!cursor_empty(&c))
        framed_bytes(s, is_orig, &c, frame);
}

void smb_conn_gap(smb_conn_t *s, bool is_orig, uint64_t len)
{
    smb_dir_t *d = &s->dir[is_orig ? 0 : 1];
    if (d->skip) { /* the gap falls in a message we skip anyway */
        uint64_t k = len < d->skip ? len : d->skip;
        d->skip -= k;
        len -= k;
        if (!len)
            return;
    }
    if (d->nhdr == NBSS_HEADER && d->need)
        SMB_COUNT_AT(s, lost, d->frame); /* a message with a hole */
    /* raw data may be what was lost: what follows is read as SMB again */
    (is_orig ? &s->raw_write : &s->raw_read)->expected = false;
    dir_reset(d);
    d->skip = 0;
    d->lost = true;
}

/* ---- pending requests ---- */

static void read_asked_flush(smb_conn_t *s, smb_pending_t *p);

smb_pending_t *smb_pending_add(smb_conn_t *s, uint64_t id, uint16_t command)
{
    for (size_t i = 0; i < s->npend; i++)
        if (s->pend[i].id == id) { /* a reused id: the old request got no answer */
            read_asked_flush(s, &s->pend[i]);
            smb_pending_done(&s->pend[i]);
            s->pend[i].id = id;
            s->pend[i].command = command;
            return &s->pend[i];
        }
    if (s->npend == SMB_MAX_PENDING) {
        SMB_COUNT(s, dropped);
        return NULL;
    }
    if (s->npend == s->pend_cap) { /* most connections wait on a few, not SMB_MAX_PENDING */
        s->pend_cap = s->pend_cap ? s->pend_cap * 2 : 8;
        s->pend = xreallocarray(s->pend, s->pend_cap, sizeof *s->pend);
    }
    smb_pending_t *p = &s->pend[s->npend++];
    memset(p, 0, sizeof *p);
    p->id = id;
    p->command = command;
    return p;
}

bool smb_pending_take(smb_conn_t *s, uint64_t id, uint16_t command, smb_pending_t *out)
{
    for (size_t i = 0; i < s->npend; i++)
        if (s->pend[i].id == id && s->pend[i].command == command) {
            *out = s->pend[i];
            s->pend[i] = s->pend[--s->npend];
            read_asked_flush(s, out); /* answered: before what the answer carries */
            return true;
        }
    s->st.unmatched++;
    return false;
}

void smb_pending_done(smb_pending_t *p)
{
    free(p->name);
    free(p->new_name);
    free(p->data);
    memset(p, 0, sizeof *p);
}

/* ---- sessions ---- */

smb_sessions_t *smb_sessions_new(void)
{
    return xcalloc(1, sizeof(smb_sessions_t));
}

size_t smb_sessions_conns(const smb_sessions_t *t)
{
    return t ? t->conns : 0;
}

void smb_sessions_free(smb_sessions_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->open_slots; i++)
        if (t->open[i].used)
            free(t->open[i].share), free(t->open[i].name), free(t->open[i].renamed);
    free(t->open);
    for (size_t i = 0; i < t->ntrees; i++)
        free(t->trees[i].path);
    free(t->sess);
    free(t);
}

static size_t sess_home(const smb_sessions_t *t, uint64_t id)
{
    uint64_t h = id * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 31;
    return (size_t)(h & (t->sess_slots - 1));
}

static smb_session_t *session_of(smb_sessions_t *t, uint64_t id)
{
    if (!t->sess_slots)
        return NULL;
    for (size_t i = sess_home(t, id);; i = (i + 1) & (t->sess_slots - 1)) {
        if (!t->sess[i].id)
            return NULL;
        if (t->sess[i].id == id)
            return &t->sess[i];
    }
}

/* A new session id (not in the table), carried by no connection yet. */
static smb_session_t *session_add(smb_sessions_t *t, uint64_t id)
{
    if ((t->nsess + 1) * 2 > t->sess_slots) { /* at most half full */
        smb_session_t *old = t->sess;
        size_t n = t->sess_slots;
        t->sess_slots = n ? n * 2 : 16;
        t->sess = xcalloc(t->sess_slots, sizeof *t->sess);
        for (size_t i = 0; i < n; i++)
            if (old[i].id) {
                size_t j = sess_home(t, old[i].id);
                while (t->sess[j].id)
                    j = (j + 1) & (t->sess_slots - 1);
                t->sess[j] = old[i];
            }
        free(old);
    }
    size_t i = sess_home(t, id);
    while (t->sess[i].id)
        i = (i + 1) & (t->sess_slots - 1);
    t->sess[i] = (smb_session_t){id, 0};
    t->nsess++;
    return &t->sess[i];
}

/* Remove session ss, shifting back the entries of its probe run. */
static void session_remove(smb_sessions_t *t, smb_session_t *ss)
{
    size_t mask = t->sess_slots - 1, i = (size_t)(ss - t->sess);
    t->sess[i] = (smb_session_t){0, 0};
    t->nsess--;
    for (size_t j = (i + 1) & mask; t->sess[j].id; j = (j + 1) & mask) {
        size_t home = sess_home(t, t->sess[j].id);
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (between)
            continue;
        t->sess[i] = t->sess[j];
        t->sess[j] = (smb_session_t){0, 0};
        i = j;
    }
}

void smb_session_use(smb_conn_t *s, uint64_t session)
{
    if (!session)
        return;
    for (size_t i = 0; i < s->nsessions; i++)
        if (s->sessions[i] == session)
            return;
    if (s->nsessions == SMB_MAX_CONN_SESSIONS) {
        SMB_COUNT(s, dropped);
        return;
    }
    s->sessions[s->nsessions++] = session;
    smb_session_t *ss = session_of(s->tab, session);
    if (!ss)
        ss = session_add(s->tab, session);
    ss->conns++;
}

/* ---- trees ---- */

static void session_tree_set(smb_conn_t *s, uint64_t session, uint32_t tid, const char *path)
{
    smb_sessions_t *t = s->tab;
    for (size_t i = 0; i < t->ntrees; i++)
        if (t->trees[i].session == session && t->trees[i].tid == tid) {
            free(t->trees[i].path);
            t->trees[i].path = xstrdup(path);
            return;
        }
    if (t->ntrees == SMB_MAX_TREES) {
        SMB_COUNT(s, dropped);
        return;
    }
    t->trees[t->ntrees++] = (smb_session_tree_t){session, tid, xstrdup(path)};
}

void smb_tree_set(smb_conn_t *s, uint64_t session, uint32_t tid, char *path)
{
    if (session)
        session_tree_set(s, session, tid, path);
    for (size_t i = 0; i < s->ntrees; i++)
        if (s->trees[i].tid == tid) {
            free(s->trees[i].path);
            s->trees[i].path = path;
            return;
        }
    if (s->ntrees == SMB_MAX_TREES) {
        SMB_COUNT(s, dropped);
        free(path);
        return;
    }
    s->trees[s->ntrees++] = (smb_tree_t){tid, path};
}

/* The connection's own tree first (as connected on it), else one its
 * session connected on another channel. */
const char *smb_tree_path(const smb_conn_t *s, uint64_t session, uint32_t tid)
{
    for (size_t i = 0; i < s->ntrees; i++)
        if (s->trees[i].tid == tid)
            return s->trees[i].path;
    for (size_t i = 0; session && i < s->tab->ntrees; i++)
        if (s->tab->trees[i].session == session && s->tab->trees[i].tid == tid)
            return s->tab->trees[i].path;
    return "";
}

/* ---- open files: open addressing on a hash of the file id ---- */

static size_t slot_of(const smb_sessions_t *t, const uint8_t fid[16])
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++)
        h = (h ^ fid[i]) * 1099511628211ULL;
    return (size_t)(h & (t->open_slots - 1));
}

static bool open_is(const smb_open_t *o, const smb_conn_t *s, uint64_t session,
                    const uint8_t fid[16])
{
    return o->session == session && o->owner == (session ? NULL : s) &&
           memcmp(o->fid, fid, 16) == 0;
}

smb_open_t *smb_open_find(smb_conn_t *s, uint64_t session, const uint8_t fid[16])
{
    smb_sessions_t *t = s->tab;
    if (!t->open_slots)
        return NULL;
    for (size_t i = slot_of(t, fid);; i = (i + 1) & (t->open_slots - 1)) {
        if (!t->open[i].used)
            return NULL;
        if (open_is(&t->open[i], s, session, fid))
            return &t->open[i];
    }
}

/* Put the entries of old (n slots) that are used and not ending into t's
 * slots, sized for them (file names move with them). */
static void open_rehash(smb_sessions_t *t, smb_open_t *old, size_t n, size_t slots)
{
    t->open_slots = slots;
    t->open = slots ? xcalloc(slots, sizeof *t->open) : NULL;
    for (size_t i = 0; i < n; i++)
        if (old[i].used && !old[i].ending) {
            size_t j = slot_of(t, old[i].fid);
            while (t->open[j].used)
                j = (j + 1) & (t->open_slots - 1);
            t->open[j] = old[i];
            t->open[j].f.share = t->open[j].share;
            t->open[j].f.name = t->open[j].name;
            t->open[j].f.renamed_to = t->open[j].renamed;
        }
    free(old);
}

static void open_grow(smb_sessions_t *t)
{
    open_rehash(t, t->open, t->open_slots, t->open_slots ? t->open_slots * 2 : SMB_OPEN_MIN_SLOTS);
}

/* Put a new open of fid in the table (takes name), not yet reported. */
static smb_open_t *open_insert(smb_conn_t *s, uint64_t session, const uint8_t fid[16],
                               unsigned dialect, uint32_t tree, char *name, uint64_t size,
                               const smb_times_t *t, bool is_dir, uint64_t frame)
{
    smb_sessions_t *tab = s->tab;
    smb_open_t *o = smb_open_find(s, session, fid);
    if (o) /* the id was reused without a close we saw */
        smb_open_close(s, session, fid, frame);
    if (tab->nopen >= SMB_MAX_OPEN) {
        SMB_COUNT(s, dropped);
        free(name);
        return NULL;
    }
    if ((tab->nopen + 1) * 2 > tab->open_slots)
        open_grow(tab);
    size_t j = slot_of(tab, fid);
    while (tab->open[j].used)
        j = (j + 1) & (tab->open_slots - 1);
    o = &tab->open[j];
    memset(o, 0, sizeof *o);
    o->used = true;
    memcpy(o->fid, fid, 16);
    o->owner = session ? NULL : s;
    o->session = session;
    o->tree = tree;
    o->share = xstrdup(smb_tree_path(s, session, tree));
    o->name = name ? name : xstrdup("");
    o->f = (smb_file_t){.key = ++s->next_key,
                        .dialect = dialect,
                        .share = o->share,
                        .name = o->name,
                        .size = size,
                        .times = *t,
                        .is_dir = is_dir};
    const char *share = o->share;
    size_t sl = strlen(share);
    o->f.is_pipe = sl >= 5 && strcmp(share + sl - 5, "\\IPC$") == 0;
    tab->nopen++;
    return o;
}

static void open_report(smb_conn_t *s, smb_open_t *o, uint64_t frame)
{
    if (!o)
        return;
    if (s->cb->open)
        o->f.user = s->cb->open(s->ctx, &o->f, frame);
    /* reads of its file id asked before its open's answer came (held back
     * in the other direction), not answered yet */
    for (size_t i = 0; i < s->npend; i++) {
        smb_pending_t *p = &s->pend[i];
        if (!p->read_unknown || p->session != o->session || memcmp(p->fid, o->fid, 16) != 0)
            continue;
        p->read_unknown = false;
        if (s->cb->read_request)
            s->cb->read_request(s->ctx, &o->f, p->offset, p->length, p->frame);
    }
}

smb_open_t *smb_open_add(smb_conn_t *s, uint64_t session, const uint8_t fid[16], unsigned dialect,
                         uint32_t tree, char *name, uint64_t size, const smb_times_t *t,
                         bool is_dir, uint64_t frame)
{
    smb_open_t *o = open_insert(s, session, fid, dialect, tree, name, size, t, is_dir, frame);
    open_report(s, o, frame);
    return o;
}

/* Remove slot i, shifting back the entries of its probe run. */
static void open_remove(smb_sessions_t *t, size_t i)
{
    free(t->open[i].share), free(t->open[i].name), free(t->open[i].renamed);
    memset(&t->open[i], 0, sizeof t->open[i]);
    t->nopen--;
    size_t mask = t->open_slots - 1;
    for (size_t j = (i + 1) & mask; t->open[j].used; j = (j + 1) & mask) {
        size_t home = slot_of(t, t->open[j].fid);
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (between)
            continue;
        t->open[i] = t->open[j];
        t->open[i].f.share = t->open[i].share;
        t->open[i].f.name = t->open[i].name;
        t->open[i].f.renamed_to = t->open[i].renamed;
        memset(&t->open[j], 0, sizeof t->open[j]);
        i = j;
    }
}

void smb_open_close(smb_conn_t *s, uint64_t session, const uint8_t fid[16], uint64_t frame)
{
    smb_open_t *o = smb_open_find(s, session, fid);
    if (!o)
        return;
    if (s->cb->close)
        s->cb->close(s->ctx, &o->f, frame);
    open_remove(s->tab, (size_t)(o - s->tab->open));
}

void smb_open_set_info(smb_open_t *o, smb_pending_t *p)
{
    if (p->info_class == SMB_INFO_DISPOSITION) {
        o->f.deleted = p->delete_pending;
    } else if (p->info_class == SMB_INFO_RENAME && p->name) {
        free(o->renamed);
        o->renamed = p->name, p->name = NULL;
        o->f.renamed_to = o->renamed;
    }
}

/* The open of a file id that n bytes were read from or written to, or
 * asked of: the one seen, else (its CREATE is not in the capture) one
 * opened here, with no name, size or times. */
static smb_open_t *open_of_data(smb_conn_t *s, uint64_t session, uint32_t tree,
                                const uint8_t fid[16], size_t n, uint64_t frame)
{
    smb_open_t *o = smb_open_find(s, session, fid);
    if (o || !n)
        return o;
    smb_times_t none = {0};
    o = open_insert(s, session, fid, s->dialect, tree, NULL, 0, &none, false, frame);
    if (!o)
        return NULL;
    o->f.open_not_seen = true;
    SMB_COUNT_AT(s, unknown_file, frame);
    open_report(s, o, frame);
    return o;
}

/* The read p asked (at its frame) of a file id whose open was not seen
 * when it was asked. */
static void read_asked_flush(smb_conn_t *s, smb_pending_t *p)
{
    if (!p->read_unknown)
        return;
    p->read_unknown = false;
    smb_open_t *o = open_of_data(s, p->session, p->tree, p->fid, 1, p->frame);
    if (o && s->cb->read_request)
        s->cb->read_request(s->ctx, &o->f, p->offset, p->length, p->frame);
}

void smb_file_read_request(smb_conn_t *s, smb_pending_t *p, uint64_t session, uint32_t tree,
                           const uint8_t fid[16], uint64_t off, uint32_t len, uint64_t frame)
{
    if (!len)
        return;
    smb_open_t *o = smb_open_find(s, session, fid);
    if (o) {
        if (s->cb->read_request)
            s->cb->read_request(s->ctx, &o->f, off, len, frame);
        return;
    }
    /* the open may still come (its answer held back in the other
     * direction): the file is opened here once the read's answer came, or
     * when it never will */
    smb_pending_t q = {0};
    smb_pending_t *r = p ? p : &q;
    memcpy(r->fid, fid, 16);
    r->session = session;
    r->tree = tree;
    r->offset = off;
    r->length = len;
    r->frame = frame;
    r->read_unknown = true;
    if (!p)
        read_asked_flush(s, &q);
}

void smb_file_read(smb_conn_t *s, uint64_t session, uint32_t tree, const uint8_t fid[16],
                   uint64_t off, cursor_t data, uint64_t frame)
{
    smb_open_t *o = open_of_data(s, session, tree, fid, cursor_left(&data), frame);
    if (o && cursor_left(&data) && s->cb->read)
        s->cb->read(s->ctx, &o->f, off, data.p, cursor_left(&data), frame);
}

void smb_file_write(smb_conn_t *s, uint64_t session, uint32_t tree, const uint8_t fid[16],
                    uint64_t off, cursor_t data, uint64_t frame)
{
    smb_open_t *o = open_of_data(s, session, tree, fid, cursor_left(&data), frame);
    if (!o)
        return;
    uint64_t end = off + cursor_left(&data);
    if (end > o->f.size)
        o->f.size = end;
    if (cursor_left(&data) && s->cb->write)
        s->cb->write(s->ctx, &o->f, off, data.p, cursor_left(&data), frame);
}

/* ---- logins ---- */

/* A login is held until the server answers its SESSION_SETUP (its
 * status is the verdict), and reported with the frame that carried it. */
static void report_ntlm(smb_conn_t *s, ntlm_auth_t *a, const uint8_t challenge[8])
{
    const char *mech = NULL;
    char *line = ntlm_hashcat(a, challenge, &mech);
    if (line) {
        cred_release(&s->login, s->cb->credential, s->ctx, CRED_UNKNOWN); /* one never answered */
        cred_hold_ntlm(&s->login, mech, a->user, a->domain, a->host, line);
        s->login.frame = s->frame;
    }
    free(line);
}

void smb_login_answer(smb_conn_t *s, uint32_t status)
{
    if (status != STATUS_MORE_PROCESSING)
        cred_release(&s->login, s->cb->credential, s->ctx,
                     status == STATUS_SUCCESS ? CRED_ACCEPTED : CRED_REJECTED);
}

void smb_security_blob(smb_conn_t *s, bool is_orig, cursor_t blob)
{
    long at = ntlmssp_find(blob.p, cursor_left(&blob));
    if (at < 0)
        return;
    cursor_skip(&blob, (size_t)at);
    const uint8_t *p = blob.p;
    size_t n = cursor_left(&blob);
    unsigned type = ntlmssp_type(p, n);
    if (type == NTLMSSP_CHALLENGE && !is_orig) {
        ntlm_challenge_free(&s->chal);
        s->has_chal = ntlmssp_parse_challenge(p, n, &s->chal);
    } else if (type == NTLMSSP_AUTHENTICATE && is_orig) {
        ntlm_auth_t a;
        if (ntlmssp_parse_auth(p, n, &a) && s->has_chal)
            report_ntlm(s, &a, s->chal.server_challenge);
        ntlm_auth_free(&a);
    }
}

void smb_ntlm_login(smb_conn_t *s, ntlm_auth_t *a)
{
    if (s->has_smb1_challenge)
        report_ntlm(s, a, s->smb1_challenge);
}

/* Does the connection end file o: its own, or of a session no other live
 * connection carries (all of them when it is the table's last)? */
static bool ends_with(const smb_conn_t *s, const smb_open_t *o)
{
    if (s->tab->conns == 1 || o->owner == s)
        return true;
    if (o->owner)
        return false;
    for (size_t i = 0; i < s->nsessions; i++)
        if (s->sessions[i] == o->session) {
            smb_session_t *ss = session_of(s->tab, o->session);
            return ss && ss->conns == 1;
        }
    return false;
}

/* The connection no longer carries its sessions: those it was the last of
 * are forgotten, with their trees. */
static void sessions_release(smb_conn_t *s)
{
    smb_sessions_t *t = s->tab;
    for (size_t i = 0; i < s->nsessions; i++) {
        smb_session_t *ss = session_of(t, s->sessions[i]);
        if (ss && --ss->conns == 0) {
            for (size_t k = t->ntrees; k > 0; k--)
                if (t->trees[k - 1].session == ss->id) {
                    free(t->trees[k - 1].path);
                    t->trees[k - 1] = t->trees[--t->ntrees];
                }
            session_remove(t, ss);
        }
    }
}

void smb_conn_free(smb_conn_t *s)
{
    if (!s)
        return;
    smb_sessions_t *t = s->tab;
    cred_release(&s->login, s->cb->credential, s->ctx, CRED_UNKNOWN); /* never answered */
    for (size_t i = 0; i < s->npend; i++)                             /* reads never answered */
        read_asked_flush(s, &s->pend[i]);
    size_t ended = 0;
    for (size_t i = 0; i < t->open_slots; i++)
        if (t->open[i].used && ends_with(s, &t->open[i])) {
            if (s->cb->close)
                s->cb->close(s->ctx, &t->open[i].f, 0);
            free(t->open[i].share), free(t->open[i].name), free(t->open[i].renamed);
            t->open[i].ending = true;
            ended++;
        }
    t->nopen -= ended;
    if (ended) /* the survivors, in slots sized for them */
        open_rehash(t, t->open, t->open_slots, t->nopen ? t->open_slots : 0);
    sessions_release(s);
    if (--t->conns == 0 && s->own_tab)
        smb_sessions_free(t);
    for (size_t i = 0; i < s->npend; i++)
        smb_pending_done(&s->pend[i]);
    free(s->pend);
    for (size_t i = 0; i < s->ntrees; i++)
        free(s->trees[i].path);
    ntlm_challenge_free(&s->chal);
    buf_free(&s->dir[0].msg), buf_free(&s->dir[1].msg);
    free(s);
}
