#!/usr/bin/env bash
# Record the HTTP Basic logins lab capture (tests/lab/files/http_basic.pcap),
# its TLS key log (http_basic.keys, curl's SSLKEYLOGFILE) and its truth
# (http_basic.json): curl against basic_http_server.py on the loopback of a
# private network namespace, every login checked by the server:
#
#   HTTP   alice with 11 different wrong passwords (401 each), then hers (200)
#   HTTPS  bob (TLS 1.3) with a wrong password (401), then his (200)
#   HTTP   alice's login form posted with a wrong password (200 "wrong password"),
#          then hers (302); a form without a password field (a search)
#   HTTPS  bob's form (fields user and pass) with a password that needs
#          %-encoding, "p@ss w0rd&co" (200 "wrong password")
#
#   sudo tests/lab/files/record_http_basic.sh   (root: ip netns, tcpdump)
#
# The committed capture is what tests/e2e/test_http_basic.py uses; this
# script is how it was made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_http_basic.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-basic.XXXXXX)
NS=pcf-basic
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }
get() { # USER PASSWORD URL: the status
    inN env SSLKEYLOGFILE="$WORK/http_basic.keys" curl -sS -k -o /dev/null -w '%{http_code}' \
        -u "$1:$2" "$3"
}

lab_netns_add $NS
cat >"$WORK/users.json" <<'JSON'
{"alice": "basic-Web-2", "bob": "basic-Tls-6"}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=www.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
inN $PY "$HERE/basic_http_server.py" 127.0.0.1 80 443 "$WORK/cert.pem" "$WORK/key.pem" \
    "$WORK/users.json" 2>"$WORK/server.log" &
lab_wait_port $NS 127.0.0.1 443

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/http_basic.pcap" \
    'tcp port 80 or tcp port 443'
sleep 1
WRONG="admin password 123456 alice alice1 Alice2026 letmein qwerty welcome secret changeme"
for p in $WRONG; do
    [ "$(get alice "$p" http://127.0.0.1/admin/)" = 401 ] ||
        { echo "record_http_basic.sh: alice:$p was not refused" >&2; exit 1; }
done
[ "$(get alice basic-Web-2 http://127.0.0.1/admin/)" = 200 ]
[ "$(get bob not-his https://127.0.0.1/private/)" = 401 ]
[ "$(get bob basic-Tls-6 https://127.0.0.1/private/)" = 200 ]
post() { # URL FIELD=VALUE...: the status
    local url=$1
    shift
    local args=()
    for f in "$@"; do args+=(--data-urlencode "$f"); done
    inN env SSLKEYLOGFILE="$WORK/http_basic.keys" curl -sS -k -o /dev/null -w '%{http_code}' \
        "${args[@]}" "$url"
}
[ "$(post http://127.0.0.1/login username=alice password=form-Wrong-1)" = 200 ]
[ "$(post http://127.0.0.1/login username=alice password=basic-Web-2)" = 302 ]
[ "$(post http://127.0.0.1/search q=annual+report)" = 200 ]
[ "$(post https://127.0.0.1/login user=bob 'pass=p@ss w0rd&co')" = 200 ]
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

cp "$WORK/http_basic.pcap" "$WORK/http_basic.keys" "$OUT/"
# shellcheck disable=SC2086 # the list is split on purpose
$PY - "$OUT/http_basic.json" $WRONG <<'PY'
import json, sys
truth = {"http": {"user": "alice", "wrong": sys.argv[2:], "password": "basic-Web-2"},
         "https": {"user": "bob", "wrong": ["not-his"], "password": "basic-Tls-6"},
         "forms": [{"user": "alice", "password": "form-Wrong-1", "tls": False},
                   {"user": "alice", "password": "basic-Web-2", "tls": False},
                   {"user": "bob", "password": "p@ss w0rd&co", "tls": True}]}
with open(sys.argv[1], "w") as f:
    json.dump(truth, f, indent=1)
    f.write("\n")
PY
echo "http_basic.pcap: $(stat -c %s "$OUT/http_basic.pcap") bytes" >&2
