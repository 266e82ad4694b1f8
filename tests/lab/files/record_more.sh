#!/usr/bin/env bash
# Record the second files-beyond-HTTP lab captures (tests/lab/files/*_more.pcap)
# and their truth (truth_more.json): the features record.sh's captures lack,
# real clients against real servers on the loopback of a private namespace.
#
#   sudo tests/lab/files/record_more.sh   (root; install.sh first, and vsftpd)
#
#   smb3_more.pcap  smbclient against samba capped at 64 KiB per READ/WRITE
#                   (smb2 max read/write): get of an 800 KB file (13 READs),
#                   put of 400 KB (7 WRITEs), mput and mget of three files
#                   each, the big file read a second time, a put file renamed
#                   then deleted
#   ftp_more.pcap   ftplib against pyftpdlib: REST 12345 + RETR (a resumed
#                   download), RETR over PORT (ftplib active), STOU, MLSD,
#                   LIST, NLST, TYPE A RETR of a text file
#   vsftpd.pcap     curl against vsftpd: EPSV RETR and STOR
#   pop3_more.pcap  poplib against dovecot: TOP 1 10, RETR 1, 2, 3 in one session
#   imap_more.pcap  imaplib against dovecot: UID FETCH BODY.PEEK[], FETCH 3
#                   (BODY[1]), FETCH 2 BODY[]<0.1000>, FETCH 1:3 BODY[], APPEND
#   smtp_more.pcap  smtplib against aiosmtpd: three messages in one session,
#                   the second 8-bit with BODY=8BITMIME (aiosmtpd offers
#                   neither PIPELINING nor CHUNKING)
#   tftp_more.pcap  curl --tftp-blksize 1024 get; tftp-hpa: a 1024-byte file
#                   (ends with an empty DATA block) and a netascii get
#
# Truth = content_more.py's hashes, computed before anything is sent; what
# each client received or each server stored is compared (cmp) with it before
# a capture is kept.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_more.sh
LAB_TOOLS_HINT="install.sh; apt-get install vsftpd"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd, vsftpd"
lab_require_tools curl tcpdump ip smbd smbclient dovecot in.tftpd tftp vsftpd /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-more.XXXXXX)
chmod 755 "$WORK"
NS=pcf-more
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

$PY "$HERE/content_more.py" "$WORK/c"
C=$WORK/c
R=$WORK/got
mkdir -p "$R" && chmod 777 "$R"

record() {
    inN tcpdump -i lo -U -s 0 -w "$WORK/$1.pcap" "$2" 2>/dev/null &
    REC=$!
    sleep 1
}
stop_rec() {
    sleep 1
    kill -TERM $REC; wait $REC 2>/dev/null || true
    cp "$WORK/$1.pcap" "$OUT/$1.pcap"
    say "$1.pcap: $(stat -c %s "$OUT/$1.pcap") bytes"
}
wait_port() { lab_wait_port $NS "$1" "$2"; }
only() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

# ---------------------------------------------------------------- SMB (samba)
if only smb; then
S=$WORK/samba
mkdir -p "$S/share/many"
cp "$C/smb/share/big.bin" "$S/share/" && cp "$C"/smb/share/many/* "$S/share/many/"
lab_smb_conf "$S" user "server smb encrypt = off" \
  "smb2 max read = 65536" "smb2 max write = 65536" "smb2 max trans = 65536"
lab_smbd $NS "$S"
record smb3_more "tcp port 445"
inN smbclient -m SMB3 -U 'carol%smb-Secret-4' //127.0.0.1/share -c "\
get big.bin $R/big-1.bin; \
put $C/smb/upload.bin upload.bin; \
prompt off; lcd $C/smb/put; mput p*.dat; \
cd many; lcd $R; mget m*.dat; cd ..; \
get big.bin $R/big-2.bin; \
put $C/smb/gone.bin gone.bin; rename gone.bin gone2.bin; del gone2.bin" >/dev/null
stop_rec smb3_more
cmp "$R/big-1.bin" "$C/smb/share/big.bin" && cmp "$R/big-2.bin" "$C/smb/share/big.bin"
cmp "$S/share/upload.bin" "$C/smb/upload.bin"
for i in 0 1 2; do cmp "$S/share/p$i.dat" "$C/smb/put/p$i.dat"; cmp "$R/m$i.dat" "$C/smb/share/many/m$i.dat"; done
[ ! -e "$S/share/gone2.bin" ] && [ ! -e "$S/share/gone.bin" ]
fi

# ---------------------------------------------------------------- FTP (pyftpdlib, vsftpd)
if only ftp; then
FTPROOT=$WORK/ftproot
mkdir -p "$FTPROOT/pub" && cp "$C"/ftp/pub/* "$FTPROOT/pub/"
inN $PY "$HERE/servers.py" ftp 127.0.0.1 "$FTPROOT" alice ftp-Secret-1 2>"$WORK/ftp.log" &
wait_port 127.0.0.1 21
record ftp_more "tcp"
inN $PY "$HERE/clients_more.py" ftp 127.0.0.1 alice ftp-Secret-1 "$R" "$C"
stop_rec ftp_more
$PY - "$C/ftp/pub/resume.bin" "$R/resume-rest.bin" <<'PYEOF'
import sys
a, b = (open(p, "rb").read() for p in sys.argv[1:])
assert a[12345:] == b, "REST download differs"
PYEOF
cmp "$R/active.bin" "$C/ftp/pub/active.bin" && cmp "$R/lines.txt" "$C/ftp/pub/lines.txt"
cmp "$(ls "$FTPROOT"/ftpd.* | head -1)" "$C/ftp/stou.bin"   # pyftpdlib names a STOU file ftpd.XXXXXXXX
kill %?servers.py 2>/dev/null || true
for p in $(ip netns pids $NS); do [ "$(cat /proc/$p/comm)" = python3 ] && kill "$p"; done
sleep 0.5
V=$WORK/vsftpd
mkdir -p "$V/root/pub" "$V/empty" && cp "$C/ftp/pub/active.bin" "$V/root/pub/" && chmod 777 "$V/root/pub"
useradd -M -d "$V/root" -s /bin/sh ftplab 2>/dev/null || true   # PAM (pam_shells) wants a shell from /etc/shells
LAB_USERS+=(ftplab)
echo 'ftplab:ftp-Secret-1' | chpasswd
cat >"$V/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_root=$V/root
secure_chroot_dir=$V/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
pasv_min_port=30200
pasv_max_port=30300
xferlog_enable=NO
CONF
inN vsftpd "$V/vsftpd.conf" &
wait_port 127.0.0.1 21
record vsftpd "tcp"
inN curl -sS -o "$R/vs-active.bin" "ftp://ftplab:ftp-Secret-1@127.0.0.1/pub/active.bin"
inN curl -sS -T "$C/ftp/stou.bin" "ftp://ftplab:ftp-Secret-1@127.0.0.1/pub/up.bin"
stop_rec vsftpd
cmp "$R/vs-active.bin" "$C/ftp/pub/active.bin" && cmp "$V/root/pub/up.bin" "$C/ftp/stou.bin"
for p in $(ip netns pids $NS); do [ "$(cat /proc/$p/comm)" = vsftpd ] && kill "$p"; done
userdel ftplab 2>/dev/null || true
fi

# ---------------------------------------------------------------- SMTP (aiosmtpd)
if only smtp; then
mkdir -p "$WORK/spool"
inN $PY "$HERE/servers.py" smtp 127.0.0.1 "$WORK/spool" mailer 'smtp Secret 2' 2>"$WORK/smtp.log" &
wait_port 127.0.0.1 25
record smtp_more "tcp port 25"
inN $PY "$HERE/clients_more.py" smtp 127.0.0.1 mailer 'smtp Secret 2' "$C"
stop_rec smtp_more
for n in 1 2 3; do cmp "$WORK/spool/received-$n.eml" "$C/mail/more$n.eml"; done
fi

# ---------------------------------------------------------------- POP3 and IMAP (dovecot)
if only mail; then
D=$WORK/dovecot
mkdir -p "$D/run" "$D/mail/bob/Maildir/new" "$D/mail/bob/Maildir/cur" "$D/mail/bob/Maildir/tmp"
for n in 1 2 3; do cp "$C/mail/more$n.eml" "$D/mail/bob/Maildir/new/100000000$n.M${n}P1.lab"; done
echo 'bob:{PLAIN}pop-Secret-3::::::' >"$D/users"
chown -R nobody:nogroup "$D/mail"
lab_dovecot_conf "$D" "plain login" >"$D/dovecot.conf"
inN dovecot -c "$D/dovecot.conf"
wait_port 127.0.0.1 110
wait_port 127.0.0.1 143
record pop3_more "tcp port 110"
inN $PY "$HERE/clients_more.py" pop3 127.0.0.1 bob pop-Secret-3 "$R"
stop_rec pop3_more
for n in 1 2 3; do cmp "$R/pop-$n.eml" "$C/mail/more$n.eml"; done
record imap_more "tcp port 143"
inN $PY "$HERE/clients_more.py" imap 127.0.0.1 bob pop-Secret-3 "$R" "$C"
stop_rec imap_more
cmp "$R/imap-uid-1.eml" "$C/mail/more1.eml"
for n in 1 2 3; do cmp "$R/imap-many-$n.eml" "$C/mail/more$n.eml"; done
cmp "$R/imap-2-partial" <(head -c 1000 "$C/mail/more2.eml")
# APPEND: dovecot's maildir keeps the message with LF line ends
cmp <(tr -d '\r' <"$(grep -l 'lab-more-4' "$D"/mail/bob/Maildir/cur/* | head -1)") <(tr -d '\r' <"$C/mail/more4.eml")
fi

# ---------------------------------------------------------------- TFTP
if only tftp; then
T=$WORK/tftp
mkdir -p "$T/root" && cp "$C"/tftp/root/* "$T/root/" && chmod 777 "$T/root"
inN in.tftpd -L -u root -s "$T/root" &
sleep 0.5
record tftp_more "udp"
inN curl -sS --tftp-blksize 1024 -o "$R/blk.bin" "tftp://127.0.0.1/blk.bin"
cd "$R"
inN tftp 127.0.0.1 -m binary -c get exact.bin "$R/exact.bin"
inN tftp 127.0.0.1 -m netascii -c get ascii.txt "$R/ascii.txt"
cd - >/dev/null
stop_rec tftp_more
cmp "$R/blk.bin" "$C/tftp/root/blk.bin" && cmp "$R/exact.bin" "$C/tftp/root/exact.bin"
cmp "$R/ascii.txt" "$C/tftp/root/ascii.txt"
fi

[ -n "${ONLY:-}" ] || cp "$C/content.json" "$OUT/truth_more.json"
say "done"
