/* cmd_compare.c — `pcapcase compare`. */
#include "cli/cli.h"

#include "pipeline/comparison.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char compare_help[] =
    "usage: pcapcase compare [-o DIR] [--label-a TEXT] [--label-b TEXT] [--nat] [--window "
    "SECONDS]\n"
    "                        A.pcap B.pcap\n"
    "\n"
    "Compare two captures of the same traffic from two vantage points (A nearer\n"
    "the clients, B nearer the servers): packets lost between the points, seen\n"
    "only at the far point (injected or altered), one-way delay per direction,\n"
    "and the clock offset B-A as the interval the delays allow (per slice of time\n"
    "when the clocks drift).  Traffic no router forwards (ARP, link-local,\n"
    "link-scope multicast, broadcast, neighbour discovery, TTL 1) seen at one\n"
    "point only is counted as local to that point, not as loss.\n"
    "\n"
    "  -o, --output DIR  output folder (default ./compare)\n"
    "      --label-a T   name of point A in the report (default: file name)\n"
    "      --label-b T   name of point B\n"
    "      --nat         addresses/ports differ between the points: match on the rest\n"
    "      --window S    how long a packet waits for its copy at the other point, once\n"
    "                    the clocks are aligned (default 10 seconds); memory holds the\n"
    "                    packets of one window\n"
    "  -q, --quiet       no messages on stderr except errors\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 done; 1 done, some input damaged; 2 usage error; 3 no usable\n"
    "input; 4 DIR could not be written (one line names the path and the reason;\n"
    "DIR is as before or marked INCOMPLETE).\n";

enum { OPT_LA = 256, OPT_LB, OPT_NAT, OPT_WINDOW };

int cmd_compare(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, 0, 'o'},
                                          {"label-a", required_argument, 0, OPT_LA},
                                          {"label-b", required_argument, 0, OPT_LB},
                                          {"nat", no_argument, 0, OPT_NAT},
                                          {"window", required_argument, 0, OPT_WINDOW},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    comparison_opts_t o;
    memset(&o, 0, sizeof o);
    o.out_dir = "./compare";
    o.engine.window = 10 * NS_PER_SEC;
    bool quiet = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out_dir = optarg;
            break;
        case OPT_LA:
            o.label_a = optarg;
            break;
        case OPT_LB:
            o.label_b = optarg;
            break;
        case OPT_NAT:
            o.engine.nat = true;
            break;
        case OPT_WINDOW: {
            char *end;
            errno = 0;
            double w = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(w >= 0.001 && w <= 86400))
                return usage_error("compare",
                                   "--window wants seconds between 0.001 and 86400, "
                                   "not '%s'",
                                   optarg);
            o.engine.window = (ts_ns_t)(w * 1e9);
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(compare_help, stdout);
            return EXIT_OK;
        default:
            return usage_error("compare", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return usage_error("compare", "give exactly two captures, A and B");
    if (!o.label_a)
        o.label_a = "A";
    if (!o.label_b)
        o.label_b = "B";
    o.argc = argc + 1;
    o.argv = argv - 1;
    int rc = comparison_run(argv[optind], argv[optind + 1], &o);
    if ((rc == EXIT_OK || rc == EXIT_DAMAGED) && !quiet)
        fprintf(stderr, "pcapcase: comparison written to %s/compare.json\n", o.out_dir);
    return rc;
}
