#!/usr/bin/env bash
# Record the files-beyond-HTTP lab captures (tests/lab/files/*.pcap) and
# their truth (truth.json): real clients against real servers on the
# loopback of a private network namespace.
#
#   sudo tests/lab/files/record.sh      (root: ip netns, tcpdump; install.sh first)
#
#   ftp.pcap   curl against pyftpdlib: passive (EPSV and PASV) and active (PORT
#              and EPRT), IPv4 and IPv6, RETR, STOR and APPE, USER/PASS
#   smtp.pcap  curl against aiosmtpd: AUTH PLAIN and AUTH LOGIN, a multipart
#              message (nested alternative, base64 PDF with an RFC 2231 name,
#              quoted-printable CSV) and a dot-stuffed plain one
#   pop3.pcap  curl against dovecot: USER/PASS + RETR, APOP + RETR
#   imap.pcap  curl against dovecot: LOGIN + FETCH, AUTHENTICATE PLAIN + FETCH
#   smb2.pcap  smbclient against samba (SMB3, unsigned, unencrypted): NTLMv2,
#              get and put;  smb1.pcap: the same over NT1
#   tftp.pcap  tftp-hpa: get and put
#
# The committed captures are what the tests use; this script is how they were
# made.  Truth (truth.json) = content.py's hashes of the files and message
# parts, and the credentials used.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record.sh
LAB_TOOLS_HINT="run install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools curl tcpdump ip smbd smbclient dovecot in.tftpd tftp /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-lab.XXXXXX)
chmod 755 "$WORK"
NS=pcf-lab
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS
inN ip addr add ::1/128 dev lo 2>/dev/null || true

$PY "$HERE/content.py" "$WORK/c"
C=$WORK/c

# record NAME FILTER: start tcpdump; stop_rec NAME ends it and keeps the capture
record() {
    lab_tcpdump_start $NS "$WORK/$1.err" -i lo -U -s 0 -w "$WORK/$1.pcap" "$2"
    sleep 1
}
stop_rec() {
    sleep 1
    lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/$1.err" lo
    cp "$WORK/$1.pcap" "$OUT/$1.pcap"
    say "$1.pcap: $(stat -c %s "$OUT/$1.pcap") bytes"
}
wait_port() { lab_wait_port $NS "$1" "$2"; }

# ---------------------------------------------------------------- FTP
FTPROOT=$WORK/ftproot
mkdir -p "$FTPROOT/pub" && cp "$C"/ftp/pub/* "$FTPROOT/pub/"
inN $PY "$HERE/servers.py" ftp 127.0.0.1 "$FTPROOT" alice ftp-Secret-1 2>"$WORK/ftp4.log" &
inN $PY "$HERE/servers.py" ftp ::1 "$FTPROOT" alice ftp-Secret-1 2>"$WORK/ftp6.log" &
wait_port 127.0.0.1 21
record ftp "tcp"
U=alice:ftp-Secret-1
inN curl -sS -o "$WORK/r1" "ftp://$U@127.0.0.1/pub/report.bin"                        # EPSV
inN curl -sS -o "$WORK/r2" --disable-epsv "ftp://$U@127.0.0.1/pub/notes.txt"          # PASV
inN curl -sS -o "$WORK/r3" --ftp-port 127.0.0.1 --disable-eprt "ftp://$U@127.0.0.1/pub/report.bin" # PORT
inN curl -sS -o "$WORK/r4" --ftp-port 127.0.0.1 "ftp://$U@127.0.0.1/pub/notes.txt"    # EPRT
inN curl -sS -T "$C/ftp/upload.bin" "ftp://$U@127.0.0.1/up.bin"                       # STOR
inN curl -sS -T "$C/ftp/append.bin" --append "ftp://$U@127.0.0.1/up.bin"              # APPE
inN curl -sS -o "$WORK/r5" "ftp://anonymous:guest%40lab@[::1]/report.bin"             # v6 EPSV
inN curl -sS -o "$WORK/r6" --ftp-port ::1 "ftp://$U@[::1]/pub/notes.txt"              # v6 EPRT
stop_rec ftp
cmp "$WORK/r1" "$C/ftp/pub/report.bin" && cmp "$WORK/r4" "$C/ftp/pub/notes.txt"
cmp "$FTPROOT/up.bin" "$C/ftp/upload+append.bin"

# ---------------------------------------------------------------- SMTP
mkdir -p "$WORK/spool"
inN $PY "$HERE/servers.py" smtp 127.0.0.1 "$WORK/spool" mailer 'smtp Secret 2' 2>"$WORK/smtp.log" &
wait_port 127.0.0.1 25
record smtp "tcp port 25"
inN curl -sS "smtp://127.0.0.1/lab.example" -u 'mailer:smtp Secret 2' --login-options AUTH=PLAIN \
    --mail-from mallory@example.org --mail-rcpt dropbox@example.net --mail-rcpt other@example.net \
    -T "$C/mail/msg1.eml"
inN curl -sS "smtp://127.0.0.1/lab.example" -u 'mailer:smtp Secret 2' --login-options AUTH=LOGIN \
    --mail-from ops@example.org --mail-rcpt dropbox@example.net -T "$C/mail/msg2.eml"
stop_rec smtp
cmp "$WORK/spool/received-1.eml" "$C/mail/msg1.eml"

# ---------------------------------------------------------------- POP3 and IMAP (dovecot)
D=$WORK/dovecot
mkdir -p "$D/run" "$D/mail/bob/Maildir/new" "$D/mail/bob/Maildir/cur" "$D/mail/bob/Maildir/tmp"
cp "$C/mail/msg1.eml" "$D/mail/bob/Maildir/new/1000000000.M1P1.lab"
cp "$C/mail/msg2.eml" "$D/mail/bob/Maildir/new/1000000001.M2P1.lab"
echo 'bob:{PLAIN}pop-Secret-3::::::' >"$D/users"
chown -R nobody:nogroup "$D/mail"
lab_dovecot_conf "$D" "plain login apop" >"$D/dovecot.conf"
inN dovecot -c "$D/dovecot.conf"
wait_port 127.0.0.1 110
wait_port 127.0.0.1 143
record pop3 "tcp port 110"
inN $PY "$HERE/clients.py" pop3 127.0.0.1 bob pop-Secret-3 "$WORK/p"    # USER/PASS, APOP
inN curl -sS -o "$WORK/p3" --login-options 'AUTH=PLAIN' "pop3://bob:pop-Secret-3@127.0.0.1/1"
stop_rec pop3
cmp "$WORK/p-user-1.eml" "$C/mail/msg1.eml" && cmp "$WORK/p-apop-2.eml" "$C/mail/msg2.eml"
record imap "tcp port 143"
inN $PY "$HERE/clients.py" imap 127.0.0.1 bob pop-Secret-3 "$WORK/i"    # LOGIN, AUTHENTICATE PLAIN
stop_rec imap
cmp "$WORK/i-login-1.eml" "$C/mail/msg1.eml" && cmp "$WORK/i-plain-2.eml" "$C/mail/msg2.eml"

# ---------------------------------------------------------------- SMB (samba)
S=$WORK/samba
mkdir -p "$S/share"
cp "$C/smb/share/secret.docx" "$S/share/"
lab_smb_conf "$S" user "server min protocol = NT1" "ntlm auth = yes" "lanman auth = no" \
  "server smb encrypt = off"
lab_smbd $NS "$S"
cd "$WORK"
for m in SMB3:smb2 NT1:smb1; do
    proto=${m%%:*} name=${m##*:}
    record "$name" "tcp port 445"
    inN smbclient -m "$proto" --option="client min protocol=NT1" -U 'carol%smb-Secret-4' //127.0.0.1/share \
        -c "get secret.docx $WORK/$name-got.docx; put $C/smb/exfil.zip exfil-$name.zip" >/dev/null
    stop_rec "$name"
    cmp "$WORK/$name-got.docx" "$C/smb/share/secret.docx" && cmp "$S/share/exfil-$name.zip" "$C/smb/exfil.zip"
done
cd - >/dev/null

# ---------------------------------------------------------------- TFTP
T=$WORK/tftp
mkdir -p "$T/root" && cp "$C/tftp/root/firmware.bin" "$T/root/" && chmod 777 "$T/root"
inN in.tftpd -L -c -u root -s "$T/root" &
sleep 0.5
record tftp "udp"
cd "$WORK"
inN tftp 127.0.0.1 -m binary -c get firmware.bin "$WORK/fw-got.bin"
cp "$C/tftp/config.txt" "$WORK/config.txt"
inN tftp 127.0.0.1 -m binary -c put "$WORK/config.txt" config.txt
cd - >/dev/null
stop_rec tftp
cmp "$WORK/fw-got.bin" "$C/tftp/root/firmware.bin" && cmp "$T/root/config.txt" "$C/tftp/config.txt"

cp "$C/content.json" "$OUT/truth.json"
say "done: $(ls "$OUT"/*.pcap | wc -l) captures, truth.json"
