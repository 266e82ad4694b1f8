#!/usr/bin/env bash
# Record the OAuth mail logins lab capture (tests/lab/files/oauth_mail.pcap)
# and its truth (oauth_mail.json): curl against starttls_servers.py with
# "oauth" on the loopback of a private network namespace, in clear, each
# login a bearer token (XOAUTH2, or OAUTHBEARER of RFC 7628) the server
# checks:
#
#   SMTP  AUTH XOAUTH2 as carol with a wrong token (refused)
#   SMTP  AUTH XOAUTH2 as carol, then msg1.eml sent
#   POP3  AUTH OAUTHBEARER as dave, RETR 1
#   IMAP  AUTHENTICATE XOAUTH2 as erin (initial response: SASL-IR), FETCH 1
#
#   sudo tests/lab/files/record_oauth_mail.sh   (root: ip netns, tcpdump)
#
# The committed capture is what the tests use; this script is how it was
# made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_oauth_mail.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-oauth.XXXXXX)
NS=pcf-oauth
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["carol@lab.example", "ya29.smtp-Token-3"], "pop3": ["dave@lab.example", "ya29.pop-Token-5"],
 "imap": ["erin@lab.example", "ya29.imap-Token-7"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/spool"
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/cert.pem" "$WORK/key.pem" "$WORK/spool" "$MSG" \
    "$WORK/users.json" oauth 2>"$WORK/servers.log" &
lab_wait_port $NS 127.0.0.1 143

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/oauth_mail.pcap" \
    'tcp port 25 or tcp port 110 or tcp port 143'
sleep 1
if inN curl -sS -u 'carol@lab.example:' --oauth2-bearer 'ya29.not-the-token' \
    --login-options 'AUTH=XOAUTH2' --mail-from carol@lab.example --mail-rcpt erin@lab.example \
    -T "$MSG" "smtp://127.0.0.1/client.lab.example" 2>"$WORK/refused.err"; then
    echo "record_oauth_mail.sh: the wrong token was accepted" >&2
    exit 1
fi
inN curl -sS -u 'carol@lab.example:' --oauth2-bearer 'ya29.smtp-Token-3' \
    --login-options 'AUTH=XOAUTH2' --mail-from carol@lab.example --mail-rcpt erin@lab.example \
    -T "$MSG" "smtp://127.0.0.1/client.lab.example"
inN curl -sS -o "$WORK/pop3.eml" -u 'dave@lab.example:' --oauth2-bearer 'ya29.pop-Token-5' \
    --login-options 'AUTH=OAUTHBEARER' "pop3://127.0.0.1/1"
inN curl -sS -o "$WORK/imap.eml" -u 'erin@lab.example:' --oauth2-bearer 'ya29.imap-Token-7' \
    --login-options 'AUTH=XOAUTH2' --sasl-ir "imap://127.0.0.1/INBOX;UID=1"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cmp "$WORK/pop3.eml" "$MSG"
cmp "$WORK/imap.eml" "$MSG"
cmp "$WORK/spool/received-1.eml" "$MSG"

cp "$WORK/oauth_mail.pcap" "$OUT/"
$PY - "$MSG" "$OUT/oauth_mail.json" <<'PY'
import hashlib, json, sys
truth = {"message_sha256": hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(),
         "logins": [{"proto": "smtp", "mechanism": "AUTH XOAUTH2", "user": "carol@lab.example",
                     "token": "ya29.not-the-token", "outcome": "rejected"},
                    {"proto": "smtp", "mechanism": "AUTH XOAUTH2", "user": "carol@lab.example",
                     "token": "ya29.smtp-Token-3", "outcome": "accepted"},
                    {"proto": "pop3", "mechanism": "AUTH OAUTHBEARER", "user": "dave@lab.example",
                     "token": "ya29.pop-Token-5", "outcome": "accepted"},
                    {"proto": "imap", "mechanism": "AUTHENTICATE XOAUTH2",
                     "user": "erin@lab.example", "token": "ya29.imap-Token-7",
                     "outcome": "accepted"}]}
json.dump(truth, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
echo "oauth_mail.pcap: $(stat -c %s "$OUT/oauth_mail.pcap") bytes" >&2
