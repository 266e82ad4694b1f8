#!/usr/bin/env bash
# Record the STARTTLS lab capture (tests/lab/files/starttls.pcap), its TLS
# key log (starttls.keys, SSLKEYLOGFILE format) and its truth
# (starttls.json): curl against starttls_servers.py on the loopback of a
# private network namespace, every session switched to TLS first
# (--ssl-reqd):
#
#   SMTP  STARTTLS, AUTH PLAIN, msg1.eml (multipart: PDF and CSV attachments)
#   POP3  STLS, USER/PASS, RETR 1 (msg1.eml)
#   IMAP  STARTTLS, LOGIN, FETCH 1 BODY[] (msg1.eml)
#
#   sudo tests/lab/files/record_starttls.sh   (root: ip netns, tcpdump)
#
# The committed capture and key log are what the tests use; this script is
# how they were made.  The message is content.py's msg1 (truth.json has its
# parts); the credentials are the ones below.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_starttls.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-starttls.XXXXXX)
NS=pcf-starttls
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["submit", "tls Secret 5"], "pop3": ["dave", "pop-tls-6"], "imap": ["erin", "imap-tls-7"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/spool"
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/cert.pem" "$WORK/key.pem" "$WORK/spool" "$MSG" \
    "$WORK/users.json" 2>"$WORK/servers.log" &
for p in 25 110 143; do lab_wait_port $NS 127.0.0.1 $p; done

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/starttls.pcap" \
    'tcp port 25 or tcp port 110 or tcp port 143'
sleep 1
export SSLKEYLOGFILE=$WORK/starttls.keys
inN curl -sS --ssl-reqd -k "smtp://127.0.0.1/lab.example" -u 'submit:tls Secret 5' \
    --login-options AUTH=PLAIN --mail-from mallory@example.org --mail-rcpt dropbox@example.net -T "$MSG"
inN curl -sS --ssl-reqd -k -o "$WORK/pop3.eml" -u 'dave:pop-tls-6' "pop3://127.0.0.1/1"
inN curl -sS --ssl-reqd -k -o "$WORK/imap.eml" -u 'erin:imap-tls-7' "imap://127.0.0.1/INBOX/;MAILINDEX=1"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cmp "$WORK/spool/received-1.eml" "$MSG"
cmp "$WORK/pop3.eml" "$MSG"
cmp "$WORK/imap.eml" "$MSG"

cp "$WORK/starttls.pcap" "$WORK/starttls.keys" "$OUT/"
$PY - "$MSG" "$WORK/users.json" "$OUT/starttls.json" <<'PY'
import hashlib, json, sys
msg = open(sys.argv[1], "rb").read()
truth = {"message": "msg1", "message_sha256": hashlib.sha256(msg).hexdigest(),
         "creds": json.load(open(sys.argv[2])),
         "sessions": ["smtp STARTTLS AUTH PLAIN DATA", "pop3 STLS USER/PASS RETR 1",
                      "imap STARTTLS LOGIN FETCH 1 BODY[]"]}
json.dump(truth, open(sys.argv[3], "w"), indent=1, sort_keys=True)
PY
echo "starttls.pcap: $(stat -c %s "$OUT/starttls.pcap") bytes, $(wc -l <"$OUT/starttls.keys") key lines" >&2
