#!/usr/bin/env bash
# Record HTTP CONNECT tunnels on the loopback interface, for the CONNECT
# tests (tests/e2e/test_connect_tunnel.py).
#
#   tests/lab/record_connect.sh OUTDIR
#
# Writes OUTDIR/connect.pcap, OUTDIR/connect.keys (the NSS key log of curl and
# of the STARTTLS client) and
# OUTDIR/truth.json, nothing else.  One capture, six proxy connections, each
# through tests/lab/connect_proxy.py (a CONNECT proxy on 127.0.0.1):
#   1. curl --proxytunnel to nginx over TLS 1.3 (HTTP/1.1 inside), GET /tls.bin
#   2. curl --proxytunnel to nginx over plain HTTP, GET /plain.bin
#   3. CONNECT forbidden.test answered 403, then CONNECT to nginx's plain
#      port on the same connection, GET /second.bin
#   4. SMTP through the tunnel; the proxy sends the 200 and the server's
#      banner in one segment
#   5. 64 bytes of no protocol through a tunnel to an echo server
#   6. SMTP through the tunnel switched to TLS by STARTTLS
# Needs root (tcpdump on lo), nginx (nginx-light: ssl), curl, openssl,
# tcpdump, python3.  The certificate is made at run time; the served files
# are the same on every recording (derived from a fixed seed).
set -euo pipefail

OUT=${1:?usage: record_connect.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_connect.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/lab_common.sh"
lab_require_tools nginx curl openssl tcpdump python3
lab_require_root "tcpdump on lo"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/pcapconnect.XXXXXX)
chmod 755 "$WORK" # nginx's worker (www-data) reads the document root
trap lab_cleanup EXIT

read -r P_PROXY P_TLS P_HTTP P_SMTP P_ECHO <<<"$(free_ports 5)"
NAME=www.pcapcase.test

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 30 -subj "/CN=$NAME/O=pcapcase lab" -addext "subjectAltName=DNS:$NAME" 2>/dev/null
DOCS=$WORK/docs
mkdir -p "$DOCS" "$WORK/tmp" "$WORK/dl"
python3 - "$DOCS" <<'EOF'
import hashlib, os, sys
# seeded pseudo-random files: the same bytes on every recording
for name, size in [("tls.bin", 9000), ("plain.bin", 7000), ("second.bin", 3000)]:
    out, block = b"", name.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    open(os.path.join(sys.argv[1], name), "wb").write(out[:size])
open(os.path.join(sys.argv[1], "message.eml"), "wb").write(
    b"From: alice@pcapcase.test\r\nTo: bob@pcapcase.test\r\n"
    b"Subject: through the tunnel\r\n\r\nhello from inside a CONNECT tunnel\r\n")
EOF

cat >"$WORK/nginx.conf" <<EOF
$(lab_nginx_head)
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:$P_TLS ssl;
    server_name $NAME;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.3;
    root $DOCS;
  }
  server {
    listen 127.0.0.1:$P_HTTP;
    server_name $NAME;
    root $DOCS;
  }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
for what in "proxy $P_PROXY" "smtp $P_SMTP $WORK/cert.pem $WORK/key.pem" "echo $P_ECHO"; do
  # shellcheck disable=SC2086
  python3 "$HERE/connect_proxy.py" $what &
  PIDS+=($!)
done
for port in $P_PROXY $P_TLS $P_HTTP $P_SMTP $P_ECHO; do lab_wait_port "" 127.0.0.1 $port; done

lab_tcpdump_start "" "$WORK/tcpdump.err" -Z root -i lo -U --immediate-mode -B 65536 -s 0 \
  -w "$OUT/connect.pcap" "tcp port $P_PROXY"

PROXY=http://127.0.0.1:$P_PROXY
rm -f "$OUT/connect.keys"
SSLKEYLOGFILE=$OUT/connect.keys curl -sS --fail --http1.1 --proxytunnel -x "$PROXY" \
  --cacert "$WORK/cert.pem" -o "$WORK/dl/tls.bin" "https://$NAME:$P_TLS/tls.bin"
sleep 0.3
curl -sS --fail --proxytunnel -x "$PROXY" -o "$WORK/dl/plain.bin" "http://$NAME:$P_HTTP/plain.bin"
sleep 0.3
python3 "$HERE/connect_proxy.py" refused-then-http "$P_PROXY" "$P_HTTP" /second.bin "$WORK/dl/second.bin"
sleep 0.3
python3 "$HERE/connect_proxy.py" smtp-client "$P_PROXY" "$P_SMTP" "$DOCS/message.eml"
sleep 0.3
python3 "$HERE/connect_proxy.py" echo-client "$P_PROXY" "$P_ECHO"
sleep 0.3
SSLKEYLOGFILE=$OUT/connect.keys python3 "$HERE/connect_proxy.py" smtp-client "$P_PROXY" "$P_SMTP" "$DOCS/message.eml" starttls

# tcpdump must have written every packet (lab_tcpdump_stop checks)
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

for f in tls.bin plain.bin second.bin; do
  cmp -s "$DOCS/$f" "$WORK/dl/$f" || { echo "record_connect.sh: $f differs from the served file" >&2; exit 1; }
done

python3 - "$OUT" "$DOCS" "$WORK/cert.pem" "$NAME" "$P_PROXY" "$P_TLS" "$P_HTTP" "$P_SMTP" "$P_ECHO" <<'EOF'
import base64, hashlib, json, os, re, sys
out, docs, cert, name = sys.argv[1:5]
ports = dict(zip(["proxy", "tls", "http", "smtp", "echo"], map(int, sys.argv[5:10])))
pem = open(cert).read()
der = base64.b64decode("".join(re.findall(r"^[A-Za-z0-9+/=]+$", pem, re.M)))
sha = lambda b: hashlib.sha256(b).hexdigest()
truth = {
    "server_name": name,
    "ports": ports,
    "cert_sha256": sha(der),
    "files": {"/" + f: sha(open(os.path.join(docs, f), "rb").read())
              for f in ["tls.bin", "plain.bin", "second.bin"]},
    "message_sha256": sha(open(os.path.join(docs, "message.eml"), "rb").read()),
    "keys_sha256": sha(open(os.path.join(out, "connect.keys"), "rb").read()),
}
json.dump(truth, open(os.path.join(out, "truth.json"), "w"), indent=1, sort_keys=True)
EOF
echo "record_connect.sh: wrote $OUT/connect.pcap"
