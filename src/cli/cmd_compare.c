/* cmd_compare.c — `pcapcase compare` (being built; see issue "compare"). */
#include "cli/cli.h"

#include <stdio.h>

int cmd_compare(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "pcapcase compare: not implemented yet in this build\n");
    return EXIT_USAGE;
}
