/* cmd_analyze.c — `pcapcase analyze` and `pcapcase carve`. */
#include "cli/cli.h"

#include "capture/filter.h"
#include "pipeline/pipeline.h"
#include "core/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char analyze_help[] =
    "usage: pcapcase analyze [-o CASE] [--name TEXT] [--bpf FILTER] [--tz UTC|local|+HH:MM]\n"
    "                        [--no-carve] [--quick-types] [--max-body BYTES] [--hash LIST]\n"
    "                        [--uid UID] [--threshold NAME=VALUE] [--intel FILE]\n"
    "                        [--mmdb FILE] [--keylog FILE] [--show-secrets] [--shard K/N]\n"
    "                        [--jobs N] [--quiet] PCAP...\n"
    "\n"
    "Analyse captures (pcap, pcapng, gzip'd; a folder means every capture in it and\n"
    "its subfolders)\n"
    "into a case folder: logs/*.ndjson, artifacts/, certs/, charts/, report.html,\n"
    "report.xlsx and case.json.  Re-running on an existing case adds the new\n"
    "captures to the ones already in it.\n"
    "\n"
    "  -o, --output CASE    case folder (default ./case)\n"
    "      --name TEXT      case name shown in the report\n"
    "      --bpf FILTER     only packets matching this libpcap filter\n"
    "      --tz ZONE        time zone for reports: UTC (default), local, +HH:MM\n"
    "      --no-carve       do not write HTTP bodies to artifacts/\n"
    "      --quick-types    type HTTP bodies with the built-in sniffer, not libmagic\n"
    "                       (faster on captures of many distinct text bodies; their\n"
    "                       files rows then have no description)\n"
    "      --max-body BYTES keep at most this much of one body (default 256M)\n"
    "      --uid UID        also chart this TCP connection (window size, time-sequence);\n"
    "                       repeatable; the top connections by bytes are always charted\n"
    "      --hash LIST      hashes of carved bodies: md5,sha1,sha256 (default all;\n"
    "                       sha256 is always computed)\n"
    "      --threshold NAME=VALUE\n"
    "                       change a finding threshold; repeatable; '--threshold list'\n"
    "                       prints every name with its default and meaning\n"
    "      --intel FILE     indicators to look for (Zeek intel file, or one per line);\n"
    "                       repeatable; kept with the case; matches go to\n"
    "                       logs/intel.ndjson and one finding per indicator\n"
    "      --mmdb FILE      MaxMind DB (GeoLite2/GeoIP2 ASN, Country, City; DB-IP):\n"
    "                       AS, organisation, country and city of hosts; repeatable;\n"
    "                       kept with the case\n"
    "      --keylog FILE    TLS session keys (NSS key log, SSLKEYLOGFILE): HTTPS and\n"
    "                       HTTP/2 inside the sessions it has keys for are decrypted,\n"
    "                       logged and carved like plain HTTP (SMTP, POP3 and IMAP\n"
    "                       after STARTTLS like plain mail, FTP after AUTH TLS and\n"
    "                       its PROT P data like plain FTP, implicit TLS on 465,\n"
    "                       993, 995, 990 and 853 likewise); repeatable; kept in\n"
    "                       CASE/keylogs/ and read again on every later run\n"
    "      --show-secrets   show the passwords and hashes of logins in report.html\n"
    "                       (credentials.ndjson always has them; hidden by default)\n"
    "      --shard K/N      analyse only shard K (0..N-1) of the connections and write\n"
    "                       a partial case into CASE (no logs or reports): run every\n"
    "                       shard with the same options and captures, on one machine\n"
    "                       or many, then 'pcapcase merge' (docs/cluster.md)\n"
    "  -j, --jobs N         N workers, each owning a share of every capture's flows\n"
    "                       (default: number of CPUs); the result does not depend on N\n"
    "  -q, --quiet          no progress on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 done; 1 done, some input damaged; 2 usage error; 3 no usable\n"
    "input; 4 CASE could not be written (one line names the path and the reason;\n"
    "CASE is as before or marked INCOMPLETE); 130 interrupted.\n";

static const char carve_help[] =
    "usage: pcapcase carve [-o DIR] [--max-body BYTES] [--jobs N] [--quiet] PCAP...\n"
    "\n"
    "Extract HTTP objects only (the fast path): DIR/artifacts/<sha256> and\n"
    "DIR/logs/files.ndjson, DIR/logs/http.ndjson.\n"
    "\n"
    "  -o, --output DIR     output folder (default ./carved)\n"
    "      --max-body BYTES keep at most this much of one body (default 256M)\n"
    "  -j, --jobs N         N workers, each owning a share of the flows (default: CPUs)\n"
    "  -q, --quiet          no progress on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: as for analyze (4: DIR could not be written).\n";

enum {
    OPT_NAME = 256,
    OPT_BPF,
    OPT_TZ,
    OPT_NO_CARVE,
    OPT_QUICK_TYPES,
    OPT_MAX_BODY,
    OPT_HASH,
    OPT_UID,
    OPT_THRESHOLD,
    OPT_INTEL,
    OPT_MMDB,
    OPT_KEYLOG,
    OPT_SHOW_SECRETS,
    OPT_SHARD
};

/* Largest N of --shard K/N: a shard reads every capture, so more shards than
 * this only multiply the reading (and a typo of a huge N is caught). */
#define MAX_SHARDS 4096

/* "K/N" with 0 <= K < N <= MAX_SHARDS. */
static bool parse_shard(const char *s, unsigned *k, unsigned *n)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long a = strtoul(s, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return false;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (*end || b < 1 || b > MAX_SHARDS || a >= b)
        return false;
    *k = (unsigned)a, *n = (unsigned)b;
    return true;
}

static bool parse_hashes(const char *s, unsigned *out)
{
    unsigned m = HASH_SHA256;
    char *dup = strdup(s), *save = NULL;
    if (!dup)
        return false;
    for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "md5") == 0)
            m |= HASH_MD5;
        else if (strcmp(t, "sha1") == 0)
            m |= HASH_SHA1;
        else if (strcmp(t, "sha256") == 0)
            m |= HASH_SHA256;
        else {
            free(dup);
            return false;
        }
    }
    free(dup);
    *out = m;
    return true;
}

static void print_thresholds(void)
{
    for (size_t i = 0; i < findings_nthresholds; i++) {
        char val[40];
        findings_threshold_str(&findings_defaults, i, val, sizeof val);
        printf("%-24s %-8s %s\n", findings_threshold_desc[i].name, val,
               findings_threshold_desc[i].doc);
    }
}

/* Print arg so that a shell reads it back as one word. */
static void print_shell_word(FILE *f, const char *arg)
{
    if (*arg && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                            "_-./:=+,@%") == strlen(arg)) {
        fputs(arg, f);
        return;
    }
    fputc('\'', f);
    for (const char *p = arg; *p; p++)
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    fputc('\'', f);
}

/* After Ctrl-C: what happened and how to finish, in one line. */
static void say_interrupted(const case_opts_t *o)
{
    fprintf(stderr,
            "pcapcase: interrupted: %s was not updated (logs and reports are as before this "
            "run) and is marked INCOMPLETE; to finish, run the same command again: ",
            o->out_dir);
    for (int i = 0; i < o->argc; i++) {
        if (i)
            fputc(' ', stderr);
        print_shell_word(stderr, o->argv[i]);
    }
    fputc('\n', stderr);
}

/* A key log must be a file we can open (errno says why not). */
static bool readable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return false;
    }
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* The options, into o and the intel/mmdb lists; -1 to go on, else the exit
 * status to return (after a usage error, --help or --threshold list).  What
 * the lists and o hold is freed by the caller either way. */
static int parse_options(int argc, char **argv, const char *cmd, bool carve_only, case_opts_t *o,
                         path_list_t *intel, path_list_t *mmdb)
{
    static const struct option longs[] = {{"output", required_argument, 0, 'o'},
                                          {"name", required_argument, 0, OPT_NAME},
                                          {"bpf", required_argument, 0, OPT_BPF},
                                          {"tz", required_argument, 0, OPT_TZ},
                                          {"no-carve", no_argument, 0, OPT_NO_CARVE},
                                          {"quick-types", no_argument, 0, OPT_QUICK_TYPES},
                                          {"max-body", required_argument, 0, OPT_MAX_BODY},
                                          {"hash", required_argument, 0, OPT_HASH},
                                          {"uid", required_argument, 0, OPT_UID},
                                          {"threshold", required_argument, 0, OPT_THRESHOLD},
                                          {"intel", required_argument, 0, OPT_INTEL},
                                          {"mmdb", required_argument, 0, OPT_MMDB},
                                          {"keylog", required_argument, 0, OPT_KEYLOG},
                                          {"show-secrets", no_argument, 0, OPT_SHOW_SECRETS},
                                          {"shard", required_argument, 0, OPT_SHARD},
                                          {"jobs", required_argument, 0, 'j'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    int c, li = -1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:qh", longs, &li)) != -1) {
        unsigned long long v;
        switch (c) {
        case 'o':
            o->out_dir = optarg;
            break;
        case OPT_NAME:
            o->name = optarg;
            break;
        case OPT_BPF: {
            char err[512];
            if (!filter_check(optarg, err, sizeof err))
                return usage_error(cmd, "--bpf '%s': %s", optarg, err);
            o->analysis.bpf = optarg;
            break;
        }
        case OPT_TZ:
            if (!parse_tz(optarg, &o->tz_offset_sec))
                return usage_error(cmd, "--tz '%s': expected UTC, local or +HH:MM", optarg);
            o->tz = optarg;
            break;
        case OPT_SHOW_SECRETS:
            o->show_secrets = true;
            break;
        case OPT_SHARD:
            if (carve_only) /* an analyze option: name it, not its argument */
                return usage_error(cmd, "--%s is an option of analyze, not of carve",
                                   longs[li].name);
            if (!parse_shard(optarg, &o->analysis.shard_k, &o->analysis.shard_n))
                return usage_error(cmd,
                                   "--shard '%s': expected K/N with 0 <= K < N <= %d, e.g. 0/4",
                                   optarg, MAX_SHARDS);
            break;
        case OPT_NO_CARVE:
            o->analysis.carve = false;
            break;
        case OPT_QUICK_TYPES:
            o->analysis.quick_types = true;
            break;
        case OPT_MAX_BODY:
            if (!parse_bytes(optarg, &v) || v == 0)
                return usage_error(cmd, "--max-body '%s': expected a size like 256M", optarg);
            o->analysis.max_body = v;
            break;
        case OPT_HASH:
            if (!parse_hashes(optarg, &o->analysis.hashes))
                return usage_error(cmd, "--hash '%s': expected md5,sha1,sha256", optarg);
            break;
        case OPT_UID:
            if (carve_only) /* an analyze option: name it, not its argument */
                return usage_error(cmd, "--%s is an option of analyze, not of carve",
                                   longs[li].name);
            o->chart_uids = xrealloc(o->chart_uids, (o->n_chart_uids + 1) * sizeof *o->chart_uids);
            o->chart_uids[o->n_chart_uids++] = optarg;
            break;
        case OPT_THRESHOLD: {
            if (carve_only) /* an analyze option: name it, not its argument */
                return usage_error(cmd, "--%s is an option of analyze, not of carve",
                                   longs[li].name);
            if (strcmp(optarg, "list") == 0) {
                print_thresholds();
                return 0;
            }
            char err[256];
            if (findings_threshold_set(&o->thresholds, optarg, err, sizeof err) != 0)
                return usage_error(cmd, "--threshold: %s", err);
            break;
        }
        case OPT_INTEL:
        case OPT_MMDB:
            if (carve_only) /* an analyze option: name it, not its argument */
                return usage_error(cmd, "--%s is an option of analyze, not of carve",
                                   longs[li].name);
            path_list_add(c == OPT_INTEL ? intel : mmdb, optarg);
            break;
        case OPT_KEYLOG: {
            if (carve_only) /* an analyze option: name it, not its argument */
                return usage_error(cmd, "--%s is an option of analyze, not of carve",
                                   longs[li].name);
            if (!readable_file(optarg)) {
                fprintf(stderr, "pcapcase: %s: cannot read the key log: %s\n", optarg,
                        strerror(errno));
                return EXIT_NO_INPUT;
            }
            o->keylog_paths =
                xrealloc(o->keylog_paths, (o->n_keylog_paths + 1) * sizeof *o->keylog_paths);
            o->keylog_paths[o->n_keylog_paths++] = optarg;
            break;
        }
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return usage_error(cmd, "--jobs '%s': expected a number from 1 to 256", optarg);
            o->jobs = (int)n;
            break;
        }
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(carve_only ? carve_help : analyze_help, stdout);
            return EXIT_OK;
        default:
            return usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

int cmd_analyze(int argc, char **argv, bool carve_only)
{
    const char *cmd = carve_only ? "carve" : "analyze";
    case_opts_t o;
    memset(&o, 0, sizeof o);
    path_list_t intel = {0}, mmdb = {0}; /* after the existing case's */
    o.out_dir = carve_only ? "./carved" : "./case";
    o.tz = "UTC";
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = ncpu > 0 ? (int)ncpu : 1;
    o.carve_only = carve_only;
    o.analysis.carve = true;
    o.analysis.max_body = DEFAULT_MAX_BODY;
    o.analysis.hashes = HASH_ALL;
    o.thresholds = findings_defaults;
    const char *default_out = o.out_dir;
    int rc = parse_options(argc, argv, cmd, carve_only, &o, &intel, &mmdb);
    if (rc < 0 && optind >= argc)
        rc = usage_error(cmd, "no capture given");
    if (rc < 0 && o.analysis.shard_n && o.out_dir == default_out)
        rc = usage_error(cmd, "--shard needs -o PARTIAL: a folder of its own for each shard");
    if (rc >= 0) {
        free(o.chart_uids);
        free(o.keylog_paths);
        path_list_free(&intel);
        path_list_free(&mmdb);
        return rc;
    }
    case_inputs_t in;
    memset(&in, 0, sizeof in);
    size_t missing = 0;
    for (int i = optind; i < argc; i++) {
        char err[1024];
        if (case_inputs_add(&in, argv[i], err, sizeof err) != 0) {
            fprintf(stderr, "pcapcase: %s\n", err);
            missing++;
        }
    }
    if (!o.quiet && in.not_captures)
        fprintf(stderr, "pcapcase: %zu file(s) in the folders given are not captures: left out\n",
                in.not_captures);
    if (!o.quiet && in.case_folders)
        fprintf(stderr,
                "pcapcase: %zu pcapcase case folder(s) in the folders given: left out (their "
                "artifacts are not evidence)\n",
                in.case_folders);
    if (!carve_only && !o.analysis.shard_n) /* a partial holds no case.json */
        case_inputs_add_previous(&in, o.out_dir);
    for (size_t i = 0; i < intel.n; i++)
        path_list_add(&in.intel, intel.v[i]);
    for (size_t i = 0; i < mmdb.n; i++)
        path_list_add(&in.mmdb, mmdb.v[i]);
    path_list_free(&intel);
    path_list_free(&mmdb);
    if (in.n == 0) {
        case_inputs_free(&in);
        return EXIT_NO_INPUT;
    }
    o.argc = argc + 1;
    o.argv = argv - 1;
    o.progress = !o.quiet && isatty(2);
    rc = case_analyze(&in, &o);
    if (rc == EXIT_OK && missing)
        rc = EXIT_DAMAGED;
    if (rc == EXIT_INTERRUPTED)
        say_interrupted(&o);
    else if ((rc == EXIT_OK || rc == EXIT_DAMAGED) && !o.quiet && o.analysis.shard_n)
        fprintf(stderr, "pcapcase: shard %u/%u written to %s\n", o.analysis.shard_k,
                o.analysis.shard_n, o.out_dir);
    else if ((rc == EXIT_OK || rc == EXIT_DAMAGED) && !o.quiet)
        fprintf(stderr, "pcapcase: case written to %s/%s\n", o.out_dir,
                carve_only ? "artifacts" : "report.html");
    case_inputs_free(&in);
    free(o.chart_uids);
    free(o.keylog_paths);
    return rc;
}
