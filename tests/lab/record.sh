#!/usr/bin/env bash
# Re-record the lab captures in sample_pcaps/ and their truth files.
#
#   sudo tests/lab/record.sh          (needs root: ip netns, tc, tcpdump)
#
# Topology (all addresses exist only inside the namespaces created here):
#
#   pcl-cli            pcl-rtr                          pcl-srv
#   cli0 10.77.0.10 -- rc0 10.77.0.1 | rs0 203.0.113.1 -- srv0 203.0.113.10/.20/.30/.66
#                                    |     198.51.100.1       198.51.100.53 (DNS)
#
# Needs: python3, openssl, curl, tcpdump, tshark/capinfos/editcap, iproute2, ethtool.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record.sh
LAB_TOOLS_HINT="see docs/lab.md"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/lab_common.sh"
lab_require_tools python3 openssl curl tcpdump tshark capinfos editcap ip tc ethtool
lab_require_root "ip netns, tc, tcpdump"

REPO=$(cd "$HERE/../.." && pwd)
OUT="$REPO/sample_pcaps"
PY=$(python3 -c 'import sys; print(sys.executable)')
WORK=$(mktemp -d /tmp/pcaplab.XXXXXX)
NS_C=pcl-cli NS_R=pcl-rtr NS_S=pcl-srv
trap lab_cleanup EXIT
trap 'echo "record.sh: interrupted; sample_pcaps/ unchanged" >&2; exit 130' INT TERM

inC() { ip netns exec $NS_C "$@"; }
inR() { ip netns exec $NS_R "$@"; }
inS() { ip netns exec $NS_S "$@"; }

lab_netns_add $NS_C $NS_R $NS_S

# ------------------------------------------------------------------ network
ip link add cli0 netns $NS_C type veth peer name rc0 netns $NS_R
ip link add srv0 netns $NS_S type veth peer name rs0 netns $NS_R
for ns in $NS_C $NS_R $NS_S; do
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
inC ip addr add 10.77.0.10/24 dev cli0
inR ip addr add 10.77.0.1/24 dev rc0
inR ip addr add 203.0.113.1/24 dev rs0
inR ip addr add 198.51.100.1/24 dev rs0
for a in 203.0.113.10 203.0.113.20 203.0.113.30 203.0.113.66; do inS ip addr add $a/24 dev srv0; done
inS ip addr add 198.51.100.53/24 dev srv0
inC ip link set cli0 up; inR ip link set rc0 up; inR ip link set rs0 up; inS ip link set srv0 up
inC ip route add default via 10.77.0.1
inS ip route add 10.77.0.0/24 via 203.0.113.1 src 203.0.113.10
inR sysctl -qw net.ipv4.ip_forward=1
# Offloads off: otherwise tcpdump sees 64 KB super-segments and counts stop matching the router's.
for pair in "$NS_C cli0" "$NS_R rc0" "$NS_R rs0" "$NS_S srv0"; do
  set -- $pair
  ip netns exec $1 ethtool -K $2 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  on=$(ip netns exec $1 ethtool -k $2 | grep -E '^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-checksumming|rx-checksumming): on' || true)
  [ -z "$on" ] || { echo "offloads still on for $2: $on" >&2; exit 1; }
done
# Static neighbours: no ARP in the captures, and the tbf cannot drop ARP.
mac() { ip netns exec $1 cat /sys/class/net/$2/address; }
M_CLI=$(mac $NS_C cli0) M_RC=$(mac $NS_R rc0) M_RS=$(mac $NS_R rs0) M_SRV=$(mac $NS_S srv0)
inC ip neigh replace 10.77.0.1 lladdr $M_RC dev cli0 nud permanent
inR ip neigh replace 10.77.0.10 lladdr $M_CLI dev rc0 nud permanent
for a in 203.0.113.10 203.0.113.20 203.0.113.30 203.0.113.66 198.51.100.53; do
  inR ip neigh replace $a lladdr $M_SRV dev rs0 nud permanent
done
inS ip neigh replace 203.0.113.1 lladdr $M_RS dev srv0 nud permanent

# ------------------------------------------------------------------ certificates
say "certificates"
C="$WORK/certs"; mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -days 3650 \
  -subj "/C=XX/O=Example Shop Lab CA/CN=Example Shop Lab Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$C/shop.key" -out "$C/shop.csr" \
  -subj "/C=XX/O=Example Shop/CN=www.example-shop.test" 2>/dev/null
printf 'subjectAltName=DNS:www.example-shop.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$C/shop.ext"
openssl x509 -req -in "$C/shop.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial \
  -out "$C/shop.pem" -days 397 -extfile "$C/shop.ext" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/bad.key" -out "$C/bad.pem" -days 30 \
  -subj "/CN=update.bad-domain.test" -addext "subjectAltName=DNS:update.bad-domain.test" 2>/dev/null

# ------------------------------------------------------------------ servers
say "servers"
SLOG="$WORK/server.jsonl" CLOG="$WORK/client.jsonl"
: > "$SLOG"; : > "$CLOG"
cd "$HERE"
# started with ip netns exec directly (not through the inS function, which would fork a
# subshell) so that $! is the server's own pid; cleanup also kills whatever is left inside.
ip netns exec $NS_S "$PY" servers.py dns "$SLOG" & PIDS+=($!)
ip netns exec $NS_S "$PY" servers.py http "$SLOG" & PIDS+=($!)
ip netns exec $NS_S "$PY" servers.py banner 203.0.113.20 22 "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2" & PIDS+=($!)
ip netns exec $NS_S openssl s_server -quiet -tls1_2 -www -accept 203.0.113.10:443 -cert "$C/shop.pem" -key "$C/shop.key" \
  -cert_chain "$C/ca.pem" >/dev/null 2>&1 < /dev/null & PIDS+=($!)
ip netns exec $NS_S openssl s_server -quiet -tls1_2 -www -accept 203.0.113.20:443 -cert "$C/bad.pem" -key "$C/bad.key" \
  >/dev/null 2>&1 < /dev/null & PIDS+=($!)
sleep 1

capture_start() {  # ns iface file snaplen [micro|nano] -> sets CAP_PID
  # -B 65536: a 64 MiB kernel buffer, so the unthrottled 3 MB upload is not dropped by the sensor
  lab_tcpdump_start $1 "$WORK/$(basename "$3").err" -Z root -U --immediate-mode -B 65536 \
    --time-stamp-precision=${5:-micro} -n -i $2 -s $4 -w "$3"
  CAP_PID=$TCPDUMP_PID
  PIDS+=($CAP_PID)
  sleep 0.3
}
capture_stop() {  # pid file: stop tcpdump; a capture with sensor drops is not a sample
  sleep 1.5
  lab_tcpdump_stop "$1" "$WORK/$(basename "$2").err"
}
client() { inC "$PY" client.py "$CLOG" "$1"; }

# ------------------------------------------------------------------ incident part 1
say "incident-1: DNS, HTTP downloads, TLS, scan, DNS tunnel"
# incident-1: pcap with nanosecond timestamps (tcpdump --time-stamp-precision=nano)
capture_start $NS_C cli0 "$WORK/incident-1.pcap" 262144 nano; P1=$CAP_PID
client web
sleep 0.5
printf 'GET / HTTP/1.0\r\n\r\n' | inC openssl s_client -tls1_2 -servername www.example-shop.test \
  -connect 203.0.113.10:443 -CAfile "$C/ca.pem" -ign_eof >"$WORK/tls1.txt" 2>&1 || true
inC curl -sS -o /dev/null --tlsv1.2 --tls-max 1.2 --cacert "$C/ca.pem" \
  --resolve www.example-shop.test:443:203.0.113.10 https://www.example-shop.test/ || true
sleep 0.5
client scan
sleep 0.5
printf 'GET / HTTP/1.0\r\n\r\n' | inC openssl s_client -tls1_2 -servername update.bad-domain.test \
  -connect 203.0.113.20:443 -ign_eof >"$WORK/tls2.txt" 2>&1 || true
sleep 0.5
client tunnel
capture_stop $P1 "$WORK/incident-1.pcap"

# ------------------------------------------------------------------ incident part 2
say "incident-2: upload, beacon (~80 s)"
capture_start $NS_C cli0 "$WORK/incident-2.pcap" 262144; P2=$CAP_PID
client upload
sleep 1
client beacon
capture_stop $P2 "$WORK/incident-2.pcap"
# shipped as pcapng (same packets, same microsecond timestamps), to exercise that reader
editcap -F pcapng "$WORK/incident-2.pcap" "$WORK/incident-2.pcapng"

# ------------------------------------------------------------------ compare (two vantage points)
say "compare: 1.5 MB download and 768 KB upload through 6 Mbit/s tbf bottlenecks"
inR tc qdisc add dev rc0 root tbf rate 6mbit burst 16kb limit 30kb   # toward the client
inR tc qdisc add dev rs0 root tbf rate 6mbit burst 16kb limit 30kb   # toward the server
inR tc -s qdisc show dev rc0 > "$WORK/tc_rc0_before.txt"
inR tc -s qdisc show dev rs0 > "$WORK/tc_rs0_before.txt"
capture_start $NS_C cli0 "$WORK/compare-a.pcap" 128; PA=$CAP_PID
capture_start $NS_S srv0 "$WORK/compare-b.pcap" 128; PB=$CAP_PID
client large
sleep 0.5
client large_upload
sleep 1
capture_stop $PA "$WORK/compare-a.pcap"; capture_stop $PB "$WORK/compare-b.pcap"
inR tc -s qdisc show dev rc0 > "$WORK/tc_rc0_after.txt"
inR tc -s qdisc show dev rs0 > "$WORK/tc_rs0_after.txt"
editcap -F pcap -t 2.5 "$WORK/compare-b.pcap" "$WORK/compare-b-shifted.pcap"

# ------------------------------------------------------------------ truth, check, publish
# Build and check everything in a staging folder; sample_pcaps/ changes only if all checks pass.
STAGE="$WORK/stage"; mkdir -p "$STAGE"
FILES="incident-1.pcap incident-2.pcapng compare-a.pcap compare-b.pcap compare-b-shifted.pcap"
for f in $FILES; do cp "$WORK/$f" "$STAGE/$f"; done
"$PY" "$HERE/truth.py" "$WORK" "$STAGE"
"$PY" "$HERE/check_truth.py" "$STAGE" > "$WORK/check_truth.txt" || {
  grep -v '^PASS' "$WORK/check_truth.txt" >&2; echo "record.sh: check failed; sample_pcaps/ unchanged" >&2; exit 1; }
tail -1 "$WORK/check_truth.txt" >&2
mkdir -p "$OUT"
rm -f "$OUT"/incident-*.pcap "$OUT"/incident-*.pcapng "$OUT"/compare-*.pcap "$OUT"/*.truth.json
for f in $FILES incident.truth.json compare.truth.json; do cp "$STAGE/$f" "$OUT/$f"; done
say "done: $(ls -l "$OUT" | tail -n +2 | awk '{print $NF" "$5}' | tr '\n' ' ')"
