/* cmd_verify.c — `pcapcase verify`: is the case's evidence as analyze left it? */
#include "cli/cli.h"

#include "write/manifest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char verify_help[] =
    "usage: pcapcase verify CASE\n"
    "\n"
    "Re-hash (SHA-256) every file CASE/manifest.txt lists: the captures analyze\n"
    "read, where they still are at their recorded path, and every file under\n"
    "CASE/artifacts/ and CASE/certs/.  One line per problem:\n"
    "  CHANGED      the content or size differs from the manifest\n"
    "  MISSING      a case file listed in the manifest is gone\n"
    "  UNLISTED     a file under artifacts/ or certs/ the manifest does not list\n"
    "  NOT CHECKED  a capture is no longer at its recorded path (not a failure)\n"
    "then a summary line.\n"
    "\n"
    "Exit status: 0 everything as recorded; 1 something changed, went missing or\n"
    "was added; 2 usage error; 3 no readable manifest in CASE.\n"
    "\n"
    "  -h, --help   this text\n";

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(verify_help, stdout);
            return EXIT_OK;
        }
        return usage_error("verify", "unknown option");
    }
    if (argc - optind != 1)
        return usage_error("verify", "give exactly one case folder");
    const char *dir = argv[optind];
    manifest_check_t res;
    char err[1024];
    if (manifest_verify(dir, stdout, &res, err, sizeof err) != 0) {
        fprintf(stderr, "pcapcase verify: %s\n", err);
        return EXIT_NO_INPUT;
    }
    size_t bad = res.changed + res.missing + res.unlisted;
    printf("%s: %zu files as recorded, %zu changed, %zu missing, %zu unlisted, %zu captures not "
           "at their recorded path\n",
           bad ? "FAILED" : "OK", res.checked, res.changed, res.missing, res.unlisted,
           res.not_present);
    return bad ? EXIT_DAMAGED : EXIT_OK;
}
