#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] — build the libFuzzer targets with clang and run
# each for SECONDS (default 60) on seeds from tests/data/ and, when present,
# the external corpus ($PCAPCASE_CORPUS, else ../shared/corpus).  A crash leaves
# its input in tests/fuzz/crashes/ (copy it to tests/fuzz/regress/<target>/ and
# it becomes a regression input, replayed by every test run).
#   Long runs: tests/fuzz/run.sh 3600
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECS=${1:-60}
command -v clang >/dev/null || { echo "fuzz: clang not installed, skipped"; exit 0; }
B=$ROOT/build-fuzz
CC=clang cmake -S "$ROOT" -B "$B" -DPCAPCASE_FUZZ=ON -DPCAPCASE_SANITIZE=ON \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
cmake --build "$B" -j "$(nproc)" --target $targets >/dev/null
CORPUS=${PCAPCASE_CORPUS:-$ROOT/../shared/corpus}
# leaks of libraries we cannot fix (tests/lsan.supp says which)
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
WORK=$ROOT/tests/fuzz/corpus-work
mkdir -p "$WORK" "$ROOT/tests/fuzz/crashes"
status=0
for t in $targets; do
    seeds=$WORK/$t
    mkdir -p "$seeds"
    case $t in
    fuzz_capture)
        find "$ROOT/tests/data" -type f -name '*.pcap*' -size -64k -exec cp -n {} "$seeds/" \;
        if [ -d "$CORPUS/zeek-traces" ]; then
            find "$CORPUS/zeek-traces" -maxdepth 1 -type f -size -64k -exec cp -n {} "$seeds/" \;
        fi ;;
    fuzz_template) cp -n "$ROOT"/report_templates/*.html "$seeds/" ;;
    fuzz_files) python3 "$ROOT/tests/fuzz/files_seeds.py" "$seeds" ;;
    fuzz_intel) cp -n "$ROOT"/tests/fuzz/seeds/fuzz_intel/* "$seeds/" ;;
    fuzz_mmdb) perl "$ROOT/tests/tools/make_test_mmdb.pl" "$seeds" 2>/dev/null || true ;;
    fuzz_keylog | fuzz_http2 | fuzz_tls_records)
        command -v python3 >/dev/null && python3 "$ROOT/tests/fuzz/make_seeds.py" "$ROOT" "$WORK" ;;
    esac
    regress=$ROOT/tests/fuzz/regress/$t
    if [ -d "$regress" ] && ls "$regress"/* >/dev/null 2>&1; then
        "$B/tests/fuzz/$t" "$regress"/* >/dev/null 2>&1 || { echo "fuzz: $t fails on a regression input"; status=1; }
    fi
    start=$(date +%s)
    if "$B/tests/fuzz/$t" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$ROOT/tests/fuzz/crashes/$t-" "$seeds" >"$WORK/$t.log" 2>&1; then
        runs=$(grep -o 'Done [0-9]* runs' "$WORK/$t.log" | grep -o '[0-9]*' || true)
        echo "fuzz: $t ran $(( $(date +%s) - start )) s, ${runs:-?} inputs, no finding"
    else
        echo "fuzz: $t FOUND A PROBLEM, see tests/fuzz/crashes/ and $WORK/$t.log"
        tail -30 "$WORK/$t.log"
        status=1
    fi
done
exit $status
