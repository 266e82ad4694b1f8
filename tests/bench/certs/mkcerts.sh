#!/usr/bin/env bash
# mkcerts.sh — make the fixed test certificates that gencap puts in its TLS handshakes.
#
# Run once; the DER files are committed, so every generated capture carries the same
# certificates (RSA key generation cannot be seeded, so we do not make them per run).
# Validity dates are fixed so they fit gencap's default capture time (2023-11-14):
#   ca.der          pcapcase bench Root CA (RSA 2048), 2020-01-01 .. 2035-01-01
#   web.der         leaf for the web servers, signed by the CA, SANs for every
#                   gencap host name, 2023-01-01 .. 2026-01-01
#   expired.der     leaf signed by the CA that expired 2023-06-30 (before the capture)
#   selfsigned.der  self-signed EC P-256 leaf, 2023-01-01 .. 2028-01-01
set -euo pipefail
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat >"$T/ca.cnf" <<CNF
[ ca ]
default_ca = bench
[ bench ]
dir = $T
database = $T/index.txt
new_certs_dir = $T
serial = $T/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:selfsigned.bench.example
[ v3_web ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:*.bench.example, DNS:bench.example, DNS:*.shop.example, DNS:*.news.example, DNS:*.cdn.example, DNS:*.mail.example, DNS:*.video.example, DNS:*.api.example
[ v3_expired ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:legacy.bench.example
CNF
: >"$T/index.txt"
echo 1000 >"$T/serial"
sign() { # sign CSR OUT EXT START END [extra...]
    openssl ca -batch -config "$T/ca.cnf" -notext -in "$1" -out "$T/$2.pem" \
        -extensions "$3" -startdate "$4" -enddate "$5" "${@:6}" >/dev/null 2>&1
    openssl x509 -in "$T/$2.pem" -outform DER -out "$2.der"
}

openssl req -new -newkey rsa:2048 -nodes -keyout "$T/ca.key" -subj "/O=pcapcase bench/CN=pcapcase bench Root CA" -out "$T/ca.csr" 2>/dev/null
sign "$T/ca.csr" ca v3_ca 20200101000000Z 20350101000000Z -selfsign -keyfile "$T/ca.key"
cp "$T/ca.pem" "$T/cacert.pem"
CA=(-cert "$T/cacert.pem" -keyfile "$T/ca.key")

openssl req -new -newkey rsa:2048 -nodes -keyout "$T/web.key" -subj "/O=pcapcase bench/CN=www.bench.example" -out "$T/web.csr" 2>/dev/null
sign "$T/web.csr" web v3_web 20230101000000Z 20260101000000Z "${CA[@]}"

openssl req -new -newkey rsa:2048 -nodes -keyout "$T/exp.key" -subj "/O=pcapcase bench/CN=legacy.bench.example" -out "$T/exp.csr" 2>/dev/null
sign "$T/exp.csr" expired v3_expired 20220101000000Z 20230630000000Z "${CA[@]}"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/self.key" -subj "/CN=selfsigned.bench.example" -out "$T/self.csr" 2>/dev/null
sign "$T/self.csr" selfsigned v3_self 20230101000000Z 20280101000000Z -selfsign -keyfile "$T/self.key"

for f in ca web expired selfsigned; do
    printf '%-16s %s\n' "$f.der" "$(openssl x509 -inform DER -in $f.der -noout -subject -issuer -dates | tr '\n' ' ')"
done
