#!/usr/bin/env bash
# Record the empty-FTP-transfer lab capture (tests/lab/files/ftp_empty.pcap),
# its TLS key log (ftp_empty.keys, SSLKEYLOGFILE format, written by curl)
# and its truth (ftp_empty.json, written before anything is sent): curl
# against Debian's vsftpd 3.0 on the loopback of a private network
# namespace, TLS offered but not forced (plain FTP and explicit FTPS from
# one server), one curl run (one control connection) per transfer:
#
#   a) plain, passive (EPSV): RETR pub/empty.txt (0 bytes)
#   b) plain, passive (EPSV): STOR pub/upload-empty.txt (0 bytes)
#   c) plain, active (PORT 127.0.0.1): RETR pub/empty.txt
#   d) plain, active (EPRT): STOR pub/upload-empty2.txt (0 bytes)
#   e) plain, passive (EPSV): LIST of pub/emptydir/ (an empty directory:
#      vsftpd sends no byte)
#   f) FTPS (AUTH SSL, PBSZ 0, PROT P), TLS 1.3, passive (EPSV): RETR
#      pub/empty.txt — the data connection a TLS session (resuming the
#      control connection's: vsftpd's require_ssl_reuse) that carries no
#      application data
#   g) the control: plain, passive (EPSV): RETR pub/hello.txt (1,200 bytes)
#
#   sudo tests/lab/files/record_ftp_empty.sh   (root: ip netns, tcpdump, useradd)
#
# Each plain empty data connection is opened, and closed with a FIN first by
# the side that sends the file (vsftpd for a RETR or LIST, curl for a STOR),
# and the server answers 226.  In f, curl (told the size by SIZE: 213 0)
# closes the TLS session and the connection first; vsftpd answers with its
# close_notify and curl resets: the sender never sends a FIN there.  The files come from a fixed seed; the certificate is
# self-signed, made at record time: only the TLS keys, ports and times
# change between recordings.  The capture is kept only when every download
# equals its source (cmp), the uploads are empty files on the server,
# tcpdump lost nothing, and it is under 100 KB.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_ftp_empty.sh
LAB_TOOLS_HINT="apt-get install -y vsftpd curl tcpdump openssl"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, useradd"
lab_require_tools vsftpd curl tcpdump ip openssl useradd chpasswd /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-ftpempty.XXXXXX)
chmod 755 "$WORK" # the FTP user (after login vsftpd runs as it) reads its root
NS=pcf-ftpempty
PY=/usr/bin/python3
FTPUSER=ftpemptylab
FTPPASS=empty-Secret-4
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS

# ---- content and truth, before anything is sent ----------------------------
V=$WORK/vsftpd
SRC=$WORK/src
GOT=$WORK/got
mkdir -p "$V/root/pub/emptydir" "$SRC" "$GOT"
chmod 777 "$V/root/pub" # STOR writes here as the FTP user
$PY - "$SRC" "$FTPUSER" "$FTPPASS" "$WORK/ftp_empty.json" <<'PY'
import hashlib, json, os, sys
src, user, password, out = sys.argv[1:]
lines, n = [], 0
while sum(map(len, lines)) < 1200:
    h = hashlib.sha256(f"ftp-empty-hello/{n}".encode()).hexdigest()
    lines.append(f"{n:03d} {h}\n")
    n += 1
files = {"empty.txt": b"", "upload-empty.txt": b"", "hello.txt": "".join(lines).encode()[:1200]}
for name, data in files.items():
    with open(os.path.join(src, name), "wb") as f:
        f.write(data)
def transfer(session, command, name, mode, tls=None):
    data = files[name] if name else b"" # LIST of an empty directory: no byte
    return {"session": session, "command": command, "name": name, "mode": mode,
            "tls": tls, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
transfers = [
    transfer("a", "RETR", "empty.txt", "passive EPSV"),
    transfer("b", "STOR", "upload-empty.txt", "passive EPSV"),
    transfer("c", "RETR", "empty.txt", "active PORT"),
    transfer("d", "STOR", "upload-empty.txt", "active EPRT"),
    transfer("e", "LIST", None, "passive EPSV"),
    transfer("f", "RETR", "empty.txt", "passive EPSV", "TLSv1.3"),
    transfer("g", "RETR", "hello.txt", "passive EPSV"),
]
transfers[3]["stored_as"] = "upload-empty2.txt"
truth = {"server": "vsftpd 3.0.3 (Debian), TLS offered, not forced; require_ssl_reuse=YES",
         "client": "curl 7.88", "cwd": "pub", "user": user, "password": password,
         "note": "one control connection per transfer, every transfer answered 226; every plain "
                 "empty data connection is closed (FIN) first by the side that sends the file; in "
                 "session f curl, told the size by SIZE (213 0), closes the TLS session (close_notify, "
                 "FIN) first, vsftpd answers close_notify and curl resets: no FIN from the sender; "
                 "LIST is of pub/emptydir/ (empty: no byte on the data connection); "
                 "session f is FTPS (AUTH SSL, PBSZ 0, PROT P), its key log ftp_empty.keys; "
                 "session d stores upload-empty.txt's bytes as upload-empty2.txt",
         "transfers": transfers}
with open(out, "w") as f:
    json.dump(truth, f, indent=1, sort_keys=True)
    f.write("\n")
PY
cp "$SRC/empty.txt" "$SRC/hello.txt" "$V/root/pub/"

# ---- vsftpd: a local user (PAM), TLS offered but not forced ----------------
lab_vsftpd_tls "$V" "$FTPUSER" "$FTPPASS" write_enable=YES local_umask=022 \
  force_local_logins_ssl=NO force_local_data_ssl=NO
inN vsftpd "$V/vsftpd.conf" 2>"$WORK/vsftpd.err" &
PIDS+=($!)
lab_wait_port $NS 127.0.0.1 21

# ---- the recording ----------------------------------------------------------
lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/ftp_empty.pcap" tcp
sleep 1
URL=ftp://127.0.0.1/pub
CURL=(curl -sS -u "$FTPUSER:$FTPPASS")
say "a) plain EPSV RETR empty.txt"
inN "${CURL[@]}" -o "$GOT/a-empty.txt" "$URL/empty.txt"
say "b) plain EPSV STOR upload-empty.txt"
inN "${CURL[@]}" -T "$SRC/upload-empty.txt" "$URL/upload-empty.txt"
say "c) plain active (PORT) RETR empty.txt"
inN "${CURL[@]}" -P 127.0.0.1 --disable-eprt -o "$GOT/c-empty.txt" "$URL/empty.txt"
say "d) plain active (EPRT) STOR upload-empty2.txt"
inN "${CURL[@]}" -P 127.0.0.1 -T "$SRC/upload-empty.txt" "$URL/upload-empty2.txt"
say "e) plain EPSV LIST emptydir/"
inN "${CURL[@]}" -o "$GOT/e-listing.txt" "$URL/emptydir/"
say "f) FTPS PROT P, TLS 1.3, EPSV RETR empty.txt"
SSLKEYLOGFILE=$WORK/ftp_empty.keys inN "${CURL[@]}" --ssl-reqd -k -o "$GOT/f-empty.txt" "$URL/empty.txt"
say "g) plain EPSV RETR hello.txt"
inN "${CURL[@]}" -o "$GOT/g-hello.txt" "$URL/hello.txt"
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

for f in a-empty.txt c-empty.txt e-listing.txt f-empty.txt; do
  [ -f "$GOT/$f" ] && [ ! -s "$GOT/$f" ] || { echo "$LAB_NAME: $f is not an empty file" >&2; exit 1; }
done
cmp "$GOT/g-hello.txt" "$SRC/hello.txt"
for f in upload-empty.txt upload-empty2.txt; do
  [ -f "$V/root/pub/$f" ] && [ ! -s "$V/root/pub/$f" ] || { echo "$LAB_NAME: $f not stored empty" >&2; exit 1; }
done
[ "$(grep -c CLIENT_HANDSHAKE_TRAFFIC_SECRET "$WORK/ftp_empty.keys")" -ge 2 ] ||
  { echo "$LAB_NAME: the key log lacks the TLS 1.3 sessions" >&2; exit 1; }
size=$(stat -c %s "$WORK/ftp_empty.pcap")
[ "$size" -lt 100000 ] || { echo "$LAB_NAME: ftp_empty.pcap is $size bytes (over 100 KB)" >&2; exit 1; }

cp "$WORK/ftp_empty.pcap" "$WORK/ftp_empty.keys" "$WORK/ftp_empty.json" "$OUT/"
say "ftp_empty.pcap: $size bytes, $(wc -l <"$OUT/ftp_empty.keys") key lines"
