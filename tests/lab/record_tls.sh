#!/usr/bin/env bash
# Record HTTPS, HTTP/2, h2c and DNS-over-HTTPS on the loopback interface,
# with the session keys, for the decryption and HTTP/2 tests.
#
#   tests/lab/record_tls.sh OUTDIR [small|full]
#
# small (default): the committed recordings in tests/recordings/tls/ (a few KB
#                  per file, tens of KB per capture).
# full:            adds a 1 MiB file and 300 KB concurrent downloads to every
#                  session; tests/e2e records this into a temporary folder at
#                  test time when the tools are present (never committed).
#
# Writes OUTDIR/{tls13,tls12,tls12cbc,tlsmore,h2c,doh,sslv2}.pcap, their .keys
# (NSS key logs written by curl / openssl s_client), OUTDIR/truth.json and
# nothing else.  Needs root (tcpdump on lo), nginx (nginx-light:
# ssl + http_v2), curl with HTTP/2, openssl, tcpdump, python3, brotli,
# nghttpd and nghttp (Debian nghttp2-server, nghttp2-client).
#
# Everything listens on 127.0.0.1 only, on ports picked free at run time; the
# certificate is made by openssl at run time (so it differs per recording; the
# served files do not: tls_content.py derives them from a seed).
set -euo pipefail

OUT=${1:?usage: record_tls.sh OUTDIR [small|full]}
MODE=${2:-small}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_tls.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/lab_common.sh"
lab_require_tools nginx curl openssl tcpdump python3 brotli nghttpd nghttp tshark
lab_require_root "tcpdump on lo"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/pcaptls.XXXXXX)
chmod 755 "$WORK" # nginx's worker (www-data) reads the document root
trap lab_cleanup EXIT

read -r P_TLS P_MTE P_DOH P_H2C P_UPG P_0RTT P_HRR <<<"$(free_ports 7)"
NAME=pcapcase.test

# --- certificate, content, servers -------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 30 -subj "/CN=$NAME/O=pcapcase lab" \
  -addext "subjectAltName=DNS:$NAME,DNS:doh-target.test" 2>/dev/null
# DHE suites need parameters: RFC 7919's ffdhe2048 (named, so instant)
openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out "$WORK/dh.pem" 2>/dev/null
DOCS=$WORK/docs
mkdir -p "$DOCS" "$WORK/tmp" "$WORK/dl"
python3 "$HERE/tls_content.py" "$DOCS" "$MODE"

# One server block per port: P_TLS with OpenSSL's defaults (encrypt-then-MAC
# for CBC suites), P_MTE with encrypt-then-MAC off (classic MAC-then-encrypt).
server_block() { # PORT EXTRA
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl http2;
    server_name $NAME doh-target.test;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers ALL:@SECLEVEL=0;
    ssl_dhparam $WORK/dh.pem;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256;
    ssl_prefer_server_ciphers off;
    ssl_session_tickets off;
    $2
    root $DOCS;
    gzip on; gzip_min_length 100; # gzip_types: text/html only (the default)
    location ~ \.br\$ { add_header Content-Encoding br; default_type text/plain; types {} }
    location /dns-query { proxy_pass http://127.0.0.1:$P_DOH; proxy_http_version 1.1; }
  }
EOF
}
# TLS 1.3 only, for openssl s_client: 0-RTT early data (session tickets on) and
# a HelloRetryRequest (the server wants P-384, s_client offers an X25519 share).
server_block_13() { # PORT EXTRA
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    server_name $NAME;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.3;
    $2
    root $DOCS;
  }
EOF
}
cat >"$WORK/nginx.conf" <<EOF
$(lab_nginx_head)
  types { text/html html; text/plain txt; application/octet-stream bin; }
$(server_block "$P_TLS" "")
$(server_block "$P_MTE" "ssl_conf_command Options -EncryptThenMac;")
$(server_block_13 "$P_0RTT" "ssl_session_tickets on; ssl_early_data on;")
$(server_block_13 "$P_HRR" "ssl_session_tickets off; ssl_ecdh_curve secp384r1;")
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)
python3 "$HERE/doh_backend.py" "$P_DOH" "$WORK/doh.jsonl" &
PIDS+=($!)
nghttpd --no-tls -a 127.0.0.1 -d "$DOCS" -p /page.html=/blob.bin "$P_H2C" &
PIDS+=($!)
python3 "$HERE/h2c_upgrade_server.py" "$P_UPG" "$DOCS" &
PIDS+=($!)
for p in $P_TLS $P_MTE $P_DOH $P_H2C $P_UPG $P_0RTT $P_HRR; do
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break
    sleep 0.1
  done
done

# --- recording helpers --------------------------------------------------------
SESSIONS=$WORK/sessions.jsonl
: >"$SESSIONS"
start_capture() { # NAME BPF
  CAP=$1
  rm -f "$OUT/$CAP.keys"
  lab_tcpdump_start "" "$WORK/$CAP.tcpdump" -Z root -i lo -U --immediate-mode -B 65536 -s 0 \
    -w "$OUT/$CAP.pcap" "$2"
}
# tcpdump must have written every packet (lab_tcpdump_stop checks).  On a
# busy machine tcpdump may still be writing what its buffer holds when the
# sessions end; a tcpdump stopped then loses those packets: wait until the
# capture file has stopped growing (up to 15 s).
stop_capture() {
  local size=-1 now same=0
  sleep 1
  for _ in $(seq 50); do
    now=$(stat -c %s "$OUT/$CAP.pcap" 2>/dev/null || echo 0)
    if [ "$now" = "$size" ]; then
      same=$((same + 1))
      [ "$same" -lt 3 ] || break
    else
      same=0
      size=$now
    fi
    sleep 0.3
  done
  lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/$CAP.tcpdump" lo
}
# session LABEL VERSION CIPHER ALPN PORT PATH... : one curl run, one TLS connection
# (several paths: keep-alive for http/1.1, multiplexed streams for h2).
session() {
  local label=$1 version=$2 cipher=$3 alpn=$4 port=$5
  shift 5
  local args=(-sS --no-progress-meter -k --resolve "$NAME:$port:127.0.0.1" --compressed --fail)
  case $version in
  TLSv13) args+=(--tlsv1.3 --tls13-ciphers "$cipher") ;;
  TLSv12) args+=(--tlsv1.2 --tls-max 1.2 --ciphers "$cipher") ;;
  TLSv11) args+=(--tlsv1.1 --tls-max 1.1 --ciphers "$cipher:@SECLEVEL=0") ;;
  TLSv10) args+=(--tlsv1.0 --tls-max 1.0 --ciphers "$cipher:@SECLEVEL=0") ;;
  esac
  case $alpn in
  h2) args+=(--http2 --parallel --parallel-max 8) ;;
  http/1.1) args+=(--http1.1) ;;
  esac
  local paths=("$@") p
  [ "$MODE" = full ] && paths+=(/big.bin)
  for p in "${paths[@]}"; do
    args+=(-o "$WORK/dl/$label$(echo "$p" | tr / _)" "https://$NAME:$port$p")
  done
  SSLKEYLOGFILE=$OUT/$CAP.keys curl "${args[@]}"
  for p in "${paths[@]}"; do check_download "$label" "$p"; done
  session_line "$label" "$version" "$cipher" "$alpn" "$port" "${paths[@]}"
}
session_line() { # LABEL VERSION CIPHER ALPN PORT PATH...
  python3 - "$CAP" "$@" >>"$SESSIONS" <<'EOF'
import json, sys
cap, label, version, cipher, alpn, port, *paths = sys.argv[1:]
print(json.dumps({"capture": cap, "label": label, "version": version, "cipher": cipher,
                  "alpn": alpn, "port": int(port), "paths": paths}))
EOF
}
# What curl saved (content coding undone) must be the served file.
check_download() { # LABEL PATH
  local want=$DOCS${2%.br}
  cmp -s "$WORK/dl/$1$(echo "$2" | tr / _)" "$want" ||
    { echo "record_tls.sh: $1 $2: download differs from $want" >&2; exit 1; }
}
MULTI=(/multi/a.bin /multi/b.bin /multi/c.bin /multi/d.bin)

# --- TLS 1.3 ------------------------------------------------------------------
say "tls13"
start_capture tls13 "tcp port $P_TLS"
session t13-aes128gcm-h2 TLSv13 TLS_AES_128_GCM_SHA256 h2 "$P_TLS" /hello.txt /page.html "${MULTI[@]}"
session t13-aes256gcm-h1 TLSv13 TLS_AES_256_GCM_SHA384 http/1.1 "$P_TLS" /blob.bin /notes.txt.br
session t13-chacha-h2 TLSv13 TLS_CHACHA20_POLY1305_SHA256 h2 "$P_TLS" /hello.txt /notes.txt.br /blob.bin
# KeyUpdate: s_client's "K" command sends KeyUpdate(update_requested), so both
# sides change keys before the request goes out.
{ sleep 0.5; printf 'K\n'; sleep 0.5
  printf 'GET /hello.txt HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$NAME"; sleep 1.5; } |
  openssl s_client -connect "127.0.0.1:$P_TLS" -servername "$NAME" -tls1_3 -alpn http/1.1 \
    -keylogfile "$OUT/tls13.keys" >"$WORK/keyupdate.out" 2>&1 || true
grep -q "KEYUPDATE" "$WORK/keyupdate.out" || { echo "record_tls.sh: s_client sent no KeyUpdate" >&2; exit 1; }
grep -q "^hello over TLS from pcapcase" "$WORK/keyupdate.out" ||
  { echo "record_tls.sh: no response after KeyUpdate" >&2; exit 1; }
session_line t13-keyupdate-h1 TLSv13 TLS_AES_256_GCM_SHA384 http/1.1 "$P_TLS" /hello.txt
stop_capture

# --- TLS 1.2: AEAD suites ----------------------------------------------------
say "tls12"
start_capture tls12 "tcp port $P_TLS"
session t12-ecdhe-aes128gcm-h2 TLSv12 ECDHE-RSA-AES128-GCM-SHA256 h2 "$P_TLS" /hello.txt /page.html "${MULTI[@]}"
session t12-ecdhe-aes256gcm-h1 TLSv12 ECDHE-RSA-AES256-GCM-SHA384 http/1.1 "$P_TLS" /blob.bin /notes.txt.br
session t12-ecdhe-chacha-h2 TLSv12 ECDHE-RSA-CHACHA20-POLY1305 h2 "$P_TLS" /hello.txt /blob.bin
session t12-rsa-aes256gcm-h2 TLSv12 AES256-GCM-SHA384 h2 "$P_TLS" /blob.bin
stop_capture

# --- TLS 1.2: CBC suites, encrypt-then-MAC (P_TLS) and MAC-then-encrypt (P_MTE)
say "tls12cbc"
start_capture tls12cbc "tcp port $P_TLS or tcp port $P_MTE"
session t12-ecdhe-aes128sha-etm-h1 TLSv12 ECDHE-RSA-AES128-SHA http/1.1 "$P_TLS" /hello.txt /page.html
session t12-ecdhe-aes256sha384-etm-h2 TLSv12 ECDHE-RSA-AES256-SHA384 h2 "$P_TLS" /blob.bin
session t12-ecdhe-aes128sha256-mte-h1 TLSv12 ECDHE-RSA-AES128-SHA256 http/1.1 "$P_MTE" /hello.txt /blob.bin
session t12-ecdhe-aes256sha-mte-h2 TLSv12 ECDHE-RSA-AES256-SHA h2 "$P_MTE" /page.html
session t12-ecdhe-aes256sha384-mte-h2 TLSv12 ECDHE-RSA-AES256-SHA384 h2 "$P_MTE" /hello.txt
session t12-rsa-aes128sha-mte-h1 TLSv12 AES128-SHA http/1.1 "$P_MTE" /hello.txt
session t12-rsa-aes256sha256-etm-h1 TLSv12 AES256-SHA256 http/1.1 "$P_TLS" /notes.txt.br
stop_capture

# --- older and rarer: TLS 1.0/1.1 CBC, DHE, AES-CCM (TLS 1.2 and 1.3), TLS 1.3
# 0-RTT and HelloRetryRequest; this
# OpenSSL has no 3DES, so 3DES is only checked by the fuzz target's sealer -----
say "tlsmore"
start_capture tlsmore "tcp port $P_TLS or tcp port $P_MTE or tcp port $P_0RTT or tcp port $P_HRR"
session t10-rsa-aes128sha-mte-h1 TLSv10 AES128-SHA http/1.1 "$P_MTE" /hello.txt /page.html
session t11-ecdhe-aes256sha-etm-h1 TLSv11 ECDHE-RSA-AES256-SHA http/1.1 "$P_TLS" /hello.txt
session t12-dhe-aes128gcm-h2 TLSv12 DHE-RSA-AES128-GCM-SHA256 h2 "$P_TLS" /hello.txt /blob.bin
session t12-dhe-chacha-h1 TLSv12 DHE-RSA-CHACHA20-POLY1305 http/1.1 "$P_TLS" /page.html
session t12-rsa-aes128ccm-h2 TLSv12 AES128-CCM h2 "$P_TLS" /hello.txt
session t12-rsa-aes256ccm8-h1 TLSv12 AES256-CCM8 http/1.1 "$P_TLS" /blob.bin
session t13-aes128ccm-h2 TLSv13 TLS_AES_128_CCM_SHA256 h2 "$P_TLS" /hello.txt /page.html
session t13-aes128ccm8-h1 TLSv13 TLS_AES_128_CCM_8_SHA256 http/1.1 "$P_TLS" /notes.txt.br
# s_client: a session whose ticket is then used for 0-RTT: the request goes
# out as early data (CLIENT_EARLY_TRAFFIC_SECRET) before the handshake ends
REQ=$WORK/request.txt
printf 'GET /hello.txt HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$NAME" >"$REQ"
s_client() { # PORT OUTPUT ARGS...
  local port=$1 out=$2
  shift 2
  openssl s_client -connect "127.0.0.1:$port" -servername "$NAME" -tls1_3 -ign_eof \
    -keylogfile "$OUT/$CAP.keys" "$@" >"$out" 2>&1 || true
  grep -q "^hello over TLS from pcapcase" "$out" ||
    { echo "record_tls.sh: s_client on $port got no file" >&2; exit 1; }
}
{ cat "$REQ"; sleep 1; } | s_client "$P_0RTT" "$WORK/ticket.out" -sess_out "$WORK/sess.pem"
session_line t13-ticket-h1 TLSv13 TLS_AES_256_GCM_SHA384 http/1.1 "$P_0RTT" /hello.txt
sleep 1 | s_client "$P_0RTT" "$WORK/early.out" -sess_in "$WORK/sess.pem" -early_data "$REQ"
grep -q "Early data was accepted" "$WORK/early.out" || { echo "record_tls.sh: no 0-RTT" >&2; exit 1; }
session_line t13-early-data-h1 TLSv13 TLS_AES_256_GCM_SHA384 http/1.1 "$P_0RTT" /hello.txt
{ cat "$REQ"; sleep 1; } | s_client "$P_HRR" "$WORK/hrr.out"
session_line t13-hello-retry-h1 TLSv13 TLS_AES_256_GCM_SHA384 http/1.1 "$P_HRR" /hello.txt
stop_capture

# --- HTTP/2 over clear text (nghttpd) -----------------------------------------
say "h2c"
start_capture h2c "tcp port $P_H2C or tcp port $P_UPG"
# curl 7.88 fails a second multiplexed transfer on a prior-knowledge connection
# (HTTP2 framing error), so curl fetches one file and nghttp the concurrent ones.
H2C=http://127.0.0.1:$P_H2C
curl -sS --fail --http2-prior-knowledge -o "$WORK/dl/h2c-prior_hello.txt" "$H2C/hello.txt"
check_download h2c-prior /hello.txt
session_line h2c-prior none none h2c-prior "$P_H2C" /hello.txt
# nghttp: one connection, the multi files as concurrent streams (bodies written
# to stdout in arrival order, so checked by total size), then page.html, for
# which nghttpd pushes /blob.bin (PUSH_PROMISE).
PATHS=("${MULTI[@]}")
[ "$MODE" = full ] && PATHS+=(/big.bin)
nghttp "${PATHS[@]/#/$H2C}" >"$WORK/dl/h2c-multi" 2>"$WORK/nghttp-multi.err"
want=0
for p in "${PATHS[@]}"; do want=$((want + $(stat -c %s "$DOCS$p"))); done
[ "$(stat -c %s "$WORK/dl/h2c-multi")" = $want ] ||
  { echo "record_tls.sh: nghttp got $(stat -c %s "$WORK/dl/h2c-multi") bytes, want $want" >&2; exit 1; }
session_line h2c-multi none none h2c-prior "$P_H2C" "${PATHS[@]}"
nghttp -n -s "$H2C/page.html" >"$WORK/nghttp.out"
grep -q "/blob.bin" "$WORK/nghttp.out" || { echo "record_tls.sh: nghttpd pushed nothing" >&2; exit 1; }
session_line h2c-push none none h2c-prior "$P_H2C" /page.html /blob.bin
# Upgrade: h2c (served by h2c_upgrade_server.py: nghttpd only does prior knowledge)
curl -sS --fail --http2 -o "$WORK/dl/h2c-upgrade_hello.txt" "http://127.0.0.1:$P_UPG/hello.txt"
check_download h2c-upgrade /hello.txt
session_line h2c-upgrade none none h2c-upgrade "$P_UPG" /hello.txt
stop_capture

# --- DNS over HTTPS -----------------------------------------------------------
say "doh"
start_capture doh "tcp port $P_TLS"
# curl resolves doh-target.test through DoH (POST, over h2), then fetches from it
SSLKEYLOGFILE=$OUT/doh.keys curl -sS -k --fail --http2 --resolve "$NAME:$P_TLS:127.0.0.1" \
  --doh-url "https://$NAME:$P_TLS/dns-query" --doh-insecure \
  -o "$WORK/dl/doh-post-h2_hello.txt" "https://doh-target.test:$P_TLS/hello.txt"
check_download doh-post-h2 /hello.txt
QUERY=$(python3 -c 'import base64,struct
q=struct.pack("!HHHHHH",0,0x0100,1,0,0,0)+b"".join(bytes([len(l)])+l.encode() for l in "www.example.test".split("."))+b"\0"+struct.pack("!HH",1,1)
print(base64.urlsafe_b64encode(q).decode().rstrip("="))')
python3 -c 'import base64,sys; q=sys.argv[1]; sys.stdout.buffer.write(base64.urlsafe_b64decode(q+"="*(-len(q)%4)))' \
  "$QUERY" >"$WORK/query.bin"
for v in --http2 --http1.1; do
  SSLKEYLOGFILE=$OUT/doh.keys curl -sS -k --fail $v --resolve "$NAME:$P_TLS:127.0.0.1" \
    -H 'accept: application/dns-message' -o "$WORK/dl/doh-get$v" \
    "https://$NAME:$P_TLS/dns-query?dns=$QUERY"
  SSLKEYLOGFILE=$OUT/doh.keys curl -sS -k --fail $v --resolve "$NAME:$P_TLS:127.0.0.1" \
    -H 'content-type: application/dns-message' -H 'accept: application/dns-message' \
    --data-binary @"$WORK/query.bin" -o "$WORK/dl/doh-post$v" "https://$NAME:$P_TLS/dns-query"
done
stop_capture

# --- SSLv2-compatible ClientHello ---------------------------------------------
say "sslv2"
start_capture sslv2 "tcp port $P_TLS"
python3 "$HERE/sslv2_hello.py" "$P_TLS" "$WORK/sslv2.json"
stop_capture

python3 "$HERE/tls_truth.py" "$WORK" "$OUT" "$MODE"
say "done: $(cd "$OUT" && du -ch ./*.pcap | tail -1)"
