#!/usr/bin/env bash
# Record the DNS-over-TLS lab capture (tests/lab/dot/dot.pcap), its TLS key
# log (dot.keys) and its truth (dot.json): dot_lab.py's client against its
# server on 127.0.0.1:853 in a private network namespace — a TLS 1.3 session
# with three queries (two names that resolve, one NXDOMAIN) and a TLS 1.2
# session with one.
#
#   sudo tests/lab/dot/record.sh   (root: ip netns, tcpdump, port 853)
#
# The committed files are what tests/e2e/test_dot_decrypted.py uses; this
# script is how they were made (a re-recording changes keys and times, not
# the truth).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_dot.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, port 853"
lab_require_tools tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-dot.XXXXXX)
NS=pcf-dot
trap lab_cleanup EXIT
lab_netns_add $NS
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=dot.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
ip netns exec $NS /usr/bin/python3 "$HERE/dot_lab.py" server "$WORK/cert.pem" "$WORK/key.pem" 853 &
PIDS+=($!)
lab_wait_port $NS 127.0.0.1 853
lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U --immediate-mode -s 0 -w "$WORK/dot.pcap" tcp port 853
ip netns exec $NS env SSLKEYLOGFILE="$WORK/dot.keys" /usr/bin/python3 "$HERE/dot_lab.py" \
    client 853 "$WORK/dot.json"
sleep 1.5
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cp "$WORK/dot.pcap" "$WORK/dot.keys" "$WORK/dot.json" "$OUT/"
say "dot.pcap: $(stat -c %s "$OUT/dot.pcap") bytes, $(wc -l <"$OUT/dot.keys") key lines"
