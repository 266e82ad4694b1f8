/*
 * cli.h — the command-line front end: parses options, calls the engine.
 *
 * Each sub-command lives in its own file (cmd_*.c) and returns the process
 * exit status defined in docs/cli.md: 0 done, 1 done with damaged input,
 * 2 usage error, 3 no usable input, 4 output not writable; 130 interrupted.
 */
#ifndef PCAPCASE_CLI_H
#define PCAPCASE_CLI_H

#include <stdbool.h>

enum {
    EXIT_OK = 0,
    EXIT_DAMAGED = 1,
    EXIT_USAGE = 2,
    EXIT_NO_INPUT = 3,
    EXIT_WRITE_FAILED = 4, /* the output folder could not be written */
    EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: 128 + SIGINT, as shells report it */
};

int cmd_analyze(int argc, char **argv, bool carve_only);
int cmd_summary(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Print "pcapcase: <msg>" and the hint to use --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse --tz: "UTC", "local" or "+HH:MM"/"-HH:MM" into seconds east of UTC. */
bool parse_tz(const char *s, int *offset_sec);
/* Parse a byte count with optional k/M/G suffix (binary). */
bool parse_bytes(const char *s, unsigned long long *out);

#endif
