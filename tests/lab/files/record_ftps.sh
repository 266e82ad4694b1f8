#!/usr/bin/env bash
# Record the FTPS lab capture (tests/lab/files/ftps.pcap), its TLS key log
# (ftps.keys, SSLKEYLOGFILE format, written by the clients) and its truth
# (ftps.json): curl (and, for active mode, Python's ftplib) against Debian's
# vsftpd 3.0 on the loopback of a private network namespace, FTP over
# explicit TLS (RFC 4217), control and data connections both in TLS
# (PBSZ 0 / PROT P: vsftpd is set to force_local_logins_ssl and
# force_local_data_ssl), one client run per transfer, all in one capture:
#
#   a) TLS 1.3 (curl's default): EPSV RETR pub/blob.bin (50 KB binary),
#      then EPSV STOR pub/upload.bin (20 KB binary)
#   b) TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256): PASV RETR pub/notes.txt
#      (30 KB text), then PASV LIST pub/
#   c) TLS 1.2, active mode (PORT 127.0.0.1): RETR pub/small.bin (5 KB),
#      with Python's ftplib.FTP_TLS: curl 7.88's active-mode FTPS hangs (it
#      accepts vsftpd's data connection but never starts TLS on it, a curl
#      7.87-7.88 regression, curl issue #10666), so this one transfer uses
#      ftplib, with the control connection's TLS session offered on the
#      data connection.
#
# curl sends "AUTH SSL" (its default: SSL first, TLS as fallback; the curl
# tool cannot choose), which vsftpd accepts as AUTH TLS; ftplib sends
# "AUTH TLS".  A decoder must take both.
#
#   sudo tests/lab/files/record_ftps.sh   (root: ip netns, tcpdump, useradd)
#
# vsftpd keeps its default require_ssl_reuse=YES: each data connection must
# resume the control connection's TLS session, as real FTPS servers demand
# against data-connection hijacking.  Seen in the recording: TLS 1.2 data
# connections are abbreviated handshakes (ServerHello, ChangeCipherSpec,
# Finished; no Certificate); TLS 1.3 ones get a HelloRetryRequest, then a
# second ClientHello whose pre_shared_key the server accepts.  In active
# mode vsftpd opens the TCP connection and the FTP client, which accepted
# it, sends the ClientHello (RFC 4217 section 7).  The certificate is
# self-signed, made at record time; the files come from a fixed seed, so only
# the TLS keys, ports, times and the listing's dates change between
# recordings.  The capture is kept only when every download equals its
# source and the upload equals what vsftpd stored (cmp), and tcpdump lost
# nothing.  The truth (ftps.json) is written from those files and from the
# listing as curl received it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_ftps.sh
LAB_TOOLS_HINT="apt-get install -y vsftpd curl tcpdump openssl"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, useradd"
lab_require_tools vsftpd curl tcpdump ip openssl useradd chpasswd /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-ftps.XXXXXX)
chmod 755 "$WORK" # the FTP user (after login vsftpd runs as it) reads its root
NS=pcf-ftps
PY=/usr/bin/python3
FTPUSER=ftpslab
FTPPASS=ftps-Secret-9
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

# ---- content: deterministic bytes from a seed ------------------------------
V=$WORK/vsftpd
SRC=$WORK/src
GOT=$WORK/got
mkdir -p "$V/root/pub" "$SRC" "$GOT"
chmod 777 "$V/root/pub" # STOR writes here as the FTP user
$PY - "$SRC" <<'PY'
import hashlib, os, sys
out = sys.argv[1]
def stream(seed, size):
    data, n = b"", 0
    while len(data) < size:
        data += hashlib.sha256(f"{seed}/{n}".encode()).digest()
        n += 1
    return data[:size]
def text(seed, size):
    words = [w for w in "the quick brown fox jumps over a lazy dog while an ftp client "
             "fetches ledgers invoices and secret quarterly figures".split()]
    lines, n, total = [], 0, 0
    while total < size:
        h = hashlib.sha256(f"{seed}/{n}".encode()).digest()
        line = f"{n:05d} " + " ".join(words[b % len(words)] for b in h[:12]) + "\n"
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines).encode()[:size]
files = {"blob.bin": stream("ftps-blob", 50_000), "upload.bin": stream("ftps-upload", 20_000),
         "notes.txt": text("ftps-notes", 30_000), "small.bin": stream("ftps-small", 5_000)}
for name, data in files.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
PY
for f in blob.bin notes.txt small.bin; do cp "$SRC/$f" "$V/root/pub/"; done

# ---- vsftpd: a local user (PAM), TLS forced on logins and data -------------
lab_vsftpd_tls "$V" "$FTPUSER" "$FTPPASS" write_enable=YES local_umask=022
inN vsftpd "$V/vsftpd.conf" 2>"$WORK/vsftpd.err" &
PIDS+=($!)
lab_wait_port $NS 127.0.0.1 21

# ---- the recording ----------------------------------------------------------
lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/ftps.pcap" tcp
sleep 1
export SSLKEYLOGFILE=$WORK/ftps.keys
URL=ftp://127.0.0.1/pub
CURL=(curl -sS --ssl-reqd -k -u "$FTPUSER:$FTPPASS")
TLS12=(--tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256)
say "a) TLS 1.3, EPSV: RETR blob.bin, STOR upload.bin"
inN "${CURL[@]}" -o "$GOT/blob.bin" "$URL/blob.bin"
inN "${CURL[@]}" -T "$SRC/upload.bin" "$URL/upload.bin"
say "b) TLS 1.2, PASV: RETR notes.txt, LIST pub/"
inN "${CURL[@]}" "${TLS12[@]}" --disable-epsv -o "$GOT/notes.txt" "$URL/notes.txt"
inN "${CURL[@]}" "${TLS12[@]}" --disable-epsv -o "$GOT/listing.txt" "$URL/"
say "c) TLS 1.2, active (PORT): RETR small.bin, with Python's ftplib"
inN $PY - 127.0.0.1 "$FTPUSER" "$FTPPASS" small.bin "$GOT/small.bin" <<'PY'
# ftplib.FTP_TLS, changed in one thing: its data connections offer the
# control connection's TLS session (vsftpd's require_ssl_reuse wants that;
# plain ftplib starts a fresh session and gets "522 SSL connection failed").
import ftplib, os, ssl, sys
host, user, password, name, out = sys.argv[1:]
class SessionReusingFTP_TLS(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE # the certificate is self-signed
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
ctx.keylog_filename = os.environ["SSLKEYLOGFILE"]
ftp = SessionReusingFTP_TLS(context=ctx, timeout=20)
ftp.connect(host, 21)
ftp.login(user, password) # AUTH TLS first
ftp.prot_p()              # PBSZ 0, PROT P
ftp.set_pasv(False)       # PORT 127,0,0,1,p1,p2: vsftpd connects to us
ftp.cwd("pub")
with open(out, "wb") as f:
    ftp.retrbinary(f"RETR {name}", f.write)
ftp.quit()
PY
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

for f in blob.bin notes.txt small.bin; do cmp "$GOT/$f" "$SRC/$f"; done
cmp "$V/root/pub/upload.bin" "$SRC/upload.bin"
grep -q ' upload.bin$' "$GOT/listing.txt" # the listing came after the upload
size=$(stat -c %s "$WORK/ftps.pcap")
[ "$size" -lt 300000 ] || { echo "$LAB_NAME: ftps.pcap is $size bytes (over 300 KB)" >&2; exit 1; }

cp "$WORK/ftps.pcap" "$WORK/ftps.keys" "$OUT/"
$PY - "$SRC" "$GOT" "$FTPUSER" "$FTPPASS" "$OUT/ftps.json" <<'PY'
import hashlib, json, os, sys
src, got, user, password, out = sys.argv[1:]
def hashed(data):
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
def facts(path):
    return hashed(open(path, "rb").read())
# curl turns the CR LF line ends of an ASCII transfer (LIST) into LF when it
# writes them; vsftpd sends each listing line with CR LF: the bytes on the
# wire (what a decrypting analyser sees) are curl's with LF made CR LF again.
def listing(path):
    got = open(path, "rb").read()
    assert b"\r" not in got and got.endswith(b"\n"), "listing: not LF lines"
    return {**hashed(got.replace(b"\n", b"\r\n")), "as_curl_wrote": hashed(got)}
CURL, FTPLIB = "curl 7.88 --ssl-reqd", "python3 ftplib.FTP_TLS"
def transfer(session, client, command, name, path, tls, mode):
    return {"session": session, "client": client,
            "auth": "AUTH SSL" if client == CURL else "AUTH TLS",
            "command": command, "name": name, "tls": tls, "mode": mode,
            **(listing(path) if command == "LIST" else facts(path))}
transfers = [
    transfer("a", CURL, "RETR", "blob.bin", f"{src}/blob.bin", "TLSv1.3", "passive EPSV"),
    transfer("a", CURL, "STOR", "upload.bin", f"{src}/upload.bin", "TLSv1.3", "passive EPSV"),
    transfer("b", CURL, "RETR", "notes.txt", f"{src}/notes.txt", "TLSv1.2", "passive PASV"),
    transfer("b", CURL, "LIST", "", f"{got}/listing.txt", "TLSv1.2", "passive PASV"),
    transfer("c", FTPLIB, "RETR", "small.bin", f"{src}/small.bin", "TLSv1.2", "active PORT"),
]
truth = {"server": "vsftpd 3.0.3 (Debian), require_ssl_reuse=YES",
         "cwd": "pub", "user": user, "password": password,
         "tls12_cipher": "ECDHE-RSA-AES128-GCM-SHA256",
         "note": "one control connection per transfer, each switched to TLS (curl: AUTH SSL; "
                 "ftplib: AUTH TLS), then PBSZ 0, PROT P, CWD pub and the command with the bare "
                 "name; LIST (of pub/) has no argument: its size and sha256 are the listing's bytes "
                 "on the wire (CR LF lines), as_curl_wrote those of the file curl wrote (LF lines)",
         "transfers": transfers}
with open(out, "w") as f:
    json.dump(truth, f, indent=1, sort_keys=True)
    f.write("\n")
PY
say "ftps.pcap: $(stat -c %s "$OUT/ftps.pcap") bytes, $(wc -l <"$OUT/ftps.keys") key lines"
