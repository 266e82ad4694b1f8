/*
 * compare.h — the same traffic seen from two vantage points.
 *
 * Every packet at point A is matched with its copy at point B by what the
 * path does not change: addresses, protocol, IPv4 ID, ports, TCP seq/ack/
 * flags/length and a hash of the first payload bytes — never by time.  TTL
 * and checksums are left out (routers change them, offload breaks them).
 *
 * Which side of the path each host is on comes from the TTL of matched
 * packets (it only goes down along the path); where TTLs are equal (no
 * router between the points) the host that opened the connection is taken
 * to be on A's side, A being the point nearer the clients.
 *
 * From the matches: per direction, packets that passed the first point,
 * arrived at the second, were lost between them, or appeared only at the far
 * point (injected or altered); the clock offset B−A from the minimum one-way
 * delays of both directions (uncertainty: half the minimum round trip), a
 * drift estimate, and one-way delays corrected by that offset.
 *
 * Memory follows the matching window (cmatch.h): the packets of one window
 * at both points, plus a few hundred bytes per connection and address.  See
 * docs/compare.md for the limits of the method.
 */
#ifndef PCAPCASE_COMPARE_H
#define PCAPCASE_COMPARE_H

#include "core/types.h"

#include <stdbool.h>

typedef struct compare_opts {
    const char *out_dir;
    const char *label_a, *label_b;
    bool nat;       /* match without addresses and ports (NAT between points) */
    ts_ns_t window; /* how long a packet waits for its copy at the other point */
    bool quiet;
    char **argv;
    int argc;
} compare_opts_t;

/* Exit status when out_dir could not be written (it is then as before the
 * run, or marked INCOMPLETE). */
#define COMPARE_WRITE_FAILED 4

/* Compare captures a and b and write out_dir.  Returns the exit status per
 * SPEC (0, 1 damaged input, 3 unusable input, COMPARE_WRITE_FAILED); errors
 * go to stderr as one line naming the file and the reason. */
int compare_run(const char *a, const char *b, const compare_opts_t *opts);

#endif
