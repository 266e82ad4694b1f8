/* carve.c — see carve.h. */
#include "analysis/carve.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void carve_begin(carve_t *cv, const an_ctx_t *ctx)
{
    memset(cv, 0, sizeof *cv);
    cv->ctx = ctx;
    digest_set_init(&cv->hash, ctx->opts->hashes & HASH_MD5, ctx->opts->hashes & HASH_SHA1);
    if (ctx->opts->carve && ctx->evidence)
        cv->ev = ctx->evidence->open(ctx->evidence->ctx);
}

/* Drop the evidence: the file will not be kept. */
static void drop(carve_t *cv)
{
    if (cv->ev)
        cv->ctx->evidence->abort(cv->ev);
    cv->ev = NULL;
}

void carve_data(carve_t *cv, const uint8_t *p, size_t n, uint64_t frame, ts_ns_t ts)
{
    if (!n)
        return;
    if (!cv->first_frame) {
        cv->first_frame = frame;
        cv->first_ts = ts;
    }
    cv->last_frame = frame;
    cv->last_ts = ts;
    uint64_t max = cv->ctx->opts->max_body;
    uint64_t room = cv->kept_bytes < max ? max - cv->kept_bytes : 0;
    cv->seen += n;
    if (n > room) {
        if (!cv->truncated_reason || strcmp(cv->truncated_reason, "max_body") != 0)
            damage_note(cv->ctx->damage, "limit.file_max_body", frame);
        cv->truncated_reason = "max_body";
        n = (size_t)room;
        if (!n)
            return;
    }
    cv->kept_bytes += n;
    digest_set_update(&cv->hash, p, n);
    if (cv->nhead < FILEMAGIC_BYTES) {
        size_t k = n < FILEMAGIC_BYTES - cv->nhead ? n : FILEMAGIC_BYTES - cv->nhead;
        if (!cv->head)
            cv->head = xmalloc(FILEMAGIC_BYTES);
        memcpy(cv->head + cv->nhead, p, k);
        cv->nhead += k;
    }
    if (cv->ev && !cv->write_failed && !cv->ctx->evidence->write(cv->ev, p, n))
        cv->write_failed = true;
}

void carve_gap(carve_t *cv, uint64_t len)
{
    uint64_t at = cv->seen + cv->missing;
    if (cv->nranges && cv->ranges[cv->nranges - 1].end == at)
        cv->ranges[cv->nranges - 1].end += len;
    else if (cv->nranges < CARVE_MAX_RANGES)
        cv->ranges[cv->nranges++] = (file_range_t){at, at + len};
    cv->missing += len;
    if (!cv->truncated_reason)
        cv->truncated_reason = "gap";
}

void carve_end(carve_t *cv)
{
    digest_set_final(&cv->hash, cv->md5, cv->sha1, cv->sha256);
    filemagic_t *m = cv->nhead ? an_magic(cv->ctx, cv->first_frame) : NULL;
    if (m)
        filemagic_type(m, cv->sha256, cv->head, cv->nhead, &cv->type);
    if (cv->ev && cv->kept_bytes) {
        /* a file not whole (a gap, a cap, a resumed or partial transfer) is
         * sha256.partial: the name must not claim the whole file (as HTTP) */
        char name[80];
        snprintf(name, sizeof name, "%s%s", cv->sha256, cv->truncated_reason ? ".partial" : "");
        cv->kept = cv->ctx->evidence->commit(cv->ev, name, cv->first_frame) && !cv->write_failed;
        cv->ev = NULL;
    }
    drop(cv);
}

void carve_type_empty(carve_t *cv)
{
    if (cv->seen || cv->missing || cv->truncated_reason)
        return;
    filemagic_t *m = an_magic(cv->ctx, cv->first_frame);
    if (m)
        filemagic_type(m, cv->sha256, (const uint8_t *)"", 0, &cv->type);
}

void carve_free(carve_t *cv)
{
    drop(cv);
    digest_set_free(&cv->hash);
    free(cv->head);
    cv->head = NULL;
}

void carve_record(const carve_t *cv, file_record_t *f)
{
    f->ts = cv->first_ts;
    f->has_duration = true;
    f->duration = cv->last_ts - cv->first_ts;
    f->mime = cv->type.mime[0] ? cv->type.mime : NULL;
    f->description = cv->type.desc[0] ? cv->type.desc : NULL;
    f->seen_bytes = cv->seen;
    f->total_bytes = -1;
    f->missing_bytes = cv->missing;
    f->missing_ranges = cv->ranges;
    f->nmissing_ranges = cv->nranges;
    f->md5 = cv->md5;
    f->sha1 = cv->sha1;
    f->sha256 = cv->sha256;
    f->extracted = cv->kept;
    f->partial = cv->truncated_reason != NULL;
    f->truncated = cv->truncated_reason != NULL;
    f->truncated_reason = cv->truncated_reason;
    f->first_frame = cv->first_frame;
    f->last_frame = cv->last_frame;
}

void carve_fuid(const char *uid, uint64_t index, char out[UID_LEN])
{
    uint64_t parts[2] = {hash_fnv1a(uid, strlen(uid), 0), index};
    uint64_t h1 = hash_fnv1a(parts, sizeof parts, 0x46747021);
    zeek_id('F', h1, hash_fnv1a(&h1, 8, 0x51ed27), out);
}
