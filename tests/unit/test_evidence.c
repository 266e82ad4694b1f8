/* test_evidence.c — the case folder's evidence store (write/evidence.c):
 * bodies kept in memory or spilled, objects already there not rewritten,
 * failures noted in the damage table with their frame, and the files the
 * store created noted for the manifest (write/written.h). */
#include "core/damage.h"
#include "core/fsutil.h"
#include "cu_main.h"
#include "write/evidence.h"
#include "write/written.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pcapcase-test-evidence-XXXXXX";

static void fresh_case(bool with_folders)
{
    static bool made;
    if (!made)
        made = mkdtemp(dir) != NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/artifacts '%s'/certs", dir, dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    if (with_folders) {
        char p[512];
        snprintf(p, sizeof p, "%s/artifacts", dir);
        CU_ASSERT_EQUAL(mkdir_p(p, 0755), 0);
        snprintf(p, sizeof p, "%s/certs", dir);
        CU_ASSERT_EQUAL(mkdir_p(p, 0755), 0);
    }
}

/* The file's size, or -1 when it is not there; its first byte in *first. */
static long file_size(const char *sub, const char *name, int *first)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *first = fgetc(f);
    fclose(f);
    return n;
}

/* Did the store note dir/sub/name as created by this run? */
static bool created(const char *sub, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s/%s", dir, sub, name);
    return written_created(p);
}

/* Write n bytes of value v in chunks of 64 KiB. */
static bool write_body(evidence_store_t *es, evidence_file_t *f, size_t n, uint8_t v)
{
    static uint8_t chunk[1 << 16];
    memset(chunk, v, sizeof chunk);
    bool ok = true;
    for (size_t done = 0; done < n; done += sizeof chunk)
        ok &= es->write(f, chunk, n - done < sizeof chunk ? n - done : sizeof chunk);
    return ok;
}

static void small_and_large_bodies_land_under_their_names(void)
{
    fresh_case(true);
    damage_t dmg = {0};
    evidence_store_t es;
    evidence_dir_t d;
    evidence_store_init(&es, &d, dir, &dmg);
    evidence_file_t *f = es.open(es.ctx);
    CU_ASSERT_TRUE(write_body(&es, f, 1000, 'a'));
    CU_ASSERT_TRUE(es.commit(f, "small", 7));
    f = es.open(es.ctx);
    CU_ASSERT_TRUE(write_body(&es, f, EVIDENCE_MEM_MAX + 12345, 'b')); /* spills */
    CU_ASSERT_TRUE(es.commit(f, "large", 8));
    int first = 0;
    CU_ASSERT_EQUAL(file_size("artifacts", "small", &first), 1000);
    CU_ASSERT_EQUAL(first, 'a');
    CU_ASSERT_EQUAL(file_size("artifacts", "large", &first), (long)EVIDENCE_MEM_MAX + 12345);
    CU_ASSERT_EQUAL(first, 'b');
    CU_ASSERT_EQUAL(file_size("artifacts", ".partial", &first), -1);
    CU_ASSERT_TRUE(created("artifacts", "small"));
    CU_ASSERT_TRUE(created("artifacts", "large"));
    f = es.open(es.ctx);
    CU_ASSERT_TRUE(write_body(&es, f, EVIDENCE_MEM_MAX + 1, 'c'));
    es.abort(f); /* nothing is left behind */
    CU_ASSERT_EQUAL(damage_total(&dmg), 0);
    damage_free(&dmg);
}

static void an_object_already_there_is_not_rewritten(void)
{
    fresh_case(true);
    written_clear();
    /* one there before the store ran: kept, and not noted as this run's */
    char old[512];
    snprintf(old, sizeof old, "%s/artifacts/old", dir);
    CU_ASSERT_EQUAL(atomic_write(old, "OLD", 3), 0);
    damage_t dmg = {0};
    evidence_store_t es;
    evidence_dir_t d;
    evidence_store_init(&es, &d, dir, &dmg);
    evidence_file_t *f = es.open(es.ctx);
    write_body(&es, f, 10, 'x');
    CU_ASSERT_TRUE(es.commit(f, "same", 1));
    f = es.open(es.ctx); /* in memory: skipped */
    write_body(&es, f, 20, 'y');
    CU_ASSERT_TRUE(es.commit(f, "same", 2));
    f = es.open(es.ctx); /* spilled: dropped */
    write_body(&es, f, EVIDENCE_MEM_MAX + 1, 'z');
    CU_ASSERT_TRUE(es.commit(f, "same", 3));
    f = es.open(es.ctx);
    write_body(&es, f, 10, 'o');
    CU_ASSERT_TRUE(es.commit(f, "old", 4));
    CU_ASSERT_TRUE(created("artifacts", "same"));
    CU_ASSERT_FALSE(created("artifacts", "old"));
    CU_ASSERT_FALSE(created("artifacts", "small")); /* cleared */
    int first = 0;
    CU_ASSERT_EQUAL(file_size("artifacts", "same", &first), 10);
    CU_ASSERT_EQUAL(first, 'x');
    es.save_certificate(es.ctx, "cert", (const uint8_t *)"DER1", 4, 4);
    es.save_certificate(es.ctx, "cert", (const uint8_t *)"der22", 5, 5);
    CU_ASSERT_EQUAL(file_size("certs", "cert.der", &first), 4);
    CU_ASSERT_EQUAL(first, 'D');
    CU_ASSERT_TRUE(created("certs", "cert.der"));
    CU_ASSERT_EQUAL(file_size("artifacts", "old", &first), 3);
    CU_ASSERT_EQUAL(damage_total(&dmg), 0);
    damage_free(&dmg);
}

/* A body under a name already handed over by this store is not written
 * again; a case folder made again at the same path (a later store, same
 * thread) gets the file again, though its name was handed over before. */
static void a_later_store_writes_again(void)
{
    static const char h[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    for (int round = 0; round < 2; round++) {
        fresh_case(true); /* round 1: the folder emptied and made again */
        damage_t dmg = {0};
        evidence_store_t es;
        evidence_dir_t d;
        evidence_store_init(&es, &d, dir, &dmg);
        evidence_file_t *f = es.open(es.ctx);
        write_body(&es, f, 10, 'x');
        CU_ASSERT_TRUE(es.commit(f, h, 1));
        f = es.open(es.ctx);
        write_body(&es, f, 20, 'y'); /* the same name: already handed over */
        CU_ASSERT_TRUE(es.commit(f, h, 2));
        int first = 0;
        CU_ASSERT_EQUAL(file_size("artifacts", h, &first), 10);
        CU_ASSERT_EQUAL(first, 'x');
        CU_ASSERT_EQUAL(damage_total(&dmg), 0);
        damage_free(&dmg);
    }
}

static void write_failures_are_noted_with_their_frame(void)
{
    fresh_case(false); /* no artifacts/ or certs/ folder: every write fails */
    damage_t dmg = {0};
    evidence_store_t es;
    evidence_dir_t d;
    evidence_store_init(&es, &d, dir, &dmg);
    evidence_file_t *f = es.open(es.ctx);
    CU_ASSERT_FALSE(write_body(&es, f, EVIDENCE_MEM_MAX + 1, 's')); /* the spill fails */
    CU_ASSERT_FALSE(es.commit(f, "spilled", 41));
    f = es.open(es.ctx);
    CU_ASSERT_TRUE(write_body(&es, f, 5, 'm')); /* memory is fine until the write */
    /* handed to the artifact writer (here without its thread: written at
     * once), which notes the failure itself */
    CU_ASSERT_TRUE(es.commit(f, "inmemory", 42));
    es.save_certificate(es.ctx, "cert", (const uint8_t *)"DER", 3, 43);
    CU_ASSERT_FALSE(created("artifacts", "spilled"));
    CU_ASSERT_FALSE(created("artifacts", "inmemory"));
    CU_ASSERT_EQUAL(dmg.n, 2);
    for (size_t i = 0; i < dmg.n; i++) {
        const damage_entry_t *e = &dmg.v[i];
        if (strcmp(e->reason, "limit.artifact_write_failed") == 0) {
            CU_ASSERT_EQUAL(e->count, 2);
            CU_ASSERT_EQUAL(e->frames[0], 41);
            CU_ASSERT_EQUAL(e->frames[1], 42);
        } else {
            CU_ASSERT_STRING_EQUAL(e->reason, "limit.cert_write_failed");
            CU_ASSERT_EQUAL(e->frames[0], 43);
        }
    }
    damage_free(&dmg);
}

static void remove_case(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static const cu_test_t tests[] = {
    {"small_and_large_bodies_land_under_their_names",
     small_and_large_bodies_land_under_their_names},
    {"an_object_already_there_is_not_rewritten", an_object_already_there_is_not_rewritten},
    {"a_later_store_writes_again", a_later_store_writes_again},
    {"write_failures_are_noted_with_their_frame", write_failures_are_noted_with_their_frame},
    {"remove_case", remove_case},
    {NULL, NULL},
};

CU_MAIN("evidence", tests)
