/* model.c — small helpers for the case model; see model.h. */
#include "model.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"OTH", "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO",
                                          "RSTR", "RSTOS0", "RSTRH", "SH", "SHR"};

uint8_t conn_state_index(const char *name)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (strcmp(state_names[i], name) == 0)
            return (uint8_t)i;
    return 0;
}

const char *conn_rec_state(const conn_rec_t *c)
{
    return c->state_idx < sizeof state_names / sizeof state_names[0] ? state_names[c->state_idx]
                                                                      : "OTH";
}

conn_rec_t *capture_conn_add(capture_result_t *r)
{
    if (r->nconns == r->nblocks * CONN_BLOCK) {
        r->conn_blocks = xreallocarray(r->conn_blocks, r->nblocks + 1, sizeof *r->conn_blocks);
        r->conn_blocks[r->nblocks++] = xmalloc(CONN_BLOCK * sizeof(conn_rec_t));
    }
    conn_rec_t *c = capture_conn(r, r->nconns++);
    memset(c, 0, sizeof *c);
    return c;
}

void capture_result_free(capture_result_t *r)
{
    free(r->path);
    free(r->name);
    damage_free(&r->damage);
    for (size_t i = 0; i < r->nconns; i++)
        free(capture_conn(r, i)->name_hint);
    for (size_t b = 0; b < r->nblocks; b++)
        free(r->conn_blocks[b]);
    free(r->conn_blocks);
    for (int i = 0; i < LOG_SPOOLED_COUNT; i++)
        logstore_free(&r->logs[i]);
    free(r->rates);
    for (size_t i = 0; i < r->npdns; i++)
        free(r->pdns[i].name);
    free(r->pdns);
    memset(r, 0, sizeof *r);
}
