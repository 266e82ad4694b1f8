#!/usr/bin/env bash
# Record the NTLM-over-HTTP lab capture (tests/lab/files/ntlm_http.pcap) and
# its truth (ntlm_http.json): curl against ntlm_http_server.py on the
# loopback of a private network namespace, each NTLM answer NTLMv2 (the
# CHALLENGE carries target information and a fixed server challenge,
# ntlm_lab.SERVER_CHALLENGE) checked by the server:
#
#   --ntlm as LAB\carol with a wrong password (refused: 401)
#   --ntlm as LAB\carol, the page
#   --proxy-ntlm as dave through the "proxy" (Proxy-Authorization, 407 first)
#   --proxy-basic as erin through the proxy
#
#   sudo tests/lab/files/record_ntlm_http.sh   (root: ip netns, tcpdump)
#
# The committed capture is what the tests use; this script is how it was
# made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_ntlm_http.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-ntlmhttp.XXXXXX)
NS=pcf-ntlmhttp
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS
cat >"$WORK/users.json" <<'JSON'
{"carol": "ntlm-Web-3", "dave": "ntlm-Proxy-5", "erin": "basic-Proxy-7"}
JSON
inN $PY "$HERE/ntlm_http_server.py" 127.0.0.1 8080 "$WORK/users.json" 2>"$WORK/server.log" &
lab_wait_port $NS 127.0.0.1 8080

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/ntlm_http.pcap" 'tcp port 8080'
sleep 1
code=$(inN curl -sS -o /dev/null -w '%{http_code}' --ntlm -u 'LAB\carol:not-the-password' \
    http://127.0.0.1:8080/intranet/)
[ "$code" = 401 ] || { echo "record_ntlm_http.sh: the wrong password got $code" >&2; exit 1; }
inN curl -sS -o "$WORK/page1" --fail --ntlm -u 'LAB\carol:ntlm-Web-3' http://127.0.0.1:8080/intranet/
inN curl -sS -o "$WORK/page2" --fail --proxy-ntlm -U 'dave:ntlm-Proxy-5' -x http://127.0.0.1:8080 \
    http://www.lab.example/report
inN curl -sS -o "$WORK/page3" --fail --proxy-basic -U 'erin:basic-Proxy-7' -x http://127.0.0.1:8080 \
    http://www.lab.example/news
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
for p in page1 page2 page3; do [ "$(cat "$WORK/$p")" = "the page behind the login" ]; done

cp "$WORK/ntlm_http.pcap" "$OUT/"
cat >"$OUT/ntlm_http.json" <<'JSON'
{
 "server_challenge": "1122334455667788",
 "logins": [
  {"mechanism": "NetNTLMv2", "user": "carol", "domain": "LAB", "password": "not-the-password", "outcome": "rejected"},
  {"mechanism": "NetNTLMv2", "user": "carol", "domain": "LAB", "password": "ntlm-Web-3", "outcome": "accepted"},
  {"mechanism": "NetNTLMv2", "user": "dave", "password": "ntlm-Proxy-5", "outcome": "accepted"},
  {"mechanism": "Proxy Basic", "user": "erin", "password": "basic-Proxy-7", "outcome": "accepted"}
 ]
}
JSON
echo "ntlm_http.pcap: $(stat -c %s "$OUT/ntlm_http.pcap") bytes" >&2
