#!/usr/bin/env bash
# Record the IMAP MIME-part lab capture (tests/lab/files/imap_parts.pcap) and
# its truth (truth_parts.json): Python's imaplib against dovecot (maildir) on
# the loopback of a private network namespace, one session fetching message
# parts the way a mail client does rather than whole messages:
#
#   sudo tests/lab/files/record_parts.sh   (root: ip netns, tcpdump; install.sh first)
#
#   LOGIN, SELECT INBOX, then (clients_parts.py's COMMANDS)
#    1 FETCH 1:2 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])
#    2 FETCH 1 (BODYSTRUCTURE)
#    3 FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[1])      quoted-printable text
#    4 FETCH 1 (BODY.PEEK[2.MIME] BODY.PEEK[2])      base64 attachment report.bin
#    5 FETCH 1 (BODY.PEEK[2])                        the same part, no .MIME
#    6 FETCH 1 (BINARY.PEEK[2])                      RFC 3516: decoded by the server
#    7 FETCH 1 (BODY.PEEK[3.2])                      HTML inside a nested alternative
#    8 FETCH 2 (RFC822.HEADER), FETCH 2 (BODY.PEEK[TEXT])
#    9 FETCH 2 (BODY.PEEK[])
#   LOGOUT
#
# The mailbox holds clients_parts.py's two messages (fixed bytes, CRLF).  The
# capture is kept only when tcpdump lost nothing, what imaplib received
# equals what was put in the mailbox (clients_parts.py check, plus cmp here)
# and the literals in the server's bytes of the capture are the truth's
# (clients_parts.py wire, with tshark).  truth_parts.json lists every
# literal the server sent (command, message, item as the server wrote it,
# length, SHA-256) and the hashes of report.bin, of part 1 decoded and of
# both messages.  The committed capture is what the tests use; this script
# is how it was made.  OUT=DIR writes the capture and truth elsewhere.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_parts.sh
LAB_TOOLS_HINT="run install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools tcpdump tshark ip dovecot /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-parts.XXXXXX)
chmod 755 "$WORK"
NS=pcf-parts
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/clients_parts.py" content "$WORK/c"
C=$WORK/c
R=$WORK/got
mkdir -p "$R" && chmod 777 "$R"

# dovecot as record_more.sh starts it: its own config, run and log files in
# WORK, bob's Maildir owned by nobody.  The messages' names fix their order.
D=$WORK/dovecot
MD=$D/mail/bob/Maildir
mkdir -p "$D/run" "$MD/new" "$MD/cur" "$MD/tmp"
for n in 1 2; do
    cp "$C/msg$n.eml" "$MD/new/100000000$n.M${n}P1.lab"
    touch -d "2026-03-03 09:0$n:00 UTC" "$MD/new/100000000$n.M${n}P1.lab"
done
echo 'bob:{PLAIN}imap-Parts-8::::::' >"$D/users"
chown -R nobody:nogroup "$D/mail"
lab_dovecot_conf "$D" "plain login" >"$D/dovecot.conf"
inN dovecot -c "$D/dovecot.conf"
lab_wait_port $NS 127.0.0.1 143

lab_tcpdump_start $NS "$WORK/imap_parts.err" -i lo -U -s 0 -w "$WORK/imap_parts.pcap" "tcp port 143"
sleep 1
inN $PY "$HERE/clients_parts.py" imap 127.0.0.1 bob imap-Parts-8 "$R"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/imap_parts.err" lo

SERVER="dovecot $(dovecot --version | cut -d' ' -f1) (maildir)"
$PY "$HERE/clients_parts.py" check "$C" "$R" "$MD" "$SERVER" "$WORK/truth_parts.json"
# lit COMMAND ITEM: the file under R holding that literal (literals.json)
lit() {
    $PY - "$R/literals.json" "$1" "$2" <<'PY'
import json, sys
lits = json.load(open(sys.argv[1]))["literals"]
print(next(x["file"] for x in lits if (x["command"], x["item"]) == (int(sys.argv[2]), sys.argv[3])))
PY
}
cmp "$R/$(lit 6 'BINARY[2]')" "$C/report.bin"
cmp "$R/$(lit 9 'BODY[]')" "$(find "$MD" -name '1000000002.M2P1.lab*')"
cmp "$R/$(lit 9 'BODY[]')" "$C/msg2.eml"
$PY "$HERE/clients_parts.py" wire "$WORK/imap_parts.pcap" "$WORK/truth_parts.json"

cp "$WORK/imap_parts.pcap" "$WORK/truth_parts.json" "$OUT/"
say "imap_parts.pcap: $(stat -c %s "$OUT/imap_parts.pcap") bytes," \
    "$(grep captured "$WORK/imap_parts.err")"
