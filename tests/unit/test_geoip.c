/* test_geoip.c — ASN, organisation, country and city from MaxMind DB files,
 * and damaged files refused with one reason.  The databases are made at test
 * time by tests/tools/make_test_mmdb.pl (Debian's libmaxmind-db-writer-perl)
 * for the documentation ranges the sample captures use. */
#include "case/geoip.h"
#include "cu_main.h"

#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pcapcase-geoip-XXXXXX";
static char asn_db[128], city_db[128];
static bool have_dbs;

/* The Perl module tests/tools/make_test_mmdb.pl writes with. */
#define MMDB_WRITER_MODULE "MaxMind::DB::Writer::Tree"

/* Make the test databases once.  Without the writer (Debian's
 * libmaxmind-db-writer-perl, which setup.sh installs) the test is skipped,
 * saying so; a writer that is there but fails is a failure. */
static bool make_dbs(const char *test)
{
    static bool tried, no_writer;
    if (!tried) {
        tried = true;
        no_writer = system("perl -M" MMDB_WRITER_MODULE " -e 1 2>/dev/null") != 0;
        char cmd[512] = "false";
        if (!no_writer && mkdtemp(dir))
            snprintf(cmd, sizeof cmd, "perl %s/tests/tools/make_test_mmdb.pl %s", SOURCE_DIR, dir);
        if (!no_writer && system(cmd) == 0) {
            snprintf(asn_db, sizeof asn_db, "%s/test-asn.mmdb", dir);
            snprintf(city_db, sizeof city_db, "%s/test-city.mmdb", dir);
            have_dbs = true;
        }
    }
    if (no_writer)
        cu_skip(test, "the test MMDBs cannot be made: Perl's " MMDB_WRITER_MODULE
                      " is missing (install libmaxmind-db-writer-perl; setup.sh does)");
    else
        CU_ASSERT_TRUE_FATAL(have_dbs); /* tests/tools/make_test_mmdb.pl failed */
    return have_dbs;
}

static bool lookup(geoip_t *g, const char *addr, geoip_info_t *out)
{
    ipaddr_t ip;
    CU_ASSERT_TRUE(ipaddr_parse(addr, &ip));
    return geoip_lookup(g, &ip, out);
}

/* sha256sum's answer for path. */
static void sha256sum(const char *path, char out[65])
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sha256sum %s", path);
    FILE *p = popen(cmd, "r");
    out[0] = 0;
    if (p && fscanf(p, "%64s", out) != 1)
        out[0] = 0;
    if (p)
        pclose(p);
}

static void asn_and_place_come_from_the_database_that_has_them(void)
{
    if (!make_dbs(__func__))
        return;
    geoip_t *g = geoip_new();
    char err[512];
    CU_ASSERT_EQUAL_FATAL(geoip_add(g, asn_db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(geoip_add(g, city_db, err, sizeof err), 0);
    geoip_info_t i;
    /* the sample incident's C2 server */
    CU_ASSERT_TRUE(lookup(g, "203.0.113.66", &i));
    CU_ASSERT_EQUAL(i.asn, 64511);
    CU_ASSERT_STRING_EQUAL(i.as_org, "Bulletproof Lab Hosting Ltd");
    CU_ASSERT_STRING_EQUAL(i.country, "SC");
    CU_ASSERT_STRING_EQUAL(i.country_name, "Seychelles");
    CU_ASSERT_STRING_EQUAL(i.city, "Victoria");
    /* the same address as 6to4: the databases alias 2002::/16 to IPv4 */
    CU_ASSERT_TRUE(lookup(g, "2002:cb00:7142::1", &i));
    CU_ASSERT_EQUAL(i.asn, 64511);
    CU_ASSERT_TRUE(lookup(g, "203.0.113.10", &i));
    CU_ASSERT_EQUAL(i.asn, 64500);
    CU_ASSERT_STRING_EQUAL(i.as_org, "Example Shop Hosting B.V.");
    CU_ASSERT_STRING_EQUAL(i.city, "Amsterdam");
    /* in the /24 of the city database, outside both networks of the ASN one */
    CU_ASSERT_TRUE(lookup(g, "203.0.113.200", &i));
    CU_ASSERT_EQUAL(i.asn, 0);
    CU_ASSERT_STRING_EQUAL(i.as_org, "");
    CU_ASSERT_STRING_EQUAL(i.country, "NL");
    CU_ASSERT_TRUE(lookup(g, "2001:db8::53", &i));
    CU_ASSERT_EQUAL(i.asn, 64499);
    CU_ASSERT_STRING_EQUAL(i.city, "T\xc5\x8dky\xc5\x8d");
    /* 100 two-byte characters, cut at a character boundary */
    CU_ASSERT_TRUE(lookup(g, "192.0.2.1", &i));
    CU_ASSERT_EQUAL(strlen(i.as_org), 126);
    CU_ASSERT_EQUAL(strncmp(i.as_org, "\xc3\x9c\xc3\x9c", 4), 0);
    /* the lab client: no database knows it */
    CU_ASSERT_FALSE(lookup(g, "10.77.0.10", &i));
    CU_ASSERT_EQUAL(i.asn, 0);

    CU_ASSERT_EQUAL_FATAL(geoip_count(g), 2);
    const geoip_db_t *d = geoip_db(g, 0);
    CU_ASSERT_STRING_EQUAL(d->database_type, "pcapcase-Test-ASN");
    CU_ASSERT_STRING_EQUAL(geoip_db(g, 1)->database_type, "pcapcase-Test-City");
    char want[65];
    sha256sum(asn_db, want);
    CU_ASSERT_STRING_EQUAL(d->sha256, want);
    CU_ASSERT_TRUE(d->build_epoch > 1600000000);
    CU_ASSERT_EQUAL(d->lookup_errors, 0);
    geoip_free(g);
}

/* A copy of src at dst with n bytes at off replaced by byte (n 0: the file
 * cut at off). */
static void damaged_copy(const char *src, const char *dst, long off, size_t n, int byte)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    CU_ASSERT_FATAL(in && out);
    char buf[1 << 16];
    size_t got = fread(buf, 1, sizeof buf, in);
    if (n == 0)
        got = (size_t)off;
    else
        memset(buf + off, byte, n);
    fwrite(buf, 1, got, out);
    fclose(in);
    fclose(out);
}

static void damaged_files_are_refused_with_one_reason(void)
{
    if (!make_dbs(__func__))
        return;
    geoip_t *g = geoip_new();
    char err[512], path[160], want[512];
    CU_ASSERT_EQUAL(geoip_add(g, "/nonexistent.mmdb", err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent.mmdb: cannot read (Error opening the specified "
                                "MaxMind DB file)");
    snprintf(path, sizeof path, "%s/text.mmdb", dir);
    FILE *f = fopen(path, "w");
    fputs("203.0.113.66\tIntel::ADDR\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(geoip_add(g, path, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "%s: not a MaxMind DB file (The MaxMind DB file contains invalid metadata)", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    /* cut in the middle: the metadata at the end is gone */
    snprintf(path, sizeof path, "%s/cut.mmdb", dir);
    damaged_copy(asn_db, path, 600, 0, 0);
    CU_ASSERT_EQUAL(geoip_add(g, path, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ": not a MaxMind DB file ("));
    /* the first node points past the data: the tree walk finds it */
    snprintf(path, sizeof path, "%s/tree.mmdb", dir);
    damaged_copy(asn_db, path, 0, 6, 0xff);
    CU_ASSERT_EQUAL(geoip_add(g, path, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "%s: damaged MaxMind DB file (The MaxMind DB file's search tree is corrupt)", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    /* each is listed with its reason, and none is looked in */
    CU_ASSERT_EQUAL_FATAL(geoip_count(g), 4);
    CU_ASSERT_STRING_EQUAL(
        geoip_db(g, 3)->error,
        "damaged MaxMind DB file (The MaxMind DB file's search tree is corrupt)");
    CU_ASSERT_STRING_EQUAL(geoip_db(g, 3)->sha256, "");
    geoip_info_t i;
    CU_ASSERT_FALSE(lookup(g, "203.0.113.66", &i));
    geoip_free(g);
}

static void damaged_data_is_counted_per_lookup_not_fatal(void)
{
    if (!make_dbs(__func__))
        return;
    MMDB_s m;
    CU_ASSERT_EQUAL_FATAL(MMDB_open(asn_db, MMDB_MODE_MMAP, &m), MMDB_SUCCESS);
    long data = (long)(m.data_section - m.file_content);
    /* libmaxminddb's data_section_size runs to the end of the file; the
     * records end where the metadata marker "\xab\xcd\xefMaxMind.com" starts */
    size_t size = (size_t)(m.metadata_section - m.data_section) - 14;
    MMDB_close(&m);
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/data.mmdb", dir);
    damaged_copy(asn_db, path, data, size, 0xff); /* every data byte 0xff */
    geoip_t *g = geoip_new();
    CU_ASSERT_EQUAL_FATAL(geoip_add(g, path, err, sizeof err), 0);
    geoip_info_t i;
    CU_ASSERT_FALSE(lookup(g, "203.0.113.66", &i));
    CU_ASSERT_FALSE(lookup(g, "198.51.100.53", &i));
    CU_ASSERT_FALSE(lookup(g, "10.77.0.10", &i)); /* not in the tree: no error */
    CU_ASSERT_EQUAL(geoip_db(g, 0)->lookup_errors, 2);
    geoip_free(g);
}

static const cu_test_t tests[] = {
    {"asn_and_place_come_from_the_database_that_has_them",
     asn_and_place_come_from_the_database_that_has_them},
    {"damaged_files_are_refused_with_one_reason", damaged_files_are_refused_with_one_reason},
    {"damaged_data_is_counted_per_lookup_not_fatal", damaged_data_is_counted_per_lookup_not_fatal},
    {NULL, NULL}};

static int run(void)
{
    int rc = cu_run("geoip", tests);
    if (have_dbs) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            rc = 1;
    }
    return rc;
}

int main(void)
{
    return run();
}
