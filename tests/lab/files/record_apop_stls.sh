#!/usr/bin/env bash
# Record the APOP-after-STLS lab capture (tests/lab/files/apop_stls.pcap),
# its TLS key log (apop_stls.keys, SSLKEYLOGFILE format) and its truth
# (apop_stls.json): curl against starttls_servers.py with "apop" on the
# loopback of a private network namespace.  The server's greeting carries an
# APOP challenge (in clear); curl switches to TLS (STLS, --ssl-reqd) and
# logs in with APOP inside TLS, whose digest is MD5(challenge + password) —
# the challenge from before the switch (RFC 2595 4: no greeting follows):
#
#   POP3  STLS, APOP with a wrong password (refused)
#   POP3  STLS, APOP, RETR 1 (msg1.eml)
#
#   sudo tests/lab/files/record_apop_stls.sh   (root: ip netns, tcpdump)
#
# The committed capture and key log are what the tests use; this script is
# how they were made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_apop_stls.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-apop.XXXXXX)
NS=pcf-apop
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["submit", "unused"], "pop3": ["frank", "apop-tls-8"], "imap": ["erin", "unused"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/spool"
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/cert.pem" "$WORK/key.pem" "$WORK/spool" "$MSG" \
    "$WORK/users.json" apop 2>"$WORK/servers.log" &
lab_wait_port $NS 127.0.0.1 110

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/apop_stls.pcap" 'tcp port 110'
sleep 1
export SSLKEYLOGFILE=$WORK/apop_stls.keys
if inN curl -sS --ssl-reqd -k -o /dev/null -u 'frank:not-the-password' --login-options 'AUTH=+APOP' \
    "pop3://127.0.0.1/1" 2>"$WORK/refused.err"; then
    echo "record_apop_stls.sh: the wrong password was accepted" >&2
    exit 1
fi
inN curl -sS --ssl-reqd -k -o "$WORK/pop3.eml" -u 'frank:apop-tls-8' --login-options 'AUTH=+APOP' \
    "pop3://127.0.0.1/1"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cmp "$WORK/pop3.eml" "$MSG"

cp "$WORK/apop_stls.pcap" "$WORK/apop_stls.keys" "$OUT/"
$PY - "$MSG" "$OUT/apop_stls.json" <<'PY'
import hashlib, json, sys
challenge = "<4242.1764547200@mail.lab.example>"
def digest(pw):
    return hashlib.md5((challenge + pw).encode()).hexdigest()
truth = {"message_sha256": hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(),
         "challenge": challenge, "user": "frank",
         "logins": [{"digest": digest("not-the-password"), "outcome": "rejected"},
                    {"digest": digest("apop-tls-8"), "outcome": "accepted"}],
         "sessions": ["pop3 STLS APOP (wrong password)", "pop3 STLS APOP RETR 1"]}
json.dump(truth, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
echo "apop_stls.pcap: $(stat -c %s "$OUT/apop_stls.pcap") bytes, $(wc -l <"$OUT/apop_stls.keys") key lines" >&2
