#!/usr/bin/env bash
# run.sh — the benchmark: pcapcase against the libpcap floor and tshark, on one capture.
#
#   tests/bench/run.sh [--size 1G | --file PATH] [--jobs2] [--small [N]] [--intel N] [--seed N]
#                      [--keep] [--timeout S]
#
#   --size SIZE    generate (once; cached in tests/bench/out/) a gencap capture of SIZE
#                  (K/M/G are powers of 1024); default 1G
#   --file PATH    measure an existing capture instead
#   --jobs2        also measure `pcapcase analyze --jobs 2` on two captures against
#                  `--jobs 1` on one (the second capture: --file2 PATH, or gencap with the
#                  next seed at the same size)
#   --small [N]    also measure the many-small-objects capture: Zeek's http/bro.org.pcap from
#                  the corpus ($PCAPCASE_CORPUS, else ../shared/corpus beside the project) repeated
#                  N times one after the other (default 200: 101 MB, 6,000 small HTTP objects;
#                  tests/bench/repeat_capture.py, cached in tests/bench/out/), pcapcase against
#                  tshark stats + export on it (target >= 5x)
#   --intel N      also measure `pcapcase analyze --intel FEED` with a Zeek intel file of N
#                  generated indicators (tests/bench/intel_bench.c; built in build/), and say
#                  what the set adds to the analysis
#   --seed N       gencap seed for generated captures (default 1)
#   --jobs-reps N  run `--jobs 1` and `--jobs 2` on the one capture N times each and take
#                  the fastest of each (default 3): their ratio is the --jobs target, and one
#                  run each moved it by a third on this shared 2-core machine
#   --keep         keep the outputs (case folders, carved/exported files) under the run folder
#   --timeout S    give up on one command after S seconds (default 3600)
#
# The pcapcase binary is $PCAPCASE, else build/pcapcase in the project root.  Rows whose binary is missing or
# fails are printed as skipped, with the reason; the others still run.  Every command reads
# the same file after the page cache was warmed, each after `sync` (so that no command pays
# for the previous one's files being written back); wall time is measured by the shell, CPU
# share and peak RSS by /usr/bin/time; the bare loop runs three times and its best counts,
# the --jobs 1 / --jobs 2 pair --jobs-reps times.
# MB are 10^6 bytes; MB/s is file size / wall time.
# The table goes to stdout and to tests/bench/out/run-DATE/results.txt (results.tsv beside it).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/../.." && pwd)
OUTROOT=$BENCH/out

SIZE=1G FILE="" FILE2="" JOBS2=0 SEED=1 KEEP=0 TIMEOUT=3600 INTEL=0 SMALL=0 JOBS_REPS=3
usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
    case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --file) FILE=${2:?--file needs a path}; shift 2 ;;
    --file2) FILE2=${2:?--file2 needs a path}; shift 2 ;;
    --jobs2) JOBS2=1; shift ;;
    --small)
        SMALL=200
        if [[ ${2:-} =~ ^[0-9]+$ ]]; then SMALL=$2; shift; fi
        shift ;;
    --intel) INTEL=${2:?--intel needs a number of indicators}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a value}; shift 2 ;;
    --jobs-reps) JOBS_REPS=${2:?--jobs-reps needs a number}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage ;;
    esac
done

for tool in tshark /usr/bin/time make cc; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "run.sh: $tool is missing (apt-get install tshark time make gcc)" >&2
        exit 3
    }
done
make -s -C "$BENCH" >/dev/null
GENCAP=$OUTROOT/gencap LOOP=$OUTROOT/pcap_loop

# shellcheck source=gen.sh
. "$BENCH/gen.sh"

if [ -n "$FILE" ]; then
    [ -r "$FILE" ] || { echo "run.sh: $FILE: cannot read" >&2; exit 3; }
    SIZE=$(stat -L -c %s "$FILE") # for a second capture of the same size
else
    FILE=$(gen "$SIZE" "$SEED")
fi
if [ "$JOBS2" = 1 ] && [ -z "$FILE2" ]; then
    FILE2=$(gen "$SIZE" "$((SEED + 1))")
fi
SMALLFILE="" SMALLWHY=""
if [ "$SMALL" != 0 ]; then
    BRO=${PCAPCASE_CORPUS:-$ROOT/../shared/corpus}/zeek-traces/http/bro.org.pcap
    SMALLFILE=$OUTROOT/small-bro.org-x$SMALL.pcap
    if [ ! -r "$BRO" ]; then
        SMALLWHY="no corpus: $BRO missing (set PCAPCASE_CORPUS)" SMALLFILE=""
    elif [ ! -s "$SMALLFILE" ]; then
        echo "generating $SMALLFILE" >&2
        "$BENCH/repeat_capture.py" "$BRO" "$SMALLFILE.tmp" --times "$SMALL" && mv "$SMALLFILE.tmp" "$SMALLFILE"
    fi
fi

PCAPCASE=${PCAPCASE:-$ROOT/build/pcapcase}
RUN=$OUTROOT/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"
RESULTS=$RUN/results.txt
TSV=$RUN/results.tsv
exec > >(tee "$RESULTS")

BYTES=$(stat -L -c %s "$FILE")
echo "pcapcase benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (other users of the machine skew the numbers)"
echo "tshark: $(tshark --version 2>/dev/null | head -1)"
if [ -x "$PCAPCASE" ]; then
    echo "pcapcase: $PCAPCASE ($("$PCAPCASE" --version 2>/dev/null | head -1 || echo 'version unknown'))"
else
    echo "pcapcase: not found at $PCAPCASE (set PCAPCASE=...): its rows are skipped"
fi
echo "capture: $FILE ($(awk -v b="$BYTES" 'BEGIN {printf "%.1f MB", b/1e6}'))"
[ -n "$FILE2" ] && echo "second capture (--jobs2): $FILE2 ($(awk -v b="$(stat -L -c %s "$FILE2")" 'BEGIN {printf "%.1f MB", b/1e6}'))"
[ -n "$SMALLFILE" ] && echo "many small objects (--small): $SMALLFILE ($(awk -v b="$(stat -L -c %s "$SMALLFILE")" 'BEGIN {printf "%.1f MB", b/1e6}'))"

echo "warming the page cache..."
cat "$FILE" ${FILE2:+"$FILE2"} ${SMALLFILE:+"$SMALLFILE"} >/dev/null
LOOPOUT=$("$LOOP" "$FILE")
echo "capture content: $LOOPOUT"
echo

printf 'name\twall_s\tMB_s\trss_MB\tcpu_pct\tstatus\tcommand\n' >"$TSV"
declare -A WALL RATE RSS STATUS CPU

# measure NAME BYTES CMD... — runs CMD under /usr/bin/time, records the row.  Wall time is
# taken by the shell (µs resolution); /usr/bin/time gives peak RSS and CPU share.  With
# REPS=N in the environment the command runs N times and the fastest run counts (for the
# short loop runs, where one scheduling hiccup would be a large error).
measure() {
    local name=$1 bytes=$2
    shift 2
    local tf=$RUN/$name.time ef=$RUN/$name.stderr rc=0 best="" rss=0 cpu="" i t0 t1 w r c
    echo "running $name: $*" >&2
    local args=()
    for ((i = 0; i < ${REPS:-1}; i++)); do
        rc=0
        args=("${@//@REP@/$i}")
        # The previous command's files still being written back to disk would take CPU
        # from this one (kernel threads; on 2 cores, a multi-threaded run loses most).
        sync
        t0=$EPOCHREALTIME
        timeout "$TIMEOUT" /usr/bin/time -f '%e %M %P' -o "$tf" "${args[@]}" >"$RUN/$name.stdout" 2>"$ef" || rc=$?
        t1=$EPOCHREALTIME
        [ "$rc" = 0 ] || [ "$rc" = 1 ] || break
        read -r _ r c < <(tail -1 "$tf" 2>/dev/null || echo "0 0 0%")
        w=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
        if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$w cpu=$c
        fi
        [ "$r" -gt "$rss" ] && rss=$r
    done
    # pcapcase: 0 done, 1 done but some input damaged; anything else is a failure.
    if [ "$rc" = 124 ]; then
        STATUS[$name]="timed out after ${TIMEOUT}s"
    elif [ "$rc" -gt 1 ] || { [ "$rc" = 1 ] && [[ $name != pcapcase* ]]; }; then
        STATUS[$name]="failed (exit $rc): $(grep -v '^Running as user' "$ef" | tail -1 | cut -c1-100)"
    else
        STATUS[$name]=ok
        [ "$rc" = 1 ] && STATUS[$name]="ok (exit 1: damaged input reported)"
    fi
    WALL[$name]=${best:-0}
    CPU[$name]=${cpu:-0%}
    RSS[$name]=$(awk -v k="$rss" 'BEGIN {printf "%.0f", k/1024}')
    RATE[$name]=$(awk -v b="$bytes" -v w="${best:-0}" 'BEGIN {printf "%.1f", (w > 0 ? b/1e6/w : 0)}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${WALL[$name]}" "${RATE[$name]}" "${RSS[$name]}" \
        "${CPU[$name]}" "${STATUS[$name]}" "$*" >>"$TSV"
}
skip() { # skip NAME REASON
    STATUS[$1]="skipped: $2"
    printf '%s\t\t\t\t\t%s\t\n' "$1" "${STATUS[$1]}" >>"$TSV"
}
# Each run's output is removed when the script ends, not between runs: on an ext4 file
# system without a journal (this machine's), creating files in the two minutes after
# thousands were deleted stalls on the kernel's recently_deleted() check (3,169 files of
# 4 KiB: 0.06-0.11 s with no recent delete, 0.5-1.4 s in the two minutes after 6,338
# were deleted), so a run right after the previous one's cleanup would pay for it — the
# product's artifacts and tshark's objects alike.  Leave two minutes between two runs
# of this script for the same reason.
CLEAN=()
clean() { [ "$KEEP" = 1 ] || CLEAN+=("$@"); }
trap '[ ${#CLEAN[@]} -eq 0 ] || rm -rf "${CLEAN[@]}"' EXIT

REPS=3 measure loop "$BYTES" "$LOOP" "$FILE"

ROWS=(loop)
if [ -x "$PCAPCASE" ]; then
    PCAPCASE_TIMINGS=1 measure pcapcase_analyze "$BYTES" "$PCAPCASE" analyze -o "$RUN/case" --quiet "$FILE"
    clean "$RUN/case"
    measure pcapcase_analyze_sha256 "$BYTES" "$PCAPCASE" analyze -o "$RUN/case-sha256" --hash sha256 --quiet "$FILE"
    clean "$RUN/case-sha256"
    # HTTP bodies typed by the built-in sniffer instead of libmagic
    measure pcapcase_quick_types "$BYTES" "$PCAPCASE" analyze -o "$RUN/case-quick" --quick-types --quiet "$FILE"
    clean "$RUN/case-quick"
    measure pcapcase_carve "$BYTES" "$PCAPCASE" carve -o "$RUN/carved" --quiet "$FILE"
    clean "$RUN/carved"
    # one capture, one job against two: what --jobs does for a single capture (the
    # fastest of JOBS_REPS runs each, every run into a case folder of its own)
    for j in 1 2; do
        PCAPCASE_TIMINGS=1 REPS=$JOBS_REPS measure pcapcase_jobs$j "$BYTES" "$PCAPCASE" analyze \
            --jobs $j -o "$RUN/case-jobs$j-@REP@" --quiet "$FILE"
        for ((i = 0; i < JOBS_REPS; i++)); do clean "$RUN/case-jobs$j-$i"; done
    done
else
    for n in pcapcase_analyze pcapcase_analyze_sha256 pcapcase_quick_types pcapcase_carve pcapcase_jobs1 pcapcase_jobs2; do
        skip $n "no pcapcase binary at $PCAPCASE"
    done
fi
ROWS+=(pcapcase_analyze pcapcase_analyze_sha256 pcapcase_quick_types pcapcase_carve pcapcase_jobs1 pcapcase_jobs2)

if [ "$INTEL" != 0 ]; then
    FEED=$OUTROOT/intel-$INTEL.intel
    if [ ! -s "$FEED" ]; then
        cmake --build "$ROOT/build" --target intel_bench -j2 >/dev/null &&
            "$ROOT/build/intel_bench" --write "$INTEL" "$FEED" || rm -f "$FEED"
    fi
    if [ -x "$PCAPCASE" ] && [ -s "$FEED" ]; then
        measure pcapcase_analyze_intel "$BYTES" "$PCAPCASE" analyze -o "$RUN/case-intel" \
            --intel "$FEED" --quiet "$FILE"
        clean "$RUN/case-intel"
    else
        skip pcapcase_analyze_intel "no pcapcase binary, or the feed could not be made"
    fi
    ROWS+=(pcapcase_analyze_intel)
fi

measure tshark_stats "$BYTES" tshark -n -r "$FILE" -q -z conv,tcp -z io,stat,1
mkdir -p "$RUN/tshark-objects"
measure tshark_export "$BYTES" tshark -n -r "$FILE" -q --export-objects "http,$RUN/tshark-objects"
clean "$RUN/tshark-objects"
ROWS+=(tshark_stats tshark_export)

if [ "$SMALL" != 0 ]; then
    SROWS=(small_pcapcase small_tshark_stats small_tshark_export)
    if [ -z "$SMALLFILE" ]; then
        for n in "${SROWS[@]}"; do skip $n "$SMALLWHY"; done
    else
        SB=$(stat -L -c %s "$SMALLFILE")
        if [ -x "$PCAPCASE" ]; then
            PCAPCASE_TIMINGS=1 measure small_pcapcase "$SB" "$PCAPCASE" analyze -o "$RUN/case-small" --quiet "$SMALLFILE"
            clean "$RUN/case-small"
        else
            skip small_pcapcase "no pcapcase binary at $PCAPCASE"
        fi
        measure small_tshark_stats "$SB" tshark -n -r "$SMALLFILE" -q -z conv,tcp -z io,stat,1
        mkdir -p "$RUN/tshark-small-objects"
        measure small_tshark_export "$SB" tshark -n -r "$SMALLFILE" -q --export-objects "http,$RUN/tshark-small-objects"
        clean "$RUN/tshark-small-objects"
    fi
    ROWS+=("${SROWS[@]}")
fi

if [ "$JOBS2" = 1 ]; then
    B2=$(($(stat -L -c %s "$FILE") + $(stat -L -c %s "$FILE2")))
    if [ -x "$PCAPCASE" ]; then
        measure pcapcase_jobs1_one "$BYTES" "$PCAPCASE" analyze --jobs 1 -o "$RUN/case-j1" --quiet "$FILE"
        clean "$RUN/case-j1"
        measure pcapcase_jobs2_two "$B2" "$PCAPCASE" analyze --jobs 2 -o "$RUN/case-j2" --quiet "$FILE" "$FILE2"
        clean "$RUN/case-j2"
    else
        skip pcapcase_jobs1_one "no pcapcase binary at $PCAPCASE"
        skip pcapcase_jobs2_two "no pcapcase binary at $PCAPCASE"
    fi
    ROWS+=(pcapcase_jobs1_one pcapcase_jobs2_two)
fi

echo
printf '%-26s %9s %9s %9s %6s  %s\n' command "wall s" "MB/s" "RSS MB" "CPU" status
printf '%-26s %9s %9s %9s %6s  %s\n' -------------------------- --------- --------- --------- ------ ------
for n in "${ROWS[@]}"; do
    if [ "${STATUS[$n]}" = ok ] || [[ ${STATUS[$n]} == "ok "* ]]; then
        printf '%-26s %9s %9s %9s %6s  %s\n' "$n" "${WALL[$n]}" "${RATE[$n]}" "${RSS[$n]}" "${CPU[$n]}" "${STATUS[$n]}"
    else
        printf '%-26s %9s %9s %9s %6s  %s\n' "$n" - - - - "${STATUS[$n]}"
    fi
done

ok() { [[ ${STATUS[$1]:-} == ok* ]]; }
# ratio NAME WANT_X WANT_PCT — speed against both tshark runs, share of the floor's MB/s.
ratio() {
    local n=$1 want_x=$2 want_pct=$3
    if ! ok "$n"; then
        printf '  %-24s not measured (%s)\n' "$n" "${STATUS[$n]}"
        return
    fi
    awk -v n="$n" -v w="${WALL[$n]}" -v ts="${WALL[tshark_stats]}" -v te="${WALL[tshark_export]}" \
        -v r="${RATE[$n]}" -v lr="${RATE[loop]}" -v wx="$want_x" -v wp="$want_pct" \
        -v tok="$(ok tshark_stats && ok tshark_export && echo 1 || echo 0)" 'BEGIN {
        x = (tok && w > 0) ? (ts + te) / w : 0; p = lr > 0 ? 100 * r / lr : 0
        printf "  %-24s %6.1fx tshark (stats+export, target >= %sx: %s)   %5.1f%% of the bare loop (target >= %s%%: %s)\n",
            n, x, wx, (!tok ? "n/a" : x >= wx ? "met" : "MISSED"), p, wp, (p >= wp ? "met" : "MISSED") }'
}
echo
echo "ratios:"
if [ "$INTEL" != 0 ] && ok pcapcase_analyze && ok pcapcase_analyze_intel; then
    awk -v a="${WALL[pcapcase_analyze]}" -v b="${WALL[pcapcase_analyze_intel]}" \
        -v ra="${RSS[pcapcase_analyze]}" -v rb="${RSS[pcapcase_analyze_intel]}" -v n="$INTEL" 'BEGIN {
        printf "  %-24s %d indicators add %.2f s (%+.1f%%) and %d MB peak RSS to the analysis\n",
            "--intel", n, b - a, (a > 0 ? 100 * (b - a) / a : 0), rb - ra }'
fi
ratio pcapcase_analyze 15 25
ratio pcapcase_analyze_sha256 20 40
ratio pcapcase_quick_types 15 25
ratio pcapcase_carve 10 25
# share NAME LABEL — from the phase times pcapcase printed with PCAPCASE_TIMINGS=1 in row
# NAME's stderr (its last "timings" line): charts + reports against the analysis.
share() {
    local n=$1 label=$2
    ok "$n" && grep -q '^pcapcase: timings' "$RUN/$n.stderr" || return 0
    grep '^pcapcase: timings' "$RUN/$n.stderr" | tail -1 | awk -v label="$label" '{
        for (i = 4; i < NF; i += 2) t[$i] = $(i + 1)
        out = t["charts"] + t["reports"]; a = t["analysis"]; share = 0
        if (a > 0) share = 100 * out / a
        verdict = (a > 0 && share <= 10) ? "met" : "MISSED"
        printf "  %-24s charts %.2f s + reports %.2f s = %.1f%% of the analysis (%.2f s; target <= 10%%: %s)\n",
            label, t["charts"], t["reports"], share, a, verdict
        # CPU seconds of every thread (NAME_cpu): load on the machine does not inflate them
        if (t["analysis_cpu"] > 0)
            printf "  %-24s CPU: charts %.2f s + reports %.2f s = %.1f%% of the analysis CPU (%.2f s)\n",
                "", t["charts_cpu"], t["reports_cpu"],
                100 * (t["charts_cpu"] + t["reports_cpu"]) / t["analysis_cpu"], t["analysis_cpu"] }'
}
share pcapcase_analyze "charts + reports"
if ok pcapcase_jobs1 && ok pcapcase_jobs2; then
    awk -v a="${WALL[pcapcase_jobs1]}" -v b="${WALL[pcapcase_jobs2]}" 'BEGIN {
        x = b > 0 ? a / b : 0
        printf "  %-24s %6.2fx the --jobs 1 speed (%.2f s vs %.2f s; target >= 1.6x: %s)\n",
            "--jobs 2 on one capture", x, b, a, (x >= 1.6 ? "met" : "MISSED") }'
else
    printf '  %-24s not measured (%s / %s)\n' "--jobs 2 on one capture" "${STATUS[pcapcase_jobs1]}" "${STATUS[pcapcase_jobs2]}"
fi
if [ "$SMALL" != 0 ]; then
    if ok small_pcapcase && ok small_tshark_stats && ok small_tshark_export; then
        awk -v w="${WALL[small_pcapcase]}" -v ts="${WALL[small_tshark_stats]}" \
            -v te="${WALL[small_tshark_export]}" 'BEGIN {
            x = w > 0 ? (ts + te) / w : 0
            printf "  %-24s %6.1fx tshark (stats+export on it, %.2f s vs %.2f s; target >= 5x: %s)\n",
                "many small objects", x, w, ts + te, (x >= 5 ? "met" : "MISSED") }'
        share small_pcapcase "small: charts + reports"
    else
        printf '  %-24s not measured (%s)\n' "many small objects" "${STATUS[small_pcapcase]}"
    fi
fi
if [ "$JOBS2" = 1 ]; then
    if ok pcapcase_jobs1_one && ok pcapcase_jobs2_two; then
        awk -v a="${RATE[pcapcase_jobs1_one]}" -v b="${RATE[pcapcase_jobs2_two]}" 'BEGIN {
            x = a > 0 ? b / a : 0
            printf "  %-24s %6.2fx the one-job rate (%.1f vs %.1f MB/s; target >= 1.7x: %s)\n",
                "--jobs 2 on two captures", x, b, a, (x >= 1.7 ? "met" : "MISSED") }'
    else
        printf '  %-24s not measured (%s / %s)\n' "--jobs 2" "${STATUS[pcapcase_jobs1_one]}" "${STATUS[pcapcase_jobs2_two]}"
    fi
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results: $RESULTS (and results.tsv); per-command stdout/stderr/time files in $RUN"
