#!/usr/bin/env bash
# record.sh — how tls.pcap of this case was recorded (run as root; needs
# openssl, curl and tcpdump).  Real TLS on the loopback interface: curl
# against openssl s_server with a fresh self-signed RSA certificate, once with
# TLS 1.2 (the certificate travels in clear) and once with TLS 1.3 (it is
# encrypted).  A new recording has new keys, randoms and times: run
# `tests/data/run.py --update tls-recorded-curl`, check the values against
# tshark (run.py does for the fields test.json pairs) and commit both.
set -euo pipefail
cd "$(dirname "$0")"
PORT=${PORT:-18443}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -subj "/O=pcapcase tests/CN=tls.example.test" -addext "subjectAltName=DNS:tls.example.test" \
    2>/dev/null
openssl s_server -accept "127.0.0.1:$PORT" -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www -quiet &
tcpdump -i lo -U -s 0 -w "$tmp/tls.pcap" "tcp port $PORT" 2>/dev/null &
sleep 1
for v in "--tls-max 1.2" "--tlsv1.3"; do
    # shellcheck disable=SC2086
    curl -sk $v --http1.1 --resolve "tls.example.test:$PORT:127.0.0.1" \
        "https://tls.example.test:$PORT/" -o /dev/null
    sleep 0.5
done
sleep 1
kill %2
wait %2 2>/dev/null || true
cp "$tmp/tls.pcap" tls.pcap
echo "recorded $(pwd)/tls.pcap"
