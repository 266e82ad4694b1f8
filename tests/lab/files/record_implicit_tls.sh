#!/usr/bin/env bash
# Record the implicit-TLS lab capture (tests/lab/files/implicit_tls.pcap),
# its TLS key log (implicit_tls.keys, SSLKEYLOGFILE format, written by curl)
# and its truth (implicit_tls.json): curl against servers that speak TLS from
# the first byte (RFC 8314; RFC 4217 section 2 for FTP), on the loopback of
# a private network namespace, one curl run per session, all in one capture:
#
#   a) SMTPS 465, TLS 1.3 (TLS_AES_256_GCM_SHA384): AUTH LOGIN, msg1.eml
#   b) POP3S 995, TLS 1.2 (ECDHE-RSA-AES256-GCM-SHA384): USER/PASS, RETR 1
#   c) IMAPS 993, TLS 1.3 (TLS_CHACHA20_POLY1305_SHA256): LOGIN, FETCH 1 BODY[]
#   d) FTPS 990 (implicit), TLS 1.3 (TLS_AES_128_GCM_SHA256): USER/PASS,
#      PBSZ 0, PROT P, EPSV RETR pub/file.bin (20 KB binary), the data
#      connection a TLS session of its own that resumes the control
#      connection's (vsftpd's require_ssl_reuse=YES)
#
#   sudo tests/lab/files/record_implicit_tls.sh   (root: ip netns, tcpdump, useradd)
#
# The mail servers are starttls_servers.py in its "implicit" mode (each
# connection wrapped in TLS before the greeting, no STARTTLS offered); the
# FTP server is Debian's vsftpd 3.0 with implicit_ssl=YES on port 990.  The
# message is content.py's msg1 (truth.json's "messages" -> "msg1" has its
# parts); the FTP file comes from a fixed seed; the certificate is
# self-signed, made at record time.  So only the TLS keys, ports and times
# change between recordings.  The capture is kept only when the message the
# SMTP server received and the POP3 and IMAP downloads equal msg1, the FTP
# download equals its source (cmp), tcpdump lost nothing and the capture is
# under 300 KB.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_implicit_tls.sh
LAB_TOOLS_HINT="apt-get install -y vsftpd curl tcpdump openssl"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, useradd"
lab_require_tools vsftpd curl tcpdump ip openssl useradd chpasswd /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-implicit.XXXXXX)
chmod 755 "$WORK" # the FTP user (after login vsftpd runs as it) reads its root
NS=pcf-implicit
PY=/usr/bin/python3
FTPUSER=ftpsimplicit
FTPPASS=ftps-Implicit-4
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

# ---- content: msg1 and a file from a seed ----------------------------------
$PY "$HERE/content.py" "$WORK/c"
MSG=$WORK/c/mail/msg1.eml
V=$WORK/vsftpd
GOT=$WORK/got
mkdir -p "$V/root/pub" "$V/empty" "$GOT" "$WORK/spool" "$WORK/mail"
$PY - "$V/root/pub/file.bin" <<'PY'
import hashlib, sys
data, n = b"", 0
while len(data) < 20_000:
    data += hashlib.sha256(f"implicit-ftps/{n}".encode()).digest()
    n += 1
open(sys.argv[1], "wb").write(data[:20_000])
PY
cp "$V/root/pub/file.bin" "$WORK/file.bin"

# ---- the mail servers: starttls_servers.py, TLS from the first byte --------
cat >"$WORK/users.json" <<'JSON'
{"smtp": ["relay", "smtps Pass 1"], "pop3": ["frank", "pop3s-pass-2"], "imap": ["grace", "imaps-pass-3"]}
JSON
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.lab.example -days 3650 \
  -keyout "$WORK/mail/key.pem" -out "$WORK/mail/cert.pem" 2>/dev/null
inN $PY "$HERE/starttls_servers.py" 127.0.0.1 "$WORK/mail/cert.pem" "$WORK/mail/key.pem" \
  "$WORK/spool" "$MSG" "$WORK/users.json" implicit 2>"$WORK/servers.log" &
PIDS+=($!)

# ---- vsftpd: implicit TLS on 990, a local user (PAM), TLS data forced ------
lab_vsftpd_tls "$V" "$FTPUSER" "$FTPPASS" listen_port=990 implicit_ssl=YES
inN vsftpd "$V/vsftpd.conf" 2>"$WORK/vsftpd.err" &
PIDS+=($!)
# (the probes' connections, before the capture, fail their TLS handshakes:
# servers.log and vsftpd's log show that, nothing else does)
for p in 465 995 993 990; do lab_wait_port $NS 127.0.0.1 $p; done

# ---- the recording ----------------------------------------------------------
lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/implicit_tls.pcap" \
  'tcp port 465 or tcp port 995 or tcp port 993 or tcp port 990 or tcp portrange 30200-30300'
sleep 1
export SSLKEYLOGFILE=$WORK/implicit_tls.keys
say "a) SMTPS 465, TLS 1.3, AUTH LOGIN, msg1"
inN curl -sS -k --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384 "smtps://127.0.0.1:465/lab.example" \
  -u 'relay:smtps Pass 1' --login-options AUTH=LOGIN \
  --mail-from mallory@example.org --mail-rcpt dropbox@example.net -T "$MSG"
say "b) POP3S 995, TLS 1.2, USER/PASS, RETR 1"
inN curl -sS -k --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384 \
  -o "$GOT/pop3.eml" -u 'frank:pop3s-pass-2' "pop3s://127.0.0.1:995/1"
say "c) IMAPS 993, TLS 1.3, LOGIN, FETCH 1 BODY[]"
inN curl -sS -k --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 \
  -o "$GOT/imap.eml" -u 'grace:imaps-pass-3' "imaps://127.0.0.1:993/INBOX/;MAILINDEX=1"
say "d) FTPS 990 (implicit), TLS 1.3, EPSV RETR pub/file.bin"
inN curl -sS -k --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256 \
  -o "$GOT/file.bin" "ftps://$FTPUSER:$FTPPASS@127.0.0.1:990/pub/file.bin"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

cmp "$WORK/spool/received-1.eml" "$MSG"
cmp "$GOT/pop3.eml" "$MSG"
cmp "$GOT/imap.eml" "$MSG"
cmp "$GOT/file.bin" "$WORK/file.bin"
size=$(stat -c %s "$WORK/implicit_tls.pcap")
[ "$size" -lt 300000 ] || { echo "$LAB_NAME: implicit_tls.pcap is $size bytes (over 300 KB)" >&2; exit 1; }

cp "$WORK/implicit_tls.pcap" "$WORK/implicit_tls.keys" "$OUT/"
$PY - "$MSG" "$WORK/file.bin" "$WORK/users.json" "$FTPUSER" "$FTPPASS" "$OUT/implicit_tls.json" <<'PY'
import hashlib, json, sys
msg_path, file_path, users, ftp_user, ftp_pass, out = sys.argv[1:]
creds = json.load(open(users))
def hashed(path):
    data = open(path, "rb").read()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
msg = {"message": "msg1", **hashed(msg_path)}
def session(name, proto, port, tls, cipher, user, password, mechanism, command, moved):
    return {"session": name, "protocol": proto, "port": port, "tls": tls, "cipher": cipher,
            "user": user, "password": password, "mechanism": mechanism,
            "command": command, **moved}
sessions = [
    session("a", "smtp", 465, "TLSv1.3", "TLS_AES_256_GCM_SHA384", *creds["smtp"],
            "AUTH LOGIN", "MAIL FROM:<mallory@example.org> RCPT TO:<dropbox@example.net> DATA",
            msg),
    session("b", "pop3", 995, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            *creds["pop3"], "USER/PASS", "RETR 1", msg),
    session("c", "imap", 993, "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", *creds["imap"],
            "LOGIN", "FETCH 1 BODY[]", msg),
    session("d", "ftp", 990, "TLSv1.3", "TLS_AES_128_GCM_SHA256", ftp_user, ftp_pass,
            "USER/PASS", "RETR file.bin", {"name": "file.bin", "cwd": "pub",
                                           "mode": "passive EPSV", **hashed(file_path)}),
]
truth = {"client": "curl 7.88 (OpenSSL 3), -k, SSLKEYLOGFILE",
         "servers": {"smtp pop3 imap": "starttls_servers.py implicit",
                     "ftp": "vsftpd 3.0.3 (Debian), implicit_ssl=YES, require_ssl_reuse=YES, "
                            "force_local_data_ssl=YES"},
         "note": "TLS from the first byte on every connection (RFC 8314; FTP: RFC 4217 "
                 "section 2, port 990); message is the key of truth.json's messages that "
                 "holds its MIME parts; the SMTP message is what the server received after "
                 "undoing dot-stuffing, the POP3 and IMAP ones what curl wrote; the FTP data "
                 "connection (PROT P) is a TLS session of its own resuming the control one's",
         "sessions": sessions}
with open(out, "w") as f:
    json.dump(truth, f, indent=1, sort_keys=True)
    f.write("\n")
PY
say "implicit_tls.pcap: $(stat -c %s "$OUT/implicit_tls.pcap") bytes, $(wc -l <"$OUT/implicit_tls.keys") key lines"
