/* test_logs.c — each log writer owns its columns: every row of the sample
 * incident's logs holds only columns its writer lists (write/log_*.h), in the
 * listed order, so the workbook and any reader can rely on the lists. */
#include "cu_main.h"
#include "pipeline/pipeline.h"
#include "write/log_conn.h"
#include "write/log_dns.h"
#include "write/log_files.h"
#include "write/log_findings.h"
#include "write/log_hosts.h"
#include "write/log_http.h"
#include "write/log_ssl.h"
#include "write/log_x509.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char case_dir[] = "/tmp/pcapcase-test-logs-XXXXXX";
static int analyzed = -1; /* exit status of the one analysis */

/* Analyse sample_pcaps/incident-1.pcap into case_dir once. */
static bool sample_case(void)
{
    if (analyzed < 0) {
        if (!mkdtemp(case_dir))
            return false;
        case_inputs_t in;
        memset(&in, 0, sizeof in);
        char err[256];
        if (case_inputs_add(&in, SAMPLE_DIR "/incident-1.pcap", err, sizeof err) != 0)
            return false;
        case_opts_t o;
        memset(&o, 0, sizeof o);
        o.out_dir = case_dir;
        o.tz = "UTC";
        o.jobs = 1;
        o.quiet = true;
        o.carve_only = true; /* logs and evidence; no charts or reports */
        o.analysis.carve = true;
        o.analysis.max_body = DEFAULT_MAX_BODY;
        o.analysis.hashes = HASH_ALL;
        o.thresholds = findings_defaults;
        analyzed = case_analyze(&in, &o);
        case_inputs_free(&in);
    }
    return analyzed == 0;
}

/* Index of name in cols, or -1. */
static int column_index(const log_column_t *cols, const char *name)
{
    for (int i = 0; cols[i].name; i++)
        if (strcmp(cols[i].name, name) == 0)
            return i;
    return -1;
}

/* Check every row of CASE/logs/<log>.ndjson against cols; returns the number
 * of rows, or -1 when a row breaks the list (the first such key is
 * printed). */
static long check_log(const char *log, const log_column_t *cols)
{
    char path[512];
    snprintf(path, sizeof path, "%s/logs/%s.ndjson", case_dir, log);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    long rows = 0;
    while (rows >= 0 && getline(&line, &cap, f) > 0) {
        json_object *o = json_tokener_parse(line);
        if (!o) {
            rows = -1;
            break;
        }
        int last = -1;
        json_object_object_foreach(o, key, val)
        {
            (void)val;
            int at = column_index(cols, key);
            if (at <= last) {
                fprintf(stderr, "%s.ndjson row %ld: '%s' is %s\n", log, rows + 1, key,
                        at < 0 ? "not a listed column" : "out of the listed order");
                rows = -2;
                break;
            }
            last = at;
        }
        json_object_put(o);
        if (rows >= 0)
            rows++;
    }
    free(line);
    fclose(f);
    return rows < 0 ? -1 : rows;
}

static void rows_follow_their_writers_columns(void)
{
    CU_ASSERT_TRUE_FATAL(sample_case());
    /* row counts of this capture, as main wrote them before the writers moved */
    CU_ASSERT_EQUAL(check_log("conn", log_conn_columns), 275);
    CU_ASSERT_EQUAL(check_log("http", log_http_columns), 8);
    CU_ASSERT_EQUAL(check_log("files", log_files_columns), 8);
    CU_ASSERT_EQUAL(check_log("ssl", log_ssl_columns), 3);
    CU_ASSERT_EQUAL(check_log("x509", log_x509_columns), 3);
    CU_ASSERT_EQUAL(check_log("hosts", log_hosts_columns), 5);
    CU_ASSERT_TRUE(check_log("dns", log_dns_columns) > 0);
    CU_ASSERT_TRUE(check_log("findings", log_findings_columns) > 0);
}

static void a_key_outside_the_list_is_caught(void)
{
    CU_ASSERT_TRUE_FATAL(sample_case());
    /* conn rows checked against the dns list: 'service' is not a DNS column */
    CU_ASSERT_EQUAL(check_log("conn", log_dns_columns), -1);
    /* x509 rows against a list without the certificate's SANs */
    static const log_column_t short_x509[] = {{"ts", LOG_TIME, 0}, {NULL, 0, 0}};
    CU_ASSERT_EQUAL(check_log("x509", short_x509), -1);
}

static void workbook_columns_are_listed(void)
{
    /* every log shows its time stamp in the workbook, as a time */
    const log_column_t *lists[] = {log_conn_columns,  log_dns_columns,     log_http_columns,
                                   log_files_columns, log_ssl_columns,     log_x509_columns,
                                   log_hosts_columns, log_findings_columns};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        int ts = column_index(lists[i], "ts");
        if (ts < 0)
            ts = column_index(lists[i], "first_ts");
        CU_ASSERT_TRUE_FATAL(ts >= 0);
        CU_ASSERT_EQUAL(lists[i][ts].type, LOG_TIME);
        CU_ASSERT_TRUE(lists[i][ts].flags & LOG_IN_SHEET);
    }
}

static void remove_case(void)
{
    if (analyzed >= 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", case_dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
}

static const cu_test_t tests[] = {
    {"rows_follow_their_writers_columns", rows_follow_their_writers_columns},
    {"a_key_outside_the_list_is_caught", a_key_outside_the_list_is_caught},
    {"workbook_columns_are_listed", workbook_columns_are_listed},
    {"remove_case", remove_case},
    {NULL, NULL},
};

CU_MAIN("logs", tests)
