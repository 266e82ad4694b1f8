#!/usr/bin/env bash
# snapshot_logs.sh — the logs a pcapcase binary writes for a set of captures,
# one case per capture, into one folder, so two builds can be compared with
# `diff -r` (refactors must leave every log byte-identical).
#
#   tests/tools/snapshot_logs.sh PCAPCASE OUT_DIR CAPTURE_OR_DIR...
#
# Each capture gets OUT_DIR/<path with / as __>/ holding logs/*.ndjson,
# the artifact and certificate names, case.json without its volatile fields
# (created, command line, tool version) and the exit status.  Runs one
# capture at a time with --jobs 1 (SNAPSHOT_JOBS=N: N workers) so the
# machine's load does not matter.
set -uo pipefail
bin=$1
out=$2
shift 2
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000
list() {
    for p in "$@"; do
        if [ -d "$p" ]; then
            find "$p" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' \
                -o -name '*.trace' -o -name '*.cap' -o -name '*.dump' \) | sort
        else
            echo "$p"
        fi
    done
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
list "$@" | while read -r cap; do
    key=$(echo "$cap" | sed -E 's#^(\.\.?/)+##; s#^/##; s#/#__#g')
    dst="$out/$key"
    rm -rf "$tmp/case" "$dst"
    mkdir -p "$dst"
    timeout 300 "$bin" analyze -q --jobs "${SNAPSHOT_JOBS:-1}" -o "$tmp/case" "$cap" >/dev/null 2>"$dst/stderr"
    echo $? >"$dst/status"
    sed -i "s#$tmp/case#CASE#g" "$dst/stderr"
    [ -d "$tmp/case/logs" ] && cp "$tmp/case/logs/"*.ndjson "$dst/" 2>/dev/null
    (cd "$tmp/case" 2>/dev/null && ls artifacts certs 2>/dev/null) >"$dst/objects"
    if [ -f "$tmp/case/case.json" ]; then
        python3 - "$tmp/case/case.json" >"$dst/case.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("created", "command_line", "tool", "version", "argv"):
    d.pop(k, None)
print(json.dumps(d, indent=1, sort_keys=True))
EOF
    fi
done
