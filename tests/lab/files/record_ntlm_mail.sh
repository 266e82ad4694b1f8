#!/usr/bin/env bash
# Record the NTLM mail logins lab capture (tests/lab/files/ntlm_mail.pcap)
# and its truth (ntlm_mail.json): curl against starttls_servers.py with
# "ntlm" on the loopback of a private network namespace, in clear, each
# login NTLMv2 (the server's CHALLENGE carries target information; its
# server challenge is fixed, ntlm_lab.SERVER_CHALLENGE) and checked by the
# server against the password:
#
#   SMTP  AUTH NTLM as LAB\carol with a wrong password (refused)
#   SMTP  AUTH NTLM as LAB\carol, then msg1.eml sent
#   POP3  AUTH NTLM as dave, RETR 1
#   IMAP  AUTHENTICATE NTLM as erin, FETCH 1
#
#   sudo tests/lab/files/record_ntlm_mail.sh   (root: ip netns, tcpdump)
#
# The committed capture is what the tests use; this script is how it was
# made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_ntlm_mail.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-ntlm.XXXXXX)
NS=pcf-ntlm
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["carol", "ntlm-Smtp-3"], "pop3": ["dave", "ntlm-Pop-5"], "imap": ["erin", "ntlm-Imap-7"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/spool"
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/cert.pem" "$WORK/key.pem" "$WORK/spool" "$MSG" \
    "$WORK/users.json" ntlm 2>"$WORK/servers.log" &
lab_wait_port $NS 127.0.0.1 143

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/ntlm_mail.pcap" \
    'tcp port 25 or tcp port 110 or tcp port 143'
sleep 1
if inN curl -sS -u 'LAB\carol:not-the-password' --login-options 'AUTH=NTLM' \
    --mail-from carol@lab.example --mail-rcpt erin@lab.example -T "$MSG" \
    "smtp://127.0.0.1/client.lab.example" 2>"$WORK/refused.err"; then
    echo "record_ntlm_mail.sh: the wrong password was accepted" >&2
    exit 1
fi
inN curl -sS -u 'LAB\carol:ntlm-Smtp-3' --login-options 'AUTH=NTLM' \
    --mail-from carol@lab.example --mail-rcpt erin@lab.example -T "$MSG" \
    "smtp://127.0.0.1/client.lab.example"
inN curl -sS -o "$WORK/pop3.eml" -u 'dave:ntlm-Pop-5' --login-options 'AUTH=NTLM' \
    "pop3://127.0.0.1/1"
inN curl -sS -o "$WORK/imap.eml" -u 'erin:ntlm-Imap-7' --login-options 'AUTH=NTLM' \
    "imap://127.0.0.1/INBOX;UID=1"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cmp "$WORK/pop3.eml" "$MSG"
cmp "$WORK/imap.eml" "$MSG"
cmp "$WORK/spool/received-1.eml" "$MSG"

cp "$WORK/ntlm_mail.pcap" "$OUT/"
$PY - "$MSG" "$OUT/ntlm_mail.json" <<'PY'
import hashlib, json, sys
truth = {"message_sha256": hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(),
         "server_challenge": "1122334455667788",
         "logins": [{"proto": "smtp", "user": "carol", "domain": "LAB",
                     "password": "not-the-password", "outcome": "rejected"},
                    {"proto": "smtp", "user": "carol", "domain": "LAB",
                     "password": "ntlm-Smtp-3", "outcome": "accepted"},
                    {"proto": "pop3", "user": "dave", "password": "ntlm-Pop-5",
                     "outcome": "accepted"},
                    {"proto": "imap", "user": "erin", "password": "ntlm-Imap-7",
                     "outcome": "accepted"}]}
json.dump(truth, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
echo "ntlm_mail.pcap: $(stat -c %s "$OUT/ntlm_mail.pcap") bytes" >&2
