#!/usr/bin/env bash
# Record the password-guessing lab capture (tests/lab/files/password_guessing.pcap)
# and its truth (password_guessing.json): real clients against servers that
# check every password, on the loopback of a private network namespace:
#
#   IMAP  curl LOGIN as erin with 12 different wrong passwords (refused),
#         then her password (accepted) and FETCH 1          -> a brute force that succeeded
#   POP3  curl USER/PASS as dave with one old password, 10 times (refused)
#                                                            -> the same password again and again
#   SMTP  curl AUTH PLAIN as carol, 2 wrong passwords then hers, a message sent
#                                                            -> a typo: no finding
#   SMB   smbclient (NTLMv2, SMB3) against samba: 10 accounts, one password each
#         (all refused)                                      -> a password spray
#
#   sudo tests/lab/files/record_password_guessing.sh   (root: ip netns, tcpdump, smbd)
#
# The committed capture is what tests/e2e/test_password_guessing.py uses;
# this script is how it was made.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_password_guessing.sh
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd"
lab_require_tools curl smbd smbclient tcpdump ip openssl /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-guess.XXXXXX)
chmod 755 "$WORK"
NS=pcf-guess
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }
refused() { # COMMAND...: the login must be refused
    if inN "$@" >/dev/null 2>&1; then
        echo "record_password_guessing.sh: a wrong password was accepted: $*" >&2
        exit 1
    fi
}

lab_netns_add $NS

$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["carol", "guess-Smtp-4"], "pop3": ["dave", "guess-Pop-6"], "imap": ["erin", "guess-Imap-9"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/spool"
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/cert.pem" "$WORK/key.pem" "$WORK/spool" "$MSG" \
    "$WORK/users.json" 2>"$WORK/servers.log" &
lab_wait_port $NS 127.0.0.1 143

S=$WORK/samba
mkdir -p "$S/share"
echo "a file on the share" >"$S/share/hello.txt"
lab_smb_conf "$S" user "server smb encrypt = off"
lab_smbd $NS "$S"

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/password_guessing.pcap" \
    'tcp port 25 or tcp port 110 or tcp port 143 or tcp port 445'
sleep 1
IMAP_GUESSES="123456 password erin2026 Erin123 qwerty letmein welcome1 Summer2026 iloveyou
              admin123 erin monkey"
for p in $IMAP_GUESSES; do
    refused curl -sS -u "erin:$p" "imap://127.0.0.1/INBOX;UID=1"
done
inN curl -sS -o "$WORK/imap.eml" -u 'erin:guess-Imap-9' "imap://127.0.0.1/INBOX;UID=1"
for _ in $(seq 10); do
    refused curl -sS -u 'dave:old-Pop-Password' "pop3://127.0.0.1/1"
done
for p in guess-Smpt-4 guess-smtp-4; do
    refused curl -sS -u "carol:$p" --login-options 'AUTH=PLAIN' --mail-from carol@lab.example \
        --mail-rcpt erin@lab.example -T "$MSG" "smtp://127.0.0.1/client.lab.example"
done
inN curl -sS -u 'carol:guess-Smtp-4' --login-options 'AUTH=PLAIN' --mail-from carol@lab.example \
    --mail-rcpt erin@lab.example -T "$MSG" "smtp://127.0.0.1/client.lab.example"
SPRAY_USERS="administrator admin backup carol dave erin frank svc_sql test user1"
for u in $SPRAY_USERS; do
    refused smbclient -m SMB3 -U "$u%Winter2026!" //127.0.0.1/share -c ls
done
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cmp "$WORK/imap.eml" "$MSG"
cmp "$WORK/spool/received-1.eml" "$MSG"

cp "$WORK/password_guessing.pcap" "$OUT/"
# shellcheck disable=SC2086 # the lists are split on purpose
$PY - "$OUT/password_guessing.json" $IMAP_GUESSES -- $SPRAY_USERS <<'PY'
import json, sys
args = sys.argv[2:]
cut = args.index("--")
truth = {"imap": {"user": "erin", "wrong": args[:cut], "password": "guess-Imap-9"},
         "pop3": {"user": "dave", "wrong": ["old-Pop-Password"] * 10},
         "smtp": {"user": "carol", "wrong": ["guess-Smpt-4", "guess-smtp-4"],
                  "password": "guess-Smtp-4"},
         "smb": {"users": args[cut + 1:], "password": "Winter2026!"}}
with open(sys.argv[1], "w") as f:
    json.dump(truth, f, indent=1)
    f.write("\n")
PY
echo "password_guessing.pcap: $(stat -c %s "$OUT/password_guessing.pcap") bytes" >&2
