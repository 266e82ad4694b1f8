#!/usr/bin/env bash
# setup.sh — install what is missing, build, and run pcapcase.
#
#   ./setup.sh demo   install, build, analyse sample_pcaps/ into ./case, print the report path
#   ./setup.sh test   install, build (normal, ASan/UBSan, Release with gcc and clang),
#                     run every test
#   ./setup.sh build  install and build only
#   ./setup.sh slurm-up / slurm-down
#                     start / stop a single-node Slurm cluster on this machine
#                     (root; for the Slurm runner's tests: docs/cluster.md)
#
# Debian packages are installed with apt-get when missing: directly as root,
# through sudo otherwise.  Builds go to build/ and build-asan/ (and, for test,
# build-release-gcc/ and build-release-clang/).  The test builds treat
# warnings as errors (PCAPCASE_WERROR); build and demo do not.  Tests that
# need the external corpus ($PCAPCASE_CORPUS, else ../shared/corpus) are
# reported as skipped without it.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

# Build and runtime libraries, then what the tests use as oracles and viewers.
PKGS_BUILD=(build-essential cmake pkg-config libpcap-dev libcairo2-dev libpng-dev
            libjson-c-dev libcunit1-dev libssl-dev zlib1g-dev libbrotli-dev libzstd-dev libmagic-dev libmaxminddb-dev
            libnghttp2-dev fonts-dejavu-core ieee-data python3)
# nginx-light, curl, tcpdump, nghttp2-server/-client and brotli record the HTTPS / HTTP/2
# captures at test time (tests/lab/record_tls.sh); those tests skip without them.
# libreoffice-calc-nogui opens the workbook in test_workbook_strings.py.
PKGS_TEST=(tshark wireshark-common chromium poppler-utils clang clang-format libclang-rt-14-dev
           libfuzzer-14-dev time libmaxmind-db-writer-perl nginx-light curl tcpdump nghttp2-server
           nghttp2-client brotli libreoffice-calc-nogui)

# ctest in the ASan/UBSan build with the options the sanitizers need.
SWEEP_TEST='^e2e\.test_corpus_sweep$'
# Every corpus file with --jobs 1 and --jobs 3 (5 minutes idle): `sweep` only.
JOBS_SWEEP_TEST='^e2e\.test_corpus_jobs$'
asan_ctest() {
    (cd "$ROOT/build-asan" &&
        LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp":print_suppressions=0 \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$JOBS" "$@")
}

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}" >&2
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "setup: need root or sudo to install: ${missing[*]}" >&2
            echo "setup: run as root: apt-get install -y ${missing[*]}" >&2
            exit 3
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null || true
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake args...]  (RelWithDebInfo unless the args say otherwise)
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$ROOT/$dir" -j "$JOBS"
}

skipped() { # skipped DIR: the SKIP lines of the last ctest run there, once each
    grep -h "^SKIP " "$ROOT/$1/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u |
        sed 's/^/  /' || true
}

# A single-node Slurm cluster on this machine, for the Slurm runner's tests
# (scripts/pcapcase-slurm, tests/e2e/test_slurm*.py, docs/cluster.md): munged,
# slurmctld and slurmd run as root with a slurm.conf written here that names
# this host.  It suits a container: no cgroups (processes are tracked through
# /proc, tasks are not bound), no accounting database.  State, logs and pid
# files are under $SLURM_STATE; /etc/slurm/slurm.conf counts as ours only when
# it carries SLURM_MARK, so a machine's own Slurm is never touched.
SLURM_STATE=${PCAPCASE_SLURM_STATE:-/var/spool/pcapcase-slurm}
SLURM_CONF_FILE=/etc/slurm/slurm.conf
SLURM_MARK="# written by pcapcase's ./setup.sh slurm-up"
SLURM_UP_WAIT=60 # seconds for the node to register (a few here; a slow CI machine may take more)

slurm_conf_text() { # the slurm.conf for this host and its CPUs
    local host cpus
    host=$(hostname -s)
    cpus=$(nproc)
    cat <<CONF
$SLURM_MARK: a single-node cluster
# for the Slurm runner's tests (docs/cluster.md).  './setup.sh slurm-down' stops it.
ClusterName=pcapcase
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$SLURM_STATE/ctld
SlurmdSpoolDir=$SLURM_STATE/slurmd
SlurmctldPidFile=$SLURM_STATE/slurmctld.pid
SlurmdPidFile=$SLURM_STATE/slurmd.pid
SlurmctldLogFile=$SLURM_STATE/slurmctld.log
SlurmdLogFile=$SLURM_STATE/slurmd.log
# no cgroups in a container: processes are found through /proc, tasks are not bound
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { # running PIDFILE NAME: the daemon named in that pid file is alive
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

slurm_node_state() { sinfo -h -n "$(hostname -s)" -o %t 2>/dev/null | head -n 1; }

slurm_up() {
    install_missing slurm-wlm munge
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: slurm-up starts munged, slurmctld and slurmd as root: run it as root" >&2
        exit 3
    fi
    if [ -e "$SLURM_CONF_FILE" ] && ! grep -qF "$SLURM_MARK" "$SLURM_CONF_FILE"; then
        echo "setup: $SLURM_CONF_FILE was not written by slurm-up: this machine's Slurm is left alone" >&2
        exit 3
    fi
    mkdir -p "$SLURM_STATE/ctld" "$SLURM_STATE/slurmd" /run/munge
    # munge: a key of our own when the package made none; munged as the munge user
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        chown munge:munge /run/munge
        runuser -u munge -- munged
        touch "$SLURM_STATE/munged.ours" # slurm-down stops only a munged it started
    fi
    # a changed slurm.conf (another host name or CPU count) restarts the daemons with it
    local conf
    conf=$(slurm_conf_text)
    if [ "$(cat "$SLURM_CONF_FILE" 2>/dev/null)" != "$conf" ]; then
        slurm_stop_daemons
        printf '%s\n' "$conf" >"$SLURM_CONF_FILE"
    fi
    running "$SLURM_STATE/slurmctld.pid" slurmctld || slurmctld
    running "$SLURM_STATE/slurmd.pid" slurmd || slurmd
    local t state=""
    for ((t = 0; t < SLURM_UP_WAIT; t++)); do
        state=$(slurm_node_state)
        case "$state" in
        idle | mix | alloc | comp*)
            echo "setup: Slurm is up: node $(hostname -s) $state, $(nproc) CPUs, partition debug" >&2
            return 0
            ;;
        esac
        sleep 1
    done
    echo "setup: the Slurm node did not come up in ${SLURM_UP_WAIT} s (state '${state:-none}'):" \
        "see $SLURM_STATE/slurmctld.log and slurmd.log" >&2
    exit 1
}

slurm_stop_daemons() { # the slurmd and slurmctld of our pid files, nothing else
    local d pid t
    for d in slurmd slurmctld; do
        running "$SLURM_STATE/$d.pid" "$d" || continue
        pid=$(cat "$SLURM_STATE/$d.pid")
        kill "$pid"
        for ((t = 0; t < 20; t++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
    done
}

slurm_down() {
    slurm_stop_daemons
    if [ -e "$SLURM_STATE/munged.ours" ] && running /run/munge/munged.pid munged; then
        kill "$(cat /run/munge/munged.pid)"
    fi
    rm -f "$SLURM_STATE/munged.ours"
    echo "setup: Slurm stopped (state and logs kept in $SLURM_STATE)" >&2
}

cmd=${1:-demo}
case "$cmd" in
build)
    install_missing "${PKGS_BUILD[@]}"
    build build
    ;;
demo)
    install_missing "${PKGS_BUILD[@]}"
    build build
    rm -rf "$ROOT/case" "$ROOT/compare"
    set +e
    shopt -s nullglob
    incident=("$ROOT"/sample_pcaps/incident-*.pcap "$ROOT"/sample_pcaps/incident-*.pcapng \
              "$ROOT"/sample_pcaps/incident-*.gz)
    "$ROOT/build/pcapcase" analyze --name "pcapcase sample incident" -o "$ROOT/case" "${incident[@]}"
    rc=$?
    "$ROOT/build/pcapcase" compare --label-a "client side" --label-b "server side" \
        -o "$ROOT/compare" "$ROOT/sample_pcaps/compare-a.pcap" "$ROOT/sample_pcaps/compare-b.pcap"
    set -e
    echo
    echo "Report:     $ROOT/case/report.html"
    echo "Workbook:   $ROOT/case/report.xlsx"
    echo "Logs:       $ROOT/case/logs/"
    echo "Comparison: $ROOT/compare/report.html"
    exit $rc
    ;;
test)
    install_missing "${PKGS_BUILD[@]}" "${PKGS_TEST[@]}"
    build build -DPCAPCASE_WERROR=ON
    build build-asan -DPCAPCASE_SANITIZE=ON -DPCAPCASE_WERROR=ON
    status=0
    echo "== tests (release build)"
    (cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS" -E "$JOBS_SWEEP_TEST") || status=1
    skips=$(skipped build)
    [ -z "$skips" ] || printf '== skipped tests and parts (what they need)\n%s\n' "$skips"
    # Every test again under the sanitizers, except the corpus sweep (1640
    # captures, 18 minutes under ASan here): that one is `./setup.sh sweep`.
    echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer; the corpus sweep: ./setup.sh sweep)"
    asan_ctest -E "$SWEEP_TEST|$JOBS_SWEEP_TEST" || status=1
    # What packagers run: Release (-O3) with both compilers, warnings as errors;
    # then the fast tests on each (unit, charts, data cases).
    for cc in gcc clang; do
        echo "== Release build with $cc (warnings as errors) and its fast tests"
        if build "build-release-$cc" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$cc" \
            -DPCAPCASE_WERROR=ON; then
            (cd "$ROOT/build-release-$cc" &&
                ctest --output-on-failure -j "$JOBS" -R '^(unit|charts|data)\.') || status=1
        else
            echo "setup: Release build with $cc failed" >&2
            status=1
        fi
    done
    echo "== fuzzing (a short run of every libFuzzer target; long runs: tests/fuzz/run.sh 3600)"
    "$ROOT/tests/fuzz/run.sh" "${FUZZ_SECONDS:-30}" || status=1
    exit $status
    ;;
sweep)
    # The long runs kept out of `test`: every corpus capture through the
    # ASan/UBSan build (the release build's sweep runs in `test`), then every
    # corpus capture with one worker and with three (the release build).
    install_missing "${PKGS_BUILD[@]}" "${PKGS_TEST[@]}"
    build build-asan -DPCAPCASE_SANITIZE=ON -DPCAPCASE_WERROR=ON
    build build -DPCAPCASE_WERROR=ON
    status=0
    echo "== the corpus sweep under AddressSanitizer + UndefinedBehaviorSanitizer"
    asan_ctest -R "$SWEEP_TEST" || status=1
    echo "== every corpus capture with --jobs 1 and --jobs 3: the same logs"
    (cd "$ROOT/build" && ctest --output-on-failure -R "$JOBS_SWEEP_TEST") || status=1
    exit $status
    ;;
slurm-up)
    slurm_up
    ;;
slurm-down)
    slurm_down
    ;;
*)
    echo "usage: ./setup.sh demo|test|sweep|build|slurm-up|slurm-down" >&2
    exit 2
    ;;
esac
