#!/usr/bin/env bash
# intel.sh — the intel set's micro-benchmark: load N generated indicators (a
# Zeek intel file mixing addresses, subnets, domains, URLs, hashes, JA3s and
# e-mail addresses) and measure lookups per second of each kind.
#
#   tests/bench/intel.sh [N]        N indicators, default 1000000
#
# Builds the intel_bench target in build/ (the release build) and writes the
# generated file under tests/bench/out/ (removed afterwards).  Results go to
# stdout and tests/bench/out/intel-DATE.txt.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/../.." && pwd)
N=${1:-1000000}
B=${BUILD_DIR:-$ROOT/build}
[ -f "$B/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" --target intel_bench -j2 >/dev/null
mkdir -p "$BENCH/out"
OUT=$BENCH/out/intel-$(date -u +%Y%m%dT%H%M%SZ).txt
{
    echo "intel benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$B/intel_bench" "$N" "$BENCH/out"
} | tee "$OUT"
