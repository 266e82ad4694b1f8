#!/usr/bin/env bash
# compare.sh — the compare benchmark: time and peak memory of `pcapcase compare` on pairs of
# captures of growing size, against the bare libpcap loop reading both captures.
#
#   tests/bench/compare.sh [--sizes "200M 1G"] [--seed N] [--timeout S]
#
#   --sizes LIST   gencap sizes to measure (cached in tests/bench/out/, as run.sh makes them);
#                  default "200M 1G"
#
# For each size, B is A with its clock moved by +0.75 s (editcap -t) and three runs of 100
# frames deleted (at 10 %, 50 % and 90 % of the capture): compare must find the offset and
# exactly those 300 packets (lost between the points A->B, or seen only at the far point
# B->A).  The result is checked, then the time and peak RSS reported; memory should stay
# flat as the captures grow (it follows the matching window, not the captures).
# The pcapcase binary is $PCAPCASE, else build/pcapcase.  Output: stdout and
# tests/bench/out/compare-DATE/results.txt.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/../.." && pwd)
OUTROOT=$BENCH/out
SIZES="200M 1G" SEED=1 TIMEOUT=3600
while [ $# -gt 0 ]; do
    case "$1" in
    --sizes) SIZES=${2:?--sizes needs a list}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a value}; shift 2 ;;
    --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
for tool in editcap capinfos /usr/bin/time make cc python3; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "compare.sh: $tool is missing (apt-get install tshark time make gcc python3)" >&2
        exit 3
    }
done
make -s -C "$BENCH" >/dev/null
GENCAP=$OUTROOT/gencap LOOP=$OUTROOT/pcap_loop
# shellcheck source=gen.sh
. "$BENCH/gen.sh"
PCAPCASE=${PCAPCASE:-$ROOT/build/pcapcase}
[ -x "$PCAPCASE" ] || { echo "compare.sh: no pcapcase at $PCAPCASE (set PCAPCASE=...)" >&2; exit 3; }
RUN=$OUTROOT/compare-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
exec > >(tee "$RUN/results.txt")
echo "pcapcase compare benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pcapcase: $PCAPCASE"
printf '\n%-6s %9s %9s %10s %10s %9s %9s  %s\n' size packets "A+B MB" "loop s" "compare s" "x loop" "peak MB" check
status=0
for size in $SIZES; do
    A=$(gen "$size" "$SEED")
    n=$(capinfos -c -M "$A" | awk '/Number of packets/ {print $NF}')
    B=$RUN/b-$size.pcap
    cuts=""
    for pct in 10 50 90; do
        s=$((n * pct / 100))
        cuts="$cuts $s-$((s + 99))"
    done
    # shellcheck disable=SC2086
    editcap -F pcap -t 0.75 "$A" "$B" $cuts
    cat "$A" "$B" >/dev/null
    t0=$EPOCHREALTIME
    "$LOOP" "$A" >/dev/null
    "$LOOP" "$B" >/dev/null
    t1=$EPOCHREALTIME
    loop=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    t0=$EPOCHREALTIME
    rc=0
    PCAPCASE_TIMINGS=1 timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$RUN/time-$size" \
        "$PCAPCASE" compare -q -o "$RUN/cmp-$size" "$A" "$B" 2>"$RUN/stderr-$size" || rc=$?
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    rss=$(awk '{printf "%.0f", $1 / 1024}' <(tail -1 "$RUN/time-$size"))
    check=$(python3 - "$RUN/cmp-$size/compare.json" "$rc" <<'EOF'
import json, sys
if sys.argv[2] != "0":
    print("FAILED: exit " + sys.argv[2]); sys.exit()
j = json.load(open(sys.argv[1]))
missing = j["a_to_b"]["lost_between_points"] + j["b_to_a"]["only_at_far_point"]
extra = j["b_to_a"]["lost_between_points"] + j["a_to_b"]["only_at_far_point"]
off = j["clock_offset_b_minus_a"]["seconds"]
ok = missing == 300 and extra == 0 and abs(off - 0.75) < 1e-3
print("%s: %d missing at B, %d extra, offset %.6f s" % ("ok" if ok else "WRONG", missing, extra, off))
EOF
)
    [[ $check == ok* ]] || status=1
    bytes=$(($(stat -c %s "$A") + $(stat -c %s "$B")))
    printf '%-6s %9s %9.0f %10s %10s %9.2f %9s  %s\n' "$size" "$n" "$(awk -v b="$bytes" 'BEGIN {print b/1e6}')" \
        "$loop" "$wall" "$(awk -v w="$wall" -v l="$loop" 'BEGIN {print (l > 0 ? w / l : 0)}')" "$rss" "$check"
    grep '^pcapcase: timings' "$RUN/stderr-$size" | sed 's/^pcapcase: /       /' || true
    rm -f "$B"
done
echo
echo "x loop: compare's wall time over the bare libpcap loop reading both captures once."
echo "compare reads each capture three times (a probe of the first packets, then two"
echo "matching passes) and decodes every packet twice; see docs/compare.md."
exit $status
