/* cmd_merge.c — `pcapcase merge`: the partial cases of `analyze --shard`
 * into one case (pipeline.h case_merge; docs/cluster.md). */
#include "cli/cli.h"

#include "core/xalloc.h"
#include "pipeline/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char merge_help[] =
    "usage: pcapcase merge -o CASE [--jobs N] [--quiet] PARTIAL...\n"
    "\n"
    "Merge the partial cases written by 'pcapcase analyze --shard K/N -o PARTIAL'\n"
    "into the case folder CASE: its logs are byte-identical to those of one\n"
    "'pcapcase analyze' of the same captures with the same options (which the\n"
    "partials carry), and charts, case.json and reports are made as analyze makes\n"
    "them.  The partials must be shards 0..N-1 of one N, each once, of the same\n"
    "captures and options; otherwise nothing is written and one line says which\n"
    "shard is missing or given twice, or which partial differs and how.\n"
    "\n"
    "  -o, --output CASE    case folder (required)\n"
    "  -j, --jobs N         threads for the reports (default: number of CPUs)\n"
    "  -q, --quiet          no summary on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 done; 1 done, some input damaged; 2 usage error; 3 the partials\n"
    "do not make one case (one line says why); 4 CASE could not be written.\n";

int cmd_merge(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, 0, 'o'},
                                          {"jobs", required_argument, 0, 'j'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    case_opts_t o;
    memset(&o, 0, sizeof o);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = ncpu > 0 ? (int)ncpu : 1;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out_dir = optarg;
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return usage_error("merge", "--jobs '%s': expected a number from 1 to 256", optarg);
            o.jobs = (int)n;
            break;
        }
        case 'q':
            o.quiet = true;
            break;
        case 'h':
            fputs(merge_help, stdout);
            return EXIT_OK;
        default:
            return usage_error("merge", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!o.out_dir)
        return usage_error("merge", "no case folder given (-o CASE)");
    if (optind >= argc)
        return usage_error("merge", "no partial case given");
    o.argc = argc + 1;
    o.argv = argv - 1;
    int rc = case_merge(argv + optind, (size_t)(argc - optind), &o);
    if ((rc == EXIT_OK || rc == EXIT_DAMAGED) && !o.quiet)
        fprintf(stderr, "pcapcase: case written to %s/report.html\n", o.out_dir);
    return rc;
}
